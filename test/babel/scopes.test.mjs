// The try block of a frame is the function's original body node with a Scope made without
// crawling it (babel-plugin/scopes.ts): later plugins must find the body's block-scoped bindings and
// labels there, the function's own Scope keeps parameters and `var`s, and no plugin after raceway
// re-crawls a function body because of the new block.
import test from 'ava';
import { createRequire } from 'node:module';
import { presetPath } from './helpers/compile-babel.mjs';
import { repoRoot } from './helpers/run.mjs';

const require = createRequire(import.meta.url);
const babel = require('@babel/core');
const { Scope } = require('@babel/traverse');

const code = `
function f(a) {
  var v = 1;
  let l = a;
  const c = 2;
  class C {}
  function inner() { return l + c; }
  lbl: for (;;) break lbl;
  return [v, l, c, C, inner, () => l];
}
const g = (b) => { let m = b; return m; };
`;

/** A plugin that runs after raceway and records what it sees of each frame's try block. */
function probe(seen) {
  return {
    visitor: {
      TryStatement(path) {
        const block = path.get('block');
        const fn = path.getFunctionParent();
        if (!fn) return;
        seen.push({
          fn: fn.node.id?.name ?? fn.parent.id?.name,
          inited: block.scope.inited,
          blockOwn: Object.keys(block.scope.bindings).sort(),
          fnOwn: Object.keys(fn.scope.bindings).sort(),
          label: block.scope.labels?.has('lbl') ?? false,
        });
      },
    },
  };
}

test('later plugins see the body bindings in the try block scope, and no body is re-crawled', (t) => {
  const seen = [];
  const crawled = [];
  const crawl = Scope.prototype.crawl;
  Scope.prototype.crawl = function () {
    if (this.path.parentPath?.type === 'TryStatement' && this.block.body?.length > 0) crawled.push(this.path.key);
    return crawl.call(this);
  };
  try {
    babel.transformSync(code, {
      babelrc: false,
      configFile: false,
      filename: `${repoRoot}/scopes-probe.js`,
      root: repoRoot,
      sourceType: 'script',
      // Plugins run before presets: the probe is a preset listed before raceway's, so it runs after.
      presets: [() => ({ plugins: [() => probe(seen)] }), [presetPath, { root: repoRoot }]],
    });
  } finally {
    Scope.prototype.crawl = crawl;
  }
  const f = seen.find((s) => s.fn === 'f');
  const g = seen.find((s) => s.fn === 'g');
  t.truthy(f, 'f has a frame');
  t.truthy(g, 'g has a frame');
  t.true(f.inited);
  t.deepEqual(f.blockOwn, ['C', 'c', 'inner', 'l']);
  t.true(f.fnOwn.includes('a') && f.fnOwn.includes('v'));
  t.false(f.fnOwn.some((n) => ['C', 'c', 'inner', 'l'].includes(n)), 'no stale copies in the function scope');
  t.true(f.label);
  t.deepEqual(g.blockOwn, ['m']);
  t.deepEqual(crawled, [], 'no try block with statements was crawled');
});
