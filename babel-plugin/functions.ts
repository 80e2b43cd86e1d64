// Functions and classes (SPEC §3, §4.4): frames (`enter`/`exit`/`thrown` around every body),
// qualified names, object literals, class members, field initialisers and static blocks.
import * as t from '@babel/types';
import { Hook, RECORDING_FLAG } from '../protocol/hooks';
import { hoistingConflict, qualifiedName, THIS, type BodyDeclarations } from '../protocol/names';
import { functionKind } from '../protocol/sites';
import { F, keepName, type Expr, type Node } from './builders';
import type { ClassInfo, Ctx, Rewriter } from './context';
import { keyName } from './names';
import { adoptFrameBlocks } from './scopes';

/** A function body's declarations as `hoistingConflict` (protocol/names.ts) reads them. */
function bodyDeclarations(stmts: t.Statement[], params: t.Node[]): BodyDeclarations {
  const functions: string[] = [];
  const top = new Set<t.Node>();
  for (let s of stmts) {
    while (s.type === 'LabeledStatement') s = s.body; // sloppy `l: function f() {}` is one too
    if (s.type === 'FunctionDeclaration' && s.id) { top.add(s); functions.push(s.id.name); }
  }
  return {
    functions,
    params: () => params.flatMap((p) => Object.keys(t.getBindingIdentifiers(p))),
    nested(found) {
      let stop = false;
      const visit = (n: Node | null | undefined): void => {
        if (stop || !n || typeof n.type !== 'string') return;
        if (n.type === 'FunctionDeclaration' && n.id && !top.has(n)) { stop = found('function', n.id.name); return; }
        if (t.isFunction(n) || t.isClass(n)) return;
        if (n.type === 'VariableDeclaration' && n.kind === 'var') {
          for (const d of n.declarations) for (const x of Object.keys(t.getBindingIdentifiers(d.id))) if ((stop = found('var', x))) return;
        }
        const record = n as unknown as Record<string, unknown>;
        for (const key of t.VISITOR_KEYS[n.type] ?? []) {
          const v = record[key];
          if (Array.isArray(v)) v.forEach(visit);
          else if (v && typeof v === 'object') visit(v as Node);
        }
      };
      stmts.forEach(visit);
    },
  };
}

/** `{ m() {…}, k: v, ...o }`: methods become functions named `obj.m`, values are named `obj.k`. */
export function object(I: Rewriter, e: t.ObjectExpression, ctx: Ctx, name: string | null): void {
  for (const p of e.properties) {
    if (p.type === 'SpreadElement') {
      p.argument = I.x(p.argument, ctx);
      continue;
    }
    const member = keyName(p.key, p.computed);
    if (p.computed) p.key = I.x(p.key as Expr, ctx);
    const qname = qualifiedName(name, member);
    if (p.type === 'ObjectMethod') {
      fn(I, p, ctx, qname, name ?? THIS);
      continue;
    }
    const before = p.value;
    p.value = I.x(p.value as Expr, ctx, qname);
    if (p.value !== before && p.shorthand) {
      p.shorthand = false;
      // `{ __proto__ }` defines an own property; `__proto__: v` would set the prototype.
      if (!p.computed && p.key.type === 'Identifier' && p.key.name === '__proto__') {
        p.key = F.stringLiteral('__proto__');
        p.computed = true;
      }
    }
  }
}

/**
 * `class C extends B { m() {…}; x = v; static {…} }`: methods get frames (`C.m`), a field initialiser
 * becomes `fi(token, this, "x", v, S)` (isolated with its own temporaries), a static block its own
 * context. Decorators are not instrumented (SPEC §4.4).
 */
export function cls(I: Rewriter, c: t.ClassDeclaration | t.ClassExpression, outer: Ctx, name: string): void {
  if (c.type === 'ClassDeclaration' && c.declare) return;
  I.scope.enter(c);
  const strictOuter = outer.strict ? outer : { ...outer, strict: true };
  // Decorators are not instrumented (SPEC §4.4).
  if (c.superClass) c.superClass = I.x(c.superClass, strictOuter);
  const info: ClassInfo = { name, privates: new Map() };
  for (const m of c.body.body) {
    if (m.type === 'ClassPrivateProperty') info.privates.set(m.key.id.name, 'field');
    else if (m.type === 'ClassPrivateMethod') info.privates.set(m.key.id.name, 'method');
    else if (m.type === 'ClassAccessorProperty' && m.key.type === 'PrivateName') info.privates.set(m.key.id.name, 'method');
  }
  const classes = [...outer.classes, info];
  const memberCtx: Ctx = { ...strictOuter, classes };
  for (const m of c.body.body) {
    if (m.type === 'ClassMethod' || m.type === 'ClassPrivateMethod') {
      if (m.computed) m.key = I.x(m.key as Expr, memberCtx);
      const member = m.kind === 'constructor' ? 'constructor' : keyName(m.key, !!m.computed);
      fn(I, m, { ...memberCtx, thisClass: name }, name + '.' + member);
    } else if (m.type === 'ClassProperty' || m.type === 'ClassPrivateProperty' || m.type === 'ClassAccessorProperty') {
      // A private property has no computed key and is never `declare`d or `abstract`.
      const field = m as t.ClassProperty;
      const computed = !!field.computed;
      if (computed) field.key = I.x(field.key as Expr, memberCtx);
      if (field.declare || field.abstract || !m.value) continue;
      const member = keyName(m.key, computed);
      const fieldCtx = I.newCtx(memberCtx, {
        frame: null,
        parentFrame: null,
        thisClass: name,
        suspendable: false,
        fn: outer.fn,
        noTemps: false,
      });
      const original = m.value;
      let value = I.x(m.value, fieldCtx, name + '.' + member);
      if (!computed && I.o.writes && m.type !== 'ClassAccessorProperty') {
        value = I.hook(fieldCtx, Hook.fieldInit, [I.token(), F.thisExpression(), F.stringLiteral(member), keepName(value, member, original), I.site(m, name)]);
      }
      m.value = isolate(I, value, fieldCtx);
    } else if (m.type === 'StaticBlock') {
      I.scope.enter(m);
      const blockCtx = I.newCtx(memberCtx, { frame: null, parentFrame: null, thisClass: name, suspendable: false, fn: m, noTemps: false });
      I.statements(m.body, blockCtx);
      if (blockCtx.temps.length) m.body.unshift(t.variableDeclaration('var', blockCtx.temps.map((n) => t.variableDeclarator(F.identifier(n)))));
    }
  }
}

/** Gives an expression evaluated outside any function body its own temporaries: `((t1) => e)()`. */
function isolate(I: Rewriter, e: Expr, ctx: Ctx): Expr {
  if (!ctx.temps.length) return e;
  return F.callExpression(t.arrowFunctionExpression(ctx.temps.map((n) => F.identifier(n)), e), []);
}

/** The names a parameter list binds, in order (`enter` passes their values). */
function paramNames(params: Node[]): string[] {
  const out: string[] = [];
  const walk = (p: Node | null) => {
    if (!p) return;
    switch (p.type) {
      case 'Identifier':
        if (p.name !== 'this') out.push(p.name);
        return;
      case 'AssignmentPattern':
        return walk(p.left);
      case 'RestElement':
        return walk(p.argument);
      case 'ObjectPattern':
        for (const prop of p.properties) walk(prop.type === 'RestElement' ? prop.argument : prop.value);
        return;
      case 'ArrayPattern':
        for (const el of p.elements) walk(el);
        return;
      case 'TSParameterProperty':
        return walk(p.parameter);
      default:
        return;
    }
  };
  for (const p of params) walk(p);
  return out;
}

/**
 * `function f(a) { body }`  →  `function f(a) { var f1 = en(parent, S), r1 = f1.r && call(f1, a),
 * …temps; try { body } catch (e) { throw r1 ? thrown(f1, e) : e; } finally { r1 ? exit(f1) : void 0; } }`
 * (SPEC §3). A body whose function
 * declarations would break inside `try` (see `hoistingConflict`) gets no frame, only its rewrite.
 */
export function fn(I: Rewriter, node: t.Function | t.TSDeclareMethod, outer: Ctx, qname: string, objectThis?: string): void {
  // `declare function f(): T;` and overload signatures have no body.
  if (node.type === 'TSDeclareMethod' || (node.type === 'FunctionDeclaration' && node.declare) || !node.body) return;
  const fnode = node;
  I.scope.enter(fnode);
  const depth = outer.depth + 1;
  const frameName = I.P + 'f' + depth;
  const guardName = I.P + 'r' + depth;
  const isArrow = fnode.type === 'ArrowFunctionExpression';
  const body = fnode.body;
  const strict =
    outer.strict || (body.type === 'BlockStatement' && body.directives.some((d) => d.value.value === 'use strict'));
  const kind = functionKind(!!fnode.async, !!fnode.generator);
  const isMethod = fnode.type === 'ClassMethod' || fnode.type === 'ClassPrivateMethod';
  const thisClass = isArrow || isMethod ? outer.thisClass : objectThis ?? null;
  const hidden = new Set(outer.hidden ?? []);
  hidden.add(fnode);
  // Hook aliases (see `hook`) are set by the module token's first run. A body with a frame runs
  // after its `enter`; parameters (which run before it) and a body without a frame are safe where
  // the function is defined, except for a module-level function declaration: it is callable
  // through an import cycle before the module's prologue.
  const alias = outer.alias && !(fnode.type === 'FunctionDeclaration' && outer.fn === null);
  // Parameters are evaluated before the body's frame exists and cannot see its variables.
  const paramCtx: Ctx = {
    ...outer,
    temps: [],
    frame: null,
    parentFrame: null,
    depth,
    strict,
    thisClass,
    hidden,
    suspendable: false,
    fn: fnode,
    noTemps: true,
    alias,
  };
  for (const p of fnode.params) I.bindingPattern(p, paramCtx);
  // Wrapping the body in `try {}` makes its top-level function declarations block-level: a
  // SyntaxError when the body also declares the name with `var`, or (strict) declares it twice.
  // Such functions get no frame (SPEC §4.4, as the transformer does).
  const functions = I.o.functions && !(body.type === 'BlockStatement' && hoistingConflict(bodyDeclarations(body.body, fnode.params), strict));
  const ctx: Ctx = {
    frame: functions ? frameName : null,
    guard: functions ? guardName : null,
    parentFrame: functions ? frameName : null,
    temps: [],
    strict,
    suspendable: !!(fnode.async || fnode.generator) && functions,
    depth,
    thisClass,
    classes: outer.classes,
    hidden: outer.hidden,
    fn: fnode,
    noTemps: false,
    alias: functions || alias,
  };
  if (functions) I.frameOf.set(fnode, frameName);
  let stmts: t.Statement[];
  let directives: t.Directive[] = [];
  if (body.type === 'BlockStatement') {
    I.block(body, ctx);
    stmts = body.body;
    directives = body.directives;
  } else {
    stmts = [F.returnStatement(I.x(body, ctx))];
  }
  if (!functions) {
    const decl = ctx.temps.length ? [F.variableDeclaration('var', ctx.temps.map((n) => F.variableDeclarator(F.identifier(n))))] : [];
    if (body.type === 'BlockStatement') body.body = [...decl, ...stmts];
    else fnode.body = F.blockStatement([...decl, ...stmts]);
    return;
  }
  const line = fnode.loc ? fnode.loc.start.line : 0;
  const names = paramNames(fnode.params);
  const site = I.sites.functionSite(line, qname, kind, names);
  // `enter` goes through the alias where the parameter list may use them (the function cannot run
  // before the module token did); else through the namespace (`enter` is what runs the token then).
  const enter = I.hook(paramCtx, Hook.enterFrame, [
    outer.parentFrame ? F.identifier(outer.parentFrame) : I.token(),
    F.numericLiteral(site),
  ]);
  // `r = f.r && call(f, …params)`: the guard of the body's hook calls, and the FunctionCall event
  // with the parameters' values only where the invocation is recorded (SPEC §3).
  const guard = F.logicalExpression('&&', F.memberExpression(F.identifier(frameName), F.identifier(RECORDING_FLAG)),
    I.call(ctx, Hook.functionCall, [F.identifier(frameName), ...names.map((n) => F.identifier(n))]));
  const decls = [F.variableDeclarator(F.identifier(frameName), enter), F.variableDeclarator(F.identifier(guardName), guard),
    ...ctx.temps.map((n) => F.variableDeclarator(F.identifier(n)))];
  // The original body node becomes the try block: its statements keep the paths Babel has cached
  // for them (see scopes.ts).
  let tryBlock: t.BlockStatement;
  if (body.type === 'BlockStatement') {
    body.directives = [];
    tryBlock = body;
  } else tryBlock = F.blockStatement(stmts);
  // `catch (e) { throw thrown(f, e); }`: an exception leaving the body is recorded and rethrown
  // as the same value (SPEC §3).
  const caught = F.identifier(I.P + 'e');
  const handler = F.catchClause(caught, F.blockStatement([F.throwStatement(I.hook(ctx, Hook.thrown, [F.identifier(frameName), F.identifier(caught.name)]))]));
  const tryStmt = F.tryStatement(tryBlock, handler, F.blockStatement([F.expressionStatement(I.hook(ctx, Hook.exit, [F.identifier(frameName)]))]));
  const wrapped = F.blockStatement([F.variableDeclaration('var', decls), tryStmt], directives);
  fnode.body = wrapped;
  if (isArrow) (fnode as t.ArrowFunctionExpression).expression = false;
  const scope = I.scope.scopeOf(fnode);
  if (scope && scope.block === fnode) adoptFrameBlocks(scope, wrapped, tryStmt);
}
