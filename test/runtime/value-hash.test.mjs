// The structural hash of a whole value (runtime/value-hash.ts): equal values hash equal, values that
// differ anywhere (beyond any preview's limits too) hash differently, and the walk never runs program
// code and stays bounded. Snapshots carry it for long strings (test/runtime/snapshot.test.mjs).
import test from 'ava';
import { valueHash, HASH_LIMITS, UNHASHABLE } from '../../dist/runtime/value-hash.js';

const text = (v) => valueHash(v);
const HEX = /^[0-9a-f]{16}$/;

/** `{ a: { b: { c: { d: leaf } } } }`: the leaf is below any preview's depth. */
const deep = (leaf) => ({ a: { b: { c: { d: leaf } } } });

test('equal deep values hash equal; values differing deep inside hash differently', (t) => {
  const a = text(deep({ e: [1, 2, 3] }));
  t.is(a, text(deep({ e: [1, 2, 3] })));
  t.regex(text(deep(1)), HEX);
  const b = text(deep({ e: [1, 2, 4] }));
  t.not(a, b);
  t.not(text(deep(1)), text(deep('1')), 'type tags count');
  t.not(text(deep(null)), text(deep(undefined)));
  t.not(text(deep({ x: 1, y: 2 })), text(deep({ y: 2, x: 1 })), 'key order counts, as in lossless JSON text');
  t.not(text(deep(new Map([[1, 2]]))), text(deep(new Map([[1, 3]]))));
  t.not(text(deep(new Set([1, 2]))), text(deep(new Set([2, 1]))));
  class A { constructor() { this.v = 1; } }
  class B { constructor() { this.v = 1; } }
  t.not(text(deep(new A())), text(deep(new B())), 'class names count');
});

test('values differing only in their last items hash differently', (t) => {
  const n = 40;
  const arr = (last) => Array.from({ length: n }, (_, i) => (i === n - 1 ? last : i));
  t.is(text(arr('x')), text(arr('x')));
  t.not(text(arr('x')), text(arr('y')));
  t.regex(text(arr('x')), HEX);

  const obj = (last) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i === n - 1 ? last : i]));
  t.is(text(obj(1)), text(obj(1)));
  t.not(text(obj(1)), text(obj(2)));
  const map = (last) => new Map(Array.from({ length: n }, (_, i) => [i, i === n - 1 ? last : i]));
  t.not(text(map(1)), text(map(2)));
  const set = (last) => new Set(Array.from({ length: n }, (_, i) => (i === n - 1 ? last : i)));
  t.not(text(set(-1)), text(set(-2)));
  // Many small objects: every value counts.
  const wide = (last) => Array.from({ length: 20 }, (_, i) => Array.from({ length: 20 }, (_, j) => ({ v: i === 19 && j === 19 ? last : 0 })));
  t.not(text(wide(1)), text(wide(2)));
});

test('long strings differing only at their end hash differently', (t) => {
  const long = (end) => 'x'.repeat(600) + end;
  t.regex(text(long('a')), HEX);
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
  t.regex(text(ring('a')), HEX);
  t.is(text(ring('a')), text(ring('a')));
  t.not(text(ring('a')), text(ring('z')));
  const self = { v: 1 };
  self.self = self;
  const other = { v: 1, self: { v: 1, self: null } };
  other.self.self = other.self;
  t.not(text(self), text(other), 'a cycle back to the root is not a cycle one level down');
  const m = new Map();
  m.set('me', m);
  t.regex(text(m), HEX);
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
  t.regex(text(throwing), HEX);
  const arr = Array.from({ length: 40 }, (_, i) => i);
  Object.defineProperty(arr, 35, { get() { calls++; return 0; }, enumerable: true });
  t.regex(text(arr), HEX);
  class Sub extends Map { get size() { calls++; return 0; } entries() { calls++; return [][Symbol.iterator](); } }
  t.regex(text(deep(new Sub([[1, 2]]))), HEX);
  const re = deep(/x/g);
  t.regex(text(re), HEX);
  class SneakyRegExp extends RegExp { get flags() { calls++; return 'zz'; } get global() { calls++; return false; } }
  t.is(text(new SneakyRegExp('a', 'g')), text(/a/g));
  // `instanceof` would call a program's Symbol.hasInstance: the hash does not use it.
  for (const C of [Error, Buffer]) Object.defineProperty(C, Symbol.hasInstance, { value: () => { calls++; return false; }, configurable: true });
  try {
    class AppError extends Error { constructor(m) { super(m); this.name = 'AppError'; } }
    t.not(text(new AppError('x')), text({ name: 'AppError', message: 'x' }));
    t.not(text(deep(new AppError('x'))), text(deep(new AppError('y'))));
    t.not(text(Buffer.from('a')), text(Buffer.from('b')));
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
  t.regex(text(Object.create(p)), HEX);
  t.is(text(new Proxy({ a: 1 }, {})), text(new Proxy({ a: 2 }, {})), 'a Proxy is a tag, nothing read');
  t.is(traps, 0);
});

test('buffers, typed arrays and boxed primitives hash their contents', (t) => {
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
  t.is(text(huge), UNHASHABLE);
  const longString = 'x'.repeat(HASH_LIMITS.maxChars + 1);
  t.is(text(longString), UNHASHABLE);
  t.is(text({ s: longString }), UNHASHABLE);
  let chain = {};
  const root = chain;
  for (let i = 0; i < HASH_LIMITS.maxDepth + 5; i++) chain = chain.next = {};
  t.is(text(root), UNHASHABLE);
  // Shared subobjects are hashed as a tree: 2^30 paths end at the node bound, not in minutes.
  let dag = [1];
  for (let i = 0; i < 30; i++) dag = [dag, dag];
  t.is(text(dag), UNHASHABLE);
  // Just inside the bounds: a hash.
  t.regex(valueHash(Array.from({ length: HASH_LIMITS.maxNodes - 1 }, (_, i) => i)), HEX);
  const small = { maxNodes: 2, maxChars: 20, maxDepth: 2 }; // the class tag "Object" counts as characters
  t.regex(valueHash({ limits: 1 }, small), HEX);
  t.is(valueHash({ limits: 1, more: 2 }, small), '?');
  t.is(valueHash({ limits: 'x'.repeat(20) }, small), '?');
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
