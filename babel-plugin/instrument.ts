// The Babel front end of fixtures/SPEC.md: rewrites one Program so that function entries, awaits,
// reads and writes of shared state call the hooks of `raceway/runtime`.
//
// Design (see node20-toolchain.md, "Babel 7"):
// * Each top-level statement is rewritten before any other plugin of the merged traversal has
//   touched it (in the plugin's `Program: enter`, or as the traversal reaches the statement, see
//   plugin.ts), so preset-env / preset-typescript always see the original shapes and then lower
//   *our* output, in whatever order the user listed the presets.
// * Scope analysis is Babel's own: every binding's `referencePaths` / `constantViolations` decide
//   which identifiers are shared (SPEC §4.1). The rewrite itself is a single recursive pass over the
//   raw nodes with explicit roles (value / base / callee / target), so nothing is re-queued and no
//   generated node is ever visited again by us; generated nodes carry no `loc`.
// * Nothing is re-crawled afterwards (see plugin.ts): later plugins keep Babel's bindings, and the
//   blocks added around function bodies get their Scopes without a crawl (scopes.ts).
import type { NodePath } from '@babel/traverse';
import * as t from '@babel/types';
import { Hook } from '../protocol/hooks';
import type { NormalizedOptions } from '../protocol/options';
import { F, type Expr, type Node } from './builders';
import type { ScopeCache } from './bindings';
import { FileState, type Ctx, type FileInfo, type PostWrite, type Rewriter } from './context';
import * as expressions from './expressions';
import * as functions from './functions';
import * as reads from './reads';
import * as statements from './statements';
import * as suspend from './suspend';
import * as writes from './writes';

export type { FileInfo } from './context';

const ESCAPES: Record<string, string> = { '\\': '\\\\', "'": "\\'", '\n': '\\n', '\r': '\\r', '\u2028': '\\u2028', '\u2029': '\\u2029' };

/**
 * One program's rewrite: `analyze`, then `begin`, `statement` for each top-level statement, and
 * `finish` (see plugin.ts). The visitor modules do the work; this class holds the file's state and
 * routes each role to its module.
 */
export class Instrumenter extends FileState implements Rewriter {
  constructor(opts: NormalizedOptions, info: FileInfo, prefix: string, rwId: t.Identifier, strict: boolean) {
    super(opts, info, prefix, rwId, strict);
  }

  /** Classifies the file's bindings (bindings.ts); `scopeCache` lets it do so lazily as scopes are entered. */
  analyze(program: NodePath<t.Program>, scopeCache: ScopeCache | null): void {
    this.scope.analyze(program, scopeCache);
  }

  /**
   * Starts the module: returns the first statements of the module prologue, `__rw.mod(__rw_m)` and
   * the token function (a declaration, so it exists before any code of the module runs: an import
   * cycle can call into the module before its prologue). Then each top-level statement goes through
   * `statement`, and `finish` completes the prologue.
   */
  begin(program: t.Program): t.Statement[] {
    this.scope.enter(program);
    this.tokenFn = t.functionDeclaration(this.token(), [], t.blockStatement([]));
    return [t.expressionStatement(this.hook(null, Hook.moduleStart, [this.token()])), this.tokenFn];
  }

  /**
   * Rewrites one top-level statement in place. (At module level there is no frame, so no statement
   * follows a loop, and `stmt` returns the statement itself.)
   */
  statement(s: t.Statement): void {
    this.stmt(s, this.moduleCtx);
  }

  /**
   * Completes the prologue: the token function sets the module's hook aliases and returns the site
   * table, and a `var` after it declares the aliases and the temporaries of module-level code.
   */
  finish(program: t.Program): void {
    const table = this.sites.text(this.info.file, this.info.moduleId);
    const tableLiteral = F.stringLiteral(table);
    tableLiteral.extra = { rawValue: table, raw: "'" + table.replace(/[\\'\n\r\u2028\u2029]/g, (ch) => ESCAPES[ch]!) + "'" };
    const setAliases = [...this.aliases].map((h) => t.expressionStatement(F.assignmentExpression('=', F.identifier(this.P + h), F.memberExpression(F.cloneNode(this.rw), F.identifier(h)))));
    this.tokenFn!.body.body = [...setAliases, t.returnStatement(tableLiteral)];
    const vars = [...[...this.aliases].map((h) => this.P + h), ...this.moduleCtx.temps];
    if (!vars.length) return;
    // Where the token is (a plugin may have moved it; a `var` is hoisted from anywhere in the module).
    const at = program.body.indexOf(this.tokenFn!);
    program.body.splice(at < 0 ? program.body.length : at + 1, 0, t.variableDeclaration('var', vars.map((n) => t.variableDeclarator(F.identifier(n)))));
  }

  // ---- Rewriter: each role to its module --------------------------------------------------------

  statements(list: t.Statement[], ctx: Ctx): t.Statement[] { return statements.statements(this, list, ctx); }
  stmt(s: t.Statement, ctx: Ctx): t.Statement { return statements.stmt(this, s, ctx); }
  block(b: t.BlockStatement, ctx: Ctx): void { statements.block(this, b, ctx); }
  bindingPattern(p: Node, ctx: Ctx): void { statements.bindingPattern(this, p, ctx); }
  x(e: Expr, ctx: Ctx, name: string | null = null): Expr { return expressions.x(this, e, ctx, name); }
  base(e: Expr, ctx: Ctx): Expr { return expressions.base(this, e, ctx); }
  callee(e: Expr, ctx: Ctx): Expr { return expressions.callee(this, e, ctx); }
  args(list: t.CallExpression['arguments'], ctx: Ctx): void { expressions.args(this, list, ctx); }
  access(m: t.MemberExpression | t.OptionalMemberExpression, at: Node, h: string, ctx: Ctx): { key: Expr | null; site: t.NumericLiteral } { return reads.access(this, m, at, h, ctx); }
  ident(e: t.Identifier, ctx: Ctx): Expr { return reads.ident(this, e, ctx); }
  member(e: t.MemberExpression, ctx: Ctx, used: boolean): Expr { return reads.member(this, e, ctx, used); }
  plainMember(e: t.MemberExpression, ctx: Ctx): Expr { return reads.plainMember(this, e, ctx); }
  chain(top: t.OptionalMemberExpression | t.OptionalCallExpression, ctx: Ctx, used: boolean): Expr { return reads.chain(this, top, ctx, used); }
  rawChain(top: t.OptionalMemberExpression | t.OptionalCallExpression, ctx: Ctx): void { reads.rawChain(this, top, ctx); }
  containerCall(e: t.CallExpression | t.OptionalCallExpression, ctx: Ctx): Expr | null { return reads.containerCall(this, e, ctx); }
  assign(e: t.AssignmentExpression, ctx: Ctx): Expr { return writes.assign(this, e, ctx); }
  update(e: t.UpdateExpression, ctx: Ctx): Expr { return writes.update(this, e, ctx); }
  unary(e: t.UnaryExpression, ctx: Ctx): Expr { return writes.unary(this, e, ctx); }
  assignTarget(p: Node, ctx: Ctx, post: PostWrite[], rename?: (n: string) => void, top: Node = p): Node { return writes.assignTarget(this, p, ctx, post, rename, top); }
  postWrites(post: PostWrite[], ctx: Ctx): Expr[] { return writes.postWrites(this, post, ctx); }
  fn(node: t.Function | t.TSDeclareMethod, outer: Ctx, qname: string, objectThis?: string): void { functions.fn(this, node, outer, qname, objectThis); }
  cls(c: t.ClassDeclaration | t.ClassExpression, outer: Ctx, name: string): void { functions.cls(this, c, outer, name); }
  object(e: t.ObjectExpression, ctx: Ctx, name: string | null): void { functions.object(this, e, ctx, name); }
  forAwaitAt(s: Node, ctx: Ctx): t.Statement | null { return suspend.forAwaitAt(this, s, ctx); }
  afterLoop(s: t.Statement, ctx: Ctx): t.Statement | null { return suspend.afterLoop(this, s, ctx); }
  atResume(b: t.BlockStatement, ctx: Ctx): void { suspend.atResume(this, b, ctx); }
}
