// The requests a trace served (server/trace-requests.ts): the first incoming request of each service,
// outgoing calls (absolute URLs) left out; served by GET /api/requests and as `root_request` in the
// trace list, and kept up to date as a trace grows.
import test from 'ava';
import { randomUUID } from 'node:crypto';
import { requestsOf } from '../../dist/server/trace-requests.js';
import { Sim } from './helpers.mjs';
import { get, post, startServer } from './server-helpers.mjs';

const ev = (service, kind) => ({ metadata: { service_name: service }, kind });
const req = (method, url) => ({ HttpRequest: { method, url, headers: {}, body: null } });

test('requestsOf: the first path request per service, in order; outgoing calls and later requests left out', (t) => {
  const events = [
    ev('bank', { FunctionCall: { function_name: 'main' } }),
    ev('bank', req('POST', 'http://127.0.0.1:3002/checks')), // an outgoing call, not a request the bank served
    ev('bank', req('POST', '/transfer')),
    ev('ledger', req('POST', '/checks')),
    ev('bank', req('GET', '/balances')),
    ev('ledger', req('POST', '/entries')),
  ];
  t.deepEqual(requestsOf(events), {
    root_request: { service: 'bank', method: 'POST', url: '/transfer' },
    requests: [{ service: 'bank', method: 'POST', url: '/transfer' }, { service: 'ledger', method: 'POST', url: '/checks' }],
  });
  t.deepEqual(requestsOf([ev('bank', { FunctionCall: { function_name: 'main' } })]), { root_request: null, requests: [] });
});

test('requestsOf: a huge URL is cut, an odd event shape is skipped', (t) => {
  const long = '/' + 'x'.repeat(5000);
  const r = requestsOf([{ kind: { HttpRequest: { method: 'GET', url: 42 } } }, {}, ev('svc', req('GET', long))]);
  t.is(r.requests.length, 1);
  t.true(r.root_request.url.length <= 512);
  t.true(r.root_request.url.endsWith('…'));
});

test('GET /api/requests and the trace list name each trace\'s requests, and follow a trace as it grows', async (t) => {
  const { base } = await startServer(t);
  const trace = randomUUID();
  const bank = new Sim({ service: 'banking-api' });
  const r = bank.request('POST', '/transfer', trace);
  r.respond();
  const other = bank.request('GET', '/balances');
  other.respond();
  t.is((await post(base, { events: bank.events })).status, 200);

  const first = await get(base, `/api/requests?trace_id=${trace},${randomUUID()}`);
  t.is(first.status, 200);
  t.deepEqual(first.json.data.traces, [{ trace_id: trace, root_request: { service: 'banking-api', method: 'POST', url: '/transfer' }, requests: [{ service: 'banking-api', method: 'POST', url: '/transfer' }] }]);

  // The ledger's part of the same trace arrives later: the answer follows.
  const ledger = new Sim({ service: 'ledger-service', start: Date.UTC(2026, 0, 1) * 1000 + 500 });
  ledger.request('POST', '/checks', trace).respond();
  t.is((await post(base, { events: ledger.events })).status, 200);
  const second = await get(base, `/api/requests?trace_id=${trace}`);
  t.deepEqual(second.json.data.traces[0].requests.map((x) => `${x.service} ${x.method} ${x.url}`), ['banking-api POST /transfer', 'ledger-service POST /checks']);

  const list = await get(base, '/api/traces?page_size=10');
  const byId = new Map(list.json.data.traces.map((x) => [x.trace_id, x]));
  t.deepEqual(byId.get(trace).root_request, { service: 'banking-api', method: 'POST', url: '/transfer' });
  t.deepEqual(byId.get(trace).services, ['banking-api', 'ledger-service']);
  t.is([...byId.values()].find((x) => x.trace_id !== trace).root_request.url, '/balances');

  const tooMany = await get(base, '/api/requests?trace_id=' + Array.from({ length: 101 }, () => randomUUID()).join(','));
  t.is(tooMany.status, 400);
  t.deepEqual((await get(base, '/api/requests')).json.data, { traces: [] });
});

test('one answer reads at most ANSWER_BYTES of events; the traces it did not reach come in a later answer', async (t) => {
  const { base } = await startServer(t);
  const big = 'v'.repeat(1024 * 1024);
  const ids = [];
  // 12 traces of about 1 MB each, each in a batch of its own.
  for (let i = 0; i < 12; i++) {
    const sim = new Sim({ service: 'banking-api' });
    const r = sim.request('POST', `/transfer/${i}`);
    r.read('payload', big);
    r.respond();
    ids.push(r.trace);
    t.is((await post(base, { events: sim.events })).status, 200);
  }
  const ask = async () => (await get(base, `/api/requests?trace_id=${ids.join(',')}`)).json.data.traces;
  const first = await ask();
  t.true(first.length >= 7 && first.length < 12, `named in the first answer: ${first.length}`);
  const second = await ask();
  t.is(second.length, 12);
  t.deepEqual(second.map((x) => x.root_request.url), ids.map((_, i) => `/transfer/${i}`));
});

test('requestsOf: per service the earliest request by time, whatever order the events come in', (t) => {
  const at = (ts, e) => ({ ...e, timestamp: ts });
  const r = requestsOf([
    at('2026-01-01T00:00:00.300000Z', ev('ledger', req('POST', '/checks'))),
    at('2026-01-01T00:00:00.200000Z', ev('bank', req('POST', '/transfer'))),
    at('2026-01-01T00:00:00.100000Z', ev('ledger', req('POST', '/reset'))),
  ]);
  t.deepEqual(r.requests.map((x) => `${x.service} ${x.url}`), ['ledger /reset', 'bank /transfer']);
});
