// ES module loader hooks for TypeScript test suites (p-queue): strips types with Babel's
// TypeScript preset, keeping every statement on its source line (so race reports point at the
// TypeScript source) and adding no helper statements ahead of the module's imports, which tsx's
// `keepNames` output does. Registered before raceway's hook, so raceway instruments this
// JavaScript output. Imports of `./x.js` that exist as `./x.ts` resolve to the `.ts` file, as
// TypeScript's own resolution does.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const babel = require('@babel/core');
const presetTypescript = require.resolve('@babel/preset-typescript');

export async function resolve(specifier, context, nextResolve) {
  if ((specifier.startsWith('./') || specifier.startsWith('../')) && specifier.endsWith('.js') && context.parentURL?.startsWith('file:')) {
    const ts = new URL(specifier.replace(/\.js$/, '.ts'), context.parentURL);
    if (!existsSync(fileURLToPath(new URL(specifier, context.parentURL))) && existsSync(fileURLToPath(ts))) {
      return { url: ts.href, format: 'module', shortCircuit: true };
    }
  }
  return nextResolve(specifier, context);
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context);
  const filename = fileURLToPath(url);
  const out = babel.transformSync(readFileSync(filename, 'utf8'), {
    filename,
    babelrc: false,
    configFile: false,
    sourceType: 'module',
    retainLines: true,
    presets: [[presetTypescript, { onlyRemoveTypeImports: false }]],
  });
  return { format: 'module', source: out.code, shortCircuit: true };
}
