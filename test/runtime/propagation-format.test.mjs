// The trace context headers as bytes: what is read from other services' headers (upstream Raceway
// SDKs, OpenTelemetry, garbage) and what is sent.
import test from 'ava';
import { Clock } from '../../dist/runtime/clock.js';
import { boundedPairs, MAX_SENT_COMPONENTS, parseIncoming, parseRacewayClock, parseTraceparent, uuidToHex } from '../../dist/runtime/propagation.js';

const TRACE = '0af76519-16cd-43dd-8448-eb211c80319c';
const upstreamClock = (payload) => 'v1;' + Buffer.from(JSON.stringify(payload)).toString('base64url');

test('an upstream SDK\'s headers: its trace, span and service#instance clock are taken', (t) => {
  const r = parseIncoming({
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    tracestate: 'rojo=00f067aa0ba902b7',
    'raceway-clock': upstreamClock({ trace_id: TRACE, span_id: 'b7ad6b7169203331', parent_span_id: null, service: 'orders', instance: 'orders-1', clock: [['orders#orders-1', 3], ['payments#p-2', 1]] }),
  });
  t.is(r.trace, TRACE);
  t.is(r.spanId, 'b7ad6b7169203331');
  t.is(r.tracestate, 'rojo=00f067aa0ba902b7');
  t.true(r.racewayCaller);
  t.deepEqual(r.clock.pairs, [['orders#orders-1', 3], ['payments#p-2', 1]]);
});

test('an OpenTelemetry traceparent alone gives its trace id and no clock', (t) => {
  const r = parseIncoming({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' });
  t.is(uuidToHex(r.trace), '4bf92f3577b34da6a3ce929d0e0e4736');
  t.is(r.clock, null);
  t.false(r.racewayCaller);
});

test('invalid headers are ignored, never thrown on', (t) => {
  t.is(parseIncoming({}), null);
  t.is(parseIncoming(undefined), null);
  t.is(parseTraceparent('00-00000000000000000000000000000000-b7ad6b7169203331-01'), null, 'all-zero trace id');
  t.is(parseTraceparent('ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'), null, 'version ff');
  t.is(parseTraceparent('00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01'), null, 'all-zero span id');
  for (const bad of ['v2;abc', 'v1;', 'v1;!!!', upstreamClock([1, 2]), upstreamClock({ clock: 'x' }), 'v1;' + 'A'.repeat(20_000)]) {
    t.is(parseRacewayClock(bad), null, bad.slice(0, 20));
  }
  const odd = parseRacewayClock(upstreamClock({ trace_id: 'not-a-uuid', clock: [['a', 1], ['b', -1], ['c', 1.5], [7, 1], ['d'], ['e', 2]] }));
  t.is(odd.trace, null);
  t.deepEqual(odd.clock.pairs, [['a', 1], ['e', 2]], 'only well-formed pairs are kept');
  const repeated = parseIncoming({ traceparent: ['00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', 'x'] });
  t.is(uuidToHex(repeated.trace), '4bf92f3577b34da6a3ce929d0e0e4736', 'a repeated header: the first value');
});

test('a sent clock keeps the task\'s own component and its nearest ancestors, at most 32 pairs', (t) => {
  const pairs = Array.from({ length: 100 }, (_, i) => [`task-${i}`, i + 1]);
  const sent = boundedPairs(new Clock(pairs), 'task-3');
  t.is(sent.length, MAX_SENT_COMPONENTS);
  t.deepEqual(sent[0], ['task-3', 4]);
  t.true(sent.some(([c]) => c === 'task-99'), 'the most recent ones are kept');
  t.false(sent.some(([c]) => c === 'task-10'));
  t.deepEqual(boundedPairs(new Clock([['a', 1]]), 'a'), [['a', 1]]);
});
