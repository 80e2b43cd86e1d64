// The Babel front end's per-file state (the transformer's context.ts): options, the site table, hook
// calls through the module's aliases, temporaries, frames and owners; the per-function rewriting
// context `Ctx`; and `Rewriter`, the entry points through which the visitor modules call each other.
import * as t from '@babel/types';
import type { NormalizedOptions } from '../protocol/options';
import { accessOperands, PLAIN_FORMS, type AnyHookName } from '../protocol/hooks';
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
  /** The invocation's `rec(frame)` variable guarding hook calls given `frame` (SPEC §3.1), or null. */
  guard?: string | null;
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
  hook(ctx: Ctx | null, name: AnyHookName, args: Expr[]): Expr {
    const guard = ctx?.guard;
    const form = PLAIN_FORMS[name];
    const f = args[0];
    if (ctx && guard && form && f !== undefined && f.type === 'Identifier' && f.name === ctx.frame) return this.guarded(ctx, guard, name, args);
    return this.call(ctx, name, args);
  }

  /** The call itself, unguarded. */
  call(ctx: Ctx | null, name: AnyHookName, args: Expr[]): t.CallExpression {
    if (ctx !== null && ctx.alias) {
      this.aliases.add(name);
      return F.callExpression(F.identifier(this.P + name), args);
    }
    return F.callExpression(F.memberExpression(F.cloneNode(this.rw), F.identifier(name)), args);
  }

  /**
   * `r ? hook(f, …) : plain` (SPEC §3.1): where the invocation records nothing, the operation runs
   * inline as the original code wrote it. Operands are evaluated once, in order, before the test:
   * each one up to the last that is more than an identifier, `this`, a literal or a generated
   * constant goes into a temporary (later ones stay in place: reading them runs no code, and none
   * runs between them and the hook), and the two branches use the temporaries.
   */
  private guarded(ctx: Ctx, guard: string, name: AnyHookName, args: Expr[]): Expr {
    const form = PLAIN_FORMS[name]!;
    let last = -1;
    for (let i = 1; i < args.length; i++) if (!this.isConstant(args[i]!) && !this.isSimple(args[i]!)) last = i;
    const pre: Expr[] = [];
    const ops = args.slice();
    for (let i = 1; i <= last; i++) {
      const a = args[i]!;
      if (this.isConstant(a)) continue;
      const tmp = this.temp(ctx);
      pre.push(this.assignTemp(tmp, a));
      ops[i] = tmp;
    }
    const use = (e: Expr): Expr => F.cloneNode(e);
    const hookArgs = ops.map((a, i) => (i === 0 || pre.length === 0 ? a : use(a)));
    let plain: Expr;
    if (form.kind === 'value') plain = use(ops[form.arg]!);
    else if (form.kind === 'none') plain = F.unaryExpression('void', F.numericLiteral(0), true);
    else {
      const { obj, key, value } = accessOperands(form, ops);
      let member: t.MemberExpression;
      if (key !== null) member = F.memberExpression(use(obj), use(key), true);
      else {
        const k = this.sites.keyOf((ops[ops.length - 1] as t.NumericLiteral).value);
        member = typeof k === 'string' && /^[A-Za-z_$][\w$]*$/.test(k) ? F.memberExpression(use(obj), F.identifier(k))
          : F.memberExpression(use(obj), typeof k === 'number' ? F.numericLiteral(k) : F.stringLiteral(String(k)), true);
      }
      plain = form.kind === 'get' ? member : form.kind === 'set' ? F.assignmentExpression('=', member, use(value!)) : F.unaryExpression('delete', member, true);
    }
    const test = F.conditionalExpression(F.identifier(guard), this.call(ctx, name, hookArgs), plain);
    return pre.length ? F.sequenceExpression([...pre, test]) : test;
  }

  /** Literals and the generated bindings that never change (frames, the module token, block owners, guards). */
  private isConstant(e: Expr): boolean {
    switch (e.type) {
      case 'NumericLiteral': case 'StringLiteral': case 'NullLiteral': case 'BooleanLiteral': return true;
      case 'UnaryExpression': return e.operator === 'void' && e.argument.type === 'NumericLiteral';
      case 'Identifier': {
        const n = e.name;
        return n.startsWith(this.P) && /^(?:m|[fbr]\d+)$/.test(n.slice(this.P.length));
      }
      default: return false;
    }
  }

  /** Operands whose evaluation runs no program code: identifiers and `this`. */
  private isSimple(e: Expr): boolean {
    return e.type === 'Identifier' || e.type === 'ThisExpression';
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
