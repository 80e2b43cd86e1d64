/**
 * Jobs of tasks that send no AsyncAwait events (the manual API around an `await`, other Raceway
 * SDKs): JavaScript runs one job at a time per process, so two events of one task belong to one
 * synchronous job only if no event of another task of the same process came between them in
 * time. A task's first event after such an interruption starts a new job (a "split").
 *
 * Only tasks without any AsyncAwait event are split this way: an instrumented task's awaits say
 * exactly where its jobs end, and a child's first segment, which runs inside its caller's job,
 * would otherwise look like an interruption. For the same reason events of a task's own children
 * that are still in their first segment do not interrupt it.
 *
 * The answer depends only on the set of (task, timestamp) pairs, not on the order events arrived
 * in: events with equal timestamps never interrupt each other (their order is unknown).
 */
import { lowerBound, upperBound } from './sorted';

/** What the split needs to know about tasks, by task number. */
export interface SplitTasks {
  /** The task sent at least one AsyncAwait event (it is not split). */
  hasAwaits(task: number): boolean;
  /** The task that spawned `task` (AsyncSpawn), or -1. */
  parent(task: number): number;
  /** Number of the task's awaits before `ts` (0: still in its first segment). */
  awaitsBefore(task: number, ts: number): number;
}

/**
 * Whether the event at position `p` (task `t`) starts a new job: some event of another task lies
 * strictly between it and `prev`, the task's previous event. `ts` and `task` are one process's
 * events in time order.
 */
export function startsJob(ts: ArrayLike<number>, task: ArrayLike<number>, prev: number, p: number, tasks: SplitTasks): boolean {
  if (prev < 0) return false;
  const before = ts[prev]!;
  const now = ts[p]!;
  if (!(now > before)) return false;
  const t = task[p]!;
  for (let q = prev + 1; q < p; q++) {
    const at = ts[q]!;
    if (!(at > before && at < now)) continue;
    const other = task[q]!;
    if (other !== t && !inCallerJob(other, t, at, tasks)) return true;
  }
  return false;
}

/**
 * Split timestamps per task (ascending) for one process's events, given as parallel columns of
 * timestamps and task numbers (any order; `n` events).
 */
export function jobSplits(ts: ArrayLike<number>, task: ArrayLike<number>, n: number, tasks: SplitTasks): Map<number, number[]> {
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => ts[a]! - ts[b]! || a - b);
  const sts = new Float64Array(n);
  const stask = new Int32Array(n);
  for (let p = 0; p < n; p++) {
    sts[p] = ts[order[p]!]!;
    stask[p] = task[order[p]!]!;
  }
  const lastPos = new Map<number, number>();
  const splits = new Map<number, number[]>();
  for (let p = 0; p < n; p++) {
    const t = stask[p]!;
    const prev = lastPos.get(t) ?? -1;
    lastPos.set(t, p);
    if (tasks.hasAwaits(t) || !startsJob(sts, stask, prev, p, tasks)) continue;
    let list = splits.get(t);
    if (!list) splits.set(t, (list = []));
    list.push(sts[p]!);
  }
  return splits;
}

/** `other` is a descendant of `of` still in its first segment at `ts` (it runs inside the caller's job). */
function inCallerJob(other: number, of: number, ts: number, tasks: SplitTasks): boolean {
  // Descendant at all? (cheap: most interrupting events come from unrelated tasks)
  let c = other;
  let depth = 0;
  for (; depth < 16; depth++) {
    const p = tasks.parent(c);
    if (p < 0 || p === c) return false;
    if (p === of) break;
    c = p;
  }
  if (depth === 16) return false;
  // Then every task on the way must still be in its first segment.
  c = other;
  for (let k = 0; k <= depth; k++) {
    if (tasks.awaitsBefore(c, ts) > 0) return false;
    c = tasks.parent(c);
  }
  return true;
}

/** Key of a process: its id and service (two services may share a pid on different hosts). */
export function processKey(pid: number, service: string): string {
  return pid + '\u0000' + service;
}

/** How many events may lie between an access and the failure it led to (see `failsNext`). */
export const FAILURE_REACH = 16;

/**
 * Whether the job of an access at `at` failed right after it: a failure event of its process after
 * `at` (`failures`, ascending timestamps: see failures.ts) that `own` accepts (made by the access's
 * task, or by the task that registered it and awaits its outcome), before the process's next state
 * access (`accesses`, ascending) and within `FAILURE_REACH` events of it (`ts`, `n`: every event's
 * timestamp, sorted). Calls and awaits may come in between (`throw enoent(path)` calls a helper
 * that builds the error); another read or write means the program went on with other work, and a
 * failure of an unrelated task in between is not this job's.
 */
export function failsNext(ts: ArrayLike<number>, n: number, failures: readonly number[], accesses: ArrayLike<number>, at: number,
  own: (failureTs: number) => boolean): boolean {
  const a = upperBound(accesses, at);
  const until = a < accesses.length ? accesses[a]! : Infinity;
  const from = upperBound(ts, at, n);
  for (let k = upperBound(failures, at); k < failures.length && failures[k]! < until; k++) {
    const failure = failures[k]!;
    if (lowerBound(ts, failure, n) - from > FAILURE_REACH) return false;
    if (own(failure)) return true;
  }
  return false;
}
