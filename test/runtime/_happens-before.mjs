// Happens-before between two received events, as the server decides it: b's clock has seen every
// component of a's, carried or implied by the retirement of a finished task (the runtime leaves a
// task out of later clocks once an event has announced its final value: runtime/clock.ts,
// server/analyzer/coverage.ts). The facts come from every event the collector received.
import { CoverageTable, hasSeen } from '../../dist/server/analyzer/index.js';
import { streamOf } from './_collector.mjs';

export function happenedBefore(a, b, events = streamOf.get(b) ?? [a, b]) {
  const coverage = new CoverageTable();
  for (const e of events) coverage.noteEvent(e.metadata.thread_id, e.causality_vector);
  const mb = new Map(b.causality_vector);
  const memo = new Map();
  return a.causality_vector.every(([c, n]) => hasSeen((k) => mb.get(k), c, n, coverage, memo));
}

/** Whether `e`'s clock carries `task`, or implies it through a retirement. */
export function knows(e, task, events = streamOf.get(e) ?? [e]) {
  return happenedBefore({ causality_vector: [[task, 0]] }, e, events);
}
