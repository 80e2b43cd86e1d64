/**
 * Which requests are recorded. Two limits apply together: a fixed fraction (`sampleRate`) and an
 * event budget (`maxEventsPerSecond`). The budget is what keeps overhead bounded by default: a
 * service under light load (a developer, a test suite, a demo) has every request recorded, and one
 * under heavy load records what the budget allows.
 *
 * The budget is spent in *windows*, not request by request: when there is budget left, a window of
 * `WINDOW_MS` opens and every request that starts inside it is recorded. Races happen between
 * requests that overlap in time, so recording whole stretches of time keeps concurrent requests
 * together — sampling requests independently at 1 % would almost never record both sides of a race.
 */
/** How long a window stays open once budget is available. */
export declare const WINDOW_MS = 20;
/** Seconds of budget that may be saved up (the burst a quiet service can record in full). */
export declare const BURST_SECONDS = 10;
/** After the last request left out, how long the sampler still reports that it is throttling. */
export declare const THROTTLE_HOLD_MS = 5000;
export interface SamplerLimits {
    /** Fraction of requests recorded, 0…1 (independent coin per request). */
    sampleRate: number;
    /** Events per second the recorded requests may cost on average; `Infinity`: no budget. */
    maxEventsPerSecond: number;
}
export declare class Sampler {
    private readonly limits;
    private tokens;
    private readonly burst;
    private last;
    private lastCaptured;
    private windowEnd;
    private lastLeftOut;
    /** Requests recorded / left out since the client started. */
    recorded: number;
    leftOut: number;
    constructor(limits: SamplerLimits);
    /**
     * Decides for a request starting at `now` (ms, monotonic) when the process has captured
     * `captured` events in total so far (every event counts against the budget, recorded requests'
     * or not).
     */
    decide(now: number, captured: number): boolean;
    /** True while requests are being left out (and for `THROTTLE_HOLD_MS` after the last one). */
    throttling(now: number): boolean;
    /** When `throttling` turns false if no further request is left out. */
    get throttlingUntil(): number;
    private withinBudget;
}
//# sourceMappingURL=sampler.d.ts.map