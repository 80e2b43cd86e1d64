// Synthetic banking traffic shaped like the runtime's output: each request is a trace with
// HttpRequest, a handler task (AsyncSpawn + FunctionCall), a read of a balance, an await, a write,
// and HttpResponse. Requests run in overlapping waves of `overlap`, so some transfers race.
import { randomUUID } from 'node:crypto';

function fmt(us) {
  const ms = Math.floor(us / 1000);
  return new Date(ms).toISOString().slice(0, 23) + String(us - ms * 1000).padStart(3, '0') + 'Z';
}

/**
 * Yields arrays of `batch` events until about `stateChanges` StateChange events were produced.
 * `accounts` bounds how many distinct variables there are; `overlap` is the number of requests
 * in flight together; `rmwPerRequest` is how many read/await/write rounds a handler does.
 */
export function* workload({ stateChanges = 100_000, batch = 1000, accounts = 1000, overlap = 4, rmwPerRequest = 2, service = 'bank-api' } = {}) {
  let t = Date.UTC(2026, 0, 1) * 1000;
  let produced = 0;
  let out = [];
  const meta = (task) => ({ thread_id: task, process_id: 4242, service_name: service, environment: 'bench', tags: {}, duration_ns: null });
  const ev = (trace, task, clock, kind) => ({
    id: randomUUID(), trace_id: trace, parent_id: null, timestamp: fmt(++t), kind, metadata: meta(task), causality_vector: clock, lock_set: [],
  });
  let wave = 0;
  while (produced < stateChanges) {
    // One wave: `overlap` requests on the same account interleave read/await/write.
    const account = `accounts.u${wave % accounts}.balance`;
    const reqs = [];
    for (let i = 0; i < overlap; i++) {
      const trace = randomUUID();
      const root = randomUUID();
      const task = randomUUID();
      const r = { trace, root, task, rc: 0, hc: 0 };
      out.push(ev(trace, root, [[root, ++r.rc]], { HttpRequest: { method: 'POST', url: '/transfer', headers: { 'content-type': 'application/json' }, body: { from: 'u', amount: 10 } } }));
      out.push(ev(trace, root, [[root, ++r.rc]], { AsyncSpawn: { task_id: task, spawned_by: 'app.post' } }));
      out.push(ev(trace, task, [[root, r.rc], [task, ++r.hc]], { FunctionCall: { function_name: 'transfer', module: 'src/bank', args: { from: 'u', amount: 10 }, file: 'src/bank.ts', line: 8 } }));
      reqs.push(r);
    }
    for (let round = 0; round < rmwPerRequest; round++) {
      for (const r of reqs) {
        out.push(ev(r.trace, r.task, [[r.root, r.rc], [r.task, ++r.hc]], { StateChange: { variable: account, old_value: null, new_value: 1000, location: 'src/bank.ts:10', access_type: 'Read' } }));
        out.push(ev(r.trace, r.task, [[r.root, r.rc], [r.task, ++r.hc]], { AsyncAwait: { future_id: randomUUID(), awaited_at: 'src/bank.ts:11' } }));
      }
      for (const r of reqs) {
        out.push(ev(r.trace, r.task, [[r.root, r.rc], [r.task, ++r.hc]], { StateChange: { variable: account, old_value: 1000, new_value: 990, location: 'src/bank.ts:12', access_type: 'Write' } }));
      }
      produced += 2 * reqs.length;
    }
    for (const r of reqs) {
      out.push(ev(r.trace, r.root, [[r.root, ++r.rc], [r.task, r.hc]], { HttpResponse: { status: 200, headers: {}, body: { ok: true }, duration_ms: 1 } }));
    }
    // A sequential request after the wave: must not race with it.
    wave++;
    while (out.length >= batch) yield out.splice(0, batch);
  }
  if (out.length) yield out;
}
