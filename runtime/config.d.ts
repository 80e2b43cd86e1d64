/**
 * Client configuration: defaults, environment variables, and validation that fails at init with a
 * message naming the field and what it accepts (a typo in an option name is an error, not a silently
 * ignored setting).
 */
export interface RacewayConfig {
    /** Raceway server base URL. Default `http://localhost:8080` (env `RACEWAY_ENDPOINT`). */
    endpoint?: string;
    /** Application identifier. Default `unknown-service` (env `RACEWAY_SERVICE_NAME`). */
    serviceName?: string;
    /** dev / staging / prod… Default `development` (env `RACEWAY_ENVIRONMENT`). */
    environment?: string;
    /** Events per HTTP batch; a full batch is sent without waiting for the timer. Default 100. */
    batchSize?: number;
    /** Milliseconds between automatic flushes. Default 1000. */
    flushInterval?: number;
    /** Master switch. `false`: no timers, no sockets, near-zero cost per call (env `RACEWAY_ENABLED`). */
    enabled?: boolean;
    /** Log transport activity and problems to stderr (env `RACEWAY_DEBUG`). Default false. */
    debug?: boolean;
    /** Sent as `Authorization: Bearer <key>` and `x-raceway-key` (env `RACEWAY_API_KEY`). */
    apiKey?: string | null;
    /** Identifies this process among instances of one service (metadata.instance_id). */
    instanceId?: string | null;
    /** Added to every event's metadata.tags; values must be strings. */
    tags?: Record<string, string>;
    /**
     * Events kept in memory while the server is slow or down; beyond it the oldest are dropped (and
     * counted). The app thread's hand-off ring holds up to as many again while the shipping thread
     * catches up; when it is full, new events are dropped (and counted). Default 10000.
     */
    maxQueueSize?: number;
    /**
     * Fraction of requests (traces started by the Koa/Express middleware) that are recorded, from 0
     * to 1, decided per request (env `RACEWAY_SAMPLE_RATE`). Default 1. Races are found only between
     * recorded requests, so a lower rate trades detection for overhead (see the README's production
     * notes).
     */
    sampleRate?: number;
    /**
     * Event budget of recorded requests, on average per second (env `RACEWAY_MAX_EVENTS_PER_SECOND`;
     * `Infinity` or `unlimited`: record every request). Default 200. Under light load every request
     * is recorded; under heavy load requests are recorded in short windows (all requests that start in
     * a window, so concurrent requests are recorded together) as often as the budget allows, and the
     * rest cost almost nothing. Ten seconds' worth may be saved up for bursts.
     */
    maxEventsPerSecond?: number;
    /** Longest time `flush()` on exit (beforeExit, SIGTERM, SIGINT) may take, in ms. Default 5000 (a loaded machine can take seconds to start the shipping thread and deliver). */
    shutdownTimeout?: number;
    /** Install exit handlers that flush on beforeExit / SIGTERM / SIGINT. Default true. */
    handleExit?: boolean;
    /**
     * Outgoing HTTP calls (`fetch`/undici, `http.request`) that carry the trace context headers
     * (`traceparent`, `tracestate`, `raceway-clock`) and are recorded (env `RACEWAY_PROPAGATION`):
     * `'requests'` (default) only calls made while handling a recorded request, `'always'` also calls
     * made outside requests (scripts, timers), `'off'` none.
     */
    propagation?: Propagation;
}
/** See `RacewayConfig.propagation`. */
export type Propagation = 'requests' | 'always' | 'off';
/** The configuration after defaults and validation. */
export interface ResolvedConfig {
    endpoint: string;
    serviceName: string;
    environment: string;
    batchSize: number;
    flushInterval: number;
    enabled: boolean;
    debug: boolean;
    apiKey: string | null;
    instanceId: string | null;
    tags: Record<string, string>;
    maxQueueSize: number;
    sampleRate: number;
    maxEventsPerSecond: number;
    shutdownTimeout: number;
    handleExit: boolean;
    propagation: Propagation;
}
export declare const DEFAULTS: ResolvedConfig;
/** Thrown by `new RacewayClient()` / `init()` for an invalid configuration. */
export declare class RacewayConfigError extends Error {
    readonly field: string;
    constructor(field: string, message: string);
}
/** Options from `RACEWAY_*` environment variables. */
export declare function configFromEnv(env?: NodeJS.ProcessEnv): RacewayConfig;
/** Applies defaults and validates; throws `RacewayConfigError` naming the first bad field. */
export declare function resolveConfig(input?: RacewayConfig): ResolvedConfig;
//# sourceMappingURL=config.d.ts.map