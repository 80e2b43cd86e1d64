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
export const WINDOW_MS = 20;
/** Seconds of budget that may be saved up (the burst a quiet service can record in full). */
export const BURST_SECONDS = 10;
/** After the last request left out, how long the sampler still reports that it is throttling. */
export const THROTTLE_HOLD_MS = 5000;

export interface SamplerLimits {
  /** Fraction of requests recorded, 0…1 (independent coin per request). */
  sampleRate: number;
  /** Events per second the recorded requests may cost on average; `Infinity`: no budget. */
  maxEventsPerSecond: number;
}

export class Sampler {
  private tokens: number;
  private readonly burst: number;
  private last = -1;
  private lastCaptured = 0;
  private windowEnd = -Infinity;
  private lastLeftOut = -Infinity;
  /** Requests recorded / left out since the client started. */
  recorded = 0;
  leftOut = 0;

  constructor(private readonly limits: SamplerLimits) {
    this.burst = limits.maxEventsPerSecond * BURST_SECONDS;
    this.tokens = this.burst;
  }

  /**
   * Decides for a request starting at `now` (ms, monotonic) when the process has captured
   * `captured` events in total so far (every event counts against the budget, recorded requests'
   * or not).
   */
  decide(now: number, captured: number): boolean {
    const { sampleRate, maxEventsPerSecond } = this.limits;
    let keep = sampleRate >= 1 || (sampleRate > 0 && Math.random() < sampleRate);
    if (keep && maxEventsPerSecond !== Infinity) keep = this.withinBudget(now, captured, maxEventsPerSecond);
    if (keep) this.recorded++;
    else {
      this.leftOut++;
      this.lastLeftOut = now;
    }
    return keep;
  }

  /** True while requests are being left out (and for `THROTTLE_HOLD_MS` after the last one). */
  throttling(now: number): boolean {
    return now < this.throttlingUntil;
  }

  /** When `throttling` turns false if no further request is left out. */
  get throttlingUntil(): number {
    return this.lastLeftOut + THROTTLE_HOLD_MS;
  }

  private withinBudget(now: number, captured: number, rate: number): boolean {
    if (this.last >= 0) this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * rate) / 1000);
    this.tokens -= captured - this.lastCaptured;
    this.last = now;
    this.lastCaptured = captured;
    // An open window stays open unless its requests have already run far past the saved-up budget.
    if (now < this.windowEnd && this.tokens > -this.burst) return true;
    if (this.tokens > 0) {
      this.windowEnd = now + WINDOW_MS;
      return true;
    }
    return false;
  }
}
