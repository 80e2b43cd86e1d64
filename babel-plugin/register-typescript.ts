// TypeScript files under `raceway/register`: stripped of their types the way Node strips them when
// it runs a `.ts` file itself, so that what gets instrumented is the JavaScript Node would run.
import Module = require('node:module');

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
