// Server memory with large values: a `raceway serve` child process (SQLite file) gets N events
// (default 15) each writing a value of M megabytes (default 7) to one variable from concurrent
// tasks, so every pair races. Prints the server's RSS before and after ingest, after the race
// analysis, the size of the /api/races answer, and the same after a restart (index rebuilt from
// the store). Usage: node bench/server/large-values.mjs [N=15] [MB=7] [CLI=dist/server/cli.js]
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rssMb, startServe, stopServe, thisCli } from './serve-child.mjs';

const count = Number(process.argv[2] ?? 15);
const mb = Number(process.argv[3] ?? 7);
const cli = process.argv[4] ?? thisCli;
const dir = mkdtempSync(join(tmpdir(), 'raceway-bench-values-'));
const db = join(dir, 'raceway.db');

const start = () => startServe(['--port', '0', '--db', db, '--max-body', String((mb + 2) * 1024 * 1024)], { cli });
const stop = stopServe;
const settle = () => new Promise((r) => setTimeout(r, 500));

function fmt(us) {
  const ms = Math.floor(us / 1000);
  return new Date(ms).toISOString().slice(0, 23) + String(us - ms * 1000).padStart(3, '0') + 'Z';
}

// One request whose tasks (spawned by it, so concurrent) each read and then write the variable.
const trace = randomUUID();
const root = randomUUID();
let t = Date.UTC(2026, 0, 1) * 1000;
const event = (task, clock, kind) => ({
  id: randomUUID(), trace_id: trace, parent_id: null, timestamp: fmt((t += 10)), kind, causality_vector: clock, lock_set: [],
  metadata: { thread_id: task, process_id: 7, service_name: 'bench', environment: 'bench', tags: {}, duration_ns: null },
});
const tasks = Array.from({ length: count }, () => randomUUID());
const blob = 'v'.repeat(mb * 1024 * 1024 - 16);
const bodies = [];
bodies.push([event(root, [[root, 1]], { HttpRequest: { method: 'POST', url: '/upload', headers: {}, body: null } })]);
tasks.forEach((task, i) => bodies.push([event(task, [[root, 1], [task, 1]], { StateChange: { variable: 'cache.document', old_value: null, new_value: null, location: 'src/cache.ts:3', access_type: 'Read' } }),
  event(task, [[root, 1], [task, 2]], { AsyncAwait: { future_id: randomUUID(), awaited_at: 'src/cache.ts:4' } })]));
tasks.forEach((task, i) => bodies.push([event(task, [[root, 1], [task, 3]], { StateChange: { variable: 'cache.document', old_value: null, new_value: `${i}:${blob}`, location: 'src/cache.ts:5', access_type: 'Write' } })]));

let running = null;
try {
  const out = { events: bodies.reduce((n, b) => n + b.length, 0), value_mb: mb, values: count };
  let { child, base } = await start();
  running = child;
  await settle();
  out.rss_start_mb = rssMb(child.pid);
  for (const events of bodies) {
    const r = await fetch(`${base}/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ events }) });
    if (r.status !== 200) throw new Error(`ingest answered ${r.status}: ${(await r.text()).slice(0, 200)}`);
  }
  await settle();
  out.rss_after_ingest_mb = rssMb(child.pid);
  let races = await (await fetch(`${base}/api/races?limit=10000`)).text();
  out.races = JSON.parse(races).data.total_races;
  out.races_answer_kb = Math.round(races.length / 1024);
  await settle();
  out.rss_after_races_mb = rssMb(child.pid);
  await stop(child);
  ({ child, base } = await start());
  running = child;
  await settle();
  out.rss_after_restart_mb = rssMb(child.pid);
  races = await (await fetch(`${base}/api/races?limit=10000`)).text();
  out.races_after_restart = JSON.parse(races).data.total_races;
  out.races_answer_after_restart_kb = Math.round(races.length / 1024);
  await settle();
  out.rss_after_restart_and_races_mb = rssMb(child.pid);
  await stop(child);
  running = null;
  console.log(JSON.stringify(out, null, 1));
} finally {
  if (running) await stop(running);
  rmSync(dir, { recursive: true, force: true });
}
