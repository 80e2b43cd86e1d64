// Load-time instrumentation shared by `raceway/register` (CommonJS `-r` hook) and its ES-module
// loader hooks (`--import`): options, include/exclude filter, an on-disk cache of compiled output,
// and what a module hook does with what Node loaded (`instrumentLoaded`).
//
// Options come from (first found): the RACEWAY_BABEL_OPTIONS environment variable (JSON), the
// "raceway" key of <root>/package.json, else defaults. <root> is RACEWAY_ROOT or the working
// directory; file paths in events are relative to it. The cache lives in RACEWAY_CACHE_DIR, else
// <root>/node_modules/.cache/raceway-register, else <tmpdir>/raceway-register; RACEWAY_CACHE=false
// turns it off. Entries are keyed by a hash of the source, the file name, the options and the
// front end's own code, so a changed file or upgraded plugin never reuses stale output.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createFileFilter, normalizeOptions, type FileFilter, type NormalizedOptions, type RacewayOptions } from './options';
import { babelVersion, loadBabel } from './register-babel';
import { typeStripper } from './register-typescript';

export interface RegisterState {
  root: string;
  raw: RacewayOptions;
  opts: NormalizedOptions;
  filter: FileFilter;
  cacheDir: string | null;
  stamp: string;
}

let state: RegisterState | undefined;

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
  state = { root: opts.root ? resolve(root, opts.root) : root, raw, opts, filter, cacheDir, stamp: frontEndStamp() };
  return state;
}

/**
 * What compiled output depends on besides the file itself: every module of the front end and of
 * the protocol it emits (a change in any of them, e.g. an upgrade of raceway, must not reuse output
 * made by the old ones) and the Babel version.
 */
function frontEndStamp(): string {
  const h = createHash('sha256');
  for (const dir of [__dirname, join(__dirname, '..', 'protocol')]) {
    let files: string[] = [];
    try {
      files = readdirSync(dir).filter((f) => f.endsWith('.js')).sort();
    } catch {
      h.update(dir);
    }
    for (const f of files) {
      try {
        h.update(f).update('\0').update(readFileSync(join(dir, f)));
      } catch {
        h.update(f);
      }
    }
  }
  h.update(babelVersion());
  return h.digest('hex');
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

/**
 * Instruments one file's source for the given module format; cached on disk. Babel is loaded only
 * on a cache miss; with `cachedOnly`, a miss returns undefined instead (for the module-loader
 * thread, which must import Babel asynchronously first).
 */
export function compile(source: string, filename: string, format: 'commonjs' | 'module'): string;
export function compile(source: string, filename: string, format: 'commonjs' | 'module', cachedOnly: boolean): string | undefined;
export function compile(source: string, filename: string, format: 'commonjs' | 'module', cachedOnly = false): string | undefined {
  const s = registerState();
  // The output names the runtime by absolute location: a project moved or reinstalled elsewhere
  // must not load cached files that import a runtime which is no longer there.
  const runtime = runtimeFor(format, s.opts);
  const key = s.cacheDir
    ? createHash('sha256').update(s.stamp).update('\0').update(format).update('\0').update(runtime).update('\0').update(filename).update('\0').update(JSON.stringify(s.raw)).update('\0').update(source).digest('hex')
    : '';
  const cacheFile = s.cacheDir ? join(s.cacheDir, key.slice(0, 2), key + '.js') : '';
  if (cacheFile) {
    try {
      return readFileSync(cacheFile, 'utf8');
    } catch {
      /* not cached yet */
    }
  }
  if (cachedOnly) return undefined;
  const babel = loadBabel(filename);
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
    plugins: [[plugin, { ...s.raw, root: s.root, runtimeModule: runtime }]],
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
 * CommonJS `.js`/`.cjs` files are left to the `require` hook of register.ts. With `cachedOnly`,
 * undefined when the file needs compiling and is not in the cache (see `compile`).
 */
export function instrumentLoaded(url: string, result: LoadResult): LoadResult;
export function instrumentLoaded(url: string, result: LoadResult, cachedOnly: boolean): LoadResult | undefined;
export function instrumentLoaded(url: string, result: LoadResult, cachedOnly = false): LoadResult | undefined {
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
  const code = compile(source, filename, format, cachedOnly);
  return code === undefined ? undefined : { ...result, format, source: code, shortCircuit: true };
}
