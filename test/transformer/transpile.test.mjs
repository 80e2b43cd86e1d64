// The transformer through ts.transpileModule (no type checker, no program): semantics, options,
// error handling. Every check runs the programs; none inspects emitted text.
import test from 'ava';
import { differential, transpile, ts, transformer } from '../helpers/run-instrumented.mjs';

const PROGRAM = `
export const account = { balance: 100 };
let total = 0;
export async function withdraw(n: number) {
  const b = account.balance;
  await null;
  account.balance = b - n;
  total += n;
  return account.balance;
}
Promise.all([withdraw(10), withdraw(20)]).then((r) => console.log(r.join(','), total));
`;

test('CommonJS output: same behaviour, events name the shared state', async (t) => {
  const r = await differential(PROGRAM, { name: 'cjs' });
  t.is(r.inst.stdout, r.plain.stdout);
  t.is(r.inst.code, 0);
  const writes = r.events.filter((e) => e[1] === 'Write').map((e) => e[2]);
  t.deepEqual(writes, ['account.balance', 'total', 'account.balance', 'total']);
  t.true(r.events.some((e) => e[1] === 'Await' && e[2] === 'input.ts:6'));
  t.true(r.events.some((e) => e[1] === 'Call' && e[2] === 'withdraw' && e[4] === 'input.ts:4'));
});

test('ES module output uses the ESM entry of the runtime', async (t) => {
  const r = await differential(PROGRAM, { name: 'esm', esm: true });
  t.is(r.inst.stdout, r.plain.stdout);
  t.is(r.inst.code, 0);
  t.is(r.events.filter((e) => e[1] === 'Write').length, 4);
});

test('a script without imports/exports compiled to CommonJS gets a require of the runtime', async (t) => {
  const r = await differential('var n = 0; function inc() { n++; } inc(); inc(); console.log(n);', { name: 'script', compilerOptions: { strict: false, alwaysStrict: false } });
  t.is(r.inst.stdout, '2\n');
  t.is(r.plain.stdout, '2\n');
  t.deepEqual(r.events.filter((e) => e[1] === 'Write').map((e) => [e[2], e[3], e[4]]), [['n', 0, 1], ['n', 1, 2]]);
});

test('options: reads/awaits/functions off leave only writes', async (t) => {
  const r = await differential(PROGRAM, { name: 'toggles', options: { reads: false, awaits: false, functions: false } });
  t.is(r.inst.stdout, r.plain.stdout);
  t.deepEqual([...new Set(r.events.map((e) => e[1]))], ['Write']);
});

test('options: writes off records no writes', async (t) => {
  const r = await differential(PROGRAM, { name: 'nowrites', options: { writes: false } });
  t.is(r.inst.stdout, r.plain.stdout);
  t.false(r.events.some((e) => e[1] === 'Write'));
  t.true(r.events.some((e) => e[1] === 'Read'));
});

test('options: exclude leaves a file uninstrumented; include narrows', async (t) => {
  for (const options of [{ exclude: ['**/input.ts'] }, { include: ['src/**'] }]) {
    const r = await differential(PROGRAM, { name: 'exclude', options });
    t.is(r.inst.stdout, r.plain.stdout);
    t.deepEqual(r.events, [], JSON.stringify(options));
  }
});

test('options: instrument "all" records locals no closure captures', async (t) => {
  const src = 'function f() { let x = 1; x += 2; return x; } console.log(f());';
  const shared = await differential(src, { name: 'shared' });
  const all = await differential(src, { name: 'all', options: { instrument: 'all' } });
  t.is(all.inst.stdout, '3\n');
  t.false(shared.events.some((e) => e[1] === 'Write'));
  t.deepEqual(all.events.filter((e) => e[1] === 'Write').map((e) => [e[2], e[3], e[4]]), [['f.x', 1, 3]]);
});

test('options: runtimeModule is the module the hooks are imported from', (t) => {
  // a runtime that does not exist: the compiled program must fail to load exactly that module
  const out = transpile('export let a = 1; a = 2;', { fileName: '/tmp/x.ts', options: { root: '/tmp', runtimeModule: 'some-other-runtime' } });
  const fn = new Function('require', 'exports', 'module', out.outputText);
  const seen = [];
  t.throws(() => fn((m) => { seen.push(m); throw new Error('stop'); }, {}, {}), { message: 'stop' });
  t.deepEqual(seen, ['some-other-runtime']);
});

test('a file that fails to instrument is emitted uninstrumented and reported, never broken', (t) => {
  const { createRacewayTransformer } = transformer();
  // a TypeScript API whose scanner helper throws inside the instrumenter
  const broken = { ...ts, isExternalModule: () => { throw new Error('boom'); } };
  const errors = [];
  const src = 'export let a = 1; a = 2; console.log(a);';
  const out = ts.transpileModule(src, {
    fileName: '/tmp/broken.ts',
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
    transformers: { before: [createRacewayTransformer({ root: '/tmp', onError: (f, e) => errors.push([f, e.message]) }, broken)] },
  });
  const plain = ts.transpileModule(src, { fileName: '/tmp/broken.ts', compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } });
  t.is(out.outputText, plain.outputText);
  t.deepEqual(errors, [['/tmp/broken.ts', 'boom']]);
});

test('ts-patch program transformer and ts-jest factory shapes', (t) => {
  const mod = transformer();
  t.is(typeof mod.default, 'function');
  const r = mod.default(undefined, { transform: 'raceway/transformer', instrument: 'all' }, { ts });
  t.is(r.before.length, 1);
  t.is(typeof r.before[0], 'function');
  t.is(typeof mod.factory({ configSet: { compilerModule: ts } }, {}), 'function');
  t.is(typeof mod.createRacewayTransformer, 'function');
});
