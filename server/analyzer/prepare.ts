/**
 * Turns wire events into the analyzer's inputs. The store builds the same shapes from its tables;
 * this in-memory path serves unit tests and small callers.
 */
import type { RacewayEvent } from '../../protocol/events';
import type { AccessDetail, AccessRecord, AnalysisContext, TaskInfo, UnitInfo } from './types';
import { unitKey } from './types';
import { failsNext, jobSplits, processKey } from './jobs';
import { insertAscending, lowerBound } from './sorted';
import { isFailureEvent } from './failures';
import { failureReaches } from './order';
import { CoverageTable } from './coverage';

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

/** Running per-unit figures from which `UnitInfo` is derived (the store keeps the same ones). */
export interface UnitStats {
  service: string;
  first: number;
  last: number;
  reqTs: number | null;
  respTs: number | null;
}

export function unitInfo(u: UnitStats): UnitInfo {
  // A request spans HttpRequest..HttpResponse; a trace without HTTP events spans its events.
  if (u.reqTs !== null) return { service: u.service, start: u.reqTs, end: u.respTs, http: true };
  return { service: u.service, start: u.first, end: u.respTs ?? u.last, http: false };
}

export function noteUnit(u: UnitStats, kindName: string, ts: number): void {
  if (ts < u.first) u.first = ts;
  if (ts > u.last) u.last = ts;
  if (kindName === 'HttpRequest' && (u.reqTs === null || ts < u.reqTs)) u.reqTs = ts;
  else if (kindName === 'HttpResponse' && (u.respTs === null || ts > u.respTs)) u.respTs = ts;
}

export function kindName(e: RacewayEvent): string {
  for (const k in e.kind) return k;
  return '';
}

/** Folds one event into task and unit context. */
export function noteContext(
  e: RacewayEvent,
  ts: number,
  tasks: Map<string, TaskInfo>,
  units: Map<string, UnitStats>,
  children?: Map<string, string[]>,
): void {
  const name = kindName(e);
  const task = e.metadata.thread_id;
  let own = tasks.get(task);
  if (!own) tasks.set(task, (own = { awaits: [] }));
  if (own.first === undefined || ts < own.first) own.first = ts;
  if (own.last === undefined || ts > own.last) own.last = ts;
  if (name === 'AsyncAwait') {
    insertAscending(own.awaits, ts);
  } else if (name === 'AsyncSpawn') {
    const child = (e.kind as { AsyncSpawn: { task_id: string } }).AsyncSpawn.task_id;
    let t = tasks.get(child);
    if (!t) tasks.set(child, (t = { awaits: [] }));
    t.parent = task;
    t.spawnTs = ts;
    if (children) {
      let list = children.get(task);
      if (!list) children.set(task, (list = []));
      list.push(child);
    }
  }
  const key = unitKey(e.metadata.service_name, e.trace_id);
  let u = units.get(key);
  if (!u) units.set(key, (u = { service: e.metadata.service_name, first: ts, last: ts, reqTs: null, respTs: null }));
  noteUnit(u, name, ts);
}

export function prepareEvents(events: readonly RacewayEvent[]): PreparedEvents {
  const byVariable = new Map<string, AccessRecord[]>();
  const tasks = new Map<string, TaskInfo>();
  const stats = new Map<string, UnitStats>();
  const children = new Map<string, string[]>();
  const details = new Map<number, AccessDetail>();
  const procs = new Map<string, { ts: number[]; task: number[]; errors: number[]; accesses: number[] }>();
  const procOf = new Map<string, string>();
  const failureTasks = new Map<number, [task: string, clock: string][]>();
  const taskNo = new Map<string, number>();
  const taskNames: string[] = [];
  const coverage = new CoverageTable();
  events.forEach((e, seq) => {
    const ts = micros(e.timestamp);
    coverage.noteEvent(e.metadata.thread_id, e.causality_vector);
    noteContext(e, ts, tasks, stats, children);
    const pk = processKey(e.metadata.process_id, e.metadata.service_name);
    let proc = procs.get(pk);
    if (!proc) procs.set(pk, (proc = { ts: [], task: [], errors: [], accesses: [] }));
    procOf.set(e.metadata.thread_id, pk);
    if (isFailureEvent(e, kindName(e))) {
      proc.errors.push(ts);
      const f: [string, string] = [e.metadata.thread_id, JSON.stringify(e.causality_vector)];
      const list = failureTasks.get(ts);
      if (list) list.push(f);
      else failureTasks.set(ts, [f]);
    }
    let no = taskNo.get(e.metadata.thread_id);
    if (no === undefined) {
      taskNo.set(e.metadata.thread_id, (no = taskNames.length));
      taskNames.push(e.metadata.thread_id);
    }
    proc.ts.push(ts);
    proc.task.push(no);
    if (kindName(e) !== 'StateChange') return;
    proc.accesses.push(ts);
    const sc = (e.kind as { StateChange: { variable: string; access_type: AccessRecord['access']; location: string; old_value: unknown; new_value: unknown } }).StateChange;
    const rec: AccessRecord = {
      seq, variable: sc.variable, task: e.metadata.thread_id, unit: unitKey(e.metadata.service_name, e.trace_id),
      access: sc.access_type, ts, own: ownComponent(e.causality_vector, e.metadata.thread_id),
      clock: e.causality_vector, locks: e.lock_set, value: JSON.stringify(sc.new_value ?? null),
      old: JSON.stringify(sc.old_value ?? null), proc: pk,
      site: sc.location,
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
  addSplits(procs.values(), taskNames, taskNo, tasks);
  const units = new Map<string, UnitInfo>();
  for (const [k, u] of stats) units.set(k, unitInfo(u));
  const sortedTs = new Map<string, Float64Array>();
  for (const [k, p] of procs) {
    p.errors.sort((a, b) => a - b);
    p.accesses.sort((a, b) => a - b);
    if (p.errors.length) sortedTs.set(k, Float64Array.from(p.ts).sort());
  }
  const throwsAfter = (task: string, ts: number, ownCounter: number): boolean => {
    const pk = procOf.get(task);
    const sorted = pk === undefined ? undefined : sortedTs.get(pk);
    if (sorted === undefined) return false;
    const p = procs.get(pk!)!;
    const own = (f: number) => failureTasks.get(f)?.some(([t, c]) => failureReaches(t, c, task, ownCounter, coverage)) ?? false;
    return failsNext(sorted, sorted.length, p.errors, p.accesses, ts, own);
  };
  return { byVariable, context: { tasks, units, children, throwsAfter, coverage }, details };
}

/** Fills `splits` of the tasks without AsyncAwait events (see `jobs.ts`). */
function addSplits(procs: Iterable<{ ts: number[]; task: number[] }>, names: string[], numbers: Map<string, number>, tasks: Map<string, TaskInfo>): void {
  const info = (t: number) => tasks.get(names[t]!);
  const split = {
    hasAwaits: (t: number) => (info(t)?.awaits.length ?? 0) > 0,
    parent: (t: number) => {
      const p = info(t)?.parent;
      return p === undefined ? -1 : numbers.get(p) ?? -1;
    },
    awaitsBefore: (t: number, ts: number) => lowerBound(info(t)?.awaits ?? [], ts),
  };
  for (const p of procs) {
    for (const [t, list] of jobSplits(p.ts, p.task, p.ts.length, split)) {
      const i = info(t);
      if (i) i.splits = list;
    }
  }
}
