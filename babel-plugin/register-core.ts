// Load-time instrumentation shared by `raceway/register` (CommonJS `-r` hook) and its ES-module
// loader hooks (`--import`): options, include/exclude filter and an on-disk cache of compiled output.
//
// Options come from (first found): the RACEWAY_BABEL_OPTIONS environment variable (JSON), the
// "raceway" key of <root>/package.json, else defaults. <root> is RACEWAY_ROOT or the working
// directory; file paths in events are relative to it. The cache lives in RACEWAY_CACHE_DIR, else
// <root>/node_modules/.cache/raceway-register, else <tmpdir>/raceway-register; RACEWAY_CACHE=false
// turns it off. Entries are keyed by a hash of the source, the file name, the options and the
// front end's own code, so a changed file or upgraded plugin never reuses stale output.
import { createHash } from 'node:crypto';
import Module = require('node:module');
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createFileFilter, normalizeOptions, type FileFilter, type NormalizedOptions, type RacewayOptions } from './options';

export interface RegisterState {
  root: string;
  raw: RacewayOptions;
  opts: NormalizedOptions;
  filter: FileFilter;
  cacheDir: string | null;
  stamp: string;
}

let state: RegisterState | undefined;

/** What `raceway/register` prints, on one line, when the app has no usable @babel/core. */
export const MISSING_BABEL = 'raceway/register needs @babel/core: install it in your app (npm install @babel/core) and run again';
const BABEL_NEEDS_NEWER_NODE = `raceway/register: the installed @babel/core is an ES module this Node (${process.version}) cannot require; ` +
  'Babel 8 needs Node ^22.18 or >= 24.11 (or install @babel/core@7)';

let babelCore: any;

/**
 * Hands over an `@babel/core` loaded with `import()`: Node 22 cannot `require` an ES module (Babel
 * 8) in the module-loader thread, where the ES module hooks run.
 */
export function useBabel(babel: any): void {
  babelCore = babel;
}

/**
 * `@babel/core`, an optional peer dependency that load-time instrumentation needs. Without it the
 * process stops with one line saying what to install rather than a module-resolution stack trace
 * (this runs at startup, from `-r`/`--import`, before any app code).
 */
export function loadBabel(): any {
  if (babelCore !== undefined) return babelCore;
  try {
    return require('@babel/core');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const line = err.code === 'MODULE_NOT_FOUND' && /['"]@babel\/core['"]/.test(err.message.split('\n')[0] ?? '')
      ? MISSING_BABEL
      : err.code === 'ERR_REQUIRE_ESM' ? BABEL_NEEDS_NEWER_NODE : null;
    if (line === null) throw e;
    process.stderr.write(line + '\n');
    process.exit(1);
  }
}

function readJson(file: string): any {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

export function registerState(): RegisterState {
  if (state) return state;
  const root = resolve(process.env.RACEWAY_ROOT || process.cwd());
  let raw: RacewayOptions = {};
  if (process.env.RACEWAY_BABEL_OPTIONS) {
    try {
      raw = JSON.parse(process.env.RACEWAY_BABEL_OPTIONS);
    } catch (e) {
      throw new TypeError(`raceway/register: RACEWAY_BABEL_OPTIONS is not valid JSON (${(e as Error).message})`);
    }
  } else {
    const pkg = readJson(join(root, 'package.json'));
    if (pkg && typeof pkg.raceway === 'object' && pkg.raceway) raw = pkg.raceway;
  }
  const opts = normalizeOptions(raw);
  const filter = createFileFilter(opts, opts.root ? resolve(root, opts.root) : root);
  let cacheDir: string | null = null;
  const cacheFlag = (process.env.RACEWAY_CACHE ?? '').toLowerCase();
  if (!['0', 'false', 'no', 'off'].includes(cacheFlag)) {
    cacheDir = process.env.RACEWAY_CACHE_DIR
      ? resolve(process.env.RACEWAY_CACHE_DIR)
      : existsSync(join(root, 'node_modules'))
        ? join(root, 'node_modules', '.cache', 'raceway-register')
        : join(tmpdir(), 'raceway-register');
  }
  const h = createHash('sha256');
  for (const f of ['instrument.js', 'plugin.js', 'options.js', 'register-core.js']) {
    try {
      h.update(readFileSync(join(__dirname, f)));
    } catch {
      h.update(f);
    }
  }
  h.update(loadBabel().version);
  state = { root: opts.root ? resolve(root, opts.root) : root, raw, opts, filter, cacheDir, stamp: h.digest('hex') };
  return state;
}

/** The runtime by absolute location, so instrumented files resolve it wherever they live. */
function runtimeFor(format: 'commonjs' | 'module', opts: NormalizedOptions): string {
  if (opts.runtimeModule !== 'raceway/runtime') return opts.runtimeModule;
  try {
    const cjs = require.resolve('raceway/runtime');
    if (format === 'commonjs') return cjs;
    const mjs = cjs.replace(/\.js$/, '.mjs');
    return pathToFileURL(existsSync(mjs) ? mjs : cjs).href;
  } catch {
    return opts.runtimeModule;
  }
}

export function shouldInstrument(filename: string): boolean {
  return registerState().filter(filename);
}

/** A TypeScript file by its extension (what Node's type stripping loads). */
export function isTypeScriptFile(filename: string): boolean {
  return /\.[cm]?ts$/.test(filename);
}

/**
 * Node's own type stripping (on by default from Node 22.18 and 23.6, `process.features.typescript`):
 * erases TypeScript syntax in place (lines and columns kept), failing on syntax that needs a
 * transform (`enum`, `namespace`, parameter properties) exactly as Node would when it loads the
 * file. Null when this Node does not run TypeScript files: they are then left to Node.
 */
export function typeStripper(): ((source: string, filename: string) => string) | null {
  const strip = (Module as unknown as { stripTypeScriptTypes?: (code: string, opts: { mode: 'strip' }) => string }).stripTypeScriptTypes;
  const features = process.features as { typescript?: string | false };
  if (typeof strip !== 'function' || !features.typescript) return null;
  return (source) => withoutStripWarning(() => strip(source, { mode: 'strip' }));
}

/**
 * Node flags `module.stripTypeScriptTypes` as experimental with a warning, although loading a `.ts`
 * file (which uses the same stripping) prints none: the app run through the hook must print what
 * it prints without it, so that one warning is held back while the hook calls it.
 */
function withoutStripWarning<T>(fn: () => T): T {
  const emitWarning = process.emitWarning;
  process.emitWarning = function (this: unknown, warning: string | Error, ...rest: unknown[]) {
    const text = typeof warning === 'string' ? warning : warning?.message;
    if (typeof text === 'string' && text.startsWith('stripTypeScriptTypes')) return;
    return (emitWarning as (...a: unknown[]) => void).call(process, warning, ...rest);
  } as typeof process.emitWarning;
  try {
    return fn();
  } finally {
    process.emitWarning = emitWarning;
  }
}

/** Instruments one file's source for the given module format; cached on disk. */
export function compile(source: string, filename: string, format: 'commonjs' | 'module'): string {
  const s = registerState();
  const key = s.cacheDir
    ? createHash('sha256').update(s.stamp).update('\0').update(format).update('\0').update(filename).update('\0').update(JSON.stringify(s.raw)).update('\0').update(source).digest('hex')
    : '';
  const cacheFile = s.cacheDir ? join(s.cacheDir, key.slice(0, 2), key + '.js') : '';
  if (cacheFile) {
    try {
      return readFileSync(cacheFile, 'utf8');
    } catch {
      /* not cached yet */
    }
  }
  const babel = loadBabel();
  const plugin = require('./plugin');
  const out = babel.transformSync(source, {
    babelrc: false,
    configFile: false,
    filename,
    root: s.root,
    cwd: s.root,
    sourceType: format === 'module' ? 'module' : 'unambiguous',
    parserOpts: { allowReturnOutsideFunction: format === 'commonjs', errorRecovery: false },
    retainLines: true,
    sourceMaps: 'inline',
    plugins: [[plugin, { ...s.raw, root: s.root, runtimeModule: runtimeFor(format, s.opts) }]],
  });
  const code: string = out.code;
  if (cacheFile) {
    try {
      mkdirSync(dirname(cacheFile), { recursive: true });
      const tmp = `${cacheFile}.${process.pid}.${Date.now()}.tmp`;
      writeFileSync(tmp, code);
      renameSync(tmp, cacheFile);
    } catch {
      /* a read-only cache directory only costs speed */
    }
  }
  return code;
}

/** What a module `load` hook gets from the next hook and returns. */
export interface LoadResult { format?: string | null; source?: string | ArrayBuffer | Uint8Array | null; shortCircuit?: boolean }

/** Formats Node gives TypeScript files it strips itself (22.18+, 24), and the format they run as. */
const STRIPPED: Record<string, 'module' | 'commonjs'> = { 'module-typescript': 'module', 'commonjs-typescript': 'commonjs' };

/**
 * The module-hook side of `--import raceway/register` (the asynchronous hooks of
 * register-hooks.mts and the in-thread `module.registerHooks`): instruments what Node loaded as an
 * ES module, and TypeScript it would strip (types stripped as Node would, then instrumented).
 * CommonJS `.js`/`.cjs` files are left to the `require` hook of register.ts.
 */
export function instrumentLoaded(url: string, result: LoadResult): LoadResult {
  const format = result.format === 'module' ? 'module' : STRIPPED[result.format ?? ''];
  if (!format || !url.startsWith('file:') || result.source == null) return result;
  const filename = fileURLToPath(url);
  if (!shouldInstrument(filename)) return result;
  let source = typeof result.source === 'string' ? result.source : Buffer.from(result.source as Uint8Array).toString('utf8');
  if (result.format !== 'module') {
    const strip = typeStripper();
    if (!strip) return result;
    source = strip(source, filename);
  }
  return { ...result, format, source: compile(source, filename, format), shortCircuit: true };
}
