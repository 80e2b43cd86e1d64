// The TypeScript transformer as a fixture-harness front end: the same program API tsc uses,
// with the transformer from dist/ (run `node scripts/build.mjs` or `npx tsc -b transformer` first).
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { compileWithTs, repoRoot } from './fixture-harness.mjs';
import { ts } from './toolchain.mjs';

const require = createRequire(import.meta.url);

export function loadTransformer() {
  return require(join(repoRoot, 'dist', 'transformer', 'index.js'));
}

export const transformerFrontEnd = {
  name: 'transformer',
  compile({ fixture, outDir }) {
    const { createRacewayTransformer } = loadTransformer();
    const errors = [];
    const factory = createRacewayTransformer({ ...(fixture.config.options ?? {}), root: fixture.dir, onError: (f, e) => errors.push(e) }, ts);
    const entry = compileWithTs(fixture, outDir, { before: [factory] });
    if (errors.length) throw errors[0];
    return entry;
  },
};
