// Sustained ingest over HTTP: a `raceway serve` child process with a SQLite file, fed pre-built
// batches over keep-alive connections. Reports events/s and then asks for the analysis (so the
// figure is "with analysis available": the index is maintained during ingest).
// Usage: node bench/server/ingest.mjs [events=300000] [batch=1000] [connections=4] [ingestWorkers=default]
import { startServe } from './serve-child.mjs';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
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
const counts = [];
let events = 0;
for (const b of workload({ stateChanges: Math.round(total * 0.4), batch: batchSize, accounts: 5000 })) {
  // Pre-encoded Buffers: the figure is the server's; encoding the body is the sender's cost.
  bodies.push(Buffer.from(JSON.stringify({ events: b })));
  counts.push(b.length);
  events += b.length;
}

// The load generator: keep-alive HTTP/1.1 connections, one request in flight on each (as the
// runtime's shipper does), each request (head and body) built up front and written in one call,
// and only the status and content-length of the answer parsed. undici costs the client about
// 3 µs per event here, CPU the server would otherwise get (the client shares the machine).
const requests = bodies.map((b) => Buffer.concat([Buffer.from(
  `POST /events HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${b.length}\r\nconnection: keep-alive\r\n\r\n`), b]));
function connect(baseUrl) {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: hostname, port: Number(port) }, () => {
      socket.off('error', reject);
      let buf = Buffer.alloc(0);
      let waiting = null;
      socket.on('data', (d) => {
        buf = buf.length ? Buffer.concat([buf, d]) : d;
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0 || !waiting) return;
        const head = buf.subarray(0, end).toString('latin1');
        const length = Number(/content-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        if (buf.length < end + 4 + length) return;
        buf = buf.subarray(end + 4 + length);
        const w = waiting;
        waiting = null;
        w.resolve(Number(head.slice(9, 12)));
      });
      socket.on('error', (err) => waiting?.reject(err));
      socket.on('close', () => waiting?.reject(new Error('connection closed')));
      resolve({
        post: (request) => new Promise((res, rej) => {
          waiting = { resolve: res, reject: rej };
          socket.write(request);
        }),
        close: () => socket.end(),
      });
    });
    socket.once('error', reject);
  });
}

// BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the server (every thread).
const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
const { child: server, base } = await startServe(['--port', '0', '--db', join(dir, 'raceway.db'), ...(workers === undefined ? [] : ['--ingest-workers', workers])], { cli, nodeArgs });

// CPU seconds (user + system) of each thread of a process ('main' and thread ids), from /proc (Linux); null elsewhere.
const threadsCpu = (pid) => {
  try {
    const out = {};
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const f = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'latin1');
      const name = tid === String(pid) ? 'main' : tid;
      const [utime, stime] = f.slice(f.lastIndexOf(')') + 2).split(' ').slice(11, 13).map(Number);
      out[name] = (out[name] ?? 0) + (utime + stime) / 100;
    }
    return out;
  } catch {
    return null;
  }
};
const cpuOf = (pid) => {
  const t = threadsCpu(pid);
  return t && Object.values(t).reduce((a, b) => a + b, 0);
};
const clientCpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };

try {
  const pool = new Pool(base, { connections, pipelining: 1 });
  // Warm-up, not measured: the first tenth of the requests (at least 50, at most half), so the
  // JIT's compilations and the first heap growth are not charged to the events. Short runs of small
  // batches were otherwise dominated by them (about 1 s of compiler threads' CPU).
  let next = 0;
  let failed = 0;
  const warm = Math.min(Math.max(50, Math.ceil(bodies.length / 10)), Math.floor(bodies.length / 2));
  await Promise.all(Array.from({ length: connections }, async () => {
    const conn = await connect(base);
    try {
      while (next < warm) if ((await conn.post(requests[next++])) !== 200) failed++;
    } finally {
      conn.close();
    }
  }));
  let warmEvents = 0;
  for (let i = 0; i < next; i++) warmEvents += counts[i];
  events -= warmEvents;
  const measuredBytes = bodies.slice(next).reduce((n, b) => n + b.length, 0);
  const s0 = cpuOf(server.pid);
  const th0 = threadsCpu(server.pid);
  const c0 = clientCpu();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: connections }, async () => {
    const conn = await connect(base);
    try {
      while (next < bodies.length) if ((await conn.post(requests[next++])) !== 200) failed++;
    } finally {
      conn.close();
    }
  }));
  const seconds = (performance.now() - t0) / 1000;
  const s1 = cpuOf(server.pid);
  const th1 = threadsCpu(server.pid);
  // Per-thread µs per event: the main thread is the serial part; worker threads run beside it.
  // The busiest other thread is taken to be the ingest worker; the rest are V8's GC helpers and libuv.
  let perThread = null;
  if (th0 && th1) {
    const us = (k) => ((th1[k] - (th0[k] ?? 0)) * 1e6) / events;
    const others = Object.keys(th1).filter((k) => k !== 'main').map(us).sort((a, b) => b - a);
    const r = (x) => +x.toFixed(1);
    perThread = { main: r(us('main')), busiest_other: r(others[0] ?? 0), rest: r(others.slice(1).reduce((a, b) => a + b, 0)) };
  }
  const c1 = clientCpu();
  const t1 = performance.now();
  const res = await pool.request({ path: '/api/races', method: 'GET' });
  const races = (await res.body.json()).data;
  const analysisS = (performance.now() - t1) / 1000;
  const st = await (await pool.request({ path: '/status', method: 'GET' })).body.json();
  await pool.close();
  console.log(JSON.stringify({
    events, warm_up_events: warmEvents, batch: batchSize, connections, ingest_workers: workers ?? 'default', failed_requests: failed, stored: st.data.events_captured,
    seconds: +seconds.toFixed(2), events_per_s: Math.round(events / seconds), mb_per_s: +(measuredBytes / 1e6 / seconds).toFixed(1),
    server_cpu_us_per_event: s0 === null || s1 === null ? null : +(((s1 - s0) * 1e6) / events).toFixed(1),
    server_threads_us_per_event: perThread,
    client_cpu_us_per_event: +(((c1 - c0) * 1e6) / events).toFixed(1),
    load_avg: +(await import('node:os')).loadavg()[0].toFixed(2),
    races: races.total_races, first_analysis_s: +analysisS.toFixed(2),
  }));
} finally {
  server.kill('SIGTERM');
  await new Promise((r) => server.on('close', r));
  rmSync(dir, { recursive: true, force: true });
}
