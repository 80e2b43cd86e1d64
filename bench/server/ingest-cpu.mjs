// Server CPU per event without the network: the inline ingest handler's steps (decode, parse,
// validate every event, chunk, compress, store + index) over pre-built 1000-event bodies, into a
// SQLite file, on one thread (what `--ingest-workers 0` does per request).
// Usage: node bench/server/ingest-cpu.mjs [events=300000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseBody } from '../../dist/server/ingest-core.js';
import { Store } from '../../dist/server/store.js';
import { workload } from './workload.mjs';

const total = Number(process.argv[2] ?? 300_000);
const bodies = [];
for (const b of workload({ stateChanges: Math.round(total * 0.4), batch: 1000, accounts: 5000 })) bodies.push(Buffer.from(JSON.stringify({ events: b })));
const dir = mkdtempSync(join(tmpdir(), 'raceway-cpu-'));
try {
  const store = new Store(join(dir, 'raceway.db'));
  let n = 0;
  const c = process.cpuUsage();
  const t = performance.now();
  for (const body of bodies) {
    const { valid, ts, rejectedCount } = parseBody(body);
    if (rejectedCount) throw new Error('invalid');
    n += store.ingest(valid, body, ts).inserted;
  }
  const s = (performance.now() - t) / 1000;
  // CPU time of the process (this thread and V8's GC helpers): the figure that a busy machine does not inflate.
  const cu = process.cpuUsage(c);
  console.log(JSON.stringify({ events: n, seconds: +s.toFixed(2), events_per_s: Math.round(n / s), us_per_event: +((s * 1e6) / n).toFixed(1), cpu_us_per_event: +((cu.user + cu.system) / n).toFixed(1) }));
  store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
