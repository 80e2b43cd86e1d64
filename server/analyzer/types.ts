/**
 * Data shapes of the race analyzer. The analyzer is pure: it sees compact access records and a
 * little per-task / per-request context, never HTTP or SQL, so the store and the unit tests feed it
 * the same way.
 */
import type { AccessType, JsonValue } from '../../protocol/events';

/** One StateChange, reduced to what ordering decisions need. */
export interface AccessRecord {
  /** Stable identity and tie-breaker for equal timestamps (ingest order). */
  seq: number;
  variable: string;
  /** metadata.thread_id: the task that made the access. */
  task: string;
  /**
   * Key of the ordering unit (service + trace): `unitKey` here, a number of its own in the
   * server's index (compared and looked up in `AnalysisContext.units`, nothing else).
   */
  unit: string | number;
  access: AccessType;
  /** Microseconds since the epoch. */
  ts: number;
  /** The task's own component in `clock`, or -1 when the clock does not name the task. */
  own: number;
  /** The vector clock, either parsed or as its canonical JSON text (looked up lazily). */
  clock: ReadonlyArray<readonly [string, number]> | string;
  /** Locks held at the access (null or empty: none). */
  locks: readonly string[] | null;
  /**
   * JSON text of the value written, or of the value a read saw. Two blind writes of the same value
   * are harmless; a read's value shows which side of an unordered write it came (order violations).
   */
  value?: string;
  /** JSON text of a write's old_value (`null` also when the sender did not know it). */
  old?: string;
  /** The process (pid and service; a key of its own in the server's index), when known. */
  proc?: string | number;
  /** The access's source location (its text, or a number of the server's string table): compared for equality only. */
  site?: string | number;
}

/** What the analyzer knows about a task besides its accesses. */
export interface TaskInfo {
  /** Timestamps of the task's AsyncAwait events, ascending: each ends a synchronous segment. */
  awaits: number[];
  /**
   * For a task without AsyncAwait events (manual API, other Raceway SDKs): timestamps of its
   * events that start a new job because an event of another task of the same process came
   * between it and the task's previous event (see `jobs.ts`). Ascending; empty or absent: none.
   */
  splits?: number[];
  /** The task whose AsyncSpawn created this one, if seen. */
  parent?: string;
  /** Timestamp of that AsyncSpawn. */
  spawnTs?: number;
  /** Timestamps of the task's first and last events (any kind). */
  first?: number;
  last?: number;
}

/** A request (or, without HTTP events, a trace) within one service: the interval rule's unit. */
export interface UnitInfo {
  service: string;
  /** HttpRequest timestamp, else the first event's. */
  start: number;
  /** HttpResponse timestamp, else the last event's; null while a request has no response yet. */
  end: number | null;
  /** True for a request (it has an HttpRequest event): its interval is the request's, not a segment's. */
  http?: boolean;
}

/** What the analyzer asks of its context tables: a Map will do, and so will a view over columns. */
/** What clocks imply about one component beyond their entries (retired tasks: coverage.ts). */
export interface Coverage {
  /** The largest value carried (the last level's). */
  max: number;
  /** The last few new largest values, ascending (see coverage.ts). */
  levels: CoverageLevel[];
}

/** One value a component was carried at, higher than any event before: the first events (at most 4 tasks) that carried it. */
export interface CoverageLevel {
  value: number;
  by: [task: string, at: number][];
}

export interface Lookup<K, V> {
  get(key: K): V | undefined;
}

export interface AnalysisContext {
  tasks: Lookup<string, TaskInfo>;
  units: Lookup<string | number, UnitInfo>;
  /** Tasks spawned by each task (AsyncSpawn), for the root-task interval rule. */
  children?: Lookup<string, readonly string[]>;
  /**
   * True when the job that made the access at `ts` (its task's own clock component `own`) failed
   * right after it (see `failsNext` in jobs.ts): a failure event of that task, or of a task whose
   * clock has seen the access (an awaiting function the callback's rejection reached).
   */
  throwsAfter?(task: string, ts: number, own: number): boolean;
  /**
   * What clocks imply beyond their entries: the events that carried each finished task's final
   * value (the runtime leaves retired tasks out of later clocks; see coverage.ts).
   */
  coverage?: Lookup<string, Coverage>;
}

export type RaceKind = 'lost_update' | 'unordered_writes' | 'check_then_act' | 'use_before_init' | 'use_after_reset';
export type Severity = 'CRITICAL' | 'WARNING';

/** Roles of the accesses in a finding, in the order of `seqs`. */
export type AccessRole = 'stale_read' | 'check_read' | 'interleaved_write' | 'overwrite' | 'write'
  /** A check-then-act's act that found the checked container entry changed (a read or a write). */
  | 'act'
  /** Order violations: the read that saw the empty value, and the unordered write it raced with. */
  | 'early_read' | 'init_write' | 'reset_write' | 'late_read';

/** A race as found by the scan: access seqs only; `describe` turns it into a report. */
export interface RaceFinding {
  kind: RaceKind;
  variable: string;
  severity: Severity;
  seqs: number[];
  roles: AccessRole[];
  /** Seqs of the two conflicting accesses (earlier first), shown side by side. */
  conflict: [number, number];
}

/** Everything a report shows about one access. */
export interface AccessDetail {
  seq: number;
  event_id: string;
  trace_id: string;
  thread_id: string;
  service_name: string;
  access_type: AccessType;
  location: string;
  /** RFC 3339 as received. */
  timestamp: string;
  old_value: JsonValue;
  new_value: JsonValue;
}

export interface RaceAccess extends AccessDetail {
  role: AccessRole;
}

/** A full race report (GET /api/races). */
export interface RaceReport {
  /** Stable for the same accesses: kind + variable + event ids. */
  id: string;
  kind: RaceKind;
  severity: Severity;
  variable: string;
  trace_ids: string[];
  accesses: RaceAccess[];
  /** The two conflicting accesses, earlier first. */
  first: RaceAccess;
  second: RaceAccess;
  description: string;
}

export interface AnalyzerOptions {
  /** Most earlier writes one write is compared with for unordered writes (bounds the cost). */
  writeWindow?: number;
  /** Most writes scanned inside a stale-read window (lost update / check-then-act). */
  staleWindow?: number;
  /** Most races reported per variable; more are only counted (default 100). */
  maxReportsPerVariable?: number;
}

export function unitKey(service: string, traceId: string): string {
  return service + '\u0000' + traceId;
}
