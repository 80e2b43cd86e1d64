/**
 * The Raceway event schema, as the Raceway instrumentation guide and the upstream Raceway server (Rust, serde) define it.
 *
 * Every field listed here is required on the wire: an absent value is `null`, never a missing key,
 * because the upstream server deserializes with serde and no defaults. Values typed `JsonValue` are
 * already-safe snapshots (see `runtime/serialize.ts`).
 */

/** Any JSON value. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** How a StateChange touched its variable. */
export type AccessType = 'Read' | 'Write' | 'AtomicRead' | 'AtomicWrite' | 'AtomicRMW';

export interface StateChangeKind {
  StateChange: {
    variable: string;
    old_value: JsonValue;
    new_value: JsonValue;
    location: string;
    access_type: AccessType;
  };
}

export interface FunctionCallKind {
  FunctionCall: {
    function_name: string;
    module: string;
    args: JsonValue;
    file: string;
    line: number;
  };
}

export interface AsyncSpawnKind {
  AsyncSpawn: { task_id: string; spawned_by: string };
}

export interface AsyncAwaitKind {
  AsyncAwait: { future_id: string; awaited_at: string };
}

export interface LockAcquireKind {
  LockAcquire: { lock_id: string; lock_type: string; location: string };
}

export interface LockReleaseKind {
  LockRelease: { lock_id: string; lock_type: string; location: string };
}

export interface HttpRequestKind {
  HttpRequest: { method: string; url: string; headers: Record<string, string>; body: JsonValue };
}

export interface HttpResponseKind {
  /** `duration_ms` is an unsigned integer on the wire. */
  HttpResponse: { status: number; headers: Record<string, string>; body: JsonValue; duration_ms: number };
}

export interface ErrorKind {
  Error: { error_type: string; message: string; stack_trace: string[] };
}

export interface CustomKind {
  Custom: { name: string; data: JsonValue };
}

/** The upstream server also knows these three; the runtime only forwards them through `captureEvent`. */
export interface MemoryFenceKind {
  MemoryFence: { ordering: 'Relaxed' | 'Acquire' | 'Release' | 'AcqRel' | 'SeqCst'; location: string };
}
export interface DatabaseQueryKind {
  DatabaseQuery: { query: string; database: string; duration_ms: number };
}
export interface DatabaseResultKind {
  DatabaseResult: { rows_affected: number };
}

export type EventKind =
  | StateChangeKind
  | FunctionCallKind
  | AsyncSpawnKind
  | AsyncAwaitKind
  | LockAcquireKind
  | LockReleaseKind
  | HttpRequestKind
  | HttpResponseKind
  | ErrorKind
  | CustomKind
  | MemoryFenceKind
  | DatabaseQueryKind
  | DatabaseResultKind;

/** Name of the single key of an `EventKind` object. */
export type EventKindName =
  | 'StateChange'
  | 'FunctionCall'
  | 'AsyncSpawn'
  | 'AsyncAwait'
  | 'LockAcquire'
  | 'LockRelease'
  | 'HttpRequest'
  | 'HttpResponse'
  | 'Error'
  | 'Custom'
  | 'MemoryFence'
  | 'DatabaseQuery'
  | 'DatabaseResult';

export const EVENT_KIND_NAMES: readonly EventKindName[] = [
  'StateChange',
  'FunctionCall',
  'AsyncSpawn',
  'AsyncAwait',
  'LockAcquire',
  'LockRelease',
  'HttpRequest',
  'HttpResponse',
  'Error',
  'Custom',
  'MemoryFence',
  'DatabaseQuery',
  'DatabaseResult',
];

export interface EventMetadata {
  /** The task (async unit) that emitted the event; see the runtime's context model. */
  thread_id: string;
  process_id: number;
  service_name: string;
  environment: string;
  /** String values only: the upstream server reads a `HashMap<String, String>`. */
  tags: Record<string, string>;
  duration_ns: number | null;
  /** Optional on the wire (upstream skips them when absent). */
  instance_id?: string;
  distributed_span_id?: string;
  upstream_span_id?: string;
}

/** One event as sent in `POST /events` bodies: `{"events": RacewayEvent[]}`. */
export interface RacewayEvent {
  /** UUID (v7 from this runtime). */
  id: string;
  /** UUID; a W3C trace id is written in UUID form. */
  trace_id: string;
  /** UUID of the enclosing span's FunctionCall/HttpRequest event, or null. */
  parent_id: string | null;
  /** RFC 3339 with microseconds, UTC: `2025-10-18T14:32:10.123456Z`. */
  timestamp: string;
  kind: EventKind;
  metadata: EventMetadata;
  /** Vector clock: `[component, counter]` pairs, one component per task. */
  causality_vector: [string, number][];
  /** Locks held by the emitting task when the event happened. */
  lock_set: string[];
}
