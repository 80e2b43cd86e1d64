// Asynchronous ES module loader hooks (`module.register`, run in Node's loader thread) for Node
// versions without `module.registerHooks`: see `instrumentLoaded` in register-core.ts.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const core: typeof import('./register-core.js') = require('./register-core.js');
const babelLoader: typeof import('./register-babel.js') = require('./register-babel.js');

let babelImported = false;

/**
 * Babel 8 is an ES module, which Node 22 cannot `require` in this thread: import it instead, and
 * only when a file is not in the cache (a warm run loads no Babel). When it is missing, the main
 * thread has already said so and exited.
 */
async function importBabel(filename: string): Promise<void> {
  if (babelImported) return;
  babelImported = true;
  babelLoader.noteBabelLoad(filename);
  try {
    const babel = await import(pathToFileURL(require.resolve('@babel/core')).href);
    babelLoader.useBabel(typeof babel.transformSync === 'function' ? babel : babel.default);
  } catch {
    /* loadBabel reports it */
  }
}

type NextLoad = (url: string, context?: unknown) => Promise<import('./register-core.js').LoadResult>;

export async function load(url: string, context: unknown, nextLoad: NextLoad): Promise<import('./register-core.js').LoadResult> {
  const loaded = await nextLoad(url, context);
  const cached = core.instrumentLoaded(url, loaded, !babelImported);
  if (cached) return cached;
  await importBabel(url);
  return core.instrumentLoaded(url, loaded);
}
