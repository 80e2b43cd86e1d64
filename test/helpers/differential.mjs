// Differential runs of many small programs through both front ends at once, for the fuzzer
// (test/differential-fuzz.test.mjs): each program is compiled plainly and instrumented in every
// build below, the builds run in a few child processes (test/helpers/diff-runner.mjs loads a whole
// batch, so a run costs one process per build, not per program), and each instrumented transcript
// is compared with the plain one of the same build.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { repoRoot, runNodeWith } from './fixture-harness.mjs';
import { babel, ts } from './toolchain.mjs';

const require = createRequire(import.meta.url);
const runner = join(repoRoot, 'test', 'helpers', 'diff-runner.mjs');

/**
 * The builds: front end × module format. `strict` says whether the build's code is strict (ES
 * modules, TypeScript's `alwaysStrict`); sloppy builds are where `arguments` aliasing, `delete`
 * results and failed writes behave differently.
 */
export const BUILDS = {
  'ts-cjs': { esm: false, strict: true },
  'ts-esm': { esm: true, strict: true },
  'ts-sloppy': { esm: false, strict: false },
  'babel-script': { esm: false, strict: false },
  'babel-module': { esm: true, strict: true },
};

function compileTs(source, build, dir, instrument, options) {
  const { createRacewayTransformer } = require(join(repoRoot, 'dist', 'transformer', 'index.js'));
  const { esm, strict } = BUILDS[build];
  const errors = [];
  const out = ts.transpileModule(source, {
    // A `.js` file with allowJs for the sloppy build: no type-level strictness, no "use strict".
    fileName: join(dir, strict ? (esm ? 'input.mts' : 'input.ts') : 'input.js'),
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: esm ? ts.ModuleKind.ESNext : ts.ModuleKind.CommonJS,
      strict, alwaysStrict: strict, allowJs: true,
    },
    transformers: instrument ? { before: [createRacewayTransformer({ ...options, root: dir, onError: (_f, e) => errors.push(e) })] } : undefined,
  });
  if (errors.length) throw errors[0];
  return out.outputText;
}

function compileBabel(source, build, dir, instrument, options) {
  const { esm } = BUILDS[build];
  if (!instrument) return source;
  return babel.transformSync(source, {
    babelrc: false, configFile: false, root: dir, cwd: dir,
    filename: join(dir, esm ? 'input.mjs' : 'input.js'),
    sourceType: esm ? 'module' : 'script',
    plugins: [[join(repoRoot, 'dist', 'babel-plugin', 'plugin.js'), options]],
  }).code;
}

/** `options`: front-end options (SPEC §6), the same for both front ends. */
export function compile(source, build, dir, instrument, options = {}) {
  return build.startsWith('ts-') ? compileTs(source, build, dir, instrument, options) : compileBabel(source, build, dir, instrument, options);
}

/** Runs the runner over `files` with `env`; resolves with one transcript (array of lines) per file. */
export async function runBatch(files, env = {}) {
  const { stdout, stderr, code } = await runNodeWith([runner, ...files], { env, killAfterMs: 120_000 });
  try {
    return JSON.parse(stdout);
  } catch {
    throw new Error(`runner failed (exit ${code})\n${stderr.slice(0, 4000)}`);
  }
}

let batches = 0;
/**
 * Compiles every program through every build in `builds` (or the program's own `builds`, for
 * entries `{ code, builds }`), plain and instrumented, runs all plain builds in one process and all
 * instrumented ones in one process per entry of `envs` (recording off / on), and returns the
 * differences: `{ index, build, env, plain, inst, file }` per program and build whose transcripts
 * differ. A program the front end cannot compile is a difference too (its error as the transcript).
 */
export async function differentialBatch(sources, { builds = Object.keys(BUILDS), envs = { off: {} }, name = 'batch', options = {} } = {}) {
  const dir = join(repoRoot, '.tmp', 'diff-fuzz', `${name}-${process.pid}-${batches++}`);
  rmSync(dir, { recursive: true, force: true });
  const runs = []; // { index, build, plain, inst }
  sources.forEach((entry, index) => {
    const code = typeof entry === 'string' ? entry : entry.code;
    for (const build of (typeof entry === 'string' ? builds : entry.builds)) {
      const bdir = join(dir, build);
      mkdirSync(bdir, { recursive: true });
      const ext = BUILDS[build].esm ? '.mjs' : '.js';
      const plain = join(bdir, `p${index}${ext}`), inst = join(bdir, `i${index}${ext}`);
      writeFileSync(plain, compile(code, build, bdir, false));
      let out;
      try { out = compile(code, build, bdir, true, options); } catch (e) { out = `globalThis.__out.push(${JSON.stringify('compile error: ' + e.message)});`; }
      writeFileSync(inst, out);
      runs.push({ index, build, plain, inst });
    }
  });
  const [plain, ...insts] = await Promise.all([runBatch(runs.map((r) => r.plain)), ...Object.values(envs).map((env) => runBatch(runs.map((r) => r.inst), env))]);
  const diffs = [];
  Object.keys(envs).forEach((env, k) => {
    runs.forEach((r, j) => {
      const a = plain[j].join('\n'), b = insts[k][j].join('\n');
      if (a !== b) diffs.push({ index: r.index, build: r.build, env, plain: a, inst: b, file: r.inst });
    });
  });
  return diffs;
}
