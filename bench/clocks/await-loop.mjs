// bench/clocks: cost of vector clocks as a program goes through many tasks. Two programs, compiled
// through the Babel front end (`raceway/babel`), timed plain and with full capture (every event
// recorded, a queue of 1e6 events so that every one is delivered, shipped to a local counting
// sink), at n = 1 000, 4 000 and 16 000:
//
// * loop: `for (let i = 0; i < n; i++) await work(i)` — each child an iteration awaits is a task
//   of its own, joined by the loop;
// * chain: a pool of two workers over n items where each worker, once its item is done, calls
//   `next()`, which starts the next worker detached and returns (p-map's pattern): no worker is
//   ever joined, each is started by the one before.
//
// Both stay O(n) only if clocks do not grow with every task the program has seen (see
// runtime/clock.ts).
//
//   node bench/clocks/await-loop.mjs [--rounds N] [--sizes 1000,4000,16000] [--programs loop,chain]
//
// Prints a table and, last, one JSON line (the loop's full-capture median at the largest n,
// budget 500 ms).
import { execFileSync, fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const babel = require('@babel/core');
const root = fileURLToPath(new URL('../..', import.meta.url));
const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const rounds = Number(opt('--rounds', '3'));
const sizes = opt('--sizes', '1000,4000,16000').split(',').map(Number);
const programs = opt('--programs', 'loop,chain').split(',');
const BUDGET_MS = 500;

// The programs: the work is timed inside the process (start-up and the exit flush are not), in
// wall-clock time and in CPU time of the program's own thread (Linux: /proc; the shipping thread
// and waits for it are not counted, so a machine shared with other work blurs it less); each
// prints the sum of 0 … n-1, checked.
const threadCpu = `const threadCpuMs = () => { try { const f = require('node:fs').readFileSync('/proc/self/task/' + process.pid + '/stat', 'utf8').split(') ')[1].split(' '); return (Number(f[11]) + Number(f[12])) * 10; } catch { return NaN; } };`;
const report = `process.stdout.write(JSON.stringify({ ms: performance.now() - t0, cpuMs: threadCpuMs() - c0, total }) + '\\n');`;
const start = 'const t0 = performance.now(), c0 = threadCpuMs();';
const sources = {
  loop: `${threadCpu}
let total = 0;
async function work(i) {
  total += i;
  return i;
}
async function main(n) {
  ${start}
  for (let i = 0; i < n; i++) await work(i);
  ${report}
}
main(Number(process.argv[2]));
`,
  chain: `${threadCpu}
let total = 0, done = 0;
const tick = () => new Promise((r) => setImmediate(r));
function pool(n, concurrency) {
  return new Promise((resolve) => {
    let index = 0;
    const next = async () => {
      if (index >= n) { if (done === n) resolve(); return; }
      const i = index++;
      (async () => {
        await tick();
        total += i;
        done++;
        await next();
      })();
    };
    for (let k = 0; k < concurrency; k++) next();
  });
}
async function main(n) {
  ${start}
  await pool(n, 2);
  ${report}
}
main(Number(process.argv[2]));
`,
};

const dir = join(root, 'bench', '.out', 'clocks');
mkdirSync(dir, { recursive: true });
const transform = (name, withRaceway) => babel.transformSync(sources[name], {
  babelrc: false, configFile: false, filename: join(dir, `${name}.js`), root: dir, cwd: dir, sourceType: 'script',
  presets: withRaceway ? [[join(root, 'dist', 'babel-plugin', 'preset.js'), { root: dir }]] : [],
}).code;
const files = {};
for (const name of programs) {
  files[name] = { plain: join(dir, `${name}-plain.cjs`), instrumented: join(dir, `${name}-instrumented.cjs`) };
  writeFileSync(files[name].plain, transform(name, false));
  writeFileSync(files[name].instrumented, transform(name, true));
}
// The client's queue, large enough for every event of the largest run (the default 10 000 drops the rest).
const queuePreload = join(dir, 'queue.cjs');
writeFileSync(queuePreload, `if (require('node:worker_threads').isMainThread) require(${JSON.stringify(join(root, 'dist', 'runtime', 'index.js'))}).init({ maxQueueSize: 1e6 });\n`);

// The sink must not hold this process's stdout open (a pipe reader would wait for it).
const sink = fork(join(root, 'bench', 'capture', 'sink-server.mjs'), { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
process.on('exit', () => sink.kill());
const port = await new Promise((r) => sink.once('message', (m) => r(m.port)));
const endpoint = `http://127.0.0.1:${port}`;
/** Events the sink has counted (a busy sink may drop a connection: asked again). */
async function count() {
  for (let attempt = 0; ; attempt++) {
    try {
      return Number(await (await fetch(`${endpoint}/count`, { method: 'POST' })).text());
    } catch (err) {
      if (attempt >= 4) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

function runOnce(file, n, capture) {
  const env = { ...process.env, NODE_PATH: join(root, 'node_modules') };
  if (capture) Object.assign(env, { RACEWAY_ENABLED: 'true', RACEWAY_ENDPOINT: endpoint, RACEWAY_MAX_EVENTS_PER_SECOND: 'unlimited', RACEWAY_SERVICE_NAME: 'bench-clocks' });
  else env.RACEWAY_ENABLED = 'false';
  const t0 = process.hrtime.bigint();
  const preload = capture ? ['-r', queuePreload] : [];
  const out = execFileSync(process.execPath, ['--max-old-space-size=4096', ...preload, file, String(n)], { cwd: root, env, encoding: 'utf8', timeout: 600_000 });
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const line = JSON.parse(out.trim().split('\n').pop());
  if (line.total !== (n * (n - 1)) / 2) throw new Error(`wrong result ${line.total}`);
  return { ms: line.ms, cpuMs: line.cpuMs, wallMs };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rows = [];
for (const program of programs) {
  for (const n of sizes) {
    const plain = [], full = [], fullCpu = [], fullWall = [];
    let delivered = 0;
    for (let r = 0; r < rounds; r++) {
      plain.push(runOnce(files[program].plain, n, false).ms);
      const before = await count();
      const x = runOnce(files[program].instrumented, n, true);
      full.push(x.ms);
      fullCpu.push(x.cpuMs);
      fullWall.push(x.wallMs);
      delivered = (await count()) - before;
    }
    rows.push({ program, n, plain_ms: median(plain), full_ms: median(full), full_thread_cpu_ms: median(fullCpu), full_process_ms: median(fullWall), events_delivered: delivered });
  }
}
sink.kill();

console.log('clocks over many tasks, Babel front end, medians of', rounds, 'rounds');
console.log('program        n   plain ms   full capture ms   (its thread\'s CPU ms)   (whole process ms)   events delivered (last round)');
for (const r of rows) console.log(`${r.program.padEnd(7)} ${String(r.n).padStart(7)} ${r.plain_ms.toFixed(1).padStart(10)} ${r.full_ms.toFixed(1).padStart(17)} ${String(r.full_thread_cpu_ms).padStart(22)} ${r.full_process_ms.toFixed(0).padStart(20)} ${String(r.events_delivered).padStart(18)}`);
const loop = rows.filter((r) => r.program === 'loop').at(-1);
if (loop !== undefined) {
  console.log(JSON.stringify({ n: loop.n, full_capture_ms: Math.round(loop.full_ms), budget_ms: BUDGET_MS, met: loop.full_ms < BUDGET_MS, rows }));
  if (loop.n >= 16000 && !(loop.full_ms < BUDGET_MS)) process.exitCode = 1;
}
