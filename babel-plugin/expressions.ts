// Expressions (SPEC §4): the Babel front end's expression dispatch, by the role an expression has:
// a value (`x`), the object of a member access (`base`), a callee, call arguments, JSX children.
import { ANONYMOUS } from '../protocol/names';
import type * as t from '@babel/types';
import { nameOf, unwrap, type Expr, type Wrapper } from './builders';
import type { Ctx, Rewriter } from './context';
import { visitAwait, visitYield } from './suspend';

/** An expression whose value is used. `name` is the name a function/object literal here takes. */
export function x(I: Rewriter, e: Expr, ctx: Ctx, name: string | null = null): Expr {
  switch (e.type) {
    case 'Identifier':
      // x (a shared binding)  →  rv(f, owner, x, S)
      return I.ident(e, ctx);
    case 'MemberExpression':
      // a.b, a[k]  →  rp(f, a, S), rp(f, a, k, S)
      return I.member(e, ctx, true);
    case 'OptionalMemberExpression':
      // a?.b  →  (t = a) == null ? void 0 : rp(f, t, S)
      return I.chain(e, ctx, true);
    case 'OptionalCallExpression':
      // o?.push(v)  →  (t = o) == null ? void 0 : cc(f, t, cn(f, t, S), t.push(v), S, 1); other calls keep their shape
      return I.containerCall(e, ctx) ?? I.chain(e, ctx, true);
    case 'CallExpression':
    case 'NewExpression':
      // o.push(v)  →  cc(f, t = o, cn(f, t, S), t.push(v), S, 1); g(a), new C(a): the callee's object and the arguments
      if (e.type === 'CallExpression') {
        const c = I.containerCall(e, ctx);
        if (c) return c;
      }
      if (e.callee.type !== 'V8IntrinsicIdentifier') e.callee = callee(I, e.callee as Expr, ctx);
      args(I, e.arguments, ctx);
      return e;
    case 'TaggedTemplateExpression':
      // tag`…${v}`: the tag as a callee, the substitutions as values
      e.tag = callee(I, e.tag, ctx);
      e.quasi.expressions = e.quasi.expressions.map((q) => x(I, q as Expr, ctx));
      return e;
    case 'AssignmentExpression':
      // x = v  →  (t = v, x = wv(f, owner, x, t, S)); a.b = v  →  wp(f, a, v, S); see writes.ts
      return I.assign(e, ctx);
    case 'UpdateExpression':
      // x++, a.b++  →  a read and a write of the same site; see writes.ts
      return I.update(e, ctx);
    case 'UnaryExpression':
      // delete a.b  →  dp(f, a, S)
      return I.unary(e, ctx);
    case 'AwaitExpression':
      // await v  →  resume(f, await suspend(f, v, S))
      return visitAwait(I, e, x(I, e.argument, ctx), ctx);
    case 'YieldExpression':
      // yield v  →  yieldIn(f, yield yieldOut(f, v))
      return visitYield(I, e, e.argument ? x(I, e.argument, ctx) : null, ctx);
    case 'FunctionExpression':
      // function () {…}: a frame around its body, named by where it is defined; see functions.ts
      I.fn(e, ctx, e.id ? nameOf(e.id) : name ?? ANONYMOUS);
      return e;
    case 'ArrowFunctionExpression':
      I.fn(e, ctx, name ?? ANONYMOUS);
      return e;
    case 'ClassExpression':
      // class {…}: its methods, field initialisers and static blocks; see functions.ts
      I.cls(e, ctx, e.id ? nameOf(e.id) : name ?? ANONYMOUS);
      return e;
    case 'ObjectExpression':
      // { m() {…}, k: v }: methods named `obj.m`, values named `obj.k`
      I.object(e, ctx, name);
      return e;
    case 'ArrayExpression':
      // [a, ...b]: each element as a value
      e.elements = e.elements.map((el) => (el ? (el.type === 'SpreadElement' ? ((el.argument = x(I, el.argument, ctx)), el) : x(I, el, ctx)) : el));
      return e;
    case 'SequenceExpression':
    // a, b  ·  c ? a : b  ·  a && b  ·  a + b  ·  `${a}`: each operand as a value, in place
      e.expressions = e.expressions.map((q) => x(I, q, ctx));
      return e;
    case 'ConditionalExpression':
      e.test = x(I, e.test, ctx);
      e.consequent = x(I, e.consequent, ctx);
      e.alternate = x(I, e.alternate, ctx);
      return e;
    case 'LogicalExpression':
      e.left = x(I, e.left, ctx);
      e.right = x(I, e.right, ctx);
      return e;
    case 'BinaryExpression':
      if (e.left.type !== 'PrivateName') e.left = x(I, e.left, ctx);
      e.right = x(I, e.right, ctx);
      return e;
    case 'TemplateLiteral':
      e.expressions = e.expressions.map((q) => x(I, q as Expr, ctx));
      return e;
    // (e), e as T, e satisfies T, e!, <T>e, f<T>: what is inside, keeping the wrapper and the name it gives
    case 'ParenthesizedExpression':
    case 'TSAsExpression':
    case 'TSSatisfiesExpression':
    case 'TSNonNullExpression':
    case 'TSTypeAssertion':
    case 'TSInstantiationExpression':
      e.expression = x(I, e.expression, ctx, name);
      return e;
    case 'JSXElement':
    case 'JSXFragment':
      // <C a={v}>{w}</C>: attribute values and children as values (tag names stay as written)
      jsx(I, e, ctx);
      return e;
    case 'ImportExpression':
      // import(s, o): the specifier and options as values
      e.source = x(I, e.source, ctx);
      if (e.options) e.options = x(I, e.options, ctx);
      return e;
    default:
      // Literals, this, super, meta properties, regexps, ...: nothing to record.
      return e;
  }
}

/** Call arguments `f(a, ...b)`, each as a value (spread arguments' operands). */
export function args(I: Rewriter, list: t.CallExpression['arguments'], ctx: Ctx): void {
  for (let i = 0; i < list.length; i++) {
    const a = list[i]!;
    if (a.type === 'SpreadElement') a.argument = x(I, a.argument, ctx);
    else if (a.type !== 'ArgumentPlaceholder' && (a.type as string) !== 'JSXNamespacedName') list[i] = x(I, a, ctx);
  }
}

function jsx(I: Rewriter, n: t.JSXElement | t.JSXFragment, ctx: Ctx): void {
  if (n.type === 'JSXElement') {
    for (const a of n.openingElement.attributes) {
      if (a.type === 'JSXSpreadAttribute') a.argument = x(I, a.argument, ctx);
      else if (a.value) {
        if (a.value.type === 'JSXExpressionContainer' && a.value.expression.type !== 'JSXEmptyExpression') a.value.expression = x(I, a.value.expression, ctx);
        else if (a.value.type === 'JSXElement' || a.value.type === 'JSXFragment') jsx(I, a.value, ctx);
      }
    }
  }
  for (const c of n.children) {
    if (c.type === 'JSXExpressionContainer' && c.expression.type !== 'JSXEmptyExpression') c.expression = x(I, c.expression, ctx);
    else if (c.type === 'JSXSpreadChild') c.expression = x(I, c.expression, ctx);
    else if (c.type === 'JSXElement' || c.type === 'JSXFragment') jsx(I, c, ctx);
  }
}

/** An expression used only as the object of a member access: members become `rb` (no event). */
export function base(I: Rewriter, e: Expr, ctx: Ctx): Expr {
  const n = unwrap(e);
  if (n !== e) {
    // Keep the TypeScript wrapper / parentheses, visit what is inside as a base.
    let w = e as Wrapper;
    while (w.expression !== n) w = w.expression as Wrapper;
    w.expression = base(I, n as Expr, ctx);
    return e;
  }
  if (e.type === 'MemberExpression') return I.member(e, ctx, false);
  if (e.type === 'OptionalCallExpression') return I.containerCall(e, ctx) ?? I.chain(e, ctx, false);
  if (e.type === 'OptionalMemberExpression') return I.chain(e, ctx, false);
  return x(I, e, ctx);
}

/** Callees are never rewritten; only their object and computed key are. */
export function callee(I: Rewriter, e: Expr, ctx: Ctx): Expr {
  const n = unwrap(e);
  if (n.type === 'MemberExpression') {
    if (n.object.type === 'MetaProperty') return e;
    if (n.object.type !== 'Super') n.object = base(I, n.object, ctx);
    if (n.computed) n.property = x(I, n.property as Expr, ctx);
    return e;
  }
  if (n.type === 'Identifier' || n.type === 'Super' || n.type === 'Import') return e;
  if (n.type === 'OptionalMemberExpression' || n.type === 'OptionalCallExpression') {
    I.rawChain(n, ctx);
    return e;
  }
  return x(I, e, ctx);
}
