// `@babel/core` for `raceway/register`: an optional peer dependency (Babel 7 or 8) that load-time
// instrumentation needs, loaded once, with one line instead of a stack trace when it is missing.

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
