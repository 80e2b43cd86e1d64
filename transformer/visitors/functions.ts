/** Frames for every function (SPEC.md §3) and class members (fields, static blocks). */
import { Hook, RECORDING_FLAG } from '../../protocol/hooks';
import { hoistingConflict, type BodyDeclarations } from '../../protocol/names';
import { functionKind } from '../../protocol/sites';
import type * as TS from 'typescript';
import type { Fn, Visitor } from '../context';
import { hasUseStrictDirective } from '../strictness';

type FunctionNode = TS.FunctionDeclaration | TS.FunctionExpression | TS.ArrowFunction | TS.MethodDeclaration |
  TS.ConstructorDeclaration | TS.GetAccessorDeclaration | TS.SetAccessorDeclaration;

function boundNames(ts: typeof TS, name: TS.BindingName, out: string[]) {
  if (ts.isIdentifier(name)) out.push(name.text);
  else for (const el of name.elements) if (!ts.isOmittedExpression(el)) boundNames(ts, el.name, out);
}

function directiveCount(ts: typeof TS, stmts: readonly TS.Statement[]): number {
  let i = 0;
  while (i < stmts.length && ts.isExpressionStatement(stmts[i]!) && ts.isStringLiteral((stmts[i] as TS.ExpressionStatement).expression)) i++;
  return i;
}

/** The body's declarations as `hoistingConflict` (protocol/names.ts) reads them. */
function bodyDeclarations(ts: typeof TS, stmts: readonly TS.Statement[], params: readonly TS.ParameterDeclaration[]): BodyDeclarations {
  const functions: string[] = [];
  const top = new Set<TS.Node>();
  for (let s of stmts) {
    while (ts.isLabeledStatement(s)) s = s.statement; // sloppy `l: function f() {}` is one too
    if (ts.isFunctionDeclaration(s) && s.name) { top.add(s); functions.push(s.name.text); }
  }
  return {
    functions,
    params() {
      const names: string[] = [];
      for (const p of params) boundNames(ts, p.name, names);
      return names;
    },
    nested(found) {
      let stop = false;
      const visit = (n: TS.Node): void => {
        if (stop) return;
        if (ts.isFunctionDeclaration(n) && n.name && !top.has(n)) { stop = found('function', n.name.text); return; }
        if (ts.isFunctionLike(n) || ts.isClassLike(n)) return;
        if (ts.isVariableDeclarationList(n) && !(n.flags & (ts.NodeFlags.Let | ts.NodeFlags.Const))) {
          const names: string[] = [];
          for (const d of n.declarations) boundNames(ts, d.name, names);
          for (const x of names) if ((stop = found('var', x))) return;
        }
        ts.forEachChild(n, visit);
      };
      stmts.forEach(visit);
    },
  };
}

export function tempDeclaration(I: Visitor, temps: TS.Identifier[]): TS.Statement[] {
  const f = I.c.factory;
  if (!temps.length) return [];
  return [f.createVariableStatement(undefined, f.createVariableDeclarationList(temps.map((t) => f.createVariableDeclaration(t))))];
}

export function visitFunction(I: Visitor, node: FunctionNode): TS.Node {
  const ts = I.ts, c = I.c, f = c.factory, o = c.opts;
  if (!node.body) return node;
  const parentFn = c.fn;
  // computed names are evaluated in the enclosing scope
  const name = node.name && ts.isComputedPropertyName(node.name)
    ? f.updateComputedPropertyName(node.name, I.visitExpr(node.name.expression)) : node.name;
  const isAsync = !!node.modifiers?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword);
  const isGen = !!(node as TS.FunctionDeclaration).asteriskToken;
  const bodyStmts = ts.isBlock(node.body) ? node.body.statements : undefined;
  const isClassMember = ts.isMethodDeclaration(node) || ts.isConstructorDeclaration(node) || ts.isGetAccessorDeclaration(node) || ts.isSetAccessorDeclaration(node);
  const owner = c.namer.parent(node);
  const inClass = isClassMember && !!owner && ts.isClassLike(owner);
  const strict = parentFn.strict || !!inClass || (!!bodyStmts && hasUseStrictDirective(ts, c.sf, bodyStmts));
  const fn: Fn = {
    kind: 'function', node,
    frame: o.functions && !(bodyStmts && hoistingConflict(bodyDeclarations(ts, bodyStmts, node.parameters), strict)) ? c.newName('f') : undefined,
    temps: [], inParams: true,
    strict,
    asyncOrGen: isAsync || isGen,
    alias: { params: false, body: false },
  };
  // Hook aliases are set by the module token's first run (SPEC §2). A body with a frame runs after
  // its `enter`; parameters (which run before it) and a body without a frame are safe where the
  // function is defined, except for a module-level function declaration: it is callable through an
  // import cycle before the module's prologue.
  const hoistedEarly = node.kind === ts.SyntaxKind.FunctionDeclaration && parentFn.kind === 'module';
  fn.alias.params = c.aliasHere() && !hoistedEarly;
  fn.alias.body = !!fn.frame || fn.alias.params;
  if (fn.frame) {
    fn.guard = c.newName('r');
    c.constants.add(fn.frame);
    c.constants.add(fn.guard);
  }
  c.frames.set(node, fn);
  const parentFrame = c.frame();
  c.fn = fn;
  let params: TS.NodeArray<TS.ParameterDeclaration>;
  let stmts: TS.Statement[];
  let directives: TS.Statement[] = [];
  try {
    params = ts.visitNodes(node.parameters, I.visit) as TS.NodeArray<TS.ParameterDeclaration>;
    fn.inParams = false;
    if (bodyStmts) {
      const n = directiveCount(ts, bodyStmts);
      directives = bodyStmts.slice(0, n);
      stmts = I.visitStatements(bodyStmts, n);
    } else {
      const e = node.body as TS.Expression;
      stmts = [ts.setTextRange(f.createReturnStatement(I.visitExpr(e)), e)];
    }
  } finally {
    c.fn = parentFn;
  }

  let body: TS.Block | TS.ConciseBody;
  if (!fn.frame && !fn.temps.length && !bodyStmts) {
    body = (stmts[0] as TS.ReturnStatement).expression!;
  } else {
    const out: TS.Statement[] = [...directives];
    if (fn.frame) {
      const paramNames: string[] = [];
      for (const p of node.parameters) {
        if (ts.isIdentifier(p.name) && p.name.text === 'this') continue;
        boundNames(ts, p.name, paramNames);
      }
      const site = c.sites.functionSite(c.namer.line(node), c.namer.qualifiedName(node), functionKind(isAsync, isGen), paramNames);
      out.push(f.createVariableStatement(undefined, f.createVariableDeclarationList([f.createVariableDeclaration(fn.frame, undefined, undefined,
        // Through the alias where the parameter list may use them (the function cannot run before the
        // module token did); else through the namespace (`en` is what runs the token then).
        c.callVia(Hook.enterFrame, [parentFrame, c.num(site)], fn.alias.params)),
        // `r = f.r && call(f, …params)`: the guard of the body's hook calls, and the FunctionCall
        // event with the parameters' values only where the invocation is recorded (SPEC §3).
        f.createVariableDeclaration(fn.guard!, undefined, undefined, f.createLogicalAnd(f.createPropertyAccessExpression(fn.frame, RECORDING_FLAG),
          c.callVia(Hook.functionCall, [fn.frame, ...paramNames.map((p) => f.createIdentifier(p))], fn.alias.body)))], ts.NodeFlags.Const)));
      out.push(...tempDeclaration(I, fn.temps));
      // `catch (e) { throw thrown(f, e); }`: an exception leaving the body is recorded and
      // rethrown as the same value (SPEC §3).
      const caught = c.newName('e');
      out.push(f.createTryStatement(f.createBlock(stmts, true),
        f.createCatchClause(f.createVariableDeclaration(caught), f.createBlock([f.createThrowStatement(
          f.createConditionalExpression(fn.guard!, f.createToken(ts.SyntaxKind.QuestionToken), c.call(Hook.thrown, [fn.frame, caught]), f.createToken(ts.SyntaxKind.ColonToken), caught))], true)),
        f.createBlock([f.createExpressionStatement(f.createLogicalAnd(fn.guard!, c.call(Hook.exit, [fn.frame])))], true)));
    } else {
      out.push(...tempDeclaration(I, fn.temps), ...stmts);
    }
    body = ts.setTextRange(f.createBlock(out, true), node.body);
  }

  switch (node.kind) {
    case ts.SyntaxKind.FunctionDeclaration: {
      const n = node as TS.FunctionDeclaration;
      return f.updateFunctionDeclaration(n, n.modifiers, n.asteriskToken, n.name, n.typeParameters, params, n.type, body as TS.Block);
    }
    case ts.SyntaxKind.FunctionExpression: {
      const n = node as TS.FunctionExpression;
      return f.updateFunctionExpression(n, n.modifiers, n.asteriskToken, n.name, n.typeParameters, params, n.type, body as TS.Block);
    }
    case ts.SyntaxKind.ArrowFunction: {
      const n = node as TS.ArrowFunction;
      return f.updateArrowFunction(n, n.modifiers, n.typeParameters, params, n.type, n.equalsGreaterThanToken, body);
    }
    case ts.SyntaxKind.MethodDeclaration: {
      const n = node as TS.MethodDeclaration;
      return f.updateMethodDeclaration(n, n.modifiers, n.asteriskToken, name as TS.PropertyName, n.questionToken, n.typeParameters, params, n.type, body as TS.Block);
    }
    case ts.SyntaxKind.Constructor: {
      const n = node as TS.ConstructorDeclaration;
      return f.updateConstructorDeclaration(n, n.modifiers, params, body as TS.Block);
    }
    case ts.SyntaxKind.GetAccessor: {
      const n = node as TS.GetAccessorDeclaration;
      return f.updateGetAccessorDeclaration(n, n.modifiers, name as TS.PropertyName, params, n.type, body as TS.Block);
    }
    case ts.SyntaxKind.SetAccessor: {
      const n = node as TS.SetAccessorDeclaration;
      return f.updateSetAccessorDeclaration(n, n.modifiers, name as TS.PropertyName, params, body as TS.Block);
    }
  }
  return node;
}

/** Classes: heritage, members; field initializers get `fi`, static blocks and field initializers their own temps. */
export function visitClass(I: Visitor, node: TS.ClassDeclaration | TS.ClassExpression): TS.Node {
  const ts = I.ts, c = I.c, f = c.factory;
  const className = c.namer.className(node);
  const heritage = node.heritageClauses?.map((h) => h.token === ts.SyntaxKind.ExtendsKeyword
    ? f.updateHeritageClause(h, h.types.map((t) => f.updateExpressionWithTypeArguments(t, I.visitExpr(t.expression), t.typeArguments)))
    : h);
  const parentFn = c.fn;
  // field initializers and static blocks run once the class is defined, i.e. where it is defined
  const classAlias = c.aliasHere();
  const members = node.members.map((m): TS.ClassElement => {
    if (ts.isPropertyDeclaration(m)) {
      const name = ts.isComputedPropertyName(m.name) ? f.updateComputedPropertyName(m.name, I.visitExpr(m.name.expression)) : m.name;
      if (!m.initializer || m.modifiers?.some((x) => x.kind === ts.SyntaxKind.DeclareKeyword || x.kind === ts.SyntaxKind.AbstractKeyword)) {
        return f.updatePropertyDeclaration(m, m.modifiers, name, m.questionToken ?? m.exclamationToken, m.type, m.initializer);
      }
      const fn: Fn = { kind: 'field', node: m, temps: [], inParams: false, strict: true, asyncOrGen: false, alias: { params: classAlias, body: classAlias } };
      c.frames.set(m, fn);
      c.fn = fn;
      let init: TS.Expression;
      try { init = I.visitExpr(m.initializer); } finally { c.fn = parentFn; }
      const key = c.namer.propertyName(m.name);
      if (c.opts.writes && key !== undefined && !ts.isComputedPropertyName(m.name)) {
        init = c.call(Hook.fieldInit, [c.moduleHandle, f.createThis(), c.str(key), c.named(init, m.initializer, key), c.site(m, className)]);
      }
      if (fn.temps.length) {
        init = f.createCallExpression(c.paren(f.createArrowFunction(undefined, undefined, [], undefined, undefined,
          f.createBlock([...tempDeclaration(I, fn.temps), f.createReturnStatement(init)], true))), undefined, []);
      }
      return f.updatePropertyDeclaration(m, m.modifiers, name, m.questionToken ?? m.exclamationToken, m.type, init);
    }
    if (ts.isClassStaticBlockDeclaration(m)) {
      const fn: Fn = { kind: 'static', node: m, temps: [], inParams: false, strict: true, asyncOrGen: false, alias: { params: classAlias, body: classAlias } };
      c.frames.set(m, fn);
      c.fn = fn;
      let stmts: TS.Statement[];
      try { stmts = I.visitStatements(m.body.statements); } finally { c.fn = parentFn; }
      return f.updateClassStaticBlockDeclaration(m, f.updateBlock(m.body, [...tempDeclaration(I, fn.temps), ...stmts]));
    }
    // methods, accessors, constructor: strict because class bodies are
    const saved = c.fn.strict;
    c.fn.strict = true;
    try { return I.visit(m) as TS.ClassElement; } finally { c.fn.strict = saved; }
  });
  if (ts.isClassDeclaration(node)) {
    return f.updateClassDeclaration(node, node.modifiers, node.name, node.typeParameters, heritage, members);
  }
  return f.updateClassExpression(node, node.modifiers, node.name, node.typeParameters, heritage, members);
}
