// Scope information for the blocks the instrumentation adds around function bodies.
//
// Babel gives a block node it has never seen a new Scope and crawls it on first visit: a traversal
// of the whole block with the binding collector. Every function body we wrap in `try {…} finally
// {…}` would be crawled again that way by the first later plugin that traverses (preset-env's
// async-generator pass does, in `Program` enter) — one extra crawl of every function body, a large
// part of what the frames cost. Instead the try block *is* the original body node, its Scope is
// made here while the block is momentarily empty (a crawl that visits nothing), and the body's
// block-scoped bindings move from the function's Scope to it — where a crawl would have put them.
// Anything unexpected (another @babel/traverse shape) leaves the blocks to Babel's own crawl.
import type * as t from '@babel/types';

type Scope = any;

/**
 * `fnScope`: the function's Scope (from Babel's crawl); `wrapper`: its new body; `tryStmt`: the
 * statement of `wrapper` whose block is the original body (or a new block, for expression arrows).
 */
export function adoptFrameBlocks(fnScope: Scope, wrapper: t.BlockStatement, tryStmt: t.TryStatement): void {
  const fnPath = fnScope?.path;
  if (!fnPath || fnScope.block !== fnPath.node || fnPath.node.body !== wrapper) return;
  const NodePath = fnPath.constructor;
  const ScopeClass = fnScope.constructor;
  if (typeof NodePath.get !== 'function') return;
  try {
    const fn = fnPath.node;
    const wrapperPath = NodePath.get({ parentPath: fnPath, parent: fn, container: fn, key: 'body' });
    const tryPath = NodePath.get({ parentPath: wrapperPath, parent: wrapper, container: wrapper.body, listKey: 'body', key: wrapper.body.indexOf(tryStmt) });
    const blockScope = emptyScope(NodePath, ScopeClass, tryPath, tryStmt, 'block');
    if (tryStmt.finalizer) emptyScope(NodePath, ScopeClass, tryPath, tryStmt, 'finalizer');
    if (blockScope) moveBodyBindings(fnScope, blockScope, tryStmt.block.body);
  } catch {
    /* Babel crawls the blocks itself when it reaches them */
  }
}

/** A path and an initialised, empty Scope for `parent[key]` (a block), without crawling its statements. */
function emptyScope(NodePath: any, ScopeClass: any, parentPath: any, parent: any, key: string): Scope | null {
  const block = parent[key];
  const body = block.body;
  block.body = [];
  try {
    const path = NodePath.get({ parentPath, parent, container: parent, key });
    const scope = new ScopeClass(path);
    if (scope.path !== path || scope.block !== block) return null;
    path.scope = scope;
    scope.init();
    return scope;
  } finally {
    block.body = body;
  }
}

const BLOCK_KINDS = new Set(['let', 'const', 'using', 'hoisted']);

/**
 * Bindings declared by the body's own statements that are block-scoped (let, const, class and
 * function declarations) belong to the try block now, as do its labels; `var`s and parameters stay
 * with the function.
 */
function moveBodyBindings(fnScope: Scope, blockScope: Scope, stmts: t.Statement[]): void {
  const own = new Set<t.Node>(stmts);
  for (const name of Object.keys(fnScope.bindings)) {
    const b = fnScope.bindings[name];
    if (!BLOCK_KINDS.has(b.kind)) continue;
    const decl = b.path?.node;
    if (!decl || !(own.has(decl) || own.has(b.path.parent))) continue;
    delete fnScope.bindings[name];
    blockScope.bindings[name] = b;
    b.scope = blockScope;
  }
  // Labels of the body's statements too (a crawl registers them with the nearest block).
  if (fnScope.labels instanceof Map && blockScope.labels instanceof Map) {
    for (const [label, path] of fnScope.labels) {
      if (!own.has(path?.node)) continue;
      fnScope.labels.delete(label);
      blockScope.labels.set(label, path);
    }
  }
}
