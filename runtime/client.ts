/**
 * The public client (the Raceway client API). Capture methods record into the calling task's context
 * (trace, span, vector clock, lock set) and return immediately; the transport ships later.
 *
 * Why one module of this size: it is the client API, one method per capture call of the Raceway
 * client SDKs, plus the process-wide client.
 */
import { configFromEnv, resolveConfig, type RacewayConfig, type ResolvedConfig } from './config';
import { currentTask, emit, emitResponse, emitSpan, exitSpan, rootTask, setRecordingOff, type Task } from './context';
import { skippedReads } from './epoch';
import type { AccessType, EventKind, JsonValue } from '../protocol/events';
import { randomId, uuidV7 } from './ids';
import { expressErrorHandler, expressMiddleware, koaMiddleware, type ExpressErrorMiddleware, type ExpressMiddleware, type KoaMiddleware } from './middleware';
import { K, type Sink } from './record';
import { captureValue, snapshot, snapshotPlain } from './serialize';
import { headerMap, text } from './text';
import { peekData } from './peek';
import { types } from 'node:util';
import { Sampler } from './sampler';
import { emitError } from './errors';
import { Transport, type TransportStats } from './transport';
import { installOutgoing } from './outgoing';
import { outgoingHeaders, senderOf } from './propagation';

/**
 * Counters of a client (`client.stats()`): `captured = sent + dropped + rejected + queued` at every
 * moment (see `TransportStats`).
 */
export interface RacewayStats extends TransportStats {
  /**
   * Capture calls that recorded nothing because an argument could not be used (an access type that
   * is none of the five, a status, line or duration that is not a number) or converting it failed.
   * Not part of `captured`.
   */
  failed: number;
  /** Requests (traces started by the Koa/Express middleware) recorded. */
  requestsRecorded: number;
  /** Requests left out by `sampleRate` or by the `maxEventsPerSecond` budget. */
  requestsLeftOut: number;
  /**
   * Reads of instrumented code left out in this process because they repeated the two before them
   * in one epoch and could change no race report (`epoch.ts`). Not part of `captured`.
   */
  readsLeftOut: number;
}

function log(config: ResolvedConfig, msg: string): void {
  if (config.debug) process.stderr.write(`[raceway] ${msg}\n`);
}


/** How long `flush()` waits at most unless told otherwise. */
export const DEFAULT_FLUSH_TIMEOUT_MS = 10_000;

export class RacewayClient implements Sink {
  readonly config: ResolvedConfig;
  private transport: Transport | null = null;
  private exitHooks: (() => void) | null = null;
  private shutDown = false;
  /** Decides which requests are recorded (see `sampler.ts`). */
  readonly sampler: Sampler;
  /** Capture calls that recorded nothing (`stats().failed`). */
  private failedCaptures = 0;

  constructor(config: RacewayConfig = {}) {
    this.config = resolveConfig(config);
    this.sampler = new Sampler(this.config);
    if (this.config.enabled) {
      const from = adopting?.transport ?? null;
      this.transport = new Transport(this.config, (m) => log(this.config, m), from, creatingImplicit);
      if (this.config.handleExit) this.installExitHooks();
      if (this.config.propagation !== 'off') installOutgoing(() => holder.c);
    }
  }

  /** `init()` replaces this implicit client: it stops without shipping if its events were taken over. */
  private retire(): void {
    if (this.transport?.isDetached) {
      this.shutDown = true;
      syncRecordingOff();
      this.removeExitHooks();
      return;
    }
    void this.shutdown();
  }

  /** True when events are being captured and shipped. */
  get enabled(): boolean {
    return this.transport !== null && !this.shutDown;
  }

  write(k: K, seq: number, ts: number, task: Task, a: unknown, b: unknown, c: unknown, d: unknown, e: unknown, dur: number | null): void {
    this.transport?.write(k, seq, ts, task, a, b, c, d, e, dur);
  }

  // ---- client API -----------------------------------------------------------------------------

  /** Records a complete event kind as given (e.g. kinds this client has no helper for). */
  captureEvent(kind: EventKind, task: Task = currentTask()): void {
    if (!this.transport) return;
    try { emit(this, task, K.Raw, snapshotPlain(kind)); } catch { this.captureFailed(); }
  }

  /** A read or write of `variable`. Values are snapshotted now; `undefined` is sent as null. */
  captureStateChange(variable: string, oldValue: unknown, newValue: unknown, location: string, accessType: AccessType = 'Write'): void {
    if (!this.transport) return;
    try { emit(this, currentTask(), K.StateChange, text(variable), captureValue(oldValue), captureValue(newValue), text(location), accessTypeOf(accessType)); } catch { this.captureFailed(); }
  }

  /**
   * A function entry. It becomes the current span: events captured until the matching
   * `exitFunction()` have it as `parent_id`.
   */
  captureFunctionCall(functionName: string, args: Record<string, unknown> | unknown[] = {}, location: { module?: string; file?: string; line?: number } = {}): void {
    if (!this.transport) return;
    try {
      const task = currentTask();
      const name = text(functionName);
      // The location's fields as data properties (a getter or Proxy trap would run the app's code).
      const at: object = location !== null && typeof location === 'object' && !types.isProxy(location) ? location : {};
      const line = numberOf(peekData(at, 'line').value ?? 0);
      task.span = emitSpan(this, task, K.FunctionCall, name, text(peekData(at, 'module').value ?? ''), snapshot(args), text(peekData(at, 'file').value ?? ''), Math.max(0, Math.floor(line)));
      task.fn = name;
    } catch { this.captureFailed(); }
  }

  /** The Raceway client API's context operation: same as `captureFunctionCall`. */
  enterFunction(functionName: string, args: Record<string, unknown> | unknown[] = {}, location: { module?: string; file?: string; line?: number } = {}): void {
    this.captureFunctionCall(functionName, args, location);
  }

  /** Closes the span opened by the latest `captureFunctionCall` / `enterFunction` in this task. */
  exitFunction(): void {
    const task = currentTask();
    const span = task.span;
    if (span) exitSpan(task, span.parent);
  }

  /** Id of the current span's event (its FunctionCall or HttpRequest), or null. */
  getCurrentSpan(): string | null {
    const span = currentTask().span;
    return span ? uuidV7(span.ts, span.seq) : null;
  }

  /** A task spawned by the current one (for hand-instrumented code; instrumented code does this itself). */
  captureAsyncSpawn(taskId: string = randomId(), spawnedBy?: string): void {
    if (!this.transport) return;
    try {
      const task = currentTask();
      emit(this, task, K.AsyncSpawn, text(taskId), spawnedBy === undefined ? task.fn : text(spawnedBy));
    } catch { this.captureFailed(); }
  }

  /** An await of `futureId` at `location`. */
  captureAsyncAwait(futureId: string = randomId(), location = ''): void {
    if (!this.transport) return;
    try { emit(this, currentTask(), K.AsyncAwait, text(futureId), text(location)); } catch { this.captureFailed(); }
  }

  /** Records a lock acquisition (use `Mutex`/`withLock` to get real exclusion and happens-before). */
  captureLockAcquire(lockId: string, lockType = 'Mutex', location = ''): void {
    if (!this.transport) return;
    try { emit(this, currentTask(), K.LockAcquire, text(lockId), text(lockType), text(location)); } catch { this.captureFailed(); }
  }

  captureLockRelease(lockId: string, lockType = 'Mutex', location = ''): void {
    if (!this.transport) return;
    try { emit(this, currentTask(), K.LockRelease, text(lockId), text(lockType), text(location)); } catch { this.captureFailed(); }
  }

  captureHttpRequest(method: string, url: string, headers: Record<string, unknown> = {}, body: unknown = null): void {
    if (!this.transport) return;
    try {
      const task = currentTask();
      task.span = emitSpan(this, task, K.HttpRequest, text(method), text(url), headerMap(headers), snapshot(body));
    } catch { this.captureFailed(); }
  }

  /** `duration` in milliseconds. */
  captureHttpResponse(status: number, headers: Record<string, unknown> = {}, body: unknown = null, duration = 0): void {
    if (!this.transport) return;
    try {
      const ms = Math.max(0, Math.round(numberOf(duration)));
      emitResponse(this, currentTask(), Math.min(65535, Math.max(0, Math.floor(numberOf(status)))), headerMap(headers), snapshot(body), ms);
    } catch { this.captureFailed(); }
  }

  captureError(error: unknown): void {
    if (!this.transport) return;
    try { emitError(this, currentTask(), error); } catch { this.captureFailed(); }
  }

  captureCustom(name: string, data: unknown = null): void {
    if (!this.transport) return;
    try { emit(this, currentTask(), K.Custom, text(name), snapshot(data)); } catch { this.captureFailed(); }
  }

  /**
   * Resolves when everything captured so far is delivered or definitively dropped, or after
   * `timeoutMs` (default 10 s) with the rest still queued: a server that accepts connections and
   * never answers cannot hold the caller for the transport's retries. Never rejects.
   */
  flush(timeoutMs: number = DEFAULT_FLUSH_TIMEOUT_MS): Promise<void> {
    if (!this.transport) return Promise.resolve();
    const ms = typeof timeoutMs === 'number' && timeoutMs >= 0 ? Math.min(timeoutMs, 2 ** 31 - 1) : DEFAULT_FLUSH_TIMEOUT_MS;
    return this.transport.flushFor(ms).catch(() => undefined);
  }

  /** Final flush (bounded by `shutdownTimeout`), then timers and sockets are released. */
  async shutdown(): Promise<void> {
    if (this.shutDown) return;
    this.shutDown = true;
    syncRecordingOff();
    this.removeExitHooks();
    await this.transport?.close(this.config.shutdownTimeout).catch(() => undefined);
  }

  /** Counters (see `RacewayStats`); `captured = sent + dropped + rejected + queued` holds in every answer. */
  stats(): RacewayStats {
    const t = this.transport ? this.transport.stats() : { captured: 0, sent: 0, dropped: 0, rejected: 0, queued: 0, failedRequests: 0 };
    return { ...t, failed: this.failedCaptures, requestsRecorded: this.sampler.recorded, requestsLeftOut: this.sampler.leftOut, readsLeftOut: skippedReads() };
  }

  /** A capture call recorded nothing: its arguments could not be used (`stats().failed`). */
  private captureFailed(): void {
    this.failedCaptures++;
  }

  /** For the instrumentation hooks: a capture of theirs failed and recorded nothing (`stats().failed`). */
  countFailedCapture(): void {
    this.failedCaptures++;
  }

  /** Events captured so far (what the sampling budget is measured against). */
  get capturedCount(): number {
    return this.transport ? this.transport.capturedCount : 0;
  }

  /**
   * The headers that carry the current task's trace and vector clock to another service
   * (`traceparent`, `tracestate` when the request received one, `raceway-clock`), for calls the
   * runtime does not see (a client other than fetch/undici/http, a message queue) or `http.request`
   * on Node versions before 22.12, whose headers cannot be added for it. `{}` when nothing is
   * recorded here.
   */
  propagationHeaders(): Record<string, string> {
    if (!this.transport) return {};
    try {
      const task = currentTask();
      if (!task.sampled) return {};
      return outgoingHeaders(task, senderOf(this.config));
    } catch {
      return {};
    }
  }

  /** Koa middleware: a trace per request. See `middleware.ts`. */
  koa(): KoaMiddleware {
    return koaMiddleware(this);
  }

  /** Express/Connect middleware: a trace per request. */
  express(): ExpressMiddleware {
    return expressMiddleware(this);
  }

  /** Express error handler that records the error and passes it on; mount after your routes. */
  expressErrorHandler(): ExpressErrorMiddleware {
    return expressErrorHandler(this);
  }

  // ---- exit -----------------------------------------------------------------------------------

  private installExitHooks(): void {
    const transport = this.transport!;
    const bound = this.config.shutdownTimeout;
    let flushingOnExit = false;
    // One time bound for the whole exit, however many times the loop empties and beforeExit fires
    // again (it does after every flush round): a slow or unreachable server cannot keep us alive.
    let exitBy = 0;
    const remaining = () => {
      if (exitBy === 0) exitBy = Date.now() + bound;
      return exitBy - Date.now();
    };
    const onBeforeExit = () => {
      if (flushingOnExit || transport.stats().queued === 0) return;
      const left = remaining();
      if (left <= 0) return;
      flushingOnExit = true;
      void transport.flushWithin(left).finally(() => { flushingOnExit = false; });
    };
    const onSignal = (signal: NodeJS.Signals) => {
      // Flush, then let the signal do what it would have done without us: if nobody else listens,
      // re-raise it so the default action (exit by signal) happens; otherwise the app decides.
      const othersListen = process.listenerCount(signal) > 1;
      void transport.flushWithin(othersListen ? bound : Math.max(0, remaining())).finally(() => {
        transport.noticeUndelivered();
        if (!othersListen) {
          this.removeExitHooks();
          process.kill(process.pid, signal);
        }
      });
    };
    // process.exit() skips beforeExit: block briefly while the shipping thread delivers the rest.
    const onExit = () => {
      try {
        const left = remaining();
        const delivered = left > 0 ? transport.flushSync(left) : transport.stats().queued === 0;
        if (!delivered) transport.noticeUndelivered();
      } catch { /* never into the app */ }
    };
    // An uncaught exception ends the process after 'exit' listeners run: record it, then onExit delivers.
    const onUncaught = (err: unknown) => { try { emitError(this, currentTask(), err); } catch { /* never into the app */ } };
    process.on('uncaughtExceptionMonitor', onUncaught);
    process.on('beforeExit', onBeforeExit);
    process.on('exit', onExit);
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    this.exitHooks = () => {
      process.removeListener('uncaughtExceptionMonitor', onUncaught);
      process.removeListener('beforeExit', onBeforeExit);
      process.removeListener('exit', onExit);
      process.removeListener('SIGTERM', onSignal);
      process.removeListener('SIGINT', onSignal);
    };
  }

  private removeExitHooks(): void {
    this.exitHooks?.();
    this.exitHooks = null;
  }
}

/** Thrown inside a capture call for an argument it cannot use; the call counts as failed. */
class UnusableArgument extends Error {}

const ACCESS_TYPES: ReadonlySet<unknown> = new Set<AccessType>(['Read', 'Write', 'AtomicRead', 'AtomicWrite', 'AtomicRMW']);

/** One of the schema's access types, else the capture fails. */
function accessTypeOf(v: unknown): AccessType {
  if (!ACCESS_TYPES.has(v)) throw new UnusableArgument('access type');
  return v as AccessType;
}

/**
 * A number given as a number or numeric string (converted as `Number` does, which runs no program
 * code for primitives); an object is not converted (its `valueOf` is the app's code): the capture fails.
 */
function numberOf(v: unknown): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  if (!Number.isFinite(n)) throw new UnusableArgument('number');
  return n;
}

export { emitError };

// ---- the process-wide client --------------------------------------------------------------------

// One holder object shared by every copy of the runtime in the process, found once: every hook asks
// for the client, and a plain property read is much cheaper than a symbol lookup on globalThis.
const KEY = Symbol.for('raceway.client.v2');
const holder: { c: RacewayClient | undefined } = ((globalThis as unknown as Record<symbol, { c: RacewayClient | undefined } | undefined>)[KEY] ??= { c: undefined });

/**
 * Creates (or replaces) the process-wide client that instrumented code reports to. Options override
 * the `RACEWAY_*` environment variables. Throws `RacewayConfigError` on invalid options.
 */
export function init(config: RacewayConfig = {}): RacewayClient {
  const old = holder.c;
  // Events instrumented modules recorded while they loaded, before `init()` ran, went to a client
  // made from the environment; if it has not shipped anything yet, the new client takes them over,
  // so they go to this configuration's endpoint under its service name.
  adopting = old !== undefined && implicitClients.has(old) ? old : null;
  let client: RacewayClient;
  try {
    client = new RacewayClient({ ...configFromEnv(), ...config });
  } finally {
    adopting = null;
  }
  holder.c = client;
  syncRecordingOff();
  if (old && old !== client) {
    if (implicitClients.has(old)) (old as unknown as { retire(): void }).retire();
    else void old.shutdown();
  }
  return client;
}

/** Clients `getClient()` made from the environment (no `init()` yet). */
const implicitClients = new WeakSet<RacewayClient>();
let adopting: RacewayClient | null = null;
let creatingImplicit = false;

/** The process-wide client, created from environment variables on first use. */
export function getClient(): RacewayClient {
  let c = holder.c;
  if (!c) {
    try {
      creatingImplicit = true;
      c = new RacewayClient(configFromEnv());
      implicitClients.add(c);
    } catch (err) {
      // A bad RACEWAY_* variable must not crash an instrumented app at import time.
      process.emitWarning(`${(err as Error).message}; Raceway is disabled`);
      c = new RacewayClient({ enabled: false });
    } finally {
      creatingImplicit = false;
    }
    holder.c = c;
    syncRecordingOff();
  }
  return c;
}

/** Tells the context whether the process-wide client can record (before one exists, it may: it is made on first use). */
function syncRecordingOff(): void {
  const c = holder.c;
  setRecordingOff(c !== undefined && !c.enabled);
}

/** The root task of the process (for tests and tools). */
export { rootTask };
