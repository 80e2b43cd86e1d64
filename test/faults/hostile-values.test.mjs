// Hostile program values handed to the runtime, shipped to a real `raceway serve`: nothing is thrown
// into the program, none of its code runs (getters, Proxy traps, toString/valueOf/toJSON), every
// capture is counted (recorded or failed), and what the client counts as sent is what the server stored.
import test from 'ava';
import { RacewayClient, validateEvent } from 'raceway';
import { serve, storedCount, getJson } from './_serve.mjs';

const ran = [];
const trap = (name) => new Proxy(function () {}, new Proxy({}, { get: (_, k) => (...args) => { ran.push(`${name}.${String(k)}`); return Reflect[k](...args); } }));
const { proxy: revoked, revoke } = Proxy.revocable({}, {});
revoke();
const throwing = Object.defineProperties({}, {
  a: { get() { ran.push('getter a'); throw new Error('getter'); }, enumerable: true },
  toJSON: { get() { ran.push('toJSON getter'); return () => 1; }, enumerable: false },
});
const sneaky = { toString() { ran.push('toString'); return 's'; }, valueOf() { ran.push('valueOf'); return 1; }, [Symbol.toPrimitive]() { ran.push('toPrimitive'); return 1; } };
class BadError extends Error {
  get name() { ran.push('error name'); throw new Error('n'); }
  get message() { ran.push('error message'); throw new Error('m'); }
}
const badError = new BadError();
class Evil { static get name() { ran.push('class name'); return 'Evil'; } get x() { ran.push('x'); return 1; } }
const protoTrap = Object.create(trap('proto'));
const cyclic = { self: null }; cyclic.self = cyclic;
const bigObject = Object.fromEntries(Array.from({ length: 200_000 }, (_, i) => [`k${i}`, i]));
const deep = JSON.parse('['.repeat(5000) + ']'.repeat(5000));
const hostile = [trap('value'), revoked, throwing, sneaky, badError, new Evil(), protoTrap, cyclic, bigObject, deep,
  Object.create(null), new Map([[trap('key'), revoked]]), new Set([throwing]), Symbol('s'), 10n ** 30n, -0, NaN, () => 1, new Uint8Array(1 << 20), 'x'.repeat(100_000)];

test('hostile values, names and arguments never throw, run no program code, and are counted; sent = stored', async (t) => {
  const srv = await serve(t);
  const c = new RacewayClient({ endpoint: srv.base, handleExit: false, maxEventsPerSecond: Infinity });
  ran.length = 0;
  const calls = [];
  for (const v of hostile) {
    calls.push(() => c.captureStateChange('state', v, v, 'src/a.ts:1'));
    calls.push(() => c.captureStateChange(v, 1, 2, v, 'Write'));
    calls.push(() => c.captureCustom(v, v));
    calls.push(() => c.captureLockAcquire(v, v, v));
    calls.push(() => c.captureLockRelease(v, v, v));
    calls.push(() => c.captureHttpRequest(v, v, v, v));
    calls.push(() => c.captureHttpResponse(v, v, v, v));
    calls.push(() => c.captureFunctionCall(v, v, v));
    calls.push(() => c.exitFunction());
    calls.push(() => c.captureAsyncSpawn(v, v));
    calls.push(() => c.captureAsyncAwait(v, v));
    calls.push(() => c.captureError(v));
    calls.push(() => c.captureEvent(v));
  }
  for (const call of calls) t.notThrows(call);
  t.deepEqual(ran, [], 'no getter, trap or conversion of the program ran');
  await c.flush(60_000);
  const s = c.stats();
  await c.shutdown();
  t.is(s.captured, s.sent + s.dropped + s.rejected + s.queued, JSON.stringify(s));
  t.is(s.queued, 0);
  t.true(s.captured + s.failed <= calls.length, JSON.stringify(s));
  // Every call that recorded nothing (and was not a bare exitFunction) counts as failed.
  t.is(s.captured + s.failed, calls.length - hostile.length, JSON.stringify(s));
  t.is(await storedCount(srv.base), s.sent, 'what the client counts as sent is what the server stored');
  t.is((await getJson(srv.base, '/health')).status, 200);
});

test('a huge variable name is dropped as an over-size event, counted, and later events arrive', async (t) => {
  const srv = await serve(t);
  const c = new RacewayClient({ endpoint: srv.base, handleExit: false, maxEventsPerSecond: Infinity });
  const name = 'n'.repeat(5 * 1024 * 1024);
  c.captureStateChange(name, 1, 2, 'src/a.ts:1');
  c.captureStateChange(name, 2, 3, 'src/a.ts:2');
  c.captureStateChange('small', 1, 2, 'src/a.ts:3');
  await c.flush(60_000);
  const s = c.stats();
  await c.shutdown();
  t.like(s, { captured: 3, sent: 1, dropped: 2, rejected: 0, queued: 0, failed: 0 });
  t.is(await storedCount(srv.base), 1);
});

test('events the server refuses one by one count as rejected, the rest as sent, and match what it stored', async (t) => {
  const srv = await serve(t);
  const c = new RacewayClient({ endpoint: srv.base, handleExit: false, maxEventsPerSecond: Infinity, batchSize: 100 });
  // Event kinds passed as-is are not checked by the client; the server refuses the invalid ones.
  for (let i = 0; i < 30; i++) {
    if (i % 3 === 0) c.captureEvent({ NoSuchKind: { i } });
    else c.captureCustom('ok', i);
  }
  await c.flush(60_000);
  const s = c.stats();
  await c.shutdown();
  t.like(s, { captured: 30, sent: 20, rejected: 10, dropped: 0, queued: 0 });
  t.is(await storedCount(srv.base), 20);
});
