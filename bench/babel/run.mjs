// bench/babel: Babel transform time with the `raceway/babel` preset ÷ without it, on the same files.
//
//   node bench/babel/run.mjs [--rounds N] [--json]
//
// Corpus: the fixture programs (TypeScript) and the library sources of widely used packages in
// node_modules (express, koa, qs, undici, body-parser and router's lib): real code, not generated.
// Each configuration is a realistic project setup, measured without and with raceway:
//   env    — @babel/preset-env with its default targets (everything lowered to ES5), CommonJS
//            [+ @babel/preset-typescript for .ts]   ← budgeted
//   node20 — the same with targets { node: "20" } (little is lowered)
//   bare   — no other plugin: parse + generate only (the worst case for a relative overhead)
// Exit code 1 if the budgeted ratio exceeds 1.3.
import { createRequire } from 'node:module';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const babel = require('@babel/core');
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const preset = join(root, 'dist', 'babel-plugin', 'preset.js');
const args = process.argv.slice(2);
const rounds = Number(args[args.indexOf('--rounds') + 1]) || 5;
const BUDGET = 1.3;

function walk(dir, out, depth = 0) {
  let entries;
  try { entries = readdirSync(dir, { withFileTypes: true }); } catch { return out; }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory() && e.name !== 'node_modules' && e.name !== 'test' && depth < 6) walk(p, out, depth + 1);
    else if (e.isFile() && /\.(js|ts)$/.test(e.name) && !e.name.endsWith('.d.ts') && statSync(p).size < 300_000) out.push(p);
  }
  return out;
}

const files = [
  ...walk(join(root, 'fixtures'), []),
  ...['express/lib', 'koa/lib', 'qs/lib', 'undici/lib', 'body-parser/lib', 'router/lib'].flatMap((d) => walk(join(root, 'node_modules', d), [])),
].map((f) => ({
  // node_modules is excluded from instrumentation by default: the library files are given a name
  // under the project root so they are instrumented like project sources.
  f: join(root, 'bench-corpus', relative(root, f).replace(/^node_modules\//, '')),
  code: readFileSync(f, 'utf8'),
}));
const bytes = files.reduce((n, x) => n + x.code.length, 0);

function options(config, withRaceway, f) {
  const ts = f.endsWith('.ts');
  const presets = [];
  if (config === 'env') {
    // preset-env with its default targets (browserslist "defaults"), the configuration a project
    // gets from `presets: ["@babel/preset-env"]`.
    presets.push([require.resolve('@babel/preset-env'), { modules: 'commonjs' }]);
    if (ts) presets.push([require.resolve('@babel/preset-typescript'), {}]);
  } else if (config === 'node20') {
    presets.push([require.resolve('@babel/preset-env'), { targets: { node: '20' }, modules: 'commonjs' }]);
    if (ts) presets.push([require.resolve('@babel/preset-typescript'), {}]);
  } else if (ts) presets.push([require.resolve('@babel/preset-typescript'), {}]);
  if (withRaceway) presets.push([preset, { root }]);
  return { babelrc: false, configFile: false, filename: f, root, cwd: root, sourceType: 'unambiguous', presets, compact: false, sourceMaps: false };
}

// CPU time of this process (user + system) is less sensitive than wall time to the other
// processes sharing the machine. Each file is transformed without and with raceway alternately,
// `rounds` times, and the minimum of each is kept (the least disturbed run), so slow phases of a
// shared machine hit both variants alike.
function cpu(fn) {
  const c0 = process.cpuUsage();
  fn();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
}

const results = {};
for (const config of ['env', 'node20', 'bare']) {
  for (const { f, code } of files) { babel.transformSync(code, options(config, false, f)); babel.transformSync(code, options(config, true, f)); } // warm-up
  let without = 0, withR = 0;
  for (const { f, code } of files) {
    let a = Infinity, b = Infinity;
    for (let i = 0; i < rounds; i++) {
      if (i % 2) { b = Math.min(b, cpu(() => babel.transformSync(code, options(config, true, f)))); a = Math.min(a, cpu(() => babel.transformSync(code, options(config, false, f)))); }
      else { a = Math.min(a, cpu(() => babel.transformSync(code, options(config, false, f)))); b = Math.min(b, cpu(() => babel.transformSync(code, options(config, true, f)))); }
    }
    without += a;
    withR += b;
  }
  results[config] = { without, with: withR, ratio: withR / without };
}

if (args.includes('--json')) console.log(JSON.stringify({ files: files.length, bytes, rounds, results }));
else {
  console.log(`bench/babel: ${files.length} files, ${(bytes / 1024).toFixed(0)} KiB, min of ${rounds} runs per file (CPU time)`);
  for (const [k, r] of Object.entries(results)) {
    console.log(`  ${k.padEnd(5)} without ${r.without.toFixed(0).padStart(6)} ms   with raceway ${r.with.toFixed(0).padStart(6)} ms   ratio ${r.ratio.toFixed(2)}${k === 'env' ? `  (budget ≤ ${BUDGET})` : ''}`);
  }
  console.log(`  sample files: ${files.slice(0, 3).map((x) => relative(root, x.f)).join(', ')}, …`);
}
if (results.env.ratio > BUDGET) process.exitCode = 1;
