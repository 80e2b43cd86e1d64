// Differential test on real third-party JavaScript: picomatch (5 modules, closures, regex building,
// state objects) and acorn (6 000 lines: prototypes, getters, `this`, labelled loops), compiled
// through the transformer with allowJs, driven with the same random inputs as the original npm
// files. Results and thrown errors must be identical; the instrumented build must emit events.
import test from 'ava';
import fc from 'fast-check';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { repoRoot, startCollector } from '../helpers/fixture-harness.mjs';
import { scratchDir, ts, transformer } from '../helpers/run-instrumented.mjs';

const require = createRequire(import.meta.url);

// The runtime in this process ships to a real loopback collector, so the hooks take their full path.
const collector = await startCollector();
process.env.RACEWAY_ENDPOINT = collector.endpoint;
process.env.RACEWAY_ENABLED = 'true';
test.after.always(async () => {
  const client = require('raceway').getClient();
  await client.shutdown?.();
  await collector.close();
});

/** Copies a package's files and compiles the .js ones through the transformer into `inst/`. */
function instrumentPackage(pkgDir, files) {
  const dir = scratchDir('third-party');
  const { createRacewayTransformer } = transformer();
  const errors = [];
  for (const f of files) {
    const src = readFileSync(join(pkgDir, f), 'utf8');
    const out = join(dir, 'inst', f);
    mkdirSync(dirname(out), { recursive: true });
    if (!f.endsWith('.js')) { copyFileSync(join(pkgDir, f), out); continue; }
    const r = ts.transpileModule(src, {
      fileName: join(pkgDir, f),
      compilerOptions: { allowJs: true, module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, strict: false, alwaysStrict: false, noImplicitUseStrict: undefined },
      transformers: { before: [createRacewayTransformer({ root: pkgDir, exclude: [], onError: (file, e) => errors.push([file, e]) })] },
    });
    writeFileSync(out, r.outputText);
  }
  if (errors.length) throw errors[0][1];
  return join(dir, 'inst');
}

function outcome(fn) {
  try {
    const v = fn();
    return { ok: v instanceof RegExp ? `RegExp ${v.source} ${v.flags}` : JSON.parse(JSON.stringify(v ?? null)) };
  } catch (e) {
    return { error: `${e?.constructor?.name}: ${e?.message}` };
  }
}

/** Waits until the runtime has shipped events recorded in `file` (a condition, not a timing assertion). */
async function eventsFrom(file, until = (events) => events.length > 0) {
  const matching = () => collector.events().filter((e) => {
    const k = Object.values(e.kind)[0];
    return (k.location ?? `${k.file}:`).startsWith(file + ':');
  });
  for (let i = 0; i < 600 && !until(matching()); i++) await new Promise((r) => setTimeout(r, 50));
  return matching();
}
const entered = (name) => (events) => events.some((e) => e.kind.FunctionCall?.function_name === name);

const libs = {};
function acornDir() {
  try { return dirname(require.resolve('acorn/package.json')); } catch { return undefined; }
}

// Instrumentation is live: one call into each instrumented library reports events. Checked before
// the high-volume runs, which the runtime's bounded transport is allowed to thin out.
test.before(async (t) => {
  const pmDir = dirname(require.resolve('picomatch/package.json'));
  const pmInst = instrumentPackage(pmDir, ['index.js', ...readdirSync(join(pmDir, 'lib')).map((f) => 'lib/' + f)]);
  libs.picomatch = { orig: require(pmDir), inst: require(pmInst) };
  t.is(libs.picomatch.inst.isMatch('a/b.js', '**/*.js'), true);
  const ad = acornDir();
  if (ad) {
    const acInst = instrumentPackage(ad, ['dist/acorn.js']);
    libs.acorn = { orig: require(join(ad, 'dist', 'acorn.js')), inst: require(join(acInst, 'dist', 'acorn.js')) };
    t.is(libs.acorn.inst.parse('let a = 1', { ecmaVersion: 'latest' }).body[0].type, 'VariableDeclaration');
  }
  libs.picomatchEvents = await eventsFrom('lib/picomatch.js', entered('picomatch.isMatch'));
  libs.acornEvents = ad ? await eventsFrom('dist/acorn.js', entered('parse')) : [];
});

test.serial('picomatch: instrumented build matches the original on random globs and paths', async (t) => {
  const { orig, inst } = libs.picomatch;
  t.not(orig, inst);
  t.true(entered('picomatch.isMatch')(libs.picomatchEvents), 'the instrumented picomatch reported events');

  const globChar = fc.constantFrom('*', '**', '?', '/', '.', 'a', 'b', '[a-c]', '{a,b}', '!', '(', ')', '+', '@', '\\', 'x', '-', '|', '^', '$');
  const glob = fc.array(globChar, { maxLength: 10 }).map((a) => a.join(''));
  const path = fc.array(fc.constantFrom('a', 'b', 'c', '/', '.', 'x', '-', 'ab', '.git', '..'), { maxLength: 8 }).map((a) => a.join(''));
  const opts = fc.record({ dot: fc.boolean(), nocase: fc.boolean(), noext: fc.boolean(), nobrace: fc.boolean(), contains: fc.boolean() }, { requiredKeys: [] });
  let compared = 0;
  fc.assert(fc.property(glob, fc.array(path, { maxLength: 4 }), opts, (g, paths, o) => {
    for (const api of [
      (p) => p.makeRe(g, o),
      (p) => p.scan(g, { tokens: true, parts: true }),
      (p) => p.parse(g, o).output,
      (p) => paths.map((s) => p.isMatch(s, g, o)),
      (p) => { const m = p(g, { ...o, posix: true }); return paths.map((s) => m(s)); },
    ]) {
      const a = outcome(() => api(orig));
      const b = outcome(() => api(inst));
      compared++;
      if (JSON.stringify(a) !== JSON.stringify(b)) {
        t.fail(`${api} on ${JSON.stringify(g)} ${JSON.stringify(paths)} ${JSON.stringify(o)}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
        return false;
      }
    }
    return true;
  }), { numRuns: 300, seed: 20261127 });
  t.true(compared >= 1500);
});

test.serial('acorn: instrumented build parses random programs exactly like the original', async (t) => {
  if (!libs.acorn) return t.pass('acorn not installed');
  const { orig, inst } = libs.acorn;
  t.true(libs.acornEvents.some((e) => e.kind.FunctionCall?.function_name === 'parse'), 'acorn functions were entered');
  const tokens = fc.constantFrom('let ', 'x', ' = ', '1', '+', '(', ')', '{', '}', ';', 'async ', 'function ', 'f', '=>', 'await ', '`t${x}`',
    '"s"', '[', ']', ',', '.', '?.', '??', 'class C ', 'extends ', 'yield', '*', 'for ', 'of ', 'if ', 'else ', '/re/g', '\n', '#p', 'import(', 'new ', 'label: ', 'break ', '0x1F', '1n');
  const src = fc.array(tokens, { maxLength: 14 }).map((a) => a.join(''));
  const options = fc.record({ ecmaVersion: fc.constantFrom(5, 2015, 2020, 'latest'), sourceType: fc.constantFrom('script', 'module'), locations: fc.boolean(), allowAwaitOutsideFunction: fc.boolean() });
  fc.assert(fc.property(src, options, (code, o) => {
    const a = outcome(() => orig.parse(code, o));
    const b = outcome(() => inst.parse(code, o));
    if (JSON.stringify(a) !== JSON.stringify(b)) { t.fail(`${JSON.stringify(code)} ${JSON.stringify(o)}: ${JSON.stringify(a).slice(0, 300)} vs ${JSON.stringify(b).slice(0, 300)}`); return false; }
    return true;
  }), { numRuns: 150, seed: 4242 });
  // real programs too: the fixture corpus' own sources, stripped of types by TypeScript
  for (const name of readdirSync(join(repoRoot, 'fixtures'))) {
    for (const entry of ['input.ts', 'input.mts', 'input.js']) {
      const file = join(repoRoot, 'fixtures', name, entry);
      if (!existsSync(file)) continue;
      const js = ts.transpileModule(readFileSync(file, 'utf8'), { compilerOptions: { target: ts.ScriptTarget.ESNext, module: ts.ModuleKind.ESNext } }).outputText;
      const o = { ecmaVersion: 'latest', sourceType: 'module', locations: true };
      t.deepEqual(outcome(() => inst.parse(js, o)), outcome(() => orig.parse(js, o)), name);
    }
  }
});
