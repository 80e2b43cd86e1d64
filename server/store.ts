/**
 * The embedded event store (better-sqlite3, WAL). Events are kept verbatim for the trace view;
 * StateChanges are also kept as compact access rows (interned variable / task / unit ids) so the
 * analyzer can stream them per variable without parsing whole events.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AccessType, RacewayEvent } from '../runtime/events';
import {
  kindName, micros, noteUnit, ownComponent, unitInfo, unitKey,
  type AccessDetail, type AccessRecord, type AnalysisContext, type TaskInfo, type UnitInfo, type UnitStats,
} from './analyzer';

const ACCESS_CODES: AccessType[] = ['Read', 'Write', 'AtomicRead', 'AtomicWrite', 'AtomicRMW'];

interface UnitRow extends UnitStats {
  id: number;
  traceId: string;
  count: number;
}

export interface TraceSummary {
  trace_id: string;
  event_count: number;
  first_timestamp: string;
  last_timestamp: string;
  service_count: number;
  services: string[];
}

export interface IngestResult {
  inserted: number;
  duplicates: number;
}

/** `2025-10-18T14:32:10.123456Z` from microseconds since the epoch. */
export function formatMicros(us: number): string {
  const ms = Math.floor(us / 1000);
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return new Date(0).toISOString();
  return d.toISOString().slice(0, 23) + String(us - ms * 1000).padStart(3, '0') + 'Z';
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, trace_id TEXT NOT NULL, ts INTEGER NOT NULL, kind TEXT NOT NULL, json TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS events_trace ON events(trace_id, ts);
CREATE TABLE IF NOT EXISTS vars (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS tasks (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, parent INTEGER, spawn_ts INTEGER);
CREATE TABLE IF NOT EXISTS units (id INTEGER PRIMARY KEY, service TEXT NOT NULL, trace_id TEXT NOT NULL, first INTEGER NOT NULL, last INTEGER NOT NULL,
  req_ts INTEGER, resp_ts INTEGER, count INTEGER NOT NULL, UNIQUE(service, trace_id));
CREATE INDEX IF NOT EXISTS units_trace ON units(trace_id);
CREATE TABLE IF NOT EXISTS awaits (task INTEGER NOT NULL, ts INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS accesses (seq INTEGER PRIMARY KEY, var INTEGER NOT NULL, task INTEGER NOT NULL, unit INTEGER NOT NULL,
  acc INTEGER NOT NULL, ts INTEGER NOT NULL, own INTEGER NOT NULL, clock TEXT NOT NULL, locks TEXT, value TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS accesses_var ON accesses(var, ts, seq);
`;

export class Store {
  readonly db: Database.Database;
  private readonly varIds = new Map<string, number>();
  private readonly varNames: string[] = [];
  private readonly taskIds = new Map<string, number>();
  private readonly taskNames: string[] = [];
  private readonly units = new Map<string, UnitRow>();
  private readonly unitById: UnitRow[] = [];
  private eventCount = 0;
  /** Bumped whenever an ingest stores something: the analysis cache key. */
  version = 0;
  private readonly stmt;

  /** `path` ':memory:' keeps everything in memory. */
  constructor(readonly path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    // WAL + NORMAL survives a process crash (only an OS crash can lose the last transactions).
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(SCHEMA);
    const db = this.db;
    this.stmt = {
      insertEvent: db.prepare('INSERT OR IGNORE INTO events (id, trace_id, ts, kind, json) VALUES (?, ?, ?, ?, ?)'),
      insertVar: db.prepare('INSERT INTO vars (id, name) VALUES (?, ?)'),
      insertTask: db.prepare('INSERT INTO tasks (id, name) VALUES (?, ?)'),
      setParent: db.prepare('UPDATE tasks SET parent = ?, spawn_ts = ? WHERE id = ?'),
      insertAwait: db.prepare('INSERT INTO awaits (task, ts) VALUES (?, ?)'),
      upsertUnit: db.prepare(`INSERT INTO units (id, service, trace_id, first, last, req_ts, resp_ts, count) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT(id) DO UPDATE SET first = excluded.first, last = excluded.last, req_ts = excluded.req_ts, resp_ts = excluded.resp_ts, count = excluded.count`),
      insertAccess: db.prepare('INSERT INTO accesses (seq, var, task, unit, acc, ts, own, clock, locks, value) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)'),
    };
    this.load();
  }

  private load(): void {
    for (const r of this.db.prepare('SELECT id, name FROM vars').raw().iterate() as Iterable<[number, string]>) {
      this.varIds.set(r[1], r[0]);
      this.varNames[r[0]] = r[1];
    }
    for (const r of this.db.prepare('SELECT id, name FROM tasks').raw().iterate() as Iterable<[number, string]>) {
      this.taskIds.set(r[1], r[0]);
      this.taskNames[r[0]] = r[1];
    }
    const rows = this.db.prepare('SELECT id, service, trace_id, first, last, req_ts, resp_ts, count FROM units').raw().iterate() as Iterable<
      [number, string, string, number, number, number | null, number | null, number]>;
    for (const [id, service, traceId, first, last, reqTs, respTs, count] of rows) {
      const u: UnitRow = { id, service, traceId, first, last, reqTs, respTs, count };
      this.units.set(unitKey(service, traceId), u);
      this.unitById[id] = u;
    }
    this.eventCount = (this.db.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number }).n;
  }

  private varId(name: string): number {
    let id = this.varIds.get(name);
    if (id === undefined) {
      id = this.varNames.length || 1;
      if (this.varNames.length === 0) this.varNames[0] = '';
      this.stmt.insertVar.run(id, name);
      this.varIds.set(name, id);
      this.varNames[id] = name;
    }
    return id;
  }

  private taskId(name: string): number {
    let id = this.taskIds.get(name);
    if (id === undefined) {
      id = this.taskNames.length || 1;
      if (this.taskNames.length === 0) this.taskNames[0] = '';
      this.stmt.insertTask.run(id, name);
      this.taskIds.set(name, id);
      this.taskNames[id] = name;
    }
    return id;
  }

  /**
   * Stores already validated events in one transaction; events whose id is already stored are
   * skipped, so a retried batch is not counted twice. All or nothing: a failure rolls back.
   */
  ingest(events: readonly RacewayEvent[]): IngestResult {
    const dirtyUnits = new Set<UnitRow>();
    let inserted = 0;
    const run = this.db.transaction(() => {
      for (const e of events) {
        const ts = micros(e.timestamp);
        const kind = kindName(e);
        const info = this.stmt.insertEvent.run(e.id, e.trace_id, ts, kind, JSON.stringify(e));
        if (info.changes === 0) continue;
        inserted++;
        const seq = Number(info.lastInsertRowid);
        const key = unitKey(e.metadata.service_name, e.trace_id);
        let u = this.units.get(key);
        if (!u) {
          u = { id: this.unitById.length || 1, service: e.metadata.service_name, traceId: e.trace_id, first: ts, last: ts, reqTs: null, respTs: null, count: 0 };
          this.units.set(key, u);
          this.unitById[u.id] = u;
        }
        u.count++;
        noteUnit(u, kind, ts);
        dirtyUnits.add(u);
        if (kind === 'StateChange') {
          const sc = (e.kind as { StateChange: { variable: string; access_type: AccessType; new_value: unknown } }).StateChange;
          const task = e.metadata.thread_id;
          this.stmt.insertAccess.run(seq, this.varId(sc.variable), this.taskId(task), u.id, ACCESS_CODES.indexOf(sc.access_type), ts,
            ownComponent(e.causality_vector, task), JSON.stringify(e.causality_vector), e.lock_set.length ? JSON.stringify(e.lock_set) : null,
            JSON.stringify(sc.new_value ?? null));
        } else if (kind === 'AsyncAwait') {
          this.stmt.insertAwait.run(this.taskId(e.metadata.thread_id), ts);
        } else if (kind === 'AsyncSpawn') {
          const child = (e.kind as { AsyncSpawn: { task_id: string } }).AsyncSpawn.task_id;
          this.stmt.setParent.run(this.taskId(e.metadata.thread_id), ts, this.taskId(child));
        }
      }
      for (const u of dirtyUnits) this.stmt.upsertUnit.run(u.id, u.service, u.traceId, u.first, u.last, u.reqTs, u.respTs, u.count);
    });
    try {
      run();
    } catch (err) {
      // The transaction rolled back: drop in-memory state that may now be ahead of the database.
      this.varIds.clear(); this.varNames.length = 0; this.taskIds.clear(); this.taskNames.length = 0;
      this.units.clear(); this.unitById.length = 0;
      this.load();
      throw err;
    }
    this.eventCount += inserted;
    if (inserted > 0) this.version++;
    return { inserted, duplicates: events.length - inserted };
  }

  get events(): number {
    return this.eventCount;
  }

  traceCount(): number {
    return (this.db.prepare('SELECT COUNT(DISTINCT trace_id) AS n FROM units').get() as { n: number }).n;
  }

  /** Task and unit context for the analyzer. */
  context(): AnalysisContext {
    const tasks = new Map<string, TaskInfo>();
    const rows = this.db.prepare('SELECT id, parent, spawn_ts FROM tasks').raw().iterate() as Iterable<[number, number | null, number | null]>;
    const byId: TaskInfo[] = [];
    for (const [id, parent, spawnTs] of rows) {
      const t: TaskInfo = { awaits: [] };
      if (parent !== null && spawnTs !== null) {
        t.parent = this.taskNames[parent]!;
        t.spawnTs = spawnTs;
      }
      byId[id] = t;
      tasks.set(this.taskNames[id]!, t);
    }
    for (const [task, ts] of this.db.prepare('SELECT task, ts FROM awaits').raw().iterate() as Iterable<[number, number]>) byId[task]?.awaits.push(ts);
    for (const t of byId) if (t && t.awaits.length > 1) t.awaits.sort((a, b) => a - b);
    const units = new Map<string, UnitInfo>();
    for (const [k, u] of this.units) units.set(k, unitInfo(u));
    return { tasks, units };
  }

  /**
   * Every variable's accesses, one variable at a time (streamed so only one variable's accesses
   * are in memory). The iterator must be drained before the store is used again.
   */
  *accessesByVariable(): Generator<AccessRecord[]> {
    const it = this.db.prepare('SELECT seq, var, task, unit, acc, ts, own, clock, locks, value FROM accesses ORDER BY var, ts, seq')
      .raw().iterate() as Iterable<[number, number, number, number, number, number, number, string, string | null, string]>;
    let current = -1;
    let group: AccessRecord[] = [];
    for (const [seq, v, task, unit, acc, ts, own, clock, locks, value] of it) {
      if (v !== current) {
        if (group.length) yield group;
        group = [];
        current = v;
      }
      const u = this.unitById[unit]!;
      group.push({
        seq, variable: this.varNames[v]!, task: this.taskNames[task]!, unit: unitKey(u.service, u.traceId),
        access: ACCESS_CODES[acc] ?? 'Read', ts, own, clock, locks: locks ? (JSON.parse(locks) as string[]) : null, value,
      });
    }
    if (group.length) yield group;
  }

  /** Report details of the given access seqs. */
  details(seqs: Iterable<number>): Map<number, AccessDetail> {
    const out = new Map<number, AccessDetail>();
    const stmt = this.db.prepare('SELECT json FROM events WHERE seq = ?').pluck();
    for (const seq of seqs) {
      if (out.has(seq)) continue;
      const json = stmt.get(seq) as string | undefined;
      if (json === undefined) continue;
      const e = JSON.parse(json) as RacewayEvent;
      const sc = (e.kind as { StateChange?: { variable: string; access_type: AccessType; location: string; old_value: AccessDetail['old_value']; new_value: AccessDetail['new_value'] } }).StateChange;
      if (!sc) continue;
      out.set(seq, {
        seq, event_id: e.id, trace_id: e.trace_id, thread_id: e.metadata.thread_id, service_name: e.metadata.service_name,
        access_type: sc.access_type, location: sc.location, timestamp: e.timestamp, old_value: sc.old_value, new_value: sc.new_value,
      });
    }
    return out;
  }

  /** Trace summaries, most recent first. */
  traces(page: number, pageSize: number): { total: number; traces: TraceSummary[] } {
    const total = this.traceCount();
    const rows = this.db.prepare(`SELECT trace_id, SUM(count) AS n, MIN(first) AS first, MAX(last) AS last, json_group_array(service) AS services
      FROM units GROUP BY trace_id ORDER BY MAX(last) DESC, trace_id LIMIT ? OFFSET ?`).all(pageSize, (page - 1) * pageSize) as
      { trace_id: string; n: number; first: number; last: number; services: string }[];
    return {
      total,
      traces: rows.map((r) => {
        const services = [...new Set(JSON.parse(r.services) as string[])].sort();
        return { trace_id: r.trace_id, event_count: r.n, first_timestamp: formatMicros(r.first), last_timestamp: formatMicros(r.last), service_count: services.length, services };
      }),
    };
  }

  /** The events of one trace in timestamp order (within a process, timestamps respect happens-before). */
  traceEvents(traceId: string): RacewayEvent[] {
    return (this.db.prepare('SELECT json FROM events WHERE trace_id = ? ORDER BY ts, seq').pluck().all(traceId) as string[]).map((j) => JSON.parse(j) as RacewayEvent);
  }

  /** All accesses of one variable in time order (the web view's timeline). */
  variableAccesses(variable: string, limit = 2000): AccessDetail[] {
    const id = this.varIds.get(variable);
    if (id === undefined) return [];
    const seqs = this.db.prepare('SELECT seq FROM accesses WHERE var = ? ORDER BY ts, seq LIMIT ?').pluck().all(id, limit) as number[];
    const d = this.details(seqs);
    return seqs.map((s) => d.get(s)).filter((x): x is AccessDetail => x !== undefined);
  }

  close(): void {
    this.db.close();
  }
}
