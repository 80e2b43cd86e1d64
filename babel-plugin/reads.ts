// Reads (SPEC §4.2, §4.5): property reads, shared-binding reads, optional chains, and calls of
// Array/Map/Set methods.
import * as t from '@babel/types';
import { Hook } from '../protocol/hooks';
import { F, VOID0, type Expr, type Node } from './builders';
import type { Ctx, Rewriter } from './context';
import { containerCall as containerShape, COUNTED_METHODS, KEYED_METHODS, READ_METHODS } from './containers';
import { hint, staticKey } from './names';

/**
 * An access's key argument and site (at node `at`, hint `h`): a static key (`a.b`, `a["b"]`,
 * `a[0]`) is part of the site and the hook takes the short form (`rp(f, o, S)` for `rp(f, o, "b", S)`),
 * `key` is then null; any other key is visited here (after the object, as evaluated).
 */
export function access(I: Rewriter, m: t.MemberExpression | t.OptionalMemberExpression, at: Node, h: string, ctx: Ctx): { key: Expr | null; site: t.NumericLiteral } {
  const sk = staticKey(m);
  if (sk !== undefined) return { key: null, site: I.site(at, h, sk) };
  return { key: I.x(m.property as Expr, ctx), site: I.site(at, h) };
}

/** `x`, a read of a shared binding  →  `rv(f, owner, x, S)`. */
export function ident(I: Rewriter, e: t.Identifier, ctx: Ctx): Expr {
  const s = I.scope.shared.get(e);
  if (!s || !I.o.reads) return e;
  const owner = I.owner(s, ctx);
  if (!owner) return e;
  return I.hook(ctx, Hook.readVar, [I.frame(ctx), owner, e, I.site(e, s.name)]);
}

/**
 * A call of an Array/Map/Set method name (SPEC §4.5): `cc(f, t = o, cn(f, t, S), t.m(args), S)`,
 * `o?.m(args)` as `(t = o) == null ? void 0 : cc(f, t, …)`; keyed methods pass their first argument
 * through a temporary (`t.set(k = key, v)`, then `k` last). Null for any other call.
 */
export function containerCall(I: Rewriter, e: t.CallExpression | t.OptionalCallExpression, ctx: Ctx): Expr | null {
  const shape = containerShape(e);
  if (!shape || ctx.noTemps || !(READ_METHODS.has(shape.method) ? I.o.reads : I.o.writes)) return null;
  const { callee, receiver, method } = shape;
  const h = hint(receiver, ctx);
  const obj = I.base(receiver, ctx);
  // A receiver that is `this` or a declared binding read without a hook is evaluated again instead
  // of through a temporary (nothing can run in between): the call keeps its source text, which V8
  // quotes in "o.push is not a function".
  const again = obj === receiver && (receiver.type === 'ThisExpression' || (receiver.type === 'Identifier' && I.scope.bound.has(receiver)));
  const tmp = again ? (receiver as t.Identifier | t.ThisExpression) : I.temp(ctx);
  const args = e.arguments;
  const first = args[0];
  I.args(args, ctx);
  let key: Expr | null = null;
  if (KEYED_METHODS.has(method) && first !== undefined && first.type !== 'SpreadElement' && first.type !== 'ArgumentPlaceholder' && (first.type as string) !== 'JSXNamespacedName') {
    const k = I.temp(ctx);
    args[0] = I.assignTemp(k, args[0] as Expr, first);
    key = k;
  } else if (COUNTED_METHODS.has(method) && !args.some((a) => a.type === 'SpreadElement' || a.type === 'ArgumentPlaceholder')) {
    key = F.numericLiteral(args.length);
  }
  const member = F.memberExpression(F.cloneNode(tmp), callee.property, callee.computed);
  const call = (shape.optionalCall
    ? { type: 'OptionalCallExpression', callee: member, arguments: args, optional: true }
    : { type: 'CallExpression', callee: member, arguments: args }) as t.CallExpression | t.OptionalCallExpression;
  // Type arguments (`o.push<T>(v)`): Babel 7 calls them typeParameters, Babel 8 typeArguments.
  const typed = e as { typeParameters?: unknown; typeArguments?: unknown };
  if (typed.typeParameters) (call as typeof typed).typeParameters = typed.typeParameters;
  if (typed.typeArguments) (call as typeof typed).typeArguments = typed.typeArguments;
  const hook = (recv: Expr) => I.hook(ctx, Hook.containerCall, [I.frame(ctx), recv,
    I.hook(ctx, Hook.containerBefore, [I.frame(ctx), F.cloneNode(tmp), I.site(e, h, method)]), call, I.site(e, h, method), ...(key ? [F.cloneNode(key)] : [])]);
  const receiverFirst = () => (again ? obj : I.assignTemp(tmp as t.Identifier, obj));
  if (!shape.optionalReceiver) return hook(receiverFirst());
  return F.conditionalExpression(F.binaryExpression("==", receiverFirst(), F.nullLiteral()), VOID0(), hook(F.cloneNode(tmp)));
}

/** A member access that is not recorded: only its object and computed key are visited. */
export function plainMember(I: Rewriter, e: t.MemberExpression, ctx: Ctx): Expr {
  if (e.object.type !== 'Super' && e.object.type !== 'MetaProperty') e.object = I.base(e.object, ctx);
  if (e.computed) e.property = I.x(e.property as Expr, ctx);
  return e;
}

/**
 * `a.b`, `a[k]`  →  `rp(f, a, S)`, `rp(f, a, k, S)` (value used) or `rb(…)` (the object of another
 * access); `super.x`  →  `read(f, this, "x", super.x, S)`; `a.#p`  →  `read(f, t = a, "#p", t.#p, S)`.
 */
export function member(I: Rewriter, e: t.MemberExpression, ctx: Ctx, used: boolean): Expr {
  if (e.object.type === 'MetaProperty') return e;
  const f = I.frame(ctx);
  if (e.object.type === 'Super') {
    // super.x: the generic `read` hook with `this` as the object (SPEC §4.2).
    if (used && I.o.reads && !e.computed) {
      return I.hook(ctx, Hook.read, [f, F.thisExpression(), F.stringLiteral((e.property as t.Identifier).name), e, I.site(e, 'super')]);
    }
    return plainMember(I, e, ctx);
  }
  if (e.property.type === 'PrivateName') {
    const h = hint(e.object, ctx);
    const obj = I.base(e.object, ctx);
    if (used && I.o.reads && !ctx.noTemps) {
      const tmp = I.temp(ctx);
      return I.hook(ctx, Hook.read, [f, I.assignTemp(tmp, obj), F.stringLiteral('#' + e.property.id.name), F.memberExpression(F.cloneNode(tmp), e.property), I.site(e, h)]);
    }
    e.object = obj;
    return e;
  }
  if (!I.o.reads && !I.o.writes) return plainMember(I, e, ctx);
  if (used && !I.o.reads) return plainMember(I, e, ctx);
  const h = hint(e.object, ctx);
  const obj = I.base(e.object, ctx);
  const a = access(I, e, e, h, ctx);
  return I.hook(ctx, (used ? Hook.readProperty : Hook.readBase), I.accessArgs(ctx, obj, a.key, a.site));
}

type ChainLink = t.OptionalMemberExpression | t.OptionalCallExpression;

/** Collects the links of an optional chain, innermost first. */
function chainLinks(top: Node): { base: Expr; links: ChainLink[] } {
  const links: ChainLink[] = [];
  let n = top as Expr;
  while (n.type === 'OptionalMemberExpression' || n.type === 'OptionalCallExpression') {
    links.push(n);
    n = n.type === 'OptionalMemberExpression' ? n.object : n.callee;
  }
  links.reverse();
  return { base: n, links };
}

/** A chain that is not lowered: only its base, keys and arguments are instrumented. */
export function rawChain(I: Rewriter, top: Node, ctx: Ctx): void {
  const { base, links } = chainLinks(top);
  const first = links[0]!;
  if (first.type === 'OptionalMemberExpression') first.object = I.base(base, ctx);
  else first.callee = I.callee(base, ctx);
  for (const l of links) {
    if (l.type === 'OptionalMemberExpression') {
      if (l.computed) l.property = I.x(l.property as Expr, ctx);
    } else I.args(l.arguments, ctx);
  }
}

/**
 * `a?.b` -> `(t = a) == null ? undefined : __rw.rp(f, t, "b", loc, "a")`, keeping every
 * short-circuit of the chain (SPEC §4.2). Chains with calls or private names keep their shape.
 */
export function chain(I: Rewriter, top: t.OptionalMemberExpression | t.OptionalCallExpression, ctx: Ctx, used: boolean): Expr {
  const { base, links: all } = chainLinks(top);
  const links = all.filter((l): l is t.OptionalMemberExpression => l.type === 'OptionalMemberExpression' && (l.property.type as string) !== 'PrivateName');
  if (links.length < all.length || (!I.o.reads && !I.o.writes) || ctx.noTemps) {
    rawChain(I, top, ctx);
    return top;
  }
  const hints: string[] = links.map((l) => hint(l.object, ctx));
  const build = (i: number, cur: Expr): Expr => {
    if (i === links.length) return cur;
    const l = links[i]!;
    const step = (o: Expr): Expr => {
      const a = access(I, l, l, hints[i]!, ctx);
      const read = I.hook(ctx, (i === links.length - 1 && used && I.o.reads ? Hook.readProperty : Hook.readBase), I.accessArgs(ctx, o, a.key, a.site));
      return build(i + 1, read);
    };
    if (!l.optional) return step(cur);
    const tmp = I.temp(ctx);
    const test = F.binaryExpression('==', I.assignTemp(tmp, cur), F.nullLiteral());
    return F.conditionalExpression(test, VOID0(), step(F.cloneNode(tmp)));
  };
  return build(0, I.base(base, ctx));
}
