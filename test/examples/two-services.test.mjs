// End to end: examples/two-services — the banking API and the ledger service, compiled through
// raceway/transformer, as two processes against a real `raceway serve`; the scenario run by the
// example's own race.mjs.
import test from 'ava';
import { compile } from '../../examples/two-services/stack.mjs';
import { exampleServices, serveRaceway } from './_two-services.mjs';
import { CoverageTable, hasSeen } from '../../dist/server/analyzer/index.js';

const ROW = 'db:accounts.alice.balance';

/** A `raceway serve --memory` process and both services reporting to it; stopped when the test ends. */
async function stack(t) {
  const endpoint = await serveRaceway(t);
  // A long check and a late deposit keep the interleaving the same on a loaded machine.
  const { services, run } = await exampleServices(t, endpoint, { CHECK_MS: '1000' });
  const get = async (path) => (await (await fetch(endpoint + path)).json()).data;
  return { endpoint, services, run, get };
}

test.before(() => compile());

/**
 * "`a` happened before `b`" among `events`, as the server decides it: b's clock has seen a's task at
 * a's own counter, carried or implied by a finished task's retirement (analyzer/coverage.ts).
 */
function beforeIn(events) {
  const coverage = new CoverageTable();
  for (const e of events) coverage.noteEvent(e.metadata.thread_id, e.causality_vector);
  return (a, b) => {
    const own = new Map(a.causality_vector).get(a.metadata.thread_id);
    const mb = new Map(b.causality_vector);
    return own !== undefined && hasSeen((k) => mb.get(k), a.metadata.thread_id, own, coverage, new Map());
  };
}

test.serial('the racy transfer loses the deposit, and Raceway reports the lost update naming both services', async (t) => {
  const { run, get } = await stack(t);
  const out = await run();
  t.deepEqual(out.balances, { alice: 900, bob: 600 }, 'the deposit of 50 is lost: 1000 - 100 instead of 1050 - 100');
  t.is(out.deposit.status, 200);
  const { races } = await get('/api/races');
  t.is(races.length, 1, JSON.stringify(races.map((r) => [r.kind, r.variable])));
  const [race] = races;
  t.is(race.kind, 'lost_update');
  t.is(race.variable, ROW);
  t.deepEqual([...new Set(race.accesses.map((a) => a.service_name))].sort(), ['banking-api', 'ledger-service']);
  const stale = race.accesses.find((a) => a.role === 'stale_read');
  t.is(stale.service_name, 'banking-api');
  t.is(stale.new_value, 1000);
  const theirs = race.accesses.find((a) => a.service_name === 'ledger-service' && a.access_type === 'Write');
  t.deepEqual([theirs.old_value, theirs.new_value], [1000, 1050]);
  const ours = race.accesses.find((a) => a.service_name === 'banking-api' && a.access_type === 'Write');
  t.deepEqual([ours.old_value, ours.new_value], [1050, 900]);
  t.not(theirs.trace_id, ours.trace_id, 'the deposit and the transfer are two requests');
});

test.serial('the transfer is one trace across both services, the ledger\'s work ordered inside each call', async (t) => {
  const { run, get } = await stack(t);
  await run();
  const { races } = await get('/api/races');
  const transferTrace = races[0].accesses.find((a) => a.service_name === 'banking-api').trace_id;
  const trace = await get(`/api/traces/${transferTrace}`);
  const events = trace.events;
  const before = beforeIn(events);
  t.deepEqual([...new Set(events.map((e) => e.metadata.service_name))].sort(), ['banking-api', 'ledger-service']);
  const kind = (e) => Object.keys(e.kind)[0];
  for (const path of ['/checks', '/entries']) {
    const call = events.find((e) => kind(e) === 'HttpRequest' && e.metadata.service_name === 'banking-api' && e.kind.HttpRequest.url.endsWith(path));
    const answer = events.find((e) => kind(e) === 'HttpResponse' && e.parent_id === call?.id);
    const served = events.find((e) => kind(e) === 'HttpRequest' && e.metadata.service_name === 'ledger-service' && e.kind.HttpRequest.url === path);
    t.truthy(call && answer && served, path);
    t.is(served.kind.HttpRequest.headers.traceparent, call.kind.HttpRequest.headers.traceparent, 'the callee received the traceparent the call recorded');
    const done = events.find((e) => kind(e) === 'HttpResponse' && e.parent_id === served.id);
    t.truthy(done, `${path}: the ledger answered`);
    t.true(before(call, served), `${path}: the call happens before the ledger's request starts`);
    t.true(before(done, answer), `${path}: the ledger's response happens before the bank's answer`);
    // The ledger's own work for the call: its read of the row, between the two.
    const work = events.filter((e) => e.metadata.service_name === 'ledger-service' && kind(e) === 'StateChange' &&
      e.kind.StateChange.variable === ROW && before(served, e) && before(e, done));
    t.true(work.length >= 1, `${path}: the ledger read the row inside the call`);
    for (const e of work) t.true(before(call, e) && before(e, answer), `${path}: inside the call`);
    const order = events.map((e) => e.id);
    t.true(order.indexOf(call.id) < order.indexOf(served.id) && order.indexOf(served.id) < order.indexOf(answer.id), `${path}: in causal order in the trace answer`);
  }
  // The bank's write of the row before the /entries call and the ledger's read of it during the call are not a race.
  t.false(races.some((r) => r.accesses.some((a) => a.trace_id === transferTrace && a.service_name === 'ledger-service')));

  // Who calls whom: two calls from the bank to the ledger, the 1 s check among them.
  const deps = trace.dependencies;
  t.deepEqual(deps.services.map((x) => x.name).sort(), ['banking-api', 'ledger-service']);
  t.is(deps.trace_id, transferTrace);
  t.is(deps.dependencies.length, 1);
  t.like(deps.dependencies[0], { from: 'banking-api', to: 'ledger-service', call_count: 2 });
  t.true(deps.dependencies[0].max_duration_ms >= 900, `the check took ${deps.dependencies[0].max_duration_ms} ms`);

  // The critical path starts at the transfer request and goes through the ledger's check.
  const cp = trace.critical_path;
  t.is(cp.trace_id, transferTrace);
  t.is(cp.path[0].kind, 'HttpRequest(POST /transfer)');
  t.is(cp.path_events, cp.path.length);
  t.true(cp.path.some((x) => x.kind === 'HttpRequest(POST /checks)' && x.service_name === 'ledger-service'), 'through the ledger\'s check');
  t.true(cp.total_duration_ms >= 900 && cp.percentage_of_total > 50 && cp.percentage_of_total <= 100, JSON.stringify({ total: cp.total_duration_ms, pct: cp.percentage_of_total }));
  const stamps = cp.path.map((x) => Date.parse(x.timestamp));
  t.deepEqual([...stamps].sort((x, y) => x - y), stamps, 'in time order');

  // The audit trail of the row: every access of the trace, both services, with causal links and races marked.
  const trail = trace.audit_trails[ROW];
  t.deepEqual([...new Set(trail.map((a) => a.service_name))].sort(), ['banking-api', 'ledger-service']);
  t.is(trail.length, events.filter((e) => kind(e) === 'StateChange' && e.kind.StateChange.variable === ROW).length);
  const raced = new Set(races[0].accesses.filter((a) => a.trace_id === transferTrace).map((a) => a.event_id));
  t.true(raced.size > 0);
  for (const a of trail) t.is(a.is_race, raced.has(a.event_id), `${a.service_name} ${a.access_type} ${a.location}`);
  const entriesRead = trail.findIndex((a, i) => i > 0 && a.service_name === 'ledger-service' && trail[i - 1].service_name === 'banking-api' && trail[i - 1].access_type === 'Write');
  t.true(entriesRead > 0, 'the ledger reads the row right after the bank wrote it');
  t.true(trail[entriesRead].has_causal_link_to_previous, 'ordered by the call');
});

test.serial('the fixed transfer keeps the deposit and reports no race', async (t) => {
  const { run, get } = await stack(t);
  const out = await run('--safe');
  t.deepEqual(out.balances, { alice: 950, bob: 600 });
  t.deepEqual(out.races, []);
  t.deepEqual((await get('/api/races')).races, []);
  const traces = (await get('/api/traces')).traces;
  t.true(traces.some((tr) => tr.service_count === 2), 'a trace spans both services');
});
