// Asynchronous ES module loader hooks (`module.register`, run in Node's loader thread) for Node
// versions without `module.registerHooks`: see `instrumentLoaded` in register-core.ts.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const core: typeof import('./register-core.js') = require('./register-core.js');
const babelLoader: typeof import('./register-babel.js') = require('./register-babel.js');

// Babel 8 is an ES module, which Node 22 cannot `require` in this thread: import it instead. (When
// it is missing, the main thread has already said so and exited.)
try {
  const babel = await import(pathToFileURL(require.resolve('@babel/core')).href);
  babelLoader.useBabel(typeof babel.transformSync === 'function' ? babel : babel.default);
} catch {
  /* loadBabel reports it */
}

type NextLoad = (url: string, context?: unknown) => Promise<import('./register-core.js').LoadResult>;

export async function load(url: string, context: unknown, nextLoad: NextLoad): Promise<import('./register-core.js').LoadResult> {
  return core.instrumentLoaded(url, await nextLoad(url, context));
}
