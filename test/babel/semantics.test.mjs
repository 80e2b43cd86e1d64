// Differential tests of the Babel front end on programs written to stress semantics preservation
// (getters/Proxies, evaluation order, sloppy mode, classes and private names, generators, microtask
// ordering, closures, destructuring and optional chains, ES modules, exceptions): each program runs
// as written and instrumented, and must print, exit and throw the same. Two runtimes: the fake one
// (test/babel/helpers/fake-runtime.cjs, performs each hook's operation exactly as SPEC.md says) and
// the real `raceway/runtime` shipping to a loopback collector.
import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { differential, repoRoot } from './helpers/run.mjs';

const require = createRequire(import.meta.url);
import { startCollector } from '../helpers/fixture-harness.mjs';

const dir = join(repoRoot, 'test', 'babel', 'programs');
const programs = readdirSync(dir).filter((f) => /\.m?js$/.test(f));

/**
 * Through preset-env the plain build can itself deviate from the language (class-properties
 * lowering drops the names of arrow-valued fields; raceway keeps them): the instrumented build must
 * match the plain build of the same pipeline, or else the native original.
 */
function sameAsPipelineOrNative(t, r) {
  const { inst, orig, native } = r;
  const ok = (base) => inst.stdout === base.stdout && inst.code === base.code && inst.error === base.error;
  if (ok(orig)) return t.pass();
  t.true(ok(native), `differs from both the plain pipeline and the native run (in ${r.dir})\n${inst.stdout}\n---\n${orig.stdout}\n---\n${native.stdout}`);
}

function same(t, r) {
  t.is(r.inst.stdout, r.orig.stdout, `stdout differs (instrumented build in ${r.dir})`);
  t.is(r.inst.code, r.orig.code, 'exit code differs');
  t.is(r.inst.error, r.orig.error, 'uncaught error differs');
}

for (const file of programs) {
  const code = readFileSync(join(dir, file), 'utf8');
  const module = file.endsWith('.mjs');
  test(`fake runtime: ${file}`, async (t) => {
    const r = await differential(code, { module, name: file });
    t.true(r.orig.stdout.length > 0);
    same(t, r);
  });
  test(`fake runtime, instrument "all": ${file}`, async (t) => {
    same(t, await differential(code, { module, name: file + '-all', options: { instrument: 'all' } }));
  });
  // Old targets: preset-env lowers classes, private names, block scoping, destructuring, async and
  // generators *after* raceway ran, in either listing order; the lowered build must still match.
  const env = [require.resolve('@babel/preset-env'), { targets: 'chrome 50', modules: module ? false : 'commonjs' }];
  test(`fake runtime, preset-env for old targets (raceway listed last): ${file}`, async (t) => {
    sameAsPipelineOrNative(t, await differential(code, { module, name: file + '-env1', presets: (r) => (r ? [env, r] : [env]) }));
  });
  test(`fake runtime, preset-env for old targets (raceway listed first): ${file}`, async (t) => {
    sameAsPipelineOrNative(t, await differential(code, { module, name: file + '-env2', presets: (r) => (r ? [r, env] : [env]) }));
  });
  test.serial(`real runtime: ${file}`, async (t) => {
    const collector = await startCollector();
    try {
      const r = await differential(code, { module, name: file + '-real', runtime: 'real', env: { RACEWAY_ENDPOINT: collector.endpoint } });
      same(t, r);
      t.true(collector.events().length > 0, 'no events arrived');
    } finally {
      await collector.close();
    }
  });
}
