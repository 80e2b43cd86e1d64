// A capture never costs the size of the program's object more than once: a large object is listed
// once, later snapshots preview it from a remembered sample of its keys (runtime/peek.ts `ownKeys`),
// and the preview stays bounded, marked as partial with the object's identity.
import test from 'ava';
import { snapshot, DEFAULT_LIMITS } from '../../dist/runtime/serialize.js';
import { valueHash, UNHASHABLE } from '../../dist/runtime/value-hash.js';

const ID = /^[0-9a-f]{12}\.[0-9a-z]+$/;
import { LISTED_KEYS_MAX, ownKeys } from '../../dist/runtime/peek.js';
import { headerMap } from '../../dist/runtime/text.js';

function objectWithKeys(n) {
  const o = {};
  for (let i = 0; i < n; i++) o[`key${i}`] = i;
  return o;
}

const KEYS = 50_000;

test('a large object previews its first keys, counts the rest, and carries its identity', (t) => {
  const big = objectWithKeys(KEYS);
  for (let round = 0; round < 3; round++) { // the first listing and two captures from the sample
    const snap = snapshot(big);
    const keys = Object.keys(snap).filter((k) => k !== '…' && k !== '$id');
    t.deepEqual(keys, Array.from({ length: DEFAULT_LIMITS.maxItems }, (_, i) => `key${i}`));
    t.is(snap['…'], `${KEYS - DEFAULT_LIMITS.maxItems} more keys`);
    t.regex(snap.$id, ID);
    t.true(JSON.stringify(snap).length < 2000);
  }
  t.is(valueHash(big), UNHASHABLE);
});

test('a later capture of a large object reads current values, skips deleted keys and runs no getter', (t) => {
  const big = objectWithKeys(KEYS);
  snapshot(big); // listed once
  big.key0 = 'changed';
  delete big.key1;
  let called = 0;
  Object.defineProperty(big, 'key2', { get() { called++; return 1; }, enumerable: true, configurable: true });
  const snap = snapshot(big);
  t.is(snap.key0, 'changed');
  t.false('key1' in snap);
  t.is(snap.key2, '[Getter]');
  t.is(called, 0);
  t.regex(snap.$id, ID);
});

test('an object that shrinks below the listing bound is listed in full again in time', (t) => {
  const o = objectWithKeys(LISTED_KEYS_MAX + 1);
  t.false(ownKeys(o).complete);
  for (let i = 2; i <= LISTED_KEYS_MAX + 1; i++) delete o[`key${i}`];
  let last;
  for (let i = 0; i < LISTED_KEYS_MAX + 2; i++) last = ownKeys(o);
  t.true(last.complete);
  t.deepEqual(last.keys, ['key0', 'key1']);
  t.deepEqual(snapshot(o), { key0: 0, key1: 1 });
});

test('objects within the listing bound are listed afresh on every capture, exactly', (t) => {
  const o = objectWithKeys(40);
  const first = JSON.stringify(snapshot(o));
  delete o.key0;
  o.extra = 1;
  const second = snapshot(o);
  t.not(JSON.stringify(second), first);
  t.false('key0' in second);
  t.is(second['…'], `${40 - DEFAULT_LIMITS.maxItems} more keys`);
  t.regex(second.$id, ID);
});

test('arrays, Map, Set and buffers of a million items snapshot through their size', (t) => {
  const n = 1_000_000;
  const arr = new Array(n).fill(7);
  const a = snapshot(arr);
  t.is(a.length, DEFAULT_LIMITS.maxItems + 2);
  t.is(a.at(-2), `…(${n - DEFAULT_LIMITS.maxItems} more)`);
  t.regex(a.at(-1), /^\$id:/);
  const m = snapshot(new Map(arr.slice(0, 100_000).map((v, i) => [i, v])));
  t.is(m.size, 100_000);
  t.is(m.entries.length, DEFAULT_LIMITS.maxItems);
  t.regex(snapshot(new Uint8Array(n)), new RegExp(`^\\[Uint8Array length=${n}\\] \\$id:`));
});

test('a header map with many entries converts a bounded number of them', (t) => {
  const h = objectWithKeys(KEYS);
  const out = headerMap(h);
  t.true(Object.keys(out).length <= 256);
  t.is(out.key0, '0');
  t.is(headerMap({ 'set-cookie': ['a', 'b'], accept: new Array(10_000).fill('x') }).accept.split(', ').length, 256);
});

test('an object at the end of a very long prototype chain costs no more than a short one: only its own properties are looked at', (t) => {
  let proto = { inherited: 1 };
  for (let i = 0; i < 100_000; i++) proto = Object.create(proto);
  const o = Object.create(proto);
  o.own = 1;
  const snap = snapshot(o);
  t.regex(snap, /^\[Object\] \$id:/);
  const other = Object.create(proto);
  other.own = 2;
  t.not(valueHash(o), valueHash(other), 'own properties still tell them apart');
  const short = Object.create(Object.create({ inherited: 1 }));
  short.own = 1;
  t.deepEqual(snapshot(short), { own: 1 });
});
