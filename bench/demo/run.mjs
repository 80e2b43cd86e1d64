// bench/demo: throughput of the Koa banking demo compiled through raceway/transformer (shipping its
// events to a running `raceway serve`) against the same app compiled by plain tsc with Raceway
// disabled. Variants: `plain`; `instrumented` with default settings (the event budget,
// maxEventsPerSecond 200); `full` capture (no budget: every request recorded); and
// `sampled` (RACEWAY_SAMPLE_RATE, default 0.01, no budget). All are loaded with autocannon on
// loopback, alternating in one run because these machines are noisy; each figure is a median
// (ratios: the median of the rounds' ratios).
// Before each measurement the Raceway server is given time to finish ingesting what the previous
// variant sent, so no variant pays for another's backlog.
//   node bench/demo/run.mjs [--duration 10] [--connections 10] [--rounds 3] [--variants plain,instrumented,…]
import { execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const root = fileURLToPath(new URL('../..', import.meta.url));
const require = createRequire(import.meta.url);
const arg = (name, def) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? Number(process.argv[i + 1]) : def; };
const DURATION = arg('duration', 10);
const CONNECTIONS = arg('connections', 10);
const ROUNDS = arg('rounds', 3);
// --variants plain,instrumented (for a quicker look); the table needs all four.
const VARIANTS = (process.argv.includes('--variants') ? process.argv[process.argv.indexOf('--variants') + 1] : 'plain,instrumented,full,sampled').split(',');

function build() {
  execFileSync(process.execPath, [require.resolve('ts-patch/bin/tspc'), '-p', 'examples/koa-banking'], { cwd: root, stdio: 'inherit' });
  // Plain tsc does not run transformers: the same sources, uninstrumented.
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'examples/koa-banking', '--outDir', 'examples/koa-banking/dist-plain'], { cwd: root, stdio: 'inherit' });
}

function freePort() {
  return new Promise((resolve) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); }); });
}

async function startProcess(args, env, ready) {
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => { out += d; if (out.includes(ready)) resolve(); });
    child.once('exit', (c) => reject(new Error(`${args.join(' ')} exited ${c}`)));
  });
  return child;
}

function stopProcess(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  return gone;
}

/** GET /balances and POST /deposit, 3:1. */
async function load(url) {
  const deposit = JSON.stringify({ account: 'bob', amount: 1 });
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: DURATION,
    requests: [
      { method: 'GET', path: '/balances' },
      { method: 'GET', path: '/balances' },
      { method: 'GET', path: '/balances' },
      { method: 'POST', path: '/deposit', headers: { 'content-type': 'application/json' }, body: deposit },
    ],
  });
  return { rps: result.requests.average, p99: result.latency.p99, errors: result.errors + result.non2xx };
}

const SAMPLED = process.env.BENCH_SAMPLE_RATE ?? '0.01';

async function measure(variant, endpoint) {
  const port = await freePort();
  const dir = variant === 'plain' ? 'dist-plain' : 'dist';
  const env = {
    PORT: String(port),
    RACEWAY_ENDPOINT: endpoint,
    ...(variant === 'plain' ? { RACEWAY_ENABLED: 'false' } : {}),
    ...(variant === 'full' ? { RACEWAY_MAX_EVENTS_PER_SECOND: 'unlimited' } : {}),
    ...(variant === 'sampled' ? { RACEWAY_SAMPLE_RATE: SAMPLED, RACEWAY_MAX_EVENTS_PER_SECOND: 'unlimited' } : {}),
  };
  await serverIdle(endpoint);
  const app = await startProcess([`examples/koa-banking/${dir}/server.js`], env, 'listening');
  try {
    await load(`http://127.0.0.1:${port}`); // warm-up (JIT, connections), not counted
    const result = await load(`http://127.0.0.1:${port}`);
    // What sampling cost in detection: the share of requests the runtime recorded.
    const stats = await fetch(`http://127.0.0.1:${port}/raceway/status`).then((r) => r.json()).then((b) => b.stats).catch(() => null);
    if (stats && stats.requestsRecorded !== undefined) result.recorded = stats.requestsRecorded / Math.max(1, stats.requestsRecorded + stats.requestsLeftOut);
    return result;
  } finally {
    await stopProcess(app);
  }
}

/** Waits until the Raceway server's event count stops moving (it has ingested every backlog). */
async function serverIdle(endpoint) {
  let last = -1;
  for (let i = 0; i < 600; i++) {
    const n = await fetch(`${endpoint}/status`).then((r) => r.json()).then((b) => b.data.events_captured).catch(() => -2);
    if (n === last) return;
    last = n;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

const median = (xs) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] : NaN);

build();
const racewayPort = await freePort();
const endpoint = `http://127.0.0.1:${racewayPort}`;
const server = await startProcess(['dist/server/cli.js', 'serve', '--memory', '--port', String(racewayPort)], {}, 'listening');
const runs = { plain: [], instrumented: [], full: [], sampled: [] };
try {
  for (let r = 0; r < ROUNDS; r++) {
    const order = VARIANTS.slice();
    for (const variant of r % 2 === 0 ? order : order.reverse()) {
      const m = await measure(variant, endpoint);
      process.stderr.write(`round ${r + 1} ${variant}: ${Math.round(m.rps)} req/s, p99 ${m.p99} ms\n`);
      runs[variant].push(m);
    }
  }
} finally {
  await stopProcess(server);
}
// Ratios are medians of per-round ratios: each round measures the variants back to back, so a
// machine whose speed drifts between rounds (other work starting or stopping) moves both sides of
// a round's ratio together, while a ratio of medians would mix rounds taken at different speeds.
const pairedRatio = (variant) => median(runs[variant].map((x, r) => x.rps / runs.plain[r].rps));
const plain = { rps: median(runs.plain.map((x) => x.rps)), p99: median(runs.plain.map((x) => x.p99)) };
const inst = { rps: median(runs.instrumented.map((x) => x.rps)), p99: median(runs.instrumented.map((x) => x.p99)) };
const full = { rps: median(runs.full.map((x) => x.rps)), p99: median(runs.full.map((x) => x.p99)) };
const sampled = { rps: median(runs.sampled.map((x) => x.rps)), p99: median(runs.sampled.map((x) => x.p99)) };
console.log(JSON.stringify({
  benchmark: 'demo-throughput',
  connections: CONNECTIONS,
  duration_s: DURATION,
  rounds: ROUNDS,
  plain_rps: Math.round(plain.rps),
  instrumented_rps: Math.round(inst.rps),
  throughput_ratio: +pairedRatio('instrumented').toFixed(3),
  round_ratios: runs.instrumented.map((x, r) => +(x.rps / runs.plain[r].rps).toFixed(3)),
  plain_p99_ms: plain.p99,
  instrumented_p99_ms: inst.p99,
  instrumented_recorded_share: +median(runs.instrumented.map((x) => x.recorded ?? 0)).toFixed(4),
  full_rps: Math.round(full.rps),
  full_ratio: +pairedRatio('full').toFixed(3),
  full_p99_ms: full.p99,
  sample_rate: Number(SAMPLED),
  sampled_rps: Math.round(sampled.rps),
  sampled_ratio: +pairedRatio('sampled').toFixed(3),
  sampled_p99_ms: sampled.p99,
  errors: [...runs.plain, ...runs.instrumented, ...runs.full, ...runs.sampled].reduce((s, x) => s + x.errors, 0),
  budget_ratio: 0.95,
  within_budget: pairedRatio('instrumented') >= 0.95,
}));
