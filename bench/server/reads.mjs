// Large reads against a `raceway serve` child process (SQLite file): one trace of N events
// (default 200 000) among others, then the cold race analysis, every page of the trace and the
// global analysis, while a client asks for /health every 10 ms. Prints, per phase, its wall time
// and the worst and 99th-percentile /health latency, and the server's peak RSS.
// Target: /health never delayed by more than 100 ms.
// Usage: node bench/server/reads.mjs [traceEvents=200000] [pageLimit=1000] [CLI=dist/server/cli.js]
// (CLI: another build's cli.js, to compare; a server that does not page answers in one page.)
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rssMb as rssOf, startServe, stopServe, thisCli } from './serve-child.mjs';
import { workload } from './workload.mjs';

const traceEvents = Number(process.argv[2] ?? 200_000);
const pageLimit = Number(process.argv[3] ?? 1000);
const cli = process.argv[4] ?? thisCli;
const dir = mkdtempSync(join(tmpdir(), 'raceway-bench-reads-'));
const TRACE = '0190a8a0-0000-4000-8000-00000000bead';

const { child: server, base } = await startServe(['--port', '0', '--db', join(dir, 'raceway.db')], { cli });
const rssMb = () => rssOf(server.pid);
let peakRss = 0;
const rssTimer = setInterval(() => { peakRss = Math.max(peakRss, rssMb() ?? 0); }, 50);

const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
function request(method, path, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(base + path, { method, agent, headers: body ? { 'content-type': 'application/json', 'content-length': body.length } : {} }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Runs `work` while /health is asked every 10 ms; its latencies. */
async function withHealthProbe(work) {
  const latencies = [];
  let done = false;
  const probe = (async () => {
    while (!done) {
      const t = performance.now();
      await request('GET', '/health');
      latencies.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  const t = performance.now();
  const result = await work();
  const wall = performance.now() - t;
  done = true;
  await probe;
  latencies.sort((a, b) => a - b);
  return {
    result, wall_ms: Math.round(wall), health_probes: latencies.length,
    health_max_ms: Math.round(latencies.at(-1) ?? 0), health_p99_ms: Math.round(latencies[Math.floor(latencies.length * 0.99)] ?? 0),
  };
}

try {
  // One long-lived trace: the workload's requests all put into it, plus as many events in other traces.
  let sent = 0;
  let inTrace = 0;
  for (const batch of workload({ stateChanges: Math.ceil(traceEvents * 0.8), batch: 1000, accounts: 5000 })) {
    for (const e of batch) if (inTrace < traceEvents && Number.parseInt(e.trace_id.slice(0, 2), 16) < 128) {
      e.trace_id = TRACE;
      inTrace++;
    }
    const r = await request('POST', '/events', Buffer.from(JSON.stringify({ events: batch })));
    if (r.status !== 200) throw new Error(`ingest answered ${r.status}: ${r.body.toString().slice(0, 200)}`);
    sent += batch.length;
  }
  const out = { events: sent, trace_events: inTrace, page_limit: pageLimit, rss_after_ingest_mb: rssMb() };

  const races = await withHealthProbe(async () => {
    const r = await request('GET', '/api/races?limit=1000');
    const d = JSON.parse(r.body).data;
    return { total_races: d.total_races, answer_kb: Math.round(r.body.length / 1024) };
  });
  out.races = { ...races.result, ...races, result: undefined };

  const pages = await withHealthProbe(async () => {
    let offset = 0;
    let n = 0;
    let count = 0;
    let largest = 0;
    const firstPage = performance.now();
    let firstMs = 0;
    for (;;) {
      const r = await request('GET', `/api/traces/${TRACE}?limit=${pageLimit}&offset=${offset}`);
      if (r.status !== 200) throw new Error(`trace page answered ${r.status}: ${r.body.toString().slice(0, 200)}`);
      if (n === 0) firstMs = performance.now() - firstPage;
      largest = Math.max(largest, r.body.length);
      const d = JSON.parse(r.body).data;
      n++;
      count += d.events.length;
      if (d.next_offset === undefined || d.next_offset === null) break;
      offset = d.next_offset;
    }
    return { pages: n, events_read: count, first_page_ms: Math.round(firstMs), largest_page_kb: Math.round(largest / 1024) };
  });
  out.trace_pages = { ...pages.result, ...pages, result: undefined };

  const global = await withHealthProbe(async () => (await request('GET', '/api/analyze/global')).status);
  out.analyze_global = { ...global, result: undefined };
  clearInterval(rssTimer);
  out.peak_rss_mb = peakRss;
  console.log(JSON.stringify(out, null, 1));
} finally {
  clearInterval(rssTimer);
  agent.destroy();
  await stopServe(server);
  rmSync(dir, { recursive: true, force: true });
}
