/**
 * The per-trace views of the trace answer (`GET /api/traces/:id`), in the upstream Raceway server's
 * shapes: the critical path (the chain of events that determined the trace's duration), the service
 * dependencies (who calls whom, how often, how long the calls took) and the audit trail of every
 * variable the trace touched. Pure: a trace's events in, JSON out.
 */
import type { JsonValue, RacewayEvent } from '../protocol/events';
import { kindName, micros } from './analyzer/prepare';

/** One access of a variable in its audit trail (upstream's `VariableAccess`). */
export interface VariableAccess {
  event_id: string;
  timestamp: string;
  thread_id: string;
  service_name: string;
  access_type: string;
  old_value: JsonValue;
  new_value: JsonValue;
  location: string;
  /** The previous access (in time) happened before this one (same task or vector clocks). */
  has_causal_link_to_previous: boolean;
  /** The access is one of a race the analyzer reported. */
  is_race: boolean;
}

/** Upstream's `ServiceDependencies`, each dependency with the calls' durations added. */
export interface ServiceDependencies {
  trace_id: string;
  services: { name: string; event_count: number }[];
  dependencies: ServiceDependency[];
}

export interface ServiceDependency {
  from: string;
  /** The callee's service when it is instrumented (it received the call's traceparent), else the host called. */
  to: string;
  call_count: number;
  /** Durations of the calls that got a response (their HttpResponse `duration_ms`). */
  total_duration_ms: number;
  avg_duration_ms: number;
  max_duration_ms: number;
}

/** Upstream's critical path answer, each event with its service and task added. */
export interface CriticalPath {
  trace_id: string;
  path_events: number;
  total_duration_ms: number;
  trace_total_duration_ms: number;
  percentage_of_total: number;
  path: { id: string; kind: string; location: string; timestamp: string; duration_ms: number; service_name: string; thread_id: string }[];
}

/** Longest critical path returned (the walk itself is bounded by the trace's events). */
const MAX_PATH = 1000;

/** Every variable the trace accessed, with its accesses in time order. */
export function auditTrails(events: readonly RacewayEvent[], raceEventIds: ReadonlySet<string>): Record<string, VariableAccess[]> {
  const byVariable = new Map<string, RacewayEvent[]>();
  for (const e of events) {
    if (kindName(e) !== 'StateChange') continue;
    const v = (e.kind as { StateChange: { variable: string } }).StateChange.variable;
    let list = byVariable.get(v);
    if (!list) byVariable.set(v, (list = []));
    list.push(e);
  }
  const out: Record<string, VariableAccess[]> = {};
  for (const [variable, list] of byVariable) {
    const sorted = list.map((e) => ({ e, ts: micros(e.timestamp) })).sort((a, b) => a.ts - b.ts);
    out[variable] = sorted.map(({ e }, i) => {
      const sc = (e.kind as { StateChange: { old_value: JsonValue; new_value: JsonValue; location: string; access_type: string } }).StateChange;
      return {
        event_id: e.id,
        timestamp: e.timestamp,
        thread_id: e.metadata.thread_id,
        service_name: e.metadata.service_name,
        access_type: sc.access_type,
        old_value: sc.old_value,
        new_value: sc.new_value,
        location: sc.location,
        has_causal_link_to_previous: i === 0 || happenedBefore(sorted[i - 1]!.e, e),
        is_race: raceEventIds.has(e.id),
      };
    });
  }
  return out;
}

/** `a` happened before `b`: same task, or `b`'s clock has seen `a`'s own counter. */
function happenedBefore(a: RacewayEvent, b: RacewayEvent): boolean {
  if (a.metadata.thread_id === b.metadata.thread_id) return true;
  const own = ownOf(a);
  if (own < 0) return false;
  for (const [c, n] of b.causality_vector) if (c === a.metadata.thread_id) return n >= own;
  return false;
}

function ownOf(e: RacewayEvent): number {
  for (const [c, n] of e.causality_vector) if (c === e.metadata.thread_id) return n;
  return -1;
}

function header(e: RacewayEvent, name: string): string | undefined {
  const h = (e.kind as { HttpRequest?: { headers?: Record<string, string> } }).HttpRequest?.headers;
  const v = h && Object.prototype.hasOwnProperty.call(h, name) ? h[name] : undefined;
  return typeof v === 'string' ? v : undefined;
}

/**
 * Calls between services: an outgoing call (an HttpRequest with an absolute URL) is matched with the
 * request another service received with the same `traceparent` (the callee continued the trace);
 * a call no recorded service received goes to its host.
 */
export function serviceDependencies(traceId: string, events: readonly RacewayEvent[]): ServiceDependencies | null {
  const counts = new Map<string, number>();
  const served = new Map<string, string>();
  const durations = new Map<string, number>();
  const calls: RacewayEvent[] = [];
  for (const e of events) {
    counts.set(e.metadata.service_name, (counts.get(e.metadata.service_name) ?? 0) + 1);
    const k = kindName(e);
    if (k === 'HttpRequest') {
      const url = (e.kind as { HttpRequest: { url: string } }).HttpRequest.url;
      const tp = header(e, 'traceparent');
      if (/^[a-z][a-z\d+.-]*:\/\//i.test(url)) calls.push(e);
      else if (tp !== undefined && !served.has(tp)) served.set(tp, e.metadata.service_name);
    } else if (k === 'HttpResponse' && e.parent_id !== null) {
      durations.set(e.parent_id, (e.kind as { HttpResponse: { duration_ms: number } }).HttpResponse.duration_ms);
    }
  }
  if (counts.size === 0) return null;
  const deps = new Map<string, ServiceDependency>();
  for (const call of calls) {
    const tp = header(call, 'traceparent');
    const url = (call.kind as { HttpRequest: { url: string } }).HttpRequest.url;
    let to = tp !== undefined ? served.get(tp) : undefined;
    if (to === undefined) {
      try { to = new URL(url).host; } catch { to = url; }
    }
    const from = call.metadata.service_name;
    const key = JSON.stringify([from, to]);
    let d = deps.get(key);
    if (!d) deps.set(key, (d = { from, to, call_count: 0, total_duration_ms: 0, avg_duration_ms: 0, max_duration_ms: 0 }));
    d.call_count++;
    const ms = durations.get(call.id);
    if (ms !== undefined) {
      d.total_duration_ms += ms;
      d.max_duration_ms = Math.max(d.max_duration_ms, ms);
    }
  }
  for (const d of deps.values()) d.avg_duration_ms = d.call_count ? Math.round((d.total_duration_ms / d.call_count) * 1000) / 1000 : 0;
  return {
    trace_id: traceId,
    services: [...counts].map(([name, event_count]) => ({ name, event_count })),
    dependencies: [...deps.values()],
  };
}

/**
 * The critical path: from the trace's last event back to its first, each step to the predecessor
 * that came last — among the task's previous event and the latest event of every other task the
 * event's clock has seen (a child that finished, a callee that answered, a lock's last holder) —
 * so it follows what the trace was waiting for, across tasks and services.
 */
export function criticalPath(traceId: string, events: readonly RacewayEvent[]): CriticalPath | null {
  if (events.length === 0) return null;
  const ts = events.map((e) => micros(e.timestamp));
  // Per task, its events by own counter (events whose clock does not name their task: by time).
  const byTask = new Map<string, { own: number; i: number }[]>();
  events.forEach((e, i) => {
    let list = byTask.get(e.metadata.thread_id);
    if (!list) byTask.set(e.metadata.thread_id, (list = []));
    list.push({ own: ownOf(e), i });
  });
  for (const list of byTask.values()) list.sort((a, b) => (a.own - b.own) || (ts[a.i]! - ts[b.i]!));
  /** Index of the latest event of `task` with own counter <= `max` (< when `strict`), or -1. */
  const latest = (task: string, max: number, strict: boolean): number => {
    const list = byTask.get(task);
    if (!list) return -1;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (strict ? list[mid]!.own < max : list[mid]!.own <= max) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? -1 : list[lo - 1]!.i;
  };
  let end = 0;
  let start = 0;
  for (let i = 1; i < events.length; i++) {
    if (ts[i]! > ts[end]!) end = i;
    if (ts[i]! < ts[start]!) start = i;
  }
  const path: number[] = [];
  const seen = new Set<number>();
  for (let cur = end; cur >= 0 && !seen.has(cur) && seen.size < events.length;) {
    seen.add(cur);
    path.push(cur);
    const e = events[cur]!;
    const own = ownOf(e);
    let best = -1;
    const consider = (i: number) => {
      if (i >= 0 && i !== cur && !seen.has(i) && ts[i]! <= ts[cur]! && (best < 0 || ts[i]! > ts[best]!)) best = i;
    };
    if (own >= 0) consider(latest(e.metadata.thread_id, own, true));
    else {
      const list = byTask.get(e.metadata.thread_id)!;
      const at = list.findIndex((x) => x.i === cur);
      if (at > 0) consider(list[at - 1]!.i);
    }
    for (const [c, n] of e.causality_vector) if (c !== e.metadata.thread_id) consider(latest(c, n, false));
    cur = best;
  }
  path.reverse();
  const first = path[0]!;
  const last = path[path.length - 1]!;
  const total = (ts[last]! - ts[first]!) / 1000;
  const traceTotal = (ts[end]! - ts[start]!) / 1000;
  return {
    trace_id: traceId,
    path_events: path.length,
    total_duration_ms: total,
    trace_total_duration_ms: traceTotal,
    percentage_of_total: traceTotal > 0 ? Math.round((total / traceTotal) * 10000) / 100 : 100,
    path: path.slice(0, MAX_PATH).map((i) => {
      const e = events[i]!;
      return {
        id: e.id,
        kind: describeKind(e),
        location: locationOf(e),
        timestamp: e.timestamp,
        duration_ms: (e.metadata.duration_ns ?? 0) / 1e6,
        service_name: e.metadata.service_name,
        thread_id: e.metadata.thread_id,
      };
    }),
  };
}

/** Upstream's kind labels (`FunctionCall(name)`, `HttpRequest(GET url)`, …). */
function describeKind(e: RacewayEvent): string {
  const k = kindName(e);
  const v = (e.kind as unknown as Record<string, Record<string, unknown>>)[k] ?? {};
  switch (k) {
    case 'FunctionCall': return `FunctionCall(${String(v.function_name)})`;
    case 'StateChange': return `StateChange(${String(v.variable)})`;
    case 'HttpRequest': return `HttpRequest(${String(v.method)} ${String(v.url)})`;
    case 'HttpResponse': return `HttpResponse(${String(v.status)})`;
    default: return k;
  }
}

function locationOf(e: RacewayEvent): string {
  const k = kindName(e);
  const v = (e.kind as unknown as Record<string, Record<string, unknown>>)[k] ?? {};
  switch (k) {
    case 'FunctionCall': return `${String(v.file)}:${String(v.line)}`;
    case 'StateChange': return String(v.location);
    case 'HttpRequest': return String(v.url);
    case 'AsyncAwait': return String(v.awaited_at);
    case 'LockAcquire':
    case 'LockRelease': return String(v.location);
    default: return 'unknown';
  }
}
