// Synthetic banking traffic shaped like the runtime's output: each request is a trace with
// HttpRequest, a handler task (AsyncSpawn + FunctionCall), read / await / write rounds on a
// balance, and HttpResponse. Requests come in waves of `overlap` on one account; a `racingShare`
// of the waves interleave (lost updates), the others run one request after the other.
import { randomUUID } from 'node:crypto';

function fmt(us) {
  const ms = Math.floor(us / 1000);
  return new Date(ms).toISOString().slice(0, 23) + String(us - ms * 1000).padStart(3, '0') + 'Z';
}

/** Yields arrays of `batch` events until about `stateChanges` StateChange events were produced. */
export function* workload({ stateChanges = 100_000, batch = 1000, accounts = 1000, overlap = 4, rmwPerRequest = 2, racingShare = 0.1, service = 'bank-api' } = {}) {
  let t = Date.UTC(2026, 0, 1) * 1000;
  let produced = 0;
  const out = [];
  // Like the runtime's ids: UUIDv7 (time-ordered) with a per-process prefix and a counter.
  let counter = 0;
  const prefix = randomUUID().replace(/-/g, '');
  const id7 = () => {
    const ms = Math.floor(t / 1000).toString(16).padStart(12, '0');
    return `${ms.slice(0, 8)}-${ms.slice(8)}-7${prefix.slice(0, 3)}-8${prefix.slice(3, 6)}-${(counter++).toString(16).padStart(12, '0')}`;
  };
  const meta = (task) => ({ thread_id: task, process_id: 4242, service_name: service, environment: 'bench', tags: {}, duration_ns: null });
  const ev = (trace, task, clock, kind) => {
    t += 1;
    return { id: id7(), trace_id: trace, parent_id: null, timestamp: fmt(t), kind, metadata: meta(task), causality_vector: clock, lock_set: [] };
  };

  function requests(account, n) {
    const reqs = [];
    for (let i = 0; i < n; i++) {
      const r = { trace: randomUUID(), root: randomUUID(), task: randomUUID(), rc: 0, hc: 0 };
      out.push(ev(r.trace, r.root, [[r.root, ++r.rc]], { HttpRequest: { method: 'POST', url: '/transfer', headers: { 'content-type': 'application/json' }, body: { from: 'u', amount: 10 } } }));
      out.push(ev(r.trace, r.root, [[r.root, ++r.rc]], { AsyncSpawn: { task_id: r.task, spawned_by: 'app.post' } }));
      out.push(ev(r.trace, r.task, [[r.root, r.rc], [r.task, ++r.hc]], { FunctionCall: { function_name: 'transfer', module: 'src/bank', args: { from: 'u', amount: 10 }, file: 'src/bank.ts', line: 8 } }));
      reqs.push(r);
    }
    for (let round = 0; round < rmwPerRequest; round++) {
      for (const r of reqs) {
        out.push(ev(r.trace, r.task, [[r.root, r.rc], [r.task, ++r.hc]], { StateChange: { variable: account, old_value: null, new_value: 1000, location: 'src/bank.ts:10', access_type: 'Read' } }));
        out.push(ev(r.trace, r.task, [[r.root, r.rc], [r.task, ++r.hc]], { AsyncAwait: { future_id: randomUUID(), awaited_at: 'src/bank.ts:11' } }));
      }
      // Each request of a wave moves a different amount, so an overwrite loses a different value.
      reqs.forEach((r, i) => {
        out.push(ev(r.trace, r.task, [[r.root, r.rc], [r.task, ++r.hc]], { StateChange: { variable: account, old_value: 1000, new_value: 990 - i, location: 'src/bank.ts:12', access_type: 'Write' } }));
      });
      produced += 2 * reqs.length;
    }
    for (const r of reqs) {
      out.push(ev(r.trace, r.root, [[r.root, ++r.rc], [r.task, r.hc]], { HttpResponse: { status: 200, headers: {}, body: { ok: true }, duration_ms: 1 } }));
    }
  }

  let wave = 0;
  let racingDebt = 0;
  while (produced < stateChanges) {
    const account = `accounts.u${wave % accounts}.balance`;
    racingDebt += racingShare;
    if (racingDebt >= 1) {
      racingDebt -= 1;
      requests(account, overlap);
    } else {
      for (let i = 0; i < overlap; i++) requests(account, 1);
    }
    wave++;
    while (out.length >= batch) yield out.splice(0, batch);
  }
  if (out.length) yield out;
}
