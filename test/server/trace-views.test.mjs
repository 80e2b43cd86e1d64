// The trace answer's views on hand-made traces: a caller and a callee (dependencies matched by
// traceparent, the critical path through the slow callee), a call to a host nothing recorded, and
// upstream-SDK clocks that do not name their task.
import test from 'ava';
import { auditTrails, criticalPath, serviceDependencies } from '../../dist/server/trace-views.js';
import { Sim, Task } from './helpers.mjs';

function inService(sim, task, service) {
  for (const e of sim.events) if (e.metadata.thread_id === task.id) Object.assign(e.metadata, { service_name: service, process_id: 2 });
}

/** A bank request that calls a ledger (slow: 5 events of its own) and a host nothing recorded. */
function twoServices() {
  const sim = new Sim();
  const bank = sim.request('POST', '/transfer');
  bank.write('db:row', 1000, 900, 'db.ts:39');
  const tp = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
  const call = bank.emit({ HttpRequest: { method: 'POST', url: 'http://ledger:3002/entries', headers: { traceparent: tp }, body: null } });
  const ledger = new Task(sim, bank.trace, bank.clock);
  const served = ledger.emit({ HttpRequest: { method: 'POST', url: '/entries', headers: { traceparent: tp }, body: null } });
  ledger.read('db:row', 900, 'db.ts:31');
  for (let i = 0; i < 5; i++) ledger.await();
  const done = ledger.respond();
  bank.join(ledger);
  const answer = bank.emit({ HttpResponse: { status: 200, headers: {}, body: null, duration_ms: 42 } });
  answer.parent_id = call.id;
  const ext = bank.emit({ HttpRequest: { method: 'GET', url: 'https://rates.example/eur', headers: {}, body: null } });
  bank.read('db:row', 900, 'db.ts:31');
  const end = bank.respond();
  inService(sim, ledger, 'ledger-service');
  return { sim, bank, call, served, done, answer, ext, end };
}

test('dependencies: a call matched to the service that received its traceparent, else its host, with durations', (t) => {
  const { sim, bank } = twoServices();
  const d = serviceDependencies(bank.trace, sim.events);
  t.is(d.trace_id, bank.trace);
  t.deepEqual(d.services.map((s) => s.name).sort(), ['bank-api', 'ledger-service']);
  t.deepEqual(d.dependencies.find((x) => x.to === 'ledger-service'), { from: 'bank-api', to: 'ledger-service', call_count: 1, total_duration_ms: 42, avg_duration_ms: 42, max_duration_ms: 42 });
  t.like(d.dependencies.find((x) => x.to === 'rates.example'), { from: 'bank-api', call_count: 1, total_duration_ms: 0 });
  t.is(serviceDependencies('x', []), null);
});

test('critical path: from the trace\'s first request to its last event, through the callee it waited for', (t) => {
  const { sim, bank, call, served, done, answer, end } = twoServices();
  const cp = criticalPath(bank.trace, sim.events);
  const ids = cp.path.map((p) => p.id);
  t.is(cp.path[0].kind, 'HttpRequest(POST /transfer)');
  t.is(ids.at(-1), end.id);
  for (const e of [call, served, done, answer]) t.true(ids.includes(e.id), e.kind && Object.keys(e.kind)[0]);
  t.true(ids.indexOf(call.id) < ids.indexOf(served.id) && ids.indexOf(done.id) < ids.indexOf(answer.id));
  t.is(cp.percentage_of_total, 100);
  t.is(cp.path_events, cp.path.length);
  t.is(criticalPath('x', []), null);
});

test('critical path with clocks that do not name their task (upstream SDKs): by time within a task', (t) => {
  const sim = new Sim();
  const a = sim.request('GET', '/x');
  a.read('v', 1); a.respond();
  for (const e of sim.events) e.causality_vector = [['svc#1', 1]];
  const cp = criticalPath(a.trace, sim.events);
  t.is(cp.path.length, 3);
  t.is(cp.path[0].kind, 'HttpRequest(GET /x)');
});

test('audit trails: every variable, accesses in time order, causal links and races marked', (t) => {
  const { sim } = twoServices();
  const row = sim.events.filter((e) => e.kind.StateChange?.variable === 'db:row');
  const trails = auditTrails(sim.events, new Set([row[1].id]));
  t.deepEqual(Object.keys(trails), ['db:row']);
  t.deepEqual(trails['db:row'].map((a) => [a.service_name, a.access_type, a.has_causal_link_to_previous, a.is_race]), [
    ['bank-api', 'Write', true, false],
    ['ledger-service', 'Read', true, true],
    ['bank-api', 'Read', true, false],
  ]);
  // Without the callee's join of the caller's clock, its read is not linked to the write before.
  const other = new Sim();
  const x = other.request(); x.write('v', 0, 1);
  const y = other.request(); y.read('v', 1);
  t.false(auditTrails(other.events, new Set())['v'][1].has_causal_link_to_previous);
});
