// The PostgreSQL store beside the SQLite one: ingest rate over HTTP through one `raceway serve`
// and through two on one database (batches alternated between them), the analysis time on each,
// whether every acknowledged event is stored (counted by every instance once caught up) and how
// long the other instance takes to catch up; then retention: a long ingest with --max-events,
// /status sampled throughout (the highest count seen, and the server's RSS).
// PostgreSQL is a throwaway cluster (test/helpers/postgres.mjs): needs Debian's postgresql.
// Usage: node bench/server/postgres.mjs [events=200000] [batch=1000] [connections=4] [retentionEvents=300000] [maxEvents=50000]
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { rssMb, startServe, stopServe } from './serve-child.mjs';
import { workload } from './workload.mjs';
import { sqlOn, startPostgres } from '../../test/helpers/postgres.mjs';

const total = Number(process.argv[2] ?? 200_000);
const batchSize = Number(process.argv[3] ?? 1000);
const connections = Number(process.argv[4] ?? 4);
const retentionEvents = Number(process.argv[5] ?? 300_000);
const maxEvents = Number(process.argv[6] ?? 50_000);

const pg = await startPostgres();
if (!pg) {
  console.error('PostgreSQL is not installed (apt-get install postgresql)');
  process.exit(2);
}
const dir = mkdtempSync(join(tmpdir(), 'raceway-pgbench-'));

/** The database's size on disk in MB: the SQLite file and its WAL, or the PostgreSQL database. */
async function dbMb(db) {
  if (/^postgres/.test(db)) return Math.round(Number((await sqlOn(db, 'SELECT pg_database_size(current_database()) AS n'))[0].n) / 2 ** 20);
  let bytes = 0;
  for (const f of [db, `${db}-wal`]) if (existsSync(f)) bytes += statSync(f).size;
  return Math.round(bytes / 2 ** 20);
}

/** Pre-encoded batches of about `n` events (40% state changes, as the runtime sends). */
function bodiesOf(n) {
  const out = [];
  for (const b of workload({ stateChanges: Math.round(n * 0.4), batch: batchSize, accounts: 5000 })) out.push({ body: Buffer.from(JSON.stringify({ events: b })), count: b.length });
  return out;
}

async function status(base) {
  const r = await fetch(`${base}/status`);
  return (await r.json()).data;
}

/** Sends every batch (batch i to bases[i % n]) over `connections` keep-alive connections each; acknowledged events. */
async function send(bases, batches, onProgress) {
  const pools = bases.map((b) => new Pool(b, { connections, pipelining: 1 }));
  let next = 0;
  let acked = 0;
  let failed = 0;
  await Promise.all(bases.flatMap((_, k) => Array.from({ length: connections }, async () => {
    while (next < batches.length) {
      const i = next++;
      const pool = pools[i % pools.length];
      const r = await pool.request({ path: '/events', method: 'POST', headers: { 'content-type': 'application/json' }, body: batches[i].body });
      await r.body.dump();
      if (r.statusCode === 200) acked += batches[i].count;
      else failed++;
      onProgress?.();
    }
    void k;
  })));
  await Promise.all(pools.map((p) => p.close()));
  return { acked, failed };
}

async function ingestRun(name, db, instances) {
  const batches = bodiesOf(total);
  const events = batches.reduce((n, b) => n + b.count, 0);
  const servers = [];
  for (let i = 0; i < instances; i++) servers.push(await startServe(['--port', '0', '--db', db]));
  const bases = servers.map((s) => s.base);
  const t0 = performance.now();
  const { acked, failed } = await send(bases, batches);
  const seconds = (performance.now() - t0) / 1000;
  // Every instance counts every acknowledged event (the others' after catching up).
  const c0 = performance.now();
  for (;;) {
    const counts = await Promise.all(bases.map(async (b) => (await status(b)).events_captured));
    if (counts.every((c) => c === acked)) break;
    if (performance.now() - c0 > 60_000) throw new Error(`${name}: instances count ${counts.join(', ')}, acknowledged ${acked}`);
    await sleep(20);
  }
  const catchUpMs = performance.now() - c0;
  const analysis = [];
  for (const b of bases) {
    const a0 = performance.now();
    const r = await (await fetch(`${b}/api/races?limit=1`)).json();
    analysis.push({ ms: Math.round(performance.now() - a0), races: r.data.total_races });
  }
  const rss = servers.map((s) => rssMb(s.child.pid));
  for (const s of servers) await stopServe(s.child);
  const row = { run: name, events, acked, failed, seconds: +seconds.toFixed(2), eventsPerSecond: Math.round(acked / seconds), allCountedAfterMs: Math.round(catchUpMs), analysis, rssMb: rss, dbMb: await dbMb(db) };
  console.log(JSON.stringify(row));
  return row;
}

async function retentionRun(name, db) {
  const batches = bodiesOf(retentionEvents);
  const srv = await startServe(['--port', '0', '--db', db, '--max-events', String(maxEvents)]);
  let highest = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      highest = Math.max(highest, (await status(srv.base)).events_captured);
      await sleep(100);
    }
  })();
  const t0 = performance.now();
  const { acked } = await send([srv.base], batches);
  const seconds = (performance.now() - t0) / 1000;
  await sleep(500);
  sampling = false;
  await sampler;
  const s = await status(srv.base);
  const rss = rssMb(srv.child.pid);
  await stopServe(srv.child);
  const row = { run: name, sent: acked, maxEvents, highestSeen: highest, final: s.events_captured, dropped: s.retention.dropped_events, passes: s.retention.passes, eventsPerSecond: Math.round(acked / seconds), rssMb: rss, dbMb: await dbMb(db) };
  console.log(JSON.stringify(row));
  return row;
}

try {
  await ingestRun('sqlite, 1 instance', join(dir, 'a.db'), 1);
  await ingestRun('postgres, 1 instance', pg.createDatabase('bench1'), 1);
  await ingestRun('postgres, 2 instances', pg.createDatabase('bench2'), 2);
  if (retentionEvents > 0) {
    await retentionRun('sqlite, --max-events', join(dir, 'r.db'));
    await retentionRun('postgres, --max-events', pg.createDatabase('bench3'));
  }
} finally {
  pg.stopSync();
  rmSync(dir, { recursive: true, force: true });
}
