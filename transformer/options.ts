/** Transformer options: the shared schema (protocol/options.ts, SPEC.md §6) plus `onError`. */
import * as path from 'node:path';
import { createFileFilter, normalizeOptions, RacewayOptionsError, relativeFile, type NormalizedOptions as SharedOptions, type RacewayOptions } from '../protocol/options';

export interface RacewayTransformerOptions extends RacewayOptions {
  /**
   * Project root that file paths in events are relative to. Defaults to the directory of the
   * tsconfig.json (ts-patch) or `process.cwd()` (transpileModule / customTransformers).
   */
  root?: string;
  /** Called when a file cannot be instrumented (it is then emitted unchanged). */
  onError?: (fileName: string, error: unknown) => void;
}

export interface NormalizedOptions extends Omit<SharedOptions, 'root'> {
  root: string;
  onError?: (fileName: string, error: unknown) => void;
  shouldInstrument(fileName: string): boolean;
  relative(fileName: string): string;
}

/** Validates the options (a `RacewayOptionsError` for anything unknown or mistyped). */
export function validateOptions(raw: RacewayTransformerOptions | undefined): SharedOptions & Pick<RacewayTransformerOptions, 'onError'> {
  const shared = normalizeOptions(raw, ['onError']);
  const onError = raw?.onError;
  if (onError !== undefined && typeof onError !== 'function') throw new RacewayOptionsError('option "onError" must be a function');
  return { ...shared, onError };
}

/** The options for files compiled under `defaultRoot` (the `root` option wins). */
export function resolveOptions(valid: ReturnType<typeof validateOptions>, defaultRoot: string): NormalizedOptions {
  const root = path.resolve(valid.root ?? defaultRoot);
  const filter = createFileFilter(valid, root);
  // TypeScript asks about every emitted file (and the instrumenter again for its events' paths).
  const relCache = new Map<string, string>();
  return {
    ...valid,
    root,
    shouldInstrument: filter,
    relative(fileName) {
      let rel = relCache.get(fileName);
      if (rel === undefined) relCache.set(fileName, rel = relativeFile(root, fileName));
      return rel;
    },
  };
}
