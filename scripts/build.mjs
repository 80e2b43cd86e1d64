// Builds every TypeScript project under the repository (tsc -b), then writes the ES-module
// entry points next to the CommonJS output. The .mjs files re-export the CommonJS module so
// `import` and `require` share one instance (one process-wide client, one task context).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
// `node scripts/build.mjs runtime server` builds only those projects (and what they reference).
const wanted = process.argv.slice(2);
const projects = (wanted.length ? wanted : ['protocol', 'runtime', 'transformer', 'babel-plugin', 'server']).filter((p) =>
  existsSync(join(root, p, 'tsconfig.json')) && readdirSync(join(root, p)).some((f) => f.endsWith('.ts')));

try {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-b', ...projects], { cwd: root, stdio: 'inherit' });
} catch {
  console.error('build failed: see the TypeScript errors above');
  process.exit(1);
}

// npm makes bins executable only when it installs a package; in this checkout we do it.
import { chmodSync } from 'node:fs';
if (existsSync(join(root, 'dist/server/cli.js'))) chmodSync(join(root, 'dist/server/cli.js'), 0o755);

// Static assets that tsc does not copy.
for (const [from, to] of [['server/public', 'dist/server/public']]) {
  if (existsSync(join(root, from))) cpSync(join(root, from), join(root, to), { recursive: true });
}

// The examples use the package as an app that installed it would: through node_modules/raceway
// (tsconfig plugins and require() both resolve it there).
import { lstatSync, symlinkSync } from 'node:fs';
for (const example of ['examples/koa-banking', 'examples/two-services']) {
  const link = join(root, example, 'node_modules', 'raceway');
  if (!existsSync(join(root, example))) continue;
  try { lstatSync(link); } catch {
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(relative(dirname(link), root), link, 'dir');
  }
}

// ESM facades: `export const { a, b } = cjs` keeps named exports exact and types come from the .d.ts.
const esmEntries = ['dist/runtime/index.js', 'dist/runtime/instrument.js'];
for (const entry of esmEntries) {
  const file = join(root, entry);
  if (!existsSync(file)) continue;
  const names = Object.keys(require(file)).filter((n) => n !== 'default' && n !== '__esModule');
  const base = './' + entry.split('/').pop();
  const out = file.replace(/\.js$/, '.mjs');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `import cjs from ${JSON.stringify(base)};\nexport const { ${names.join(', ')} } = cjs;\nexport default cjs;\n`);
}
