// Minimal programs for semantic differences the differential hunt found (test/differential-fuzz.test.mjs):
// each runs plainly and instrumented by both front ends, with the real runtime recording off and on,
// and must print the same transcript. They run as one batch (a few processes in all).
import test from 'ava';
import { differentialBatch } from './helpers/differential.mjs';
import { startCollector } from './helpers/fixture-harness.mjs';

const STRICT = ['ts-cjs', 'ts-esm', 'babel-module'];
const SLOPPY = ['ts-sloppy', 'babel-script'];

const cases = {
  // Annex B.3.3: in sloppy code a function declared in a nested block replaces the same-named
  // function of the body when its declaration runs; wrapping the body in `try {}` for the frame
  // made the body's function a lexical one in that block, which the inner one no longer replaced.
  'sloppy: a block-level function replaces the body-level function of the same name': {
    builds: SLOPPY,
    code: `
function t() {
  function a() { return 'body'; }
  { function a() { return 'block'; } }
  return a();
}
globalThis.__out.push(t());`,
  },
  // Sloppy code: a body-level function named like a parameter is the parameter's value at entry, so
  // the mapped \`arguments\` object shows it; made lexical to the frame's \`try {}\`, it left the
  // parameter (and arguments[i]) alone.
  'sloppy: a body-level function named like a parameter shows in arguments': {
    builds: SLOPPY,
    code: `
function g(a, b) { arguments[1] = 'set'; function a() {} return [typeof arguments[0], typeof a, b].join(); }
function h(a) { l: function a() {} return typeof arguments[0]; }
globalThis.__out.push(g(1, 2), h(1));`,
  },
  // Names inside \`with\` resolve through the object: every \`__rw_*\` name of a hook call there was
  // an extra \`has\` trap of a Proxy scope object (and could resolve to one of its properties).
  'sloppy: no extra Proxy traps inside with': {
    builds: SLOPPY,
    code: `
const out = globalThis.__out;
const o = { a: 1 };
let n = 0;
const bump = () => { n++; };
const scope = new Proxy({ q: 1 }, { has(t, k) { out.push('has ' + String(k)); return k in t; } });
function useWith() { with (scope) { o.a = q + o.a; n = n + q; o.a++; (() => o.a)(); } }
bump(); useWith();
with (scope) { o.a += q; }
out.push(o.a + ' ' + n);`,
  },
  // An access on a null or undefined base throws before converting the key (V8 calls no
  // toString); the runtime's hooks converted it first.
  'null and undefined bases: the key is not converted before the TypeError': {
    builds: [...STRICT, ...SLOPPY],
    code: `
const out = globalThis.__out;
const key = { toString() { out.push('toString'); return 'k'; } };
for (const b of [null, undefined]) {
  try { out.push(b[key]); } catch (e) { out.push(e.constructor.name + ': ' + e.message); }
  try { b[key] = (out.push('rhs'), 1); } catch (e) { out.push(e.constructor.name + ': ' + e.message); }
  try { b[key] += 1; } catch (e) { out.push(e.constructor.name + ': ' + e.message); }
  try { delete b[key]; } catch (e) { out.push(e.constructor.name + ': ' + e.message); }
  try { [b[key]] = [1]; } catch (e) { out.push(e.constructor.name + ': ' + e.message); }
}`,
  },
  // A destructuring or for-of target's key is converted when the value is stored, after the
  // iterator step or the source property's getter; the target hook converted it up front.
  'destructuring targets: the key is converted after the value is produced': {
    builds: [...STRICT, ...SLOPPY],
    code: `
const out = globalThis.__out;
const key = { toString() { out.push('toString'); return 'k'; } };
const it = { [Symbol.iterator]() { return { next() { out.push('next'); return { value: 1, done: false }; }, return() { out.push('return'); return {}; } }; } };
const o = {};
[o[key]] = it;
({ a: o[key] } = { get a() { out.push('get a'); return 2; } });
for (o[key] of [3]) out.push('body');
out.push(JSON.stringify(o));`,
  },
  // A shared binding as a destructuring target was written only after the whole pattern: a later
  // default, key or getter of the same pattern read the old value, and a throw later in the
  // pattern left the binding unwritten.
  'destructuring: a shared binding is written when the pattern assigns it': {
    builds: [...STRICT, ...SLOPPY],
    code: `
const out = globalThis.__out;
let x = 0, y = 0;
function setBoth() { x = 1; y = 2; }
setBoth();
[x, y = x] = [5]; out.push(x + ' ' + y);
({ x, y = x + 1 } = { x: 7 }); out.push(x + ' ' + y);
({ a: x, b: y } = { a: 11, get b() { out.push('getter sees ' + x); return 12; } });
const o = {};
({ a: x, b: o[x] } = { a: 'k', b: 1 }); out.push(JSON.stringify(o));
try { [x, null.q] = [9, 10]; } catch (e) { out.push(e.constructor.name); }
try { for ([y, null.q] of [[13]]) ; } catch (e) { out.push(e.constructor.name); }
out.push(x + ' ' + y);
function g(a, b) { const peek = () => [a, b]; [a, b = a] = [50]; return peek(); }
out.push(String(g(1, 2)));`,
  },
  // Recording on: snapshots of values (written, read, passed as arguments) read \`on\`/\`emit\`
  // getters, a static \`name\` getter, an overridden Map \`size\`, and walked a prototype Proxy's
  // traps (instanceof, \`in\`), whose instrumented handlers were snapshotted in turn, without end.
  'recording: snapshots run no getters and no Proxy traps': {
    builds: [...STRICT, ...SLOPPY],
    code: `
const out = globalThis.__out;
const trap = (name) => (...a) => { out.push('trap ' + name); return Reflect[name](...a); };
const protoProxy = new Proxy({}, { get: trap('get'), has: trap('has'), getPrototypeOf: trap('getPrototypeOf'), getOwnPropertyDescriptor: trap('getOwnPropertyDescriptor') });
const child = Object.create(protoProxy);
const holder = {};
holder.v = child;
const g = { get on() { out.push('getter on'); return () => {}; }, get emit() { out.push('getter emit'); return () => {}; } };
holder.w = g;
class K { static get name() { out.push('static name getter'); return 'K'; } }
holder.k = new K(); holder.c = K;
class M extends Map { get size() { out.push('size getter'); return 0; } }
holder.m = new M();
function take(a) { return a; }
take(child); take(g); take(K); take(holder.m);
out.push('end');`,
  },
};

const names = Object.keys(cases);
let results;

test.before(async () => {
  const collector = await startCollector();
  try {
    const envs = { off: {}, on: { RACEWAY_ENABLED: 'true', RACEWAY_ENDPOINT: collector.endpoint } };
    const found = await differentialBatch(names.map((n) => cases[n]), { envs, name: 'regressions' });
    const diffs = found.map((d) => ({ ...d, name: names[d.index] }));
    results = diffs;
  } finally {
    await collector.close();
  }
});

for (const name of names) {
  test(name, (t) => {
    const mine = results.filter((d) => d.name === name);
    for (const d of mine) t.log(`${d.build}, recording ${d.env}:\n--- plain\n${d.plain}\n--- instrumented\n${d.inst}`);
    t.is(mine.length, 0);
  });
}
