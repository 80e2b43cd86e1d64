/**
 * Orders the events of a trace so that every event comes after everything its vector clock says
 * happened before it, and otherwise by timestamp. Timestamps alone are not enough across
 * services: two machines' clocks disagree, while the vector clocks carried over the wire do not.
 */
import type { RacewayEvent } from '../../protocol/events';
import { micros } from './prepare';

export function causalOrder(events: readonly RacewayEvent[]): RacewayEvent[] {
  const n = events.length;
  const ts = events.map((e) => micros(e.timestamp));
  // Each task's events by its own counter: the dependency targets.
  const own = new Map<string, { counter: number; i: number }[]>();
  events.forEach((e, i) => {
    const task = e.metadata.thread_id;
    const c = e.causality_vector.find((p) => p[0] === task)?.[1];
    if (c === undefined) return;
    let list = own.get(task);
    if (!list) own.set(task, (list = []));
    list.push({ counter: c, i });
  });
  for (const list of own.values()) list.sort((a, b) => a.counter - b.counter);
  const latestAtMost = (task: string, counter: number): number => {
    const list = own.get(task);
    if (!list) return -1;
    let lo = 0;
    let hi = list.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]!.counter <= counter) {
        found = list[mid]!.i;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  };
  const indegree = new Array<number>(n).fill(0);
  const next: number[][] = Array.from({ length: n }, () => []);
  events.forEach((e, i) => {
    const task = e.metadata.thread_id;
    const deps = new Set<number>();
    for (const [k, c] of e.causality_vector) {
      // Own component: the previous event of the task; others: the latest event known from them.
      const d = k === task ? latestAtMost(k, c - 1) : latestAtMost(k, c);
      if (d >= 0 && d !== i) deps.add(d);
    }
    for (const d of deps) {
      next[d]!.push(i);
      indegree[i]!++;
    }
  });
  // Kahn's algorithm, always taking the earliest ready event (binary heap on time, then input order).
  const heap: number[] = [];
  const less = (a: number, b: number) => ts[a]! < ts[b]! || (ts[a] === ts[b] && a < b);
  const push = (x: number) => {
    heap.push(x);
    let i = heap.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(heap[i]!, heap[p]!)) break;
      [heap[i], heap[p]] = [heap[p]!, heap[i]!];
      i = p;
    }
  };
  const pop = (): number => {
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && less(heap[l]!, heap[m]!)) m = l;
        if (r < heap.length && less(heap[r]!, heap[m]!)) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m]!, heap[i]!];
        i = m;
      }
    }
    return top;
  };
  for (let i = 0; i < n; i++) if (indegree[i] === 0) push(i);
  const out: RacewayEvent[] = [];
  const done = new Array<boolean>(n).fill(false);
  while (out.length < n) {
    if (heap.length === 0) {
      // A cycle (inconsistent clocks from a buggy sender): fall back to time order for the rest.
      const rest = [...events.keys()].filter((i) => !done[i]).sort((a, b) => (less(a, b) ? -1 : 1));
      for (const i of rest) out.push(events[i]!);
      break;
    }
    const i = pop();
    done[i] = true;
    out.push(events[i]!);
    for (const j of next[i]!) if (--indegree[j]! === 0) push(j);
  }
  return out;
}
