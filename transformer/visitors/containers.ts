/** Calls of Array/Map/Set methods, recorded as accesses of the container: SPEC.md §4.5. */
import { Hook } from '../../protocol/hooks';
import type * as TS from 'typescript';
import type { Visitor } from '../context';

/**
 * Method names whose call sites become container sites (the runtime's `CONTAINER_METHODS`): `get` and
 * `has` are reads (off with `reads: false`), the others writes (off with `writes: false`).
 */
const READ_METHODS = new Set(['get', 'has']);
const WRITE_METHODS = new Set(['push', 'pop', 'shift', 'unshift', 'splice', 'sort', 'reverse', 'fill', 'copyWithin', 'set', 'add', 'delete', 'clear']);
/** Methods whose first argument is the entry they touch: the hook gets it too (a temporary). */
const KEYED_METHODS = new Set(['set', 'get', 'has', 'add', 'delete']);
/**
 * Methods that insert their arguments: without spread arguments the hook gets their number, so it
 * can tell the inserted elements apart even when an argument awaited and other tasks pushed meanwhile.
 */
const COUNTED_METHODS = new Set(['push', 'unshift', 'splice']);

type Callee = TS.PropertyAccessExpression | TS.ElementAccessExpression;

function methodName(ts: typeof TS, callee: Callee): string | undefined {
  if (ts.isPropertyAccessExpression(callee)) return ts.isPrivateIdentifier(callee.name) ? undefined : callee.name.text;
  const k = callee.argumentExpression;
  return ts.isStringLiteral(k) || ts.isNoSubstitutionTemplateLiteral(k) ? k.text : undefined;
}

/**
 * `o.m(args)` → `cc(f, t = o, cn(f, t, S), t.m(args), S)` for a method name of the list; `o?.m(args)`
 * → `(t = o) == null ? void 0 : cc(f, t, cn(f, t, S), t.m(args), S)`; `o.m?.(args)` keeps its `?.()`.
 * Keyed methods pass their first argument through a temporary: `t.set(k = key, v)`, then `k` last.
 * Undefined for any other call (then it is visited as usual).
 */
export function visitContainerCall(I: Visitor, n: TS.CallExpression): TS.Expression | undefined {
  const ts = I.ts, c = I.c, f = c.factory;
  // `(o.push)(x)`, `(o.push as F)(x)` call with `this` = `o` as well; `(o?.push)(x)` does not short-circuit.
  const callee = c.namer.skipOuter(n.expression);
  if (!ts.isPropertyAccessExpression(callee) && !ts.isElementAccessExpression(callee)) return undefined;
  if (callee !== n.expression && ts.isOptionalChain(callee) && !n.questionDotToken) return undefined;
  const name = methodName(ts, callee);
  if (name === undefined || !(READ_METHODS.has(name) ? c.opts.reads : WRITE_METHODS.has(name) && c.opts.writes)) return undefined;
  const recv = callee.expression;
  // `super.push()`, `import.meta.x()`, and calls that continue a longer optional chain (`a?.b.push()`)
  // keep their shape.
  if (recv.kind === ts.SyntaxKind.SuperKeyword || ts.isMetaProperty(recv) || ts.isOptionalChain(recv) || !c.canTemp()) return undefined;
  if (ts.isOptionalChain(callee) && !callee.questionDotToken) return undefined;

  const hint = c.namer.hint(recv);
  const site = () => c.site(n, hint, name);
  const obj = I.visitBase(recv);
  // A receiver that is `this` or a declared binding read without a hook is evaluated again instead
  // of through a temporary (nothing can run in between): the call keeps its source text, which V8
  // quotes in "o.push is not a function".
  const again = plainReceiver(I, recv, obj);
  const t = again ? undefined : c.temp()!;
  const ref = (): TS.Expression => t ?? again!();
  let args = [...I.visitExprs(n.arguments)];
  let key: TS.Expression | undefined;
  const first = n.arguments[0];
  if (KEYED_METHODS.has(name) && first !== undefined && !ts.isSpreadElement(first)) {
    const k = c.temp()!;
    args[0] = c.assign(k, c.named(args[0]!, first, ''));
    key = k;
  } else if (COUNTED_METHODS.has(name) && !n.arguments.some((a) => ts.isSpreadElement(a))) {
    key = c.num(n.arguments.length);
  }
  const member = ts.isPropertyAccessExpression(callee)
    ? f.createPropertyAccessExpression(ref(), callee.name)
    : f.createElementAccessExpression(ref(), callee.argumentExpression);
  const call = n.questionDotToken
    ? f.createCallChain(member, n.questionDotToken, n.typeArguments, args)
    : f.createCallExpression(member, n.typeArguments, args);
  const hook = (receiver: TS.Expression) =>
    c.call(Hook.containerCall, [c.frame(), receiver, c.call(Hook.containerBefore, [c.frame(), ref(), site()]), call, site(), ...(key ? [key] : [])]);
  const first_ = t ? c.assign(t, obj) : obj;
  if (!callee.questionDotToken) return hook(first_);
  return c.paren(f.createConditionalExpression(
    f.createBinaryExpression(c.paren(first_), ts.SyntaxKind.EqualsEqualsToken, f.createNull()),
    undefined, c.undef(), undefined, hook(ref())));
}

/**
 * For a receiver whose evaluation has no effect and always gives the same value here — `this`, or an
 * identifier bound in the file (not an import, which may be a getter) that is read without a hook —
 * a builder of the same expression again; else undefined.
 */
function plainReceiver(I: Visitor, recv: TS.Expression, visited: TS.Expression): (() => TS.Expression) | undefined {
  const ts = I.ts, c = I.c;
  if (recv.kind === ts.SyntaxKind.ThisKeyword) return () => c.factory.createThis();
  if (!ts.isIdentifier(recv) || visited !== recv) return undefined;
  const ref = c.scope.refs.get(recv);
  if (!ref || ref.write || ref.binding.kind === 'import') return undefined;
  return () => c.cloneRef(recv);
}
