// bench/clocks: cost of vector clocks in a long-running task. A loop of `n` awaits of an
// instrumented async function (`for (let i = 0; i < n; i++) await work(i)`), compiled through the
// Babel front end (`raceway/babel`), timed plain and with full capture (every event recorded and
// shipped to a local counting sink), at n = 1 000, 4 000 and 16 000. Each child an iteration
// awaits is a task of its own; the loop stays O(n) only if clocks do not grow with every task the
// loop has awaited (see runtime/clock.ts).
//
//   node bench/clocks/await-loop.mjs [--rounds N] [--sizes 1000,4000,16000]
//
// Prints a table and, last, one JSON line (the largest n's full-capture median, budget 500 ms).
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
const BUDGET_MS = 500;

// The program: the loop is timed inside the process (start-up and the exit flush are not).
const source = `
let total = 0;
async function work(i) {
  total += i;
  return i;
}
async function main(n) {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await work(i);
  const ms = performance.now() - t0;
  process.stdout.write(JSON.stringify({ ms, total }) + '\\n');
}
main(Number(process.argv[2]));
`;

const dir = join(root, 'bench', '.out', 'clocks');
mkdirSync(dir, { recursive: true });
const transform = (withRaceway) => babel.transformSync(source, {
  babelrc: false, configFile: false, filename: join(dir, 'loop.js'), root: dir, cwd: dir, sourceType: 'script',
  presets: withRaceway ? [[join(root, 'dist', 'babel-plugin', 'preset.js'), { root: dir }]] : [],
}).code;
const plainFile = join(dir, 'loop-plain.cjs');
const instFile = join(dir, 'loop-instrumented.cjs');
writeFileSync(plainFile, transform(false));
writeFileSync(instFile, transform(true));

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
  const out = execFileSync(process.execPath, ['--max-old-space-size=4096', file, String(n)], { cwd: root, env, encoding: 'utf8', timeout: 600_000 });
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const line = JSON.parse(out.trim().split('\n').pop());
  if (line.total !== (n * (n - 1)) / 2) throw new Error(`wrong result ${line.total}`);
  return { ms: line.ms, wallMs };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rows = [];
for (const n of sizes) {
  const plain = [], full = [], fullWall = [];
  let delivered = 0;
  for (let r = 0; r < rounds; r++) {
    plain.push(runOnce(plainFile, n, false).ms);
    const before = await count();
    const x = runOnce(instFile, n, true);
    full.push(x.ms);
    fullWall.push(x.wallMs);
    delivered = (await count()) - before;
  }
  rows.push({ n, plain_ms: median(plain), full_ms: median(full), full_process_ms: median(fullWall), events_delivered: delivered });
}
sink.kill();

console.log('await loop (`for (…) await work(i)`), Babel front end, medians of', rounds, 'rounds');
console.log('      n   plain ms   full capture ms   (whole process ms)   events delivered (last round)');
for (const r of rows) console.log(`${String(r.n).padStart(7)} ${r.plain_ms.toFixed(1).padStart(10)} ${r.full_ms.toFixed(1).padStart(17)} ${r.full_process_ms.toFixed(0).padStart(20)} ${String(r.events_delivered).padStart(18)}`);
const last = rows[rows.length - 1];
console.log(JSON.stringify({ n: last.n, full_capture_ms: Math.round(last.full_ms), budget_ms: BUDGET_MS, met: last.full_ms < BUDGET_MS, rows }));
if (last.n >= 16000 && !(last.full_ms < BUDGET_MS)) process.exitCode = 1;
