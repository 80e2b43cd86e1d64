// `node --import raceway/register app.mjs`: module hooks instrument ES modules (and TypeScript files
// Node strips natively) as they load; CommonJS files required along the way go through the `-r`
// hook, installed here too. Where Node has in-thread hooks (`module.registerHooks`, 22.15+) they are
// used: `module.register` is deprecated from Node 26, and on Node 22 its loader thread cannot
// `require` an ES module such as Babel 8.
import * as Module from 'node:module';

const require = Module.createRequire(import.meta.url);
require('./register.js');
const core: typeof import('./register-core.js') = require('./register-core.js');

type SyncLoad = (url: string, context: unknown, nextLoad: (url: string, context?: unknown) => import('./register-core.js').LoadResult) => import('./register-core.js').LoadResult;
const registerHooks = (Module as unknown as { registerHooks?: (hooks: { load: SyncLoad }) => unknown }).registerHooks;

if (typeof registerHooks === 'function') {
  registerHooks({ load: (url, context, nextLoad) => core.instrumentLoaded(url, nextLoad(url, context)) });
} else {
  Module.register('./register-hooks.mjs', import.meta.url);
}
