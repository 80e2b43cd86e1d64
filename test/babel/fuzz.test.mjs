// Generated programs (fast-check): random mixes of assignments, compound/logical/update operators,
// destructuring, optional chains, deletes, getters/setters, closures, calls and evaluation-order
// probes over module-level bindings and objects, in strict and sloppy scripts. Each program runs as
// written and instrumented (fake runtime, in fresh vm contexts) and must print the same — including
// which statements throw. Reproduce a failure with the seed and path fast-check reports.
import test from 'ava';
import fc from 'fast-check';
import { createRequire } from 'node:module';
import vm from 'node:vm';
import { instrument } from './helpers/run.mjs';

const require = createRequire(import.meta.url);
const fakePath = require.resolve('./helpers/fake-runtime.cjs');

const lvalues = ['x', 'y', 'o.a', 'o.b.c', 'o.arr[i]', 'o[k]', 'o.s', 'cell.v', 'o.b["c"]'];
const atoms = ['1', '2', '"s"', 'null', 'undefined', 'x', 'y', 'o.a', 'o.g', 'o.b.c', 'o?.b?.c', 'o.z?.c', 'o.arr[i]', 'o.arr.length', 'cell.v', 'i', 'o[k]', 'f(2)', 'inc()', 'n'];

const expr = fc.letrec((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...atoms),
    fc.tuple(tie('e'), fc.constantFrom('+', '-', '*', '||', '&&', '??', '===', '<'), tie('e')).map(([a, op, b]) => `(${a} ${op} ${b})`),
    fc.tuple(fc.constantFrom('a', 'b', 'c'), tie('e')).map(([tag, e]) => `t("${tag}", ${e})`),
    fc.tuple(tie('e'), tie('e'), tie('e')).map(([a, b, c]) => `(${a} ? ${b} : ${c})`),
    tie('assign'),
  ),
  assign: fc.oneof(
    fc.tuple(fc.constantFrom(...lvalues), fc.constantFrom('=', '+=', '-=', '*=', '||=', '&&=', '??='), tie('e')).map(([l, op, e]) => `(${l} ${op} ${e})`),
    fc.tuple(fc.constantFrom(...lvalues), fc.constantFrom('++', '--'), fc.boolean()).map(([l, op, pre]) => (pre ? `(${op}${l})` : `(${l}${op})`)),
  ),
}));

const statement = fc.oneof(
  expr.e.map((e) => `${e};`),
  fc.tuple(fc.constantFrom(...lvalues), fc.constantFrom(...lvalues), expr.e, expr.e).map(([a, b, e1, e2]) => `[${a}, ${b}] = [${e1}, ${e2}];`),
  fc.tuple(fc.constantFrom(...lvalues), expr.e).map(([a, e]) => `({ q: ${a} = 7 } = { q: ${e} });`),
  fc.tuple(fc.constantFrom(...lvalues)).map(([a]) => `for (${a} of [1, 2]) n++;`),
  fc.constantFrom('delete o.z;', 'delete o.b.c;', 'delete o[k];', 'o.z = { c: 5 };', 'cell = { v: cell.v };', 'k = k === "a" ? "q" : "a";', 'i = (i + 1) % 4;'),
);

const program = fc.tuple(fc.boolean(), fc.array(statement, { minLength: 1, maxLength: 8 }), fc.array(statement, { maxLength: 4 }));

function source([strict, top, inFn]) {
  const guard = (s) => `try { ${s} } catch (e) { out.push("E:" + e.constructor.name); }`;
  return [
    strict ? '"use strict";' : '',
    'var out = [];',
    'function t(tag, v) { out.push(tag); return v; }',
    'var x = 0, y = "y", i = 0, k = "a", n = 0;',
    'let cell = { v: 1 };',
    'const o = { a: 1, b: { c: 2 }, arr: [1, 2, 3, 4], _s: 0,',
    '  get g() { out.push("get"); return this.a; }, set s(v) { out.push("set"); this._s = v; }, get s() { return this._s; } };',
    'Object.defineProperty(o, "frozen", { value: 1, writable: false });',
    // No recursion: how deep a stack overflow happens is not something instrumentation preserves.
    'var active = false;',
    'function f(p) { if (active) return [p]; active = true; const before = p; ' + inFn.map(guard).join(' ') + ' active = false; return [before, p]; }',
    'const inc = () => ++n;',
    ...top.map(guard),
    'out.push(JSON.stringify({ x, y, i, k, n, cell, o }));',
    'console.log(out.join("|"));',
  ].join('\n');
}

function runInVm(code) {
  const lines = [];
  const fake = require(fakePath);
  fake.log.length = 0;
  const context = vm.createContext({ console: { log: (...a) => lines.push(a.join(' ')) }, require: (m) => (m === fakePath ? fake : require(m)) });
  try {
    new vm.Script(code, { filename: 'program.js' }).runInContext(context, { timeout: 5000 });
  } catch (e) {
    lines.push('THROWN ' + (e && e.constructor && e.constructor.name));
  }
  return lines.join('\n');
}

test('generated programs behave the same instrumented (fake runtime)', (t) => {
  fc.assert(
    fc.property(program, (p) => {
      const code = source(p);
      const inst = instrument(code, { sourceType: 'script', options: { runtimeModule: fakePath } }).code;
      const a = runInVm(code);
      const b = runInVm(inst);
      if (a !== b) throw new Error(`differs\n--- program\n${code}\n--- original\n${a}\n--- instrumented\n${b}`);
    }),
    { numRuns: Number(process.env.FUZZ_RUNS) || 300, seed: Number(process.env.FUZZ_SEED) || 20261127 },
  );
  t.pass();
});

test('generated programs behave the same with instrument: "all" and inside a function', (t) => {
  fc.assert(
    fc.property(program, (p) => {
      const code = `(function () {\n${source(p)}\n})();`;
      const inst = instrument(code, { sourceType: 'script', options: { runtimeModule: fakePath, instrument: 'all' } }).code;
      const a = runInVm(code);
      const b = runInVm(inst);
      if (a !== b) throw new Error(`differs\n--- program\n${code}\n--- original\n${a}\n--- instrumented\n${b}`);
    }),
    { numRuns: Number(process.env.FUZZ_RUNS) || 200, seed: Number(process.env.FUZZ_SEED) || 7 },
  );
  t.pass();
});
