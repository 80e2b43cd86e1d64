// bench/capture/end-to-end.mjs: what one captured StateChange costs from capture to delivery, on
// every thread: the app thread (capture and hand-off), the shipping thread (encoding, sending) and
// both together, plus the wall time from the first capture to the last event acknowledged by a
// loopback sink in its own process (sink-server.mjs). Two value shapes:
//   small    numbers, one variable name (the cheapest event)
//   object   a fresh small object per event (`{ id, owner, balance, tags: [2] }`) and 1,000 variable names
// Each run is a fresh client; runs alternate the shapes; medians reported.
//   node bench/capture/end-to-end.mjs [--events 200000] [--runs 5]
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setImmediate as tick } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { RacewayClient } from 'raceway';

const arg = (name, dflt) => { const i = process.argv.indexOf(name); return i >= 0 ? Number(process.argv[i + 1]) : dflt; };
const EVENTS = arg('--events', 200_000);
const RUNS = arg('--runs', 5);
const CHUNK = 1000;

/** CPU milliseconds of this process's main thread (Linux /proc), or null elsewhere. */
function mainThreadCpuMs() {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime in USER_HZ (100/s)
  } catch {
    return null;
  }
}

/** CPU milliseconds of the whole process (every thread). */
function processCpuMs() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

const sink = fork(fileURLToPath(new URL('./sink-server.mjs', import.meta.url)), { stdio: 'inherit' });
const port = await new Promise((r) => sink.once('message', (m) => r(m.port)));
const endpoint = `http://127.0.0.1:${port}`;

const names = Array.from({ length: 1000 }, (_, i) => `accounts.user${i}.state`);
const SHAPES = {
  small: (c, i) => c.captureStateChange('counter', i, i + 1, 'src/count.ts:7', 'Write'),
  object: (c, i) => c.captureStateChange(names[i % 1000], { id: i, owner: 'alice', balance: i * 3, tags: ['a', 'b'] },
    { id: i, owner: 'alice', balance: i * 3 - 1, tags: ['a', 'b'] }, 'src/bank.ts:42', 'Write'),
};

async function once(capture) {
  const client = new RacewayClient({ endpoint, handleExit: false, maxQueueSize: 1_000_000, maxEventsPerSecond: Infinity });
  await client.flush(); // the shipping thread is up before the clock starts
  const main0 = mainThreadCpuMs(), all0 = processCpuMs(), t0 = performance.now();
  for (let i = 0; i < EVENTS; i += CHUNK) {
    for (let j = i; j < i + CHUNK; j++) capture(client, j);
    await tick(); // an app yields to the event loop now and then
  }
  await client.flush(120_000);
  const wall = performance.now() - t0, main1 = mainThreadCpuMs(), all1 = processCpuMs();
  const s = client.stats();
  await client.shutdown();
  if (s.sent !== EVENTS) throw new Error(`only ${s.sent}/${EVENTS} delivered (dropped ${s.dropped})`);
  const ns = (ms) => (ms * 1e6) / EVENTS;
  return { app: main0 === null ? NaN : ns(main1 - main0), all: ns(all1 - all0), wall: ns(wall) };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const runs = Object.fromEntries(Object.keys(SHAPES).map((k) => [k, []]));
for (let r = 0; r < RUNS; r++) for (const [k, capture] of Object.entries(SHAPES)) runs[k].push(await once(capture));
sink.kill();
const out = { benchmark: 'capture end to end', events: EVENTS, runs: RUNS };
for (const [k, rs] of Object.entries(runs)) {
  const app = median(rs.map((r) => r.app)), all = median(rs.map((r) => r.all));
  out[k] = { app_ns_per_event: Math.round(app), shipping_ns_per_event: Math.round(all - app), all_threads_ns_per_event: Math.round(all), wall_ns_per_event: Math.round(median(rs.map((r) => r.wall))) };
}
console.log(JSON.stringify(out));
