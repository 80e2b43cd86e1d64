// Builds the three copies of every library the benchmark runs, under bench/.out/libraries/:
//   plain/<lib>        the package's files as published
//   babel/<lib>        compiled through the Babel plugin (raceway/babel-plugin, default options)
//   transformer/<lib>  compiled through the TypeScript transformer (ts.transpileModule, allowJs)
// The copies live inside this repository, without package.json files of their own, so
// `require("raceway/runtime")` in the compiled files resolves to this checkout's dist/ (a package
// may import itself by name) and .js files are CommonJS, as this repository's package.json says.
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LIBRARIES } from './libraries.mjs';

const require = createRequire(import.meta.url);
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const outRoot = join(repoRoot, 'bench', '.out', 'libraries');
export const FRONT_ENDS = ['babel', 'transformer'];

function* walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* walk(p);
    else yield p;
  }
}

const isModule = (file) => file.endsWith('.mjs');

function compileBabel(code, file, root) {
  const babel = require('@babel/core');
  return babel.transformSync(code, {
    filename: file, babelrc: false, configFile: false, compact: false, retainLines: false,
    sourceType: isModule(file) ? 'module' : 'script',
    plugins: [[require(join(repoRoot, 'dist', 'babel-plugin', 'plugin.js')), { root }]],
  }).code;
}

function compileTransformer(code, file, root) {
  const ts = require('typescript');
  const { createRacewayTransformer } = require(join(repoRoot, 'dist', 'transformer', 'index.js'));
  const errors = [];
  const out = ts.transpileModule(code, {
    fileName: file,
    compilerOptions: { allowJs: true, target: ts.ScriptTarget.ES2022, module: isModule(file) ? ts.ModuleKind.ESNext : ts.ModuleKind.CommonJS, moduleDetection: ts.ModuleDetectionKind?.Auto },
    transformers: { before: [createRacewayTransformer({ root, onError: (_f, e) => errors.push(e) }, ts)] },
  });
  if (errors.length) throw errors[0];
  return out.outputText;
}

const COMPILERS = { babel: compileBabel, transformer: compileTransformer };

/** Copies each library's files to plain/ and compiles them into each front end's folder. */
export function prepare({ log = () => {} } = {}) {
  rmSync(outRoot, { recursive: true, force: true });
  for (const lib of LIBRARIES) {
    const pkgDir = dirname(require.resolve(`${lib.pkg}/package.json`));
    const plainDir = join(outRoot, 'plain', lib.name);
    for (const [from, to] of Object.entries(lib.files)) cpSync(join(pkgDir, from), join(plainDir, to), { recursive: true });
    for (const front of FRONT_ENDS) {
      const dir = join(outRoot, front, lib.name);
      const started = performance.now();
      for (const file of walk(plainDir)) {
        const rel = relative(plainDir, file);
        const target = join(dir, rel);
        mkdirSync(dirname(target), { recursive: true });
        const code = readFileSync(file, 'utf8');
        writeFileSync(target, /\.(c|m)?js$/.test(file) ? COMPILERS[front](code, target, dir) : code);
      }
      log(`${front}: ${lib.name} compiled in ${Math.round(performance.now() - started)} ms`);
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) prepare({ log: (m) => console.log(m) });
