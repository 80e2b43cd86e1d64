// Writes (SPEC §4.3, §4.4): assignments, updates and deletes of properties, private names and
// shared bindings, and destructuring / for-in-of targets.
import * as t from '@babel/types';
import { Hook, strictnessVariant } from '../protocol/hooks';
import { F, VOID0, keepName, nameOf, unwrap, type Expr, type Node } from './builders';
import type { Shared } from './bindings';
import type { Ctx, PostWrite, Rewriter } from './context';
import { hint, targetName } from './names';

/**
 * Destructuring / for-in-of targets: member targets become `__rw.tp(...).v`; shared bindings in a
 * pattern a setter target, a shared binding as the whole for-in/of target a temporary written back
 * with `wv` first thing in the body (`post`), as the transformer does. `top`: the whole target.
 */
export function assignTarget(I: Rewriter, p: Node, ctx: Ctx, post: PostWrite[], rename?: (n: string) => void, top: Node = p): Node {
  const n = unwrap(p);
  switch (n.type) {
    case 'Identifier': {
      const s = I.o.writes ? I.scope.shared.get(n) : undefined;
      const owner = s && !ctx.noTemps && n.name !== 'arguments' ? I.owner(s, ctx) : null;
      if (!s || !owner) return p;
      rename?.(nameOf(n));
      if (p !== top) {
        // Inside a pattern: `({ set v(t) { x = wv(f, owner, x, t, S); } }).v` writes the binding
        // when the original does (later targets, defaults and getters see it; a later throw
        // leaves it written).
        const v = F.identifier(I.P + 'v');
        const write = F.assignmentExpression('=', F.identifier(n.name), I.hook(ctx, Hook.writeVar, [I.frame(ctx), owner, F.identifier(n.name), F.cloneNode(v), I.site(n, s.name)]));
        return F.memberExpression(t.objectExpression([t.objectMethod('set', F.identifier('v'), [v], F.blockStatement([F.expressionStatement(write)]))]), F.identifier('v'));
      }
      // `for (x of xs)`: a temporary, and `x = wv(…)` first thing in the body.
      const tmp = I.temp(ctx);
      post.push({ id: n.name, owner, tmp: tmp.name, site: I.site(n, s.name), s });
      return tmp;
    }
    case 'MemberExpression': {
      if (n.object.type === 'Super' || n.property.type === 'PrivateName' || !I.o.writes || n.object.type === 'MetaProperty') {
        I.plainMember(n, ctx);
        return p;
      }
      const h = hint(n.object, ctx);
      const obj = I.base(n.object, ctx);
      const a = I.access(n, n, h, ctx);
      return F.memberExpression(I.hook(ctx, strictnessVariant(Hook.targetProperty, ctx.strict), I.accessArgs(ctx, obj, a.key, a.site)), F.identifier('v'));
    }
    case 'ObjectPattern':
      for (const prop of n.properties) {
        if (prop.type === 'RestElement') prop.argument = assignTarget(I, prop.argument, ctx, post, undefined, top) as t.RestElement['argument'];
        else {
          if (prop.computed) prop.key = I.x(prop.key as Expr, ctx);
          const before = prop.value;
          prop.value = assignTarget(I, prop.value, ctx, post, undefined, top) as t.PatternLike;
          if (prop.value !== before || (prop.value.type === 'AssignmentPattern' && prop.value.left !== (before as t.AssignmentPattern).left)) prop.shorthand = false;
        }
      }
      return n;
    case 'ArrayPattern':
      n.elements = n.elements.map((el) => (el ? (assignTarget(I, el, ctx, post, undefined, top) as t.PatternLike) : el));
      return n;
    case 'AssignmentPattern': {
      const origLeft = n.left;
      let renamed: string | null = null;
      n.left = assignTarget(I, n.left, ctx, post, (x) => (renamed = x), top) as t.AssignmentPattern['left'];
      const target = unwrap(origLeft);
      const origRight = n.right;
      n.right = I.x(n.right, ctx, targetName(target, ctx));
      if (renamed !== null) n.right = keepName(n.right, renamed, origRight);
      return n;
    }
    case 'RestElement':
      n.argument = assignTarget(I, n.argument, ctx, post, undefined, top) as t.RestElement['argument'];
      return n;
    default:
      return p;
  }
}

/** The write-backs `x = wv(f, owner, x, t, S)` of shared bindings that were loop targets (see `assignTarget`). */
export function postWrites(I: Rewriter, post: PostWrite[], ctx: Ctx): Expr[] {
  return post.map((w) =>
    F.assignmentExpression('=', F.identifier(w.id), I.hook(ctx, Hook.writeVar, [I.frame(ctx), F.cloneNode(w.owner), F.identifier(w.id), F.identifier(w.tmp), w.site])),
  );
}

/**
 * `x = v`, `a.b = v`, `a.#p = v`, `[x, a.b] = v`, and the compound and logical forms (`op=`, `&&=`).
 * A target that is not recorded keeps the assignment as written, its parts visited.
 */
export function assign(I: Rewriter, e: t.AssignmentExpression, ctx: Ctx): Expr {
  const op = e.operator;
  const left = unwrap(e.left);
  const name = targetName(left, ctx);
  if (left.type === 'Identifier') {
    const s = I.o.writes ? I.scope.shared.get(left) : undefined;
    const owner = s && !ctx.noTemps ? I.owner(s, ctx) : null;
    const right = I.x(e.right, ctx, name);
    if (!s || !owner) {
      e.right = right;
      return e;
    }
    return writeVar(I, left, s, owner, op, right, e.right, e, ctx);
  }
  if (left.type === 'MemberExpression') return writeMember(I, e, left, ctx, name);
  if ((left.type === 'ObjectPattern' || left.type === 'ArrayPattern') && op === '=') {
    const post: PostWrite[] = [];
    e.left = assignTarget(I, left, ctx, post) as t.AssignmentExpression['left'];
    e.right = I.x(e.right, ctx);
    if (!post.length) return e;
    const r = I.temp(ctx);
    return F.sequenceExpression([F.assignmentExpression('=', F.cloneNode(r), e), ...postWrites(I, post, ctx), F.cloneNode(r)]);
  }
  e.right = I.x(e.right, ctx, name);
  return e;
}

/** `x = v`, `x op= v` on a shared binding (SPEC §4.3). */
function writeVar(I: Rewriter, id: t.Identifier, s: Shared, owner: Expr, op: string, right: Expr, origRight: Node, at: Node, ctx: Ctx): Expr {
  const f = () => I.frame(ctx);
  const ow = () => F.cloneNode(owner);
  const target = () => F.identifier(id.name);
  const site = I.site(at, s.name);
  const tmp = I.temp(ctx);
  const wv = () => F.assignmentExpression('=', id, I.hook(ctx, Hook.writeVar, [f(), ow(), target(), F.cloneNode(tmp), F.cloneNode(site)]));
  // Compound and logical forms record a Read first (part of the reads family).
  const rv = () => (I.o.reads ? I.hook(ctx, Hook.readVar, [f(), ow(), target(), F.cloneNode(site)]) : target());
  if (op === '=') {
    // (t = v, x = __rw.wv(f, owner, "x", x, t, loc)): the old value is read after v is evaluated.
    return F.sequenceExpression([F.assignmentExpression('=', F.cloneNode(tmp), keepName(right, nameOf(id), origRight)), wv()]);
  }
  if (op === '&&=' || op === '||=' || op === '??=') {
    const lop = op.slice(0, -1) as '&&' | '||' | '??';
    return F.logicalExpression(lop, rv(), F.sequenceExpression([F.assignmentExpression('=', F.cloneNode(tmp), keepName(right, nameOf(id), origRight)), wv()]));
  }
  const bop = op.slice(0, -1) as t.BinaryExpression['operator'];
  return F.sequenceExpression([F.assignmentExpression('=', F.cloneNode(tmp), F.binaryExpression(bop, rv(), right)), wv()]);
}

/**
 * `a.b = v`  →  `wp(f, a, v, S)` (`wpSloppy` in sloppy code); `a[k] op= v`  →  `(t = a, k1 = k,
 * wp(f, t, k1, rp(f, t, k1, S) op v, S))`; `a.b &&= v`  →  `(t = a, rp(f, t, S) && wp(f, t, v, S))`.
 */
function writeMember(I: Rewriter, e: t.AssignmentExpression, left: t.MemberExpression, ctx: Ctx, name: string | null): Expr {
  const op = e.operator;
  if (left.property.type === 'PrivateName' && I.o.writes) {
    const w = writePrivate(I, e, left, ctx);
    if (w) return w;
  }
  const plain = () => {
    I.plainMember(left, ctx);
    e.left = left;
    e.right = I.x(e.right, ctx, name);
    return e;
  };
  if (left.object.type === 'Super' || left.object.type === 'MetaProperty' || left.property.type === 'PrivateName' || !I.o.writes) return plain();
  const h = hint(left.object, ctx);
  if (op === '=') {
    const obj = I.base(left.object, ctx);
    const a = I.access(left, e, h, ctx);
    return I.hook(ctx, strictnessVariant(Hook.writeProperty, ctx.strict), I.accessArgs(ctx, obj, a.key, a.site, I.x(e.right, ctx, name)));
  }
  if (ctx.noTemps) return plain();
  const obj = I.base(left.object, ctx);
  const a = I.access(left, e, h, ctx);
  const { seq, read, write } = propertySlot(I, I.temp(ctx), obj, a, ctx);
  const right = I.x(e.right, ctx, name);
  if (op === '&&=' || op === '||=' || op === '??=') seq.push(F.logicalExpression(op.slice(0, -1) as t.LogicalExpression['operator'], read(), write(right)));
  else seq.push(write(F.binaryExpression(op.slice(0, -1) as t.BinaryExpression['operator'], read(), right)));
  return F.sequenceExpression(seq);
}

/**
 * A property read and then written through one site (`a[k] op= v`, `a[k]++`): `seq` starts with
 * `t = a` (and `k1 = k` for a key that is not a literal), so each is evaluated once; `read()` is
 * `rp(f, t, k1, S)` (`rb` without reads), `write(v)` is `wp(f, t, k1, v, S)`.
 */
function propertySlot(I: Rewriter, to: t.Identifier, obj: Expr, a: { key: Expr | null; site: t.NumericLiteral }, ctx: Ctx) {
  const seq: Expr[] = [I.assignTemp(to, obj)];
  let k: Expr | null = a.key;
  if (k !== null && k.type !== 'StringLiteral' && k.type !== 'NumericLiteral') {
    const tk = I.temp(ctx);
    seq.push(I.assignTemp(tk, k));
    k = tk;
  }
  const key = () => (k === null ? null : F.cloneNode(k));
  return {
    seq,
    read: () => I.hook(ctx, (I.o.reads ? Hook.readProperty : Hook.readBase), I.accessArgs(ctx, F.cloneNode(to), key(), F.cloneNode(a.site))),
    write: (v: Expr) => I.hook(ctx, strictnessVariant(Hook.writeProperty, ctx.strict), I.accessArgs(ctx, F.cloneNode(to), key(), F.cloneNode(a.site), v)),
  };
}

/** Whether `#name` is a field of an enclosing class (else a method or accessor, or unknown). */
function privateKind(ctx: Ctx, name: string): 'field' | 'method' {
  for (let i = ctx.classes.length - 1; i >= 0; i--) {
    const k = ctx.classes[i]!.privates.get(name);
    if (k) return k;
  }
  return 'method';
}

/**
 * The parts of a recorded private write `o.#p …` (SPEC §4.4): `first` is the base as the first
 * hook argument (`this`, or `t = o` so the base is evaluated once), `self()` the base afterwards.
 * The old value is read where the program reads it anyway (`op=`, `++`), else behind a brand
 * check; private accessors report `void 0` (reading them would call the getter an extra time).
 * null where no temporary can be declared (parameter lists): the write stays unrecorded.
 */
function privateParts(I: Rewriter, left: t.MemberExpression, at: Node, ctx: Ctx, temps: number) {
  const priv = left.property as t.PrivateName;
  const isThis = left.object.type === 'ThisExpression';
  if (temps + (isThis ? 0 : 1) > 0 && ctx.noTemps) return null;
  const pname = '#' + priv.id.name;
  const site = I.site(at, hint(left.object, ctx));
  const o = isThis ? null : I.temp(ctx);
  const first: Expr = o ? I.assignTemp(o, I.base(left.object as Expr, ctx)) : F.thisExpression();
  const self = (): Expr => (o ? F.cloneNode(o) : F.thisExpression());
  const access = () => F.memberExpression(self(), F.cloneNode(priv));
  const f = () => I.frame(ctx);
  return {
    isField: privateKind(ctx, priv.id.name) === 'field', first, self, access,
    /** The program's own read of `o.#p` (it throws where the original throws), as a Read. */
    read: (): Expr => (I.o.reads
      ? I.hook(ctx, Hook.read, [f(), first, F.stringLiteral(pname), access(), F.cloneNode(site)])
      : F.memberExpression(first, F.cloneNode(priv))),
    write: (old: Expr, value: Expr, base: Expr = self()): Expr =>
      I.hook(ctx, Hook.write, [f(), base, F.stringLiteral(pname), old, F.assignmentExpression('=', access(), value), F.cloneNode(site)]),
  };
}

/**
 * `o.#p = v` / `o.#p op= v` -> `__rw.write(f, o, "#p", old, o.#p = v, loc)`, the read of `op=` first;
 * `o.#p &&= v` -> `(r = __rw.read(…)) && __rw.write(f, o, "#p", r, o.#p = v, loc)`.
 */
function writePrivate(I: Rewriter, e: t.AssignmentExpression, left: t.MemberExpression, ctx: Ctx): Expr | null {
  const p = privateParts(I, left, e, ctx, e.operator === '=' ? 0 : 1);
  if (!p) return null;
  if (e.operator === '&&=' || e.operator === '||=' || e.operator === '??=') {
    const tv = I.temp(ctx);
    const write = p.write(p.isField ? F.cloneNode(tv) : VOID0(), I.x(e.right, ctx));
    return F.logicalExpression(e.operator.slice(0, -1) as '&&' | '||' | '??', F.assignmentExpression('=', F.cloneNode(tv), p.read()), write);
  }
  if (e.operator === '=') {
    // `#p in o` throws on primitives, where the original evaluates `v` first: isObj guards it.
    const priv = left.property as t.PrivateName;
    const old = p.isField
      ? F.conditionalExpression(F.logicalExpression('&&', I.hook(ctx, Hook.isObject, [p.self()]), F.binaryExpression('in', F.cloneNode(priv), p.self())), p.access(), VOID0())
      : VOID0();
    return p.write(old, I.x(e.right, ctx), p.first);
  }
  const tv = I.temp(ctx);
  const value = F.binaryExpression(e.operator.slice(0, -1) as t.BinaryExpression['operator'], F.cloneNode(tv), I.x(e.right, ctx));
  return F.sequenceExpression([F.assignmentExpression('=', F.cloneNode(tv), p.read()), p.write(p.isField ? F.cloneNode(tv) : VOID0(), value)]);
}

/**
 * `++x`, `x++` on a shared binding  →  `(t = rv(f, o, x, S), x = wv(f, o, t, ++t, S))` (postfix keeps
 * the old value); `a.b++`, `a.#p++`  →  the read and the write of that site around the same update.
 */
export function update(I: Rewriter, e: t.UpdateExpression, ctx: Ctx): Expr {
  const arg = unwrap(e.argument);
  const f = () => I.frame(ctx);
  const bump = (id: t.Identifier) => F.updateExpression(e.operator, F.cloneNode(id), true);
  const post = (id: t.Identifier) => F.updateExpression(e.operator, F.cloneNode(id), false);
  if (arg.type === 'Identifier') {
    const s = I.o.writes ? I.scope.shared.get(arg) : undefined;
    const owner = s && !ctx.noTemps ? I.owner(s, ctx) : null;
    if (!s || !owner) return e;
    const tv = I.temp(ctx);
    const loc = I.site(e, s.name);
    const read = I.o.reads ? I.hook(ctx, Hook.readVar, [f(), F.cloneNode(owner), F.identifier(arg.name), F.cloneNode(loc)]) : F.identifier(arg.name);
    if (e.prefix) {
      // ++x -> (t = rv(..), x = wv(f, o, "x", t, ++t, loc))
      return F.sequenceExpression([
        F.assignmentExpression('=', F.cloneNode(tv), read),
        F.assignmentExpression('=', arg, I.hook(ctx, Hook.writeVar, [f(), F.cloneNode(owner), F.cloneNode(tv), bump(tv), F.cloneNode(loc)])),
      ]);
    }
    // x++ -> (t = rv(..), x = wv(f, o, "x", t, (r = t++, t), loc), r): the value is ToNumeric(old).
    const tr = I.temp(ctx);
    return F.sequenceExpression([
      F.assignmentExpression('=', F.cloneNode(tv), read),
      F.assignmentExpression('=', arg, I.hook(ctx, Hook.writeVar, [f(), F.cloneNode(owner), F.cloneNode(tv), F.sequenceExpression([F.assignmentExpression('=', F.cloneNode(tr), post(tv)), F.cloneNode(tv)]), F.cloneNode(loc)])),
      F.cloneNode(tr),
    ]);
  }
  if (arg.type === 'MemberExpression' && arg.property.type === 'PrivateName' && I.o.writes) {
    // (t = read(f, o, "#p", o.#p, S), write(f, o, "#p", t, o.#p = ++t, S)); postfix: `(r = t++, t)`, then r
    const p = privateParts(I, arg, e, ctx, e.prefix ? 1 : 2);
    if (p) {
      const tv = I.temp(ctx);
      const old = () => (p.isField ? F.cloneNode(tv) : VOID0());
      const read = F.assignmentExpression('=', F.cloneNode(tv), p.read());
      if (e.prefix) return F.sequenceExpression([read, p.write(old(), bump(tv))]);
      const tr = I.temp(ctx);
      return F.sequenceExpression([read, p.write(old(), F.sequenceExpression([F.assignmentExpression('=', F.cloneNode(tr), post(tv)), F.cloneNode(tv)])), F.cloneNode(tr)]);
    }
  }
  if (arg.type === 'MemberExpression') {
    if (arg.object.type === 'Super' || arg.object.type === 'MetaProperty' || arg.property.type === 'PrivateName' || !I.o.writes || ctx.noTemps) {
      I.plainMember(arg, ctx);
      return e;
    }
    const h = hint(arg.object, ctx);
    const to = I.temp(ctx);
    const obj = I.base(arg.object, ctx);
    const a = I.access(arg, e, h, ctx);
    const { seq, read, write: wp } = propertySlot(I, to, obj, a, ctx);
    const tv = I.temp(ctx);
    seq.push(F.assignmentExpression('=', F.cloneNode(tv), read()));
    if (e.prefix) {
      seq.push(wp(bump(tv)));
    } else {
      const tr = I.temp(ctx);
      seq.push(F.assignmentExpression('=', F.cloneNode(tr), post(tv)), wp(F.cloneNode(tv)), F.cloneNode(tr));
    }
    return F.sequenceExpression(seq);
  }
  return e;
}

/** `delete a.b`  →  `dp(f, a, S)` (`dpSloppy` in sloppy code); other unary operators: the operand as a value. */
export function unary(I: Rewriter, e: t.UnaryExpression, ctx: Ctx): Expr {
  if (e.operator === 'delete') {
    const arg = unwrap(e.argument);
    if (arg.type === 'MemberExpression') {
      if (arg.object.type === 'Super' || arg.object.type === 'MetaProperty' || arg.property.type === 'PrivateName' || !I.o.writes) {
        I.plainMember(arg, ctx);
        return e;
      }
      const h = hint(arg.object, ctx);
      const obj = I.base(arg.object, ctx);
      const a = I.access(arg, e, h, ctx);
      return I.hook(ctx, strictnessVariant(Hook.deleteProperty, ctx.strict), I.accessArgs(ctx, obj, a.key, a.site));
    }
    if (arg.type === 'OptionalMemberExpression' || arg.type === 'OptionalCallExpression') {
      I.rawChain(arg, ctx);
      return e;
    }
    if (arg.type === 'Identifier') return e;
    e.argument = I.x(e.argument, ctx);
    return e;
  }
  e.argument = I.x(e.argument, ctx);
  return e;
}
