// Which bindings the Babel front end records (SPEC §4.1, §4.3), decided with Babel's own scope
// information: every binding's `referencePaths` / `constantViolations` tell whether it is written
// after its declaration and whether a closure captures it. (The transformer's scope.ts does the same
// with its own scope pass.)
import type { Binding, NodePath, Scope } from '@babel/traverse';
import * as t from '@babel/types';
import type { NormalizedOptions } from '../protocol/options';
import { nameOf, unwrap, type Node } from './builders';

/** How a shared binding is owned (SPEC §4.3 "owner"). */
export interface Shared {
  name: string;
  /** 'module': __rw_m; 'frame': the declaring function's frame; 'block': a per-iteration __rw.blk handle. */
  owner: 'module' | 'frame' | 'block';
  fn: Node | null;
  block: Node | null;
}

/** Babel's node -> Scope cache (of the same @babel/traverse instance as @babel/core). */
export type ScopeCache = WeakMap<Node, Scope>;

const LOOPS = new Set(['ForStatement', 'ForInStatement', 'ForOfStatement', 'WhileStatement', 'DoWhileStatement']);

export class SharedBindings {
  /** Identifiers (references and write targets) of shared bindings. */
  readonly shared = new WeakMap<Node, Shared>();
  /** Identifiers that read a binding declared in the file, other than an import (container receivers, §4.5). */
  readonly bound = new WeakSet<Node>();
  /** Loop-body blocks owning shared bindings, and the name of their `blk` handle. */
  readonly blockHandles = new Map<Node, string>();
  private blockCounter = 0;
  /** Scopes whose bindings have been classified. */
  private readonly classified = new WeakSet<Scope>();
  /** Scopes by node, looked up as the rewrite enters them, or null when every scope was classified up front. */
  private cache: ScopeCache | null = null;

  constructor(private readonly opts: NormalizedOptions, private readonly prefix: string) {}

  /**
   * Classifies bindings with Babel's scope information (SPEC §4.1). Fast path: the scopes Babel
   * built when it crawled the program are looked up lazily by node as the rewrite enters them
   * (no extra traversal). Fallback: one traversal visiting every scope.
   */
  analyze(program: NodePath<t.Program>, scopeCache: ScopeCache | null): void {
    const s = scopeCache?.get(program.node);
    if (scopeCache && s && s === program.scope) {
      this.cache = scopeCache;
      return;
    }
    const visit = (scope: Scope) => this.classifyScope(scope);
    visit(program.scope);
    program.traverse({
      Scopable(path) {
        visit(path.scope);
      },
    });
  }

  private classifyScope(scope: Scope | undefined): void {
    if (!scope || this.classified.has(scope)) return;
    this.classified.add(scope);
    for (const name of Object.keys(scope.bindings)) this.classify(scope, scope.bindings[name]!);
  }

  /** The Babel scope `node` owns, where scopes are looked up by node (see `analyze`). */
  scopeOf(node: Node): Scope | undefined {
    const s = this.cache?.get(node);
    return s && s.block === node ? s : undefined;
  }

  /** Called as the rewrite enters a node that may own a scope. */
  enter(node: Node): void {
    if (!this.cache) return;
    const s = this.cache.get(node);
    if (s && s.block === node) this.classifyScope(s);
  }

  /**
   * The "container" a reference runs in: the innermost function, class field initializer or static
   * block (they run later / per instance), or the program.
   */
  private container(path: NodePath): Node {
    let p: NodePath | null = path;
    while (p) {
      const n = p.node;
      if (p.isFunction() || n.type === 'StaticBlock' || n.type === 'Program' || n.type === 'TSModuleBlock') return n;
      const parent: NodePath | null = p.parentPath;
      if (parent && (parent.node.type === 'ClassProperty' || parent.node.type === 'ClassPrivateProperty' || parent.node.type === 'ClassAccessorProperty') && p.key === 'value') return parent.node;
      p = parent;
    }
    return path.node;
  }

  /** Is this block (transitively) the body of a loop of its own function? */
  private loopBody(path: NodePath): boolean {
    let p: NodePath = path;
    while (p.parentPath) {
      const parent: NodePath = p.parentPath;
      if (parent.isFunction() || parent.node.type === 'StaticBlock' || parent.isProgram()) return false;
      if (LOOPS.has(parent.node.type) && p.key === 'body') return true;
      p = parent;
    }
    return false;
  }

  private classify(scope: Scope, binding: Binding): void {
    const kind: string = binding.kind;
    if (kind !== 'module' && kind !== 'unknown') for (const p of binding.referencePaths) this.bound.add(p.node);
    if (kind === 'const' || kind === 'module' || kind === 'local' || kind === 'unknown') return;
    // Written after the declaration: assignments, updates, for-in/of heads (not re-declarations).
    const writes = binding.constantViolations.filter((p) => {
      const ty = p.node.type;
      return ty === 'AssignmentExpression' || ty === 'UpdateExpression' || ty === 'ForInStatement' || ty === 'ForOfStatement';
    });
    if (writes.length === 0) return;
    const sb: Node = scope.block;
    const declContainer = sb.type === 'Program' || t.isFunction(sb) || sb.type === 'StaticBlock' ? sb : this.container(scope.path);
    if (declContainer.type === 'TSModuleBlock' || declContainer.type === 'StaticBlock' || declContainer.type === 'ClassProperty' || declContainer.type === 'ClassPrivateProperty' || declContainer.type === 'ClassAccessorProperty') return;
    // Declared directly in the module scope: shared when written. Anything else (function locals,
    // and block / loop-head bindings at top level) only when captured by a closure (or "all").
    if (scope.block.type !== 'Program') {
      let captured = false;
      for (const p of binding.referencePaths) if (this.container(p) !== declContainer) { captured = true; break; }
      if (!captured) for (const p of writes) if (this.container(p) !== declContainer) { captured = true; break; }
      if (!captured && this.opts.instrument !== 'all') return;
    }
    let owner: Shared['owner'] = declContainer.type === 'Program' ? 'module' : 'frame';
    let block: Node | null = null;
    // A block that runs once per iteration of a loop gets its own `blk` handle (SPEC §4.3).
    if (scope.block.type === 'BlockStatement' && scope.block !== declContainer && this.loopBody(scope.path) && (this.opts.reads || this.opts.writes)) {
      owner = 'block';
      block = scope.block;
      if (!this.blockHandles.has(block!)) this.blockHandles.set(block!, this.prefix + 'b' + this.blockCounter++);
    }
    const info: Shared = { name: nameOf(binding.identifier), owner, fn: declContainer.type === 'Program' ? null : declContainer, block };
    for (const p of binding.referencePaths) {
      if (p.node.type === 'Identifier') this.shared.set(p.node, info);
    }
    for (const p of writes) {
      const n = p.node as t.AssignmentExpression | t.UpdateExpression | t.ForInStatement | t.ForOfStatement;
      const target: Node = n.type === 'UpdateExpression' ? n.argument : n.left;
      const u = unwrap(target);
      if (u.type === 'Identifier') {
        if (u.name === binding.identifier.name) this.shared.set(u, info);
      } else if (u.type !== 'VariableDeclaration') {
        const ids = t.getBindingIdentifiers(u, true) as Record<string, t.Identifier | t.Identifier[] | undefined>;
        for (const id of ([] as t.Identifier[]).concat(ids[binding.identifier.name] ?? [])) this.shared.set(id, info);
      }
    }
  }
}
