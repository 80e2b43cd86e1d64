/**
 * What a clock implies beyond its entries. The runtime keeps clocks bounded by retiring finished
 * tasks (runtime/clock.ts): the first event that carries a finished task C at its level (the
 * largest value any clock carries for C; task X, own counter k) makes "X@k has seen C up to that
 * value" known, and from then on C is left out of clocks that carry X at ≥ k. The server learns the
 * same facts from the events themselves: for each component, its largest values carried by other
 * tasks' events in the order they were sent (a new level each time an event carries it higher,
 * the last few kept), and for each level the first events (per task) that carried it. "Has clock b
 * seen C@n?" is then: b carries C at ≥ n, or b has seen one of the events that carried a level of
 * C at ≥ n (recursively: X may itself have been retired into another task).
 *
 * Every fact is true whatever the sender did (a clock that carries C@v at X@k means X@k came after
 * C@v), so the rule never orders what did not happen in order; it finds every order the runtime
 * dropped as long as the events that announced a retirement were delivered.
 */
import type { Coverage, CoverageLevel, Lookup } from './types';

export type { Coverage, CoverageLevel };

/** Tasks noted per level: the runtime's retirement is the first, later ones only help. */
const MAX_WITNESSES = 4;
/**
 * Levels kept per component, the largest. A task is retired at its last level but one only when a
 * clock made after the retirement carried it higher (a finished task's final clock joined late),
 * which happens a few times at most.
 */
const MAX_LEVELS = 6;

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
      this.map.set(component, { max: value, levels: [{ value, by: [[task, own]] }] });
      return;
    }
    if (value > c.max) {
      c.max = value;
      c.levels.push({ value, by: [[task, own]] });
      if (c.levels.length > MAX_LEVELS) c.levels.shift();
      return;
    }
    let level: CoverageLevel | undefined;
    for (const l of c.levels) if (l.value === value) level = l;
    if (level === undefined) return;
    for (const w of level.by) {
      if (w[0] === task) {
        if (own < w[1]) w[1] = own;
        return;
      }
    }
    if (level.by.length < MAX_WITNESSES) level.by.push([task, own]);
  }

  /** Every fact: component, one of its levels, and each task that carried it with its first own counter. */
  forEach(fn: (component: string, value: number, task: string, at: number) => void): void {
    for (const [k, c] of this.map) for (const l of c.levels) for (const [task, at] of l.by) fn(k, l.value, task, at);
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
 * through retirements (`coverage`). `memo` (per clock) remembers, per component, the largest level
 * of it the clock has seen one of the carriers of (-1: none).
 */
export function hasSeen(entry: (component: string) => number | undefined, component: string, need: number,
  coverage: Lookup<string, Coverage> | undefined, memo: Map<string, number>): boolean {
  const v = entry(component);
  if (v !== undefined && v >= need) return true;
  if (coverage === undefined) return false;
  const c = coverage.get(component);
  if (c === undefined || c.max < need) return false;
  return seenLevel(entry, component, coverage, memo, { visits: 0, depth: 0 }) >= need;
}

/** The largest level of `component` the clock has seen one of the first carriers of (-1: none). */
function seenLevel(entry: (component: string) => number | undefined, component: string, coverage: Lookup<string, Coverage>,
  memo: Map<string, number>, budget: { visits: number; depth: number }): number {
  const known = memo.get(component);
  if (known !== undefined) return known;
  if (++budget.visits > MAX_VISITS || budget.depth > MAX_DEPTH) return -1;
  memo.set(component, -1); // a cycle (inconsistent clocks) finds nothing
  const c = coverage.get(component);
  let seen = -1;
  if (c !== undefined) {
    for (let i = c.levels.length - 1; i >= 0 && seen < 0; i--) {
      const level = c.levels[i]!;
      for (const [x, at] of level.by) {
        const v = entry(x);
        if (v !== undefined && v >= at) { seen = level.value; break; }
        const cx = coverage.get(x);
        if (cx === undefined || cx.max < at) continue;
        budget.depth++;
        const further = seenLevel(entry, x, coverage, memo, budget);
        budget.depth--;
        if (further >= at) { seen = level.value; break; }
      }
    }
  }
  memo.set(component, seen);
  return seen;
}

/** Whether the clock read through `entry` has any information about `component` (carried, or implied by a retirement). */
export function knowsOf(entry: (component: string) => number | undefined, component: string,
  coverage: Lookup<string, Coverage> | undefined, memo: Map<string, number>): boolean {
  if (entry(component) !== undefined) return true;
  return coverage !== undefined && coverage.get(component) !== undefined && seenLevel(entry, component, coverage, memo, { visits: 0, depth: 0 }) >= 0;
}
