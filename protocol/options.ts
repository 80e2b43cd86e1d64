/**
 * Front-end options (fixtures/SPEC.md §6): the one schema, normaliser and file filter the Babel
 * plugin, the preset, the register hooks and the TypeScript transformer share.
 */
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import picomatch from 'picomatch';

export interface RacewayOptions {
  /** Globs (relative to the project root) of files to instrument. Default `["**\/*"]`. */
  include?: string | string[];
  /**
   * Globs never instrumented, in addition to `DEFAULT_EXCLUDE` (node_modules and declaration files).
   * Raceway's own code is never instrumented either.
   */
  exclude?: string | string[];
  /** `"shared"` (default) or `"all"`: also record function-local bindings no closure captures. */
  instrument?: 'shared' | 'all';
  writes?: boolean;
  reads?: boolean;
  awaits?: boolean;
  functions?: boolean;
  /** Module specifier of the hooks. Default `"raceway/runtime"`. */
  runtimeModule?: string;
  /** Project root that file paths in events are relative to (each front end has its own default). */
  root?: string;
}

export interface NormalizedOptions {
  include: string[];
  /** The `exclude` option as given (the filter adds `DEFAULT_EXCLUDE`). */
  exclude: string[];
  instrument: 'shared' | 'all';
  writes: boolean;
  reads: boolean;
  awaits: boolean;
  functions: boolean;
  runtimeModule: string;
  root: string | undefined;
}

export const DEFAULT_INCLUDE: readonly string[] = ['**/*'];
export const DEFAULT_EXCLUDE: readonly string[] = ['**/node_modules/**', '**/*.d.ts', '**/*.d.mts', '**/*.d.cts'];
export const DEFAULT_RUNTIME = 'raceway/runtime';

const KNOWN = ['include', 'exclude', 'instrument', 'writes', 'reads', 'awaits', 'functions', 'runtimeModule', 'root'];

/** The error every invalid option raises: one line naming the option and what it must be. */
export class RacewayOptionsError extends TypeError {
  constructor(message: string) {
    super('raceway: ' + message);
    this.name = 'RacewayOptionsError';
  }
}

function globs(value: unknown, name: string, fallback: readonly string[]): string[] {
  if (value === undefined || value === null) return [...fallback];
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.some((g) => typeof g !== 'string')) {
    throw new RacewayOptionsError(`option "${name}" must be a glob string or an array of glob strings`);
  }
  return list as string[];
}

function flag(value: unknown, name: string): boolean {
  if (value === undefined) return true;
  if (typeof value !== 'boolean') throw new RacewayOptionsError(`option "${name}" must be a boolean`);
  return value;
}

function optionalString(value: unknown, name: string): string | undefined {
  if (value !== undefined && typeof value !== 'string') throw new RacewayOptionsError(`option "${name}" must be a string`);
  return value;
}

/**
 * Validates and completes the options. Unknown keys are errors, except `frontEndKeys`, which the
 * calling front end reads itself (the transformer's `onError`).
 */
export function normalizeOptions(raw: unknown, frontEndKeys: readonly string[] = []): NormalizedOptions {
  if (raw !== undefined && raw !== null && (typeof raw !== 'object' || Array.isArray(raw))) {
    throw new RacewayOptionsError('options must be an object');
  }
  const o = (raw ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!KNOWN.includes(key) && !frontEndKeys.includes(key)) {
      throw new RacewayOptionsError(`unknown option "${key}" (known: ${[...KNOWN, ...frontEndKeys].join(', ')})`);
    }
  }
  const instrument = o.instrument ?? 'shared';
  if (instrument !== 'shared' && instrument !== 'all') throw new RacewayOptionsError('option "instrument" must be "shared" or "all"');
  return {
    include: globs(o.include, 'include', DEFAULT_INCLUDE),
    exclude: globs(o.exclude, 'exclude', []),
    instrument,
    writes: flag(o.writes, 'writes'),
    reads: flag(o.reads, 'reads'),
    awaits: flag(o.awaits, 'awaits'),
    functions: flag(o.functions, 'functions'),
    runtimeModule: optionalString(o.runtimeModule, 'runtimeModule') ?? DEFAULT_RUNTIME,
    root: optionalString(o.root, 'root'),
  };
}

export function toPosix(p: string): string {
  return sep === '/' ? p : p.split(sep).join('/');
}

/** The file's POSIX path relative to `root` (SPEC §2 "file"). */
export function relativeFile(root: string, filename: string): string {
  const rel = toPosix(relative(root, resolve(root, filename)));
  return rel === '' ? toPosix(filename) : rel;
}

/**
 * Raceway's own code, never instrumented: the runtime (its sources and build output) and the
 * package's build output (the front ends, this module). This file is `<package>/dist/protocol/options.js`.
 */
function ownDirectories(): string[] {
  const pkg = resolve(__dirname, '..', '..');
  return [join(pkg, 'runtime'), join(pkg, 'dist')].map((d) => d + sep);
}
let ownDirs: string[] | undefined;

export type FileFilter = (filename: string) => boolean;

const filters = new Map<string, FileFilter>();

/**
 * Whether a file is instrumented under these options: not Raceway's own, matched by no `exclude`
 * glob (the defaults and the option's) and by an `include` glob. Globs are matched against the
 * path relative to the root, or the absolute path for a file outside the root (so
 * `**\/node_modules/**` holds there too). Answers are cached per file.
 */
export function createFileFilter(opts: Pick<NormalizedOptions, 'include' | 'exclude'>, root: string): FileFilter {
  const key = JSON.stringify([opts.include, opts.exclude, root]);
  const cached = filters.get(key);
  if (cached) return cached;
  const include = picomatch(opts.include, { dot: true });
  const exclude = picomatch([...DEFAULT_EXCLUDE, ...opts.exclude], { dot: true });
  const own = ownDirs ??= ownDirectories();
  const decided = new Map<string, boolean>();
  const filter: FileFilter = (filename) => {
    let yes = decided.get(filename);
    if (yes !== undefined) return yes;
    const abs = isAbsolute(filename) ? filename : resolve(root, filename);
    if (own.some((d) => abs.startsWith(d))) yes = false;
    else {
      const rel = toPosix(relative(root, abs));
      const key = rel.startsWith('../') || isAbsolute(rel) ? toPosix(abs) : rel;
      yes = !exclude(key) && include(key);
    }
    decided.set(filename, yes);
    return yes;
  };
  filters.set(key, filter);
  return filter;
}
