/** Per-file state shared by the visitors: hook call builders, temporaries, frames. */
import type * as TS from 'typescript';
import type { NormalizedOptions } from './options';
import type { ScopeInfo, Binding } from './scope';
import type { Namer } from './names';

export interface Fn {
  kind: 'module' | 'function' | 'field' | 'static';
  node?: TS.Node;
  frame?: TS.Identifier;
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
  /** Site records (JSON text) in id order, and their ids (identical sites share one). */
  readonly siteRecords: string[] = [];
  private readonly siteIds = new Map<string, number>();
  readonly frames = new Map<TS.Node, Fn>();
  /** `const __rw_b = __rw.blk(f)` handles of loop-body blocks that own captured bindings. */
  readonly blockOwners = new Map<TS.Block, TS.Identifier>();
  /** Hook aliases used in this module (hook name → variable). */
  readonly aliases = new Map<string, TS.Identifier>();
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
    this.rw = this.uniqueName('__rw');
    this.moduleHandle = this.uniqueName('__rw_m');
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
  newName(kind: 't' | 'f' | 'b' | 'e'): TS.Identifier {
    return this.uniqueName('__rw_' + kind + ++this.names);
  }

  // ---- small builders -----------------------------------------------------------------------
  str(s: string): TS.StringLiteral { return this.factory.createStringLiteral(s); }
  num(n: number): TS.NumericLiteral { return this.factory.createNumericLiteral(n); }
  undef(): TS.Expression { return this.factory.createVoidZero(); }
  call(hook: string, args: TS.Expression[]): TS.CallExpression {
    const fn = this.fn;
    return this.callVia(hook, args, fn.inParams ? fn.alias.params : fn.alias.body);
  }
  /** `__rw_hook(…)` through the module's alias if `alias`, else `__rw.hook(…)`. */
  callVia(hook: string, args: TS.Expression[], alias: boolean): TS.CallExpression {
    const f = this.factory;
    if (alias) {
      let id = this.aliases.get(hook);
      if (id === undefined) { id = this.uniqueName('__rw_' + hook); this.aliases.set(hook, id); }
      return f.createCallExpression(id, undefined, args);
    }
    return f.createCallExpression(f.createPropertyAccessExpression(this.rw, hook), undefined, args);
  }
  /** `__rw.hook(…)` (for `mod`, and `enter` where it may run before the aliases are set). */
  callRuntime(hook: string, args: TS.Expression[]): TS.CallExpression {
    const f = this.factory;
    return f.createCallExpression(f.createPropertyAccessExpression(this.rw, hook), undefined, args);
  }
  /** Whether hook aliases may be used at this point. */
  aliasHere(): boolean {
    const fn = this.fn;
    return fn.inParams ? fn.alias.params : fn.alias.body;
  }
  /**
   * A site id (SPEC §2): `[line, text]` for accesses and bindings, `[line]` for awaits, and
   * `[line, text, key]` for accesses whose property key is static (the key leaves the hook call).
   */
  site(n: TS.Node, text?: string, key?: string | number): TS.NumericLiteral {
    const line = this.namer.line(n);
    return this.num(this.siteId(text === undefined ? '[' + line + ']'
      : '[' + line + ',' + JSON.stringify(text) + (key === undefined ? '' : ',' + JSON.stringify(key)) + ']'));
  }
  /**
   * The id of a site record; identical records share one. Function sites are deduplicated apart
   * from the others: `[3,"f",0]` is both a sync function `f` without parameters and an access
   * `f[0]`, and the runtime decodes each id as one kind.
   */
  siteId(record: string, fn = false): number {
    const dedupe = fn ? 'f' + record : record;
    let id = this.siteIds.get(dedupe);
    if (id === undefined) {
      id = this.siteRecords.length;
      this.siteRecords.push(record);
      this.siteIds.set(dedupe, id);
    }
    return id;
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
