// bench/capture: main-thread cost per captured StateChange, amortised over capture, encoding and
// shipping to a loopback server. The figure is the app thread's own CPU time (Linux per-thread
// counters in /proc, so neither the shipping thread's work nor other processes on a busy machine
// count) divided by events; elsewhere event-loop active time stands in for it.
import { fork } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { setImmediate as tick } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { RacewayClient } from 'raceway';

/** CPU milliseconds used by this process's main thread, or null where /proc is not available. */
function mainThreadCpuMs() {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in USER_HZ (100/s)
  } catch {
    return null;
  }
}

const EVENTS = Number(process.env.EVENTS ?? 300_000);
const RUNS = Number(process.env.RUNS ?? 5);
const CHUNK = 1000;

const sink = fork(fileURLToPath(new URL('./sink-server.mjs', import.meta.url)), { stdio: 'inherit' });
const port = await new Promise((r) => sink.once('message', (m) => r(m.port)));
const endpoint = `http://127.0.0.1:${port}`;

async function once() {
  const client = new RacewayClient({ endpoint, handleExit: false, maxQueueSize: 1_000_000 });
  const accounts = { alice: { balance: 1000 } };
  const elu0 = performance.eventLoopUtilization();
  const cpu0 = mainThreadCpuMs();
  const t0 = performance.now();
  for (let i = 0; i < EVENTS; i += CHUNK) {
    for (let j = 0; j < CHUNK; j++) {
      client.captureStateChange('accounts.alice.balance', accounts.alice.balance, accounts.alice.balance - 1, 'src/bank.ts:42', 'Write');
      accounts.alice.balance--;
    }
    await tick(); // an app yields to the event loop now and then; the transport runs there
    // Produce no faster than the shipping thread delivers (waiting for it costs the app thread nothing).
    if (client.stats().queued > 8000) await client.flush();
  }
  await client.flush();
  const elu = performance.eventLoopUtilization(elu0);
  const cpu1 = mainThreadCpuMs();
  const wall = performance.now() - t0;
  const s = client.stats();
  await client.shutdown();
  if (s.sent !== EVENTS) throw new Error(`only ${s.sent}/${EVENTS} delivered (dropped ${s.dropped})`);
  const activeMs = cpu0 !== null && cpu1 !== null ? cpu1 - cpu0 : elu.active;
  return { nsPerEvent: (activeMs * 1e6) / EVENTS, wallNsPerEvent: (wall * 1e6) / EVENTS };
}

const results = [];
for (let r = 0; r < RUNS; r++) results.push(await once());
sink.kill();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ns = median(results.map((r) => r.nsPerEvent));
const out = { benchmark: 'capture', events: EVENTS, runs: RUNS, ns_per_event: Math.round(ns), wall_ns_per_event: Math.round(median(results.map((r) => r.wallNsPerEvent))), budget_ns: 500, within_budget: ns <= 500 };
console.log(JSON.stringify(out));
