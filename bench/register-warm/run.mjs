// Cold vs warm `raceway run` on a many-process `node --test` suite: with every file in the
// register hook's cache, no process loads Babel. Per variant: wall time of the whole command and
// the number of processes that loaded @babel/core (RACEWAY_REGISTER_DEBUG prints one line per
// Babel load; node --test passes its children's stderr on in its report).
//
//   node bench/register-warm/run.mjs [--dir KOA_CHECKOUT] [--files N] [--rounds R] [--launches L] [--no-suite]
//
// First, one process's startup: `node --import raceway/register app.js` (a 20-module app) with a
// cold cache (Babel loaded, every file compiled), a warm one (everything cached) and without the
// hook, L launches each (default 15), alternating, medians. Then the whole suite: without --dir it
// uses /tmp/libsuites/koa when present (see bench/libsuites/README.md for the checkout), else a
// generated suite of N test files (default 60), each one process.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../dist/server/cli.js', import.meta.url));
const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};
const rounds = Number(arg('rounds', 3));

/** A chain of 20 CommonJS modules with shared state and awaits. */
function writeLib(dir) {
  mkdirSync(join(dir, 'lib'));
  for (let m = 0; m < 20; m++) {
    writeFileSync(join(dir, 'lib', `m${m}.js`), `'use strict';
const state = { hits: 0, items: [] };
async function work(x) {
  state.hits += 1;
  await new Promise((r) => setImmediate(r));
  state.items.push(x * ${m + 1});
  return state.items.length;
}
module.exports = { state, work${m > 0 ? `, next: require('./m${m - 1}.js')` : ''} };
`);
  }
}

/** A generated suite: N test files, each requiring the module chain. */
function generatedSuite(n) {
  const dir = mkdtempSync(join(tmpdir(), 'raceway-warm-'));
  writeLib(dir);
  mkdirSync(join(dir, 'test'));
  for (let i = 0; i < n; i++) {
    writeFileSync(join(dir, 'test', `t${i}.test.js`), `'use strict';
const test = require('node:test');
const assert = require('node:assert');
const { work } = require('../lib/m19.js');
test('works ${i}', async () => {
  assert.strictEqual(await work(${i}), 1);
});
`);
  }
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'warm-suite', private: true }));
  return { dir, command: [process.execPath, '--test', '--test-reporter=tap', '--test-concurrency=2', 'test/'], cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

function koaSuite(dir) {
  // As bench/libsuites runs it (libraries.mjs): one process per test file, one at a time.
  return { dir, command: [process.execPath, '--test', '--test-reporter=tap', '--test-concurrency=1'], cleanup: () => undefined };
}

function run(cmd, cwd, env) {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const p = spawn(cmd[0], cmd.slice(1), { cwd, env: { ...process.env, ...env } });
    let out = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { out += d; });
    p.on('close', (code) => resolve({ code, ms: Number(process.hrtime.bigint() - started) / 1e6, out }));
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const HOOK = fileURLToPath(new URL('../../dist/babel-plugin/register.mjs', import.meta.url));

/** One process's startup and run of a 20-module app: no hook, hook with a cold cache, hook with a warm one. */
async function startup(launches) {
  const dir = mkdtempSync(join(tmpdir(), 'raceway-warm-app-'));
  writeLib(dir);
  writeFileSync(join(dir, 'app.js'), "require('./lib/m19.js').work(1).then(() => undefined);\n");
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'warm-app', private: true }));
  const warmCache = join(dir, 'warm-cache');
  // Events go nowhere (the runtime is off): this is the hook's cost, not the shipping's.
  const base = { RACEWAY_ENABLED: 'false', RACEWAY_REGISTER_DEBUG: '1' };
  await run([process.execPath, '--import', HOOK, 'app.js'], dir, { ...base, RACEWAY_CACHE_DIR: warmCache });
  const ms = { plain: [], cold: [], warm: [] };
  const babel = { cold: 0, warm: 0 };
  try {
    for (let i = 0; i < launches; i++) {
      ms.plain.push((await run([process.execPath, 'app.js'], dir, {})).ms);
      const coldCache = join(dir, `cold-${i}`);
      const cold = await run([process.execPath, '--import', HOOK, 'app.js'], dir, { ...base, RACEWAY_CACHE_DIR: coldCache });
      rmSync(coldCache, { recursive: true, force: true });
      ms.cold.push(cold.ms);
      babel.cold += /loading @babel\/core/.test(cold.out) ? 1 : 0;
      const warm = await run([process.execPath, '--import', HOOK, 'app.js'], dir, { ...base, RACEWAY_CACHE_DIR: warmCache });
      ms.warm.push(warm.ms);
      babel.warm += /loading @babel\/core/.test(warm.out) ? 1 : 0;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`one process (20-module app), node ${process.version}, median of ${launches} launches each, alternating`);
  console.log('| variant | startup + run | − plain | launches that loaded @babel/core |');
  console.log('|---|---|---|---|');
  const p = median(ms.plain);
  console.log(`| node app.js | ${p.toFixed(0)} ms | — | — |`);
  console.log(`| node --import raceway/register app.js, cold cache | ${median(ms.cold).toFixed(0)} ms | +${(median(ms.cold) - p).toFixed(0)} ms | ${babel.cold} / ${launches} |`);
  console.log(`| node --import raceway/register app.js, warm cache | ${median(ms.warm).toFixed(0)} ms | +${(median(ms.warm) - p).toFixed(0)} ms | ${babel.warm} / ${launches} |`);
  console.log('');
}

await startup(Number(arg('launches', 15)));
if (process.argv.includes('--no-suite')) process.exit(0);

const koa = arg('dir', existsSync('/tmp/libsuites/koa/node_modules') ? '/tmp/libsuites/koa' : undefined);
const suite = koa ? koaSuite(koa) : generatedSuite(Number(arg('files', 60)));
const times = { plain: [], cold: [], warm: [] };
const loads = { cold: [], warm: [] };
let tests = '';
try {
  for (let r = 0; r < rounds; r++) {
    const cache = mkdtempSync(join(tmpdir(), 'raceway-warm-cache-'));
    const env = { RACEWAY_CACHE_DIR: cache, RACEWAY_REGISTER_DEBUG: '1' };
    const plain = await run(suite.command, suite.dir, {});
    times.plain.push(plain.ms);
    tests = (/^# tests (\d+)/m.exec(plain.out) ?? [])[1] ?? '?';
    for (const variant of ['cold', 'warm']) {
      const res = await run([process.execPath, CLI, 'run', '--', ...suite.command], suite.dir, env);
      times[variant].push(res.ms);
      // One line per process that loaded Babel (and names the first file it had to compile).
      loads[variant].push((res.out.match(/raceway\/register: loading @babel\/core/g) ?? []).length);
      if (res.code !== 0) console.error(`${variant} run ended with ${res.code}`);
    }
    rmSync(cache, { recursive: true, force: true });
    console.error(`round ${r + 1}: plain ${times.plain.at(-1).toFixed(0)} ms, cold ${times.cold.at(-1).toFixed(0)} ms, warm ${times.warm.at(-1).toFixed(0)} ms; Babel loaded by ${loads.cold.at(-1)} / ${loads.warm.at(-1)} processes`);
  }
} finally {
  suite.cleanup();
}
const m = { plain: median(times.plain), cold: median(times.cold), warm: median(times.warm) };
console.log(`suite: ${koa ? `koa (${koa})` : 'generated'}, ${tests} tests, node ${process.version}, median of ${rounds} rounds`);
console.log('| variant | wall time | ÷ plain | processes that loaded @babel/core |');
console.log('|---|---|---|---|');
console.log(`| node --test, plain | ${(m.plain / 1000).toFixed(2)} s | 1.00× | — |`);
console.log(`| raceway run, cold cache | ${(m.cold / 1000).toFixed(2)} s | ${(m.cold / m.plain).toFixed(2)}× | ${median(loads.cold)} |`);
console.log(`| raceway run, warm cache | ${(m.warm / 1000).toFixed(2)} s | ${(m.warm / m.plain).toFixed(2)}× | ${median(loads.warm)} |`);
