// Analysis time for N state changes (default 1 000 000) stored in a SQLite file: cold run, then
// the cached answer. Usage: node bench/server/analyze.mjs [stateChanges]
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../../dist/server/store.js';
import { Engine } from '../../dist/server/engine.js';
import { workload } from './workload.mjs';

const n = Number(process.argv[2] ?? 1_000_000);
const dir = mkdtempSync(join(tmpdir(), 'raceway-bench-'));
try {
  const store = new Store(join(dir, 'raceway.db'));
  let events = 0;
  const t0 = performance.now();
  for (const batch of workload({ stateChanges: n, batch: 5000, accounts: 5000 })) {
    store.ingest(batch);
    events += batch.length;
  }
  const loadS = (performance.now() - t0) / 1000;
  const engine = new Engine(store);
  const t1 = performance.now();
  const result = engine.analyze();
  const cold = (performance.now() - t1) / 1000;
  const t2 = performance.now();
  engine.analyze();
  const cached = performance.now() - t2;
  const mb = statSync(join(dir, 'raceway.db')).size / 1e6;
  console.log(JSON.stringify({
    state_changes: result.accesses, events, races: result.reports.length,
    analysis_seconds: +cold.toFixed(2), cached_ms: +cached.toFixed(2), load_seconds: +loadS.toFixed(1), db_mb: +mb.toFixed(0),
    rss_mb: Math.round(process.memoryUsage().rss / 1e6),
  }));
  store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
