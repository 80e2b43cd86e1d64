// Sustained ingest over HTTP: a `raceway serve` child process with a SQLite file, fed pre-built
// batches over keep-alive connections. Reports events/s and then asks for the analysis (so the
// figure is "with analysis available": the index is maintained during ingest).
// Usage: node bench/server/ingest.mjs [events=300000] [batch=1000] [connections=4] [ingestWorkers=default]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { workload } from './workload.mjs';

const total = Number(process.argv[2] ?? 300_000);
const batchSize = Number(process.argv[3] ?? 1000);
const connections = Number(process.argv[4] ?? 4);
const workers = process.argv[5];
const cli = fileURLToPath(new URL('../../dist/server/cli.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'raceway-ingest-'));

// About 40% of the runtime's events are StateChanges; build whole batches up front.
const bodies = [];
let events = 0;
for (const b of workload({ stateChanges: Math.round(total * 0.4), batch: batchSize, accounts: 5000 })) {
  // Pre-encoded Buffers: the figure is the server's; encoding the body is the sender's cost.
  bodies.push(Buffer.from(JSON.stringify({ events: b })));
  events += b.length;
}
const bytes = bodies.reduce((n, b) => n + b.length, 0);

// BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the server (every thread).
const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
const server = spawn(process.execPath, [...nodeArgs, cli, 'serve', '--port', '0', '--db', join(dir, 'raceway.db'), ...(workers === undefined ? [] : ['--ingest-workers', workers])], { stdio: ['ignore', 'pipe', 'inherit'] });
const base = await new Promise((resolve, reject) => {
  let out = '';
  server.stdout.on('data', (d) => {
    out += d;
    const m = /listening on (http:\/\/\S+)/.exec(out);
    if (m) resolve(m[1]);
  });
  server.on('close', (code) => reject(new Error(`server exited ${code}`)));
});

// CPU seconds (user + system, all threads) of a process, from /proc (Linux); null elsewhere.
const cpuOf = (pid) => {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const [utime, stime] = f.slice(f.lastIndexOf(')') + 2).split(' ').slice(11, 13).map(Number);
    return (utime + stime) / 100;
  } catch {
    return null;
  }
};
const clientCpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };

try {
  const pool = new Pool(base, { connections, pipelining: 1 });
  let next = 0;
  let failed = 0;
  const s0 = cpuOf(server.pid);
  const c0 = clientCpu();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: connections }, async () => {
    while (next < bodies.length) {
      const body = bodies[next++];
      const res = await pool.request({ path: '/events', method: 'POST', body, headers: { 'content-type': 'application/json' } });
      await res.body.text();
      if (res.statusCode !== 200) failed++;
    }
  }));
  const seconds = (performance.now() - t0) / 1000;
  const s1 = cpuOf(server.pid);
  const c1 = clientCpu();
  const t1 = performance.now();
  const res = await pool.request({ path: '/api/races', method: 'GET' });
  const races = (await res.body.json()).data;
  const analysisS = (performance.now() - t1) / 1000;
  const st = await (await pool.request({ path: '/status', method: 'GET' })).body.json();
  await pool.close();
  console.log(JSON.stringify({
    events, batch: batchSize, connections, ingest_workers: workers ?? 'default', failed_requests: failed, stored: st.data.events_captured,
    seconds: +seconds.toFixed(2), events_per_s: Math.round(events / seconds), mb_per_s: +(bytes / 1e6 / seconds).toFixed(1),
    server_cpu_us_per_event: s0 === null || s1 === null ? null : +(((s1 - s0) * 1e6) / events).toFixed(1),
    client_cpu_us_per_event: +(((c1 - c0) * 1e6) / events).toFixed(1),
    load_avg: +(await import('node:os')).loadavg()[0].toFixed(2),
    races: races.total_races, first_analysis_s: +analysisS.toFixed(2),
  }));
} finally {
  server.kill('SIGTERM');
  await new Promise((r) => server.on('close', r));
  rmSync(dir, { recursive: true, force: true });
}
