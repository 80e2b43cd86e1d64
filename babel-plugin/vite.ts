// `raceway/vite`: a Vite (and so Vitest) plugin that runs the Raceway Babel plugin in Vite's
// transform pipeline. Vitest runs test files through Vite's module runner, not Node's loader, so
// the `raceway/register` hook that `raceway run` puts in NODE_OPTIONS never sees them.
//
//   // vitest.config.mjs
//   import raceway from 'raceway/vite';
//   export default { plugins: [raceway()] };
//
// It instruments what runs in Node.js (Vitest's tests, server-side rendering), never browser
// bundles. It runs before Vite's own TypeScript/JSX transform (`enforce: "pre"`), on the source as written,
// so event locations are the lines of the `.ts` file; Vite strips the types afterwards. Options are
// the preset's (include/exclude, …); `raceway run --include/--exclude` fill in the ones not given.
import { isAbsolute, resolve } from 'node:path';
import { createFileFilter, normalizeOptions, type FileFilter, type RacewayOptions } from './options';
import { MISSING_BABEL, noteBabelLoad } from './register-babel';

/** The part of Vite's plugin interface this plugin implements (no dependency on Vite's types). */
export interface RacewayVitePlugin {
  name: 'raceway';
  enforce: 'pre';
  config(): { test: { setupFiles: string[]; server: { deps: { external: RegExp[] } } } };
  configResolved(config: { root: string }): void;
  transform(code: string, id: string, options?: { ssr?: boolean }): Promise<{ code: string; map: unknown } | null>;
}

/** Files Vite hands over that Babel can parse, by extension. */
const SCRIPT = /\.(?:[cm]?[jt]sx?)$/;
const TYPESCRIPT = /\.[cm]?tsx?$/;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

let babel: Promise<any> | undefined;

/**
 * `@babel/core`, imported (not required) once: Babel 8 is an ES module, which Node 20 cannot
 * `require`. A missing Babel fails the transform with one line saying what to install.
 */
function babelCore(forFile: string): Promise<any> {
  return (babel ??= (async () => {
    noteBabelLoad(forFile);
    try {
      const m: any = await import('@babel/core');
      return typeof m.transformSync === 'function' ? m : m.default;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' ? new Error(MISSING_BABEL.replace('raceway/register', 'raceway/vite')) : err;
    }
  })());
}

/** Options given to `raceway run` (`--include` / `--exclude`), under the plugin's own. */
function runOptions(): RacewayOptions {
  try {
    const raw = JSON.parse(process.env.RACEWAY_BABEL_OPTIONS ?? '{}');
    return raw && typeof raw === 'object' ? raw : {};
  } catch {
    return {};
  }
}

export default function raceway(options: RacewayOptions = {}): RacewayVitePlugin {
  const raw: RacewayOptions = { ...runOptions(), ...options };
  const opts = normalizeOptions(raw); // bad options fail when the config loads
  let root = process.cwd();
  let filter: FileFilter | undefined;
  return {
    name: 'raceway',
    enforce: 'pre',
    config: () => ({
      test: {
        // Delivers each test file's events when its tests are done (see vitest-setup.mts).
        setupFiles: [resolve(__dirname, 'vitest-setup.mjs')],
        // The runtime must be one instance per process, loaded by Node, never inlined into each test
        // file's module graph (which Vitest does to files outside node_modules, as in linked installs).
        server: { deps: { external: [new RegExp(escapeRegExp(resolve(__dirname, '..', 'runtime')))] } },
      },
    }),
    configResolved(config) {
      root = opts.root ? resolve(config.root, opts.root) : config.root;
    },
    async transform(code, id, options) {
      // Code that runs in Node only: Vitest's test files (whatever their environment, jsdom
      // included, they run in Node) and server-side rendering. The runtime is a Node.js module:
      // browser bundles are left as they are.
      if (!process.env.VITEST && options?.ssr !== true) return null;
      if (id.includes('\0')) return null; // virtual modules
      const file = id.split('?', 1)[0]!;
      if (!SCRIPT.test(file) || !isAbsolute(file)) return null;
      filter ??= createFileFilter(opts, root);
      if (!filter(file)) return null;
      const ts = TYPESCRIPT.test(file);
      const jsx = file.endsWith('x');
      const out = (await babelCore(file)).transformSync(code, {
        babelrc: false,
        configFile: false,
        filename: file,
        root,
        cwd: root,
        sourceType: 'module',
        parserOpts: { plugins: [...(ts ? ['typescript'] : []), ...(jsx ? ['jsx'] : [])] },
        retainLines: true,
        sourceMaps: true,
        plugins: [[require('./plugin'), { ...raw, root }]],
      });
      return out?.code == null ? null : { code: out.code, map: out.map };
    },
  };
}

module.exports = Object.assign(raceway, { default: raceway });
