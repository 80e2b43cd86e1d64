// The same-epoch filter (runtime/epoch.ts) on library code: for each library and front end, one
// full-capture run with the filter on (the default) and one with RACEWAY_FILTER=off, each to a
// fresh `raceway serve --memory`, and one plain run, variants alternating in rotating order:
// events one run records, reads left out, full capture ÷ plain (medians), the races the server
// reports (must be the same both ways) and whether the outputs agree (they must).
//   node bench/libraries/filter.mjs [--rounds 3] [--only lodash,yaml] [--json]
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

const VARIANTS = [
  { build: 'plain', mode: 'plain', filter: 'on' },
  ...FRONT_ENDS.flatMap((build) => [{ build, mode: 'full', filter: 'on' }, { build, mode: 'full', filter: 'off' }]),
];
const key = (v) => `${v.build}/${v.mode}/${v.filter}`;

async function startServer() {
  const child = spawn(process.execPath, [join(repoRoot, 'dist', 'server', 'cli.js'), 'serve', '--memory', '--host', '127.0.0.1', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((ok, fail) => {
    let buf = '';
    child.stdout.setEncoding('utf8').on('data', (d) => { buf += d; const m = /listening on (http:\/\/\S+)/.exec(buf); if (m) ok(m[1]); });
    child.once('exit', (code) => fail(new Error(`raceway serve exited with ${code}`)));
  });
  return { url, stop: () => new Promise((r) => { child.once('exit', r); child.kill('SIGTERM'); }) };
}

async function measure(lib, { build, mode, filter }) {
  const env = { ...process.env, RACEWAY_ENABLED: mode === 'full' ? 'true' : 'false', RACEWAY_FILTER: filter };
  const server = mode === 'full' ? await startServer() : null;
  if (server) env.RACEWAY_ENDPOINT = server.url;
  try {
    const { stdout } = await run(process.execPath, [join(here, 'child.mjs'), build, lib.name, mode, '1'], { env, maxBuffer: 1 << 20, timeout: 900_000 });
    const m = JSON.parse(stdout.trim().split('\n').pop());
    const races = server ? (await (await fetch(`${server.url}/api/races?limit=10000`)).json()).data.races.map((r) => `${r.kind} ${r.variable}`).sort() : [];
    return { ms: m.ms, output: m.output, events: m.stats?.captured ?? 0, races };
  } finally {
    await server?.stop();
  }
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

prepare({ log: (m) => process.stderr.write(`${m}\n`) });
const results = [];
for (const lib of LIBRARIES.filter((l) => !only || only.includes(l.name))) {
  const runs = new Map(VARIANTS.map((v) => [key(v), []]));
  for (let r = 0; r < rounds; r++) {
    for (const v of VARIANTS.map((_, i) => VARIANTS[(i + r) % VARIANTS.length])) {
      const m = await measure(lib, v);
      runs.get(key(v)).push(m);
      process.stderr.write(`${lib.name} round ${r + 1}: ${key(v)} ${m.ms.toFixed(1)} ms, ${m.events} events, ${m.races.length} races\n`);
    }
  }
  const plain = median(runs.get('plain/plain/on').map((m) => m.ms));
  const outputs = new Set([...runs.values()].flat().map((m) => m.output));
  const row = { library: lib.name, plainMs: +plain.toFixed(1), sameOutput: outputs.size === 1 };
  for (const build of FRONT_ENDS) {
    const on = runs.get(`${build}/full/on`);
    const off = runs.get(`${build}/full/off`);
    const races = new Set([...on, ...off].map((m) => JSON.stringify(m.races)));
    row[build] = {
      events: { on: on[0].events, off: off[0].events },
      leftOut: +(100 * (1 - on[0].events / off[0].events)).toFixed(1),
      ratio: { on: +(median(on.map((m) => m.ms)) / plain).toFixed(0), off: +(median(off.map((m) => m.ms)) / plain).toFixed(0) },
      sameRaces: races.size === 1,
    };
  }
  results.push(row);
}

if (asJson) {
  console.log(JSON.stringify(results, null, 2));
} else {
  console.log('| library | front end | events, filter off → on | left out | full capture ÷ plain, off / on | same races, same output |');
  console.log('|---|---|---|---|---|---|');
  for (const r of results) {
    for (const build of FRONT_ENDS) {
      const x = r[build];
      console.log(`| ${r.library} | ${build} | ${x.events.off} → ${x.events.on} | ${x.leftOut} % | ${x.ratio.off}× / ${x.ratio.on}× | ${x.sameRaces && r.sameOutput ? 'yes' : 'NO'} |`);
    }
  }
}
if (results.some((r) => !r.sameOutput || FRONT_ENDS.some((b) => !r[b].sameRaces))) process.exitCode = 1;
