/**
 * Vector clocks, one component per task, kept bounded by retiring the components of finished tasks.
 *
 * A task's clock is an immutable `Clock` of the components it has learned from others (`base`)
 * plus its own counter, kept apart so that an event only stores two references and a number: no
 * copy per event. New bases are made only on fork and join.
 *
 * Retirement (why clocks do not grow with every task a process has seen). Every event notes itself
 * as the first carrier of each component its clock carries higher than any event before
 * (`carriedMax`, in the order events are sent). Once a task C has finished, the first event that
 * carried C highest (task X, own counter k, C at value v) retires C into X at k: X@k has seen C up
 * to v, and so has every clock that has seen X@k (or, transitively, a task X retired into at or
 * after X's k). From then on C is left out of every clock that carries X at ≥ k and C at ≤ v — in
 * X's own clock, and in any join whose result carries X far enough. An event that carries a
 * finished C higher still (its final clock joined later) retires it again there. The dropped entry
 * is implied, not lost: the server learns the same facts from the events it already receives (for
 * each new largest value of a component, the first events that carried it;
 * `server/analyzer/coverage.ts`) and answers "has b seen C@n" through them. A loop of
 * `await work(i)`, or a chain of workers each started by the previous one and never joined (a
 * pool's `next()`), keeps a few live entries instead of one per task ever seen, and a join costs
 * the size of the live clock.
 *
 * Limits: an entry is retired only once its task has finished and an event carried it; a clock
 * made before that keeps it explicit (correct, only larger). A task that never finishes (the
 * process root, a remote service's task) is never retired. A long chain of retirements (each link
 * retired into the next) makes the server walk the chain to order its two ends.
 */

/** What a clock component refers to: a task, with what is known about its end. */
export interface ClockComponent {
  /** The component's name on the wire (the task id). */
  readonly id: string;
  /** The task has finished: it is retired at the largest value events carry for it. */
  readonly finished: boolean;
  /** The task whose event first carried `retiredValue` (null: not retired): clocks carrying it at ≥ `retiredAt` imply this one up to `retiredValue`. */
  retiredInto: ClockComponent | null;
  retiredAt: number;
  retiredValue: number;
  /** The largest value an event's clock carried for this component, and the first event (task, own counter) that carried it. */
  carriedMax: number;
  carrier: ClockComponent | null;
  carrierAt: number;
}

/** A component with nothing known about it yet (a remote task's, or the base of a task). */
export function blankComponent(id: string): ClockComponent {
  return { id, finished: false, retiredInto: null, retiredAt: -1, retiredValue: -1, carriedMax: -1, carrier: null, carrierAt: -1 };
}

export type ClockPair = readonly [component: ClockComponent, counter: number];

/** Hops followed from a retired component to a component that implies it (chains are short: a join drops entries as it goes). */
const MAX_HOPS = 16;
/** Clocks up to this size are searched linearly (no Map): the common case once retired tasks are left out. */
const SMALL = 16;

/** Reads a clock's counter for a component (undefined: not carried). */
type Reader = (c: ClockComponent) => number | undefined;

function readerOf(pairs: readonly ClockPair[]): Reader {
  if (pairs.length > SMALL) {
    const m = new Map<ClockComponent, number>(pairs as ClockPair[]);
    return (c) => m.get(c);
  }
  return (c) => {
    for (let i = 0; i < pairs.length; i++) if (pairs[i]![0] === c) return pairs[i]![1];
    return undefined;
  };
}

export class Clock {
  /** Table id of this clock in the hand-off ring of generation `wireGen` (see wire.ts). */
  wireGen = -1;
  wireId = 0;
  /**
   * A clock this one was joined from (the oldest of a run of joins): when retirement brings the
   * entries back to exactly that clock's, the same object is reused, so the wire's table entry for
   * it is too (a loop of awaits alternates between its base and its base plus the last child).
   */
  private from: Clock | null = null;

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
   * through a retirement are left out. Returns this clock when `other` adds nothing.
   */
  join(other: Clock, owner: ClockComponent, ownerCounter: number): Clock {
    const theirs = other.pairs;
    if (theirs.length === 0) return this;
    const mine = this.pairs;
    const read = readerOf(mine);
    // What `other` adds, found before anything is allocated (usually nothing, or one entry).
    let gain: ClockPair[] | null = null;
    for (let i = 0; i < theirs.length; i++) {
      const p = theirs[i]!;
      if (p[0] === owner) continue;
      const cur = read(p[0]);
      if (cur === undefined || p[1] > cur) (gain ??= []).push(p);
    }
    if (gain === null) return this;
    const merged: ClockPair[] = [];
    const readGain = readerOf(gain);
    for (const p of mine) {
      const g = readGain(p[0]);
      merged.push(g === undefined ? p : [p[0], g]);
    }
    for (const p of gain) if (read(p[0]) === undefined) merged.push(p);
    const readMerged = readerOf(merged);
    const out: ClockPair[] = [];
    for (const p of merged) if (!implied(p[0], p[1], readMerged, owner, ownerCounter)) out.push(p);
    if (sameEntries(mine, out)) return this;
    const joined = new Clock(out);
    joined.from = this.from ?? this;
    return joined;
  }

  /**
   * After `owner` sent an event at own counter `ownerCounter` with this clock as its base: notes
   * the event as the first carrier of every component carried higher than before; finished
   * components carried higher than ever are retired into `owner` there, and every entry the clock
   * now implies is dropped. Returns this clock when nothing changed.
   */
  retireInto(owner: ClockComponent, ownerCounter: number): Clock {
    let drop = false;
    const pairs = this.pairs;
    for (let i = 0; i < pairs.length; i++) {
      const c = pairs[i]![0];
      const n = pairs[i]![1];
      if (n > c.carriedMax) {
        c.carriedMax = n;
        c.carrier = owner;
        c.carrierAt = ownerCounter;
        if (c.finished) {
          // Carried higher than ever since the task finished: (re)tired here, at this value.
          c.retiredInto = owner;
          c.retiredAt = ownerCounter;
          c.retiredValue = n;
          drop = true;
        }
      } else if (c.retiredInto !== null && n <= c.retiredValue) drop = true;
    }
    if (!drop) return this;
    const read = readerOf(pairs);
    const out: ClockPair[] = [];
    for (const p of pairs) if (!implied(p[0], p[1], read, owner, ownerCounter)) out.push(p);
    if (out.length === pairs.length) return this;
    const from = this.from;
    if (from !== null && sameEntries(from.pairs, out)) return from;
    const retired = new Clock(out);
    retired.from = from;
    return retired;
  }
}

function sameEntries(a: readonly ClockPair[], b: readonly ClockPair[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]![0] !== b[i]![0] || a[i]![1] !== b[i]![1]) return false;
  return true;
}

/**
 * The clock read through `read` (of `owner`, at `ownerCounter`) has seen `c` up to `n` through a
 * task `c` was retired into: that task's retirement covers `n`, and the clock carries it at or
 * after the event that retired `c` (directly, or through the task that one was retired into).
 */
function implied(c: ClockComponent, n: number, read: Reader, owner: ClockComponent, ownerCounter: number): boolean {
  let x = c.retiredInto;
  if (x === null || n > c.retiredValue) return false;
  let at = c.retiredAt;
  for (let hops = 0; hops < MAX_HOPS; hops++) {
    const v = x === owner ? ownerCounter : read(x);
    if (v !== undefined && v >= at) return true;
    const next: ClockComponent | null = x.retiredInto;
    if (next === null || at > x.retiredValue) return false;
    at = x.retiredAt;
    x = next;
  }
  return false;
}
