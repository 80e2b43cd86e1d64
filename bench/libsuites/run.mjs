#!/usr/bin/env node
// bench/libsuites: the own test suites of correct, concurrency-heavy libraries, run instrumented
// (Babel register hook, full capture) against a real `raceway serve`. Every race reported on them
// is a false positive. See README.md for the checkouts and what the figures mean.
//
//   node bench/libsuites/run.mjs [--dir /tmp/libsuites] [--only p-limit,p-map] [--dump DIR]
//                                [--no-plain] [--json FILE] [--timeout-min 30] [--queue EVENTS]
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LIBRARIES } from './libraries.mjs';
import { summarizeRaces } from './races.mjs';
import { startTee } from './tee.mjs';
import { classify } from './patterns.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..');
const cli = join(repoRoot, 'dist', 'server', 'cli.js');

function parseArgs(argv) {
  const o = { dir: '/tmp/libsuites', only: null, dump: null, plain: true, json: null, timeoutMin: 30, queue: 0 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--dir') o.dir = resolve(argv[++i]);
    else if (a === '--only') o.only = argv[++i].split(',');
    else if (a === '--dump') o.dump = resolve(argv[++i]);
    else if (a === '--no-plain') o.plain = false;
    else if (a === '--json') o.json = resolve(argv[++i]);
    else if (a === '--timeout-min') o.timeoutMin = Number(argv[++i]);
    else if (a === '--queue') o.queue = Number(argv[++i]);
    else throw new Error(`unknown argument ${a}`);
  }
  return o;
}

/** Totals of a TAP stream (ava --tap, node --test-reporter=tap and mocha's tap reporter all print them). */
export function tapTotals(out) {
  const n = (re) => { const m = re.exec(out); return m ? Number(m[1]) : null; };
  const notOk = out.split('\n').filter((l) => /^not ok \d+/.test(l)).map((l) => l.replace(/^not ok \d+ - /, ''));
  return { tests: n(/^# tests (\d+)/m), pass: n(/^# pass (\d+)/m), fail: n(/^# fail (\d+)/m) ?? 0, skip: n(/^# skip(?:ped)? (\d+)/m) ?? 0, failed: notOk };
}

/** Processes to end if this script is interrupted: the running suite's process group, the server. */
const running = new Set();
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    for (const stop of running) stop();
    process.exit(130);
  });
}

function runSuite(lib, cwd, env, timeoutMs) {
  return new Promise((resolveRun) => {
    const t0 = Date.now();
    const child = spawn('sh', ['-c', lib.command.join(' ')], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const stop = () => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } };
    running.add(stop);
    let out = '', err = '';
    child.stdout.setEncoding('utf8').on('data', (d) => { out += d; });
    child.stderr.setEncoding('utf8').on('data', (d) => { err += d; });
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; stop(); }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      running.delete(stop);
      resolveRun({ code, signal, timedOut, seconds: (Date.now() - t0) / 1000, out, err, ...tapTotals(out) });
    });
  });
}

async function startServer() {
  const child = spawn(process.execPath, [cli, 'serve', '--memory', '--host', '127.0.0.1', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((ok, fail) => {
    let buf = '';
    child.stdout.setEncoding('utf8').on('data', (d) => {
      buf += d;
      const m = /listening on (http:\/\/\S+)/.exec(buf);
      if (m) ok(m[1]);
    });
    child.once('exit', (code) => fail(new Error(`raceway serve exited with ${code}`)));
  });
  const kill = () => child.kill('SIGTERM');
  running.add(kill);
  return { url, child, stop: () => new Promise((r) => { running.delete(kill); child.once('exit', r); kill(); }) };
}

async function api(base, path) {
  const res = await fetch(base + path);
  const body = await res.json();
  if (!body.success) throw new Error(`${path}: HTTP ${res.status} ${body.error}`);
  return body.data;
}

/** Waits until the server's stored event count stops growing (ingest workers may still be busy). */
async function settledEventCount(base) {
  let last = -1;
  for (;;) {
    const n = (await api(base, '/status')).events_captured;
    if (n === last) return n;
    last = n;
    await new Promise((r) => setTimeout(r, 1500));
  }
}

/** The checkout's commit, or null when it is not a git work tree. */
function gitHead(cwd) {
  return new Promise((ok) => {
    const child = spawn('git', ['rev-parse', 'HEAD'], { cwd, stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d) => { out += d; });
    child.on('error', () => ok(null));
    child.on('close', (code) => ok(code === 0 ? out.trim() : null));
  });
}

function linkRaceway(checkout) {
  const link = join(checkout, 'node_modules', 'raceway');
  if (existsSync(link) || (() => { try { return lstatSync(link).isSymbolicLink(); } catch { return false; } })()) rmSync(link, { recursive: false, force: true });
  symlinkSync(repoRoot, link, 'dir');
}

function runtimeCounters(file) {
  const sum = { processes: 0, captured: 0, sent: 0, dropped: 0, queued: 0, maxRssMb: 0 };
  if (!existsSync(file)) return sum;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    const s = JSON.parse(line);
    sum.processes++;
    for (const k of ['captured', 'sent', 'dropped', 'queued']) sum[k] += s[k];
    // Peak resident memory of the largest process (threads report their process's).
    if (s.maxRssMb > sum.maxRssMb) sum.maxRssMb = s.maxRssMb;
  }
  return sum;
}

/** Marks the library's `skip` tests as skipped in the checkout; returns a function that restores the files. */
function skipTests(lib, checkout) {
  const originals = new Map();
  for (const s of lib.skip ?? []) {
    const file = join(checkout, s.file);
    const text = originals.get(file) ?? readFileSync(file, 'utf8');
    originals.set(file, text);
    const current = readFileSync(file, 'utf8');
    const title = `('${s.title.replace(/'/g, "\\'")}'`;
    if (current.includes(`${s.call}.skip${title}`)) continue;
    const marked = current.replace(`${s.call}${title}`, `${s.call}.skip${title}`);
    if (marked === current) throw new Error(`${lib.name}: test "${s.title}" not found in ${s.file}`);
    writeFileSync(file, marked);
  }
  const restore = () => { running.delete(restore); for (const [file, text] of originals) writeFileSync(file, text); };
  running.add(restore);
  return restore;
}

async function measure(lib, opts) {
  const checkout = join(opts.dir, lib.name);
  if (!existsSync(join(checkout, 'package.json'))) return { name: lib.name, missing: `no checkout at ${checkout}` };
  linkRaceway(checkout);
  const restore = skipTests(lib, checkout);
  try {
    return await measureSuites(lib, opts, checkout);
  } finally {
    restore();
  }
}

async function measureSuites(lib, opts, checkout) {
  const timeoutMs = opts.timeoutMin * 60_000;
  const baseEnv = { ...process.env };
  for (const k of Object.keys(baseEnv)) if (k.startsWith('RACEWAY_') || k === 'NODE_OPTIONS') delete baseEnv[k];

  const result = { name: lib.name, commit: null, skipped: (lib.skip ?? []).map((s) => `${s.file}: ${s.title}`) };
  result.commit = await gitHead(checkout);
  if (opts.plain) {
    const plainEnv = { ...baseEnv, NODE_OPTIONS: (lib.plainImports ?? []).map((f) => `--import ${join(here, f)}`).join(' ') };
    result.plain = summarizeRun(await runSuite(lib, checkout, plainEnv, timeoutMs));
  }

  const server = await startServer();
  let tee = null;
  try {
    if (opts.dump) {
      mkdirSync(opts.dump, { recursive: true });
      tee = await startTee(server.url, join(opts.dump, `${lib.name}.json`));
    }
    const statsFile = join(tmpdir(), `raceway-libsuites-${lib.name}-${process.pid}.jsonl`);
    rmSync(statsFile, { force: true });
    const preloads = ['capture.cjs', ...(lib.preloads ?? [])].map((f) => `-r ${join(here, f)}`);
    const env = {
      ...baseEnv,
      NODE_OPTIONS: [...(lib.imports ?? []).map((f) => `--import ${join(here, f)}`), ...lib.hooks, ...preloads].join(' '),
      RACEWAY_ENDPOINT: tee ? tee.url : server.url,
      RACEWAY_MAX_EVENTS_PER_SECOND: 'unlimited',
      RACEWAY_SERVICE_NAME: lib.name,
      RACEWAY_ROOT: checkout,
      RACEWAY_LIBSUITES_STATS: statsFile,
      ...(opts.queue > 0 ? { RACEWAY_LIBSUITES_QUEUE: String(opts.queue) } : {}),
    };
    const run = await runSuite(lib, checkout, env, timeoutMs);
    result.instrumented = summarizeRun(run);
    result.runtime = runtimeCounters(statsFile);
    result.stored = await settledEventCount(server.url);
    const races = await api(server.url, '/api/races');
    result.races = summarizeRaces(races);
    result.patterns = classify(races.races).counts;
    if (tee) {
      await tee.close();
      result.dumped = tee.events();
      tee = null;
      writeFileSync(join(opts.dump, `${lib.name}.races.json`), JSON.stringify(races));
    }
    if (run.fail || run.timedOut || run.code) result.instrumentedOutputTail = (run.out + run.err).slice(-3000);
  } finally {
    await tee?.close();
    await server.stop();
  }
  return result;
}

function summarizeRun(r) {
  return { tests: r.tests, pass: r.pass, fail: r.fail, skip: r.skip, failed: r.failed.slice(0, 20), exit: r.code, timedOut: r.timedOut, seconds: Math.round(r.seconds) };
}

function printResult(r) {
  if (r.missing) { console.log(`${r.name}: skipped (${r.missing})`); return; }
  const p = r.plain, i = r.instrumented;
  console.log(`\n== ${r.name} (${r.commit?.slice(0, 10) ?? '?'})`);
  if (p) console.log(`  plain:        ${p.pass}/${p.tests} passed, ${p.fail} failed, ${p.skip} skipped, ${p.seconds}s, exit ${p.exit}`);
  console.log(`  instrumented: ${i.pass}/${i.tests} passed, ${i.fail} failed, ${i.skip} skipped, ${i.seconds}s, exit ${i.exit}${i.timedOut ? ' (TIMED OUT)' : ''}`);
  if (i.failed.length) console.log(`    failed: ${i.failed.join(' | ')}`);
  const c = r.runtime;
  console.log(`  events: ${r.stored} stored by the server; runtime counters of ${c.processes} processes/threads: captured ${c.captured}, sent ${c.sent}, dropped ${c.dropped}, unsent at exit ${c.queued}; peak RSS of a process ${c.maxRssMb} MB`);
  const s = r.races;
  console.log(`  races: ${s.total} reported (${s.suppressed} suppressed) — ${Object.entries(s.byKind).map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}`);
  if (s.total) console.log(`  patterns (bench/libsuites/patterns.mjs): ${Object.entries(r.patterns).map(([k, n]) => `${k} ${n}`).join(', ')}`);
  for (const v of s.byVariable.slice(0, 15)) console.log(`    ${String(v.count).padStart(5)}  ${v.variable}  (${Object.entries(v.byKind).map(([k, n]) => `${k} ${n}`).join(', ')})`);
  if (s.byVariable.length > 15) console.log(`    ... ${s.byVariable.length - 15} more variables`);
  if (r.dumped !== undefined) console.log(`  dumped ${r.dumped} events`);
}

const isMain = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const opts = parseArgs(process.argv.slice(2));
  if (!existsSync(cli)) throw new Error('build first: node scripts/build.mjs');
  const results = [];
  for (const lib of LIBRARIES.filter((l) => !opts.only || opts.only.includes(l.name))) {
    const r = await measure(lib, opts);
    printResult(r);
    results.push(r);
    if (opts.json) writeFileSync(opts.json, JSON.stringify(results, null, 2));
  }
}
