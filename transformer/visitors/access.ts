/**
 * Reads and writes of shared state: SPEC.md §4.2 and §4.3.
 *
 * Why one module of this size: every source shape of a property or binding access (SPEC §4) is
 * rewritten here, each case headed by its shape, as babel-plugin/reads.ts and writes.ts do for
 * Babel.
 */
import { Hook, strictnessVariant } from '../../protocol/hooks';
import { staticIndex } from '../../protocol/names';
import type * as TS from 'typescript';
import type { Visitor } from '../context';

const COMPOUND: Record<string, string> = {
  PlusEqualsToken: 'PlusToken', MinusEqualsToken: 'MinusToken', AsteriskEqualsToken: 'AsteriskToken',
  AsteriskAsteriskEqualsToken: 'AsteriskAsteriskToken', SlashEqualsToken: 'SlashToken', PercentEqualsToken: 'PercentToken',
  LessThanLessThanEqualsToken: 'LessThanLessThanToken', GreaterThanGreaterThanEqualsToken: 'GreaterThanGreaterThanToken',
  GreaterThanGreaterThanGreaterThanEqualsToken: 'GreaterThanGreaterThanGreaterThanToken', AmpersandEqualsToken: 'AmpersandToken',
  BarEqualsToken: 'BarToken', CaretEqualsToken: 'CaretToken',
};
const LOGICAL: Record<string, string> = {
  AmpersandAmpersandEqualsToken: 'AmpersandAmpersandToken', BarBarEqualsToken: 'BarBarToken',
  QuestionQuestionEqualsToken: 'QuestionQuestionToken',
};

let opNames: Map<TS.SyntaxKind, string> | undefined;
function opName(ts: typeof TS, k: TS.SyntaxKind): string {
  // SyntaxKind has aliases (FirstAssignment...), so map the known token names once
  if (!opNames) {
    opNames = new Map();
    for (const n of Object.keys(COMPOUND).concat(Object.keys(LOGICAL), ['EqualsToken'])) opNames.set((ts.SyntaxKind as any)[n], n);
  }
  return opNames.get(k) ?? '';
}

type Member = TS.PropertyAccessExpression | TS.ElementAccessExpression;

export function isPlainMember(I: Visitor, e: TS.Expression): e is Member {
  const ts = I.ts;
  if (!(ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e))) return false;
  if (ts.isOptionalChain(e)) return false;
  if (e.expression.kind === ts.SyntaxKind.SuperKeyword) return false;
  if (ts.isMetaProperty(e.expression)) return false;
  if (ts.isPropertyAccessExpression(e) && ts.isPrivateIdentifier(e.name)) return false;
  return true;
}

function keyOf(I: Visitor, m: Member): TS.Expression {
  const ts = I.ts;
  return ts.isPropertyAccessExpression(m) ? I.c.str(m.name.text) : I.visitExpr(m.argumentExpression);
}
function isLiteralKey(I: Visitor, k: TS.Expression): boolean {
  return I.ts.isStringLiteral(k) || I.ts.isNumericLiteral(k);
}

/**
 * The static key of a member (SPEC §2: it goes into the access site, not into the hook call): the
 * name of `a.b`, the string of `a["b"]`, the integer of `a[0]`; undefined for any other key.
 */
function staticKey(I: Visitor, m: Member): string | number | undefined {
  const ts = I.ts;
  if (ts.isPropertyAccessExpression(m)) return m.name.text;
  const a = m.argumentExpression;
  if (ts.isStringLiteral(a)) return a.text;
  return ts.isNumericLiteral(a) ? staticIndex(Number(a.text)) : undefined;
}

/**
 * An access's key argument and site (at node `at`, hint of the member's object): a static key is
 * part of the site and the hook takes the short form (`rp(f, o, S)` for `rp(f, o, "b", S)`); `key`
 * is then undefined. Other keys are visited here, in order after the object.
 */
interface Access { key: TS.Expression | undefined; site: TS.NumericLiteral }
function accessOf(I: Visitor, m: Member, at: TS.Node): Access {
  const c = I.c;
  const sk = staticKey(I, m);
  if (sk !== undefined) return { key: undefined, site: c.site(at, c.namer.hint(m.expression), sk) };
  return { key: keyOf(I, m), site: c.site(at, c.namer.hint(m.expression)) };
}
/** Hook arguments `f, obj, [key,] …rest, S`. */
function accessArgs(I: Visitor, obj: TS.Expression, key: TS.Expression | undefined, site: TS.NumericLiteral, ...rest: TS.Expression[]): TS.Expression[] {
  return key === undefined ? [I.c.frame(), obj, ...rest, site] : [I.c.frame(), obj, key, ...rest, site];
}

// ---- reads -------------------------------------------------------------------------------------

/** `a.b` / `a[k]` in value ('value') or object-of-a-member ('base') position. */
export function visitMember(I: Visitor, e: Member, mode: 'value' | 'base'): TS.Expression {
  const ts = I.ts, c = I.c, f = c.factory, o = c.opts;
  if (ts.isOptionalChain(e)) return visitChain(I, e, mode);
  if (e.expression.kind === ts.SyntaxKind.SuperKeyword) {
    if (mode === 'value' && o.reads && ts.isPropertyAccessExpression(e)) {
      return c.call(Hook.read, [c.frame(), f.createThis(), c.str(e.name.text), e, c.site(e, 'super')]);
    }
    return ts.visitEachChild(e, I.visit, c.tctx);
  }
  if (ts.isMetaProperty(e.expression)) return e;
  if (ts.isPropertyAccessExpression(e) && ts.isPrivateIdentifier(e.name)) {
    const obj = I.visitBase(e.expression);
    if (mode === 'value' && o.reads) {
      const t = c.temp();
      if (t) {
        const hint = c.namer.hint(e.expression);
        return c.call(Hook.read, [c.frame(), c.assign(t, obj), c.str(e.name.text), f.createPropertyAccessExpression(t, e.name),
          c.site(e, hint)]);
      }
    }
    return f.updatePropertyAccessExpression(e, obj, e.name);
  }
  const obj = I.visitBase(e.expression);
  if (!(o.reads || o.writes) || (mode === 'value' && !o.reads)) return updateMember(I, e, obj, keyOf(I, e));
  const a = accessOf(I, e, e);
  return c.call((mode === 'value' ? Hook.readProperty : Hook.readBase), accessArgs(I, obj, a.key, a.site));
}

function updateMember(I: Visitor, e: Member, obj: TS.Expression, key: TS.Expression): TS.Expression {
  const ts = I.ts, f = I.c.factory;
  if (ts.isPropertyAccessExpression(e)) return f.updatePropertyAccessExpression(e, obj, e.name);
  return f.updateElementAccessExpression(e, obj, key);
}

/** A member used as an assignment target that is not recorded: visit its parts only. */
export function visitTargetPlain(I: Visitor, e: TS.Expression): TS.Expression {
  const ts = I.ts, f = I.c.factory;
  if (ts.isParenthesizedExpression(e)) return f.updateParenthesizedExpression(e, visitTargetPlain(I, e.expression));
  if (ts.isPropertyAccessExpression(e)) {
    if (ts.isOptionalChain(e)) return visitChainPlain(I, e);
    return f.updatePropertyAccessExpression(e, e.expression.kind === ts.SyntaxKind.SuperKeyword ? e.expression : I.visitBase(e.expression), e.name);
  }
  if (ts.isElementAccessExpression(e)) {
    if (ts.isOptionalChain(e)) return visitChainPlain(I, e);
    return f.updateElementAccessExpression(e, e.expression.kind === ts.SyntaxKind.SuperKeyword ? e.expression : I.visitBase(e.expression), I.visitExpr(e.argumentExpression));
  }
  if (ts.isIdentifier(e)) return e;
  if (ts.isAsExpression(e) || ts.isNonNullExpression(e) || ts.isSatisfiesExpression(e) || ts.isTypeAssertionExpression(e)) {
    return ts.visitEachChild(e, (n) => (ts.isExpression(n) && n === e.expression ? visitTargetPlain(I, n) : n), I.c.tctx);
  }
  return I.visitExpr(e);
}

// ---- optional chains -----------------------------------------------------------------------------

interface Seg { node: Member; optional: boolean }

/** `a?.b.c`, `a?.[k]`: instrumented with the chain's short-circuit kept; chains with calls are kept as is. */
export function visitChain(I: Visitor, e: TS.Expression, mode: 'value' | 'base'): TS.Expression {
  const ts = I.ts, c = I.c, f = c.factory;
  const segs: Seg[] = [];
  let cur: TS.Expression = e;
  while (ts.isOptionalChain(cur)) {
    if (!(ts.isPropertyAccessExpression(cur) || ts.isElementAccessExpression(cur))) return visitChainPlain(I, e);
    if (ts.isPropertyAccessExpression(cur) && ts.isPrivateIdentifier(cur.name)) return visitChainPlain(I, e);
    segs.unshift({ node: cur, optional: !!cur.questionDotToken });
    cur = cur.expression;
  }
  if (!c.opts.reads && !c.opts.writes) return visitChainPlain(I, e);
  if (!c.canTemp()) return visitChainPlain(I, e);
  const root = I.visitBase(cur);
  const build = (i: number, obj: TS.Expression): TS.Expression => {
    if (i === segs.length) return obj;
    const s = segs[i]!;
    const last = i === segs.length - 1;
    const step = (o: TS.Expression): TS.Expression => {
      const a = accessOf(I, s.node, s.node);
      const m = c.call((last && mode === 'value' && c.opts.reads ? Hook.readProperty : Hook.readBase), accessArgs(I, o, a.key, a.site));
      return build(i + 1, m);
    };
    if (!s.optional) return step(obj);
    const t = c.temp()!;
    return c.paren(f.createConditionalExpression(
      f.createBinaryExpression(c.paren(c.assign(t, obj)), ts.SyntaxKind.EqualsEqualsToken, f.createNull()),
      undefined, c.undef(), undefined, step(t)));
  };
  return build(0, root);
}

/** Keeps the chain structure; visits only the root object, element keys and call arguments. */
export function visitChainPlain(I: Visitor, e: TS.Expression): TS.Expression {
  const ts = I.ts, f = I.c.factory;
  const inner = (n: TS.Expression, parentIsCall: boolean): TS.Expression => {
    if (ts.isOptionalChain(n)) return rebuild(n);
    return parentIsCall ? I.visitCallee(n) : I.visitBase(n);
  };
  const rebuild = (n: TS.Expression): TS.Expression => {
    if (ts.isPropertyAccessExpression(n)) return f.updatePropertyAccessChain(n as TS.PropertyAccessChain, inner(n.expression, false), n.questionDotToken, n.name as TS.MemberName);
    if (ts.isElementAccessExpression(n)) return f.updateElementAccessChain(n as TS.ElementAccessChain, inner(n.expression, false), n.questionDotToken, I.visitExpr(n.argumentExpression));
    if (ts.isCallExpression(n)) return f.updateCallChain(n as TS.CallChain, inner(n.expression, true), n.questionDotToken, n.typeArguments, I.visitExprs(n.arguments));
    if (ts.isNonNullExpression(n)) return f.updateNonNullChain(n as TS.NonNullChain, inner(n.expression, false));
    return I.visitExpr(n);
  };
  return rebuild(e);
}

// ---- shared bindings -------------------------------------------------------------------------------

/** A read of a shared binding: `rv(f, owner, "x", x, loc)`. */
export function visitIdentifier(I: Visitor, id: TS.Identifier): TS.Expression {
  const c = I.c;
  const ref = c.scope.refs.get(id);
  if (!ref || ref.write || !c.opts.reads || !c.scope.isShared(ref, c.opts.instrument)) return id;
  const owner = c.owner(ref.binding);
  if (!owner) return id;
  return c.call(Hook.readVar, [c.frame(), owner, id, c.site(id, id.text)]);
}

function sharedTarget(I: Visitor, id: TS.Identifier): TS.Expression | undefined {
  const c = I.c;
  if (!c.opts.writes) return undefined;
  const ref = c.scope.refs.get(id);
  if (!ref || !c.scope.isShared(ref, c.opts.instrument)) return undefined;
  return c.owner(ref.binding);
}

// ---- assignments --------------------------------------------------------------------------------

export function visitAssignment(I: Visitor, node: TS.BinaryExpression, unused: boolean): TS.Expression {
  const ts = I.ts, c = I.c, f = c.factory;
  const op = opName(ts, node.operatorToken.kind);
  const left = c.namer.skipOuter(node.left);
  if (op === 'EqualsToken' && (ts.isArrayLiteralExpression(left) || ts.isObjectLiteralExpression(left))) {
    return visitDestructuring(I, node, left, unused);
  }
  const plain = () => f.updateBinaryExpression(node, visitTargetPlain(I, node.left), node.operatorToken, I.visitExpr(node.right));

  if (ts.isIdentifier(left)) {
    const owner = sharedTarget(I, left);
    if (!owner) return plain();
    const t = c.temp();
    if (!t) return plain();
    const L = c.site(node, left.text);
    const write = () => c.assign(left, c.call(Hook.writeVar, [c.frame(), owner, c.cloneRef(left), t, L]));
    const read = () => c.opts.reads ? c.call(Hook.readVar, [c.frame(), owner, c.cloneRef(left), L]) : c.cloneRef(left);
    if (op === 'EqualsToken') {
      return c.seq([c.assign(t, c.named(I.visitExpr(node.right), node.right, left.text)), write()]);
    }
    if (COMPOUND[op]) {
      const bin = f.createBinaryExpression(read(), (ts.SyntaxKind as any)[COMPOUND[op]!], I.visitExpr(node.right));
      return c.seq([c.assign(t, bin), write()]);
    }
    if (LOGICAL[op]) {
      const rhs = c.seq([c.assign(t, c.named(I.visitExpr(node.right), node.right, left.text)), write()]);
      return c.paren(f.createBinaryExpression(read(), (ts.SyntaxKind as any)[LOGICAL[op]!], rhs));
    }
    return plain();
  }

  if (ts.isPropertyAccessExpression(left) && ts.isPrivateIdentifier(left.name) && (op === 'EqualsToken' || COMPOUND[op] || LOGICAL[op]) && c.opts.writes) {
    const w = privateWrite(I, node, left as PrivateMember, op);
    if (w) return w;
  }

  if (!isPlainMember(I, left) || !c.opts.writes) return plain();
  const obj = I.visitBase(left.expression);
  if (op !== 'EqualsToken' && !COMPOUND[op] && !LOGICAL[op]) return f.updateBinaryExpression(node, updateMember(I, left, obj, keyOf(I, left)), node.operatorToken, I.visitExpr(node.right));
  const a = accessOf(I, left, node);
  const wp = strictnessVariant(Hook.writeProperty, c.fn.strict);
  if (op === 'EqualsToken') return c.call(wp, accessArgs(I, obj, a.key, a.site, I.visitExpr(node.right)));
  const to = c.temp();
  if (!to) return f.updateBinaryExpression(node, updateMember(I, left, obj, a.key ?? keyOf(I, left)), node.operatorToken, I.visitExpr(node.right));
  const pre: TS.Expression[] = [c.assign(to, obj)];
  let k = a.key;
  if (k !== undefined && !isLiteralKey(I, k)) { const tk = c.temp()!; pre.push(c.assign(tk, k)); k = tk; }
  const read = () => c.call((c.opts.reads ? Hook.readProperty : Hook.readBase), accessArgs(I, to, k, a.site));
  if (COMPOUND[op]) {
    const bin = f.createBinaryExpression(read(), (ts.SyntaxKind as any)[COMPOUND[op]!], I.visitExpr(node.right));
    return c.seq([...pre, c.call(wp, accessArgs(I, to, k, a.site, bin))]);
  }
  const w = c.call(wp, accessArgs(I, to, k, a.site, I.visitExpr(node.right)));
  return c.seq([...pre, f.createBinaryExpression(read(), (ts.SyntaxKind as any)[LOGICAL[op]!], w)]);
}

type PrivateMember = TS.PropertyAccessExpression & { name: TS.PrivateIdentifier };

/**
 * The parts of a recorded private write `o.#p …` (SPEC §4.4): `first` is the base as the first hook
 * argument (`this`, or `t = o` so the base is evaluated once), `self()` the base afterwards. The
 * old value is read where the program reads it anyway (`op=`, `++`), else behind a brand check;
 * private accessors report `void 0` (reading them would call the getter an extra time).
 * `undefined` where no temporary can be declared (parameter lists): the write stays unrecorded.
 */
function privateParts(I: Visitor, left: PrivateMember, node: TS.Node, temps: number) {
  const ts = I.ts, c = I.c, f = c.factory;
  const isThis = left.expression.kind === ts.SyntaxKind.ThisKeyword;
  if (temps + (isThis ? 0 : 1) > 0 && !c.canTemp()) return undefined;
  const o = isThis ? undefined : c.temp()!;
  const first = o ? c.assign(o, I.visitBase(left.expression)) : f.createThis();
  const self = (): TS.Expression => o ?? f.createThis();
  const name = left.name.text;
  const access = () => f.createPropertyAccessExpression(self(), f.createPrivateIdentifier(name));
  const L = c.site(node, c.namer.hint(left.expression));
  const key = () => c.str(name);
  return {
    isField: I.isPrivateField(left), first, self, access, L, key,
    /** The program's own read of `o.#p` (it throws where the original throws), as a Read. */
    read: () => c.opts.reads
      ? c.call(Hook.read, [c.frame(), first, key(), access(), L])
      : f.createPropertyAccessExpression(o ? c.paren(first) : first, f.createPrivateIdentifier(name)),
    write: (old: TS.Expression, value: TS.Expression, base = self()) =>
      c.call(Hook.write, [c.frame(), base, key(), old, c.assign(access(), value), L]),
  };
}

/**
 * `o.#p = v` / `o.#p op= v`: `write(f, o, "#p", old, o.#p = v, S)`, the read of `op=` first;
 * `o.#p &&= v`: `(r = read(…)) && write(f, o, "#p", r, o.#p = v, S)`, a Write only when it happens.
 */
function privateWrite(I: Visitor, node: TS.BinaryExpression, left: PrivateMember, op: string): TS.Expression | undefined {
  const ts = I.ts, c = I.c, f = c.factory;
  const p = privateParts(I, left, node, COMPOUND[op] || LOGICAL[op] ? 1 : 0);
  if (!p) return undefined;
  if (LOGICAL[op]) {
    const t = c.temp()!;
    const write = p.write(p.isField ? t : c.undef(), I.visitExpr(node.right));
    return c.paren(f.createBinaryExpression(c.paren(c.assign(t, p.read())), (ts.SyntaxKind as any)[LOGICAL[op]!], write));
  }
  if (!COMPOUND[op]) {
    // `#p in o` throws on primitives, where the original evaluates `v` first: isObj guards it.
    const priv = f.createPrivateIdentifier(left.name.text);
    const old = p.isField
      ? f.createConditionalExpression(f.createBinaryExpression(c.call(Hook.isObject, [p.self()]), ts.SyntaxKind.AmpersandAmpersandToken,
        f.createBinaryExpression(priv, ts.SyntaxKind.InKeyword, p.self())), undefined, p.access(), undefined, c.undef())
      : c.undef();
    return p.write(old, I.visitExpr(node.right), p.first);
  }
  const t = c.temp()!;
  const value = f.createBinaryExpression(t, (ts.SyntaxKind as any)[COMPOUND[op]!], I.visitExpr(node.right));
  return c.seq([c.assign(t, p.read()), p.write(p.isField ? t : c.undef(), value)]);
}

// ---- ++ / -- -----------------------------------------------------------------------------------------

export function visitUpdate(I: Visitor, node: TS.PrefixUnaryExpression | TS.PostfixUnaryExpression, unused: boolean): TS.Expression {
  const ts = I.ts, c = I.c, f = c.factory;
  const operand = c.namer.skipOuter(node.operand);
  const prefix = ts.isPrefixUnaryExpression(node) || unused;
  const plain = () => ts.isPrefixUnaryExpression(node)
    ? f.updatePrefixUnaryExpression(node, visitTargetPlain(I, node.operand))
    : f.updatePostfixUnaryExpression(node, visitTargetPlain(I, node.operand));
  const bump = (t: TS.Identifier) => f.createPrefixUnaryExpression(node.operator, t);
  if (ts.isIdentifier(operand)) {
    const owner = sharedTarget(I, operand);
    if (!owner || !c.canTemp()) return plain();
    const t = c.temp()!;
    const L = c.site(node, operand.text);
    const read = c.opts.reads ? c.call(Hook.readVar, [c.frame(), owner, c.cloneRef(operand), L]) : c.cloneRef(operand);
    if (prefix) return c.seq([c.assign(t, read), c.assign(operand, c.call(Hook.writeVar, [c.frame(), owner, t, bump(t), L]))]);
    const r = c.temp()!;
    const newV = c.seq([c.assign(r, f.createPostfixUnaryExpression(t, node.operator)), t]);
    return c.seq([c.assign(t, read), c.assign(operand, c.call(Hook.writeVar, [c.frame(), owner, t, newV, L])), r]);
  }
  if (ts.isPropertyAccessExpression(operand) && ts.isPrivateIdentifier(operand.name) && c.opts.writes) {
    // (t = read(f, o, "#p", o.#p, S), write(f, o, "#p", t, o.#p = ++t, S)); postfix: `(r = t++, t)`, then r
    const p = privateParts(I, operand as PrivateMember, node, prefix ? 1 : 2);
    if (!p) return plain();
    const t = c.temp()!;
    const old = p.isField ? t : c.undef();
    if (prefix) return c.seq([c.assign(t, p.read()), p.write(old, bump(t))]);
    const r = c.temp()!;
    return c.seq([c.assign(t, p.read()), p.write(old, c.seq([c.assign(r, f.createPostfixUnaryExpression(t, node.operator)), t])), r]);
  }
  if (!isPlainMember(I, operand) || !c.opts.writes || !c.canTemp()) return plain();
  const to = c.temp()!;
  const obj = I.visitBase(operand.expression);
  const a = accessOf(I, operand, node);
  const wp = strictnessVariant(Hook.writeProperty, c.fn.strict);
  const pre: TS.Expression[] = [c.assign(to, obj)];
  let k = a.key;
  if (k !== undefined && !isLiteralKey(I, k)) { const tk = c.temp()!; pre.push(c.assign(tk, k)); k = tk; }
  const t = c.temp()!;
  pre.push(c.assign(t, c.call((c.opts.reads ? Hook.readProperty : Hook.readBase), accessArgs(I, to, k, a.site))));
  if (prefix) return c.seq([...pre, c.call(wp, accessArgs(I, to, k, a.site, bump(t)))]);
  const r = c.temp()!;
  return c.seq([...pre, c.assign(r, f.createPostfixUnaryExpression(t, node.operator)), c.call(wp, accessArgs(I, to, k, a.site, t)), r]);
}

// ---- delete ------------------------------------------------------------------------------------------

export function visitDelete(I: Visitor, node: TS.DeleteExpression): TS.Expression {
  const c = I.c, f = c.factory;
  const operand = c.namer.skipOuter(node.expression);
  if (!isPlainMember(I, operand) || !c.opts.writes) return f.updateDeleteExpression(node, visitTargetPlain(I, node.expression));
  const obj = I.visitBase(operand.expression);
  const a = accessOf(I, operand, node);
  return c.call(strictnessVariant(Hook.deleteProperty, c.fn.strict), accessArgs(I, obj, a.key, a.site));
}

// ---- destructuring -------------------------------------------------------------------------------------

interface PostWrite { id: TS.Identifier; owner: TS.Expression; temp: TS.Identifier }

function postWrites(I: Visitor, post: PostWrite[]): TS.Expression[] {
  const c = I.c;
  return post.map((p) => c.assign(p.id, c.call(Hook.writeVar, [c.frame(), p.owner, c.cloneRef(p.id), p.temp, c.site(p.id, p.id.text)])));
}

export function visitDestructuring(I: Visitor, node: TS.BinaryExpression, _pattern: TS.Expression, unused: boolean): TS.Expression {
  const c = I.c, f = c.factory;
  const post: PostWrite[] = [];
  const pattern = visitPatternTarget(I, node.left, post);
  const right = I.visitExpr(node.right);
  const assign = f.updateBinaryExpression(node, pattern, node.operatorToken, right);
  if (!post.length) return assign;
  if (unused) return c.seq([assign, ...postWrites(I, post)]);
  const r = c.temp()!;
  return c.seq([c.assign(r, assign), ...postWrites(I, post), r]);
}

/** Instruments a destructuring target; returns the new target. Shared identifiers become `bindingTarget`s. */
export function visitPatternTarget(I: Visitor, e: TS.Expression, post: PostWrite[], defaultName?: { set(n: string): void }): TS.Expression {
  const ts = I.ts, c = I.c, f = c.factory;
  const inner = c.namer.skipOuter(e);
  if (ts.isArrayLiteralExpression(inner)) {
    return f.updateArrayLiteralExpression(inner, inner.elements.map((el) => visitPatternElement(I, el, post)));
  }
  if (ts.isObjectLiteralExpression(inner)) {
    return f.updateObjectLiteralExpression(inner, inner.properties.map((p) => {
      if (ts.isPropertyAssignment(p)) {
        const name = ts.isComputedPropertyName(p.name) ? f.updateComputedPropertyName(p.name, I.visitExpr(p.name.expression)) : p.name;
        return f.updatePropertyAssignment(p, name, visitPatternElement(I, p.initializer, post));
      }
      if (ts.isShorthandPropertyAssignment(p)) {
        const ref = c.scope.shorthandRefs.get(p);
        const owner = ref && c.opts.writes && c.scope.isShared(ref, c.opts.instrument) && c.canTemp() && p.name.text !== 'arguments' ? c.owner(ref.binding) : undefined;
        if (owner) {
          const init = p.objectAssignmentInitializer;
          const t = bindingTarget(I, p.name, owner);
          const target = init ? c.assign(t, c.named(I.visitExpr(init), init, p.name.text)) : t;
          return f.createPropertyAssignment(f.createIdentifier(p.name.text), target);
        }
        return p.objectAssignmentInitializer
          ? f.updateShorthandPropertyAssignment(p, p.name, I.visitExpr(p.objectAssignmentInitializer))
          : p;
      }
      if (ts.isSpreadAssignment(p)) return f.updateSpreadAssignment(p, visitPatternTarget(I, p.expression, post));
      return p;
    }));
  }
  if (ts.isIdentifier(inner)) {
    const owner = c.canTemp() && inner.text !== 'arguments' ? sharedTarget(I, inner) : undefined;
    if (owner) { defaultName?.set(inner.text); return bindingTarget(I, inner, owner); }
    return e;
  }
  if (isPlainMember(I, inner) && c.opts.writes) {
    const obj = I.visitBase(inner.expression);
    const a = accessOf(I, inner, inner);
    const tp = c.call(strictnessVariant(Hook.targetProperty, c.fn.strict), accessArgs(I, obj, a.key, a.site));
    return f.createPropertyAccessExpression(tp, 'v');
  }
  return visitTargetPlain(I, e);
}

function visitPatternElement(I: Visitor, el: TS.Expression, post: PostWrite[]): TS.Expression {
  const ts = I.ts, c = I.c, f = c.factory;
  if (ts.isOmittedExpression(el)) return el;
  if (ts.isSpreadElement(el)) return f.updateSpreadElement(el, visitPatternTarget(I, el.expression, post));
  if (ts.isBinaryExpression(el) && el.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
    let renamed: string | undefined;
    const target = visitPatternTarget(I, el.left, post, { set: (n) => { renamed = n; } });
    let value = I.visitExpr(el.right);
    if (renamed !== undefined) value = c.named(value, el.right, renamed);
    return f.updateBinaryExpression(el, target, el.operatorToken, value);
  }
  return visitPatternTarget(I, el, post);
}

/**
 * A shared binding as a destructuring target: `({ set v(t) { x = wv(f, owner, x, t, S); } }).v`, so
 * the binding is written at the moment the original writes it: later targets, defaults and getters
 * of the same pattern see the new value, and a throw later in the pattern leaves it written.
 */
function bindingTarget(I: Visitor, id: TS.Identifier, owner: TS.Expression): TS.Expression {
  const c = I.c, f = c.factory;
  const v = c.newName('t');
  const write = c.assign(c.cloneRef(id), c.call(Hook.writeVar, [c.frame(), owner, c.cloneRef(id), v, c.site(id, id.text)]));
  const setter = f.createSetAccessorDeclaration(undefined, 'v', [f.createParameterDeclaration(undefined, undefined, v)], f.createBlock([f.createExpressionStatement(write)]));
  return f.createPropertyAccessExpression(c.paren(f.createObjectLiteralExpression([setter])), 'v');
}

/** `for (TARGET of xs)` with an expression target: returns the new target and statements to run first in the body. */
export function visitForTarget(I: Visitor, init: TS.Expression): { target: TS.Expression; prelude: TS.Statement[] } {
  const post: PostWrite[] = [];
  const c = I.c, ts = I.ts;
  // `for (x of xs)`: a temporary, and `x = wv(…)` first thing in the body (nothing runs in between).
  const id = c.namer.skipOuter(init);
  if (ts.isIdentifier(id)) {
    const owner = sharedTarget(I, id);
    const t = owner ? c.temp() : undefined;
    if (owner && t) post.push({ id, owner, temp: t });
    return { target: owner && t ? t : init, prelude: postWrites(I, post).map((e) => c.factory.createExpressionStatement(e)) };
  }
  const target = visitPatternTarget(I, init, post);
  return { target, prelude: postWrites(I, post).map((e) => I.c.factory.createExpressionStatement(e)) };
}
