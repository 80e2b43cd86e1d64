// Which calls are container call sites (fixtures/SPEC.md §4.5): `o.m(args)`, `o?.m(args)`,
// `o.m?.(args)` with `m` an Array/Map/Set method name. The shape is recognised here; the
// Instrumenter builds `cc(f, t = o, cn(f, t, S), t.m(args), S)` from it.
import type * as t from '@babel/types';

/** `get` and `has` are reads (off with `reads: false`), the others writes (the runtime's `CONTAINER_METHODS`). */
export const READ_METHODS = new Set(['get', 'has']);
export const WRITE_METHODS = new Set(['push', 'pop', 'shift', 'unshift', 'splice', 'sort', 'reverse', 'fill', 'copyWithin', 'set', 'add', 'delete', 'clear']);
/** Methods whose first argument is the entry they touch: the hook gets it too (a temporary). */
export const KEYED_METHODS = new Set(['set', 'get', 'has', 'add', 'delete']);
/**
 * Methods that insert their arguments: without spread arguments the hook gets their number, so it
 * can tell the inserted elements apart even when an argument awaited and other tasks pushed meanwhile.
 */
export const COUNTED_METHODS = new Set(['push', 'unshift', 'splice']);

export interface ContainerCall {
  /** The member callee, TypeScript wrappers and parentheses around it removed. */
  callee: t.MemberExpression | t.OptionalMemberExpression;
  /** The receiver `o`. */
  receiver: t.Expression;
  method: string;
  /** `o?.m(…)`: the receiver's `?.` moves into a test around the hook call. */
  optionalReceiver: boolean;
  /** `o.m?.(…)`: the call keeps its `?.()`. */
  optionalCall: boolean;
}

type Wrapper = t.TSAsExpression | t.TSSatisfiesExpression | t.TSNonNullExpression | t.TSTypeAssertion | t.TSInstantiationExpression | t.ParenthesizedExpression;
const WRAPPERS = new Set(['TSAsExpression', 'TSSatisfiesExpression', 'TSNonNullExpression', 'TSTypeAssertion', 'TSInstantiationExpression', 'ParenthesizedExpression']);

function isChainLink(n: t.Node): boolean {
  return (n.type === 'OptionalMemberExpression' || n.type === 'OptionalCallExpression') && !(n.extra as { parenthesized?: boolean } | undefined)?.parenthesized;
}

/** The container call shape of `e`, or null for any other call (visited as usual). */
export function containerCall(e: t.CallExpression | t.OptionalCallExpression): ContainerCall | null {
  let callee: t.Node = e.callee;
  while (WRAPPERS.has(callee.type)) callee = (callee as Wrapper).expression;
  if (callee.type !== 'MemberExpression' && callee.type !== 'OptionalMemberExpression') return null;
  const optionalCall = e.type === 'OptionalCallExpression' && e.optional === true;
  const optionalReceiver = callee.type === 'OptionalMemberExpression' && callee.optional === true;
  // `(o?.push)(x)` does not short-circuit the call; `a?.b.push(x)` continues a longer chain.
  if (callee.type === 'OptionalMemberExpression' && (e.type === 'CallExpression' || !callee.optional)) return null;
  if (e.type === 'OptionalCallExpression' && !optionalCall && !optionalReceiver) return null;
  const receiver = callee.object;
  if (receiver.type === 'Super' || receiver.type === 'MetaProperty' || isChainLink(receiver)) return null;
  const p = callee.property;
  const method = !callee.computed ? (p.type === 'Identifier' ? p.name : null)
    : p.type === 'StringLiteral' ? p.value
    : p.type === 'TemplateLiteral' && p.expressions.length === 0 ? p.quasis[0]!.value.cooked ?? null : null;
  if (method === null || (!READ_METHODS.has(method) && !WRITE_METHODS.has(method))) return null;
  return { callee, receiver: receiver as t.Expression, method, optionalReceiver, optionalCall };
}
