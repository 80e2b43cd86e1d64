// Robustness on code this repository did not write: every JS/TS source of several real packages
// (and of this repository) goes through the transformer without an instrumentation failure, and
// the output is valid JavaScript whenever the input was. (Behaviour is checked by the fixture and
// third-party differential tests; this sweep is about breadth of syntax.)
import test from 'ava';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { repoRoot } from '../helpers/fixture-harness.mjs';
import { ts, transformer } from '../helpers/run-instrumented.mjs';

const require = createRequire(import.meta.url);

function sources(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) { if (!['test', '__tests__', 'node_modules', 'public'].includes(e.name)) sources(p, out); }
    else if (/\.(c|m)?[jt]sx?$/.test(e.name) && !/\.d\.[cm]?ts$/.test(e.name)) out.push(p);
  }
  return out;
}

const pkg = (name, sub = '') => { try { return join(dirname(require.resolve(`${name}/package.json`)), sub); } catch { return undefined; } };
const roots = [
  ...['runtime', 'server', 'babel-plugin', 'transformer'].map((d) => join(repoRoot, d)),
  pkg('koa', 'lib'), pkg('express', 'lib'), pkg('undici', 'lib'), pkg('@babel/traverse', 'lib'), pkg('fast-check', 'lib/cjs'),
].filter(Boolean);

test('real-world sources instrument without failures and stay valid JavaScript', (t) => {
  const { createRacewayTransformer } = transformer();
  let files = 0;
  for (const file of roots.flatMap((r) => sources(r))) {
    const src = readFileSync(file, 'utf8');
    const esm = /\.m[jt]s$/.test(file);
    const compilerOptions = { allowJs: true, jsx: ts.JsxEmit.React, target: ts.ScriptTarget.ES2022, module: esm ? ts.ModuleKind.ESNext : ts.ModuleKind.CommonJS };
    const plain = ts.transpileModule(src, { fileName: file, reportDiagnostics: true, compilerOptions });
    if (plain.diagnostics.length) continue; // not valid input on its own
    const failures = [];
    const out = ts.transpileModule(src, {
      fileName: file, compilerOptions,
      transformers: { before: [createRacewayTransformer({ root: '/', exclude: [], onError: (_f, e) => failures.push(e) })] },
    });
    t.deepEqual(failures.map(String), [], file);
    const reparsed = ts.createSourceFile(file + '.out.js', out.outputText, ts.ScriptTarget.ESNext, false, ts.ScriptKind.JS);
    t.deepEqual(reparsed.parseDiagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')), [], file);
    files++;
  }
  t.true(files > 200, `${files} files`);
});
