// Main-thread cost per event when an ingest worker has prepared the batches: only the duplicate
// check, the SQLite write and the index update. Usage: node bench/server/commit-cpu.mjs [events=300000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseBody, prepareBatch } from '../../dist/server/ingest-core.js';
import { Store } from '../../dist/server/store.js';
import { workload } from './workload.mjs';

const total = Number(process.argv[2] ?? 300_000);
const prepared = [];
for (const b of workload({ stateChanges: Math.round(total * 0.4), batch: 1000, accounts: 5000 })) {
  const body = Buffer.from(JSON.stringify({ events: b }));
  // What the worker sends back arrives as a structured clone: copy it the same way.
  const { valid, ts } = parseBody(body);
  prepared.push(structuredClone(prepareBatch(valid, body, ts)));
}
const dir = mkdtempSync(join(tmpdir(), 'raceway-commit-'));
try {
  const store = new Store(join(dir, 'raceway.db'));
  let n = 0;
  const c = process.cpuUsage();
  const t = performance.now();
  for (const p of prepared) n += store.commitPrepared(p).inserted;
  const s = (performance.now() - t) / 1000;
  // CPU time of the process (this thread and V8's GC helpers): the figure that a busy machine does not inflate.
  const cu = process.cpuUsage(c);
  console.log(JSON.stringify({ events: n, seconds: +s.toFixed(2), events_per_s: Math.round(n / s), us_per_event: +((s * 1e6) / n).toFixed(1), cpu_us_per_event: +((cu.user + cu.system) / n).toFixed(1) }));
  store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
