// bench/demo/memory: the instrumented demo under load for 60 s (default), with the Raceway server
// stopped half-way. Reports peak resident memory, the events dropped (counted by the runtime) and
// that the demo kept serving. Full capture (no event budget, `RACEWAY_MAX_EVENTS_PER_SECOND=unlimited`): the
// worst case for memory.
//   node bench/demo/memory.mjs [--duration 60] [--connections 10]
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import autocannon from 'autocannon';
import { freePort, root, startProcess as start, stopProcess as stop } from './common.mjs';

const require = createRequire(import.meta.url);
const arg = (name, def) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? Number(process.argv[i + 1]) : def; };
const DURATION = arg('duration', 60);
const CONNECTIONS = arg('connections', 10);

const rssMb = (pid) => Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)[1]) / 1024;

execFileSync(process.execPath, [require.resolve('ts-patch/bin/tspc'), '-p', 'examples/koa-banking'], { cwd: root, stdio: 'inherit' });
const racewayPort = await freePort();
const demoPort = await freePort();
const endpoint = `http://127.0.0.1:${racewayPort}`;
const server = await start(['dist/server/cli.js', 'serve', '--memory', '--port', String(racewayPort)], {});
const demo = await start(['examples/koa-banking/dist/server.js'], { PORT: String(demoPort), RACEWAY_ENDPOINT: endpoint, RACEWAY_MAX_EVENTS_PER_SECOND: 'unlimited' });
const base = `http://127.0.0.1:${demoPort}`;

let peak = 0;
const samples = [];
const sampler = setInterval(() => { const m = rssMb(demo.pid); peak = Math.max(peak, m); samples.push(Math.round(m)); }, 1000);
let serverStoppedAt = null;
const halfway = setTimeout(async () => { serverStoppedAt = Date.now(); await stop(server); }, (DURATION * 1000) / 2);

const result = await autocannon({
  url: base,
  connections: CONNECTIONS,
  duration: DURATION,
  requests: [{ method: 'GET', path: '/balances' }, { method: 'POST', path: '/deposit', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ account: 'bob', amount: 1 }) }],
});
clearInterval(sampler);
clearTimeout(halfway);
const status = await (await fetch(`${base}/raceway/status`)).json();
const stillServing = (await fetch(`${base}/balances`)).ok;
await stop(demo);
await stop(server);
console.log(JSON.stringify({
  benchmark: 'demo-memory',
  duration_s: DURATION,
  server_stopped_after_s: serverStoppedAt ? DURATION / 2 : null,
  requests: result.requests.total,
  errors: result.errors + result.non2xx,
  peak_rss_mb: Math.round(peak),
  rss_first_last_mb: [samples[0], samples.at(-1)],
  // The trajectory shows whether memory levels off (bounded) or keeps climbing.
  rss_every_10s_mb: samples.filter((_, i) => i % 10 === 9),
  events: status.stats,
  still_serving: stillServing,
}));
