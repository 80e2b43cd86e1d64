// The compilers the front-end tests build with. By default the project's own devDependencies
// (TypeScript 5.x + ts-patch 3, Babel 7); RACEWAY_TEST_TYPESCRIPT and RACEWAY_TEST_BABEL each name
// a directory whose node_modules holds another toolchain (scripts/test-platforms.mjs installs
// TypeScript 6 + ts-patch 4 and Babel 8 that way and runs the front-end tests through them). The
// transformer and the plugin under test always come from this checkout's dist/.
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const own = createRequire(import.meta.url);

function requireFrom(dir) {
  return dir ? createRequire(join(resolve(dir), 'node_modules', '.toolchain.js')) : own;
}

const tsRequire = requireFrom(process.env.RACEWAY_TEST_TYPESCRIPT);
const babelRequire = requireFrom(process.env.RACEWAY_TEST_BABEL);

/** The `typescript` module the tests compile with. */
export const ts = tsRequire('typescript');
/** ts-patch's `tspc` next to that TypeScript (ts-patch 4 exports no `bin/` path: found by its folder). */
export const tspcPath = join(dirname(tsRequire.resolve('ts-patch/package.json')), 'bin', 'tspc.js');
/** Plain `tsc` of that TypeScript. */
export const tscPath = tsRequire.resolve('typescript/bin/tsc');
/** `@babel/core` (Babel 8 is an ES module: `require` loads it where Node supports require(esm)). */
export const babel = babelRequire('@babel/core');
/** Resolves a Babel package (preset, plugin) of the same toolchain as `babel`. */
export const resolveBabel = (name) => babelRequire.resolve(name);

/** One line for test titles and logs: which compilers these tests ran with. */
export const toolchainLabel = `typescript ${ts.version}, @babel/core ${babel.version}`;

/**
 * Where `raceway/register` is loaded from. By default this checkout's dist/ (its @babel/core is the
 * project's). RACEWAY_TEST_INSTALLED names an app directory whose node_modules holds an installed
 * copy of raceway next to another @babel/core: register then runs as it does in such an app.
 */
export const installedApp = process.env.RACEWAY_TEST_INSTALLED ? resolve(process.env.RACEWAY_TEST_INSTALLED) : null;
export const registerDist = installedApp
  ? join(installedApp, 'node_modules', 'raceway', 'dist', 'babel-plugin')
  : join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'babel-plugin');
