// Build-time benchmark: plain `tsc` against ts-patch's `tspc` + raceway/transformer on two
// corpora, all runs alternating, CPU-time medians compared:
//
// * synthetic: a generated project of --files modules (classes with async methods, shared state,
//   closures, destructuring, generics), deliberately dense: nearly every line is instrumented,
//   little type-level code — the worst case for the transformer's share of a build;
// * library: the TypeScript sources of a real library, rxjs 7 (its npm package ships `src/`,
//   251 modules; a pinned devDependency, so it is there after `npm ci`), copied and built with the
//   same compiler options.
//
//   node bench/build/run.mjs [--corpus synthetic|library|both] [--files 400] [--runs 5]
//                            [--json out.json] [--baseline <transformer.js>] [--library <dir>]
//
// --baseline adds `tspc` + another build of the transformer (e.g. a copy of dist/transformer from
// an earlier commit, `.../transformer/index.js`), run in the same alternation, so a change is
// measured side by side under the same machine load. --library (or $RACEWAY_BENCH_LIBRARY) is the
// directory of an rxjs 7 package to use instead of the one node_modules resolves.
//
// Budget (issue 3): tspc + transformer ≤ 1.15 × tsc.
import { spawnSync, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const arg = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const FILES = Number(arg('--files', 400));
const RUNS = Number(arg('--runs', 5));
const BASELINE = arg('--baseline') && resolve(arg('--baseline'));
const CORPUS = arg('--corpus', 'both');
if (!['synthetic', 'library', 'both'].includes(CORPUS)) throw new Error(`--corpus: synthetic, library or both, not ${CORPUS}`);
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

function writeConfigs(dir, extra) {
  const base = { target: 'ES2022', module: 'commonjs', strict: true, sourceMap: true, declaration: true, rootDir: 'src', skipLibCheck: true, ...extra };
  const config = (outDir, plugins) => JSON.stringify({ compilerOptions: { ...base, outDir, ...(plugins ? { plugins } : {}) }, include: ['src'] }, null, 2);
  writeFileSync(join(dir, 'tsconfig.plain.json'), config('dist-plain'));
  writeFileSync(join(dir, 'tsconfig.raceway.json'), config('dist-raceway', [{ transform: 'raceway/transformer' }]));
  if (BASELINE) writeFileSync(join(dir, 'tsconfig.baseline.json'), config('dist-baseline', [{ transform: BASELINE }]));
}

/** `bench/.out/build/node_modules`, shared by both corpora (they are subdirectories). */
function setup() {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(join(out, 'node_modules'), { recursive: true });
  // as if installed: ts-patch resolves the transform from the project's node_modules
  symlinkSync(root, join(out, 'node_modules', 'raceway'), 'dir');
  // `ts-patch install` into a private copy of typescript (never the shared node_modules)
  cpSync(dirname(require.resolve('typescript/package.json')), join(out, 'node_modules', 'typescript'), { recursive: true });
  execFileSync(process.execPath, [join(root, 'node_modules', 'ts-patch', 'bin', 'ts-patch.js'), 'install', '-s', '-d', join(out, 'node_modules', 'typescript')], { cwd: out, stdio: 'inherit' });
}

function synthetic() {
  const dir = join(out, 'synthetic');
  mkdirSync(join(dir, 'src'), { recursive: true });
  for (let i = 0; i < FILES; i++) writeFileSync(join(dir, 'src', `m${i}.ts`), moduleSource(i));
  writeConfigs(dir, { types: ['node'] });
  return { name: 'synthetic', title: `synthetic (${FILES} generated modules, dense)`, dir, files: FILES, probe: 'm1.js' };
}

/** rxjs's `src/` (the .ts files), or null when no rxjs 7 package can be found. */
function library() {
  let pkgDir = arg('--library') ?? process.env.RACEWAY_BENCH_LIBRARY;
  if (!pkgDir) { try { pkgDir = dirname(require.resolve('rxjs/package.json')); } catch { return null; } }
  const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
  if (pkg.name !== 'rxjs' || !existsSync(join(pkgDir, 'src', 'index.ts'))) throw new Error(`${pkgDir}: not an rxjs package with src/`);
  const dir = join(out, 'library');
  cpSync(join(pkgDir, 'src'), join(dir, 'src'), { recursive: true, filter: (from) => !/\.(json|js)$/.test(from) });
  // rxjs's own configs: strict, lib esnext + dom; ours adds declaration and source maps as above
  writeConfigs(dir, { lib: ['ES2022', 'DOM'], types: [] });
  const files = listFiles(join(dir, 'src')).filter((f) => f.endsWith('.ts')).length;
  return { name: 'library', title: `library (rxjs ${pkg.version} src/, ${files} modules)`, dir, files, probe: join('internal', 'Observable.js'), version: pkg.version };
}

function listFiles(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath ?? e.path, e.name))).sort();
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
/**
 * Wall-clock and CPU time (user + system of the compiler process) of one build, with the garbage
 * collector's figures from measure.cjs. tsc exits 2 when it reports errors but still emitted
 * (ExitStatus.DiagnosticsPresent_OutputsGenerated); anything else is a failure.
 */
function time(argv, cwd) {
  const cpuFile = join(out, 'cpu.json');
  rmSync(cpuFile, { force: true });
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['-r', measure, ...argv], { cwd, encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, BENCH_CPU_OUT: cpuFile } });
  const wall = performance.now() - t0;
  if (r.status !== 0 && r.status !== 2) throw new Error(`${argv.join(' ')} in ${cwd}: exit ${r.status ?? r.signal}\n${r.stdout}`);
  const m = JSON.parse(readFileSync(cpuFile, 'utf8'));
  return { wall, cpu: m.cpu_ms, m, errors: (r.stdout.match(/error TS\d+/g) ?? []).length, uninstrumented: (r.stdout.match(/TS990001/g) ?? []).length };
}

const corpora = [];
setup();
if (CORPUS !== 'library') corpora.push(synthetic());
if (CORPUS !== 'synthetic') {
  const lib = library();
  if (lib) corpora.push(lib);
  else if (CORPUS === 'library') throw new Error('no rxjs package: run `npm ci` (it is a devDependency) or pass --library <dir of rxjs 7>');
  else console.log('library corpus skipped: rxjs not installed (`npm ci` installs it; or --library <dir>)');
}
const names = Object.keys(variants);
const load = [loadavg()[0]];
for (const c of corpora) {
  c.samples = Object.fromEntries(names.map((k) => [k, []]));
  // warm the file system cache; note type errors (the library may have some under this compiler)
  const warm = Object.fromEntries(names.map((k) => [k, time(variants[k], c.dir)]));
  c.errors = Object.fromEntries(names.map((k) => [k, warm[k].errors]));
  if (warm['tspc + raceway/transformer'].uninstrumented) console.log(`${c.name}: raceway could not instrument ${warm['tspc + raceway/transformer'].uninstrumented} files (emitted them unchanged)`);
  // the plugin really ran (otherwise the comparison measures nothing), and every build emitted
  // the same files
  const emitted = listFiles(join(c.dir, 'dist-plain'));
  for (const d of BASELINE ? ['dist-raceway', 'dist-baseline'] : ['dist-raceway']) {
    if (!readFileSync(join(c.dir, d, c.probe), 'utf8').includes('require("raceway/runtime")')) throw new Error(`${c.name}: the ${d} build is not instrumented`);
    if (listFiles(join(c.dir, d)).join() !== emitted.join()) throw new Error(`${c.name}: ${d} did not emit the same files as dist-plain`);
  }
  c.emitted = emitted.length;
  const js = emitted.filter((f) => f.endsWith('.js'));
  c.instrumented = js.filter((f) => readFileSync(join(c.dir, 'dist-raceway', f), 'utf8').includes('require("raceway/runtime")')).length;
  const bytes = (d) => js.reduce((n, f) => n + readFileSync(join(c.dir, d, f)).length, 0);
  c.jsBytes = { plain: bytes('dist-plain'), raceway: bytes('dist-raceway') };
  c.jsFiles = js.length;
}
// Rounds: every variant of every corpus once, so all of them see the same machine load; the order
// of the variants rotates from round to round (no variant always runs right after the same one).
for (let r = 0; r < RUNS; r++) {
  for (const c of corpora) {
    for (let i = 0; i < names.length; i++) { const k = names[(i + r) % names.length]; c.samples[k].push(time(variants[k], c.dir)); }
  }
}
load.push(loadavg()[0]);

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
console.log(`\n${RUNS} runs of each build (alternating, order rotating per round), Node ${process.version}, TypeScript ${require('typescript/package.json').version}, load average ${load.map((x) => x.toFixed(1)).join(' → ')}`);
const report = { runs: RUNS, node: process.version, typescript: require('typescript/package.json').version, load_average: load, corpora: {} };
for (const c of corpora) {
  const base = c.samples.tsc;
  const baseCpu = median(base.map((x) => x.cpu)), baseWall = median(base.map((x) => x.wall));
  const rows = names.map((k) => {
    const xs = c.samples[k];
    const cpu = median(xs.map((x) => x.cpu)), wall = median(xs.map((x) => x.wall));
    const perRound = xs.map((x, i) => +(x.cpu / base[i].cpu).toFixed(3));
    return {
      variant: k, cpu_ms: Math.round(cpu), ratio: +(cpu / baseCpu).toFixed(3),
      round_ratios: perRound, ratio_of_minima: +(Math.min(...xs.map((x) => x.cpu)) / Math.min(...base.map((x) => x.cpu))).toFixed(3),
      wall_ms: Math.round(wall), wall_ratio: +(wall / baseWall).toFixed(3),
      scavenges: median(xs.map((x) => x.m.gc?.Scavenge?.n ?? 0)), scavenge_ms: Math.round(median(xs.map((x) => x.m.gc?.Scavenge?.ms ?? 0))),
      max_rss_mb: median(xs.map((x) => x.m.max_rss_mb)), minor_faults: median(xs.map((x) => x.m.minor_faults)),
      type_errors: c.errors[k],
      runs: xs.map((x) => ({ cpu: Math.round(x.cpu), wall: Math.round(x.wall), user: Math.round(x.m.user_ms), system: Math.round(x.m.system_ms), gc: x.m.gc })),
    };
  });
  report.corpora[c.name] = { title: c.title, files: c.files, emitted_files: c.emitted, instrumented_modules: c.instrumented, js_bytes: c.jsBytes, type_errors: c.errors.tsc, ...(c.version ? { version: c.version } : {}), rows };
  console.log(`\n### ${c.title}\n`);
  console.log('| build | CPU time (median) | × tsc | per round | wall clock (median) | × tsc | scavenges (GC time) | peak RSS |\n|---|---:|---:|---|---:|---:|---:|---:|');
  for (const r of rows) console.log(`| ${r.variant} | ${(r.cpu_ms / 1000).toFixed(2)} s | ${r.ratio.toFixed(3)} | ${r.variant === 'tsc' ? '' : r.round_ratios.join(', ')} | ${(r.wall_ms / 1000).toFixed(2)} s | ${r.wall_ratio.toFixed(2)} | ${r.scavenges} (${(r.scavenge_ms / 1000).toFixed(2)} s) | ${r.max_rss_mb} MB |`);
  const errs = c.errors.tsc;
  console.log(`\n${c.emitted} files emitted by every build, ${c.instrumented} of ${c.jsFiles} modules instrumented, JS output ${(c.jsBytes.raceway / c.jsBytes.plain).toFixed(2)}× plain (${(c.jsBytes.plain / 1e6).toFixed(2)} → ${(c.jsBytes.raceway / 1e6).toFixed(2)} MB); ${errs ? `tsc reports ${errs} type errors in these sources with TypeScript ${report.typescript} (emitted anyway, the same files both ways)` : 'no type errors'}`);
  for (const r of rows.filter((x) => x.variant.includes('raceway') || x.variant.includes('baseline'))) {
    console.log(`budget 1.15× (CPU time), ${c.name}: ${r.variant}: ${r.ratio <= 1.15 ? 'met' : 'NOT met'} (${r.ratio.toFixed(3)}; rounds ${Math.min(...r.round_ratios).toFixed(2)}–${Math.max(...r.round_ratios).toFixed(2)})`);
  }
}
const json = arg('--json');
if (json) writeFileSync(json, JSON.stringify(report, null, 2));
