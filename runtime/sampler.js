"use strict";
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
Object.defineProperty(exports, "__esModule", { value: true });
exports.Sampler = exports.THROTTLE_HOLD_MS = exports.BURST_SECONDS = exports.WINDOW_MS = void 0;
/** How long a window stays open once budget is available. */
exports.WINDOW_MS = 20;
/** Seconds of budget that may be saved up (the burst a quiet service can record in full). */
exports.BURST_SECONDS = 10;
/** After the last request left out, how long the sampler still reports that it is throttling. */
exports.THROTTLE_HOLD_MS = 5000;
class Sampler {
    limits;
    tokens;
    burst;
    last = -1;
    lastCaptured = 0;
    windowEnd = -Infinity;
    lastLeftOut = -Infinity;
    /** Requests recorded / left out since the client started. */
    recorded = 0;
    leftOut = 0;
    constructor(limits) {
        this.limits = limits;
        this.burst = limits.maxEventsPerSecond * exports.BURST_SECONDS;
        this.tokens = this.burst;
    }
    /**
     * Decides for a request starting at `now` (ms, monotonic) when the process has captured
     * `captured` events in total so far (every event counts against the budget, recorded requests'
     * or not).
     */
    decide(now, captured) {
        const { sampleRate, maxEventsPerSecond } = this.limits;
        let keep = sampleRate >= 1 || (sampleRate > 0 && Math.random() < sampleRate);
        if (keep && maxEventsPerSecond !== Infinity)
            keep = this.withinBudget(now, captured, maxEventsPerSecond);
        if (keep)
            this.recorded++;
        else {
            this.leftOut++;
            this.lastLeftOut = now;
        }
        return keep;
    }
    /** True while requests are being left out (and for `THROTTLE_HOLD_MS` after the last one). */
    throttling(now) {
        return now < this.throttlingUntil;
    }
    /** When `throttling` turns false if no further request is left out. */
    get throttlingUntil() {
        return this.lastLeftOut + exports.THROTTLE_HOLD_MS;
    }
    withinBudget(now, captured, rate) {
        if (this.last >= 0)
            this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * rate) / 1000);
        this.tokens -= captured - this.lastCaptured;
        this.last = now;
        this.lastCaptured = captured;
        // An open window stays open unless its requests have already run far past the saved-up budget.
        if (now < this.windowEnd && this.tokens > -this.burst)
            return true;
        if (this.tokens > 0) {
            this.windowEnd = now + exports.WINDOW_MS;
            return true;
        }
        return false;
    }
}
exports.Sampler = Sampler;
//# sourceMappingURL=sampler.js.map