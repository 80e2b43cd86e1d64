/**
 * What a clock implies beyond its entries. The runtime keeps clocks bounded by retiring finished
 * tasks (runtime/clock.ts): the first event that carries a finished task C at its final value
 * (task X, own counter k) makes "X@k has seen all of C" known, and from then on C is left out of
 * clocks that carry X at ≥ k. The server learns the same fact from the events themselves: for each
 * component, the largest value any other task's event carried, and the first events (per task) that
 * carried it. "Has clock b seen C@n?" is then: b carries C at ≥ n, or C's largest value is ≥ n and
 * b has seen one of those events (recursively: X may itself have been retired into another task).
 *
 * Every fact is true whatever the sender did (a clock that carries C@v at X@k means X@k came after
 * C@v), so the rule never orders what did not happen in order; it finds every order the runtime
 * dropped as long as the events that announced a retirement were delivered.
 */
import type { Coverage, Lookup } from './types';

/** Events that carried a component at the largest value seen: by task, the smallest own counter. */
export type { Coverage };

/** Tasks noted per component: the runtime's retirement is the first, later ones only help. */
const MAX_WITNESSES = 4;

/** Coverage facts of a stream of events, in the order the events were sent. */
export class CoverageTable implements Lookup<string, Coverage> {
  private readonly map = new Map<string, Coverage>();

  get(component: string): Coverage | undefined {
    return this.map.get(component);
  }

  /** Notes that an event of `task` at own counter `own` carried `component` at `value`. */
  note(component: string, value: number, task: string, own: number): void {
    if (component === task || own < 0) return;
    const c = this.map.get(component);
    if (c === undefined) {
      this.map.set(component, { max: value, by: [[task, own]] });
      return;
    }
    if (value < c.max) return;
    if (value > c.max) {
      c.max = value;
      c.by = [[task, own]];
      return;
    }
    for (const w of c.by) {
      if (w[0] === task) {
        if (own < w[1]) w[1] = own;
        return;
      }
    }
    if (c.by.length < MAX_WITNESSES) c.by.push([task, own]);
  }

  /** Every fact: component, its largest value, and each task that carried it with its first own counter. */
  forEach(fn: (component: string, max: number, task: string, at: number) => void): void {
    for (const [k, c] of this.map) for (const [task, at] of c.by) fn(k, c.max, task, at);
  }

  /** Notes every entry of one event's clock. */
  noteEvent(task: string, clock: ReadonlyArray<readonly [string, number]>): void {
    let own = -1;
    for (const p of clock) if (p[0] === task) own = p[1];
    if (own < 0) return;
    for (const p of clock) if (p[0] !== task) this.note(p[0], p[1], task, own);
  }
}

/** Most components a single question may visit (retirement chains are walked, not trusted blindly). */
const MAX_VISITS = 100_000;
/** Longest retirement chain followed (one task retired into the next, e.g. a runner's successive callbacks). */
const MAX_DEPTH = 4000;

/**
 * Whether the clock read through `entry` has seen `component` at ≥ `need`: carried, or implied
 * through retirements (`coverage`). `memo` (per clock) remembers, per component, whether the clock
 * has seen one of the events that carried that component's largest value.
 */
export function hasSeen(entry: (component: string) => number | undefined, component: string, need: number,
  coverage: Lookup<string, Coverage> | undefined, memo: Map<string, boolean>): boolean {
  const v = entry(component);
  if (v !== undefined && v >= need) return true;
  if (coverage === undefined) return false;
  const c = coverage.get(component);
  if (c === undefined || c.max < need) return false;
  return seenWitness(entry, component, coverage, memo, { visits: 0, depth: 0 });
}

/** The clock has seen one of the first events that carried `component` at its largest value. */
function seenWitness(entry: (component: string) => number | undefined, component: string, coverage: Lookup<string, Coverage>,
  memo: Map<string, boolean>, budget: { visits: number; depth: number }): boolean {
  const known = memo.get(component);
  if (known !== undefined) return known;
  if (++budget.visits > MAX_VISITS || budget.depth > MAX_DEPTH) return false;
  memo.set(component, false); // a cycle (inconsistent clocks) finds nothing
  const c = coverage.get(component);
  let seen = false;
  if (c !== undefined) {
    for (const [x, at] of c.by) {
      const v = entry(x);
      if (v !== undefined && v >= at) { seen = true; break; }
      const cx = coverage.get(x);
      if (cx === undefined || cx.max < at) continue;
      budget.depth++;
      const further = seenWitness(entry, x, coverage, memo, budget);
      budget.depth--;
      if (further) { seen = true; break; }
    }
  }
  memo.set(component, seen);
  return seen;
}

/** Whether the clock read through `entry` has any information about `component` (carried, or implied by a retirement). */
export function knowsOf(entry: (component: string) => number | undefined, component: string,
  coverage: Lookup<string, Coverage> | undefined, memo: Map<string, boolean>): boolean {
  if (entry(component) !== undefined) return true;
  return coverage !== undefined && coverage.get(component) !== undefined && seenWitness(entry, component, coverage, memo, { visits: 0, depth: 0 });
}
