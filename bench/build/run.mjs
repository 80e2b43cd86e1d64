// Build-time benchmark: a generated TypeScript project (hundreds of files: classes with async
// methods, shared state, closures, destructuring, generics) built with plain `tsc` and with
// ts-patch's `tspc` + raceway/transformer. Runs alternate, medians are compared.
//
//   node bench/build/run.mjs [--files 400] [--runs 5] [--json out.json] [--baseline <transformer.js>]
//
// --baseline adds `tspc` + another build of the transformer (e.g. a copy of dist/transformer from
// an earlier commit, `.../transformer/index.js`), run in the same alternation, so a change is
// measured side by side under the same machine load.
//
// Budget (issue 3): tspc + transformer ≤ 1.15 × tsc.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const arg = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const FILES = Number(arg('--files', 400));
const RUNS = Number(arg('--runs', 5));
const BASELINE = arg('--baseline') && resolve(arg('--baseline'));
const out = join(root, 'bench', '.out', 'build');

function moduleSource(i) {
  const dep = i > 0 ? `import { Service${i - 1}, counter${i - 1} } from './m${i - 1}';\n` : '';
  return `${dep}
export let counter${i} = 0;
export interface Item${i} { id: number; name: string; tags: string[]; meta?: Record<string, number> }
const cache${i}: Record<string, Item${i}> = {};
export class Service${i}<T extends { id: number }> {
  private items: Map<number, T> = new Map();
  #hits = 0;
  static instances = 0;
  total = 0;
  constructor(readonly name: string) { Service${i}.instances++; }
  async load(id: number, make: (id: number) => Promise<T>): Promise<T> {
    const hit = this.items.get(id);
    if (hit) { this.#hits += 1; return hit; }
    const v = await make(id);
    this.items.set(id, v);
    this.total += v.id;
    counter${i}++;
    return v;
  }
  *ids(): Generator<number> { for (const k of this.items.keys()) yield k; }
  get hits() { return this.#hits; }
  summary() {
    const { name, total } = this;
    let text = '';
    for (const [k, v] of this.items) { text += \`\${k}:\${v.id};\`; }
    return { name, total, text, hits: this.hits };
  }
}
export function index${i}(items: Item${i}[]): Record<string, Item${i}> {
  const out: Record<string, Item${i}> = {};
  for (const it of items) {
    out[it.name] ??= it;
    cache${i}[it.name] = it;
    it.meta = { ...(it.meta ?? {}), seen: (it.meta?.seen ?? 0) + 1 };
  }
  return out;
}
export const handlers${i} = {
  async get(id: number) { await null; return cache${i}[String(id)]?.name ?? 'none'; },
  put: (item: Item${i}) => { cache${i}[item.name] = item; return Object.keys(cache${i}).length; },
  count() { return ${i > 0 ? `counter${i - 1} + ` : ''}counter${i}; },
};
export type Pair${i}<A, B> = { a: A; b: B };
export function zip${i}<A, B>(as: A[], bs: B[]): Pair${i}<A, B>[] {
  const res: Pair${i}<A, B>[] = [];
  for (let j = 0; j < Math.min(as.length, bs.length); j++) res.push({ a: as[j], b: bs[j] });
  return res;
}
${i > 0 ? `export const chained${i} = new Service${i - 1}<{ id: number }>('s${i}');` : ''}
`;
}

function generate() {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(join(out, 'src'), { recursive: true });
  for (let i = 0; i < FILES; i++) writeFileSync(join(out, 'src', `m${i}.ts`), moduleSource(i));
  const base = { target: 'ES2022', module: 'commonjs', strict: true, sourceMap: true, declaration: true, types: ['node'], rootDir: 'src', skipLibCheck: true };
  writeFileSync(join(out, 'tsconfig.plain.json'), JSON.stringify({ compilerOptions: { ...base, outDir: 'dist-plain' }, include: ['src'] }));
  writeFileSync(join(out, 'tsconfig.raceway.json'), JSON.stringify({ compilerOptions: { ...base, outDir: 'dist-raceway', plugins: [{ transform: 'raceway/transformer' }] }, include: ['src'] }));
  if (BASELINE) writeFileSync(join(out, 'tsconfig.baseline.json'), JSON.stringify({ compilerOptions: { ...base, outDir: 'dist-baseline', plugins: [{ transform: BASELINE }] }, include: ['src'] }));
  // as if installed: ts-patch resolves the transform from the project's node_modules
  mkdirSync(join(out, 'node_modules'));
  symlinkSync(root, join(out, 'node_modules', 'raceway'), 'dir');
  // `ts-patch install` into a private copy of typescript (never the shared node_modules)
  cpSync(dirname(require.resolve('typescript/package.json')), join(out, 'node_modules', 'typescript'), { recursive: true });
  execFileSync(process.execPath, [join(root, 'node_modules', 'ts-patch', 'bin', 'ts-patch.js'), 'install', '-s', '-d', join(out, 'node_modules', 'typescript')], { cwd: out, stdio: 'inherit' });
}

const tsc = require.resolve('typescript/bin/tsc');
const tspc = join(root, 'node_modules', 'ts-patch', 'bin', 'tspc.js');
const variants = {
  'tsc': [tsc, '-p', 'tsconfig.plain.json'],
  'tspc (no plugin)': [tspc, '-p', 'tsconfig.plain.json'],
  'tspc + raceway/transformer': [tspc, '-p', 'tsconfig.raceway.json'],
  'tsc after `ts-patch install` + raceway/transformer': [join(out, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.raceway.json'],
};
if (BASELINE) variants['tspc + baseline transformer (--baseline)'] = [tspc, '-p', 'tsconfig.baseline.json'];

const measure = join(dirname(fileURLToPath(import.meta.url)), 'measure.cjs');
/** Wall-clock and CPU time (user + system of the compiler process) of one build. */
function time(argv) {
  const cpuFile = join(out, 'cpu.json');
  const t0 = performance.now();
  execFileSync(process.execPath, ['-r', measure, ...argv], { cwd: out, stdio: 'inherit', env: { ...process.env, BENCH_CPU_OUT: cpuFile } });
  const wall = performance.now() - t0;
  return { wall, cpu: JSON.parse(readFileSync(cpuFile, 'utf8')).cpu_ms };
}

generate();
const samples = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
for (const argv of Object.values(variants)) time(argv); // warm the file system cache
for (let r = 0; r < RUNS; r++) for (const [k, argv] of Object.entries(variants)) samples[k].push(time(argv));
// sanity: the plugin really ran (otherwise the comparison measures nothing)
for (const d of BASELINE ? ['dist-raceway', 'dist-baseline'] : ['dist-raceway']) {
  if (!readFileSync(join(out, d, 'm1.js'), 'utf8').includes('require("raceway/runtime")')) throw new Error(`the ${d} build is not instrumented`);
}
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const baseCpu = median(samples.tsc.map((x) => x.cpu));
const baseWall = median(samples.tsc.map((x) => x.wall));
const rows = Object.entries(samples).map(([k, xs]) => {
  const cpu = median(xs.map((x) => x.cpu)), wall = median(xs.map((x) => x.wall));
  return { variant: k, cpu_ms: Math.round(cpu), ratio: +(cpu / baseCpu).toFixed(3), wall_ms: Math.round(wall), wall_ratio: +(wall / baseWall).toFixed(3), runs: xs.map((x) => ({ cpu: Math.round(x.cpu), wall: Math.round(x.wall) })) };
});
console.log(`\n${FILES} files, ${RUNS} runs each (alternating), Node ${process.version}\n`);
console.log('| build | CPU time (median) | × tsc | wall clock (median) | × tsc |\n|---|---:|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.variant} | ${(r.cpu_ms / 1000).toFixed(2)} s | ${r.ratio.toFixed(2)} | ${(r.wall_ms / 1000).toFixed(2)} s | ${r.wall_ratio.toFixed(2)} |`);
const json = arg('--json');
if (json) writeFileSync(json, JSON.stringify({ files: FILES, runs: RUNS, node: process.version, rows }, null, 2));
for (const r of rows.filter((x) => x.variant.includes('raceway') || x.variant.includes('baseline'))) {
  console.log(`budget 1.15× (CPU time) for ${r.variant}: ${r.ratio <= 1.15 ? 'met' : 'NOT met'} (${r.ratio.toFixed(3)})`);
}
