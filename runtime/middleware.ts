/**
 * HTTP server middleware: every request is a trace and a task of its own (continuing an incoming W3C
 * `traceparent`), bracketed by HttpRequest and HttpResponse events; thrown errors become Error events.
 */
import { performance } from 'node:perf_hooks';
import { ambientTask, currentTask, emit, emitResponse, emitSpan, enterTask, leaveTo, newTraceTask, recordedRequestEnded, quietTask, recordedRequestStarted, rootTask, runInTask, serverTask, setThrottled, storedSegment, type Task } from './context';
import { traceIdToUuid } from './ids';
import type { Sampler } from './sampler';
import { K, type Sink } from './record';
import { emitError } from './errors';
import { headerMap } from './text';
import { OutgoingMessage, ServerResponse } from 'node:http';
import { types } from 'node:util';
import { peekData } from './peek';
import { RACEWAY_CLOCK, encodeRacewayClock, joinRemoteClock, newSpanId, parseIncoming, rememberRemote, remoteOf, senderOf } from './propagation';

/** Where the request's task is kept on Koa's `ctx` and Express's `req`. */
export const REQUEST_TASK: unique symbol = Symbol.for('raceway.requestTask');

/** The parts of a Koa context the middleware reads. */
export interface KoaLikeContext {
  method: string;
  url: string;
  status: number;
  headers?: Record<string, string | string[] | undefined>;
  get?(field: string): string;
  [key: symbol]: unknown;
}
export type KoaMiddleware = (ctx: KoaLikeContext, next: () => Promise<unknown>) => Promise<void>;

/** The parts of Node's request/response the Express middleware reads. */
export interface ExpressLikeRequest {
  method?: string;
  originalUrl?: string;
  url?: string;
  headers: Record<string, string | string[] | undefined>;
  [key: symbol]: unknown;
}
export interface ExpressLikeResponse {
  statusCode: number;
  writableFinished?: boolean;
  once(event: 'finish' | 'close', listener: () => void): unknown;
}
export type ExpressMiddleware = (req: ExpressLikeRequest, res: ExpressLikeResponse, next: (err?: unknown) => void) => void;
export type ExpressErrorMiddleware = (err: unknown, req: ExpressLikeRequest, res: ExpressLikeResponse, next: (err?: unknown) => void) => void;

const TRACEPARENT = /^[\da-f]{2}-([\da-f]{32})-([\da-f]{16})-[\da-f]{2}$/;

/** The trace id (UUID form) of a valid W3C traceparent header, else null. */
export function traceFromHeader(header: unknown): string | null {
  const v = Array.isArray(header) ? header[0] : header;
  if (typeof v !== 'string') return null;
  const m = TRACEPARENT.exec(v.trim().toLowerCase());
  if (!m || /^0+$/.test(m[1]!)) return null;
  return traceIdToUuid(m[1]!);
}

/** What the middleware needs of the client (`RacewayClient`): where events go, whether capture is on, sampling. */
export interface RequestClient extends Sink {
  readonly enabled: boolean;
  readonly sampler: Sampler;
  readonly capturedCount: number;
  /** Names this service in the `raceway-clock` answers to other services. */
  readonly config: { readonly serviceName: string; readonly instanceId: string | null };
}

/**
 * Whether the request starting now is recorded (and whether requests are being left out). Decided
 * before anything is read from the request: one left out gets the shared quiet task and costs this
 * and nothing else.
 */
function admit(client: RequestClient): boolean {
  const now = performance.now();
  const sampler = client.sampler;
  const sampled = sampler.decide(now, client.capturedCount);
  updateThrottle(sampler, now);
  return sampled;
}

/**
 * A recorded request's task and its HttpRequest event. A request from another service continues
 * the caller's trace (`raceway-clock`'s or `traceparent`'s trace id) and joins the caller's vector
 * clock (`raceway-clock`), so what it does happens after what the caller did before the call.
 */
function startRequest(client: RequestClient, method: string, url: string, headers: Record<string, string | string[] | undefined> | undefined): Task {
  const remote = parseIncoming(headers);
  // Forked from the task the server runs in (the root, or an async `main()` that called listen()),
  // so handlers defined in that task's functions recognise the request as theirs.
  const task = newTraceTask(serverTask(), `${method} ${url.split('?')[0]}`, remote?.trace ?? null);
  if (remote !== null) {
    if (remote.clock !== null) joinRemoteClock(task, remote.clock);
    rememberRemote(task, remote);
  }
  recordedRequestStarted();
  const recorded = headerMap(headers);
  delete recorded[RACEWAY_CLOCK]; // the caller's clock is in this event's clock; the header is large
  task.span = emitSpan(client, task, K.HttpRequest, method, url, recorded, null);
  return task;
}

const setResponseHeader = OutgoingMessage.prototype.setHeader;
const responseHeadersSent = Object.getOwnPropertyDescriptor(OutgoingMessage.prototype, 'headersSent')?.get;

/**
 * A caller that sent `raceway-clock` gets the request's final clock back in the same header (before
 * the response's headers are written), so what it does after the response happens after this
 * request's work. Only Node's own `setHeader` runs, on the response object Node made.
 */
function answerClock(client: RequestClient, res: unknown, task: Task): void {
  const remote = remoteOf(task);
  if (remote === undefined || !remote.racewayCaller || task.finalOwn < 0) return;
  if (res === null || typeof res !== 'object' || types.isProxy(res) || !(res instanceof OutgoingMessage) || responseHeadersSent?.call(res) !== false) return;
  const final = task.finalClock();
  if (final === null) return;
  setResponseHeader.call(res, RACEWAY_CLOCK, encodeRacewayClock(task, final, remote.spanId ?? newSpanId(), null, senderOf(client.config)));
}

let throttleTimer: NodeJS.Timeout | null = null;

/** Tells the context whether requests are being left out, and looks again once the hold has passed (a service that goes quiet must not stay throttled until its next request). */
function updateThrottle(sampler: Sampler, now: number): void {
  const on = sampler.throttling(now);
  setThrottled(on);
  if (on && throttleTimer === null) {
    throttleTimer = setTimeout(() => {
      throttleTimer = null;
      updateThrottle(sampler, performance.now());
    }, Math.max(1, sampler.throttlingUntil - now + 1));
    throttleTimer.unref();
  }
}

function endRequest(sink: Sink, task: Task, status: number, startedAt: number): void {
  if (!task.sampled) return;
  task.resumeSegment(); // the handler's tasks have finished: the response happens after them
  const ms = performance.now() - startedAt;
  emitResponse(sink, task, status, {}, null, ms);
  task.finish();
  recordedRequestEnded();
}

/**
 * Express writes a response's headers from inside the app's handler (`res.json()` ends in
 * `writeHead`), and Node has no channel just before that: for a caller that sent `raceway-clock`,
 * this one response's `writeHead` is wrapped to add the header — the clock of the task responding,
 * which has seen the request's work so far — and then call the method it replaced.
 */
function answerClockOnHeaders(client: RequestClient, res: unknown, task: Task): void {
  const remote = remoteOf(task);
  if (remote === undefined || !remote.racewayCaller) return;
  if (res === null || typeof res !== 'object' || types.isProxy(res) || !(res instanceof ServerResponse)) return;
  const previous = peekData(res, 'writeHead').value;
  if (typeof previous !== 'function') return;
  const sender = senderOf(client.config);
  Object.defineProperty(res, 'writeHead', {
    configurable: true,
    writable: true,
    value: function writeHead(this: ServerResponse, ...args: unknown[]): unknown {
      try {
        if (responseHeadersSent?.call(this) === false) {
          const now = currentTask();
          const from = now.sampled && remoteOf(now) === remote ? now : task;
          setResponseHeader.call(this, RACEWAY_CLOCK, encodeRacewayClock(from, from.clock(), remote.spanId ?? newSpanId(), null, sender));
        }
      } catch { /* never into the app */ }
      return (previous as (...a: unknown[]) => unknown).apply(this, args);
    },
  });
}

export function koaMiddleware(client: RequestClient): KoaMiddleware {
  return function racewayKoa(ctx, next) {
    // Koa ignores what middleware promises resolve to: next()'s own promise is returned as is.
    if (!client.enabled) return next() as Promise<void>;
    let task: Task;
    try {
      task = admit(client) ? startRequest(client, ctx.method, ctx.url, ctx.headers) : quietTask();
      ctx[REQUEST_TASK] = task;
    } catch {
      return next() as Promise<void>;
    }
    // A request left out by sampling runs as if the middleware were not there: its code finds no
    // recorded task and records nothing (see `currentTask`).
    if (!task.sampled) return next() as Promise<void>;
    const startedAt = performance.now();
    return runInTask(task, async () => {
      const prev = ambientTask();
      const prevStore = storedSegment();
      enterTask(task);
      let pending: Promise<unknown>;
      try {
        pending = next();
      } catch (err) {
        leaveTo(prev, prevStore);
        try { emitError(client, task, err); endRequest(client, task, statusOf(err), startedAt); } catch { /* never into the app */ }
        throw err;
      }
      leaveTo(prev, prevStore);
      try {
        await pending;
      } catch (err) {
        try { emitError(client, task, err); endRequest(client, task, statusOf(err), startedAt); } catch { /* never into the app */ }
        throw err;
      }
      try {
        endRequest(client, task, ctx.status, startedAt);
        answerClock(client, peekData(ctx, 'res').value, task);
      } catch { /* never into the app */ }
    });
  };
}

function statusOf(err: unknown): number {
  const s = (err as { status?: unknown; statusCode?: unknown } | null)?.status ?? (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof s === 'number' && s >= 100 && s < 600 ? s : 500;
}

export function expressMiddleware(client: RequestClient): ExpressMiddleware {
  return function racewayExpress(req, res, next) {
    if (!client.enabled) return next();
    let startedAt = 0;
    let task: Task;
    try {
      task = admit(client) ? startRequest(client, req.method ?? 'GET', req.originalUrl ?? req.url ?? '/', req.headers) : quietTask();
      req[REQUEST_TASK] = task;
      let ended = false;
      const end = () => {
        if (ended) return;
        ended = true;
        try { endRequest(client, task, res.statusCode, startedAt); } catch { /* never into the app */ }
      };
      if (task.sampled) {
        startedAt = performance.now();
        res.once('finish', end);
        res.once('close', end);
        answerClockOnHeaders(client, res, task);
      }
    } catch {
      return next();
    }
    if (!task.sampled) return next();
    runInTask(task, () => {
      const prev = ambientTask();
      const prevStore = storedSegment();
      enterTask(task);
      try {
        next();
      } finally {
        leaveTo(prev, prevStore);
      }
    });
  };
}

export function expressErrorHandler(client: RequestClient): ExpressErrorMiddleware {
  return function racewayExpressErrors(err, req, _res, next) {
    try {
      const task = req[REQUEST_TASK] as Task | undefined;
      if (client.enabled) emitError(client, task ?? rootTask(), err);
    } catch { /* never into the app */ }
    next(err);
  };
}
