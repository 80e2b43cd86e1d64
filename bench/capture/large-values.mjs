// bench/capture/large-values.mjs: what a snapshot of a very large program value costs, and the ways
// of listing an object's keys it could have used. V8 lists every key of a dictionary-mode object
// before handing out the first, whichever API asks, so the snapshot lists a large object once and
// remembers a sample of its keys (runtime/peek.ts `ownKeys`); arrays, typed arrays, Map and Set are
// read through their length or size and lazy iterators.
// Per shape: milliseconds and heap bytes allocated for one call (`--expose-gc` lets the heap figure
// start from a collected heap; without it the figure is left out).
//   node --expose-gc bench/capture/large-values.mjs [--keys 1000000]
import { snapshot } from '../../dist/runtime/serialize.js';

const argv = process.argv;
const KEYS = Number(argv[argv.indexOf('--keys') + 1]) || 1_000_000;
const gc = globalThis.gc;

/** Milliseconds and heap bytes that one call of `f` takes (the heap figure is a lower bound if a collection ran meanwhile). */
function once(f) {
  gc?.();
  const h0 = process.memoryUsage().heapUsed;
  const t0 = process.hrtime.bigint();
  const r = f();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const bytes = process.memoryUsage().heapUsed - h0;
  if (r === Symbol.for('never')) console.log(r); // keep the result alive until measured
  return { ms: Math.round(ms * 1000) / 1000, heapBytes: gc ? Math.max(0, bytes) : null };
}

function objectWithKeys(n, key = (i) => `key${i}`) {
  const o = {};
  for (let i = 0; i < n; i++) o[key(i)] = i;
  return o;
}

const named = objectWithKeys(KEYS);
const indexed = objectWithKeys(KEYS, (i) => i);
const small = objectWithKeys(500); // fast mode
const array = Array.from({ length: KEYS }, (_, i) => i);
const map = new Map(array.map((i) => [i, i]));
const set = new Set(array);
const bytes = new Uint8Array(KEYS * 8);

const rows = [];
const row = (what, f) => rows.push({ what, ...once(f) });

row(`Object.keys, ${KEYS} named keys`, () => Object.keys(named));
row(`for…in with break after 32, ${KEYS} named keys`, () => { let i = 0; for (const k in named) if (++i >= 32 || k === '') break; return i; });
row(`Object.getOwnPropertyNames, ${KEYS} named keys`, () => Object.getOwnPropertyNames(named));
row(`Object.keys, ${KEYS} index keys`, () => Object.keys(indexed));
row(`for…in with break after 32, ${KEYS} index keys`, () => { let i = 0; for (const k in indexed) if (++i >= 32 || k === '') break; return i; });
row('Object.keys, 500 keys (fast mode)', () => Object.keys(small));
row('for…in with break after 32, 500 keys (fast mode)', () => { let i = 0; for (const k in small) if (++i >= 32 || k === '') break; return i; });
row(`snapshot, ${KEYS} named keys, first capture (one listing)`, () => snapshot(named));
row(`snapshot, ${KEYS} named keys, next capture (sample from the WeakMap)`, () => snapshot(named));
row(`snapshot, ${KEYS} index keys, first capture`, () => snapshot(indexed));
row(`snapshot, ${KEYS} index keys, next capture`, () => snapshot(indexed));
row('snapshot, 500 keys (listed on every capture)', () => snapshot(small));
row(`snapshot, array of ${KEYS}`, () => snapshot(array));
row(`snapshot, Map of ${KEYS}`, () => snapshot(map));
row(`snapshot, Set of ${KEYS}`, () => snapshot(set));
row(`snapshot, Uint8Array of ${KEYS * 8} bytes`, () => snapshot(bytes));
row(`snapshot, { big: <${KEYS} named keys> } (nested)`, () => snapshot({ big: named }));

// Repeated captures of the same object (a large one's listings spread over the captures between them).
const N = 20_000;
for (const [what, v] of [[`${KEYS} named keys`, named], ['500 keys', small]]) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) snapshot(v);
  const meanUs = Number(process.hrtime.bigint() - t0) / 1e3 / N;
  rows.push({ what: `snapshot, ${what}, mean of ${N} captures`, ms: Math.round(meanUs) / 1000, heapBytes: null });
}

const width = Math.max(...rows.map((r) => r.what.length));
for (const r of rows) console.log(`${r.what.padEnd(width)}  ${String(r.ms).padStart(10)} ms  ${r.heapBytes === null ? '' : `${String(r.heapBytes).padStart(11)} B`}`);
console.log(JSON.stringify({ benchmark: 'capture-large-values', keys: KEYS, rows }));
