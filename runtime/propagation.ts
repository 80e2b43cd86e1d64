/**
 * Trace context across services, in the headers the upstream Raceway SDKs use:
 *
 * * `traceparent` (W3C Trace Context): `00-<32 hex trace id>-<16 hex span id>-<2 hex flags>`, so an
 *   OpenTelemetry-instrumented caller or callee keeps one trace id with us;
 * * `tracestate` (W3C), passed on unchanged;
 * * `raceway-clock`: `v1;` + base64url of the JSON `{trace_id, span_id, parent_span_id, service,
 *   instance, clock}`, where `clock` is the sender's vector clock as `[component, counter]` pairs.
 *
 * A request that arrives with them continues the caller's trace and joins the caller's clock, so
 * everything the callee does happens after what the caller did before the call. A callee answers a
 * caller that sent `raceway-clock` with its own clock in the same response header, so what the
 * caller does after the response happens after the callee's work.
 *
 * Everything here reads header values as data (strings only) and never throws.
 */
import { randomBytes } from 'node:crypto';
import { Clock, blankComponent, type ClockComponent, type ClockPair } from './clock';
import type { Task } from './context';

export const TRACEPARENT = 'traceparent';
export const TRACESTATE = 'tracestate';
export const RACEWAY_CLOCK = 'raceway-clock';

/** Components a sent clock keeps at most: the task's own and its nearest ancestors' (about 2 KB encoded). */
export const MAX_SENT_COMPONENTS = 32;
/** A received header longer than this is ignored (Node's default limit for all headers is 16 KB). */
const MAX_HEADER_CHARS = 16_384;
/** Components of a received clock that are kept at most. */
const MAX_RECEIVED_COMPONENTS = 256;
/** A component name longer than this is not a task id or `service#instance`: the pair is dropped. */
const MAX_COMPONENT_CHARS = 256;
const CLOCK_PREFIX = 'v1;';

const TRACEPARENT_RE = /^([\da-f]{2})-([\da-f]{32})-([\da-f]{16})-([\da-f]{2})$/;
const UUID_RE = /^[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}$/;

/** What a request received from its caller (kept for the calls it makes in turn and for its answer). */
export interface RemoteParent {
  /** The caller's trace, in UUID form, or null when neither header named one. */
  trace: string | null;
  /** The span id of the caller's call (traceparent's parent-id), 16 hex digits, or null. */
  spanId: string | null;
  /** traceparent's flags (2 hex digits), passed on to our own calls. */
  flags: string;
  tracestate: string | null;
  /** The caller's clock (from `raceway-clock`), or null when it sent none. */
  clock: RemoteClock | null;
  /** The caller speaks `raceway-clock`: it is answered with ours. */
  racewayCaller: boolean;
}

/** First value of a header in Node's incoming form (string, or array for repeated headers). */
function headerValue(headers: Record<string, unknown> | undefined, name: string): string | null {
  if (headers === undefined || headers === null || typeof headers !== 'object') return null;
  const d = Object.getOwnPropertyDescriptor(headers, name);
  if (d === undefined || !('value' in d)) return null;
  const v: unknown = Array.isArray(d.value) ? (d.value as unknown[])[0] : d.value;
  return typeof v === 'string' && v.length <= MAX_HEADER_CHARS ? v : null;
}

/** 32 hex digits in the UUID form the Raceway event schema uses for trace ids. */
export function hexToUuid(hex32: string): string {
  return `${hex32.slice(0, 8)}-${hex32.slice(8, 12)}-${hex32.slice(12, 16)}-${hex32.slice(16, 20)}-${hex32.slice(20, 32)}`;
}

/** A trace id (UUID form, or any id) as traceparent's 32 hex digits; null when it has no such form. */
export function uuidToHex(trace: string): string | null {
  const hex = trace.replace(/-/g, '').toLowerCase();
  return /^[\da-f]{32}$/.test(hex) && !/^0+$/.test(hex) ? hex : null;
}

/** A parsed W3C traceparent, or null when the value is not a valid one (version ff and all-zero ids are invalid). */
export function parseTraceparent(v: string | null): { trace: string; spanId: string; flags: string } | null {
  if (v === null) return null;
  const m = TRACEPARENT_RE.exec(v.trim().toLowerCase());
  if (!m || m[1] === 'ff' || /^0+$/.test(m[2]!) || /^0+$/.test(m[3]!)) return null;
  return { trace: hexToUuid(m[2]!), spanId: m[3]!, flags: m[4]! };
}

/** A clock another process sent: its components by task id (they name no task of this process's clocks yet). */
export interface RemoteClock {
  readonly pairs: readonly (readonly [id: string, counter: number])[];
}

/** The pairs of a clock sent by another service, validated: string components, non-negative integer counters. */
function clockPairs(raw: unknown): [string, number][] | null {
  if (!Array.isArray(raw)) return null;
  const out: [string, number][] = [];
  for (const p of raw as unknown[]) {
    if (out.length >= MAX_RECEIVED_COMPONENTS) break;
    if (!Array.isArray(p) || p.length !== 2) continue;
    const [c, n] = p as [unknown, unknown];
    if (typeof c !== 'string' || c.length === 0 || c.length > MAX_COMPONENT_CHARS) continue;
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) continue;
    out.push([c, n]);
  }
  return out;
}

/** The payload of a `raceway-clock` header, or null when it is not a valid v1 one. */
export function parseRacewayClock(v: string | null): { trace: string | null; spanId: string | null; clock: RemoteClock } | null {
  if (v === null || !v.startsWith(CLOCK_PREFIX)) return null;
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(v.slice(CLOCK_PREFIX.length), 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return null;
  const p = payload as Record<string, unknown>;
  const pairs = clockPairs(p.clock);
  if (pairs === null) return null;
  const trace = typeof p.trace_id === 'string' && UUID_RE.test(p.trace_id.toLowerCase()) && !/^[0-]+$/.test(p.trace_id) ? p.trace_id.toLowerCase() : null;
  const spanId = typeof p.span_id === 'string' && p.span_id.length <= 64 ? p.span_id : null;
  return { trace, spanId, clock: { pairs } };
}

/**
 * The trace context an incoming request carries. `raceway-clock`'s trace id wins over
 * `traceparent`'s (as upstream: an OpenTelemetry agent in the caller may have rewritten traceparent
 * to its own trace); a traceparent alone (an OpenTelemetry caller) gives its trace id.
 */
export function parseIncoming(headers: Record<string, unknown> | undefined): RemoteParent | null {
  try {
    const tp = parseTraceparent(headerValue(headers, TRACEPARENT));
    const rc = parseRacewayClock(headerValue(headers, RACEWAY_CLOCK));
    if (tp === null && rc === null) return null;
    return {
      trace: rc?.trace ?? tp?.trace ?? null,
      spanId: tp?.spanId ?? (rc?.spanId !== null && rc?.spanId !== undefined && /^[\da-f]{16}$/.test(rc.spanId) ? rc.spanId : null),
      flags: tp?.flags ?? '01',
      tracestate: headerValue(headers, TRACESTATE),
      clock: rc?.clock ?? null,
      racewayCaller: rc !== null,
    };
  } catch {
    return null;
  }
}

// ---- what a recorded request received, by task ----------------------------------------------------

const remotes = new WeakMap<Task, RemoteParent>();

/** Notes what a request's task received from its caller. */
export function rememberRemote(task: Task, remote: RemoteParent): void {
  remotes.set(task, remote);
}

/** What the request that `task` works for received from its caller (walking up to the request's task). */
export function remoteOf(task: Task): RemoteParent | undefined {
  let t: Task | null = task;
  for (let depth = 0; t !== null && depth < 256; depth++, t = t.parent) {
    const r = remotes.get(t);
    if (r !== undefined) return r;
  }
  return undefined;
}

// ---- what is sent ---------------------------------------------------------------------------------

/** A new span id: 16 hex digits, not all zero. */
export function newSpanId(): string {
  const b = randomBytes(8);
  if (b.every((x) => x === 0)) b[7] = 1;
  return b.toString('hex');
}

/**
 * A clock as sent: at most `MAX_SENT_COMPONENTS` pairs, `own` first, then the most recently learned
 * ones (a task's clock lists its nearest ancestors last). A component left out only makes the
 * receiver know less (fewer accesses ordered), never order what did not happen in that order.
 */
export function boundedPairs(clock: Clock, own: string): [string, number][] {
  const pairs = clock.pairs;
  if (pairs.length <= MAX_SENT_COMPONENTS) return pairs.map((p) => [sentId(p[0]), p[1]]);
  const out: [string, number][] = [];
  const mine = pairs.find((p) => idOf(p[0]) === own);
  if (mine) out.push([sentId(mine[0]), mine[1]]);
  for (let i = pairs.length - 1; i >= 0 && out.length < MAX_SENT_COMPONENTS; i--) {
    const p = pairs[i]!;
    if (idOf(p[0]) !== own) out.push([sentId(p[0]), p[1]]);
  }
  return out;
}

/**
 * Components of this process sent in a header, by id, so that a clock coming back (the answer to
 * a call, or a request this process made to itself: a test suite calling its app through a
 * loopback socket) names the same components, which finish and retire (clock.ts), not stand-ins
 * for another process's tasks, which never do. Weak: a sent component does not outlive its task.
 * Bounded: beyond it the oldest is forgotten (a clock naming it then gets a stand-in).
 */
const sentComponents = new Map<string, WeakRef<ClockComponent>>();
const MAX_SENT_REMEMBERED = 50_000;

function sentId(c: ClockComponent | string): string {
  if (typeof c === 'string') return c;
  if (!remoteComponents.has(c.id) && sentComponents.get(c.id)?.deref() !== c) {
    if (sentComponents.size >= MAX_SENT_REMEMBERED) sentComponents.delete(sentComponents.keys().next().value as string);
    sentComponents.set(c.id, new WeakRef(c));
  }
  return c.id;
}

const idOf = (c: ClockComponent | string): string => (typeof c === 'string' ? c : c.id);

/**
 * Components of other processes' tasks, one object per task id (clocks tell components apart by
 * identity). Bounded: beyond it the oldest is forgotten, and a clock that still carries it and
 * learns it again would carry the id twice (the server keeps the larger counter).
 */
const remoteComponents = new Map<string, ClockComponent>();
const MAX_REMOTE_COMPONENTS = 50_000;

function remoteComponent(id: string): ClockComponent {
  let c = remoteComponents.get(id);
  if (c === undefined) {
    if (remoteComponents.size >= MAX_REMOTE_COMPONENTS) remoteComponents.delete(remoteComponents.keys().next().value as string);
    // Another process's task never finishes here: it is never retired into one of ours.
    c = blankComponent(id);
    remoteComponents.set(id, c);
  }
  return c;
}

/**
 * `task` learns a clock another process sent (a caller's request, a callee's answer). Ids of tasks
 * `task`'s clock already carries — its own, or ours coming back in a callee's answer — are the same
 * components, and so are ids of this process's components it sent earlier; the others are the
 * remote tasks' components.
 */
export function joinRemoteClock(task: Task, remote: RemoteClock): void {
  const known = new Map<string, ClockComponent>();
  for (const [c] of task.clock().pairs) known.set(c.id, c);
  const pairs: ClockPair[] = [];
  for (const [id, n] of remote.pairs) pairs.push([known.get(id) ?? sentComponents.get(id)?.deref() ?? remoteComponent(id), n]);
  task.joinClock(new Clock(pairs));
}

/** Who sends a header: the service and instance named in `raceway-clock`. */
export interface Sender {
  service: string;
  instance: string;
}

/** The sender a client's configuration names (the instance: `instanceId`, else the process id). */
export function senderOf(config: { serviceName: string; instanceId: string | null }): Sender {
  return { service: config.serviceName, instance: config.instanceId ?? String(process.pid) };
}

/** A `raceway-clock` value for `clock`, sent by `task` in the call (or answer) with span id `spanId`. */
export function encodeRacewayClock(task: Task, clock: Clock, spanId: string, parentSpanId: string | null, sender: Sender): string {
  const payload = {
    trace_id: task.trace,
    span_id: spanId,
    parent_span_id: parentSpanId,
    service: sender.service,
    instance: sender.instance,
    clock: boundedPairs(clock, task.id),
  };
  return CLOCK_PREFIX + Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
}

/** The traceparent of a call by `task` whose span id is `spanId` (flags as the request received them). */
export function traceparentFor(task: Task, spanId: string): string {
  const hex = uuidToHex(task.trace) ?? randomBytes(16).toString('hex');
  return `00-${hex}-${spanId}-${remoteOf(task)?.flags ?? '01'}`;
}

/** The headers a call made now by `task` carries: traceparent (a new span), tracestate kept, raceway-clock. */
export function outgoingHeaders(task: Task, sender: Sender, spanId: string = newSpanId()): Record<string, string> {
  const remote = remoteOf(task);
  const out: Record<string, string> = {
    [TRACEPARENT]: traceparentFor(task, spanId),
    [RACEWAY_CLOCK]: encodeRacewayClock(task, task.clock(), spanId, remote?.spanId ?? null, sender),
  };
  if (remote?.tracestate) out[TRACESTATE] = remote.tracestate;
  return out;
}
