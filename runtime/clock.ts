/**
 * Vector clocks, one component per task, kept bounded by retiring the components of finished tasks.
 *
 * A task's clock is an immutable `Clock` of the components it has learned from others (`base`)
 * plus its own counter, kept apart so that an event only stores two references and a number: no
 * copy per event. New bases are made only on fork and join.
 *
 * Retirement (why clocks do not grow with every task a process has seen). A task that finishes
 * ticks its counter once more, so its final clock value `f` is carried by no clock made before it
 * finished. The first event any task X sends (own counter `k`) whose clock carries the finished
 * task C at exactly `f` retires C into X at `k`: X@k has seen all of C, and so has every clock that
 * has seen X@k (or, transitively, a task X retired into at or after X's `k`). From then on C is
 * left out of every clock that carries X at ≥ k — in X's own clock right after that event, and in
 * any join whose result carries X far enough. The dropped entry is implied, not lost: the server
 * learns the same fact from the events it already receives (the first event carrying C's largest
 * value names X and k; `server/analyzer/coverage.ts`) and answers "has b seen C@n" through it.
 * A loop of `await work(i)` then keeps one live entry for the running child instead of one per
 * child ever awaited, and a join costs the size of the live clock.
 *
 * Limits: an entry is retired only once a task that learned the finished clock sends an event;
 * until then it stays explicit (correct, only larger). A task's final value reaches a clock only
 * through a join, so a task that finishes without being joined (its parent had finished first) is
 * never retired: clocks that copied it earlier keep it at that earlier value. A chain of tasks each
 * started by the previous one, which then finishes unjoined (a pool's worker that starts the next
 * worker from its continuation, as p-map's `next()` does), still grows its clocks by one entry
 * per link. Retiring those needs the fact "a task's first event carried its parent at v" on both
 * sides, not done here.
 */

/** What a clock component refers to: a task, with what is known about its end. */
export interface ClockComponent {
  /** The component's name on the wire (the task id). */
  readonly id: string;
  /** The task's final counter once it has finished (a value only clocks made after that carry); -1 before. */
  finalOwn: number;
  /** The task whose event first carried `finalOwn` (null: not retired): clocks carrying it at ≥ `retiredAt` imply this one. */
  retiredInto: ClockComponent | null;
  retiredAt: number;
}

export type ClockPair = readonly [component: ClockComponent, counter: number];

/** Hops followed from a retired component to a component that implies it (chains are short: a join drops entries as it goes). */
const MAX_HOPS = 16;

export class Clock {
  /** Table id of this clock in the hand-off ring of generation `wireGen` (see wire.ts). */
  wireGen = -1;
  wireId = 0;

  constructor(readonly pairs: readonly ClockPair[]) {}

  static readonly EMPTY = new Clock([]);

  /** This clock with `component` set to `counter` (used to freeze a task's full clock). */
  with(component: ClockComponent, counter: number): Clock {
    const out: ClockPair[] = [];
    let found = false;
    for (const p of this.pairs) {
      if (p[0] === component) { out.push([component, Math.max(p[1], counter)]); found = true; } else out.push(p);
    }
    if (!found) out.push([component, counter]);
    return new Clock(out);
  }

  /**
   * Component-wise maximum of this clock and `other`, for the clock of `owner` whose own counter is
   * `ownerCounter` (the owner's component is never part of a base). Entries the result implies
   * through a retirement are left out.
   */
  join(other: Clock, owner: ClockComponent, ownerCounter: number): Clock {
    if (other.pairs.length === 0) return this;
    const m = new Map<ClockComponent, number>();
    for (const [c, n] of this.pairs) m.set(c, n);
    let changed = false;
    for (const [c, n] of other.pairs) {
      if (c === owner) continue;
      const cur = m.get(c);
      if (cur === undefined || n > cur) { m.set(c, n); changed = true; }
    }
    if (!changed) return this;
    const out: ClockPair[] = [];
    for (const [c, n] of m) if (!implied(c, m, owner, ownerCounter)) out.push([c, n]);
    return new Clock(out);
  }

  /**
   * After `owner` sent an event at own counter `ownerCounter` with this clock as its base: finished
   * components carried at their final value and not yet retired are retired into `owner` there,
   * and every entry the clock now implies is dropped. Returns this clock when nothing changed.
   */
  retireInto(owner: ClockComponent, ownerCounter: number): Clock {
    let drop = false;
    for (const [c, n] of this.pairs) {
      if (c.retiredInto === null && c.finalOwn >= 0 && n >= c.finalOwn) {
        c.retiredInto = owner;
        c.retiredAt = ownerCounter;
        drop = true;
      } else if (c.retiredInto !== null) drop = true;
    }
    if (!drop) return this;
    const m = new Map<ClockComponent, number>(this.pairs as ClockPair[]);
    const out: ClockPair[] = [];
    for (const p of this.pairs) if (!implied(p[0], m, owner, ownerCounter)) out.push(p);
    return out.length === this.pairs.length ? this : new Clock(out);
  }
}

/** The clock `m` (of `owner`, at `ownerCounter`) has seen all of `c` through a task `c` was retired into. */
function implied(c: ClockComponent, m: ReadonlyMap<ClockComponent, number>, owner: ClockComponent, ownerCounter: number): boolean {
  let x = c.retiredInto;
  let at = c.retiredAt;
  for (let hops = 0; x !== null && hops < MAX_HOPS; hops++) {
    const v = x === owner ? ownerCounter : m.get(x);
    if (v !== undefined && v >= at) return true;
    at = x.retiredAt;
    x = x.retiredInto;
  }
  return false;
}
