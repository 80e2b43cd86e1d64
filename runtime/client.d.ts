/**
 * The public client (the Raceway client API). Capture methods record into the calling task's context
 * (trace, span, vector clock, lock set) and return immediately; the transport ships later.
 */
import { type RacewayConfig, type ResolvedConfig } from './config';
import { rootTask, type Task } from './context';
import type { AccessType, EventKind } from '../protocol/events';
import { type ExpressErrorMiddleware, type ExpressMiddleware, type KoaMiddleware } from './middleware';
import { K, type Sink } from './record';
import { Sampler } from './sampler';
import { emitError } from './errors';
import { type TransportStats } from './transport';
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
}
/** How long `flush()` waits at most unless told otherwise. */
export declare const DEFAULT_FLUSH_TIMEOUT_MS = 10000;
export declare class RacewayClient implements Sink {
    readonly config: ResolvedConfig;
    private transport;
    private exitHooks;
    private shutDown;
    /** Decides which requests are recorded (see `sampler.ts`). */
    readonly sampler: Sampler;
    /** Capture calls that recorded nothing (`stats().failed`). */
    private failedCaptures;
    constructor(config?: RacewayConfig);
    /** `init()` replaces this implicit client: it stops without shipping if its events were taken over. */
    private retire;
    /** True when events are being captured and shipped. */
    get enabled(): boolean;
    write(k: K, seq: number, ts: number, task: Task, a: unknown, b: unknown, c: unknown, d: unknown, e: unknown, dur: number | null): void;
    /** Records a complete event kind as given (e.g. kinds this client has no helper for). */
    captureEvent(kind: EventKind, task?: Task): void;
    /** A read or write of `variable`. Values are snapshotted now; `undefined` is sent as null. */
    captureStateChange(variable: string, oldValue: unknown, newValue: unknown, location: string, accessType?: AccessType): void;
    /**
     * A function entry. It becomes the current span: events captured until the matching
     * `exitFunction()` have it as `parent_id`.
     */
    captureFunctionCall(functionName: string, args?: Record<string, unknown> | unknown[], location?: {
        module?: string;
        file?: string;
        line?: number;
    }): void;
    /** The Raceway client API's context operation: same as `captureFunctionCall`. */
    enterFunction(functionName: string, args?: Record<string, unknown> | unknown[], location?: {
        module?: string;
        file?: string;
        line?: number;
    }): void;
    /** Closes the span opened by the latest `captureFunctionCall` / `enterFunction` in this task. */
    exitFunction(): void;
    /** Id of the current span's event (its FunctionCall or HttpRequest), or null. */
    getCurrentSpan(): string | null;
    /** A task spawned by the current one (for hand-instrumented code; instrumented code does this itself). */
    captureAsyncSpawn(taskId?: string, spawnedBy?: string): void;
    /** An await of `futureId` at `location`. */
    captureAsyncAwait(futureId?: string, location?: string): void;
    /** Records a lock acquisition (use `Mutex`/`withLock` to get real exclusion and happens-before). */
    captureLockAcquire(lockId: string, lockType?: string, location?: string): void;
    captureLockRelease(lockId: string, lockType?: string, location?: string): void;
    captureHttpRequest(method: string, url: string, headers?: Record<string, unknown>, body?: unknown): void;
    /** `duration` in milliseconds. */
    captureHttpResponse(status: number, headers?: Record<string, unknown>, body?: unknown, duration?: number): void;
    captureError(error: unknown): void;
    captureCustom(name: string, data?: unknown): void;
    /**
     * Resolves when everything captured so far is delivered or definitively dropped, or after
     * `timeoutMs` (default 10 s) with the rest still queued: a server that accepts connections and
     * never answers cannot hold the caller for the transport's retries. Never rejects.
     */
    flush(timeoutMs?: number): Promise<void>;
    /** Final flush (bounded by `shutdownTimeout`), then timers and sockets are released. */
    shutdown(): Promise<void>;
    /** Counters (see `RacewayStats`); `captured = sent + dropped + rejected + queued` holds in every answer. */
    stats(): RacewayStats;
    /** A capture call recorded nothing: its arguments could not be used (`stats().failed`). */
    private captureFailed;
    /** For the instrumentation hooks: a capture of theirs failed and recorded nothing (`stats().failed`). */
    countFailedCapture(): void;
    /** Events captured so far (what the sampling budget is measured against). */
    get capturedCount(): number;
    /**
     * The headers that carry the current task's trace and vector clock to another service
     * (`traceparent`, `tracestate` when the request received one, `raceway-clock`), for calls the
     * runtime does not see (a client other than fetch/undici/http, a message queue) or `http.request`
     * on Node versions before 22.12, whose headers cannot be added for it. `{}` when nothing is
     * recorded here.
     */
    propagationHeaders(): Record<string, string>;
    /** Koa middleware: a trace per request. See `middleware.ts`. */
    koa(): KoaMiddleware;
    /** Express/Connect middleware: a trace per request. */
    express(): ExpressMiddleware;
    /** Express error handler that records the error and passes it on; mount after your routes. */
    expressErrorHandler(): ExpressErrorMiddleware;
    private installExitHooks;
    private removeExitHooks;
}
export { emitError };
/**
 * Creates (or replaces) the process-wide client that instrumented code reports to. Options override
 * the `RACEWAY_*` environment variables. Throws `RacewayConfigError` on invalid options.
 */
export declare function init(config?: RacewayConfig): RacewayClient;
/** The process-wide client, created from environment variables on first use. */
export declare function getClient(): RacewayClient;
/** The root task of the process (for tests and tools). */
export { rootTask };
//# sourceMappingURL=client.d.ts.map