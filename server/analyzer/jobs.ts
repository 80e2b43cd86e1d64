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
 * Split timestamps per task (ascending) for one process's events, given as parallel columns of
 * timestamps and task numbers (any order; `n` events).
 */
export function jobSplits(ts: ArrayLike<number>, task: ArrayLike<number>, n: number, tasks: SplitTasks): Map<number, number[]> {
  const order = new Uint32Array(n);
  let sorted = true;
  for (let i = 0; i < n; i++) {
    order[i] = i;
    if (i > 0 && ts[i]! < ts[i - 1]!) sorted = false;
  }
  // Nearly always appended in time order; otherwise a (stable) sort that is fast on sorted runs.
  const ord = sorted ? order : Uint32Array.from(Array.from(order).sort((a, b) => ts[a]! - ts[b]! || a - b));
  const lastPos = new Map<number, number>();
  const splits = new Map<number, number[]>();
  const awaitless = new Map<number, boolean>();
  for (let p = 0; p < n; p++) {
    const i = ord[p]!;
    const t = task[i]!;
    let free = awaitless.get(t);
    if (free === undefined) awaitless.set(t, (free = !tasks.hasAwaits(t)));
    if (!free) continue;
    const prev = lastPos.get(t);
    lastPos.set(t, p);
    if (prev === undefined) continue;
    const before = ts[ord[prev]!]!;
    const now = ts[i]!;
    if (!(now > before)) continue;
    for (let q = prev + 1; q < p; q++) {
      const j = ord[q]!;
      const at = ts[j]!;
      if (!(at > before && at < now)) continue;
      const other = task[j]!;
      if (other === t || inCallerJob(other, t, at, tasks)) continue;
      let list = splits.get(t);
      if (!list) splits.set(t, (list = []));
      list.push(now);
      break;
    }
  }
  return splits;
}

/** `other` is a descendant of `of` still in its first segment at `ts` (it runs inside the caller's job). */
function inCallerJob(other: number, of: number, ts: number, tasks: SplitTasks): boolean {
  let c = other;
  for (let depth = 0; depth < 16; depth++) {
    if (tasks.awaitsBefore(c, ts) > 0) return false;
    const p = tasks.parent(c);
    if (p < 0 || p === c) return false;
    if (p === of) return true;
    c = p;
  }
  return false;
}

/** Key of a process: its id and service (two services may share a pid on different hosts). */
export function processKey(pid: number, service: string): string {
  return pid + '\u0000' + service;
}
