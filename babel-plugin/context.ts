// The Babel front end's per-file state (the transformer's context.ts): options, the site table, hook
// calls through the module's aliases, temporaries, frames and owners; the per-function rewriting
// context `Ctx`; and `Rewriter`, the entry points through which the visitor modules call each other.
import * as t from '@babel/types';
import type { NormalizedOptions } from '../protocol/options';
import type { AnyHookName } from '../protocol/hooks';
import { SiteTableWriter } from '../protocol/sites';
import { F, keepName, type Expr, type Node } from './builders';
import { SharedBindings, type Shared } from './bindings';

export interface ClassInfo {
  name: string;
  /** private name -> 'field' | 'method' (methods and accessors have no readable old value). */
  privates: Map<string, 'field' | 'method'>;
}

export interface PostWrite {
  id: string;
  owner: Expr;
  tmp: string;
  site: t.NumericLiteral;
  s: Shared;
}

/** Per-function (or per isolated expression) rewriting context. */
export interface Ctx {
  /** Frame variable name, or null when hooks must receive `undefined` (module level, params, class fields). */
  frame: string | null;
  /** Frame passed as the parent to nested functions' `enter`. */
  parentFrame: string | null;
  /** Declared temporaries of this context. */
  temps: string[];
  strict: boolean;
  /** Inside an async function or any generator: catch/finally get `__rw.at(f)`. */
  suspendable: boolean;
  depth: number;
  /** Class whose instance `this` refers to (for the baseName hint), or null. */
  thisClass: string | null;
  classes: ClassInfo[];
  /** Function nodes whose frame variable is not in scope here (their own parameter lists). */
  hidden: Set<Node> | null;
  /** The innermost function (or static block) this context belongs to. */
  fn: Node | null;
  /** Parameter lists: no temporaries can be declared, forms that need them are left plain. */
  noTemps: boolean;
  /**
   * Whether code here may call the module's hook aliases: they are set when the module token first
   * runs (the prologue's `mod`, or the first `enter` of a function of the module), so only code that
   * cannot run before either may use them (see `fn`).
   */
  alias: boolean;
}

export interface FileInfo {
  file: string;
  moduleId: string;
  code: string;
}

/** One file's rewrite state and the small builders every visitor uses. */
export class FileState {
  /** The module's site table (SPEC §2). */
  readonly sites = new SiteTableWriter();
  /** Hooks called through module-local aliases (`__rw_rp`). */
  readonly aliases = new Set<AnyHookName>();
  /** Frame variable of each instrumented function. */
  readonly frameOf = new Map<Node, string>();
  readonly scope: SharedBindings;
  readonly moduleCtx: Ctx;
  /** The module token function; its body is written by `finish`, when every site is known. */
  tokenFn: t.FunctionDeclaration | null = null;
  private tempCounter = 0;

  /** `P`: the prefix of generated names (`__rw_`, or `__rw1_` if the file uses that). `rw`: the runtime namespace. */
  constructor(readonly o: NormalizedOptions, readonly info: FileInfo, readonly P: string, readonly rw: t.Identifier, strict: boolean) {
    this.scope = new SharedBindings(o, P);
    this.moduleCtx = {
      frame: null,
      parentFrame: null,
      temps: [],
      strict,
      suspendable: false,
      depth: 0,
      thisClass: null,
      classes: [],
      hidden: null,
      fn: null,
      noTemps: false,
      alias: true,
    };
  }

  /** A site id (SPEC §2) of node `n`: an access or binding with `text` (and a static `key`), else an await. */
  site(n: Node, text?: string, key?: string | number): t.NumericLiteral {
    return F.numericLiteral(this.sites.site(n.loc ? n.loc.start.line : 0, text, key));
  }

  /** The module token (a hoisted function returning the site table). */
  token(): t.Identifier {
    return F.identifier(this.P + 'm');
  }

  /**
   * A hook call: `__rw_rp(…)` through the module's alias where the aliases are known to be set
   * (`ctx.alias`, see `fn`), else `__rw.rp(…)`.
   */
  hook(ctx: Ctx | null, name: AnyHookName, args: Expr[]): t.CallExpression {
    if (ctx !== null && ctx.alias) {
      this.aliases.add(name);
      return F.callExpression(F.identifier(this.P + name), args);
    }
    return F.callExpression(F.memberExpression(F.cloneNode(this.rw), F.identifier(name)), args);
  }

  frame(ctx: Ctx): Expr {
    return ctx.frame ? F.identifier(ctx.frame) : this.token();
  }

  temp(ctx: Ctx): t.Identifier {
    const name = this.P + 't' + this.tempCounter++;
    ctx.temps.push(name);
    return F.identifier(name);
  }

  assignTemp(id: t.Identifier, value: Expr, original: Node = value): t.AssignmentExpression {
    return F.assignmentExpression('=', F.cloneNode(id), keepName(value, '', original));
  }

  /** The `owner` argument, or null where it does not exist (then the access is not recorded). */
  owner(s: Shared, ctx: Ctx): Expr | null {
    if (s.owner === 'module') return F.identifier(this.P + 'm');
    if (s.owner === 'block') {
      const h = this.scope.blockHandles.get(s.block!);
      return h ? F.identifier(h) : null;
    }
    if (!s.fn || (ctx.hidden && ctx.hidden.has(s.fn))) return null;
    const f = this.frameOf.get(s.fn);
    return f ? F.identifier(f) : null;
  }

  newCtx(parent: Ctx, patch: Partial<Ctx>): Ctx {
    return { ...parent, temps: [], ...patch };
  }

  /** Hook arguments `f, obj, [key,] …rest, S`. */
  accessArgs(ctx: Ctx, obj: Expr, key: Expr | null, site: t.NumericLiteral, ...rest: Expr[]): Expr[] {
    return key === null ? [this.frame(ctx), obj, ...rest, site] : [this.frame(ctx), obj, key, ...rest, site];
  }
}

/**
 * The rewrite's entry points, one per role a node can be visited in. The visitor modules
 * (statements, expressions, reads, writes, functions, suspend) call each other only through it;
 * instrument.ts implements it by dispatching to them.
 */
export interface Rewriter extends FileState {
  // statements.ts
  statements(list: t.Statement[], ctx: Ctx): t.Statement[];
  stmt(s: t.Statement, ctx: Ctx): t.Statement;
  block(b: t.BlockStatement, ctx: Ctx): void;
  bindingPattern(p: Node, ctx: Ctx): void;
  // expressions.ts
  /** An expression whose value is used; `name` is the name a function/object literal here takes. */
  x(e: Expr, ctx: Ctx, name?: string | null): Expr;
  /** An expression used only as the object of a member access. */
  base(e: Expr, ctx: Ctx): Expr;
  callee(e: Expr, ctx: Ctx): Expr;
  args(list: t.CallExpression['arguments'], ctx: Ctx): void;
  // reads.ts
  access(m: t.MemberExpression | t.OptionalMemberExpression, at: Node, h: string, ctx: Ctx): { key: Expr | null; site: t.NumericLiteral };
  ident(e: t.Identifier, ctx: Ctx): Expr;
  member(e: t.MemberExpression, ctx: Ctx, used: boolean): Expr;
  plainMember(e: t.MemberExpression, ctx: Ctx): Expr;
  chain(top: t.OptionalMemberExpression | t.OptionalCallExpression, ctx: Ctx, used: boolean): Expr;
  rawChain(top: t.OptionalMemberExpression | t.OptionalCallExpression, ctx: Ctx): void;
  containerCall(e: t.CallExpression | t.OptionalCallExpression, ctx: Ctx): Expr | null;
  // writes.ts
  assign(e: t.AssignmentExpression, ctx: Ctx): Expr;
  update(e: t.UpdateExpression, ctx: Ctx): Expr;
  unary(e: t.UnaryExpression, ctx: Ctx): Expr;
  assignTarget(p: Node, ctx: Ctx, post: PostWrite[], rename?: (n: string) => void, top?: Node): Node;
  postWrites(post: PostWrite[], ctx: Ctx): Expr[];
  // functions.ts
  fn(node: t.Function | t.TSDeclareMethod, outer: Ctx, qname: string, objectThis?: string): void;
  cls(c: t.ClassDeclaration | t.ClassExpression, outer: Ctx, name: string): void;
  object(e: t.ObjectExpression, ctx: Ctx, name: string | null): void;
  // suspend.ts
  forAwaitAt(s: Node, ctx: Ctx): t.Statement | null;
  afterLoop(s: t.Statement, ctx: Ctx): t.Statement | null;
  atResume(b: t.BlockStatement, ctx: Ctx): void;
}
