// fast-check generator of small programs for the differential fuzzer (test/differential-fuzz.test.mjs).
// A program is a fixed prelude (logging helpers, objects with counting getters and setters, a
// Proxy that logs its traps, a key object whose `toString` logs) followed by generated scenarios:
// expression statements over shared bindings and members, destructuring and for-in/of with member
// targets, labelled loops, try/finally, sloppy `arguments`, default parameters, tagged templates,
// optional calls, `new.target`, `delete`, TDZ, classes (private members, accessors, static blocks,
// `super` members, derived constructors), generators driven by next/return/throw, async functions
// with awaits inside expressions racing a `.then` ticker, async generators under `for await`.
// Every scenario runs inside try/catch and logs what it computes, so a program prints a
// deterministic transcript: the oracle is the program's own uninstrumented run.
import fc from 'fast-check';

const PRELUDE = String.raw`
const out = globalThis.__out;
const proxies = new WeakSet();
function show(v, depth = 0) {
  if (typeof v === 'function') return 'fn:' + v.name;
  if (typeof v === 'symbol' || typeof v === 'bigint') return String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null || typeof v !== 'object') return String(v);
  if (proxies.has(v)) return 'proxy';
  if (depth > 2) return '{…}';
  if (Array.isArray(v)) return '[' + v.map((x) => show(x, depth + 1)).join(',') + ']';
  return '{' + Object.keys(v).map((k) => k + ':' + show(Object.getOwnPropertyDescriptor(v, k).value, depth + 1)).join(',') + '}';
}
function log(...a) { out.push(a.map((x) => show(x)).join(' ')); }
// Error messages that quote source text (V8 prints the expression) are masked: the instrumented
// expression is necessarily written differently.
function err(tag, e) {
  const m = String(e && e.message).replace(/^.* is not (a function|iterable|a constructor|async iterable|a function or its return value is (not )?(async )?iterable)$/, '<expr> is not …').replace(/ of '[^']*' as it is/, " of '<expr>' as it is");
  log(tag, 'threw', e && e.constructor && e.constructor.name, m);
}
let x = 1, y = 'y', k = 'a', i = 0, n = 0;
let cell = { v: 1 };
const key = { toString() { log('key.toString'); return k; } };
const tagFn = function (strs, ...vals) { log('tag', this === o, strs.raw.join('|'), ...vals); return strs.length; };
const o = {
  a: 1, b: { c: 2 }, arr: [1, 2, 3], _s: 0, z: { c: 3 },
  get g() { log('get g'); return this.a; },
  set s(v) { log('set s', v); this._s = v; }, get s() { return this._s; },
  m(...args) { log('o.m', this === o, ...args); return args.length; },
  tag: tagFn,
};
Object.defineProperty(o, 'frozen', { value: 1, writable: false, configurable: false });
const traps = {};
for (const t of ['get', 'set', 'has', 'deleteProperty', 'defineProperty', 'getOwnPropertyDescriptor', 'ownKeys']) {
  traps[t] = (...args) => { if (t !== 'get' || typeof args[1] !== 'symbol') log('trap', t, typeof args[1] === 'symbol' ? 'sym' : args[1]); return Reflect[t](...args); };
}
const p = new Proxy({ a: 1, b: { c: 2 }, m() { return this === p; } }, traps);
proxies.add(p);
// An object whose prototype is the Proxy: written, read and passed around, it is snapshotted.
const pchild = Object.create(p);
function f(v) { log('f', v); return v; }
function inc() { return ++n; }
function* nums(max) { try { for (let j = 1; j <= max; j++) { log('nums yield', j); yield j; } } finally { log('nums closed'); } }
const tick = (label) => { let q = Promise.resolve(); for (let j = 0; j < 6; j++) q = q.then(() => log('tick', label, j)); return q; };
const af = async (v) => { log('af', v); return v; };
const later = (v) => Promise.resolve().then(() => { log('later', v); return v; });
`;

const ATOMS = ['1', '2', '"s"', 'null', 'undefined', 'x', 'y', 'k', 'i', 'n', 'o.a', 'o.g', 'o.b.c', 'o?.b?.c', 'o.nope?.c', 'o.arr[i]',
  'o.arr.length', 'o[k]', 'o[key]', 'o["b"]["c"]', 'p.a', 'p.b.c', 'p?.a', 'cell.v', 'o.s', 'f(3)', 'inc()', 'typeof nope', 'o.z.c', 'pchild', 'pchild.a'];
const LVALUES = ['x', 'y', 'i', 'o.a', 'o.b.c', 'o[k]', 'o[key]', 'o.arr[i]', 'o.s', 'p.a', 'p.b.c', 'cell.v', 'o.frozen', 'o["b"].c'];

/**
 * Extra atoms and assignment targets per context: `cls` inside methods of class D (private
 * members, super), `fn` inside ordinary functions (arguments, new.target), `async`, `gen`.
 */
function extras(ctx) {
  const atoms = [], lvals = [];
  if (ctx.cls) {
    atoms.push('this.#x', 'this.#acc', 'this.v', 'super.v', 'super[k]', '(#x in this)', 'this.#m()', 'super.who()', 'this?.#x', 'this.#m?.()', 'D.#sx');
    lvals.push('this.#x', 'this.#acc', 'this.v', 'super.v', 'super[k]', 'D.#sx');
  }
  // `other`: the parameter of D's method `run`
  if (ctx.cls && ctx.fn) { atoms.push('(#x in other)', 'other.#x'); lvals.push('other.#x'); }
  if (ctx.fn) atoms.push('arguments.length', 'arguments[0]', 'new.target');
  return { atoms, lvals };
}

function exprArb(ctx) {
  const ex = extras(ctx);
  const atoms = [...ATOMS, ...ex.atoms];
  const lvals = [...LVALUES, ...ex.lvals];
  return fc.letrec((tie) => {
    const e = tie('e');
    const parts = [
      fc.constantFrom(...atoms),
      fc.tuple(e, fc.constantFrom('+', '-', '*', '||', '&&', '??', '===', '<', ','), e).map(([a, op, b]) => `(${a} ${op} ${b})`),
      fc.tuple(e, e, e).map(([a, b, c]) => `(${a} ? ${b} : ${c})`),
      fc.tuple(fc.constantFrom(...lvals), fc.constantFrom('=', '+=', '-=', '*=', '||=', '&&=', '??=', '**='), e).map(([l, op, v]) => `(${l} ${op} ${v})`),
      fc.tuple(fc.constantFrom(...lvals), fc.constantFrom('++', '--'), fc.boolean()).map(([l, op, pre]) => (pre ? `(${op}${l})` : `(${l}${op})`)),
      fc.tuple(fc.constantFrom('o.m', 'o?.m', 'o.m?.', 'o.nope?.', 'o?.nope?.', '(o?.m)', '(0, o.m)', 'o["m"]', 'p.m', 'o.b?.c?.toFixed', 'f'), fc.array(e, { maxLength: 2 }))
        .map(([callee, args]) => `${callee}(${args.join(', ')})`),
      fc.tuple(e, e).map(([a, b]) => `o.tag\`A\${${a}}B\${${b}}\``),
      fc.tuple(e, e).map(([a, b]) => `f(...o.arr, ${a}, ...[${b}])`),
      e.map((a) => `[...o.arr, ${a}].length`),
      fc.tuple(e, e).map(([a, b]) => `show({ ...o.b, q: ${a}, ...(${b}) })`),
      fc.constantFrom('delete o.z', 'delete o[k]', 'delete o.frozen', 'delete p.a', 'delete o.b.c', 'delete cell.v', 'delete o?.z'),
      // Nested functions: an arrow keeps `this`, `super`, `arguments`, `new.target` but not await/yield.
      nested(ctx, { ...ctx, async: false, gen: false }, e).map((a) => `(() => ${a})()`),
      nested(ctx, { fn: true }, e).map((a) => `(function () { return ${a}; })()`),
      e.map((a) => `void ${a}`),
    ];
    if (ctx.async) parts.push(
      e.map((a) => `(await ${a})`),
      nested(ctx, {}, e).map((a) => `(await { then(res) { log('thenable'); res(${a}); } })`),
      e.map((a) => `o?.[await af(${a} ? 'a' : 'b')]`),
      e.map((a) => `(await af(${a}))`),
      e.map((a) => `(await later(${a}))`),
      fc.tuple(fc.constantFrom(...lvals), fc.constantFrom('=', '+=', '??=', '||='), e).map(([l, op, v]) => `(${l} ${op} await af(${v}))`),
    );
    if (ctx.gen) parts.push(e.map((a) => `(yield ${a})`), e.map((a) => `(yield* nums(2), ${a})`));
    return { e: fc.oneof({ depthSize: 'small', withCrossShrink: true }, ...parts) };
  }).e;
}

/** The expressions of context `inner` from within `ctx` (lazily: the arbitraries refer to each other). */
function nested(ctx, inner, e) {
  if (JSON.stringify(inner) === JSON.stringify(ctx)) return e;
  return fc.constant(null).chain(() => expr(inner));
}

const cache = new Map();
function expr(ctx) {
  const id = JSON.stringify(ctx);
  if (!cache.has(id)) cache.set(id, exprArb(ctx));
  return cache.get(id);
}

/** Statements in a context; `label` names the scenario in the transcript. */
function stmtArb(ctx) {
  const e = expr(ctx);
  const ex = extras(ctx);
  const lvals = [...LVALUES, ...ex.lvals].filter((l) => l !== 'o.frozen');
  const lv = fc.constantFrom(...lvals);
  return fc.oneof(
    { depthSize: 'small' },
    e.map((a) => `log(${a});`),
    fc.tuple(lv, lv, e, e).map(([a, b, v, d]) => `[${a}, ${b} = ${d}] = [${v}];`),
    // a default and a key that read an earlier target of the same pattern
    fc.tuple(lv, lv, e).map(([a, b, v]) => `[${a}, ${b} = ${a}] = [${v}];`),
    fc.tuple(lv, e).map(([a, v]) => `({ a: ${a}, b: o[${a === 'o.frozen' ? 'k' : a}] } = { a: ${v}, b: 'b' });`),
    fc.tuple(lv, lv, expr({})).map(([a, b, v]) => `({ a: ${a}, b: ${b} = 7 } = { get a() { log('src get a'); return ${v}; } });`),
    fc.tuple(lv, e).map(([a, v]) => `[${a}, ...o.rest] = nums(${v} ? 3 : 1);`),
    fc.tuple(lv, fc.constantFrom('of [1, 2]', 'of nums(3)', 'in { a: 1, b: 2 }', 'of "ab"')).map(([a, h]) => `for (${a} ${h}) { log('loop', ${a}); if (${a} === 2) break; }`),
    fc.tuple(lv, lv).map(([a, b]) => `for ([${a}, ${b}] of [[1, 2], [3]]) log('pair', ${a}, ${b});`),
    fc.tuple(e, e).map(([a, b]) => `outer: for (let j = 0; j < 3; j++) { inner: for (const q of [1, 2]) { if (${a}) continue outer; if (q > 1 && ${b}) break inner; if (j === 2) break outer; log('lab', j, q); } }`),
    fc.tuple(e, e).map(([a, b]) => `{ let c1 = 0; do { c1++; if (${a}) continue; log('do', c1); } while (c1 < 2 && ${b}); }`),
    fc.tuple(e, e).map(([a, b]) => `switch (${a}) { case 1: log('one'); case x: log('x', ${b}); break; default: log('default'); }`),
    fc.tuple(e, e).map(([a, b]) => `if (${a}) log('then', ${b}); else log('else');`),
  );
}

/** A block of statements, each guarded so one throwing statement does not stop the scenario. */
function block(ctx, label, max = 4) {
  return fc.array(stmtArb(ctx), { minLength: 1, maxLength: max })
    .map((ss) => ss.map((s, j) => `try { ${s} } catch (e) { err('${label}.${j}', e); }`).join('\n'));
}

const FN = { fn: true }, CLS = { cls: true, fn: true }, ASYNC = { async: true, fn: true }, GEN = { gen: true, fn: true };

/** Scenario generators: each yields source that runs at module level and logs what it does. */
function scenarios(strict) {
  const s = [];
  // top-level statements (module scope: module-level bindings are shared)
  s.push(block({}, 'top'));
  // ordinary functions: shared closures, arguments, new.target, default parameters
  s.push(fc.tuple(block(FN, 'fn'), expr({})).map(([body, d]) => `
function plainFn(a, b = a + 1, c = () => a + b, d = ${d}) {
  ${body}
  log('fn params', a, b, c(), d, arguments.length, arguments[0]);
  a = 10; arguments[1] = 20;
  log('fn aliasing', a, b, arguments[0], arguments[1]);
  return new.target === undefined ? 'call' : 'new';
}
try { log(plainFn(1), plainFn(2, undefined, undefined, 4, 5), typeof new plainFn(3)); } catch (e) { err('plainFn', e); }`));
  // closures over function locals that are written later (captured, shared bindings)
  s.push(fc.tuple(expr({}), expr({})).map(([a, b]) => `
try {
  const make = () => { let cnt = 0; let last; const bump = (v) => { cnt += v; last = v; return cnt; }; return { bump, get: () => [cnt, last] }; };
  const c1 = make(), c2 = make();
  log(c1.bump(1), c2.bump(2), c1.bump(${a} ? 3 : 4), c1.get(), c2.get());
  let late = 0; const rd = () => late; log(rd()); late = ${b}; log(rd());
  for (let j = 0; j < 2; j++) { let per = j; const g = () => per; per += 10; log('per', g()); }
} catch (e) { err('closures', e); }`));
  // try/catch/finally with return in finally
  s.push(fc.tuple(expr(FN), expr(FN), fc.boolean()).map(([a, b, throws]) => `
function tf(flag) {
  try { ${throws ? 'if (flag) throw new RangeError("boom");' : ''} return ${a}; }
  catch (e) { log('tf caught', e.message); return 'catch'; }
  finally { log('tf finally'); if (flag && (${b})) return 'finally'; }
}
try { log(tf(true), tf(false)); } catch (e) { err('tf', e); }`));
  // TDZ
  s.push(expr({}).map((a) => `
{
  try { log(tdz1); } catch (e) { err('tdz1', e); }
  const readLate = () => tdz2;
  try { log(readLate()); } catch (e) { err('tdz2', e); }
  try { tdz2 = ${a}; } catch (e) { err('tdz2w', e); }
  let tdz1 = 1, tdz2 = 2;
  tdz2 = 3; log(readLate(), tdz1);
}`));
  // new.target and constructors
  s.push(expr(FN).map((a) => `
function NT(v) { log('NT', new.target === NT, typeof new.target); this.v = v; this.w = ${a}; }
try { log(show(new NT(1))); NT.call({}, 2); log(Reflect.construct(NT, [3], Object).v); } catch (e) { err('NT', e); }`));
  // delete in this mode
  s.push(fc.constant(`
try { log(delete o.nope, delete o[k], 'z' in o); } catch (e) { err('del1', e); }
try { log(delete o.frozen); } catch (e) { err('del2', e); }
try { o.frozen = 5; log(o.frozen); } catch (e) { err('frozenw', e); }
try { log(delete p.b, delete p[k]); } catch (e) { err('del3', e); }`));
  // classes: private members, accessors, static blocks, super members, derived constructors
  s.push(fc.tuple(block(CLS, 'cls', 3), expr({ cls: true }), expr({}), expr({}), fc.boolean()).map(([body, fieldInit, baseInit, sbody, earlySuper]) => `
class Base {
  v = ${baseInit};
  static count = 0;
  static { Base.count++; log('Base static', this.count); }
  get w() { log('Base get w'); return 'w'; }
  set w(val) { log('Base set w', val); }
  who() { return 'Base.who ' + (this instanceof Base); }
}
Base.prototype.v = 'proto-v';
class D extends Base {
  #x = 1;
  static #sx = 0;
  #m() { return 'D.#m ' + this.#x; }
  get #acc() { log('get #acc'); return this.#x * 10; }
  set #acc(val) { log('set #acc', val); this.#x = val; }
  f1 = this.#x + 1;
  f2 = () => this.#x;
  f3 = ${fieldInit};
  static s1 = D.#sx++;
  static { D.#sx += 10; log('D static', D.#sx, #sx in D); }
  constructor(arg) {
    ${earlySuper ? 'const before = arg;' : 'log("ctor before super", arg);'}
    super();
    this.v = arg;
    log('ctor after super', this.f1, this.f2(), this.v);
  }
  run(other) {
    ${body}
    this.#x ??= 5; this.#x ||= 6; this.#x &&= 7; this.#x += 1; this.#x++; ++this.#x;
    super.w = 'sw'; super.v ??= 'sv'; super[k] ||= 'sk'; super.v += 1;
    log('run end', this.#x, this.v, this[k], #x in other, this.#m(), this.#acc, super.w);
    return this.f3;
  }
  static probe(q) { return #x in q; }
}
try { const d = new D(1), d2 = new D(2); log(d.run(d2), D.probe(d), D.probe({}), D.s1); } catch (e) { err('class', e); }
try { log(new D(3).run({})); } catch (e) { err('class2', e); }`));
  // object-literal methods with super and getters that count calls
  s.push(expr({}).map((a) => `
try {
  let gets = 0;
  const base = { hi() { return 'base hi'; }, get cnt() { return ++gets; } };
  const lit = { __proto__: base, hi() { return super.hi() + ' via lit'; }, get both() { return super.cnt + this.cnt; }, val: ${a} };
  log(lit.hi(), lit.both, gets, lit.val);
} catch (e) { err('lit', e); }`));
  // generators driven by next/return/throw
  s.push(fc.tuple(block(GEN, 'gen', 3), expr(GEN), fc.constantFrom('return', 'throw', 'next')).map(([body, a, how]) => `
function* G(start) {
  let acc = start;
  try {
    ${body}
    acc += yield acc;
    const got = ${a};
    log('gen got', got);
    acc += yield* nums(2);
    yield acc;
  } finally {
    log('gen finally', acc);
  }
  return 'gen done';
}
try {
  const it = G(1);
  log(show(it.next()), show(it.next(5)), show(it.next(6)));
  log(show(it.${how}(${how === 'throw' ? 'new TypeError("into gen")' : '42'})));
  log(show(it.next()), show(it.next()));
} catch (e) { err('gen', e); }
try { log([...G(2)].length); } catch (e) { err('gen2', e); }`));
  // async functions racing a ticker: awaits in arguments, conditionals, compound assignments
  s.push(fc.tuple(block(ASYNC, 'async', 4), expr(ASYNC)).map(([body, a]) => `
async function A1(arg) {
  log('A1 start', arg);
  ${body}
  o.a += await af(1);
  x = (await later(x)) + (await af(2));
  const r = (await af(arg)) ? await af('yes') : await later('no');
  log('A1 mid', r, ${a});
  try { await Promise.reject(new Error('rej')); } catch (e) { log('A1 caught', e.message); } finally { log('A1 finally'); }
  return arg;
}
queue.push(async () => {
  const t1 = tick('a1');
  const res = await Promise.all([A1(1), A1(0), later('side')]);
  log('A1 results', res);
  await t1;
});`));
  // async generators under for await, closed early by break
  s.push(fc.tuple(expr({ async: true, gen: true, fn: true }), fc.boolean()).map(([a, brk]) => `
async function* AG(limit) {
  try {
    for (let j = 0; j < limit; j++) { const sent = yield await af(j); log('AG sent', sent); }
    log('AG tail', ${a});
  } finally { log('AG finally'); }
}
queue.push(async () => {
  const t2 = tick('ag');
  for await (const v of AG(3)) { log('for await', v); ${brk ? 'if (v === 1) break;' : ''} }
  for await (o.a of [later(1), 2]) log('for await member', o.a);
  const it = AG(2); log(show(await it.next()), show(await it.next('s')), show(await it.return('r')), show(await it.next()));
  await t2;
});`));
  // names of anonymous functions and classes (NamedEvaluation) through shared bindings and defaults
  s.push(fc.tuple(expr({}), fc.boolean()).map(([a, cls]) => `
let nm = 0;
function setNames() {
  nm = ${cls ? 'class {}' : '() => 1'}; log('name1', nm.name);
  nm = ${a}; nm ||= function () {}; nm &&= class { static s = this.name; }; log('name2', nm.name, nm.s);
  let d1, d2; const keep = () => [d1, d2];
  [d1 = () => 0] = []; ({ d2 = class {} } = {}); log('name3', d1.name, d2.name, keep().length);
  [nm = function () {}] = []; log('name4', nm.name);
  o.fnv = () => 0; log('name5', o.fnv.name);
  class F { fa = () => 0; static fs = function () {}; #fp = () => 0; pn() { return this.#fp.name; } }
  log('name6', new F().fa.name, F.fs.name, new F().pn());
}
try { setNames(); } catch (e) { err('names', e); }`));
  // member accesses on null and undefined bases with a key whose conversion logs
  s.push(expr({}).map((a) => `
let nb = null;
const setNb = (v) => { nb = v; };
for (const base of [null, undefined, 5, o]) {
  setNb(base);
  try { log(nb[key]); } catch (e) { err('nb read', e); }
  try { nb[key] = f(${a}); } catch (e) { err('nb write', e); }
  try { nb[key] += f(1); } catch (e) { err('nb compound', e); }
  try { log(delete nb[key]); } catch (e) { err('nb delete', e); }
  try { [nb[key]] = nums(1); } catch (e) { err('nb pattern', e); }
  try { ({ a: nb[key] } = { get a() { log('src get a'); return 1; } }); } catch (e) { err('nb object pattern', e); }
  try { log(nb?.[key], nb?.a.b); } catch (e) { err('nb optional', e); }
}`));
  // generators with yield in finally, thrown into before start, closed early
  s.push(expr(GEN).map((a) => `
function* YF() { try { yield 1; yield ${a}; } finally { log('YF cleanup'); yield 'c'; log('YF after c'); } }
try {
  const it = YF(); log(show(it.next()), show(it.return(5)), show(it.next()), show(it.next()));
  const it2 = YF(); try { it2.throw(new Error('early')); } catch (e) { err('YF early', e); } log(show(it2.next()));
  for (const v of YF()) { log('YF v', v); break; }
} catch (e) { err('YF', e); }`));
  // object-literal super writes, labelled blocks, comma heads, new with member callees
  s.push(fc.tuple(expr({}), expr({})).map(([a, b]) => `
try {
  const sup = { __proto__: { v: 1, K: class { constructor(q) { this.q = q; } } }, m() { super.v = 2; super.v += ${a}; super['v']++; super.w ??= 4; return [this.v, super.v, this.w]; } };
  log(sup.m(), new sup.K(1).q, new (sup.K)(2).q, new sup['K'](${b}).q);
  lbl: { log('in lbl'); if (o) break lbl; log('not here'); }
  for (i = 0, o.cnt = 1; i < 2; i++, o.cnt++) log('for', i, o.cnt);
  i = 0;
} catch (e) { err('misc', e); }`));
  if (!strict) {
    // sloppy only: arguments aliasing through a shared (captured) parameter, with, failed writes
    s.push(fc.tuple(expr(FN), expr({})).map(([a, w]) => `
function sloppyArgs(a, b) {
  const peek = () => a;
  arguments[0] = ${a};
  log('sloppy alias', a, peek(), arguments[0]);
  a = 'set'; log(arguments[0], peek());
  b++; return [b, arguments[1], arguments.length];
}
try { log(sloppyArgs(1, 2)); } catch (e) { err('sloppyArgs', e); }
try { o.frozen = 9; log('sloppy failed write', o.frozen); 'str'.len = 1; } catch (e) { err('sloppyw', e); }
try { var wobj = { wa: 1 }; with (new Proxy(wobj, traps)) { wa = wa + 1; x = wa; o.a = ${w}; (() => o.b.c++)(); } log(wobj.wa, x); } catch (e) { err('with', e); }
function paramFn(a, b) { arguments[1] = 'set'; function a() {} return [typeof arguments[0], typeof a, b]; }
try { log(paramFn(1, 2)); } catch (e) { err('paramFn', e); }
function annexB() {
  function hb() { return 'outer'; }
  { function hb() { return 'inner'; } }
  if (x) function hc() { return 'if'; }
  return [hb(), typeof hc];
}
try { log(annexB()); } catch (e) { err('annexB', e); }`));
  }
  return s;
}

/** One program: prelude, scenarios in order, then the queued async scenarios one after the other. */
export function programArb({ strict }) {
  const s = scenarios(strict);
  // Each scenario at most once (they declare functions and classes at module level).
  const idx = fc.shuffledSubarray(s.map((_, j) => j), { minLength: 1, maxLength: 4 });
  return idx.chain((picked) => fc.tuple(...picked.map((j) => s[j]))).map((parts) => [
    PRELUDE,
    'const queue = [];',
    ...parts,
    'globalThis.__done = (async () => { for (const q of queue) { try { await q(); } catch (e) { err("queued", e); } } log("final", x, y, k, i, n, cell, o); })();',
  ].join('\n'));
}
