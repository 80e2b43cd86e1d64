// Same-epoch filtering (runtime/epoch.ts) leaves out reads that repeat the two before them in one
// epoch; it must not change any race report. Each program below runs once with
// RACEWAY_FILTER=shadow: every event is recorded, and the runtime lists the reads the filter would
// have left out. The analyzer then runs on all the events and on the events minus those, and the
// two sets of reports must be the same — kinds, variables, tasks, traces, services, locations,
// values and explanations — except for which event (id, timestamp) a report names where it shows a
// read that has a recorded twin (same task, job, site and value). One run feeds both analyses, so
// the comparison does not depend on how a concurrent program happened to interleave.
//
// Shadow mode ticks the task's clock for the reads it lists, the filter does not: a gap in a task's
// counters changes no comparison the analyzer makes (each compares a clock's entry with an event's
// own counter, and both move together), which the tests of real runs, filter on and off, check.
//
// The programs: the fixture corpus (45 programs through the TypeScript transformer), the real-bug
// benchmark's bug, fixed and correct programs (both front ends), the two-service example (two
// processes), the Koa banking demo driven as its end-to-end test drives it, and programs written
// for the filter (loops that read the same state again and again inside a race, and one whose
// reports change if the filter leaves out a read it must keep).
import test from 'ava';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { listFixtures, repoRoot, runNode, startCollector, tmpRoot } from '../helpers/fixture-harness.mjs';
import { transformerFrontEnd } from '../helpers/compile-transformer.mjs';
import { babelFrontEnd } from '../babel/helpers/compile-babel.mjs';
import { listCases, listCorrect, variantProgram } from '../realbugs/harness.mjs';
import { exampleServices, serveRaceway } from '../examples/_two-services.mjs';
import { compile as compileTwoServices } from '../../examples/two-services/stack.mjs';
import { startStack } from '../demo/_stack.mjs';
import { analyzeEvents, micros } from '../../dist/server/analyzer/index.js';

const workDir = join(tmpRoot, 'epoch-reports');
const programsDir = join(repoRoot, 'test', 'runtime', 'programs', 'epoch');

/** The reads a shadow run listed: `pid\0micros` keys. */
function readShadowLog(file) {
  const skipped = new Set();
  let pid = '';
  let text = '';
  try { text = readFileSync(file, 'utf8'); } catch { return skipped; }
  for (const line of text.split('\n')) {
    if (line.startsWith('pid ')) pid = line.slice(4);
    else if (line !== '') skipped.add(`${pid}\u0000${line}`);
  }
  return skipped;
}

const keyOf = (e) => `${e.metadata.process_id}\u0000${micros(e.timestamp)}`;

/** A report without what names one event rather than another (ids, timestamps). */
function comparable(r) {
  return {
    kind: r.kind, severity: r.severity, variable: r.variable, trace_ids: r.trace_ids, description: r.description,
    accesses: r.accesses.map((a) => ({
      role: a.role, thread_id: a.thread_id, trace_id: a.trace_id, service_name: a.service_name,
      access_type: a.access_type, location: a.location, old_value: a.old_value, new_value: a.new_value,
    })),
  };
}

/** Analyses the events with and without the listed reads; the shapes to compare and what was left out. */
function bothWays(events, skipped) {
  const kept = events.filter((e) => !skipped.has(keyOf(e)));
  const order = (rs) => rs.map(comparable).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  return {
    full: order(analyzeEvents(events)),
    filtered: order(analyzeEvents(kept)),
    left: events.length - kept.length,
    total: events.length,
  };
}

const SHADOW_ENV = { RACEWAY_ENABLED: 'true', RACEWAY_FILTER: 'shadow', RACEWAY_MAX_EVENTS_PER_SECOND: 'unlimited' };

/** Runs a compiled entry once in shadow mode; its events and the reads the filter would leave out. */
async function shadowRun(entry, name) {
  const log = join(workDir, `${name}.log`);
  rmSync(log, { force: true });
  for (let attempt = 0; ; attempt++) {
    const collector = await startCollector();
    try {
      await runNode(entry, { ...SHADOW_ENV, RACEWAY_FILTER_LOG: log, RACEWAY_ENDPOINT: collector.endpoint, RACEWAY_SERVICE_NAME: `epoch-${name}` });
      const events = collector.events();
      // A short process on a loaded machine can exit before its batch is delivered: run it again.
      if (events.length > 0 || attempt > 0) return { events, skipped: readShadowLog(log) };
      rmSync(log, { force: true });
    } finally {
      await collector.close();
    }
  }
}

/** Totals over every program, checked at the end: the comparison must not be vacuous. */
const totals = { programs: 0, left: 0, events: 0, withReports: 0 };

async function check(t, program, frontEnd) {
  const outDir = join(workDir, frontEnd.name, program.name);
  mkdirSync(outDir, { recursive: true });
  const entry = await frontEnd.compile({ fixture: program, outDir });
  const { events, skipped } = await shadowRun(entry, `${frontEnd.name}-${program.name}`);
  const r = bothWays(events, skipped);
  t.is(r.left, skipped.size, 'every listed read is among the events delivered');
  t.deepEqual(r.filtered, r.full, `${program.name}: the reports differ once the repeated reads are left out`);
  totals.programs++;
  totals.left += r.left;
  totals.events += r.total;
  if (r.full.length > 0) totals.withReports++;
  t.log(`${r.total} events, ${r.left} reads left out, ${r.full.length} reports`);
  return r;
}

// `recheck` has nothing the filter leaves out and no race: it fails if the filter left out the
// second read of a guard, or a read after a read of a reset value (both would add a report).
const own = [['loops', true], ['loop-lost-update', true], ['guard-loop', true], ['recheck', false]].map(([name, repeats]) =>
  ({ name: `epoch-${name}`, dir: programsDir, entry: `${name}.ts`, files: [`${name}.ts`], config: {}, repeats }));

test.before(() => mkdirSync(workDir, { recursive: true }));

for (const program of own) {
  test.serial(`the filter's own programs: ${program.name}`, async (t) => {
    const r = await check(t, program, transformerFrontEnd);
    if (!program.repeats) return;
    t.true(r.left > 0, 'the program reads the same state again and again: some reads are left out');
    t.true(r.full.length > 0, 'the program has a race');
  });
}

for (const fixture of listFixtures()) {
  if (fixture.config.skip?.transformer) continue;
  test.serial(`fixture corpus: ${fixture.name}`, (t) => check(t, fixture, transformerFrontEnd));
}

for (const bugCase of listCases()) {
  for (const variant of ['bug', 'fixed']) {
    for (const frontEnd of [transformerFrontEnd, babelFrontEnd]) {
      test.serial(`real bugs: ${bugCase.name} ${variant} (${frontEnd.name})`, (t) => check(t, variantProgram(bugCase, variant), frontEnd));
    }
  }
}

for (const { name, program } of listCorrect()) {
  test.serial(`real bugs, correct programs: ${name}`, (t) => check(t, program, babelFrontEnd));
}

/** Every event a Raceway server holds, trace by trace. */
async function eventsOf(base) {
  const get = async (path) => (await (await fetch(base + path)).json()).data;
  const events = [];
  for (let page = 1; ; page++) {
    const list = await get(`/api/traces?page=${page}&page_size=1000`);
    for (const trace of list.traces) {
      for (let offset = 0; offset !== null;) {
        const data = await get(`/api/traces/${trace.trace_id}?limit=10000&offset=${offset}`);
        events.push(...data.events);
        offset = data.next_offset ?? null;
      }
    }
    if (page >= list.total_pages) break;
  }
  return events;
}

test.serial('the two-service example: two processes, one lost update across them', async (t) => {
  compileTwoServices();
  const log = join(workDir, 'two-services.log');
  rmSync(log, { force: true });
  const endpoint = await serveRaceway(t);
  const { services, run } = await exampleServices(t, endpoint, { CHECK_MS: '1000', RACEWAY_FILTER: 'shadow', RACEWAY_FILTER_LOG: log });
  await run();
  await services.stop();
  const r = bothWays(await eventsOf(endpoint), readShadowLog(log));
  t.deepEqual(r.filtered, r.full);
  t.true(r.full.some((x) => x.kind === 'lost_update'), 'the example\'s lost update is found');
  totals.programs++;
  totals.left += r.left;
  totals.events += r.total;
  if (r.full.length > 0) totals.withReports++;
  t.log(`${r.total} events, ${r.left} reads left out, ${r.full.length} reports`);
});

test.serial('the Koa banking demo: sequential and concurrent transfers, with and without the lock', async (t) => {
  const log = join(workDir, 'demo.log');
  rmSync(log, { force: true });
  const saved = { filter: process.env.RACEWAY_FILTER, log: process.env.RACEWAY_FILTER_LOG, budget: process.env.RACEWAY_MAX_EVENTS_PER_SECOND };
  Object.assign(process.env, { RACEWAY_FILTER: 'shadow', RACEWAY_FILTER_LOG: log, RACEWAY_MAX_EVENTS_PER_SECOND: 'unlimited' });
  let stack;
  try {
    stack = await startStack();
  } finally {
    for (const [k, v] of [['RACEWAY_FILTER', saved.filter], ['RACEWAY_FILTER_LOG', saved.log], ['RACEWAY_MAX_EVENTS_PER_SECOND', saved.budget]]) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  try {
    const call = (path, body) => fetch(stack.base + path, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    await call('/reset', {});
    await call('/deposit', { account: 'alice', amount: 100 });
    await call('/transfer', { from: 'alice', to: 'bob', amount: 50 });
    await call('/reset', {});
    await Promise.all([call('/transfer', { from: 'alice', to: 'bob', amount: 100 }), call('/transfer', { from: 'alice', to: 'charlie', amount: 200 })]);
    await call('/reset', {});
    await Promise.all([call('/transfer-safe', { from: 'alice', to: 'bob', amount: 100 }), call('/transfer-safe', { from: 'alice', to: 'charlie', amount: 200 })]);
    await call('/raceway/races'); // delivers the demo's pending events
    const events = await eventsOf(stack.endpoint);
    await stack.stop();
    const r = bothWays(events, readShadowLog(log));
    t.deepEqual(r.filtered, r.full);
    t.true(r.full.some((x) => x.kind === 'lost_update'), 'the concurrent transfers\' lost update is found');
    totals.programs++;
    totals.left += r.left;
    totals.events += r.total;
    if (r.full.length > 0) totals.withReports++;
    t.log(`${r.total} events, ${r.left} reads left out, ${r.full.length} reports`);
  } finally {
    await stack.stop();
  }
});

/**
 * A report as two separate runs can compare it: tasks and traces renamed in order of first
 * appearance in the run's events, nothing that names an event.
 */
function portable(events) {
  const names = new Map();
  for (const e of events) for (const id of [e.metadata.thread_id, e.trace_id]) if (!names.has(id)) names.set(id, `#${names.size}`);
  return (r) => JSON.stringify({
    kind: r.kind, variable: r.variable,
    accesses: r.accesses.map((a) => [a.role, names.get(a.thread_id), names.get(a.trace_id), a.access_type, a.location, a.old_value, a.new_value]),
  });
}

async function realRun(entry, filter) {
  const collector = await startCollector();
  try {
    const env = { ...SHADOW_ENV, RACEWAY_FILTER: filter, RACEWAY_ENDPOINT: collector.endpoint };
    const out = await runNode(entry, env);
    const events = collector.events();
    events.sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0));
    return { out: out.stdout, events, reports: analyzeEvents(events).map(portable(events)).sort() };
  } finally {
    await collector.close();
  }
}

// The filter itself, not its shadow: the same programs run with it on and off report the same races
// (their timers leave tens of milliseconds between the interleaved steps, so both runs interleave
// alike) while the filtered run ships fewer events.
for (const program of own.filter((p) => p.repeats)) {
  test.serial(`filter on and off, real runs: ${program.name}`, async (t) => {
    const entry = join(workDir, transformerFrontEnd.name, program.name, program.entry.replace(/\.ts$/, '.js'));
    const on = await realRun(entry, 'on');
    const off = await realRun(entry, 'off');
    t.is(on.out, off.out);
    t.true(on.events.length < off.events.length, `${on.events.length} events with the filter, ${off.events.length} without`);
    t.deepEqual(on.reports, off.reports);
    t.true(on.reports.length > 0);
  });
}

test.serial('over all programs, reads were left out and reports compared', (t) => {
  t.log(`${totals.programs} programs, ${totals.events} events, ${totals.left} reads left out, ${totals.withReports} programs with reports`);
  t.true(totals.programs >= 60);
  t.true(totals.left > 0);
  t.true(totals.withReports >= 10);
});


