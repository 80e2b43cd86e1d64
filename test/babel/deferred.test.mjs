// Top-level statements are rewritten as Babel's traversal reaches them when no other plugin can see
// one first (babel-plugin/plugin.ts, `mayDefer`); otherwise all of them in `Program` enter. Through
// preset-env's default targets (everything lowered to ES5, the configuration bench/babel budgets)
// both ways must record the same sites: the same hints, names, lines and keys, even where a plugin
// renamed a binding before the rewrite reached the code that uses it.
import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { presetPath, repoRoot } from './helpers/run.mjs';

const require = createRequire(import.meta.url);
const babel = require('@babel/core');

/** A plugin that visits `Program` on enter before raceway does: raceway then rewrites everything there. */
const before = () => ({ name: 'probe-program-enter', visitor: { Program() {} } });

function compile(code, filename, eager) {
  const presets = [[require.resolve('@babel/preset-env'), { modules: 'commonjs' }]];
  if (/\.[cm]?tsx?$/.test(filename)) presets.push([require.resolve('@babel/preset-typescript'), {}]);
  presets.push([presetPath, { root: repoRoot }]);
  const out = babel.transformSync(code, {
    babelrc: false, configFile: false, filename, root: repoRoot, cwd: repoRoot, sourceType: 'unambiguous',
    presets, plugins: eager ? [before] : [], ast: true, code: false,
  });
  return { sites: siteTable(out.ast), deferred: !!out.metadata.raceway?.deferred };
}

/** The site table the module token returns, header first and the sites sorted (ids differ). */
function siteTable(ast) {
  let table = null;
  babel.traverse(ast, {
    FunctionDeclaration(path) {
      if (!/^__rw\d*_m$/.test(path.node.id?.name ?? '')) return;
      const ret = path.node.body.body.at(-1);
      table = JSON.parse(ret.argument.value);
    },
  });
  return table && [...table.slice(0, 2), ...table.slice(2).map((s) => JSON.stringify(s)).sort()];
}

function check(t, code, filename) {
  const lazy = compile(code, filename, false);
  const eager = compile(code, filename, true);
  t.true(lazy.deferred, filename);
  t.false(eager.deferred, filename);
  t.deepEqual(lazy.sites, eager.sites, filename);
}

test('ES3 reserved words: bindings renamed by preset-env keep their source names in the sites', (t) => {
  // transform-reserved-words renames `int` and `char` where they are declared (here before the
  // functions that use them are rewritten); the sites still say `int` and `char`.
  const code = `
    var int = { x: 1 }, char = 'a';
    let byte = 0;
    function f(o) { byte++; o.int = int.x + char.length; return int[char]; }
    class Symbol { m() { return int.x; } }
    module.exports = { f, Symbol };
  `;
  check(t, code, join(repoRoot, 'reserved.js'));
  const { sites } = compile(code, join(repoRoot, 'reserved.js'), false);
  t.true(sites.some((s) => s.startsWith('[4,"int","x"')), sites.join(' '));
  t.true(sites.some((s) => s.startsWith('[4,"byte"')), sites.join(' '));
});

test('fixture corpus: the same sites deferred and not', (t) => {
  const dir = join(repoRoot, 'fixtures');
  for (const name of readdirSync(dir)) {
    let files;
    try { files = readdirSync(join(dir, name)); } catch { continue; }
    for (const f of files.filter((f) => /\.(ts|mts|js)$/.test(f))) {
      const file = join(dir, name, f);
      check(t, readFileSync(file, 'utf8'), file);
    }
  }
});

test('library sources: the same sites deferred and not', (t) => {
  // Real CommonJS with top-level destructuring requires, classes, async functions and generators.
  for (const lib of ['qs/lib', 'koa/lib', 'express/lib', 'undici/lib/dispatcher']) {
    const dir = join(repoRoot, 'node_modules', lib);
    for (const f of readdirSync(dir).filter((f) => f.endsWith('.js'))) {
      // Names under the project root, so the default exclude of node_modules does not apply.
      check(t, readFileSync(join(dir, f), 'utf8'), join(repoRoot, 'corpus', lib, f));
    }
  }
});
