import test from 'ava';
import { RacewayClient, RacewayConfigError, validateEvent, init, getClient } from 'raceway';
import { startCollector, deadEndpoint, kindOf } from './_collector.mjs';

const quiet = { handleExit: false, flushInterval: 50 };

test.serial('every kind of event the client captures is valid against the wire schema', async (t) => {
  const col = await startCollector();
  const c = new RacewayClient({ endpoint: col.endpoint, serviceName: 'svc', environment: 'test', tags: { region: 'eu' }, instanceId: 'i-1', ...quiet });
  c.captureFunctionCall('transfer', { from: 'alice', amount: 10 }, { module: 'bank', file: 'bank.ts', line: 3 });
  c.captureStateChange('alice.balance', 1000, 900, 'bank.ts:4');
  c.captureStateChange('alice.balance', undefined, undefined, 'bank.ts:5', 'Read');
  c.captureAsyncSpawn();
  c.captureAsyncAwait(undefined, 'bank.ts:6');
  c.captureLockAcquire('acct', 'Mutex', 'bank.ts:7');
  c.captureLockRelease('acct', 'Mutex', 'bank.ts:8');
  c.captureHttpRequest('POST', '/transfer', { 'content-type': 'application/json', authorization: 'secret' }, { a: 1 });
  c.captureHttpResponse(200, { 'x-n': 1 }, undefined, 12.7);
  c.captureError(new TypeError('bad'));
  c.captureError('a string thrown');
  c.captureCustom('cache_hit', { key: 'k', ttl: 3600n });
  c.captureEvent({ Custom: { name: 'raw', data: null } });
  c.exitFunction();
  const outer = c.getCurrentSpan();
  c.enterFunction('inner', [1]);
  const span = c.getCurrentSpan();
  t.not(span, outer);
  c.captureCustom('in inner');
  c.exitFunction();
  t.is(c.getCurrentSpan(), outer, 'exitFunction pops back to the enclosing span');
  await c.flush();
  const inner = col.events.find((e) => e.kind.Custom?.name === 'in inner');
  t.is(inner.parent_id, span);
  t.is(col.events.find((e) => e.id === span).kind.FunctionCall.function_name, 'inner');
  col.events.splice(col.events.length - 2, 2);
  const kinds = col.events.map(kindOf);
  t.deepEqual(kinds, ['FunctionCall', 'StateChange', 'StateChange', 'AsyncSpawn', 'AsyncAwait', 'LockAcquire', 'LockRelease', 'HttpRequest', 'HttpResponse', 'Error', 'Error', 'Custom', 'Custom']);
  for (const e of col.events) t.deepEqual(validateEvent(e), [], JSON.stringify(e));
  const read = col.events[2].kind.StateChange;
  t.is(read.old_value, null);
  t.is(read.new_value, null);
  t.true('old_value' in read && 'new_value' in read);
  t.is(col.events[7].kind.HttpRequest.headers.authorization, '[redacted]');
  t.is(col.events[8].kind.HttpResponse.duration_ms, 13);
  t.is(col.events[11].kind.Custom.data.ttl, '3600n');
  const m = col.events[0].metadata;
  t.is(m.service_name, 'svc');
  t.is(m.environment, 'test');
  t.deepEqual(m.tags, { region: 'eu' });
  t.is(m.instance_id, 'i-1');
  t.is(m.process_id, process.pid);
  // Events inside the function's span point at its FunctionCall.
  t.is(col.events[1].parent_id, col.events[0].id);
  // Timestamps strictly increase; the task's own clock component ticks on every event.
  const ts = col.events.map((e) => e.timestamp);
  t.deepEqual([...ts].sort(), ts);
  t.is(new Set(ts).size, ts.length);
  const own = col.events.map((e) => e.causality_vector.find(([c]) => c === e.metadata.thread_id)[1]);
  for (let i = 1; i < own.length; i++) t.true(own[i] > own[i - 1]);
  t.is(c.stats().sent, 15);
  await c.shutdown();
  await col.close();
});

test.serial('hostile values snapshot to bounded, valid JSON', async (t) => {
  const col = await startCollector();
  const c = new RacewayClient({ endpoint: col.endpoint, ...quiet });
  const circ = { name: 'loop' };
  circ.self = circ;
  const deep = {};
  let p = deep;
  for (let i = 0; i < 1000; i++) p = p.next = {};
  const big = { arr: Array.from({ length: 100000 }, (_, i) => i), s: 'x'.repeat(1e6) };
  let getterRuns = 0;
  const sneaky = { get boom() { getterRuns++; throw new Error('getter ran'); } };
  const proxy = new Proxy({}, { get() { throw new Error('trap ran'); }, ownKeys() { throw new Error('trap ran'); } });
  class Account { constructor() { this.balance = 5; } }
  const values = [circ, 10n, () => 1, Symbol('s'), Buffer.from('abc'), new Map([[1, { a: 1 }]]), new Set([1, 2]), new Account(), deep, big, sneaky, proxy, NaN, -0, new Date(0), undefined];
  for (const v of values) c.captureStateChange('v', v, v, 'x.ts:1');
  await c.flush();
  t.is(col.events.length, values.length);
  for (const e of col.events) t.deepEqual(validateEvent(e), []);
  t.is(getterRuns, 0);
  const nv = col.events.map((e) => e.kind.StateChange.new_value);
  t.is(nv[0].self, '[Circular]');
  t.is(nv[1], '10n');
  t.is(nv[7].$type, 'Account');
  t.is(nv[7].balance, 5);
  t.is(nv[11], '[Proxy]');
  t.is(nv[15], null);
  for (const e of col.events) t.true(JSON.stringify(e).length < 20000, 'each snapshot stays small');
  await c.shutdown();
  await col.close();
});

test.serial('server down: the app is unaffected, the queue stays bounded, drops are counted', async (t) => {
  const endpoint = await deadEndpoint();
  const c = new RacewayClient({ endpoint, maxQueueSize: 500, batchSize: 50, ...quiet });
  for (let i = 0; i < 5000; i++) c.captureStateChange('x', i, i + 1, 'a.ts:1');
  // Bounded: the hand-off ring (maxQueueSize rows here) and the shipping queue (maxQueueSize), plus
  // the batch the shipping thread is working on when its counters were last published.
  t.true(c.stats().queued <= 1500, JSON.stringify(c.stats()));
  t.true(c.stats().dropped >= 3500, JSON.stringify(c.stats()));
  await c.flush(); // must resolve: everything is delivered or definitively dropped
  const s = c.stats();
  t.is(s.captured, 5000);
  t.is(s.sent, 0);
  t.is(s.dropped, 5000);
  t.true(s.failedRequests > 0);
  t.is(s.failed, 0, 'no capture call failed');
  await c.shutdown();
});

test.serial('500s then recovery: every event is delivered', async (t) => {
  const col = await startCollector({ plan: [500, 503, 429] });
  const c = new RacewayClient({ endpoint: col.endpoint, batchSize: 10, ...quiet });
  for (let i = 0; i < 35; i++) c.captureStateChange('x', i, i + 1, 'a.ts:1');
  await c.flush();
  t.is(col.events.length, 35);
  t.deepEqual(col.events.map((e) => e.kind.StateChange.new_value), Array.from({ length: 35 }, (_, i) => i + 1));
  t.is(c.stats().sent, 35);
  t.is(c.stats().failedRequests, 3);
  await c.shutdown();
  await col.close();
});

test.serial('a batch the server rejects (400) is dropped and later events still arrive', async (t) => {
  const col = await startCollector({ plan: [400] });
  const c = new RacewayClient({ endpoint: col.endpoint, batchSize: 5, ...quiet });
  const warnings = [];
  const onWarn = (w) => warnings.push(w.message);
  process.on('warning', onWarn);
  for (let i = 0; i < 5; i++) c.captureStateChange('x', i, i, 'a.ts:1');
  await c.flush();
  for (let i = 5; i < 12; i++) c.captureStateChange('x', i, i, 'a.ts:1');
  await c.flush();
  process.off('warning', onWarn);
  t.deepEqual(col.events.map((e) => e.kind.StateChange.new_value), [5, 6, 7, 8, 9, 10, 11]);
  const s = c.stats();
  t.is(s.dropped, 5);
  t.is(s.sent, 7);
  t.true(warnings.some((w) => w.includes('HTTP 400')));
  await c.shutdown();
  await col.close();
});

test.serial('large batches are split under the 1 MB body limit', async (t) => {
  const col = await startCollector();
  const c = new RacewayClient({ endpoint: col.endpoint, batchSize: 400, ...quiet });
  const blob = Object.fromEntries(Array.from({ length: 8 }, (_, k) => ['k' + k, 'z'.repeat(500)]));
  for (let i = 0; i < 400; i++) c.captureStateChange('x', 'y'.repeat(400), { ...blob, i }, 'a.ts:1');
  await c.flush();
  t.is(col.events.length, 400);
  t.true(col.requests.length >= 2);
  for (const r of col.requests) t.true(r.bytes <= 1024 * 1024);
  await c.shutdown();
  await col.close();
});

test.serial('apiKey is sent as Bearer and x-raceway-key', async (t) => {
  const col = await startCollector();
  const c = new RacewayClient({ endpoint: col.endpoint, apiKey: 'k3y', ...quiet });
  c.captureCustom('x');
  await c.flush();
  t.is(col.requests[0].headers.authorization, 'Bearer k3y');
  t.is(col.requests[0].headers['x-raceway-key'], 'k3y');
  t.is(col.requests[0].url, '/events');
  await c.shutdown();
  await col.close();
});

test('invalid configuration fails at construction, naming the field and what it accepts', (t) => {
  const e1 = t.throws(() => new RacewayClient({ endpoint: 'not a url' }), { instanceOf: RacewayConfigError });
  t.regex(e1.message, /"endpoint".*http/);
  t.is(e1.field, 'endpoint');
  t.regex(t.throws(() => new RacewayClient({ batchSize: 0 })).message, /"batchSize".*integer from 1/);
  t.regex(t.throws(() => new RacewayClient({ batchsize: 10 })).message, /"batchsize".*unknown option.*batchSize/);
  t.regex(t.throws(() => new RacewayClient({ endpoint: 'ftp://x' })).message, /"endpoint"/);
  t.regex(t.throws(() => new RacewayClient({ tags: { a: 1 } })).message, /"tags"/);
  t.regex(t.throws(() => new RacewayClient({ enabled: 'yes' })).message, /"enabled".*true or false/);
  t.regex(t.throws(() => new RacewayClient({ sampleRate: 2 })).message, /"sampleRate".*0 to 1/);
});

test('enabled: false captures nothing and opens nothing', async (t) => {
  const c = new RacewayClient({ enabled: false });
  const handles = process._getActiveHandles().length;
  c.captureStateChange('x', 1, 2, 'a:1');
  c.captureCustom('y');
  await c.flush();
  t.deepEqual(c.stats(), { captured: 0, sent: 0, dropped: 0, rejected: 0, queued: 0, failedRequests: 0, failed: 0, requestsRecorded: 0, requestsLeftOut: 0, readsLeftOut: 0 });
  t.false(c.enabled);
  t.is(process._getActiveHandles().length, handles);
  await c.shutdown();
});

test.serial('init() replaces the process-wide client used by instrumented code', async (t) => {
  const col = await startCollector();
  const c = init({ endpoint: col.endpoint, serviceName: 'global', ...quiet });
  t.is(getClient(), c);
  getClient().captureCustom('hello');
  await c.flush();
  t.is(col.events[0].metadata.service_name, 'global');
  await c.shutdown();
  await col.close();
});

test('validateEvent rejects kind names that only exist on Object.prototype', (t) => {
  const base = { id: '0192b2d0-0000-7000-8000-000000000001', trace_id: '0192b2d0-0000-7000-8000-000000000002', parent_id: null, timestamp: '2026-11-27T10:00:00.000000Z', metadata: { thread_id: 't', process_id: 1, service_name: 's', environment: 'e', tags: {}, duration_ns: null }, causality_vector: [], lock_set: [] };
  for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
    const kind = JSON.parse(`{"${name}": {}}`);
    t.true(validateEvent({ ...base, kind }).some((e) => /field "kind"/.test(e)), name);
  }
  t.deepEqual(validateEvent({ ...base, kind: { Custom: { name: 'x', data: null } } }), []);
});

test.serial('flush(timeoutMs) returns after the bound against a server that accepts and never answers', async (t) => {
  const net = await import('node:net');
  const sockets = [];
  const silent = net.createServer((s) => { sockets.push(s); s.on('error', () => undefined); });
  await new Promise((r) => silent.listen(0, '127.0.0.1', r));
  t.teardown(() => { for (const s of sockets) s.destroy(); silent.close(); });
  const c = new RacewayClient({ endpoint: `http://127.0.0.1:${silent.address().port}`, handleExit: false, shutdownTimeout: 200, maxEventsPerSecond: Infinity });
  for (let i = 0; i < 50; i++) c.captureCustom('tick', { i });
  const started = Date.now();
  await c.flush(300);
  const waited = Date.now() - started;
  // Unbounded, the transport's retries (10 s header timeout each) would hold the caller for a minute.
  t.true(waited < 5000, `flush returned after ${waited} ms`);
  t.true(waited >= 250, `flush returned early, after ${waited} ms`);
  t.is(c.stats().dropped, 0, 'what was not delivered stays queued');
  t.is(c.stats().queued, 50);
  await c.shutdown();
});

test.serial('capture arguments never run the application\'s code (Proxy traps, getters, toString) and are still recorded', async (t) => {
  const col = await startCollector();
  const c = new RacewayClient({ endpoint: col.endpoint, handleExit: false, maxEventsPerSecond: Infinity });
  const ran = [];
  const trap = new Proxy({}, { get(_, k) { ran.push(`get ${String(k)}`); return () => 'x'; }, ownKeys() { ran.push('ownKeys'); return []; } });
  const sneaky = { toString() { ran.push('toString'); return 'name'; } };
  const headers = { get host() { ran.push('getter'); return 'h'; }, accept: 'text/html', 'x-list': ['a', 'b'], authorization: 'Bearer s3cret' };
  const error = new Error('boom');
  Object.defineProperty(error, 'message', { get() { ran.push('message getter'); return 'm'; } });
  c.captureStateChange(trap, 1, 2, sneaky);
  c.captureLockAcquire(sneaky, trap, trap);
  c.captureHttpRequest(trap, sneaky, headers, null);
  c.captureHttpRequest('GET', '/x', trap, null);
  c.captureCustom(sneaky, null);
  // The test runner installs an Error.prepareStackTrace (program code as far as the runtime can
  // tell, so it reads no stack then); the plain case runs without it.
  const prepare = Error.prepareStackTrace;
  Error.prepareStackTrace = undefined;
  try { c.captureError(new RangeError('plain')); } finally { Error.prepareStackTrace = prepare; }
  c.captureError(error);
  c.captureError(trap);
  await c.flush();
  await c.shutdown();
  await col.close();
  t.deepEqual(ran, []);
  const kinds = col.events.map(kindOf);
  t.deepEqual(kinds.filter((k) => k !== 'FunctionCall'), ['StateChange', 'LockAcquire', 'HttpRequest', 'HttpRequest', 'Custom', 'Error', 'Error', 'Error']);
  const sc = col.events.find((e) => kindOf(e) === 'StateChange').kind.StateChange;
  t.is(sc.variable, '[Proxy]');
  t.is(sc.location, '[Object]');
  const req = col.events.filter((e) => kindOf(e) === 'HttpRequest')[0].kind.HttpRequest;
  t.deepEqual(req.headers, { accept: 'text/html', 'x-list': 'a, b', authorization: '[redacted]' });
  const [plain, hostile, proxy] = col.events.filter((e) => kindOf(e) === 'Error').map((e) => e.kind.Error);
  t.like(plain, { error_type: 'RangeError', message: 'plain' });
  t.true(plain.stack_trace.length > 0, 'a plain error keeps its stack');
  // Formatting this one's stack would call its message getter: it is recorded without.
  t.like(hostile, { error_type: 'Error', message: '', stack_trace: [] });
  t.like(proxy, { error_type: 'object', stack_trace: [] });
  const s = c.stats();
  t.is(s.captured, s.sent + s.dropped + s.rejected + s.queued);
  t.is(s.failed, 0, 'hostile arguments convert safely: no call failed');
});

test.serial('a synchronous burst up to maxQueueSize is delivered whole, though the loop never yields', async (t) => {
  const col = await startCollector();
  const c = new RacewayClient({ endpoint: col.endpoint, handleExit: false, maxEventsPerSecond: Infinity, maxQueueSize: 200_000 });
  // Far more than the hand-off ring holds: capture waits for the shipping thread instead of dropping.
  for (let i = 0; i < 200_000; i++) c.captureCustom('tick', i);
  await c.flush(120_000);
  const s = c.stats();
  await c.shutdown();
  await col.close();
  t.like(s, { captured: 200_000, sent: 200_000, dropped: 0, queued: 0 });
  const ticks = col.events.filter((e) => kindOf(e) === 'Custom');
  t.is(ticks.length, 200_000);
  t.is(new Set(ticks.map((e) => e.kind.Custom.data)).size, 200_000);
});

test.serial('events a server rejects inside a 206 count as rejected, neither sent nor dropped', async (t) => {
  const col = await startCollector({ plan: [{ status: 206, rejected_count: 3 }] });
  const c = new RacewayClient({ endpoint: col.endpoint, batchSize: 10, handleExit: false, maxEventsPerSecond: Infinity });
  for (let i = 0; i < 10; i++) c.captureStateChange('x', i, i + 1, 'a.ts:1');
  await c.flush();
  const s = c.stats();
  await c.shutdown();
  await col.close();
  t.like(s, { captured: 10, sent: 7, dropped: 0, rejected: 3, queued: 0 });
});

test.serial('a capture call whose arguments cannot be used records nothing, counts as failed, and runs none of the app\'s code', async (t) => {
  const col = await startCollector();
  const c = new RacewayClient({ endpoint: col.endpoint, handleExit: false, maxEventsPerSecond: Infinity });
  const ran = [];
  const valueOf = { valueOf() { ran.push('valueOf'); return 200; } };
  const trap = new Proxy({}, { get(_, k) { ran.push(`get ${String(k)}`); return 1; } });
  c.captureStateChange('x', 1, 2, 'a.ts:1', 'Sideways'); // not an access type
  c.captureHttpResponse(valueOf); // a status that is an object: its valueOf is never called
  c.captureHttpResponse(200, {}, null, valueOf);
  c.captureFunctionCall('f', [], { line: valueOf });
  c.captureFunctionCall('g', [], trap); // a Proxy location reads as none: recorded
  c.captureFunctionCall('h', [], { get file() { ran.push('file getter'); return 'x'; }, line: '7' }); // recorded
  c.captureHttpResponse('204'); // a numeric string converts as Number would: recorded
  await c.flush();
  const s = c.stats();
  await c.shutdown();
  await col.close();
  t.deepEqual(ran, []);
  t.like(s, { captured: 3, failed: 4, sent: 3, dropped: 0, rejected: 0, queued: 0 });
  t.is(col.events.length, 3);
  const calls = col.events.filter((e) => kindOf(e) === 'FunctionCall').map((e) => e.kind.FunctionCall);
  t.like(calls[0], { function_name: 'g', file: '', line: 0 });
  t.like(calls[1], { function_name: 'h', file: '', line: 7 });
  t.is(col.events.find((e) => kindOf(e) === 'HttpResponse').kind.HttpResponse.status, 204);
});

test.serial('captured = sent + dropped + rejected + queued in every answer while a burst is shipped', async (t) => {
  const col = await startCollector({ plan: [500, { status: 206, rejected_count: 2 }] });
  const c = new RacewayClient({ endpoint: col.endpoint, handleExit: false, batchSize: 20, maxQueueSize: 300, maxEventsPerSecond: Infinity });
  const answers = [];
  for (let i = 0; i < 2000; i++) {
    c.captureCustom('tick', i);
    if (i % 50 === 0) answers.push(c.stats());
    if (i % 400 === 0) await new Promise((r) => setImmediate(r));
  }
  const flushing = c.flush();
  for (let i = 0; i < 20; i++) { answers.push(c.stats()); await new Promise((r) => setTimeout(r, 5)); }
  await flushing;
  answers.push(c.stats());
  await c.shutdown();
  answers.push(c.stats());
  await col.close();
  for (const s of answers) {
    t.is(s.captured, s.sent + s.dropped + s.rejected + s.queued, JSON.stringify(s));
    t.true(s.queued >= 0, JSON.stringify(s));
  }
  const last = answers.at(-1);
  t.like(last, { captured: 2000, queued: 0, rejected: 2 });
});

test.serial('a shipping thread that dies: shipping goes on from the app thread, and what it had sent stays counted', async (t) => {
  const col = await startCollector();
  const c = new RacewayClient({ endpoint: col.endpoint, handleExit: false, maxEventsPerSecond: Infinity });
  for (let i = 0; i < 100; i++) c.captureCustom('before', i);
  await c.flush(60_000);
  t.like(c.stats(), { captured: 100, sent: 100, queued: 0 });
  const worker = c.transport.worker; // internal: the shipping thread, ended from outside as a crash would
  t.truthy(worker);
  await new Promise((resolve) => { worker.once('exit', resolve); void worker.terminate(); });
  for (let i = 0; i < 100; i++) c.captureCustom('after', i);
  await c.flush(60_000);
  const s = c.stats();
  await c.shutdown();
  await col.close();
  t.is(s.captured, s.sent + s.dropped + s.rejected + s.queued, JSON.stringify(s));
  t.like(s, { captured: 200, sent: 200, dropped: 0, queued: 0 });
  t.is(col.events.length, 200);
});
