/**
 * Turns wire events into the analyzer's inputs. The store builds the same shapes from its tables;
 * this in-memory path serves unit tests and small callers.
 */
import type { RacewayEvent } from '../../runtime/events';
import type { AccessDetail, AccessRecord, AnalysisContext, TaskInfo, UnitInfo } from './types';
import { unitKey } from './types';

export function micros(timestamp: string): number {
  // Date.parse keeps milliseconds only; the fraction's remaining digits carry the microseconds.
  const ms = Date.parse(timestamp);
  if (Number.isNaN(ms)) return 0;
  const m = /\.(\d+)/.exec(timestamp);
  const frac = m ? (m[1]! + '000000').slice(3, 6) : '000';
  return ms * 1000 + Number(frac);
}

export function ownComponent(clock: ReadonlyArray<readonly [string, number]>, task: string): number {
  for (const [k, n] of clock) if (k === task) return n;
  return -1;
}

export interface PreparedEvents {
  byVariable: Map<string, AccessRecord[]>;
  context: AnalysisContext;
  details: Map<number, AccessDetail>;
}

/** Folds one event into task and unit context (shared by the store's ingest). */
export function noteContext(
  e: RacewayEvent,
  ts: number,
  tasks: Map<string, TaskInfo>,
  units: Map<string, UnitInfo & { http?: boolean }>,
): void {
  const kind = e.kind as unknown as Record<string, unknown>;
  const task = e.metadata.thread_id;
  if ('AsyncAwait' in kind) {
    let t = tasks.get(task);
    if (!t) tasks.set(task, (t = { awaits: [] }));
    insertSorted(t.awaits, ts);
  } else if ('AsyncSpawn' in kind) {
    const child = (kind.AsyncSpawn as { task_id: string }).task_id;
    let t = tasks.get(child);
    if (!t) tasks.set(child, (t = { awaits: [] }));
    t.parent = task;
    t.spawnTs = ts;
  }
  const key = unitKey(e.metadata.service_name, e.trace_id);
  let u = units.get(key);
  if (!u) units.set(key, (u = { service: e.metadata.service_name, start: ts, end: ts }));
  if ('HttpRequest' in kind) {
    u.http = true;
    u.start = ts;
    if (u.end !== null && u.end < ts) u.end = null;
  } else if ('HttpResponse' in kind) {
    u.http = true;
    u.end = ts;
  } else if (!u.http) {
    if (ts < u.start) u.start = ts;
    if (u.end === null || ts > u.end) u.end = ts;
  }
}

function insertSorted(a: number[], v: number): void {
  let i = a.length;
  if (i === 0 || a[i - 1]! <= v) {
    a.push(v);
    return;
  }
  while (i > 0 && a[i - 1]! > v) i--;
  a.splice(i, 0, v);
}

export function prepareEvents(events: readonly RacewayEvent[]): PreparedEvents {
  const byVariable = new Map<string, AccessRecord[]>();
  const tasks = new Map<string, TaskInfo>();
  const units = new Map<string, UnitInfo & { http?: boolean }>();
  const details = new Map<number, AccessDetail>();
  // HTTP units that only saw their response must not keep the first-event start.
  events.forEach((e, seq) => {
    const ts = micros(e.timestamp);
    noteContext(e, ts, tasks, units);
    const kind = e.kind as unknown as Record<string, unknown>;
    if (!('StateChange' in kind)) return;
    const sc = (e.kind as { StateChange: { variable: string; access_type: AccessRecord['access']; location: string; old_value: unknown; new_value: unknown } }).StateChange;
    const rec: AccessRecord = {
      seq, variable: sc.variable, task: e.metadata.thread_id, unit: unitKey(e.metadata.service_name, e.trace_id),
      access: sc.access_type, ts, own: ownComponent(e.causality_vector, e.metadata.thread_id),
      clock: e.causality_vector, locks: e.lock_set,
    };
    let list = byVariable.get(sc.variable);
    if (!list) byVariable.set(sc.variable, (list = []));
    list.push(rec);
    details.set(seq, {
      seq, event_id: e.id, trace_id: e.trace_id, thread_id: e.metadata.thread_id, service_name: e.metadata.service_name,
      access_type: sc.access_type, location: sc.location, timestamp: e.timestamp,
      old_value: sc.old_value as AccessDetail['old_value'], new_value: sc.new_value as AccessDetail['new_value'],
    });
  });
  return { byVariable, context: { tasks, units }, details };
}
