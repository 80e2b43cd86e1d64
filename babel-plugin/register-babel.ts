// `@babel/core` for `raceway/register`: an optional peer dependency (Babel 7 or 8) that load-time
// instrumentation needs, loaded once, with one line instead of a stack trace when it is missing.

/** What `raceway/register` prints, on one line, when the app has no usable @babel/core. */
export const MISSING_BABEL = 'raceway/register needs @babel/core: install it in your app (npm install @babel/core) and run again';
const BABEL_NEEDS_NEWER_NODE = `raceway/register: the installed @babel/core is an ES module this Node (${process.version}) cannot require; ` +
  'Babel 8 needs Node ^22.18 or >= 24.11 (or install @babel/core@7)';

let babelCore: any;

/**
 * `RACEWAY_REGISTER_DEBUG=1`: one stderr line whenever a process loads Babel, naming the file it
 * has to compile (a warm run, every file in the cache, prints none).
 */
export function noteBabelLoad(filename: string): void {
  if (/^(1|true|yes|on)$/i.test(process.env.RACEWAY_REGISTER_DEBUG ?? '')) {
    process.stderr.write(`raceway/register: loading @babel/core to compile ${filename} (pid ${process.pid})\n`);
  }
}

/** Says in one line what to install (or which Node to use) and stops the process; rethrows anything else. */
function failLoading(e: unknown): never {
  const err = e as NodeJS.ErrnoException;
  const line = err.code === 'MODULE_NOT_FOUND' && /['"]@babel\/core(\/package\.json)?['"]/.test(err.message.split('\n')[0] ?? '')
    ? MISSING_BABEL
    : err.code === 'ERR_REQUIRE_ESM' ? BABEL_NEEDS_NEWER_NODE : null;
  if (line === null) throw e;
  process.stderr.write(line + '\n');
  process.exit(1);
}

/**
 * The installed `@babel/core`'s version, read from its package.json without loading Babel (which
 * takes ~80 ms and 139 modules): what the cache key needs, so that a process whose files are all
 * cached never loads Babel. Stops the process with one line when Babel is not installed, as
 * `loadBabel` would.
 */
export function babelVersion(): string {
  let entry: string;
  try {
    entry = require.resolve('@babel/core');
  } catch (e) {
    return failLoading(e);
  }
  // The package root: the nearest package.json named @babel/core above its entry point (Babel 8's
  // exports map may not expose ./package.json).
  const { dirname, join } = require('node:path') as typeof import('node:path');
  const { readFileSync } = require('node:fs') as typeof import('node:fs');
  for (let dir = dirname(entry); dirname(dir) !== dir; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      if (pkg.name === '@babel/core') return String(pkg.version);
    } catch {
      /* no package.json here */
    }
  }
  return entry; // still tells installs apart
}

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
export function loadBabel(forFile = '(startup)'): any {
  if (babelCore !== undefined) return babelCore;
  noteBabelLoad(forFile);
  try {
    return (babelCore = require('@babel/core'));
  } catch (e) {
    return failLoading(e);
  }
}
