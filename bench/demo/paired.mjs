// bench/demo/paired: the demo's throughput ratio measured in same-core pairs.
//
//   node bench/demo/paired.mjs [--rounds 8] [--duration 5] [--warmup 3] [--connections 10]
//                              [--variants instrumented,off,left-out,plain] [--no-build] [--json]
//
// Each round starts a fresh plain app (`tsc` build, Raceway disabled) and a fresh app of the variant,
// pins both to the same CPU core and loads both at the same time with autocannon (the demo's mix,
// fixed connections and duration) from this process, which runs with the Raceway server on the
// other cores. Both apps saturate the core they share, so the kernel gives each about half of it,
// and whatever the machine's speed does during the round — on this project's VMs it drifts by tens
// of percent within minutes — it does to both: the round's ratio (variant ÷ plain requests) no
// longer carries that drift. What is left is the process-to-process spread (a plain app against
// another plain app: rounds from 0.93 to 1.04, from memory layout and JIT decisions that differ
// between processes and stay for a process's life), hence fresh processes every round, the order
// they start in alternating, and the median of several rounds. The `plain` variant (plain against
// plain) measures that spread.
//
// Variants: `instrumented` (the transformer's build with default settings, shipping to the Raceway
// server), `off` (the same build with Raceway disabled: the cost of the instrumented code shape
// alone), `left-out` (Raceway on, every request left out by sampling), `plain` (see above),
// `off-als` (`off` after an AsyncLocalStorage was switched on once, see als-once.cjs).
// Needs Linux's `taskset` and at least two cores; otherwise it says so and exits 0.
import { execFileSync, spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import autocannon from 'autocannon';
import { buildDemo, cpuSeconds, demoRequests, freePort, startProcess, stopProcess } from './common.mjs';

const arg = (name, def) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : def; };
const ROUNDS = Number(arg('rounds', 8));
const DURATION = Number(arg('duration', 5));
const WARMUP = Number(arg('warmup', 3));
const CONNECTIONS = Number(arg('connections', 10));
const JSON_OUT = process.argv.includes('--json');

const PLAIN = { dist: 'dist-plain', env: { RACEWAY_ENABLED: 'false' } };
const VARIANTS = {
  instrumented: { dist: 'dist', env: {}, label: 'instrumented, default settings' },
  off: { dist: 'dist', env: { RACEWAY_ENABLED: 'false' }, label: 'instrumented, Raceway disabled' },
  'left-out': { dist: 'dist', env: { RACEWAY_SAMPLE_RATE: '0' }, label: 'instrumented, Raceway on, every request left out' },
  plain: { ...PLAIN, label: 'plain against plain (the spread between processes)' },
  'off-als': { dist: 'dist', env: { RACEWAY_ENABLED: 'false' }, preload: './bench/demo/als-once.cjs', label: 'instrumented, Raceway disabled, after AsyncLocalStorage was on once' },
};
const chosen = arg('variants', 'instrumented,off,left-out,plain').split(',');
for (const v of chosen) if (!VARIANTS[v]) throw new Error(`--variants: unknown variant ${v} (${Object.keys(VARIANTS).join(', ')})`);

function skip(why) {
  console.log(`bench/demo/paired: ${why}; skipped.`);
  if (JSON_OUT) console.log(JSON.stringify({ benchmark: 'demo-paired', skipped: why }));
  process.exit(0);
}
const cores = availableParallelism();
if (process.platform !== 'linux' || spawnSync('taskset', ['-V']).status !== 0) skip('needs Linux and taskset');
if (cores < 2) skip('needs two cores');

// The apps share core 0; this process (autocannon) and the Raceway server get the others.
const APP_CORE = '0';
const OTHER_CORES = `1-${cores - 1}`;
execFileSync('taskset', ['-a', '-p', '-c', OTHER_CORES, String(process.pid)], { stdio: 'ignore' });

async function startApp(spec, endpoint) {
  const port = await freePort();
  const args = ['-c', APP_CORE, process.execPath, ...(spec.preload ? ['-r', spec.preload] : []), `examples/koa-banking/${spec.dist}/server.js`];
  const child = await startProcess(args, { PORT: String(port), RACEWAY_ENDPOINT: endpoint, ...spec.env }, 'listening', { command: 'taskset', stderr: 'ignore' });
  return { child, url: `http://127.0.0.1:${port}` };
}

const load = (url, duration) => autocannon({ url, connections: CONNECTIONS, duration, requests: demoRequests() });

/** One round for `variant`: fresh apps, warmed up together, then measured together. */
async function pair(variant, round, endpoint) {
  const apps = [];
  try {
    // Alternate which app starts first (and so which one gets the earlier memory and JIT state).
    if (round % 2 === 0) { apps.push(await startApp(PLAIN, endpoint)); apps.push(await startApp(VARIANTS[variant], endpoint)); }
    else { apps.push(await startApp(VARIANTS[variant], endpoint)); apps.unshift(await startApp(PLAIN, endpoint)); }
    await Promise.all(apps.map((a) => load(a.url, WARMUP)));
    const cpu0 = apps.map((a) => cpuSeconds(a.child.pid));
    const t0 = Date.now();
    const [p, v] = await Promise.all(apps.map((a) => load(a.url, DURATION)));
    const elapsed = Date.now() - t0;
    const cpu = apps.map((a, i) => (cpuSeconds(a.child.pid) - cpu0[i]) * 1000); // ms
    return {
      ratio: v.requests.total / p.requests.total,
      plain: { requests: p.requests.total, p99: p.latency.p99, cpuUs: (cpu[0] * 1000) / p.requests.total },
      variant: { requests: v.requests.total, p99: v.latency.p99, cpuUs: (cpu[1] * 1000) / v.requests.total },
      // How much of the shared core the two apps used: near 1 when both were saturated.
      coreBusy: (cpu[0] + cpu[1]) / elapsed,
      errors: p.errors + p.non2xx + v.errors + v.non2xx,
    };
  } finally {
    await Promise.all(apps.map((a) => stopProcess(a.child)));
  }
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const n = s.length; return n % 2 ? s[n >> 1] : (s[n / 2 - 1] + s[n / 2]) / 2; };
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const stdErr = (xs) => (xs.length < 2 ? NaN : Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1) / xs.length));
const r3 = (x) => (Number.isFinite(x) ? +x.toFixed(3) : null);

if (!process.argv.includes('--no-build')) buildDemo();
const serverPort = await freePort();
const endpoint = `http://127.0.0.1:${serverPort}`;
const server = await startProcess(['dist/server/cli.js', 'serve', '--memory', '--port', String(serverPort)], {}, 'listening', { stderr: 'ignore' });
const rounds = Object.fromEntries(chosen.map((v) => [v, []]));
try {
  for (let r = 0; r < ROUNDS; r++) {
    for (const v of chosen) {
      const m = await pair(v, r, endpoint);
      rounds[v].push(m);
      process.stderr.write(`round ${r + 1} ${v}: ${m.variant.requests} vs plain ${m.plain.requests} requests (${r3(m.ratio)}), ${m.variant.cpuUs.toFixed(1)} vs ${m.plain.cpuUs.toFixed(1)} µs CPU/request, core busy ${m.coreBusy.toFixed(2)}${m.coreBusy < 0.9 ? ' (not saturated: the ratio leans towards 1)' : ''}${m.errors ? `, ${m.errors} errors` : ''}\n`);
    }
  }
} finally {
  await stopProcess(server);
}

const results = Object.fromEntries(chosen.map((v) => {
  const rs = rounds[v];
  const ratios = rs.map((m) => m.ratio);
  return [v, {
    label: VARIANTS[v].label,
    ratio: r3(median(ratios)),
    mean: r3(mean(ratios)),
    std_err: r3(stdErr(ratios)),
    round_ratios: ratios.map(r3),
    cpu_ratio: r3(median(rs.map((m) => m.plain.cpuUs / m.variant.cpuUs))),
    plain_rps: Math.round(median(rs.map((m) => m.plain.requests)) / DURATION),
    variant_rps: Math.round(median(rs.map((m) => m.variant.requests)) / DURATION),
    plain_p99_ms: median(rs.map((m) => m.plain.p99)),
    variant_p99_ms: median(rs.map((m) => m.variant.p99)),
    core_busy: r3(median(rs.map((m) => m.coreBusy))),
    core_busy_min: r3(Math.min(...rs.map((m) => m.coreBusy))),
    errors: rs.reduce((a, m) => a + m.errors, 0),
  }];
}));
for (const [v, x] of Object.entries(results)) {
  console.log(`${x.label}: ${x.ratio} of plain (median of ${ROUNDS} rounds; mean ${x.mean} ± ${x.std_err}; rounds ${x.round_ratios.join(', ')}); CPU per request ${x.cpu_ratio}; p99 ${x.variant_p99_ms} / ${x.plain_p99_ms} ms`);
}
if (JSON_OUT) console.log(JSON.stringify({ benchmark: 'demo-paired', rounds: ROUNDS, duration_s: DURATION, connections: CONNECTIONS, results, budget_ratio: 0.95, within_budget: results.instrumented ? results.instrumented.ratio >= 0.95 : null }));
