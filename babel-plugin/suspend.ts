// Suspension points (SPEC §3): awaits, yields, for-await loops, and the `at(f)` that marks where a
// task resumes without passing through `resume` (catch/finally blocks, for-await bodies).
import * as t from '@babel/types';
import { Hook } from '../protocol/hooks';
import { F, VOID0, type Expr, type Node } from './builders';
import type { Ctx, Rewriter } from './context';

/** `__rw.at(f);` for the top of a `for await` body and after the loop, where there is a frame. */
export function forAwaitAt(I: Rewriter, s: Node, ctx: Ctx): t.Statement | null {
  if (s.type !== 'ForOfStatement' || !s.await || !I.o.awaits || !ctx.frame) return null;
  return F.expressionStatement(I.hook(ctx, Hook.resumeAt, [F.identifier(ctx.frame)]));
}

/** Statements after which a `__rw.at(f);` follows (for-await loops, possibly labelled). */
export function afterLoop(I: Rewriter, s: t.Statement, ctx: Ctx): t.Statement | null {
  let inner: Node = s;
  while (inner.type === 'LabeledStatement') inner = inner.body;
  return forAwaitAt(I, inner, ctx);
}

/** `at(f);` first thing in a catch or finally block of an async function or generator: a rejected await resumes there. */
export function atResume(I: Rewriter, b: t.BlockStatement, ctx: Ctx): void {
  if (ctx.suspendable && I.o.awaits && ctx.frame) {
    b.body.unshift(F.expressionStatement(I.hook(ctx, Hook.resumeAt, [F.identifier(ctx.frame)])));
  }
}

/** `await v` → `resume(f, await suspend(f, v, S))`; `arg` is `v` already visited. */
export function visitAwait(I: Rewriter, e: t.AwaitExpression, arg: Expr, ctx: Ctx): Expr {
  if (!I.o.awaits) {
    e.argument = arg;
    return e;
  }
  const f = I.frame(ctx);
  return I.hook(ctx, Hook.resume, [F.cloneNode(f), t.awaitExpression(I.hook(ctx, Hook.suspend, [f, arg, I.site(e)]))]);
}

/** `yield v` → `yieldIn(f, yield yieldOut(f, v))`; `arg` is `v` already visited (null: `yield`). */
export function visitYield(I: Rewriter, e: t.YieldExpression, arg: Expr | null, ctx: Ctx): Expr {
  if (!I.o.awaits) {
    if (arg) e.argument = arg;
    return e;
  }
  const f = I.frame(ctx);
  return I.hook(ctx, Hook.yieldIn, [F.cloneNode(f), t.yieldExpression(I.hook(ctx, Hook.yieldOut, [f, arg ?? VOID0()]), e.delegate)]);
}

