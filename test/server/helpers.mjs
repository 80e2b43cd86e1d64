// A small simulator of the runtime's event semantics (tasks with vector clocks, segments ended by
// AsyncAwait, spawn copies the parent's clock, join after await, lock release -> acquire), so the
// analyzer tests can build exact interleavings by call order.
import { randomUUID } from 'node:crypto';

export function formatMicros(micros) {
  const ms = Math.floor(micros / 1000);
  return new Date(ms).toISOString().slice(0, 23) + String(micros - ms * 1000).padStart(3, '0') + 'Z';
}

export class Sim {
  constructor({ service = 'bank-api', start = Date.UTC(2026, 0, 1) * 1000 } = {}) {
    this.service = service;
    this.t = start;
    this.events = [];
    this.lockClocks = new Map();
  }
  tick() { this.t += 10; return this.t; }
  /** A root task (no parent) in trace `trace`. */
  root(trace = randomUUID()) { return new Task(this, trace, new Map()); }
  /** An HTTP request: a root task whose first event is HttpRequest. */
  request(method = 'POST', url = '/transfer', trace = randomUUID()) {
    const t = this.root(trace);
    t.emit({ HttpRequest: { method, url, headers: {}, body: null } });
    t.started = this.t;
    return t;
  }
}

export class Task {
  constructor(sim, trace, clock, id = randomUUID()) {
    this.sim = sim; this.trace = trace; this.id = id;
    this.clock = new Map(clock); this.clock.set(id, 0);
    this.locks = [];
  }
  emit(kind, extra = {}) {
    this.clock.set(this.id, this.clock.get(this.id) + 1);
    const e = {
      id: randomUUID(), trace_id: this.trace, parent_id: null, timestamp: formatMicros(this.sim.tick()), kind,
      metadata: { thread_id: this.id, process_id: 1, service_name: extra.service ?? this.sim.service, environment: 'test', tags: {}, duration_ns: null },
      causality_vector: [...this.clock.entries()], lock_set: [...this.locks],
    };
    this.sim.events.push(e);
    return e;
  }
  read(variable, value, location = 'src/bank.ts:10') {
    return this.emit({ StateChange: { variable, old_value: null, new_value: value, location, access_type: 'Read' } });
  }
  write(variable, oldValue, newValue, location = 'src/bank.ts:12') {
    return this.emit({ StateChange: { variable, old_value: oldValue, new_value: newValue, location, access_type: 'Write' } });
  }
  /** Calls an async function: AsyncSpawn here, the child starts with a copy of this clock. */
  spawn(name = 'child') {
    const child = new Task(this.sim, this.trace, this.clock);
    this.emit({ AsyncSpawn: { task_id: child.id, spawned_by: name } });
    child.clock = new Map(this.clock); child.clock.set(child.id, 0);
    child.emit({ FunctionCall: { function_name: name, module: 'src/bank', args: null, file: 'src/bank.ts', line: 1 } });
    return child;
  }
  await(location = 'src/bank.ts:11') { return this.emit({ AsyncAwait: { future_id: randomUUID(), awaited_at: location } }); }
  /** Resume after awaiting `tasks`: join their clocks. */
  join(...tasks) {
    for (const t of tasks) for (const [k, v] of t.clock) this.clock.set(k, Math.max(this.clock.get(k) ?? 0, v));
  }
  acquire(lock) {
    const c = this.sim.lockClocks.get(lock);
    if (c) for (const [k, v] of c) this.clock.set(k, Math.max(this.clock.get(k) ?? 0, v));
    this.locks.push(lock);
    return this.emit({ LockAcquire: { lock_id: lock, lock_type: 'Mutex', location: 'src/bank.ts:5' } });
  }
  release(lock) {
    this.locks = this.locks.filter((l) => l !== lock);
    const e = this.emit({ LockRelease: { lock_id: lock, lock_type: 'Mutex', location: 'src/bank.ts:20' } });
    this.sim.lockClocks.set(lock, new Map(this.clock));
    return e;
  }
  respond(status = 200) {
    return this.emit({ HttpResponse: { status, headers: {}, body: null, duration_ms: 1 } });
  }
}
