// bench/demo: throughput of the Koa banking demo compiled through raceway/transformer (shipping its
// events to a running `raceway serve`) against the same app compiled by plain tsc with Raceway
// disabled. Variants: `plain`; `instrumented` with default settings (the event budget,
// maxEventsPerSecond 200); `full` capture (no budget: every request recorded); and
// `sampled` (RACEWAY_SAMPLE_RATE, default 0.01, no budget).
//
// These machines' speed drifts by tens of percent over minutes, more than the 5 % being measured.
// So every variant's app is started once and kept running, and the load alternates between them in
// short segments: each round loads plain and instrumented back to back (in alternating order), and
// a round's ratio compares two segments seconds apart. The figure is the median of many rounds'
// ratios. Full capture and sampling are loaded in the first few rounds only (they are reported, not
// budgeted). Before every segment the Raceway server is given time to ingest what the previous one
// sent, so no variant pays for another's backlog, and the app gets a short unmeasured warm-up load:
// the figure is for sustained load, and an idle app under the default event budget has saved up
// 10 s of budget that it spends in the first window of a load (recording the requests in it in
// full). Each segment's app CPU time (all threads, until its events are shipped) is reported per
// request as a second, less load-sensitive figure.
//   node bench/demo/run.mjs [--duration 5] [--rounds 10] [--extra-rounds 3] [--warmup 1] [--connections 10]
//                           [--variants plain,instrumented,…]
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const root = fileURLToPath(new URL('../..', import.meta.url));
const require = createRequire(import.meta.url);
const arg = (name, def) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? Number(process.argv[i + 1]) : def; };
const DURATION = arg('duration', 5);
const CONNECTIONS = arg('connections', 10);
const ROUNDS = arg('rounds', 10);
const EXTRA_ROUNDS = arg('extra-rounds', 3);
const WARMUP = arg('warmup', 1);
// --variants plain,instrumented (for a quicker look); the table needs all four.
const VARIANTS = (process.argv.includes('--variants') ? process.argv[process.argv.indexOf('--variants') + 1] : 'plain,instrumented,full,sampled').split(',');
const SAMPLED = process.env.BENCH_SAMPLE_RATE ?? '0.01';

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

/** CPU seconds (user + system, all threads) a process has used; null where /proc is missing. */
function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // clock ticks (USER_HZ = 100 on Linux)
  } catch { return null; }
}

/** GET /balances and POST /deposit, 3:1. */
async function load(url, duration = DURATION) {
  const deposit = JSON.stringify({ account: 'bob', amount: 1 });
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration,
    requests: [
      { method: 'GET', path: '/balances' },
      { method: 'GET', path: '/balances' },
      { method: 'GET', path: '/balances' },
      { method: 'POST', path: '/deposit', headers: { 'content-type': 'application/json' }, body: deposit },
    ],
  });
  return { rps: result.requests.average, p99: result.latency.p99, total: result.requests.total, errors: result.errors + result.non2xx };
}

async function startApp(variant, endpoint) {
  const port = await freePort();
  const env = {
    PORT: String(port),
    RACEWAY_ENDPOINT: endpoint,
    ...(variant === 'plain' ? { RACEWAY_ENABLED: 'false' } : {}),
    ...(variant === 'full' ? { RACEWAY_MAX_EVENTS_PER_SECOND: 'unlimited' } : {}),
    ...(variant === 'sampled' ? { RACEWAY_SAMPLE_RATE: SAMPLED, RACEWAY_MAX_EVENTS_PER_SECOND: 'unlimited' } : {}),
  };
  const child = await startProcess([`examples/koa-banking/${variant === 'plain' ? 'dist-plain' : 'dist'}/server.js`], env, 'listening');
  return { variant, child, url: `http://127.0.0.1:${port}` };
}

/** The runtime's request counters (instrumented variants only). */
async function requestStats(app) {
  const stats = await fetch(`${app.url}/raceway/status`).then((r) => r.json()).then((b) => b.stats).catch(() => null);
  return stats && stats.requestsRecorded !== undefined ? { recorded: stats.requestsRecorded, leftOut: stats.requestsLeftOut } : null;
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

/** One load segment on `app`: throughput, p99, app CPU per request and the share recorded. */
async function segment(app, endpoint) {
  await serverIdle(endpoint);
  await load(app.url, WARMUP);
  const before = await requestStats(app);
  const cpu0 = cpuSeconds(app.child.pid);
  const m = await load(app.url);
  await serverIdle(endpoint); // the app's shipping of this segment's events counts towards it
  const cpu1 = cpuSeconds(app.child.pid);
  const after = await requestStats(app);
  if (cpu0 !== null && cpu1 !== null && m.total > 0) m.cpuUs = ((cpu1 - cpu0) / m.total) * 1e6;
  if (before && after) m.recorded = (after.recorded - before.recorded) / Math.max(1, after.recorded - before.recorded + after.leftOut - before.leftOut);
  return m;
}

const median = (xs) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] : NaN);
const round3 = (x) => (Number.isFinite(x) ? +x.toFixed(3) : null);

build();
const racewayPort = await freePort();
const endpoint = `http://127.0.0.1:${racewayPort}`;
const server = await startProcess(['dist/server/cli.js', 'serve', '--memory', '--port', String(racewayPort)], {}, 'listening');
const apps = {};
const runs = Object.fromEntries(VARIANTS.map((v) => [v, []]));
const pairs = []; // per round: { plain, instrumented } measured back to back
try {
  for (const v of VARIANTS) apps[v] = await startApp(v, endpoint);
  for (const v of VARIANTS) await load(apps[v].url); // warm-up (JIT, connections), not counted
  for (let r = 0; r < ROUNDS; r++) {
    const pair = ['plain', 'instrumented'].filter((v) => apps[v]);
    if (r % 2) pair.reverse();
    const extra = r < EXTRA_ROUNDS ? ['full', 'sampled'].filter((v) => apps[v]) : [];
    const round = {};
    for (const v of [...pair, ...extra]) {
      const m = await segment(apps[v], endpoint);
      process.stderr.write(`round ${r + 1} ${v}: ${Math.round(m.rps)} req/s, p99 ${m.p99} ms${m.cpuUs ? `, ${m.cpuUs.toFixed(0)} µs CPU/request` : ''}\n`);
      runs[v].push(m);
      round[v] = m;
    }
    pairs.push(round);
  }
} finally {
  await Promise.all(Object.values(apps).map((a) => stopProcess(a.child)));
  await stopProcess(server);
}

// Ratios are medians of per-round ratios: a round measures its variants seconds apart, so a machine
// whose speed drifts moves both sides of a round's ratio together, while a ratio of medians would
// mix rounds taken at different speeds.
const pairedRatio = (variant, key = 'rps') => median(pairs.filter((p) => p[variant] && p.plain?.[key]).map((p) => p[variant][key] / p.plain[key]));
const summary = (variant) => ({ rps: median((runs[variant] ?? []).map((x) => x.rps)), p99: median((runs[variant] ?? []).map((x) => x.p99)), cpuUs: median((runs[variant] ?? []).map((x) => x.cpuUs).filter(Number.isFinite)) });
const plain = summary('plain'), inst = summary('instrumented'), full = summary('full'), sampled = summary('sampled');
const ratio = pairedRatio('instrumented');
console.log(JSON.stringify({
  benchmark: 'demo-throughput',
  connections: CONNECTIONS,
  duration_s: DURATION,
  rounds: ROUNDS,
  plain_rps: Math.round(plain.rps),
  instrumented_rps: Math.round(inst.rps),
  throughput_ratio: round3(ratio),
  round_ratios: pairs.filter((p) => p.instrumented && p.plain).map((p) => round3(p.instrumented.rps / p.plain.rps)),
  plain_p99_ms: plain.p99,
  instrumented_p99_ms: inst.p99,
  plain_cpu_us_per_request: round3(plain.cpuUs),
  instrumented_cpu_us_per_request: round3(inst.cpuUs),
  instrumented_recorded_share: round3(median((runs.instrumented ?? []).map((x) => x.recorded ?? 0))),
  full_rps: Math.round(full.rps),
  full_ratio: round3(pairedRatio('full')),
  full_p99_ms: full.p99,
  full_cpu_us_per_request: round3(full.cpuUs),
  sample_rate: Number(SAMPLED),
  sampled_rps: Math.round(sampled.rps),
  sampled_ratio: round3(pairedRatio('sampled')),
  sampled_p99_ms: sampled.p99,
  errors: Object.values(runs).flat().reduce((s, x) => s + x.errors, 0),
  budget_ratio: 0.95,
  within_budget: ratio >= 0.95,
}));
