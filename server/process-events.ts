/**
 * The server index's per-process event columns: every event's time and task, kept in time order,
 * from which the jobs of tasks without AsyncAwait events are derived (see analyzer/jobs.ts) and
 * the events around an Error are found.
 */
import { growFloat, growInt } from './int-lists';
import { lowerBound } from './analyzer/sorted';

/**
 * One process's events (timestamps and task string numbers) in time order, for the jobs of tasks
 * without AsyncAwait, with each event's link to the previous event of its task.
 */
export class ProcessEvents {
  n = 0;
  ts = new Float64Array(1024);
  task = new Int32Array(1024);
  /** Position of the previous event of the same task, or -1. */
  prev = new Int32Array(1024);
  /** Position of each task's latest event, by task string number (-1: none yet). */
  private last = new Int32Array(0);
  /** Appends nearly always arrive in time order; a late batch is sorted in before the next use. */
  sorted = true;
  /** While not sorted: the events before this position are in order. */
  private sortedN = 0;
  /** Earliest timestamp added since the last analysis (jobs from there on are recomputed). */
  since = Infinity;
  /** Earliest Error event added since the last analysis. */
  errorsSince = Infinity;
  /** `since` of the last job update, for the error check. */
  touchSince = Infinity;

  push(task: number, ts: number): void {
    if (this.n === this.ts.length) {
      this.ts = growFloat(this.ts, this.n * 2, 0);
      this.task = growInt(this.task, this.n * 2, 0);
      this.prev = growInt(this.prev, this.n * 2, -1);
    }
    if (task >= this.last.length) this.last = growInt(this.last, Math.max(task + 1, this.last.length * 2, 1024), -1);
    const n = this.n++;
    if (n > 0 && ts < this.ts[n - 1]! && this.sorted) {
      this.sorted = false;
      this.sortedN = n;
    }
    if (ts < this.since) this.since = ts;
    this.ts[n] = ts;
    this.task[n] = task;
    this.prev[n] = this.last[task]!;
    this.last[task] = n;
  }

  /** Puts the events in time order and relinks them (only after a batch arrived late). */
  sort(): void {
    if (this.sorted) return;
    const { ts, task, n, sortedN } = this;
    // The events before `sortedN` are in order; sort the (usually short) rest and merge.
    const tail = Array.from({ length: n - sortedN }, (_, i) => sortedN + i).sort((a, b) => ts[a]! - ts[b]! || task[a]! - task[b]!);
    const t2 = new Float64Array(ts.length);
    const k2 = new Int32Array(task.length);
    let i = 0;
    let j = 0;
    for (let o = 0; o < n; o++) {
      const fromHead = j >= tail.length || (i < sortedN && ts[i]! <= ts[tail[j]!]!);
      const at = fromHead ? i++ : tail[j++]!;
      t2[o] = ts[at]!;
      k2[o] = task[at]!;
    }
    this.ts = t2;
    this.task = k2;
    this.last.fill(-1);
    for (let i = 0; i < n; i++) {
      this.prev[i] = this.last[k2[i]!]!;
      this.last[k2[i]!] = i;
    }
    this.sorted = true;
  }

  /** First position whose timestamp is at least `ts`. */
  lowerBound(ts: number): number {
    return lowerBound(this.ts, ts, this.n);
  }
}

/** Equal lists (absent counts as empty). */
export function sameList(a: readonly number[] | undefined, b: readonly number[] | undefined): boolean {
  if (!a || !b) return (a?.length ?? 0) === (b?.length ?? 0);
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

