/** Suspension points (SPEC.md §3): await, for await, yield, and re-entry at catch/finally. */
import type * as TS from 'typescript';
import type { Instrumenter } from '../instrument';

export function visitAwait(I: Instrumenter, node: TS.AwaitExpression): TS.Expression {
  const c = I.c, f = c.factory;
  const e = I.visitExpr(node.expression);
  if (!c.opts.awaits) return f.updateAwaitExpression(node, e);
  return c.call('resume', [c.frame(), f.updateAwaitExpression(node, c.call('suspend', [c.frame(), e, c.site(node)]))]);
}

export function visitYield(I: Instrumenter, node: TS.YieldExpression): TS.Expression {
  const c = I.c, f = c.factory;
  const e = node.expression ? I.visitExpr(node.expression) : undefined;
  if (!c.opts.awaits) return f.updateYieldExpression(node, node.asteriskToken, e);
  return c.call('yieldIn', [c.frame(), f.updateYieldExpression(node, node.asteriskToken, c.call('yieldOut', [c.frame(), e ?? c.undef()]))]);
}

/** `catch {` / `finally {` in async functions and generators start with `__rw.at(f);`. */
export function reentry(I: Instrumenter, block: TS.Block): TS.Block {
  const c = I.c, f = c.factory;
  const visited = I.ts.visitEachChild(block, I.visit, c.tctx);
  if (!c.opts.awaits || !c.fn.asyncOrGen || !c.fn.frame) return visited;
  return f.updateBlock(visited, [f.createExpressionStatement(c.call('at', [c.fn.frame])), ...visited.statements]);
}
