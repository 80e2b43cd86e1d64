// `npm run bench`: runs every benchmark in bench/ one after another (never two at once: they would
// measure each other) and prints one table. Each benchmark alternates its variants and reports
// medians itself; ratios are measured side by side within one benchmark run.
//   node bench/run.mjs [--quick]      (--quick: shorter runs, for a smoke test)
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const quick = process.argv.includes('--quick');
const out = join(root, 'bench', '.out');
mkdirSync(out, { recursive: true });

function run(script, args) {
  process.stderr.write(`\n▶ node ${script} ${args.join(' ')}\n`);
  try {
    return execFileSync(process.execPath, [join(root, script), ...args], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20 });
  } catch (err) {
    // A benchmark that misses its budget may exit non-zero; its output still counts.
    return err.stdout ?? '';
  }
}

/** The last line of `text` that parses as a JSON object. */
function lastJson(text) {
  for (const line of text.trim().split('\n').reverse()) {
    try { const v = JSON.parse(line); if (v && typeof v === 'object') return v; } catch { /* not JSON */ }
  }
  return null;
}

const rows = [];
const row = (measure, value, budget, met) => rows.push({ measure, value, budget, met });

const capture = lastJson(run('bench/capture/run.mjs', []));
if (capture) row('per-event capture cost (app thread)', `${capture.ns_per_event} ns/event`, '≤ 500 ns', capture.ns_per_event <= 500);
const e2e = lastJson(run('bench/capture/end-to-end.mjs', quick ? ['--events', '50000', '--runs', '3'] : []));
for (const [shape, what, budget] of [['small', 'small values', 1500], ['object', 'a small object per event, 1,000 variable names', 4000]]) {
  const r = e2e?.[shape];
  if (r) row(`capture → delivered, all threads, ${what}`, `${r.all_threads_ns_per_event} ns/event (app thread ${r.app_ns_per_event}, shipping thread ${r.shipping_ns_per_event}; wall ${r.wall_ns_per_event})`, `≤ ${budget.toLocaleString('en')} ns`, r.all_threads_ns_per_event <= budget);
}

run('bench/build/run.mjs', ['--files', quick ? '100' : '400', '--runs', quick ? '3' : '5', '--json', join(out, 'build.json')]);
try {
  // both corpora: the dense generated project (worst case) and rxjs's sources (a real library)
  const build = JSON.parse(readFileSync(join(out, 'build.json'), 'utf8'));
  for (const [name, c] of Object.entries(build.corpora)) {
    const what = name === 'synthetic' ? `${c.files} generated files` : c.title.replace(/^library \((.*)\)$/, '$1');
    for (const r of c.rows.filter((x) => x.variant !== 'tsc')) row(`build time, ${r.variant} ÷ tsc (${what}), median of ${build.runs}`, `${r.ratio.toFixed(2)}× (rounds ${r.round_ratios.join(', ')})`, '≤ 1.15×', r.ratio <= 1.15);
  }
} catch { row('build time ratio', 'failed', '≤ 1.15×', false); }

const babel = lastJson(run('bench/babel/run.mjs', ['--rounds', quick ? '3' : '7', '--json']));
if (babel?.results?.env) row('Babel transform, with preset ÷ without', `${babel.results.env.ratio.toFixed(2)}×`, '≤ 1.3×', babel.results.env.ratio <= 1.3);

// Three runs, the median reported (one run is seconds long, and these machines drift).
const ingestRuns = [1, 2, 3].map(() => lastJson(run('bench/server/ingest.mjs', [quick ? '60000' : '300000']))).filter(Boolean).sort((a, b) => a.events_per_s - b.events_per_s);
const ingest = ingestRuns[Math.floor(ingestRuns.length / 2)];
if (ingest) row('server ingest (HTTP, SQLite, analysis kept up to date), median of 3 runs', `${ingest.events_per_s.toLocaleString('en')} events/s (runs ${ingestRuns.map((x) => x.events_per_s.toLocaleString('en')).join(', ')}; ${ingest.server_cpu_us_per_event} µs server CPU/event)`, '≥ 100 000 events/s', ingest.events_per_s >= 100000);

const analyze = lastJson(run('bench/server/analyze.mjs', [quick ? '100000' : '1000000']));
if (analyze) row(`analysis of ${analyze.state_changes.toLocaleString('en')} state changes (cold)`, `${analyze.analysis_cold_s} s`, '< 10 s (for 1 000 000)', analyze.analysis_cold_s < 10);

const clocks = lastJson(run('bench/clocks/await-loop.mjs', ['--rounds', quick ? '1' : '3', '--sizes', quick ? '1000,16000' : '1000,4000,16000']));
if (clocks?.rows) {
  const r = clocks.rows.filter((x) => x.program === 'loop');
  row(`await loop (\`for (…) await work(i)\`, Babel front end), full capture, n = ${r.map((x) => x.n.toLocaleString('en')).join(' / ')}`, `${r.map((x) => Math.round(x.full_ms)).join(' / ')} ms (plain ${r.map((x) => x.plain_ms.toFixed(1)).join(' / ')} ms; program thread's CPU ${r.map((x) => x.full_thread_cpu_ms).join(' / ')} ms)`, `< ${clocks.budget_ms} ms at 16 000`, clocks.met);
  const c = clocks.rows.filter((x) => x.program === 'chain');
  if (c.length) row(`worker chain (p-map's \`next()\`, never joined), full capture, n = ${c.map((x) => x.n.toLocaleString('en')).join(' / ')}`, `${c.map((x) => Math.round(x.full_ms)).join(' / ')} ms (plain ${c.map((x) => x.plain_ms.toFixed(1)).join(' / ')} ms; program thread's CPU ${c.map((x) => x.full_thread_cpu_ms).join(' / ')} ms)`, 'O(n)', c.length < 2 || c.at(-1).full_thread_cpu_ms / c[0].full_thread_cpu_ms < 2 * (c.at(-1).n / c[0].n));
}

// The budget is judged in same-core pairs (both apps loaded at once on one core: the machine's drift
// cancels out); see bench/demo/paired.mjs.
const paired = lastJson(run('bench/demo/paired.mjs', ['--rounds', quick ? '3' : '8', '--variants', 'instrumented,off,left-out,off-als,plain', '--json']));
if (paired?.results) {
  const p = paired.results;
  const fig = (x) => `${x.ratio} (mean ${x.mean} ± ${x.std_err}; rounds ${x.round_ratios.join(', ')})`;
  row(`demo throughput, instrumented (default settings) ÷ plain, same-core pairs, median of ${paired.rounds} rounds`, `${fig(p.instrumented)}; p99 ${p.instrumented.variant_p99_ms} / ${p.instrumented.plain_p99_ms} ms`, '≥ 0.95', paired.within_budget);
  row('… Raceway disabled (the instrumented code alone) ÷ plain', fig(p.off), '', null);
  row('… Raceway on, every request left out (sampleRate 0) ÷ plain', fig(p['left-out']), '', null);
  row('… Raceway disabled, after AsyncLocalStorage was on once (Node 20 promise hooks) ÷ plain', fig(p['off-als']), '', null);
  row('… plain ÷ plain (the spread between two processes of one build)', fig(p.plain), '', null);
} else if (paired?.skipped) row('demo throughput in same-core pairs', `skipped: ${paired.skipped}`, '≥ 0.95', null);

const demo = lastJson(run('bench/demo/run.mjs', quick ? ['--duration', '3', '--rounds', '5', '--extra-rounds', '1', '--variants', 'plain,instrumented,full,sampled'] : ['--duration', '5', '--rounds', '8', '--extra-rounds', '3', '--variants', 'plain,instrumented,full,sampled']));
if (demo) {
  // Without same-core pairs (no taskset, one core) the budget falls back to this figure.
  const judged = !paired?.results;
  row('demo throughput, instrumented (default settings) ÷ plain, alternating 5 s segments (drifts with the machine)', `${demo.throughput_ratio} (${demo.instrumented_rps} vs ${demo.plain_rps} req/s; ${(demo.instrumented_recorded_share * 100).toFixed(1)} % of requests recorded)`, judged ? '≥ 0.95' : '', judged ? demo.within_budget : null);
  row('… rounds (instrumented ÷ plain, segments back to back)', demo.round_ratios.join(', '), '', null);
  if (demo.instrumented_cpu_us_per_request) row('demo app CPU per request (all threads), instrumented ÷ plain', `${(demo.instrumented_cpu_us_per_request / demo.plain_cpu_us_per_request).toFixed(3)} (${demo.instrumented_cpu_us_per_request.toFixed(0)} vs ${demo.plain_cpu_us_per_request.toFixed(0)} µs)`, '', null);
  row('demo p99 latency, instrumented / plain', `${demo.instrumented_p99_ms} ms / ${demo.plain_p99_ms} ms`, '', null);
  row('demo throughput, full capture (maxEventsPerSecond unlimited) ÷ plain', `${demo.full_ratio} (${demo.full_rps} req/s, p99 ${demo.full_p99_ms} ms${demo.full_cpu_us_per_request ? `, ${demo.full_cpu_us_per_request.toFixed(0)} µs app CPU/request` : ''})`, '', null);
  if (demo.full_events_per_request) row(`… full capture, CPU per recorded event (${demo.full_events_per_request.toFixed(1)} events per request): app main thread / shipping thread / Raceway server`, `${demo.full_main_thread_us_per_event.toFixed(1)} / ${demo.full_shipping_thread_us_per_event.toFixed(1)} / ${demo.full_server_us_per_event.toFixed(1)} µs`, '', null);
  if (demo.plain_als_ratio !== null) row('demo throughput, plain build after AsyncLocalStorage was switched on once (Node 20 promise hooks, as by a first recorded request) ÷ plain', `${demo.plain_als_ratio} (${demo.plain_als_rps} req/s)`, '', null);
  row(`demo throughput, sampleRate ${demo.sample_rate} without budget ÷ plain`, `${demo.sampled_ratio} (${demo.sampled_rps} req/s, p99 ${demo.sampled_p99_ms} ms)`, '', null);
}

// Instruction counts do not drift with the machine's speed (valgrind; skipped where it is missing).
const instr = lastJson(run('bench/demo/instructions.mjs', quick ? ['--requests', '500', '--warmup', '1000', '--json'] : ['--json']));
if (instr?.results) {
  const [plain, off, leftOut] = instr.results;
  row('demo main-thread instructions per request (callgrind), instrumented ÷ plain: Raceway disabled / on with the request left out', `${instr.ratios.off} / ${instr.ratios['left-out']} (${Math.round(off.perRequest / 1000)} k / ${Math.round(leftOut.perRequest / 1000)} k vs ${Math.round(plain.perRequest / 1000)} k)`, '', null);
}

const memory = lastJson(run('bench/demo/memory.mjs', ['--duration', quick ? '20' : '60']));
if (memory?.events) {
  row(`demo under load ${memory.duration_s} s, Raceway server stopped half-way: peak RSS`, `${memory.peak_rss_mb} MB (first ${memory.rss_first_last_mb[0]} MB, last ${memory.rss_first_last_mb[1]} MB)`, 'bounded', null);
  row('… events captured / sent / dropped (counted)', `${memory.events.captured} / ${memory.events.sent} / ${memory.events.dropped}`, 'every drop counted', memory.events.captured === memory.events.sent + memory.events.dropped + memory.events.queued);
  row('… demo kept serving (request errors, still answering)', `${memory.errors} errors, ${memory.still_serving ? 'answering' : 'NOT answering'}`, '0 errors', memory.errors === 0 && memory.still_serving);
}

// Popular pure-JS libraries through each front end: plain / Raceway disabled / full capture.
const libs = lastJson(run('bench/libraries/run.mjs', ['--rounds', quick ? '1' : '3', '--json']));
if (libs?.summary) {
  for (const [variant, s] of Object.entries(libs.summary)) {
    const [front, mode] = variant.split('/');
    const full = mode === 'full';
    const per = libs.results.map((x) => `${x.library} ${x.ratios[variant]}`).join(', ');
    row(`libraries (${libs.results.length}), ${front}, ${full ? 'full capture' : 'Raceway disabled'} ÷ plain: geometric mean, max`, `${s.geomean}×, ${s.max}× (${per})`, full ? '≤ 5×, none > 15×' : '≤ 1.3× each', full ? s.geomean <= 5 && s.max <= 15 : s.max <= 1.3);
  }
  if (libs.results.some((x) => !x.identical_output)) row('libraries: same output in every build', 'NO', 'identical', false);
}

const cpu = cpus()[0]?.model ?? 'unknown CPU';
console.log(`\nRaceway benchmarks — ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB${quick ? ' (quick)' : ''}\n`);
console.log('| measure | result | budget | |\n|---|---|---|---|');
for (const r of rows) console.log(`| ${r.measure} | ${r.value} | ${r.budget} | ${r.met === null ? '' : r.met ? '✅' : '❌'} |`);
