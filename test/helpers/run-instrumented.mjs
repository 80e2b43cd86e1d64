// Small helpers to compile a source string with and without the transformer and run both builds.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { repoRoot, runNode, startCollector, projectEvents } from './fixture-harness.mjs';
import { ts } from './toolchain.mjs';

const require = createRequire(import.meta.url);
export { ts };
export const transformer = () => require(join(repoRoot, 'dist', 'transformer', 'index.js'));

let counter = 0;
/** A fresh scratch directory under .tmp (so `raceway/runtime` resolves by self-reference). */
export function scratchDir(name) {
  const dir = join(repoRoot, '.tmp', 'unit', `${name}-${process.pid}-${counter++}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function transpile(source, { fileName, esm = false, options, instrument = true, compilerOptions = {} }) {
  const { createRacewayTransformer } = transformer();
  return ts.transpileModule(source, {
    fileName,
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: esm ? ts.ModuleKind.ESNext : ts.ModuleKind.CommonJS, strict: true, sourceMap: true, ...compilerOptions },
    transformers: instrument ? { before: [createRacewayTransformer(options)] } : undefined,
  });
}

/** Compiles `source` plainly and instrumented into `dir`, runs both; returns outputs and projected events. */
export async function differential(source, { name = 'prog', esm = false, options = {}, compilerOptions = {} } = {}) {
  const dir = scratchDir(name);
  const src = join(dir, esm ? 'input.mts' : 'input.ts');
  writeFileSync(src, source);
  const ext = esm ? '.mjs' : '.js';
  const plain = transpile(source, { fileName: src, esm, instrument: false, compilerOptions });
  const inst = transpile(source, { fileName: src, esm, options: { root: dir, ...options }, compilerOptions });
  writeFileSync(join(dir, 'plain' + ext), plain.outputText);
  writeFileSync(join(dir, 'inst' + ext), inst.outputText);
  const collector = await startCollector();
  try {
    const [p, i] = await Promise.all([
      runNode(join(dir, 'plain' + ext)),
      runNode(join(dir, 'inst' + ext), { RACEWAY_ENABLED: 'true', RACEWAY_ENDPOINT: collector.endpoint }),
    ]);
    return { plain: p, inst: i, events: projectEvents(collector.events()), code: inst.outputText, dir };
  } finally {
    await collector.close();
  }
}
