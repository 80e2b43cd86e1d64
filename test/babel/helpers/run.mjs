// Helpers for the Babel front end's own tests: compile a program with the plugin, run the original
// and the instrumented build in child processes, capture what they print and throw.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runNode } from '../../helpers/fixture-harness.mjs';
import { babel } from '../../helpers/toolchain.mjs';

export { babel };
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const tmp = join(repoRoot, '.tmp', 'babel-tests');
export const pluginPath = join(repoRoot, 'dist', 'babel-plugin', 'plugin.js');
export const presetPath = join(repoRoot, 'dist', 'babel-plugin', 'preset.js');
export const fakeRuntime = { cjs: join(repoRoot, 'test', 'babel', 'helpers', 'fake-runtime.cjs'), esm: join(repoRoot, 'test', 'babel', 'helpers', 'fake-runtime.mjs') };

/** Transforms `code` with the raceway plugin (plus any extra Babel options). */
export function instrument(code, { filename = join(tmp, 'input.js'), sourceType = 'unambiguous', options = {}, presets = [], plugins = [], root = tmp } = {}) {
  return babel.transformSync(code, {
    babelrc: false,
    configFile: false,
    filename,
    root,
    cwd: root,
    sourceType,
    presets,
    plugins: [[pluginPath, options], ...plugins],
  });
}

/** Runs `node file`; stdout, stderr, exit code and the first error line. */
export function run(file, env = {}) {
  return runNode(file, env, { killAfterMs: 60_000 });
}

let seq = 0;
/**
 * Differential check: `code` as written vs. instrumented (with the fake runtime, which performs
 * every hook's operation exactly as the spec says, or with the real `raceway/runtime`).
 */
export async function differential(code, { module = false, runtime = 'fake', options = {}, name = 'p' + seq++, env = {}, presets = null } = {}) {
  const dir = join(tmp, 'diff', `${name}-${process.pid}-${seq++}`);
  mkdirSync(dir, { recursive: true });
  const ext = module ? '.mjs' : '.js';
  const orig = join(dir, 'orig' + ext);
  const inst = join(dir, 'inst' + ext);
  const runtimeModule = runtime === 'fake' ? (module ? fakeRuntime.esm : fakeRuntime.cjs) : 'raceway/runtime';
  // With `presets` (a function of the raceway preset entry), both builds go through the same
  // pipeline: `presets(null)` for the plain one, `presets(entry)` for the instrumented one.
  const pipeline = (withRaceway) => ({
    babelrc: false, configFile: false, root: dir, cwd: dir, sourceType: module ? 'module' : 'script',
    presets: presets(withRaceway ? [presetPath, { ...options, runtimeModule }] : null),
  });
  writeFileSync(orig, presets ? babel.transformSync(code, { ...pipeline(false), filename: orig }).code : code);
  const out = presets
    ? babel.transformSync(code, { ...pipeline(true), filename: inst })
    : instrument(code, { filename: inst, sourceType: module ? 'module' : 'script', options: { ...options, runtimeModule }, root: dir });
  writeFileSync(inst, out.code);
  const native = join(dir, 'native' + ext);
  if (presets) writeFileSync(native, code);
  const [a, b, c] = await Promise.all([run(orig), run(inst, runtime === 'fake' ? env : { RACEWAY_ENABLED: 'true', ...env }), presets ? run(native) : null]);
  return { orig: a, inst: b, native: c, code: out.code, dir };
}

/** Runs `node ARGS` in `cwd` with Raceway off and no inherited NODE_OPTIONS unless `env` says otherwise. */
export function node(args, cwd, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd, env: { ...process.env, NODE_OPTIONS: '', RACEWAY_ENABLED: 'false', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000); // hang guard only
    child.on('close', (code) => { clearTimeout(timer); resolve({ stdout, stderr, code }); });
  });
}
