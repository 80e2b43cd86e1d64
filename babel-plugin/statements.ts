// Statements (SPEC §3, §4): the Babel front end's statement dispatch, loops' block handles, and
// binding patterns of declarations. Each case rewrites its parts in place.
import * as t from '@babel/types';
import { Hook } from '../protocol/hooks';
import { ANONYMOUS } from '../protocol/names';
import { F, nameOf, type Expr, type Node } from './builders';
import type { Ctx, PostWrite, Rewriter } from './context';

/** A statement list, in place; a for-await loop (labelled or not) is followed by `at(f);`. */
export function statements(I: Rewriter, list: t.Statement[], ctx: Ctx): t.Statement[] {
  for (let i = 0; i < list.length; i++) {
    const s = list[i]!;
    list[i] = stmt(I, s, ctx);
    const after = I.afterLoop(s, ctx);
    if (after) list.splice(++i, 0, after);
  }
  return list;
}

/** A statement in a single-statement position (if/loop bodies). */
function single(I: Rewriter, s: t.Statement, ctx: Ctx): t.Statement {
  const r = stmt(I, s, ctx);
  const after = I.afterLoop(s, ctx);
  return after ? t.blockStatement([r, after]) : r;
}

/** A statement, rewritten in place (the same node is returned). */
export function stmt(I: Rewriter, s: t.Statement, ctx: Ctx): t.Statement {
  switch (s.type) {
    case 'ExpressionStatement':
      // e;
      s.expression = I.x(s.expression, ctx);
      return s;
    case 'VariableDeclaration':
      // let x = v, { a = d } = o;  (initialisers and defaults; an initialiser names the function it defines)
      varDecl(I, s, ctx);
      return s;
    case 'FunctionDeclaration':
      // function f() {…}
      I.fn(s, ctx, s.id ? nameOf(s.id) : ANONYMOUS);
      return s;
    case 'ClassDeclaration':
      // class C {…}
      I.cls(s, ctx, s.id ? nameOf(s.id) : ANONYMOUS);
      return s;
    // return v;  throw v;
    case 'ReturnStatement':
    case 'ThrowStatement':
      if (s.argument) s.argument = I.x(s.argument, ctx);
      return s;
    case 'IfStatement':
      // if (c) s1 else s2
      s.test = I.x(s.test, ctx);
      s.consequent = single(I, s.consequent, ctx);
      if (s.alternate) s.alternate = single(I, s.alternate, ctx);
      return s;
    case 'BlockStatement':
      // { … }: a loop body owning captured bindings starts with `const b = blk(f)`
      block(I, s, ctx);
      return s;
    // while (c) s;  do s while (c);
    case 'WhileStatement':
    case 'DoWhileStatement':
      s.test = I.x(s.test, ctx);
      s.body = single(I, s.body, ctx);
      return s;
    case 'ForStatement':
      // for (init; test; update) s
      I.scope.enter(s);
      if (s.init) s.init = s.init.type === 'VariableDeclaration' ? (varDecl(I, s.init, ctx), s.init) : I.x(s.init, ctx);
      if (s.test) s.test = I.x(s.test, ctx);
      if (s.update) s.update = I.x(s.update, ctx);
      s.body = single(I, s.body, ctx);
      return s;
    // for (x of xs) s  →  for (t of xs) { x = wv(f, owner, x, t, S); s }
    // for await (x of xs) s  →  for await (x of forAwait(f, xs, S)) { at(f); s } at(f);
    case 'ForInStatement':
    case 'ForOfStatement': {
      I.scope.enter(s);
      const post: PostWrite[] = [];
      if (s.left.type === 'VariableDeclaration') varDecl(I, s.left, ctx);
      else s.left = I.assignTarget(s.left, ctx, post) as t.ForOfStatement['left'];
      s.right = I.x(s.right, ctx);
      if (s.type === 'ForOfStatement' && s.await && I.o.awaits) {
        s.right = I.hook(ctx, Hook.forAwait, [I.frame(ctx), s.right, I.site(s)]);
      }
      s.body = single(I, s.body, ctx);
      // Shared bindings as loop targets are written back first thing in the body; a `for await`
      // body starts with `__rw.at(f)` (SPEC §3).
      const pre: t.Statement[] = I.postWrites(post, ctx).map((x) => t.expressionStatement(x));
      const at = I.forAwaitAt(s, ctx);
      if (at) pre.unshift(at);
      if (pre.length) {
        s.body = s.body.type === 'BlockStatement' ? (s.body.body.unshift(...pre), s.body) : t.blockStatement([...pre, s.body]);
      }
      return s;
    }
    case 'LabeledStatement':
      // l: s
      s.body = single(I, s.body, ctx);
      return s;
    case 'SwitchStatement':
      // switch (d) { case v: … }
      I.scope.enter(s);
      s.discriminant = I.x(s.discriminant, ctx);
      for (const c of s.cases) {
        if (c.test) c.test = I.x(c.test, ctx);
        statements(I, c.consequent, ctx);
      }
      return s;
    case 'TryStatement':
      // try {…} catch (e) { at(f); … } finally { at(f); … }  (`at` in async functions and generators)
      block(I, s.block, ctx);
      if (s.handler) {
        I.scope.enter(s.handler);
        if (s.handler.param) bindingPattern(I, s.handler.param, ctx);
        block(I, s.handler.body, ctx);
        I.atResume(s.handler.body, ctx);
      }
      if (s.finalizer) {
        block(I, s.finalizer, ctx);
        I.atResume(s.finalizer, ctx);
      }
      return s;
    case 'WithStatement':
      // Names inside `with` resolve through the object (a Proxy sees a `has` trap for each one):
      // the body stays as written, hook calls there would look up `__rw_*` names through it.
      s.object = I.x(s.object, ctx);
      return s;
    case 'ExportNamedDeclaration':
      // export let x = v;  export function f() {…}
      if (s.declaration) s.declaration = stmt(I, s.declaration, ctx) as t.Declaration;
      return s;
    case 'ExportDefaultDeclaration': {
      // export default function () {…} / class {…} / v
      const d = s.declaration;
      if (d.type === 'FunctionDeclaration') I.fn(d, ctx, d.id ? nameOf(d.id) : ANONYMOUS);
      else if (d.type === 'ClassDeclaration') I.cls(d, ctx, d.id ? nameOf(d.id) : ANONYMOUS);
      else if (t.isExpression(d)) s.declaration = I.x(d, ctx);
      return s;
    }
    case 'TSExportAssignment':
      // export = v
      s.expression = I.x(s.expression, ctx);
      return s;
    default:
      // Imports, empty/debugger/break/continue, TS declarations, enums and namespaces.
      return s;
  }
}

/** `{ … }`: its statements; a loop body that owns captured bindings gets `const b = blk(f)` first. */
export function block(I: Rewriter, b: t.BlockStatement, ctx: Ctx): void {
  I.scope.enter(b);
  statements(I, b.body, ctx);
  const h = I.scope.blockHandles.get(b);
  if (h) {
    b.body.unshift(t.variableDeclaration('const', [t.variableDeclarator(F.identifier(h), I.hook(ctx, Hook.block, [I.frame(ctx)]))]));
  }
}

/** `let x = v, …`: each declarator's pattern and initialiser; `declare` ones are types only. */
function varDecl(I: Rewriter, d: t.VariableDeclaration, ctx: Ctx): void {
  if (d.declare) return;
  for (const decl of d.declarations) {
    bindingPattern(I, decl.id, ctx);
    if (decl.init) {
      const name = decl.id.type === 'Identifier' ? nameOf(decl.id) : null;
      decl.init = I.x(decl.init, ctx, name);
    }
  }
}

/** Declarations, parameters, catch params: only defaults and computed keys are expressions. */
export function bindingPattern(I: Rewriter, p: Node, ctx: Ctx): void {
  switch (p.type) {
    case 'ObjectPattern':
      for (const prop of p.properties) {
        if (prop.type === 'RestElement') bindingPattern(I, prop.argument, ctx);
        else {
          if (prop.computed) prop.key = I.x(prop.key as Expr, ctx);
          bindingPattern(I, prop.value, ctx);
        }
      }
      return;
    case 'ArrayPattern':
      for (const el of p.elements) if (el) bindingPattern(I, el, ctx);
      return;
    case 'AssignmentPattern':
      bindingPattern(I, p.left, ctx);
      p.right = I.x(p.right, ctx);
      return;
    case 'RestElement':
      bindingPattern(I, p.argument, ctx);
      return;
    case 'TSParameterProperty':
      bindingPattern(I, p.parameter, ctx);
      return;
    default:
      return;
  }
}
