/** Per-file state shared by the visitors: hook call builders, temporaries, frames. */
import type * as TS from 'typescript';
import type { NormalizedOptions } from './options';
import type { ScopeInfo, Binding } from './scope';
import type { Namer } from './names';
import { accessOperands, GENERATED_PREFIX, PLAIN_FORMS, type AnyHookName as AnyHook } from '../protocol/hooks';
import { SiteTableWriter } from '../protocol/sites';

/** The namespace binding of the runtime import. */
const RUNTIME_NAMESPACE = '__rw';

export interface Fn {
  kind: 'module' | 'function' | 'field' | 'static';
  node?: TS.Node;
  frame?: TS.Identifier;
  /** The invocation's `rec(frame)` variable guarding hook calls given `frame` (SPEC §3.1). */
  guard?: TS.Identifier;
  temps: TS.Identifier[];
  /** True while the function's parameter list is visited (its frame does not exist yet). */
  inParams: boolean;
  /**
   * Whether code here may call the module's hook aliases (`__rw_rp(…)` instead of `__rw.rp(…)`):
   * they are set when the module token first runs (the prologue's `mod`, or the first `enter` of a
   * function of the module), so only code that cannot run before either may use them. `params` is
   * for the parameter list (the function's own `enter` has not run yet), `body` for the body.
   */
  alias: { params: boolean; body: boolean };
  strict: boolean;
  asyncOrGen: boolean;
}

export class FileContext {
  readonly factory: TS.NodeFactory;
  readonly rw: TS.Identifier;
  /** The module token: a hoisted function returning the site table (SPEC §2). */
  readonly moduleHandle: TS.Identifier;
  /** The module's site table (SPEC §2). */
  readonly sites = new SiteTableWriter();
  readonly frames = new Map<TS.Node, Fn>();
  /** `const __rw_b = __rw.blk(f)` handles of loop-body blocks that own captured bindings. */
  readonly blockOwners = new Map<TS.Block, TS.Identifier>();
  /** Hook aliases used in this module (hook name → variable). */
  readonly aliases = new Map<AnyHook, TS.Identifier>();
  fn!: Fn;
  readonly file: string;

  constructor(
    readonly ts: typeof TS,
    readonly tctx: TS.TransformationContext,
    readonly sf: TS.SourceFile,
    readonly opts: NormalizedOptions,
    readonly scope: ScopeInfo,
    readonly namer: Namer,
  ) {
    this.factory = tctx.factory;
    this.rw = this.uniqueName(RUNTIME_NAMESPACE);
    this.moduleHandle = this.uniqueName(GENERATED_PREFIX + 'm');
    this.constants.add(this.moduleHandle);
    this.file = opts.relative(sf.fileName);
  }

  /**
   * Generated names are "optimistic" unique names: the printer takes the name as given when the
   * file does not use it (else it appends `_1`, ...), where plain `createUniqueName` makes it search
   * `__rw_t_1`, `__rw_t_2`, ... for every name, trying every earlier number again. So each name we
   * make is distinct already: `__rw_<hook>` (letters only), `__rw_m`, and `__rw_<kind><n>` with a
   * per-file counter. They stay generated names, which TypeScript's own transforms rely on (a
   * generated callee is not cached before a `yield` in downlevelled generators, for example).
   */
  private uniqueName(text: string): TS.Identifier {
    return this.factory.createUniqueName(text, this.ts.GeneratedIdentifierFlags.Optimistic);
  }
  private names = 0;
  /** Generated bindings that never change once set (the module token, frames, guards, block owners): operands that need no temporary. */
  readonly constants = new Set<TS.Node>();
  newName(kind: 't' | 'f' | 'b' | 'e' | 'r'): TS.Identifier {
    return this.uniqueName(GENERATED_PREFIX + kind + ++this.names);
  }

  // ---- small builders -----------------------------------------------------------------------
  str(s: string): TS.StringLiteral { return this.factory.createStringLiteral(s); }
  num(n: number): TS.NumericLiteral { return this.factory.createNumericLiteral(n); }
  undef(): TS.Expression { return this.factory.createVoidZero(); }
  call(hook: AnyHook, args: TS.Expression[]): TS.Expression {
    const fn = this.fn;
    if (fn.guard && !fn.inParams && args[0] === fn.frame && PLAIN_FORMS[hook]) return this.guarded(fn.guard, hook, args);
    return this.callVia(hook, args, fn.inParams ? fn.alias.params : fn.alias.body);
  }

  /**
   * `r ? hook(f, …) : plain` (SPEC §3.1): where the invocation records nothing, the operation runs
   * inline as the original code wrote it. Operands are evaluated once, in order, before the test:
   * each one up to the last that is more than an identifier, `this`, a literal or a generated
   * constant goes into a temporary (later ones stay in place: reading them runs no code, and none
   * runs between them and the hook), and the two branches use the temporaries.
   */
  private guarded(guard: TS.Identifier, hook: AnyHook, args: TS.Expression[]): TS.Expression {
    const f = this.factory, ts = this.ts;
    const form = PLAIN_FORMS[hook]!;
    let last = -1;
    for (let i = 1; i < args.length; i++) if (!this.isConstant(args[i]!) && !this.isSimple(args[i]!)) last = i;
    const pre: TS.Expression[] = [];
    const ops = args.slice();
    for (let i = 1; i <= last; i++) {
      const a = args[i]!;
      if (this.isConstant(a)) continue;
      const tmp = this.temp()!;
      // An anonymous function keeps its empty name (a temporary would name it).
      pre.push(this.assign(tmp, this.isAnonymousFunctionDefinition(a) ? this.named(a, a, '') : a));
      ops[i] = tmp;
    }
    let plain: TS.Expression;
    if (form.kind === 'value') plain = ops[form.arg]!;
    else if (form.kind === 'none') plain = this.undef();
    else {
      const { obj, key, value } = accessOperands(form, ops);
      let member: TS.Expression;
      if (key !== null) member = f.createElementAccessExpression(obj, key);
      else {
        const k = this.sites.keyOf(Number((ops[ops.length - 1] as TS.NumericLiteral).text));
        member = typeof k === 'string' && /^[A-Za-z_$][\w$]*$/.test(k) ? f.createPropertyAccessExpression(obj, k)
          : f.createElementAccessExpression(obj, typeof k === 'number' ? this.num(k) : this.str(String(k)));
      }
      plain = form.kind === 'get' ? member : form.kind === 'set' ? this.assign(member, value!) : f.createDeleteExpression(member);
    }
    const call = this.callVia(hook, ops, this.fn.alias.body);
    const test = f.createConditionalExpression(guard, f.createToken(ts.SyntaxKind.QuestionToken), call, f.createToken(ts.SyntaxKind.ColonToken), plain);
    return this.paren(pre.length ? f.createCommaListExpression([...pre, test]) : test);
  }

  private isConstant(e: TS.Expression): boolean {
    const k = this.ts.SyntaxKind;
    switch (e.kind) {
      case k.NumericLiteral: case k.StringLiteral: case k.NullKeyword: case k.TrueKeyword: case k.FalseKeyword: return true;
      case k.VoidExpression: return (e as TS.VoidExpression).expression.kind === k.NumericLiteral;
      default: return this.constants.has(e);
    }
  }

  /** Operands whose evaluation runs no program code: identifiers and `this`. */
  private isSimple(e: TS.Expression): boolean {
    return e.kind === this.ts.SyntaxKind.Identifier || e.kind === this.ts.SyntaxKind.ThisKeyword;
  }
  /** `__rw_hook(…)` through the module's alias if `alias`, else `__rw.hook(…)`. */
  callVia(hook: AnyHook, args: TS.Expression[], alias: boolean): TS.CallExpression {
    const f = this.factory;
    if (alias) {
      let id = this.aliases.get(hook);
      if (id === undefined) { id = this.uniqueName(GENERATED_PREFIX + hook); this.aliases.set(hook, id); }
      return f.createCallExpression(id, undefined, args);
    }
    return f.createCallExpression(f.createPropertyAccessExpression(this.rw, hook), undefined, args);
  }
  /** `__rw.hook(…)` (for `mod`, and `enter` where it may run before the aliases are set). */
  callRuntime(hook: AnyHook, args: TS.Expression[]): TS.CallExpression {
    const f = this.factory;
    return f.createCallExpression(f.createPropertyAccessExpression(this.rw, hook), undefined, args);
  }
  /** Whether hook aliases may be used at this point. */
  aliasHere(): boolean {
    const fn = this.fn;
    return fn.inParams ? fn.alias.params : fn.alias.body;
  }
  /** A site id (SPEC §2) of node `n`: an access or binding with `text` (and a static `key`), else an await. */
  site(n: TS.Node, text?: string, key?: string | number): TS.NumericLiteral {
    return this.num(this.sites.site(this.namer.line(n), text, key));
  }
  paren(e: TS.Expression): TS.Expression { return this.factory.createParenthesizedExpression(e); }
  seq(list: TS.Expression[]): TS.Expression {
    if (list.length === 1) return list[0]!;
    return this.paren(this.factory.createCommaListExpression(list));
  }
  assign(t: TS.Expression, v: TS.Expression): TS.Expression { return this.factory.createAssignment(t as any, v); }
  /** An identifier that refers to the same binding as `id` (keeps module/namespace substitution working). */
  cloneRef(id: TS.Identifier): TS.Identifier {
    const c = this.factory.createIdentifier(id.text);
    this.ts.setOriginalNode(c, id);
    this.ts.setTextRange(c, id);
    return c;
  }

  /** The current frame, or the module token where none exists (module level, field initializers, parameters). */
  frame(): TS.Expression {
    const fn = this.fn;
    return fn.frame && !fn.inParams ? fn.frame : this.moduleHandle;
  }
  /** A fresh temporary declared in the current function, or undefined where none can be declared. */
  temp(): TS.Identifier | undefined {
    if (this.fn.inParams) return undefined;
    const t = this.newName('t');
    this.fn.temps.push(t);
    return t;
  }
  canTemp(): boolean { return !this.fn.inParams; }

  /** `owner` argument for a shared binding: the module handle or the declaring function's frame. */
  owner(b: Binding): TS.Expression | undefined {
    if (b.loopBlock) {
      const h = this.blockOwners.get(b.loopBlock);
      if (h) return h;
    }
    if (b.container.kind === this.ts.SyntaxKind.SourceFile) return this.moduleHandle;
    const fn = this.frames.get(b.container);
    if (!fn || !fn.frame || fn.inParams) return undefined;
    return fn.frame;
  }

  /** Keeps NamedEvaluation (`x = () => {}` names the function "x") when the value moves into a hook call. */
  named(value: TS.Expression, original: TS.Expression, name: string): TS.Expression {
    if (!this.isAnonymousFunctionDefinition(original)) return value;
    const f = this.factory;
    return f.createElementAccessExpression(
      this.paren(f.createObjectLiteralExpression([f.createPropertyAssignment(this.str(name), value)])), this.str(name));
  }
  isAnonymousFunctionDefinition(e: TS.Expression): boolean {
    const ts = this.ts;
    e = this.namer.skipOuter(e);
    if (ts.isArrowFunction(e)) return true;
    if ((ts.isFunctionExpression(e) || ts.isClassExpression(e)) && !e.name) return true;
    return false;
  }
}

/**
 * What the visitors (visitors/*.ts) see of the instrumenter (instrument.ts): the file's state and the
 * entry points for visiting sub-trees, each in its role. The instrumenter implements it; the visitors
 * depend on this interface only, not on the instrumenter that dispatches to them.
 */
export interface Visitor {
  readonly ts: typeof TS;
  readonly c: FileContext;
  /** Any node in statement position (or anything without a more specific entry point). */
  readonly visit: (node: TS.Node) => TS.VisitResult<TS.Node>;
  visitStatements(stmts: readonly TS.Statement[], from?: number): TS.Statement[];
  visitExprs(list: TS.NodeArray<TS.Expression>): readonly TS.Expression[];
  /** An expression; `unused` where its value is discarded (expression statements, for-loop updates). */
  visitExpr(e: TS.Expression, unused?: boolean): TS.Expression;
  /** An expression used only as the object of a member access or call. */
  visitBase(e: TS.Expression): TS.Expression;
  visitCallee(e: TS.Expression): TS.Expression;
  /** Whether `this.#x` names a private field (not a method or accessor) of an enclosing class. */
  isPrivateField(m: TS.PropertyAccessExpression): boolean;
}

