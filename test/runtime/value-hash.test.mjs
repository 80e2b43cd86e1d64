// Snapshots that leave something out carry a structural hash of the whole value (runtime/serialize.ts,
// runtime/value-hash.ts); the analyzer decides "same value" on the JSON text of the snapshot, so equal
// texts must mean equal values and different values must give different texts.
import test from 'ava';
import { snapshot, snapshotPlain, DEFAULT_LIMITS } from '../../dist/runtime/serialize.js';
import { valueHash, HASH_LIMITS, UNHASHABLE } from '../../dist/runtime/value-hash.js';
import { RacewayClient, validateEvent } from 'raceway';
import { startCollector } from './_collector.mjs';

const text = (v) => JSON.stringify(snapshot(v));
const HEX = /^[0-9a-f]{16}$/;

/** The hash a snapshot carries (contract A), or undefined. */
function hashOf(snap) {
  if (typeof snap === 'string') return /\$hash:([0-9a-f]{16}|\?)$/.exec(snap)?.[1];
  if (Array.isArray(snap)) return /^\$hash:(.*)$/.exec(String(snap.at(-1)))?.[1];
  if (snap !== null && typeof snap === 'object') return snap.$hash;
  return undefined;
}

/** `{ a: { b: { c: { d: leaf } } } }`: the leaf is below the snapshot depth. */
const deep = (leaf) => ({ a: { b: { c: { d: leaf } } } });

test('lossless snapshots are exactly the JSON they were, with no hash', (t) => {
  t.is(text({ a: 1, b: 'x', c: [1, 2, { d: null }] }), '{"a":1,"b":"x","c":[1,2,{"d":null}]}');
  t.is(text([1, 'two', true, null, undefined]), '[1,"two",true,null,null]');
  t.is(text(new Map([['k', { v: 1 }]])), '{"$type":"Map","size":1,"entries":[["k",{"v":1}]]}');
  t.is(text(new Set([1, 2])), '{"$type":"Set","size":2,"values":[1,2]}');
  t.is(text('y'.repeat(DEFAULT_LIMITS.maxString)), JSON.stringify('y'.repeat(DEFAULT_LIMITS.maxString)));
  t.is(text(new Date(0)), '"1970-01-01T00:00:00.000Z"');
  t.is(text(/a\/b/gi), JSON.stringify('/a\\/b/gi'));
  t.is(text(new Error('boom')), '{"$type":"Error","name":"Error","message":"boom"}');
  t.is(text(new Uint8Array(0)), '"[Uint8Array length=0]"');
  t.is(text(Array.from({ length: DEFAULT_LIMITS.maxItems }, (_, i) => i)).includes('$hash'), false);
  class Account { constructor() { this.balance = 5; } }
  t.is(text(new Account()), '{"$type":"Account","balance":5}');
  t.is(text(Promise.resolve(1)), '"[Promise]"');
  t.is(text(new Proxy({}, {})), '"[Proxy]"');
});

test('equal deep values hash equal; values differing only below the depth limit hash differently', (t) => {
  const a = text(deep({ e: [1, 2, 3] }));
  t.is(a, text(deep({ e: [1, 2, 3] })));
  t.regex(hashOf(snapshot(deep(1))), HEX);
  const b = text(deep({ e: [1, 2, 4] }));
  t.not(a, b);
  // The snapshots themselves cannot tell them apart: only the hash does.
  t.deepEqual(snapshotPlain(deep({ e: [1, 2, 3] })), snapshotPlain(deep({ e: [1, 2, 4] })));
  t.not(text(deep(1)), text(deep('1')), 'type tags count');
  t.not(text(deep(null)), text(deep(undefined)));
  t.not(text(deep({ x: 1, y: 2 })), text(deep({ y: 2, x: 1 })), 'key order counts, as in lossless JSON text');
  t.not(text(deep(new Map([[1, 2]]))), text(deep(new Map([[1, 3]]))));
  t.not(text(deep(new Set([1, 2]))), text(deep(new Set([2, 1]))));
  class A { constructor() { this.v = 1; } }
  class B { constructor() { this.v = 1; } }
  t.not(text(deep(new A())), text(deep(new B())), 'class names count');
});

test('values differing only beyond the item limit hash differently', (t) => {
  const n = DEFAULT_LIMITS.maxItems + 8;
  const arr = (last) => Array.from({ length: n }, (_, i) => (i === n - 1 ? last : i));
  t.is(text(arr('x')), text(arr('x')));
  t.not(text(arr('x')), text(arr('y')));
  t.regex(hashOf(snapshot(arr('x'))), HEX);
  t.is(snapshot(arr('x')).length, DEFAULT_LIMITS.maxItems + 2, 'the items, the "…(n more)" marker, the hash');

  const obj = (last) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i === n - 1 ? last : i]));
  t.is(text(obj(1)), text(obj(1)));
  t.not(text(obj(1)), text(obj(2)));
  const map = (last) => new Map(Array.from({ length: n }, (_, i) => [i, i === n - 1 ? last : i]));
  t.not(text(map(1)), text(map(2)));
  const set = (last) => new Set(Array.from({ length: n }, (_, i) => (i === n - 1 ? last : i)));
  t.not(text(set(-1)), text(set(-2)));
  // Beyond the node budget (256 expansions), not the item limit.
  const wide = (last) => Array.from({ length: 20 }, (_, i) => Array.from({ length: 20 }, (_, j) => ({ v: i === 19 && j === 19 ? last : 0 })));
  t.not(text(wide(1)), text(wide(2)));
});

test('strings differing only beyond the string limit hash differently', (t) => {
  const long = (end) => 'x'.repeat(DEFAULT_LIMITS.maxString + 10) + end;
  const s = snapshot(long('a'));
  t.regex(s, /^x{512}…\(11 more\) \$hash:[0-9a-f]{16}$/);
  t.is(text(long('a')), text(long('a')));
  t.not(text(long('a')), text(long('b')));
  t.not(text({ s: long('a') }), text({ s: long('b') }), 'nested strings too');
  t.not(text(new Error(long('a'))), text(new Error(long('b'))), 'error messages too');
});

test('cycles end, and equal cyclic values hash equal', (t) => {
  const ring = (label) => {
    const a = { label, next: null };
    const b = { label: 'b', next: a };
    a.next = b;
    return a;
  };
  const r = snapshot(ring('a'));
  t.regex(r.$hash, HEX);
  t.is(text(ring('a')), text(ring('a')));
  t.not(text(ring('a')), text(ring('z')));
  const self = { v: 1 };
  self.self = self;
  const other = { v: 1, self: { v: 1, self: null } };
  other.self.self = other.self;
  t.not(text(self), text(other), 'a cycle back to the root is not a cycle one level down');
  const m = new Map();
  m.set('me', m);
  t.regex(hashOf(snapshot(m)), HEX);
});

test('a subobject reached twice hashes as the tree the program sees', (t) => {
  const leaf = () => deep([1, 2]);
  const shared = leaf();
  t.is(text({ x: shared, y: shared }), text({ x: leaf(), y: leaf() }));
  t.not(text({ x: shared, y: shared }), text({ x: leaf(), y: deep([1, 3]) }));
});

test('the hash never calls a getter', (t) => {
  let calls = 0;
  const counting = (v) => deep({ get g() { calls++; return v; }, plain: v });
  t.not(text(counting(1)), text(counting(2)), 'the data properties still count');
  const throwing = deep({ get boom() { calls++; throw new Error('getter ran'); } });
  t.regex(snapshot(throwing).$hash, HEX);
  const arr = Array.from({ length: 40 }, (_, i) => i);
  Object.defineProperty(arr, 35, { get() { calls++; return 0; }, enumerable: true });
  t.regex(hashOf(snapshot(arr)), HEX);
  class Sub extends Map { get size() { calls++; return 0; } entries() { calls++; return [][Symbol.iterator](); } }
  t.regex(snapshot(deep(new Sub([[1, 2]]))).$hash, HEX);
  const re = deep(/x/g);
  t.regex(snapshot(re).$hash, HEX);
  class SneakyRegExp extends RegExp { get flags() { calls++; return 'zz'; } get global() { calls++; return false; } }
  t.is(snapshot(new SneakyRegExp('a', 'g')), '/a/g');
  // `instanceof` would call a program's Symbol.hasInstance: neither the snapshot nor the hash uses it.
  for (const C of [Error, Buffer]) Object.defineProperty(C, Symbol.hasInstance, { value: () => { calls++; return false; }, configurable: true });
  try {
    class AppError extends Error { constructor(m) { super(m); this.name = 'AppError'; } }
    t.is(text(new AppError('x')), '{"$type":"AppError","name":"AppError","message":"x"}');
    t.not(text(deep(new AppError('x'))), text(deep(new AppError('y'))));
    t.regex(snapshot(Buffer.from('a')), /^\[Buffer length=1\] \$hash:/);
  } finally {
    for (const C of [Error, Buffer]) delete C[Symbol.hasInstance];
  }
  t.is(calls, 0);
  // A getter is a marker, not its (unknown) value: a getter and a data property differ.
  t.not(text(deep({ get v() { return 1; } })), text(deep({ v: 1 })));
});

test('the hash never runs a Proxy trap; a Proxy hashes as an opaque tag', (t) => {
  let traps = 0;
  const handler = new Proxy({}, { get() { traps++; return () => { throw new Error('trap ran'); }; } });
  const p = new Proxy({ secret: 1 }, handler);
  const withProxy = (v) => deep({ p, v });
  t.is(text(withProxy(1)), text(withProxy(1)));
  t.not(text(withProxy(1)), text(withProxy(2)));
  const inherits = (v) => deep(Object.create(p, { own: { value: v, enumerable: true } }));
  t.not(text(inherits(1)), text(inherits(2)), 'own data properties of an object with a Proxy prototype count');
  t.regex(snapshot(Object.create(p)), /^\[Object\] \$hash:[0-9a-f]{16}$/);
  t.is(text(new Proxy({ a: 1 }, {})), text(new Proxy({ a: 2 }, {})), 'top level: "[Proxy]", nothing read');
  t.is(traps, 0);
});

test('buffers, typed arrays and boxed primitives hash their contents', (t) => {
  t.regex(snapshot(Buffer.from('abc')), /^\[Buffer length=3\] \$hash:[0-9a-f]{16}$/);
  t.is(text(Buffer.from('abc')), text(Buffer.from('abc')));
  t.not(text(Buffer.from('abc')), text(Buffer.from('abd')));
  t.not(text(new Float64Array([1, 2])), text(new Float64Array([1, 3])));
  const ab = (b) => new Uint8Array([b]).buffer;
  t.not(text(ab(1)), text(ab(2)));
  t.not(text(Object(1)), text(Object(2)));
  t.not(text(new String('a')), text(new String('b')));
  t.not(text([, 1]), text([null, 1]), 'a hole is not null');
});

test('past the bound the hash is "?", and hashing stays bounded', (t) => {
  const huge = Array.from({ length: HASH_LIMITS.maxNodes + 1 }, (_, i) => i);
  t.is(hashOf(snapshot(huge)), UNHASHABLE);
  t.is(snapshot(huge).at(-1), '$hash:?');
  const longString = 'x'.repeat(HASH_LIMITS.maxChars + 1);
  t.true(snapshot(longString).endsWith(' $hash:?'));
  t.is(snapshot({ s: longString }).$hash, '?');
  let chain = {};
  const root = chain;
  for (let i = 0; i < HASH_LIMITS.maxDepth + 5; i++) chain = chain.next = {};
  t.is(snapshot(root).$hash, '?');
  // Shared subobjects are hashed as a tree: 2^30 paths end at the node bound, not in minutes.
  let dag = [1];
  for (let i = 0; i < 30; i++) dag = [dag, dag];
  t.is(hashOf(snapshot(dag)), '?');
  // Just inside the bounds: a hash.
  t.regex(valueHash(Array.from({ length: HASH_LIMITS.maxNodes - 1 }, (_, i) => i)), HEX);
  const small = { maxNodes: 2, maxChars: 20, maxDepth: 2 }; // the class tag "Object" counts as characters
  t.regex(valueHash({ limits: 1 }, small), HEX);
  t.is(valueHash({ limits: 1, more: 2 }, small), '?');
  t.is(valueHash({ limits: 'x'.repeat(20) }, small), '?');
});

test('events carry the hash in the schema-valid value; event kinds given as-is do not', async (t) => {
  const col = await startCollector();
  const c = new RacewayClient({ endpoint: col.endpoint, handleExit: false, flushInterval: 50 });
  c.captureStateChange('cfg', deep(1), deep(2), 'x.ts:1', 'Write');
  c.captureEvent({ Custom: { name: 'n', data: deep(3) } });
  await c.flush();
  t.is(col.events.length, 2);
  for (const e of col.events) t.deepEqual(validateEvent(e), []);
  const sc = col.events[0].kind.StateChange;
  t.regex(sc.old_value.$hash, HEX);
  t.not(sc.old_value.$hash, sc.new_value.$hash);
  t.false(JSON.stringify(col.events[1].kind).includes('$hash'));
  await c.shutdown();
  await col.close();
});

test('framework objects (emitters, sockets, request contexts) hash as their class, unwalked', async (t) => {
  const { EventEmitter } = await import('node:events');
  const emitter = (n) => Object.assign(new EventEmitter(), { n });
  t.is(text(deep(emitter(1))), text(deep(emitter(2))), 'snapshots show them as a tag: so does the hash');
  class Ctx { constructor(n) { this.req = {}; this.res = {}; this.n = n; } }
  t.is(text(deep(new Ctx(1))), text(deep(new Ctx(2))));
  class Plain { constructor(n) { this.n = n; } }
  t.not(text(deep(new Plain(1))), text(deep(new Plain(2))), 'other class instances are walked');
  // An own `on` that is not a function does not make an object opaque.
  class WithOn { constructor(n) { this.on = true; this.emit = () => {}; this.n = n; } }
  t.not(text(deep(new WithOn(1))), text(deep(new WithOn(2))));
});
