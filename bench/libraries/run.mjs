// The library cost benchmark: popular pure-JavaScript libraries (libraries.mjs) compiled through
// each front end (prepare.mjs), each running its deterministic workload in a fresh process per
// measurement (child.mjs), as
//   plain                     the published files
//   disabled                  instrumented, Raceway switched off (RACEWAY_ENABLED=false)
//   full                      instrumented, every event recorded and delivered to a fresh local
//                             `raceway serve --memory` (the time includes the final flush)
// `disabled` is compared with `plain` over the library's `reps` runs of its workload in one process
// (warmed-up code), `full` with one plain run (full capture of `reps` runs would take minutes).
// Variants alternate within each round (rotating their order); the table gives each variant's
// median time ÷ the matching plain median, the events one full-capture run records, and whether
// every build's output was identical (it must be).
//   node bench/libraries/run.mjs [--rounds 3] [--only lodash,yaml] [--json]
import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { LIBRARIES } from './libraries.mjs';
import { FRONT_ENDS, prepare, repoRoot } from './prepare.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const rounds = Number(opt('--rounds', 3));
const only = opt('--only', null)?.split(',');
const asJson = args.includes('--json');
const here = fileURLToPath(new URL('.', import.meta.url));
const run = promisify(execFile);

// `reps`: 'many' runs the library's `reps` workload runs, 'one' a single run
const VARIANTS = [
  { build: 'plain', mode: 'plain', reps: 'many' },
  ...FRONT_ENDS.map((build) => ({ build, mode: 'disabled', reps: 'many' })),
  { build: 'plain', mode: 'plain', reps: 'one' },
  ...FRONT_ENDS.map((build) => ({ build, mode: 'full', reps: 'one' })),
];
const MEASURED = VARIANTS.filter((v) => v.mode !== 'plain');

async function startServer() {
  const child = spawn(process.execPath, [join(repoRoot, 'dist', 'server', 'cli.js'), 'serve', '--memory', '--host', '127.0.0.1', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((ok, fail) => {
    let buf = '';
    child.stdout.setEncoding('utf8').on('data', (d) => { buf += d; const m = /listening on (http:\/\/\S+)/.exec(buf); if (m) ok(m[1]); });
    child.once('exit', (code) => fail(new Error(`raceway serve exited with ${code}`)));
  });
  return { url, stop: () => new Promise((r) => { child.once('exit', r); child.kill('SIGTERM'); }) };
}

async function measure(lib, { build, mode, reps }) {
  const env = { ...process.env, RACEWAY_ENABLED: mode === 'disabled' ? 'false' : 'true' };
  const server = mode === 'full' ? await startServer() : null;
  if (server) env.RACEWAY_ENDPOINT = server.url;
  try {
    const { stdout } = await run(process.execPath, [join(here, 'child.mjs'), build, lib.name, mode, String(reps === 'many' ? lib.reps : 1)], { env, maxBuffer: 1 << 20, timeout: 600_000 });
    return JSON.parse(stdout.trim().split('\n').pop());
  } finally {
    await server?.stop();
  }
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const geomean = (xs) => Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);
const key = (v) => `${v.build}/${v.mode}/${v.reps}`;
const label = (v) => `${v.build}/${v.mode}`;
const plainOf = (v) => `plain/plain/${v.reps}`;

prepare({ log: (m) => process.stderr.write(`${m}\n`) });
const results = [];
for (const lib of LIBRARIES.filter((l) => !only || only.includes(l.name))) {
  const times = new Map(VARIANTS.map((v) => [key(v), []]));
  const outputs = new Set();
  let events = {};
  for (let r = 0; r < rounds; r++) {
    const order = VARIANTS.map((_, i) => VARIANTS[(i + r) % VARIANTS.length]);
    for (const v of order) {
      const m = await measure(lib, v);
      times.get(key(v)).push(m.ms);
      outputs.add(m.output);
      if (v.mode === 'full') events[v.build] = m.stats;
      process.stderr.write(`${lib.name} round ${r + 1}: ${key(v)} ${m.ms.toFixed(1)} ms\n`);
    }
  }
  const ratio = (v) => median(times.get(key(v))) / median(times.get(plainOf(v)));
  results.push({
    library: lib.name,
    reps: lib.reps,
    plain_ms: { many: Math.round(median(times.get('plain/plain/many')) * 10) / 10, one: Math.round(median(times.get('plain/plain/one')) * 10) / 10 },
    identical_output: outputs.size === 1,
    ratios: Object.fromEntries(MEASURED.map((v) => [label(v), Math.round(ratio(v) * 100) / 100])),
    events: Object.fromEntries(Object.entries(events).map(([b, s]) => [b, { captured: s.captured, sent: s.sent, dropped: s.dropped }])),
  });
}

const summary = Object.fromEntries(MEASURED.map((v) => {
  const rs = results.map((x) => x.ratios[label(v)]);
  return [label(v), { geomean: Math.round(geomean(rs) * 100) / 100, max: Math.max(...rs) }];
}));

const line = (cells) => `| ${cells.join(' | ')} |`;
console.log(line(['library', 'plain: runs, ms / one run, ms', ...MEASURED.map((v) => `${v.build} ${v.mode} ÷ plain`), 'events (one full run)', 'same output']));
console.log(line(Array(4 + MEASURED.length).fill('---')));
for (const x of results) {
  console.log(line([x.library, `${x.reps}, ${x.plain_ms.many} / ${x.plain_ms.one}`, ...Object.values(x.ratios).map((n) => `${n}×`), Object.values(x.events).map((e) => e.captured.toLocaleString('en') + (e.dropped ? ` (${e.dropped} dropped)` : '')).join(' / '), x.identical_output ? 'yes' : '**no**']));
}
console.log(line(['geometric mean', '', ...Object.values(summary).map((s) => `${s.geomean}×`), '', '']));
if (asJson) console.log(JSON.stringify({ rounds, results, summary }));
if (results.some((x) => !x.identical_output)) process.exitCode = 1;
