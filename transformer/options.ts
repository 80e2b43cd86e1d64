/** Transformer options (SPEC.md §6) and their normalisation. */
import * as path from 'node:path';
import { createMatcher } from './glob';

export interface RacewayTransformerOptions {
  /** Globs relative to the project root of files to instrument. Default `["**\/*"]`. */
  include?: string[];
  /** Globs never instrumented, added to the defaults (node_modules, .d.ts, the runtime). */
  exclude?: string[];
  /** `"shared"` (default) or `"all"`: also record function-local bindings no closure captures. */
  instrument?: 'shared' | 'all';
  writes?: boolean;
  reads?: boolean;
  awaits?: boolean;
  functions?: boolean;
  /** Module specifier of the hooks. Default `"raceway/runtime"`. */
  runtimeModule?: string;
  /**
   * Project root that file paths in events are relative to. Defaults to the directory of the
   * tsconfig.json (ts-patch) or `process.cwd()` (transpileModule / customTransformers).
   */
  root?: string;
  /** Called when a file cannot be instrumented (it is then emitted unchanged). */
  onError?: (fileName: string, error: unknown) => void;
}

export interface NormalizedOptions {
  instrument: 'shared' | 'all';
  writes: boolean;
  reads: boolean;
  awaits: boolean;
  functions: boolean;
  runtimeModule: string;
  root: string;
  onError?: (fileName: string, error: unknown) => void;
  shouldInstrument(fileName: string): boolean;
  relative(fileName: string): string;
}

export const DEFAULT_EXCLUDE = ['**/node_modules/**', '**/*.d.ts', '**/*.d.mts', '**/*.d.cts'];

/** The runtime must never instrument itself: its sources and its build output. */
function runtimeDirs(): string[] {
  const pkgRoot = path.resolve(__dirname, '..', '..');
  return [path.join(pkgRoot, 'runtime'), path.join(pkgRoot, 'dist', 'runtime')];
}

export function normalizeOptions(raw: RacewayTransformerOptions | undefined, defaultRoot: string): NormalizedOptions {
  const o = raw ?? {};
  const root = path.resolve(o.root ?? defaultRoot);
  const include = createMatcher(o.include && o.include.length ? o.include : ['**/*']);
  const exclude = createMatcher([...DEFAULT_EXCLUDE, ...(o.exclude ?? [])]);
  const rtDirs = runtimeDirs();
  const toPosix = (p: string) => p.split(path.sep).join('/');
  // TypeScript asks about every emitted file (and the instrumenter again for its events' paths);
  // both answers depend on the file name only.
  const relCache = new Map<string, string>();
  const relative = (fileName: string) => {
    let rel = relCache.get(fileName);
    if (rel === undefined) relCache.set(fileName, rel = toPosix(path.relative(root, path.resolve(root, fileName))));
    return rel;
  };
  const decided = new Map<string, boolean>();
  return {
    instrument: o.instrument === 'all' ? 'all' : 'shared',
    writes: o.writes !== false,
    reads: o.reads !== false,
    awaits: o.awaits !== false,
    functions: o.functions !== false,
    runtimeModule: o.runtimeModule ?? 'raceway/runtime',
    root,
    onError: o.onError,
    relative,
    shouldInstrument(fileName) {
      let yes = decided.get(fileName);
      if (yes !== undefined) return yes;
      const abs = path.resolve(root, fileName);
      if (rtDirs.some((d) => abs === d || abs.startsWith(d + path.sep))) yes = false;
      else {
        const rel = relative(abs);
        // files outside the root are matched by their absolute path
        const key = rel.startsWith('../') ? toPosix(abs) : rel;
        yes = include(key) && !exclude(key);
      }
      decided.set(fileName, yes);
      return yes;
    },
  };
}
