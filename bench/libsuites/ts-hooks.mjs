// ES module loader hooks for TypeScript test suites (p-queue): strips types with esbuild from the
// checkout's own node_modules (tsx's dependency), without tsx's `keepNames` helpers, which esbuild
// emits as statements *before* the module's imports. Registered before raceway's hook, so raceway
// instruments this JavaScript output. Only type stripping happens here: imports of `./x.js` that
// exist as `./x.ts` resolve to the `.ts` file, as TypeScript's own resolution does.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const esbuild = createRequire(join(process.cwd(), 'package.json'))('esbuild');

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
  const file = fileURLToPath(url);
  const out = esbuild.transformSync(readFileSync(file, 'utf8'), { loader: 'ts', format: 'esm', target: 'node20', sourcefile: file, sourcemap: 'inline' });
  return { format: 'module', source: out.code, shortCircuit: true };
}
