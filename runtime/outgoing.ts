/**
 * Outgoing HTTP calls: each call made by a recorded task carries the trace context headers
 * (`propagation.ts`) and is recorded as an HttpRequest / HttpResponse pair of that task. Everything
 * goes through Node's `diagnostics_channel`, nothing is patched:
 *
 * * `fetch` and undici (the global one and the npm package publish on the same channels):
 *   `undici:request:create` (runs synchronously in the caller; headers are added with the request's
 *   own `addHeader`), `undici:request:headers` (the response arrived), `undici:request:error`;
 * * `http.request` / `https.request`: `http.client.request.created` (Node 22.12 and later: the
 *   request's headers are not sent yet, so they are added), `http.client.request.start` (recorded
 *   there when `created` does not exist: on Node 20 the headers are already stored then, so the
 *   call is recorded but carries no headers — `client.propagationHeaders()` gives them to add by
 *   hand), `http.client.response.finish`, `http.client.request.error`.
 *
 * A callee that answers with `raceway-clock` (a Raceway-instrumented service) has its clock joined
 * into the calling task when the response arrives: what the caller does once it has the response
 * happens after the callee's work.
 *
 * Which calls: `propagation: 'requests'` (the default) only calls made inside a recorded request
 * (the middleware started its trace); `'always'` also calls made outside requests (scripts, timers,
 * start-up); `'off'` none. Calls to the Raceway server itself are never touched. The handlers read
 * data properties only, call no program code, and never throw.
 */
import dc from 'node:diagnostics_channel';
import { ClientRequest, OutgoingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { ResolvedConfig } from './config';
import { currentTask, emitResponse, emitSpan, type Task } from './context';
import { emitError } from './errors';
import { peekData } from './peek';
import { RACEWAY_CLOCK, TRACEPARENT, TRACESTATE, joinRemoteClock, newSpanId, outgoingHeaders, parseRacewayClock, senderOf, traceparentFor, type Sender } from './propagation';
import { K, type Sink, type Span } from './record';
import { headerMap } from './text';

/** The client the handlers record into (the process-wide one, looked up at each call). */
export interface OutgoingHost extends Sink {
  readonly enabled: boolean;
  readonly config: ResolvedConfig;
}

/** One call in flight, by the request object undici or Node made for it. */
interface Call {
  task: Task;
  span: Span;
  startedAt: number;
}

interface OutgoingState {
  host: () => OutgoingHost | undefined;
  calls: WeakMap<object, Call>;
  /** Origin of the Raceway endpoint, per endpoint string (the shipper's own requests are left alone). */
  endpointOrigin: Map<string, string>;
}

const KEY = Symbol.for('raceway.outgoing.v1');
const g = globalThis as unknown as Record<symbol, OutgoingState | undefined>;

const setHeader = OutgoingMessage.prototype.setHeader;
const getHeader = OutgoingMessage.prototype.getHeader;
const headersSentDesc = Object.getOwnPropertyDescriptor(OutgoingMessage.prototype, 'headersSent');

/**
 * Subscribes the handlers (once per process, whatever the number of runtime copies): `host` gives
 * the client to record into. Later calls only replace `host`.
 */
export function installOutgoing(host: () => OutgoingHost | undefined): void {
  const existing = g[KEY];
  if (existing !== undefined) {
    existing.host = host;
    return;
  }
  const state: OutgoingState = { host, calls: new WeakMap(), endpointOrigin: new Map() };
  g[KEY] = state;
  const on = (name: string, fn: (msg: Record<string, unknown>, state: OutgoingState) => void) => {
    try {
      dc.subscribe(name, (msg) => {
        try { fn(msg as Record<string, unknown>, state); } catch { /* never into the app */ }
      });
    } catch { /* a Node without diagnostics_channel.subscribe: nothing is recorded */ }
  };
  on('undici:request:create', undiciCreate);
  on('undici:request:headers', undiciHeaders);
  on('undici:request:error', callError);
  on('http.client.request.created', httpCreated);
  on('http.client.request.start', httpStart);
  on('http.client.response.finish', httpFinish);
  on('http.client.request.error', callError);
}

/** The client and task a call made now is recorded in, or null when it is not recorded. */
function recorder(state: OutgoingState, origin: string): { host: OutgoingHost; task: Task } | null {
  const host = state.host();
  if (host === undefined || !host.enabled) return null;
  const mode = host.config.propagation;
  if (mode === 'off') return null;
  if (origin !== '' && origin === endpointOrigin(state, host.config.endpoint)) return null;
  const task = currentTask();
  if (!task.sampled || (mode === 'requests' && !task.inRequest)) return null;
  return { host, task };
}

function endpointOrigin(state: OutgoingState, endpoint: string): string {
  let o = state.endpointOrigin.get(endpoint);
  if (o === undefined) {
    try { o = new URL(endpoint).origin; } catch { o = ''; }
    if (state.endpointOrigin.size > 16) state.endpointOrigin.clear();
    state.endpointOrigin.set(endpoint, o);
  }
  return o;
}

function sender(host: OutgoingHost): Sender {
  return senderOf(host.config);
}

function str(o: object, key: string): string {
  const v = peekData(o, key).value;
  return typeof v === 'string' ? v : '';
}

/** Node's own accessor of a request's path (Node 24 keeps the path behind it; Node 20 as a data property). */
const NODE_PATH_GETTER = Object.getOwnPropertyDescriptor(ClientRequest.prototype, 'path')?.get;

/** A request's path: a data property, or Node's own accessor (a subclass's accessor is not called). */
function requestPath(request: object): string {
  const v = peekData(request, 'path', NODE_PATH_GETTER).value;
  return typeof v === 'string' ? v : '';
}

/** Headers as undici keeps them (an array of alternating names and values; a `name: value\r\n` string in undici 5) or Node's `rawHeaders`, with lower-cased names. */
function undiciHeaderMap(raw: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(raw)) {
    for (let i = 0; i + 1 < raw.length && i < 512; i += 2) {
      const k = raw[i];
      const v = raw[i + 1];
      const name = typeof k === 'string' ? k : Buffer.isBuffer(k) ? k.toString('latin1') : null;
      const value = typeof v === 'string' ? v : Buffer.isBuffer(v) ? v.toString('latin1') : Array.isArray(v) ? v.filter((x) => typeof x === 'string').join(', ') : null;
      if (name !== null && value !== null) {
        const key = name.toLowerCase();
        out[key] = key in out ? `${out[key]}, ${value}` : value;
      }
    }
  } else if (typeof raw === 'string') {
    for (const line of raw.split('\r\n')) {
      const i = line.indexOf(':');
      if (i > 0) out[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
    }
  }
  return out;
}

/** The headers recorded on an event: credentials redacted, the (large) clock header left out. */
function recordedHeaders(h: Record<string, string>): Record<string, string> {
  const out = headerMap(h);
  delete out[RACEWAY_CLOCK];
  return out;
}

/** Starts recording a call: its HttpRequest event, in `task`, without making it the task's current span (the task goes on meanwhile). */
function startCall(state: OutgoingState, request: object, host: OutgoingHost, task: Task, method: string, url: string, headers: Record<string, string>): void {
  const span = emitSpan(host, task, K.HttpRequest, method, url, recordedHeaders(headers), null);
  state.calls.set(request, { task, span, startedAt: performance.now() });
}

/** The response arrived: its HttpResponse event (child of the call's HttpRequest), and the callee's clock joined. */
function endCall(state: OutgoingState, request: object, status: number, headers: Record<string, string>): void {
  const call = state.calls.get(request);
  if (call === undefined) return;
  state.calls.delete(request);
  const host = state.host();
  if (host === undefined || !host.enabled) return;
  const task = call.task;
  const callee = parseRacewayClock(headers[RACEWAY_CLOCK] ?? null);
  if (callee !== null && callee.trace === task.trace) joinRemoteClock(task, callee.clock);
  const ms = performance.now() - call.startedAt;
  const prev = task.span;
  task.span = call.span;
  try {
    emitResponse(host, task, Math.min(65535, Math.max(0, Math.floor(status))), recordedHeaders(headers), null, ms);
  } finally {
    task.span = prev;
  }
}

function callError(msg: Record<string, unknown>, state: OutgoingState): void {
  const request = msg.request;
  if (request === null || typeof request !== 'object') return;
  const call = state.calls.get(request);
  if (call === undefined) return;
  state.calls.delete(request);
  const host = state.host();
  if (host === undefined || !host.enabled) return;
  const prev = call.task.span;
  call.task.span = call.span;
  try {
    emitError(host, call.task, msg.error);
  } finally {
    call.task.span = prev;
  }
}

// ---- undici / fetch -------------------------------------------------------------------------------

function undiciCreate(msg: Record<string, unknown>, state: OutgoingState): void {
  const request = msg.request;
  if (request === null || typeof request !== 'object') return;
  const origin = str(request, 'origin');
  const r = recorder(state, origin);
  if (r === null) return;
  const addHeader = peekData(request, 'addHeader').value;
  const existing = undiciHeaderMap(peekData(request, 'headers').value);
  const spanId = newSpanId();
  // traceparent does not depend on the clock: known before the HttpRequest event, so recorded with it.
  const sent: Record<string, string> = { ...existing };
  if (sent[TRACEPARENT] === undefined) sent[TRACEPARENT] = traceparentFor(r.task, spanId);
  startCall(state, request, r.host, r.task, str(request, 'method') || 'GET', origin + str(request, 'path'), sent);
  if (typeof addHeader !== 'function') return;
  // The clock after the HttpRequest event: the callee happens after the call.
  const after = outgoingHeaders(r.task, sender(r.host), spanId);
  // An app (or an OpenTelemetry agent) that set its own trace context keeps it; undici would append a second value.
  if (existing[TRACEPARENT] === undefined) addHeader.call(request, TRACEPARENT, after[TRACEPARENT]);
  if (existing[TRACESTATE] === undefined && after[TRACESTATE] !== undefined) addHeader.call(request, TRACESTATE, after[TRACESTATE]);
  if (existing[RACEWAY_CLOCK] === undefined) addHeader.call(request, RACEWAY_CLOCK, after[RACEWAY_CLOCK]);
}

/** A channel message saying the response of a recorded call arrived: its headers are the response's `headersKey` (a flat name/value list). */
function responseArrived(msg: Record<string, unknown>, state: OutgoingState, headersKey: string): void {
  const request = msg.request;
  const response = msg.response;
  if (request === null || typeof request !== 'object' || response === null || typeof response !== 'object') return;
  if (!state.calls.has(request)) return;
  const status = peekData(response, 'statusCode').value;
  endCall(state, request, typeof status === 'number' ? status : 0, undiciHeaderMap(peekData(response, headersKey).value));
}

function undiciHeaders(msg: Record<string, unknown>, state: OutgoingState): void {
  responseArrived(msg, state, 'headers');
}

// ---- node:http / node:https -----------------------------------------------------------------------

function httpTarget(request: object): { method: string; url: string } {
  const protocol = str(request, 'protocol') || 'http:';
  let host = '';
  try {
    const h = getHeader.call(request as OutgoingMessage, 'host');
    if (typeof h === 'string') host = h;
  } catch { /* no header table yet */ }
  if (host === '') host = str(request, 'host');
  return { method: str(request, 'method') || 'GET', url: `${protocol}//${host}${requestPath(request)}` };
}

/** The request's own `traceparent` (set by the app, `propagationHeaders()` or an OpenTelemetry agent), recorded with the call so the callee can be matched to it. */
function ownTraceparent(request: object): Record<string, string> {
  try {
    const v = getHeader.call(request as OutgoingMessage, TRACEPARENT);
    return typeof v === 'string' ? { [TRACEPARENT]: v } : {};
  } catch {
    return {};
  }
}

function headersSent(request: object): boolean {
  try {
    return headersSentDesc?.get?.call(request) === true;
  } catch {
    return true;
  }
}

/** Node 22.12 and later: the request exists and its headers are not sent: add ours, record the call. */
function httpCreated(msg: Record<string, unknown>, state: OutgoingState): void {
  const call = httpCall(msg, state);
  if (call === null) return;
  const { request, target, r } = call;
  const spanId = newSpanId();
  const canAdd = !headersSent(request);
  const has = (name: string) => {
    try { return getHeader.call(request as OutgoingMessage, name) !== undefined; } catch { return true; }
  };
  const traceparent = has(TRACEPARENT) ? null : traceparentFor(r.task, spanId);
  const recorded = traceparent !== null && canAdd ? { [TRACEPARENT]: traceparent } : ownTraceparent(request);
  startCall(state, request, r.host, r.task, target.method, target.url, recorded);
  if (!canAdd) return;
  const after = outgoingHeaders(r.task, sender(r.host), spanId);
  if (traceparent !== null) setHeader.call(request as OutgoingMessage, TRACEPARENT, after[TRACEPARENT]!);
  if (after[TRACESTATE] !== undefined && !has(TRACESTATE)) setHeader.call(request as OutgoingMessage, TRACESTATE, after[TRACESTATE]);
  if (!has(RACEWAY_CLOCK)) setHeader.call(request as OutgoingMessage, RACEWAY_CLOCK, after[RACEWAY_CLOCK]!);
}

/** The request of an `http.client.request.*` message and who records it; null when the call is not recorded, or already is. */
function httpCall(msg: Record<string, unknown>, state: OutgoingState): { request: object; target: { method: string; url: string }; r: { host: OutgoingHost; task: Task } } | null {
  const request = msg.request;
  if (request === null || typeof request !== 'object' || state.calls.has(request)) return null;
  const target = httpTarget(request);
  const r = recorder(state, originOf(target.url));
  return r === null ? null : { request, target, r };
}

function originOf(url: string): string {
  const m = /^([a-z][a-z\d+.-]*:\/\/[^/?#]*)/i.exec(url);
  return m ? m[1]!.toLowerCase() : '';
}

/** Where `created` does not exist (Node 20): the call is recorded, its headers are already stored. */
function httpStart(msg: Record<string, unknown>, state: OutgoingState): void {
  const call = httpCall(msg, state);
  if (call !== null) startCall(state, call.request, call.r.host, call.r.task, call.target.method, call.target.url, ownTraceparent(call.request));
}

function httpFinish(msg: Record<string, unknown>, state: OutgoingState): void {
  responseArrived(msg, state, 'rawHeaders');
}
