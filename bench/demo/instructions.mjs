// The demo's per-request cost in main-thread instructions, counted by valgrind's callgrind: a
// figure that does not drift with the machine's speed, unlike the throughput ratio (on this
// project's VM the same build's throughput swings by ±30 % between 5 s segments). It still moves by
// a few percent between runs (V8's tiering decisions depend on timing): compare several runs.
//
//   node bench/demo/instructions.mjs [--requests 1500] [--warmup 2000] [--json]
//
// Each variant's app runs under callgrind with instrumentation off; autocannon (in this process)
// warms it up, then callgrind counts exactly `--requests` requests of the demo's mix (GET
// /balances and POST /deposit, 3:1) and the count of the app's main thread is divided by them.
// Variants: the plain `tsc` build with Raceway disabled; the instrumented build with Raceway
// disabled (the cost of the code shape alone); the instrumented build with Raceway on and every
// request left out by sampling (`RACEWAY_SAMPLE_RATE=0`: what a request not recorded costs). The
// default settings record a share of requests that depends on the request rate, which valgrind
// slows ~50×, so they are not counted here. Needs `valgrind` (Debian package); without it the
// benchmark says so and exits 0.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { demoRequests, freePort, startProcess, stopProcess } from './common.mjs';

const arg = (name, def) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? Number(process.argv[i + 1]) : def; };
const REQUESTS = arg('requests', 1500);
const WARMUP = arg('warmup', 2000);

const VARIANTS = [
  { name: 'plain', dist: 'dist-plain', env: { RACEWAY_ENABLED: 'false' }, label: 'plain (`tsc`), Raceway disabled' },
  { name: 'off', dist: 'dist', env: { RACEWAY_ENABLED: 'false' }, label: 'instrumented, Raceway disabled' },
  { name: 'left-out', dist: 'dist', env: { RACEWAY_SAMPLE_RATE: '0' }, label: 'instrumented, Raceway on, request left out by sampling' },
];

/** Exactly `amount` requests of the demo's mix. */
function load(url, amount) {
  return autocannon({ url, connections: 10, amount, timeout: 120, requests: demoRequests() });
}

/** Instructions of thread 1 (the main thread) in the callgrind dumps written so far. */
function mainThreadInstructions(dir) {
  let total = 0;
  for (const f of readdirSync(dir)) {
    const text = readFileSync(join(dir, f), 'utf8');
    if ((text.match(/^thread: (\d+)$/m) ?? [])[1] !== '1') continue;
    const m = text.match(/^totals: (\d+)/m) ?? text.match(/^summary: (\d+)/m);
    if (m) total += Number(m[1]);
  }
  return total;
}

async function measure(variant, endpoint) {
  const dir = mkdtempSync(join(tmpdir(), 'raceway-cg-'));
  const port = await freePort();
  const child = await startProcess(['--tool=callgrind', '--instr-atstart=no', '--separate-threads=yes', `--callgrind-out-file=${join(dir, 'cg.out')}`,
    process.execPath, `examples/koa-banking/${variant.dist}/server.js`], { PORT: String(port), RACEWAY_ENDPOINT: endpoint, ...variant.env }, 'listening',
  { command: 'valgrind', stderr: 'ignore' });
  try {
    const url = `http://127.0.0.1:${port}`;
    await load(url, WARMUP);
    execFileSync('callgrind_control', ['-i', 'on', String(child.pid)], { stdio: 'ignore' });
    const run = await load(url, REQUESTS);
    execFileSync('callgrind_control', ['-i', 'off', String(child.pid)], { stdio: 'ignore' });
    execFileSync('callgrind_control', ['-d', String(child.pid)], { stdio: 'ignore' });
    const errors = run.errors + run.non2xx;
    return { variant: variant.name, label: variant.label, requests: run.requests.total, errors, perRequest: Math.round(mainThreadInstructions(dir) / run.requests.total) };
  } finally {
    await stopProcess(child, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

if (spawnSync('valgrind', ['--version']).status !== 0) {
  console.log('bench/demo/instructions: valgrind is not installed; skipped.');
  if (process.argv.includes('--json')) console.log(JSON.stringify({ benchmark: 'demo-instructions', skipped: 'no valgrind' }));
  process.exit(0);
}

// The instrumented variants ship to a Raceway server like the demo does (left-out requests send nothing).
const serverPort = await freePort();
const server = await startProcess(['dist/server/cli.js', 'serve', '--memory', '--port', String(serverPort)], {});
const results = [];
try {
  for (const v of VARIANTS) {
    const r = await measure(v, `http://127.0.0.1:${serverPort}`);
    results.push(r);
    console.log(`${r.label}: ${r.perRequest.toLocaleString('en-US')} main-thread instructions per request (${r.requests} requests, ${r.errors} errors)`);
  }
} finally {
  await stopProcess(server);
}
const plain = results[0].perRequest;
const ratios = Object.fromEntries(results.map((r) => [r.variant, +(r.perRequest / plain).toFixed(3)]));
console.log('÷ plain:', Object.entries(ratios).map(([k, v]) => `${k} ${v}`).join(', '));
if (process.argv.includes('--json')) console.log(JSON.stringify({ benchmark: 'demo-instructions', requests: REQUESTS, warmup: WARMUP, results, ratios }));
