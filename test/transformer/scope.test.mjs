// The scope analysis decides what is "shared" (SPEC §4.1); checked on its results directly.
import test from 'ava';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { repoRoot } from '../helpers/fixture-harness.mjs';

const require = createRequire(import.meta.url);
const ts = require('typescript');
const { analyzeScopes } = require(join(repoRoot, 'dist', 'transformer', 'scope.js'));

/** name → shared? for every resolved reference, by binding name (all references agree). */
function shared(src, mode = 'shared') {
  const sf = ts.createSourceFile('x.ts', src, ts.ScriptTarget.ES2022, true);
  const info = analyzeScopes(ts, sf);
  const out = {};
  for (const [id, ref] of info.refs) out[id.text] = info.isShared(ref, mode);
  for (const [sp, ref] of info.shorthandRefs) out[sp.name.text] = info.isShared(ref, mode);
  return out;
}

test('module-level bindings are shared when written after their declaration', (t) => {
  const r = shared('let a = 1; let b = 2; const c = 3; var d; a = 2; d = 1; console.log(a, b, c, d);');
  t.deepEqual([r.a, r.b, r.c, r.d], [true, false, false, true]);
});

test('imports, enums, namespaces and function names that are never reassigned are not shared', (t) => {
  const r = shared('import { x } from "m"; enum E { A } function f() {} class K {} console.log(x, E, f, K);');
  t.deepEqual([r.x, r.E, r.f, r.K], [false, false, false, false]);
  t.is(shared('function f() {} f = null as any; f;').f, true);
});

test('function locals: shared only when captured by a closure and written', (t) => {
  const r = shared(`function outer(p: number) {
    let local = 1; local += 1;
    let captured = 0; let readOnly = 5;
    const inc = () => { captured++; return readOnly + p; };
    p = 3;
    return [local, inc];
  }`);
  t.deepEqual([r.local, r.captured, r.readOnly, r.p], [false, true, false, true]);
  t.is(shared('function f() { let l = 1; l = 2; return l; }', 'all').l, true);
});

test('shadowing resolves to the nearest declaration', (t) => {
  const sf = ts.createSourceFile('x.ts', 'let v = 1; v = 2; function g() { let v = 3; return v; }', ts.ScriptTarget.ES2022, true);
  const info = analyzeScopes(ts, sf);
  const results = [...info.refs].filter(([id]) => id.text === 'v').map(([, ref]) => info.isShared(ref, 'shared'));
  t.deepEqual(results, [true, false]);
});

test('top-level loop bindings follow the closure rule', (t) => {
  t.is(shared('for (let i = 0; i < 3; i++) {}').i, false);
  t.is(shared('const fns = []; for (let i = 0; i < 3; i++) fns.push(() => i);').i, true);
});

test('destructuring targets, for-of heads and shorthand patterns count as writes', (t) => {
  const r = shared('let a, b, c, d; [a] = [1]; ({ b } = { b: 2 }); for (c of [1]) {} ({ x: d = 1 } = {} as any);');
  t.deepEqual([r.a, r.b, r.c, r.d], [true, true, true, true]);
});

test('type positions, property names and labels are not references', (t) => {
  const r = shared('let T = 1; T = 2; type U = typeof T; const o = { T: 1 }; o.T; lbl: for (;;) break lbl;');
  const sf = ts.createSourceFile('x.ts', 'let T = 1; T = 2; type U = typeof T; const o = { T: 1 }; o.T;', ts.ScriptTarget.ES2022, true);
  t.is([...analyzeScopes(ts, sf).refs.keys()].filter((id) => id.text === 'T').length, 1); // only `T = 2`
  t.is(r.T, true);
});

test('bindings inside `with` are not resolved', (t) => {
  const sf = ts.createSourceFile('x.js', 'var a = 1; a = 2; with ({}) { a; }', ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
  t.is([...analyzeScopes(ts, sf).refs.keys()].filter((id) => id.text === 'a').length, 1);
});
