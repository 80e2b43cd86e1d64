// The Babel front end as a fixture-harness front end: every file of a fixture goes through
// @babel/core with @babel/preset-typescript and the `raceway/babel` preset (from dist/, built by
// `node scripts/build.mjs` or `npx tsc -b babel-plugin`). `.ts` files become CommonJS like the
// plain tsc build does; `.mts` stay ES modules; `.js` are parsed "unambiguous" (scripts stay sloppy).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { outputName, repoRoot } from '../../helpers/fixture-harness.mjs';
import { babel, resolveBabel } from '../../helpers/toolchain.mjs';


const babelMajor = Number.parseInt(babel.version, 10);

export const presetPath = join(repoRoot, 'dist', 'babel-plugin', 'preset.js');
export const pluginPath = join(repoRoot, 'dist', 'babel-plugin', 'plugin.js');

/** Babel options for one fixture file; `order` puts the raceway preset before or after preset-typescript. */
export function babelOptions(fixture, fileName, { order = 'raceway-last', options = fixture.config.options ?? {}, env = false } = {}) {
  const esm = /\.m[jt]s$/.test(fileName);
  const ts = /\.[cm]?tsx?$/.test(fileName);
  const jsx = /\.[jt]sx$/.test(fileName);
  const raceway = [presetPath, { ...options, root: fixture.dir }];
  // Babel 8 always keeps `declare` fields apart (the option is gone); Babel 7 needs it set.
  const typescript = [resolveBabel('@babel/preset-typescript'), babelMajor === 7 ? { allowDeclareFields: true } : {}];
  // Presets run last-to-first: "raceway-last" lists raceway last so it runs first.
  const presets = ts ? (order === 'raceway-last' ? [typescript, raceway] : [raceway, typescript]) : [raceway];
  const plugins = [];
  // JSX the way tsc's `jsx: "react"` emits it (React.createElement), after instrumentation.
  if (jsx) plugins.push([resolveBabel('@babel/plugin-transform-react-jsx'), { runtime: 'classic' }]);
  if (env) presets.unshift([resolveBabel('@babel/preset-env'), { targets: { node: '20' }, modules: esm ? false : 'commonjs' }]);
  else if (!esm) plugins.push([resolveBabel('@babel/plugin-transform-modules-commonjs'), { importInterop: 'babel' }]);
  return {
    babelrc: false,
    configFile: false,
    root: fixture.dir,
    cwd: fixture.dir,
    filename: fileName,
    sourceType: /\.jsx?$/.test(fileName) ? 'unambiguous' : 'module',
    presets,
    plugins,
    sourceMaps: true,
  };
}

export function compileWithBabel(fixture, outDir, opts = {}) {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  for (const f of fixture.files) {
    const fileName = join(fixture.dir, f);
    const out = babel.transformSync(readFileSync(fileName, 'utf8'), babelOptions(fixture, fileName, opts));
    const outFile = outputName(f);
    writeFileSync(join(outDir, outFile), out.code + `\n//# sourceMappingURL=${outFile}.map\n`);
    writeFileSync(join(outDir, outFile + '.map'), JSON.stringify(out.map));
  }
  return join(outDir, outputName(fixture.entry));
}

export const babelFrontEnd = {
  name: 'babel',
  compile({ fixture, outDir }) {
    return compileWithBabel(fixture, outDir);
  },
};
