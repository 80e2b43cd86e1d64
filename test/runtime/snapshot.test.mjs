// What events carry as values (runtime/serialize.ts): a value that fits the preview exactly, so equal
// JSON texts mean equal values; a larger object as a short preview plus its identity, so equal texts
// mean the same object with the same preview; a long string truncated, with the hash of the whole.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { captureArgs, captureValue, identity, snapshot, snapshotPlain, SnapshotText, DEFAULT_LIMITS } from '../../dist/runtime/serialize.js';
import { HASH_LIMITS } from '../../dist/runtime/value-hash.js';
import { RacewayClient, validateEvent } from 'raceway';
import { startCollector } from './_collector.mjs';

const text = (v) => JSON.stringify(snapshot(v));
/** The JSON text an event carries for `v`. */
const wire = (v) => { const c = captureValue(v); return c instanceof SnapshotText ? c.json : JSON.stringify(c); };
const ID = /^[0-9a-f]{12}\.[0-9a-z]+$/;

/** The identity a snapshot carries, or undefined. */
function idOf(snap) {
  if (typeof snap === 'string') return / \$id:(\S+)$/.exec(snap)?.[1];
  if (Array.isArray(snap)) return /^\$id:(.*)$/.exec(String(snap.at(-1)))?.[1];
  if (snap !== null && typeof snap === 'object') return snap.$id;
  return undefined;
}

/** A value of `n` plain objects below one array: more than any preview shows. */
const records = (n, last = 0) => Array.from({ length: n }, (_, i) => ({ id: i, tags: ['a', i === n - 1 ? last : 0] }));

test('values that fit the preview are exactly their JSON, with no identity', (t) => {
  t.is(text({ a: 1, b: 'x', c: [1, 2, { d: null }] }), '{"a":1,"b":"x","c":[1,2,{"d":null}]}');
  t.is(text([1, 'two', true, null, undefined]), '[1,"two",true,null,null]');
  t.is(text(new Map([['k', { v: 1 }]])), '{"$type":"Map","size":1,"entries":[["k",{"v":1}]]}');
  t.is(text(new Set([1, 2])), '{"$type":"Set","size":2,"values":[1,2]}');
  t.is(text('y'.repeat(DEFAULT_LIMITS.maxString)), JSON.stringify('y'.repeat(DEFAULT_LIMITS.maxString)));
  t.is(text(new Date(0)), '"1970-01-01T00:00:00.000Z"');
  t.is(text(/a\/b/gi), JSON.stringify('/a\\/b/gi'));
  t.is(text(new Error('boom')), '{"$type":"Error","name":"Error","message":"boom"}');
  t.is(text(new Uint8Array(0)), '"[Uint8Array length=0]"');
  t.is(text(Array.from({ length: DEFAULT_LIMITS.maxItems }, (_, i) => i)).includes('$id'), false);
  class Account { constructor() { this.balance = 5; } }
  t.is(text(new Account()), '{"$type":"Account","balance":5}');
  t.is(text(Promise.resolve(1)), '"[Promise]"');
  t.is(text(new Proxy({}, {})), '"[Proxy]"');
  t.is(text(NaN), '"NaN"');
  t.is(text(-0), '0');
  t.is(text(10n), '"10n"');
  // Equal values that fit are equal texts, whichever objects hold them.
  t.is(text({ user: { id: 7, roles: ['a', 'b'] } }), text({ user: { id: 7, roles: ['a', 'b'] } }));
});

test('a larger object is a short preview plus its identity: the same object gives the same text', (t) => {
  const big = records(50);
  const snap = snapshot(big);
  t.regex(idOf(snap), ID);
  t.is(idOf(snap), identity(big));
  t.is(text(big), text(big), 'recorded twice unchanged');
  t.true(text(big).length < 2000, 'a preview, not the value');
  t.not(text(big), text(records(50)), 'another object with equal contents is another value');
  t.not(idOf(snapshot(records(50))), idOf(snapshot(records(50))));
  const before = text(big);
  big[0].id = 99; // within the preview
  t.not(text(big), before, 'a change the preview shows changes the text');
  t.is(idOf(snapshot(big)), identity(big), 'the identity stays');
  // Past the depth limit, a cycle, a getter, a buffer's bytes, a boxed primitive: left out, so marked.
  const deep = { a: { b: { c: { d: 1 } } } };
  t.regex(snapshot(deep).$id, ID);
  const ring = { v: 1 };
  ring.self = ring;
  t.is(snapshot(ring).self, '[Circular]');
  t.regex(snapshot(ring).$id, ID);
  t.regex(snapshot({ get g() { return 1; } }).$id, ID);
  t.regex(snapshot(Buffer.from('abc')), /^\[Buffer length=3\] \$id:[0-9a-f]{12}\.[0-9a-z]+$/);
  t.regex(snapshot(Object(1)), /^\[Number\] \$id:/);
  t.regex(snapshot([, 1]).at(-1), /^\$id:/, 'a hole is not null');
});

test('the preview is bounded by its node budget, whatever the size of the value', (t) => {
  const wide = Array.from({ length: 1000 }, (_, i) => ({ i, more: Array.from({ length: 100 }, (_, j) => ({ j })) }));
  const snap = snapshot(wide);
  t.true(JSON.stringify(snap).length < 2000);
  t.is(snap.at(-2), `…(${1000 - DEFAULT_LIMITS.maxItems} more)`);
  // Past the budget, objects are tags: the first items are expanded, the later ones are not.
  t.is(snap[0].i, 0);
  t.is(snap[DEFAULT_LIMITS.maxItems - 1], '[Object]');
});

test('long strings are truncated and carry the hash of the whole string', (t) => {
  const long = (end) => 'x'.repeat(DEFAULT_LIMITS.maxString + 10) + end;
  t.regex(snapshot(long('a')), /^x{512}…\(11 more\) \$hash:[0-9a-f]{16}$/);
  t.is(text(long('a')), text(long('a')), 'equal strings, equal texts (the hash of a repeat comes from a cache)');
  t.not(text(long('a')), text(long('b')));
  t.true(snapshot('x'.repeat(HASH_LIMITS.maxChars + 1)).endsWith(' $hash:?'));
  // Inside an object a long string is truncated; the object is marked with its identity.
  t.regex(snapshot({ s: long('a') }).$id, ID);
});

test('the JSON text events carry is the snapshot', (t) => {
  const ring = { v: 1 };
  ring.self = ring;
  class AppError extends Error { constructor(m) { super(m); this.name = 'AppError'; } }
  const values = [{ a: 1, b: [1, { c: 'x' }] }, records(50), ring, new Map([[{ k: 1 }, new Set([1])]]), [, 2, 'é\n"'],
    new AppError('boom'), Buffer.from('ab'), new Date(0), () => 1, Symbol('s'), 'x'.repeat(600), 3.5, NaN, -0, null, undefined, true, 10n,
    Object.assign(Object.create(null), { n: 1 }), { 1: 'one', b: 2 }, new (class K { constructor() { this[0] = 'zero'; this.k = 1; } })()];
  for (const v of values) {
    t.deepEqual(JSON.parse(wire(v)), snapshot(v));
  }
  const big = records(50);
  const args = JSON.parse(captureArgs(['a', 'b', 'c'], [big, 'x', undefined]).json);
  t.deepEqual(args, { a: snapshot(big), b: 'x', c: null }, 'each argument its own snapshot');
  t.is(captureArgs([], []).json, '{}');
  t.deepEqual(snapshotPlain(records(50)).at(-1), `…(${50 - DEFAULT_LIMITS.maxItems} more)`, 'no identity where the schema fixes the shape');
});

test('identities differ between processes', (t) => {
  const module = fileURLToPath(new URL('../../dist/runtime/serialize.js', import.meta.url));
  const run = () => execFileSync(process.execPath, ['-e', `console.log(require(${JSON.stringify(module)}).identity({}))`], { encoding: 'utf8' }).trim();
  const a = run(), b = run();
  t.regex(a, ID);
  t.not(a, b);
});

test('events carry the identity in the schema-valid value; event kinds given as-is do not', async (t) => {
  const col = await startCollector();
  const c = new RacewayClient({ endpoint: col.endpoint, handleExit: false, flushInterval: 50 });
  const cfg = records(40);
  c.captureStateChange('cfg', cfg, records(40), 'x.ts:1', 'Write');
  c.captureStateChange('cfg', cfg, cfg, 'x.ts:2', 'Read');
  c.captureEvent({ Custom: { name: 'n', data: records(40) } });
  await c.flush();
  t.is(col.events.length, 3);
  for (const e of col.events) t.deepEqual(validateEvent(e), []);
  const [w, r] = col.events.map((e) => e.kind.StateChange);
  t.is(idOf(w.old_value), identity(cfg));
  t.not(idOf(w.new_value), identity(cfg));
  t.deepEqual(r.new_value, w.old_value, 'the read of the object the write replaced shows the same value');
  t.false(JSON.stringify(col.events[2].kind).includes('$id'));
  await c.shutdown();
  await col.close();
});

test('class instances: tagged with their class, framework objects unwalked, no trap or getter run', async (t) => {
  const { EventEmitter } = await import('node:events');
  let traps = 0;
  const handler = new Proxy({}, { get() { traps++; return () => { throw new Error('trap ran'); }; } });
  const proxy = new Proxy({ secret: 1 }, handler);
  class Point { constructor(x) { this.x = x; } get norm() { traps++; return 0; } }
  class Ctx { constructor() { this.req = {}; this.res = {}; } }
  class Counts extends Map {}
  class AppError extends Error { constructor(m) { super(m); this.name = 'AppError'; } }
  for (let round = 0; round < 2; round++) { // the second time from the facts kept for each class
    t.is(text(new Point(round)), `{"$type":"Point","x":${round}}`);
    t.is(text(Object.assign(new EventEmitter(), { n: round })), '"[EventEmitter]"');
    t.is(text(new Ctx()), '"[Ctx]"');
    t.is(text(new Counts([[1, 2]])), '{"$type":"Map","size":1,"entries":[[1,2]]}');
    t.is(text(new AppError('x')), '{"$type":"AppError","name":"AppError","message":"x"}');
    t.regex(snapshot(Object.create(proxy)), /^\[Object\] \$id:/);
    t.is(text(Object.assign(Object.create(null), { n: 1 })), '{"n":1}');
  }
  // An own `on` that is not a function does not make an object opaque.
  class WithOn { constructor() { this.on = true; this.emit = () => {}; } }
  t.is(text(new WithOn()), '{"$type":"WithOn","on":true,"emit":"[Function anonymous]"}');
  t.is(traps, 0);
});
