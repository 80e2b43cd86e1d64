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
  strict: boolean;
  asyncOrGen: boolean;
}

export class FileContext {
  readonly factory: TS.NodeFactory;
  readonly rw: TS.Identifier;
  readonly moduleHandle: TS.Identifier;
  readonly sites: TS.Statement[] = [];
  readonly frames = new Map<TS.Node, Fn>();
  /** `const __rw_b = __rw.blk(f)` handles of loop-body blocks that own captured bindings. */
  readonly blockOwners = new Map<TS.Block, TS.Identifier>();
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
    this.rw = this.factory.createUniqueName('__rw');
    this.moduleHandle = this.factory.createUniqueName('__rw_m');
    this.file = opts.relative(sf.fileName);
  }

  // ---- small builders -----------------------------------------------------------------------
  str(s: string): TS.StringLiteral { return this.factory.createStringLiteral(s); }
  num(n: number): TS.NumericLiteral { return this.factory.createNumericLiteral(n); }
  undef(): TS.Expression { return this.factory.createVoidZero(); }
  call(hook: string, args: TS.Expression[]): TS.CallExpression {
    const f = this.factory;
    return f.createCallExpression(f.createPropertyAccessExpression(this.rw, hook), undefined, args);
  }
  loc(n: TS.Node): TS.StringLiteral { return this.str(this.file + ':' + this.namer.line(n)); }
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

  /** The current frame, or `void 0` where none exists (module level, field initializers, parameters). */
  frame(): TS.Expression {
    const fn = this.fn;
    return fn.frame && !fn.inParams ? fn.frame : this.undef();
  }
  /** A fresh temporary declared in the current function, or undefined where none can be declared. */
  temp(): TS.Identifier | undefined {
    if (this.fn.inParams) return undefined;
    const t = this.factory.createUniqueName('__rw_t');
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
    if (this.ts.isSourceFile(b.container)) return this.moduleHandle;
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
