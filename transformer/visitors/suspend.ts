/** Suspension points (SPEC.md §3): await, for await, yield, and re-entry at catch/finally. */
import { Hook } from '../../protocol/hooks';
import type * as TS from 'typescript';
import type { Visitor } from '../context';

export function visitAwait(I: Visitor, node: TS.AwaitExpression): TS.Expression {
  const c = I.c, f = c.factory;
  const e = I.visitExpr(node.expression);
  if (!c.opts.awaits) return f.updateAwaitExpression(node, e);
  return c.call(Hook.resume, [c.frame(), f.updateAwaitExpression(node, c.call(Hook.suspend, [c.frame(), e, c.site(node)]))]);
}

export function visitYield(I: Visitor, node: TS.YieldExpression): TS.Expression {
  const c = I.c, f = c.factory;
  const e = node.expression ? I.visitExpr(node.expression) : undefined;
  if (!c.opts.awaits) return f.updateYieldExpression(node, node.asteriskToken, e);
  return c.call(Hook.yieldIn, [c.frame(), f.updateYieldExpression(node, node.asteriskToken, c.call(Hook.yieldOut, [c.frame(), e ?? c.undef()]))]);
}

/** `catch {` / `finally {` in async functions and generators start with `__rw.at(f);`. */
export function reentry(I: Visitor, block: TS.Block): TS.Block {
  const c = I.c, f = c.factory;
  const visited = I.ts.visitEachChild(block, I.visit, c.tctx);
  if (!c.opts.awaits || !c.fn.asyncOrGen || !c.fn.frame) return visited;
  return f.updateBlock(visited, [f.createExpressionStatement(c.call(Hook.resumeAt, [c.fn.frame])), ...visited.statements]);
}
