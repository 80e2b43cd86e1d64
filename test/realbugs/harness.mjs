// The real-bug detection benchmark: each case under test/realbugs/cases/<name>/ is a published
// Node.js concurrency bug reduced to a small program (bug.ts) and its upstream fix (fixed.ts), with
// case.json naming the source, the pattern and which race-report variables count as finding it.
// test/realbugs/correct/<name>.ts are correct programs that must stay silent.
//
// For every program the harness
//   1. validates it uninstrumented: compiled plainly with TypeScript's single-file emit and run; the
//      bug version must show its misbehaviour and the fixed version must not (`expect` in case.json);
//   2. compiles it through each front end (the TypeScript transformer and the Babel preset, with the
//      compile helpers the fixture corpus uses) and runs it with the real runtime shipping to a real
//      Raceway server on a loopback port (in-memory store, one server per run, full capture);
//   3. reads the server's /api/races and scores the run: a bug is found when some report's variable
//      matches one of the case's `variables` regexps; every report on a fixed version or a correct
//      program is a false positive; other reports on a bug version are counted as extra reports.
// With RACEWAY_DUMP_DIR set, every instrumented run also writes the events the server received
// (a JSON array of Raceway events) to $RACEWAY_DUMP_DIR/<case>-<variant>-<front end>.json, where
// the variant is `bug`, `fixed` or, for a correct program, `correct`.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileWithTs, repoRoot, runNode } from '../helpers/fixture-harness.mjs';
import { transformerFrontEnd } from '../helpers/compile-transformer.mjs';
import { babelFrontEnd } from '../babel/helpers/compile-babel.mjs';
import { get, startServer } from '../server/server-helpers.mjs';

export const realbugsDir = join(repoRoot, 'test', 'realbugs');
export const casesDir = join(realbugsDir, 'cases');
export const correctDir = join(realbugsDir, 'correct');
export const expectedPath = join(realbugsDir, 'expected.json');
const buildRoot = join(repoRoot, '.tmp', 'realbugs');

export const frontEnds = [transformerFrontEnd, babelFrontEnd];
export const VARIANTS = ['bug', 'fixed'];

/** What a variant must show when run uninstrumented, unless case.json says otherwise. */
const DEFAULT_EXPECT = {
  bug: { stdout: '^BUG\\b', code: 1 },
  fixed: { stdout: '^OK\\b', code: 0 },
};

/**
 * @typedef {{ title: string, source: { benchmark: string, repository: string, issue: string, fix: string },
 *   pattern: string, variables: string[], expect?: Record<string, { stdout?: string, code?: number }> }} CaseMeta
 * @typedef {{ name: string, dir: string, meta: CaseMeta }} BugCase
 * @typedef {{ name: string, dir: string, entry: string, files: string[], config: object }} Program
 */

/** @returns {BugCase[]} every case folder with a case.json, bug.ts and fixed.ts (optionally filtered by name prefix). */
export function listCases(filter = process.env.RACEWAY_REALBUG) {
  if (!existsSync(casesDir)) return [];
  return readdirSync(casesDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(casesDir, d.name, 'case.json')))
    .map((d) => ({ name: d.name, dir: join(casesDir, d.name), meta: JSON.parse(readFileSync(join(casesDir, d.name, 'case.json'), 'utf8')) }))
    .filter((c) => !filter || c.name.startsWith(filter))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** @returns {{ name: string, program: Program }[]} the correct programs (test/realbugs/correct/*.ts). */
export function listCorrect(filter = process.env.RACEWAY_REALBUG) {
  if (!existsSync(correctDir)) return [];
  return readdirSync(correctDir)
    .filter((f) => /\.m?ts$/.test(f) && !f.endsWith('.d.ts'))
    .map((f) => {
      const name = f.replace(/\.m?ts$/, '');
      return { name, program: programOf(correctDir, f, `${name}-correct`) };
    })
    .filter((c) => !filter || c.name.startsWith(filter))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** One source file as a fixture-harness program, so the shared compile helpers can build it. */
export function programOf(dir, file, name) {
  return { name, dir, entry: file, files: [file], config: {} };
}

export function variantProgram(bugCase, variant) {
  return programOf(bugCase.dir, `${variant}.ts`, `${bugCase.name}-${variant}`);
}

/** Compiles `program` plainly (no instrumentation) and runs it. */
export async function runPlain(program) {
  const entry = compileWithTs(program, join(buildRoot, 'plain', program.name));
  return runNode(entry);
}

/** Does an uninstrumented run show what `expect` asks for? Returns the reasons it does not. */
export function expectationProblems(run, expect) {
  const problems = [];
  if (expect.stdout !== undefined && !new RegExp(expect.stdout, 'm').test(run.stdout)) {
    problems.push(`stdout does not match /${expect.stdout}/m`);
  }
  if (expect.code !== undefined && run.code !== expect.code) problems.push(`exit code ${run.code}, expected ${expect.code}`);
  if (run.signal) problems.push(`killed by ${run.signal}`);
  return problems;
}

export function expectationOf(bugCase, variant) {
  return { ...DEFAULT_EXPECT[variant], ...(bugCase.meta.expect?.[variant] ?? {}) };
}

/** Step 1: both variants uninstrumented. */
export async function validateCase(bugCase) {
  const out = {};
  for (const variant of VARIANTS) {
    const run = await runPlain(variantProgram(bugCase, variant));
    out[variant] = { run, problems: expectationProblems(run, expectationOf(bugCase, variant)) };
  }
  return out;
}

/** A Raceway server of this repository on a free loopback port, in-memory store. */
async function startRaceway() {
  const closers = [];
  const server = await startServer({ teardown: (fn) => closers.push(fn) });
  return { ...server, close: async () => { for (const fn of closers) await fn(); } };
}

/** Every event the server holds, trace by trace (each in the server's causal order). */
async function eventsOf(base) {
  const events = [];
  for (let page = 1; ; page++) {
    const { json } = await get(base, `/api/traces?page=${page}&page_size=1000`);
    for (const trace of json.data.traces) {
      // The trace's pages, one after the other (a long trace comes in several).
      for (let offset = 0; offset !== null;) {
        const { data } = (await get(base, `/api/traces/${trace.trace_id}?limit=10000&offset=${offset}`)).json;
        events.push(...data.events);
        offset = data.next_offset ?? null;
      }
    }
    if (page >= json.data.total_pages) break;
  }
  return events;
}

async function runAgainstServer(entry, serviceName) {
  const server = await startRaceway();
  try {
    const run = await runNode(entry, {
      RACEWAY_ENABLED: 'true',
      RACEWAY_ENDPOINT: server.base,
      RACEWAY_SERVICE_NAME: serviceName,
      RACEWAY_MAX_EVENTS_PER_SECOND: 'unlimited',
    });
    const captured = (await get(server.base, '/status')).json.data.events_captured;
    const races = (await get(server.base, '/api/races')).json.data.races;
    const events = process.env.RACEWAY_DUMP_DIR ? await eventsOf(server.base) : null;
    return { run, captured, races, events };
  } finally {
    await server.close();
  }
}

/**
 * Step 2: one program through one front end against its own server. The runtime bounds its exit
 * flush; on a loaded machine a short process can exit before its batch is delivered, so a run that
 * delivered no event at all is repeated once (a run with events is never retried).
 */
export async function runInstrumented(program, frontEnd, dumpName = program.name) {
  const outDir = join(buildRoot, frontEnd.name, program.name);
  mkdirSync(outDir, { recursive: true });
  const entry = await frontEnd.compile({ fixture: program, outDir });
  const serviceName = `realbugs-${program.name}`;
  let result = await runAgainstServer(entry, serviceName);
  if (result.captured === 0) result = await runAgainstServer(entry, serviceName);
  const dumpDir = process.env.RACEWAY_DUMP_DIR;
  if (dumpDir && result.events) {
    mkdirSync(dumpDir, { recursive: true });
    writeFileSync(join(dumpDir, `${dumpName}-${frontEnd.name}.json`), JSON.stringify(result.events));
  }
  return result;
}

function matcherOf(meta) {
  const res = meta.variables.map((v) => new RegExp(v));
  return (variable) => res.some((re) => re.test(variable));
}

const summary = (r) => `${r.kind} ${r.variable}`;

/**
 * Steps 2 and 3 for one case and front end: the bug version's reports split into matching (found)
 * and extra ones; every report on the fixed version is a false positive. `reproduced` says whether
 * the instrumented run of each variant still behaved as `expect` asks (if the bug did not happen
 * in the instrumented run, a miss says little about the analyzer).
 */
export async function evaluateCase(bugCase, frontEnd) {
  const matches = matcherOf(bugCase.meta);
  // A concurrency bug happens only in some interleavings: a run in which it did not happen says
  // nothing of the analyzer, so the bug version runs again (at most BUG_ATTEMPTS times) until it does.
  let bug;
  let attempts = 0;
  do {
    bug = await runInstrumented(variantProgram(bugCase, 'bug'), frontEnd);
    attempts++;
  } while (attempts < BUG_ATTEMPTS && expectationProblems(bug.run, expectationOf(bugCase, 'bug')).length > 0);
  const fixed = await runInstrumented(variantProgram(bugCase, 'fixed'), frontEnd);
  const hits = bug.races.filter((r) => matches(r.variable));
  return {
    case: bugCase.name,
    pattern: bugCase.meta.pattern,
    frontEnd: frontEnd.name,
    found: hits.length > 0,
    hits: hits.map(summary),
    extra: bug.races.filter((r) => !matches(r.variable)).map(summary),
    falsePositives: fixed.races.map(summary),
    reproduced: {
      bug: expectationProblems(bug.run, expectationOf(bugCase, 'bug')).length === 0,
      fixed: expectationProblems(fixed.run, expectationOf(bugCase, 'fixed')).length === 0,
    },
    captured: { bug: bug.captured, fixed: fixed.captured },
    attempts,
  };
}

/** Instrumented runs of a bug version at most, until its bug happens. */
const BUG_ATTEMPTS = 3;

/** A correct program through one front end: every report is a false positive. */
export async function evaluateCorrect(correct, frontEnd) {
  const r = await runInstrumented(correct.program, frontEnd);
  return {
    case: correct.name,
    frontEnd: frontEnd.name,
    falsePositives: r.races.map(summary),
    exitCode: r.run.code,
    captured: r.captured,
  };
}

/** At most `limit` of the functions given to the returned `run` execute at a time (each is a node process or two). */
export function limiter(limit) {
  let active = 0;
  const waiting = [];
  const next = () => {
    if (active >= limit || !waiting.length) return;
    active++;
    const { fn, resolve, reject } = waiting.shift();
    fn().then(resolve, reject).finally(() => {
      active--;
      next();
    });
  };
  return (fn) => new Promise((resolve, reject) => {
    waiting.push({ fn, resolve, reject });
    next();
  });
}

/**
 * The whole benchmark as promises that settle one by one (so a test per case can finish as soon as
 * its runs are done): validation of every case, then every case and correct program through every
 * front end, `concurrency` processes at a time, in that order. Keys: case name, and
 * `<case>/<front end>` for the instrumented results; `run` queues more work under the same limit.
 */
export function startBenchmark({ concurrency = 2, filter, only = frontEnds } = {}) {
  const run = limiter(concurrency);
  const cases = listCases(filter);
  const correct = listCorrect(filter);
  const validation = new Map(cases.map((c) => [c.name, run(async () => ({ case: c.name, ...(await validateCase(c)) }))]));
  const results = new Map();
  for (const c of cases) for (const fe of only) results.set(`${c.name}/${fe.name}`, run(() => evaluateCase(c, fe)));
  const correctResults = new Map();
  for (const c of correct) for (const fe of only) correctResults.set(`${c.name}/${fe.name}`, run(() => evaluateCorrect(c, fe)));
  return { cases, correct, validation, results, correctResults, run };
}

/** Everything of `startBenchmark`, awaited: plain data that run.mjs prints and the test asserts on. */
export async function runBenchmark(options = {}) {
  const started = startBenchmark(options);
  return {
    cases: started.cases,
    validation: await Promise.all(started.validation.values()),
    results: await Promise.all(started.results.values()),
    correct: await Promise.all(started.correctResults.values()),
  };
}

/** Recall and false positives per front end. */
export function totals(benchmark, names = frontEnds.map((f) => f.name)) {
  const out = {};
  for (const fe of names) {
    const rows = benchmark.results.filter((r) => r.frontEnd === fe);
    const correct = benchmark.correct.filter((r) => r.frontEnd === fe);
    out[fe] = {
      cases: rows.length,
      found: rows.filter((r) => r.found).length,
      falsePositivesOnFixed: rows.reduce((n, r) => n + r.falsePositives.length, 0),
      falsePositivesOnCorrect: correct.reduce((n, r) => n + r.falsePositives.length, 0),
      extraReports: rows.reduce((n, r) => n + r.extra.length, 0),
    };
  }
  return out;
}

export function readExpected() {
  return JSON.parse(readFileSync(expectedPath, 'utf8'));
}
