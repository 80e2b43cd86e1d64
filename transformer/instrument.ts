/** The per-file instrumenter: dispatch over the AST, module prologue. See fixtures/SPEC.md. */
import { Hook } from '../protocol/hooks';
import { moduleIdOf } from '../protocol/sites';
import type * as TS from 'typescript';
import { analyzeScopes, type RefInfo } from './scope';
import { Namer } from './names';
import { FileContext, type Fn, type Visitor } from './context';
import type { NormalizedOptions } from './options';
import { emitsStrictCode } from './strictness';
import { visitAssignment, visitChain, visitChainPlain, visitDelete, visitForTarget, visitIdentifier, visitMember, visitUpdate } from './visitors/access';
import { visitContainerCall } from './visitors/containers';
import { tempDeclaration, visitClass, visitFunction } from './visitors/functions';
import { reentry, visitAwait, visitYield } from './visitors/suspend';

export class Instrumenter implements Visitor {
  readonly c: FileContext;
  /** Loop-body blocks declaring shared (captured and written) bindings: each entry gets a `blk` handle. */
  private readonly loopBlocks = new Set<TS.Block>();
  private readonly keptKinds: Uint8Array;
  constructor(readonly ts: typeof TS, tctx: TS.TransformationContext, sf: TS.SourceFile, opts: NormalizedOptions) {
    this.keptKinds = keptKinds(ts);
    const scope = analyzeScopes(ts, sf);
    this.c = new FileContext(ts, tctx, sf, opts, scope, new Namer(ts, sf, scope.parents));
    if (opts.reads || opts.writes) {
      const note = (ref: RefInfo) => {
        const b = ref.binding;
        if (b.loopBlock && !this.loopBlocks.has(b.loopBlock) && scope.isShared(ref, opts.instrument)) this.loopBlocks.add(b.loopBlock);
      };
      scope.refs.forEach(note);
      scope.shorthandRefs.forEach(note);
    }
  }

  private isKept(node: TS.Node): boolean {
    if (this.keptKinds[node.kind]) return true;
    const mods = (node as any).modifiers as TS.NodeArray<TS.ModifierLike> | undefined;
    if (mods) for (let i = 0; i < mods.length; i++) if (mods[i]!.kind === this.ts.SyntaxKind.DeclareKeyword) return true;
    return false;
  }

  /** Generic visitor (statements and anything not handled by a more specific entry point). */
  readonly visit = (node: TS.Node): TS.VisitResult<TS.Node> => {
    const ts = this.ts, c = this.c, f = c.factory, SK = ts.SyntaxKind;
    if (this.isKept(node)) return node;
    if (ts.isExpression(node)) return this.visitExpr(node);
    switch (node.kind) {
      case SK.FunctionDeclaration: case SK.MethodDeclaration: case SK.Constructor: case SK.GetAccessor: case SK.SetAccessor:
        return visitFunction(this, node as any);
      case SK.ClassDeclaration:
        return visitClass(this, node as TS.ClassDeclaration);
      case SK.ExpressionStatement:
        return f.updateExpressionStatement(node as TS.ExpressionStatement, this.visitExpr((node as TS.ExpressionStatement).expression, true));
      case SK.ForStatement: {
        const n = node as TS.ForStatement;
        return f.updateForStatement(n, n.initializer && (ts.visitNode(n.initializer, this.visit) as TS.ForInitializer),
          n.condition && this.visitExpr(n.condition), n.incrementor && this.visitExpr(n.incrementor, true),
          ts.visitNode(n.statement, this.visit, ts.isStatement) as TS.Statement);
      }
      case SK.ForOfStatement: case SK.ForInStatement: {
        const loop = this.visitForInOf(node as TS.ForOfStatement | TS.ForInStatement);
        const after = this.afterForAwait(node);
        return after && !ts.isLabeledStatement(c.namer.parent(node)!) ? [loop, after] : loop;
      }
      case SK.WithStatement: {
        // Names inside `with` resolve through the object (a Proxy sees a `has` trap for each one):
        // the body stays as written, hook calls there would look up `__rw_*` names through it.
        const n = node as TS.WithStatement;
        return f.updateWithStatement(n, this.visitExpr(n.expression), n.statement);
      }
      case SK.LabeledStatement: {
        let inner: TS.Statement = (node as TS.LabeledStatement).statement;
        while (ts.isLabeledStatement(inner)) inner = inner.statement;
        const visited = ts.visitEachChild(node, this.visit, c.tctx);
        const after = this.afterForAwait(inner);
        return after ? [visited, after] : visited;
      }
      case SK.CatchClause: {
        const n = node as TS.CatchClause;
        return f.updateCatchClause(n, n.variableDeclaration && (ts.visitNode(n.variableDeclaration, this.visit) as TS.VariableDeclaration), reentry(this, n.block));
      }
      case SK.TryStatement: {
        const n = node as TS.TryStatement;
        return f.updateTryStatement(n, ts.visitNode(n.tryBlock, this.visit) as TS.Block,
          n.catchClause && (ts.visitNode(n.catchClause, this.visit) as TS.CatchClause), n.finallyBlock && reentry(this, n.finallyBlock));
      }
      case SK.Block: {
        const b = node as TS.Block;
        if (!this.loopBlocks.has(b)) break;
        const handle = c.newName('b');
        c.blockOwners.set(b, handle);
        c.constants.add(handle);
        const visited = ts.visitEachChild(b, this.visit, c.tctx);
        const decl = f.createVariableStatement(undefined, f.createVariableDeclarationList([
          f.createVariableDeclaration(handle, undefined, undefined, c.call(Hook.block, [c.frame()]))], ts.NodeFlags.Const));
        return f.updateBlock(visited, [decl, ...visited.statements]);
      }
      case SK.JsxOpeningElement: case SK.JsxSelfClosingElement: {
        // tag names stay as written (`<obj.Comp>` must remain a member expression)
        const n = node as TS.JsxOpeningElement | TS.JsxSelfClosingElement;
        const attrs = ts.visitNode(n.attributes, this.visit) as TS.JsxAttributes;
        return ts.isJsxOpeningElement(n)
          ? f.updateJsxOpeningElement(n, n.tagName, n.typeArguments, attrs)
          : f.updateJsxSelfClosingElement(n, n.tagName, n.typeArguments, attrs);
      }
      case SK.JsxClosingElement:
        return node;
      case SK.ShorthandPropertyAssignment: {
        const n = node as TS.ShorthandPropertyAssignment;
        const ref = c.scope.shorthandRefs.get(n);
        if (ref && !ref.write && c.opts.reads && c.scope.isShared(ref, c.opts.instrument)) {
          const owner = c.owner(ref.binding);
          if (owner) {
            // `{ __proto__ }` defines an own property; `{ __proto__: v }` would set the prototype
            const key = n.name.text === '__proto__' ? f.createComputedPropertyName(c.str('__proto__')) : f.createIdentifier(n.name.text);
            return f.createPropertyAssignment(key,
              c.call(Hook.readVar, [c.frame(), owner, c.cloneRef(n.name), c.site(n, n.name.text)]));
          }
        }
        return ts.visitEachChild(node, this.visit, c.tctx);
      }
    }
    return ts.visitEachChild(node, this.visit, c.tctx);
  };

  /** Visits `stmts[from..]` into one list (a statement may become several). */
  visitStatements(stmts: readonly TS.Statement[], from = 0): TS.Statement[] {
    const out: TS.Statement[] = [];
    for (let i = from; i < stmts.length; i++) {
      const r = this.visit(stmts[i]!);
      if (!r) continue;
      if (Array.isArray(r)) for (const x of r) out.push(x as TS.Statement);
      else out.push(r as TS.Statement);
    }
    return out;
  }

  /** Visits call arguments; the original array when nothing changed, so the call node is kept as is. */
  visitExprs(list: TS.NodeArray<TS.Expression>): readonly TS.Expression[] {
    let out: TS.Expression[] | undefined;
    for (let i = 0; i < list.length; i++) {
      const e = list[i]!;
      const v = this.visitExpr(e);
      if (out) out.push(v);
      else if (v !== e) { out = list.slice(0, i); out.push(v); }
    }
    return out ?? list;
  }

  /** An expression whose value is used (`unused`: an expression statement or a for-loop update). */
  visitExpr(e: TS.Expression, unused = false): TS.Expression {
    const ts = this.ts, c = this.c, f = c.factory, SK = ts.SyntaxKind;
    switch (e.kind) {
      case SK.Identifier: return visitIdentifier(this, e as TS.Identifier);
      case SK.PropertyAccessExpression: case SK.ElementAccessExpression:
        return visitMember(this, e as TS.PropertyAccessExpression, 'value');
      case SK.CallExpression: {
        const n = e as TS.CallExpression;
        const container = visitContainerCall(this, n);
        if (container) return container;
        if (ts.isOptionalChain(n)) return visitChainPlain(this, n);
        const callee = n.expression.kind === SK.SuperKeyword || n.expression.kind === SK.ImportKeyword ? n.expression : this.visitCallee(n.expression);
        return f.updateCallExpression(n, callee, n.typeArguments, this.visitExprs(n.arguments));
      }
      case SK.NewExpression: {
        const n = e as TS.NewExpression;
        return f.updateNewExpression(n, this.visitCallee(n.expression), n.typeArguments, n.arguments && this.visitExprs(n.arguments));
      }
      case SK.TaggedTemplateExpression: {
        const n = e as TS.TaggedTemplateExpression;
        return f.updateTaggedTemplateExpression(n, this.visitCallee(n.tag), n.typeArguments, ts.visitNode(n.template, this.visit) as TS.TemplateLiteral);
      }
      case SK.BinaryExpression: {
        const n = e as TS.BinaryExpression;
        const k = n.operatorToken.kind;
        if (k >= SK.FirstAssignment && k <= SK.LastAssignment) return visitAssignment(this, n, unused);
        if (k === SK.CommaToken) return f.updateBinaryExpression(n, this.visitExpr(n.left, true), n.operatorToken, this.visitExpr(n.right, unused));
        return f.updateBinaryExpression(n, this.visitExpr(n.left), n.operatorToken, this.visitExpr(n.right));
      }
      case SK.PrefixUnaryExpression: case SK.PostfixUnaryExpression: {
        const n = e as TS.PrefixUnaryExpression;
        if (n.operator === SK.PlusPlusToken || n.operator === SK.MinusMinusToken) return visitUpdate(this, n, unused);
        break;
      }
      case SK.DeleteExpression: return visitDelete(this, e as TS.DeleteExpression);
      case SK.AwaitExpression: return visitAwait(this, e as TS.AwaitExpression);
      case SK.YieldExpression: return visitYield(this, e as TS.YieldExpression);
      case SK.FunctionExpression: case SK.ArrowFunction: return visitFunction(this, e as TS.ArrowFunction) as TS.Expression;
      case SK.ClassExpression: return visitClass(this, e as TS.ClassExpression) as TS.Expression;
      case SK.ParenthesizedExpression: {
        const n = e as TS.ParenthesizedExpression;
        return f.updateParenthesizedExpression(n, this.visitExpr(n.expression, unused));
      }
      case SK.VoidExpression: {
        const n = e as TS.VoidExpression;
        return f.updateVoidExpression(n, this.visitExpr(n.expression, true));
      }
    }
    return ts.visitEachChild(e, this.visit, c.tctx);
  }

  /** The object of a member access: members become `rb` (no event, names the object). */
  visitBase(e: TS.Expression): TS.Expression {
    const ts = this.ts, f = this.c.factory;
    if (ts.isParenthesizedExpression(e)) return f.updateParenthesizedExpression(e, this.visitBase(e.expression));
    if (ts.isNonNullExpression(e) && !ts.isOptionalChain(e)) return f.updateNonNullExpression(e, this.visitBase(e.expression));
    if (ts.isAsExpression(e)) return f.updateAsExpression(e, this.visitBase(e.expression), e.type);
    if (ts.isSatisfiesExpression(e)) return f.updateSatisfiesExpression(e, this.visitBase(e.expression), e.type);
    if (ts.isOptionalChain(e) && (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e))) return visitChain(this, e, 'base');
    if (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) return visitMember(this, e, 'base');
    return this.visitExpr(e);
  }

  /** A callee keeps its member form so `this` binding is untouched; only its object and key are visited. */
  visitCallee(e: TS.Expression): TS.Expression {
    const ts = this.ts, f = this.c.factory;
    if (ts.isParenthesizedExpression(e)) return f.updateParenthesizedExpression(e, this.visitCallee(e.expression));
    if (ts.isNonNullExpression(e) && !ts.isOptionalChain(e)) return f.updateNonNullExpression(e, this.visitCallee(e.expression));
    if (ts.isAsExpression(e)) return f.updateAsExpression(e, this.visitCallee(e.expression), e.type);
    if (ts.isSatisfiesExpression(e)) return f.updateSatisfiesExpression(e, this.visitCallee(e.expression), e.type);
    if (ts.isOptionalChain(e)) return visitChainPlain(this, e);
    if (ts.isPropertyAccessExpression(e)) {
      if (e.expression.kind === ts.SyntaxKind.SuperKeyword || ts.isMetaProperty(e.expression)) return e;
      return f.updatePropertyAccessExpression(e, this.visitBase(e.expression), e.name);
    }
    if (ts.isElementAccessExpression(e)) {
      const obj = e.expression.kind === ts.SyntaxKind.SuperKeyword ? e.expression : this.visitBase(e.expression);
      return f.updateElementAccessExpression(e, obj, this.visitExpr(e.argumentExpression));
    }
    if (ts.isIdentifier(e)) return e;
    return this.visitExpr(e);
  }

  private visitForInOf(n: TS.ForOfStatement | TS.ForInStatement): TS.Statement {
    const ts = this.ts, c = this.c, f = c.factory;
    let init: TS.ForInitializer;
    let prelude: TS.Statement[] = [];
    if (ts.isVariableDeclarationList(n.initializer)) init = ts.visitNode(n.initializer, this.visit) as TS.ForInitializer;
    else ({ target: init, prelude } = visitForTarget(this, n.initializer));
    let expr = this.visitExpr(n.expression);
    let body = ts.visitNode(n.statement, this.visit, ts.isStatement) as TS.Statement;
    const at = this.afterForAwait(n);
    if (at) prelude = [at, ...prelude];
    if (prelude.length) {
      body = ts.isBlock(body) ? f.updateBlock(body, [...prelude, ...body.statements]) : f.createBlock([...prelude, body], true);
    }
    if (ts.isForOfStatement(n)) {
      if (n.awaitModifier && c.opts.awaits) expr = c.call(Hook.forAwait, [c.frame(), expr, c.site(n)]);
      return f.updateForOfStatement(n, n.awaitModifier, init, expr, body);
    }
    return f.updateForInStatement(n, init, expr, body);
  }

  /** `__rw.at(f);` for the top of a `for await` body and after the loop (SPEC §3), if there is a frame. */
  private afterForAwait(n: TS.Node): TS.Statement | undefined {
    const ts = this.ts, c = this.c;
    if (!ts.isForOfStatement(n) || !n.awaitModifier || !c.opts.awaits || !c.fn.frame || c.fn.inParams) return undefined;
    return c.factory.createExpressionStatement(c.call(Hook.resumeAt, [c.fn.frame]));
  }

  isPrivateField(m: TS.PropertyAccessExpression): boolean {
    const ts = this.ts;
    const name = (m.name as TS.PrivateIdentifier).text;
    let cur: TS.Node | undefined = this.c.namer.parent(m);
    while (cur) {
      if (ts.isClassLike(cur)) {
        const member = cur.members.find((x) => x.name && ts.isPrivateIdentifier(x.name) && x.name.text === name);
        if (member) return ts.isPropertyDeclaration(member);
      }
      cur = this.c.namer.parent(cur);
    }
    return false;
  }

  /** Transforms the whole file and adds the runtime import and module prologue. */
  run(): TS.SourceFile {
    const ts = this.ts, c = this.c, f = c.factory, sf = c.sf;
    const copts = c.tctx.getCompilerOptions();
    const stmts = sf.statements;
    let nDirectives = 0;
    while (nDirectives < stmts.length && ts.isExpressionStatement(stmts[nDirectives]!) &&
      ts.isStringLiteral((stmts[nDirectives] as TS.ExpressionStatement).expression)) nDirectives++;
    const directives = stmts.slice(0, nDirectives);
    const isModule = ts.isExternalModule(sf);
    const strict = emitsStrictCode(ts, sf, copts, directives);
    const fn: Fn = { kind: 'module', temps: [], inParams: false, strict, asyncOrGen: false, alias: { params: true, body: true } };
    c.fn = fn;
    const body = this.visitStatements(stmts, nDirectives);

    let k = 0;
    while (k < body.length && (ts.isImportDeclaration(body[k]!) || ts.isImportEqualsDeclaration(body[k]!))) k++;
    const spec = c.opts.runtimeModule;
    const runtimeImport = isModule || outputIsEsm(ts, sf, copts)
      ? f.createImportDeclaration(undefined, f.createImportClause(false, undefined, f.createNamespaceImport(c.rw)), c.str(spec))
      : f.createVariableStatement(undefined, f.createVariableDeclarationList([f.createVariableDeclaration(c.rw, undefined, undefined,
        f.createCallExpression(f.createIdentifier('require'), undefined, [c.str(spec)]))]));
    // The module token is a function declaration, so it exists before any code of the module runs
    // (an import cycle can call into the module before its prologue); it returns the site table.
    // It also sets the module's hook aliases.
    const table = c.sites.text(c.file, moduleIdOf(c.file));
    const setAliases = [...c.aliases].map(([hook, id]) => f.createExpressionStatement(c.assign(id, f.createPropertyAccessExpression(c.rw, hook))));
    const prologue: TS.Statement[] = [
      f.createExpressionStatement(c.callRuntime(Hook.moduleStart, [c.moduleHandle])),
      f.createFunctionDeclaration(undefined, undefined, c.moduleHandle, undefined, [], undefined,
        f.createBlock([...setAliases, f.createReturnStatement(f.createStringLiteral(table, true))])),
      ...tempDeclaration(this, [...c.aliases.values(), ...fn.temps]),
    ];
    return f.updateSourceFile(sf, ts.setTextRange(f.createNodeArray([...directives, runtimeImport, ...body.slice(0, k), ...prologue, ...body.slice(k)]), sf.statements));
  }
}

/**
 * Kinds the generic visitor leaves as they are: type-only syntax (erased by TypeScript later, so
 * never descended into), imports/exports, heritage `extends` (visited by visitClass), and tokens
 * other than identifiers (keywords, modifiers, literals, punctuation: nothing inside to visit).
 * Indexed by SyntaxKind, whose numbers differ between TypeScript versions: one table per `ts`.
 */
const keptByTs = new WeakMap<object, Uint8Array>();
function keptKinds(ts: typeof TS): Uint8Array {
  let t = keptByTs.get(ts);
  if (t) return t;
  const SK = ts.SyntaxKind;
  t = new Uint8Array(SK.Count);
  for (let k = 0; k < SK.Count; k++) if (ts.isTypeNode({ kind: k } as TS.Node)) t[k] = 1;
  for (let k = 0; k <= SK.LastToken; k++) if (k !== SK.Identifier) t[k] = 1;
  for (const k of [SK.ExpressionWithTypeArguments, SK.InterfaceDeclaration, SK.TypeAliasDeclaration, SK.TypeParameter,
    SK.ModuleDeclaration, SK.EnumDeclaration, SK.ImportDeclaration, SK.ImportEqualsDeclaration, SK.ExportDeclaration,
    SK.Decorator, SK.NamespaceExportDeclaration, SK.HeritageClause]) t[k] = 1;
  keptByTs.set(ts, t);
  return t;
}

function outputIsEsm(ts: typeof TS, sf: TS.SourceFile, o: TS.CompilerOptions): boolean {
  const M = ts.ModuleKind;
  const mk = o.module ?? (o.target !== undefined && o.target >= ts.ScriptTarget.ES2015 ? M.ES2015 : M.CommonJS);
  if (mk >= M.Node16 && mk <= M.NodeNext) return (sf as any).impliedNodeFormat === M.ESNext;
  if (mk === M.ES2015 || mk === M.ES2020 || mk === M.ES2022 || mk === M.ESNext || mk === (M as any).Preserve) return true;
  return false;
}

export function instrumentFile(ts: typeof TS, tctx: TS.TransformationContext, sf: TS.SourceFile, opts: NormalizedOptions): TS.SourceFile {
  return new Instrumenter(ts, tctx, sf, opts).run();
}
