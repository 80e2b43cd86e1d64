/**
 * The in-memory analysis index: every access grouped by variable, task and unit context, kept up
 * to date by ingest and persisted by the store as per-batch chunks (so a restart rebuilds it
 * without re-parsing events). Analysis is incremental: only variables whose accesses or ordering
 * context changed since the last run are scanned again.
 */
import type { AccessType, JsonValue, RacewayEvent } from '../runtime/events';
import {
  describe, kindName, micros, noteUnit, ownComponent, unitInfo, unitKey, Ordering, scanVariable, sortReports,
  type AccessDetail, type AccessRecord, type AnalysisContext, type AnalyzerOptions, type RaceReport,
  type TaskInfo, type UnitInfo, type UnitStats,
} from './analyzer';
import { Findings } from './analyzer/detect';

const ACCESS_CODES: AccessType[] = ['Read', 'Write', 'AtomicRead', 'AtomicWrite', 'AtomicRMW'];

/** One access as persisted: [eventId, variable, task, service, trace, access, ts, own, clock, locks, new, old, location, timestamp]. */
export type ChunkAccess = [string, string, string, string, string, number, number, number, string, string[] | 0, string, string, string, string];
/** Per-batch unit figures: [service, trace, count, first, last, reqTs, respTs]. */
export type ChunkUnit = [string, string, number, number, number, number | null, number | null];

/** What one ingested batch adds to the index (the persisted form). */
export interface IndexChunk {
  a: ChunkAccess[];
  /** AsyncAwait: [task, ts]. */
  w: [string, number][];
  /** AsyncSpawn: [parent, child, ts]. */
  s: [string, string, number][];
  u: ChunkUnit[];
  /** Each task's first and last event in the batch: [task, first, last] (root-task interval rule). */
  t?: [string, number, number][];
}

/** Builds the chunk of a batch of valid, not yet stored events. */
export function chunkOf(events: readonly RacewayEvent[]): IndexChunk {
  const chunk: IndexChunk = { a: [], w: [], s: [], u: [], t: [] };
  const units = new Map<string, UnitStats & { trace: string; count: number }>();
  const spans = new Map<string, [number, number]>();
  for (const e of events) {
    const ts = micros(e.timestamp);
    const name = kindName(e);
    const task = e.metadata.thread_id;
    const service = e.metadata.service_name;
    if (name === 'StateChange') {
      const sc = (e.kind as { StateChange: { variable: string; access_type: AccessType; old_value: JsonValue; new_value: JsonValue; location: string } }).StateChange;
      chunk.a.push([e.id, sc.variable, task, service, e.trace_id, ACCESS_CODES.indexOf(sc.access_type), ts, ownComponent(e.causality_vector, task),
        JSON.stringify(e.causality_vector), e.lock_set.length ? e.lock_set : 0, JSON.stringify(sc.new_value ?? null), JSON.stringify(sc.old_value ?? null),
        sc.location, e.timestamp]);
    } else if (name === 'AsyncAwait') {
      chunk.w.push([task, ts]);
    } else if (name === 'AsyncSpawn') {
      chunk.s.push([task, (e.kind as { AsyncSpawn: { task_id: string } }).AsyncSpawn.task_id, ts]);
    }
    const key = unitKey(service, e.trace_id);
    let u = units.get(key);
    if (!u) units.set(key, (u = { service, trace: e.trace_id, first: ts, last: ts, reqTs: null, respTs: null, count: 0 }));
    u.count++;
    noteUnit(u, name, ts);
    const span = spans.get(task);
    if (!span) spans.set(task, [ts, ts]);
    else {
      if (ts < span[0]) span[0] = ts;
      if (ts > span[1]) span[1] = ts;
    }
  }
  for (const u of units.values()) chunk.u.push([u.service, u.trace, u.count, u.first, u.last, u.reqTs, u.respTs]);
  for (const [task, [first, last]] of spans) chunk.t!.push([task, first, last]);
  return chunk;
}

interface IndexedAccess extends AccessRecord {
  eventId: string;
  traceId: string;
  service: string;
  location: string;
  timestamp: string;
  old: string;
  value: string;
}

interface UnitEntry extends UnitStats {
  trace: string;
  count: number;
  info: UnitInfo;
}

export interface TraceAggregate {
  trace_id: string;
  count: number;
  first: number;
  last: number;
  services: Set<string>;
}

interface VarEntry {
  list: IndexedAccess[];
  sorted: boolean;
  reports: RaceReport[];
  suppressed: number;
}

function addVar(m: Map<string, string[]>, key: string, v: string): void {
  const list = m.get(key);
  if (!list) m.set(key, [v]);
  else if (list.length < 16 ? !list.includes(v) : list[list.length - 1] !== v) list.push(v);
}

export class LiveIndex {
  private readonly vars = new Map<string, VarEntry>();
  private readonly records: IndexedAccess[] = [];
  private readonly tasks = new Map<string, TaskInfo>();
  private readonly children = new Map<string, string[]>();
  // Variables each task / unit touched, to re-analyse them when its context changes. Arrays, not
  // Sets: most tasks touch a handful of variables and there are as many tasks as requests.
  private readonly taskVars = new Map<string, string[]>();
  private readonly unitVars = new Map<string, string[]>();
  private readonly units = new Map<string, UnitEntry>();
  private readonly unitInfos = new Map<string, UnitInfo>();
  readonly traces = new Map<string, TraceAggregate>();
  private readonly interned = new Map<string, string>();
  private readonly dirty = new Set<string>();
  /** Tasks whose family (membership or time span) changed: their family's variables need a rescan. */
  private readonly dirtyFamilies = new Set<string>();
  private reports: RaceReport[] | null = [];
  /** Accesses scanned by the last analysis run (all of them on the first run). */
  lastScanned = 0;
  /** Races over the per-variable report cap, counted but not reported. */
  suppressed = 0;
  private analyzedOnce = false;

  constructor(private readonly options: AnalyzerOptions = {}) {}

  private intern(s: string): string {
    const got = this.interned.get(s);
    if (got !== undefined) return got;
    this.interned.set(s, s);
    return s;
  }

  get accessCount(): number {
    return this.records.length;
  }

  private task(name: string): TaskInfo {
    let t = this.tasks.get(name);
    if (!t) this.tasks.set(name, (t = { awaits: [] }));
    return t;
  }

  /** Marks a task's variables (and its children's, whose first segment hangs off its segments) for re-analysis. */
  private touchTask(name: string, depth = 0): void {
    // Until the first analysis every variable is dirty anyway (start-up rebuild: skip the walk).
    if (!this.analyzedOnce) return;
    const vs = this.taskVars.get(name);
    if (vs) for (const v of vs) this.dirty.add(v);
    if (depth < 8) for (const c of this.children.get(name) ?? []) this.touchTask(c, depth + 1);
  }

  add(chunk: IndexChunk): void {
    for (const [service, trace, count, first, last, reqTs, respTs] of chunk.u) {
      const key = this.intern(unitKey(service, trace));
      let u = this.units.get(key);
      if (!u) {
        u = { service: this.intern(service), trace, first, last, reqTs, respTs, count: 0, info: { service, start: first, end: last } };
        this.units.set(key, u);
      } else {
        if (first < u.first) u.first = first;
        if (last > u.last) u.last = last;
        if (reqTs !== null && (u.reqTs === null || reqTs < u.reqTs)) u.reqTs = reqTs;
        if (respTs !== null && (u.respTs === null || respTs > u.respTs)) u.respTs = respTs;
      }
      u.count += count;
      const info = unitInfo(u);
      // Only a request's interval orders anything (code outside requests is bounded per access or
      // per task family), so a long-lived trace growing does not re-analyse all its variables.
      const moved = info.http !== u.info.http || (info.http && (info.start !== u.info.start || info.end !== u.info.end));
      if (moved || !this.unitInfos.has(key)) {
        u.info = info;
        this.unitInfos.set(key, info);
        const vs = this.analyzedOnce ? this.unitVars.get(key) : undefined;
        if (vs) for (const v of vs) this.dirty.add(v);
      }
      let tr = this.traces.get(trace);
      if (!tr) this.traces.set(trace, (tr = { trace_id: trace, count: 0, first, last, services: new Set() }));
      tr.count += count;
      if (first < tr.first) tr.first = first;
      if (last > tr.last) tr.last = last;
      tr.services.add(u.service);
    }
    for (const [taskName, ts] of chunk.w) {
      const t = this.task(this.intern(taskName));
      const a = t.awaits;
      if (a.length === 0 || a[a.length - 1]! <= ts) a.push(ts);
      else {
        let i = a.length;
        while (i > 0 && a[i - 1]! > ts) i--;
        a.splice(i, 0, ts);
      }
      this.touchTask(taskName);
    }
    for (const [parent, child, ts] of chunk.s) {
      const c = this.task(this.intern(child));
      c.parent = this.intern(parent);
      c.spawnTs = ts;
      let list = this.children.get(c.parent);
      if (!list) this.children.set(c.parent, (list = []));
      list.push(this.intern(child));
      this.touchTask(child);
      if (this.analyzedOnce) this.dirtyFamilies.add(this.intern(child));
    }
    for (const [taskName, first, last] of chunk.t ?? []) {
      const t = this.task(this.intern(taskName));
      let changed = false;
      if (t.first === undefined || first < t.first) { t.first = first; changed = true; }
      if (t.last === undefined || last > t.last) { t.last = last; changed = true; }
      if (changed && this.analyzedOnce) this.dirtyFamilies.add(this.intern(taskName));
    }
    for (const [eventId, variable, task, service, trace, acc, ts, own, clock, locks, value, old, location, timestamp] of chunk.a) {
      const v = this.intern(variable);
      const unit = this.intern(unitKey(service, trace));
      const rec: IndexedAccess = {
        seq: this.records.length, variable: v, task: this.intern(task), unit, access: ACCESS_CODES[acc] ?? 'Read', ts, own, clock,
        locks: locks === 0 ? null : locks, value, eventId, traceId: this.units.get(unit)?.trace ?? trace, service: this.intern(service),
        location: this.intern(location), timestamp, old,
      };
      this.records.push(rec);
      let entry = this.vars.get(v);
      if (!entry) this.vars.set(v, (entry = { list: [], sorted: true, reports: [], suppressed: 0 }));
      const last = entry.list[entry.list.length - 1];
      if (last && last.ts > ts) entry.sorted = false;
      entry.list.push(rec);
      this.dirty.add(v);
      addVar(this.taskVars, rec.task, v);
      addVar(this.unitVars, unit, v);
    }
    if (this.dirty.size || this.dirtyFamilies.size) this.reports = null;
  }

  context(): AnalysisContext {
    return { tasks: this.tasks, units: this.unitInfos, children: this.children };
  }

  /** Adds the variables of every task in the families of `dirtyFamilies` to `dirty`. */
  private expandFamilies(ordering: Ordering): void {
    const roots = new Set<string>();
    for (const t of this.dirtyFamilies) roots.add(ordering.familyRoot(t));
    this.dirtyFamilies.clear();
    const seen = new Set<string>();
    const stack = [...roots];
    while (stack.length) {
      const t = stack.pop()!;
      if (seen.has(t)) continue;
      seen.add(t);
      const vs = this.taskVars.get(t);
      if (vs) for (const v of vs) this.dirty.add(v);
      for (const c of this.children.get(t) ?? []) stack.push(c);
    }
  }

  detail(seq: number): AccessDetail | undefined {
    const r = this.records[seq];
    if (!r) return undefined;
    return {
      seq, event_id: r.eventId, trace_id: r.traceId, thread_id: r.task, service_name: r.service, access_type: r.access,
      location: r.location, timestamp: r.timestamp, old_value: JSON.parse(r.old) as JsonValue, new_value: JSON.parse(r.value) as JsonValue,
    };
  }

  /** Race reports over everything indexed, rescanning only the variables that changed. */
  analyze(): RaceReport[] {
    if (this.reports && this.dirty.size === 0 && this.dirtyFamilies.size === 0) return this.reports;
    this.analyzedOnce = true;
    const ordering = new Ordering(this.context());
    this.expandFamilies(ordering);
    let scanned = 0;
    for (const v of this.dirty) {
      const entry = this.vars.get(v);
      if (!entry) continue;
      if (!entry.sorted) {
        entry.list.sort((a, b) => a.ts - b.ts || a.seq - b.seq);
        entry.sorted = true;
      }
      const out = new Findings();
      scanVariable(entry.list, ordering, out, this.options);
      entry.reports = [];
      this.suppressed += out.suppressed - entry.suppressed;
      entry.suppressed = out.suppressed;
      for (const f of out.list) {
        const r = describe(f, (s) => this.detail(s));
        if (r) entry.reports.push(r);
      }
      scanned += entry.list.length;
    }
    this.dirty.clear();
    this.lastScanned = scanned;
    const reports: RaceReport[] = [];
    for (const entry of this.vars.values()) for (const r of entry.reports) reports.push(r);
    this.reports = sortReports(reports);
    return this.reports;
  }

  /** The accesses of one variable in time order (at most `limit`). */
  variableAccesses(variable: string, limit = 2000): AccessDetail[] {
    const entry = this.vars.get(variable);
    if (!entry) return [];
    if (!entry.sorted) {
      entry.list.sort((a, b) => a.ts - b.ts || a.seq - b.seq);
      entry.sorted = true;
    }
    return entry.list.slice(0, limit).map((r) => this.detail(r.seq)!);
  }
}
