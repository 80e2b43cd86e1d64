// Options shared by the Babel plugin, the preset and the register hooks (SPEC.md §6), and the
// include/exclude file filter they all use.
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import picomatch from 'picomatch';

/**
 * The @babel/core versions the plugin and the preset accept (`api.assertVersion`): Babel 7 and 8.
 * The plugin builds nodes with its own @babel/types and inserts the runtime import with
 * @babel/helper-module-imports; both produce the same AST shapes under Babel 7 and 8.
 */
export const BABEL_VERSIONS = '^7.20.0 || ^8.0.0';

export interface RacewayOptions {
  /** Globs (relative to the project root) of files to instrument. Default `["**\/*"]`. */
  include?: string | string[];
  /** Globs never instrumented. Default `["**\/node_modules/**", "**\/*.d.ts"]` + the runtime itself. */
  exclude?: string | string[];
  /** `"shared"` (default) or `"all"`. */
  instrument?: 'shared' | 'all';
  writes?: boolean;
  reads?: boolean;
  awaits?: boolean;
  functions?: boolean;
  /** Module specifier of the hooks. Default `"raceway/runtime"`. */
  runtimeModule?: string;
  /** Project root; defaults to Babel's `root` (or `cwd`). */
  root?: string;
}

export interface NormalizedOptions {
  include: string[];
  exclude: string[];
  instrument: 'shared' | 'all';
  writes: boolean;
  reads: boolean;
  awaits: boolean;
  functions: boolean;
  runtimeModule: string;
  root: string | undefined;
}

export const DEFAULT_INCLUDE = ['**/*'];
export const DEFAULT_EXCLUDE = ['**/node_modules/**', '**/*.d.ts'];
export const DEFAULT_RUNTIME = 'raceway/runtime';

const KNOWN = new Set(['include', 'exclude', 'instrument', 'writes', 'reads', 'awaits', 'functions', 'runtimeModule', 'root']);

function globs(value: unknown, name: string, fallback: string[]): string[] {
  if (value === undefined || value === null) return fallback;
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.some((g) => typeof g !== 'string')) {
    throw new TypeError(`raceway: option "${name}" must be a glob string or an array of glob strings`);
  }
  return list as string[];
}

function flag(value: unknown, name: string): boolean {
  if (value === undefined) return true;
  if (typeof value !== 'boolean') throw new TypeError(`raceway: option "${name}" must be a boolean`);
  return value;
}

export function normalizeOptions(raw: unknown): NormalizedOptions {
  const o = (raw ?? {}) as Record<string, unknown>;
  if (typeof o !== 'object') throw new TypeError('raceway: options must be an object');
  for (const key of Object.keys(o)) {
    if (!KNOWN.has(key)) throw new TypeError(`raceway: unknown option "${key}" (known: ${[...KNOWN].join(', ')})`);
  }
  const instrument = o.instrument ?? 'shared';
  if (instrument !== 'shared' && instrument !== 'all') {
    throw new TypeError('raceway: option "instrument" must be "shared" or "all"');
  }
  if (o.runtimeModule !== undefined && typeof o.runtimeModule !== 'string') {
    throw new TypeError('raceway: option "runtimeModule" must be a string');
  }
  if (o.root !== undefined && typeof o.root !== 'string') throw new TypeError('raceway: option "root" must be a string');
  return {
    include: globs(o.include, 'include', DEFAULT_INCLUDE),
    exclude: globs(o.exclude, 'exclude', DEFAULT_EXCLUDE),
    instrument,
    writes: flag(o.writes, 'writes'),
    reads: flag(o.reads, 'reads'),
    awaits: flag(o.awaits, 'awaits'),
    functions: flag(o.functions, 'functions'),
    runtimeModule: (o.runtimeModule as string | undefined) ?? DEFAULT_RUNTIME,
    root: o.root as string | undefined,
  };
}

/** Directories that are never instrumented: the runtime and this package's own front-end code. */
function selfDirectories(): string[] {
  const dirs = [dirname(__filename)];
  try {
    dirs.push(dirname(require.resolve('raceway/runtime')));
  } catch {
    /* not resolvable from here (unusual layout): only the front end itself is excluded */
  }
  return dirs.map((d) => (d.endsWith(sep) ? d : d + sep));
}
let selfDirs: string[] | undefined;

export function toPosix(p: string): string {
  return sep === '/' ? p : p.split(sep).join('/');
}

/** The file's POSIX path relative to `root` (SPEC §2 "file"). */
export function relativeFile(root: string, filename: string): string {
  const rel = toPosix(relative(root, filename));
  return rel === '' ? toPosix(filename) : rel;
}

export type FileFilter = (absoluteFilename: string) => boolean;

const filterCache = new Map<string, FileFilter>();

/** A predicate telling whether a file is to be instrumented under these options. */
export function createFileFilter(opts: NormalizedOptions, root: string): FileFilter {
  const key = JSON.stringify([opts.include, opts.exclude, root]);
  const cached = filterCache.get(key);
  if (cached) return cached;
  const inc = picomatch(opts.include, { dot: true });
  const exc = picomatch(opts.exclude, { dot: true });
  selfDirs ??= selfDirectories();
  const dirs = selfDirs;
  const filter: FileFilter = (filename) => {
    const abs = isAbsolute(filename) ? filename : resolve(root, filename);
    if (dirs.some((d) => abs.startsWith(d))) return false;
    const rel = toPosix(relative(root, abs));
    // Excludes also apply to the absolute path, so "**/node_modules/**" holds outside the root too.
    if (exc(rel) || exc(toPosix(abs))) return false;
    return inc(rel);
  };
  filterCache.set(key, filter);
  return filter;
}
