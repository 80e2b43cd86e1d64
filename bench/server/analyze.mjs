// Analysis cost for N state changes (default 1 000 000): ingest them into a SQLite file, restart
// (rebuild the index from the stored chunks), run the full analysis cold, ask again (cached), then
// add one more request and analyse incrementally. Usage: node bench/server/analyze.mjs [N]
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../../dist/server/store.js';
import { workload } from './workload.mjs';

const n = Number(process.argv[2] ?? 1_000_000);
const dir = mkdtempSync(join(tmpdir(), 'raceway-bench-'));
const db = join(dir, 'raceway.db');
const secs = (t) => +((performance.now() - t) / 1000).toFixed(2);
// CPU seconds of this process (all threads) since `c`: what the analysis costs whatever the machine's load.
const cpuSecs = (c) => { const d = process.cpuUsage(c); return +((d.user + d.system) / 1e6).toFixed(2); };
try {
  let store = new Store(db);
  let events = 0;
  let ingestMs = 0;
  for (const batch of workload({ stateChanges: n, batch: 5000, accounts: 20000 })) {
    const t = performance.now();
    store.ingest(batch);
    ingestMs += performance.now() - t;
    events += batch.length;
  }
  store.close();
  let t = performance.now();
  store = new Store(db);
  const restart = secs(t);
  t = performance.now();
  const cpu = process.cpuUsage();
  const reports = store.analyze();
  const cold = secs(t);
  const coldCpu = cpuSecs(cpu);
  t = performance.now();
  store.analyze();
  const cached = +(performance.now() - t).toFixed(2);
  const [extra] = workload({ stateChanges: 8, batch: 1000, accounts: 1, racingShare: 1 });
  store.ingest(extra);
  t = performance.now();
  const after = store.analyze();
  const incremental = +(performance.now() - t).toFixed(2);
  console.log(JSON.stringify({
    state_changes: store.index.accessCount, events, races: reports.length, races_after_increment: after.length,
    ingest_in_process_events_per_s: Math.round(events / (ingestMs / 1000)),
    restart_rebuild_s: restart, analysis_cold_s: cold, analysis_cold_cpu_s: coldCpu, analysis_cached_ms: cached, analysis_incremental_ms: incremental,
    db_mb: Math.round(statSync(db).size / 1e6), rss_mb: Math.round(process.memoryUsage().rss / 1e6), heap_mb: Math.round(process.memoryUsage().heapUsed / 1e6),
  }));
  store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
