/**
 * Delivers encoded events to `{endpoint}/events` over an undici keep-alive pool: bodies under 1 MB,
 * one request at a time (server-side order, bounded sockets), retries with exponential backoff and
 * jitter for network errors, 5xx and 429, and drop-and-count for anything else. Runs on the shipping
 * thread (or inline when no worker can be started). Its queue is bounded: the oldest events go first.
 */
import type { Pool } from 'undici';
import { droppedAtExitNotice, unreachableNotice } from './notice';
import type { EncodedEvents } from './wire';

/**
 * undici, loaded where events are shipped (the shipping thread, or inline without one), not when an
 * app imports the runtime: it is most of the runtime's load time, which an app with Raceway disabled,
 * or whose main thread never ships, should not pay.
 */
function undiciPool(): typeof Pool {
  return (require('undici') as typeof import('undici')).Pool;
}

export interface ShipConfig {
  endpoint: string;
  apiKey: string | null;
  batchSize: number;
  maxQueueSize: number;
}

/** The shipper's counters; every event it was given is in exactly one of sent, dropped, rejected, queued. */
export interface ShipStats {
  /** Events the server stored. */
  sent: number;
  /** Events given up on here: queue overflow, over the body limit, a refused (4xx) batch, retries exhausted, shutdown. */
  dropped: number;
  /** Events the server refused one by one inside a 206 answer (the rest of their batch was stored). */
  rejected: number;
  /** HTTP attempts that failed (network error or non-2xx), retried or not. */
  failedRequests: number;
  queued: number;
}

/** Largest request body; bigger batches are split. */
export const MAX_BODY_BYTES = 1024 * 1024;
const EMPTY = Buffer.alloc(0);
const OPEN = Buffer.from('{"events":[', 'latin1');
const CLOSE = Buffer.from('}', 'latin1');
/** Events merged into one request when a backlog has built up. */
const MAX_EVENTS_PER_REQUEST = 5000;
const MAX_ATTEMPTS = 6;
const BASE_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 5000;

interface Waiter { target: number; resolve: () => void }

/** One hand-off's encoded events; `next` is the first not yet sent or dropped. */
interface Segment extends EncodedEvents { next: number }

const USED_UP: Segment = { bytes: Buffer.alloc(0), ends: [], next: 0 };

/** Byte offset where event `i` of a segment starts. */
function startOf(s: EncodedEvents, i: number): number {
  return i === 0 ? 0 : s.ends[i - 1]!;
}

export class Shipper {
  private segs: Segment[] = [];
  private segHead = 0;
  /** Events in the queue (the segments from `segHead` on, less what they have sent). */
  private queued = 0;
  private enqueued = 0;
  private readonly s: ShipStats = { sent: 0, dropped: 0, rejected: 0, failedRequests: 0, queued: 0 };
  private readonly pool: Pool;
  private readonly path: string;
  private readonly headers: Record<string, string>;
  private sending = false;
  private waiters: Waiter[] = [];
  private closed = false;
  /** Past this time (ms since epoch) failures are not retried: we are shutting down. */
  private deadline = Infinity;
  private warned4xx = false;
  /** False after a batch exhausted its retries: later batches get one attempt until one succeeds. */
  private reachable = true;

  /**
   * `log`: details, for `debug`. `warn`: a problem worth a process warning. `onProgress`: counters
   * changed. `notice`: the one line telling the user that events are not reaching the server
   * (see notice.ts; it is shown at most once per process).
   */
  constructor(
    private readonly config: ShipConfig,
    private readonly log: (msg: string) => void,
    private readonly warn: (msg: string) => void,
    private readonly onProgress: () => void = () => {},
    private readonly notice: (line: string) => void = () => {},
  ) {
    const url = new URL(config.endpoint);
    this.path = url.pathname.replace(/\/+$/, '') + '/events';
    this.pool = new (undiciPool())(url.origin, { connections: 1, keepAliveTimeout: 10_000, headersTimeout: 10_000, bodyTimeout: 10_000 });
    this.headers = { 'content-type': 'application/json' };
    if (config.apiKey) {
      this.headers.authorization = `Bearer ${config.apiKey}`;
      this.headers['x-raceway-key'] = config.apiKey;
    }
  }

  stats(): ShipStats {
    return { ...this.s, queued: this.queued };
  }

  /** Counts events lost before they reached the queue (e.g. a batch that could not be encoded). */
  dropUpstream(n: number): void {
    this.enqueued += n;
    this.s.dropped += n;
    this.settle();
  }

  enqueue(events: EncodedEvents): void {
    const n = events.ends.length;
    this.enqueued += n;
    if (this.closed) { this.s.dropped += n; this.settle(); return; }
    if (n === 0) return;
    this.segs.push({ bytes: events.bytes, ends: events.ends, next: 0 });
    this.queued += n;
    const over = this.queued - this.config.maxQueueSize;
    if (over > 0) {
      this.discard(over); // recent events matter most when the server comes back
      this.s.dropped += over;
      this.settle();
    }
    this.pump();
  }

  /** The head segment is used up: drop it from the queue now, not at the next compaction (its bytes can be megabytes). */
  private release(): void {
    this.segs[this.segHead++] = USED_UP;
  }

  /** Takes the oldest `count` queued events off the queue. */
  private discard(count: number): void {
    while (count > 0 && this.segHead < this.segs.length) {
      const s = this.segs[this.segHead]!;
      const take = Math.min(count, s.ends.length - s.next);
      s.next += take;
      this.queued -= take;
      count -= take;
      if (s.next === s.ends.length) this.release();
    }
    this.compact();
  }

  /** Resolves once every event enqueued so far is delivered or definitively dropped. */
  flush(): Promise<void> {
    const target = this.enqueued;
    if (this.settled() >= target) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.waiters.push({ target, resolve });
      this.pump();
    });
  }

  /** From now on, failures are not retried past `atMs` (epoch ms). */
  setDeadline(atMs: number): void {
    this.deadline = Math.min(this.deadline, atMs);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.queued > 0) {
      this.s.dropped += this.queued;
      this.segs = [];
      this.segHead = 0;
      this.queued = 0;
      this.notice(droppedAtExitNotice(this.config.endpoint));
    }
    this.settle();
    await this.pool.close().catch(() => undefined);
  }

  private compact(): void {
    if (this.segHead > 256 && this.segHead * 2 > this.segs.length) {
      this.segs = this.segs.slice(this.segHead);
      this.segHead = 0;
    }
  }

  /** Events delivered or definitively not: sent, dropped or rejected. */
  private settled(): number {
    return this.s.sent + this.s.dropped + this.s.rejected;
  }

  private settle(): void {
    this.onProgress();
    if (this.waiters.length === 0) return;
    const done = this.settled();
    const still: Waiter[] = [];
    for (const w of this.waiters) (done >= w.target ? w.resolve() : still.push(w));
    this.waiters = still;
  }

  private pump(): void {
    if (this.sending || this.closed || this.queued === 0) return;
    this.sending = true;
    void this.drain().finally(() => {
      this.sending = false;
      if (this.queued > 0) this.pump();
    });
  }

  private async drain(): Promise<void> {
    while (this.queued > 0 && !this.closed) {
      const [body, count] = this.nextBody();
      if (count > 0) await this.deliver(body, count);
      this.settle();
    }
  }

  /**
   * The next request body: up to a backlog's worth of the oldest events under MAX_BODY_BYTES, as the
   * bytes they were encoded to (each event is followed by a comma there; the last one becomes `]`).
   */
  private nextBody(): [Buffer, number] {
    const limit = Math.max(this.config.batchSize, MAX_EVENTS_PER_REQUEST);
    const pieces: Buffer[] = [OPEN];
    let size = OPEN.length + CLOSE.length;
    let count = 0;
    while (this.segHead < this.segs.length && count < limit) {
      const s = this.segs[this.segHead]!;
      const from = s.next;
      let e = from;
      while (e < s.ends.length && count < limit) {
        const len = s.ends[e]! - startOf(s, e); // with its comma
        if (size + len > MAX_BODY_BYTES) break;
        size += len;
        e++;
        count++;
      }
      if (e > from) pieces.push(s.bytes.subarray(startOf(s, from), s.ends[e - 1]));
      s.next = e;
      this.queued -= e - from;
      if (e < s.ends.length) {
        if (count === 0) {
          // One event alone is over the limit: it can never be sent.
          const bytes = s.ends[e]! - startOf(s, e) - 1;
          s.next++;
          this.queued--;
          if (s.next === s.ends.length) this.release();
          this.s.dropped++;
          this.log(`dropped an event of ${bytes} bytes (over the body limit)`);
          this.compact();
          return [EMPTY, 0];
        }
        break;
      }
      this.release();
    }
    this.compact();
    pieces.push(CLOSE);
    const body = Buffer.concat(pieces, size);
    body[size - 2] = 0x5d; // the last event's comma: `]`
    return [body, count];
  }

  private async deliver(body: Buffer, count: number): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await this.pool.request({ path: this.path, method: 'POST', headers: this.headers, body });
        // 206: the server stored the valid events and says how many it rejected (counted apart).
        const rejected = res.statusCode === 206 ? await rejectedCount(res.body, count) : 0;
        if (res.statusCode !== 206) await res.body.dump().catch(() => undefined);
        if (res.statusCode >= 200 && res.statusCode < 300) {
          this.s.sent += count - rejected;
          this.s.rejected += rejected;
          this.reachable = true;
          return;
        }
        this.s.failedRequests++;
        if (res.statusCode < 500 && res.statusCode !== 429) {
          // A batch the server refuses will be refused again: drop it so it cannot jam the queue.
          this.s.dropped += count;
          if (!this.warned4xx) {
            this.warned4xx = true;
            this.warn(`raceway: server rejected a batch of ${count} events with HTTP ${res.statusCode}; dropped (further rejections are counted in stats())`);
          }
          return;
        }
        this.log(`HTTP ${res.statusCode} from ${this.config.endpoint}; will retry`);
      } catch (err) {
        this.s.failedRequests++;
        this.log(`cannot reach ${this.config.endpoint}: ${(err as Error).message}`);
        this.notice(unreachableNotice(this.config.endpoint));
      }
      const delay = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
      if (attempt >= (this.reachable ? MAX_ATTEMPTS : 1) || this.closed || Date.now() + delay > this.deadline) {
        // While the server stays down, do not spend a full retry schedule on every batch.
        this.reachable = false;
        this.s.dropped += count;
        this.log(`gave up on a batch of ${count} events after ${attempt} attempt(s)`);
        if (this.deadline !== Infinity || this.closed) this.notice(droppedAtExitNotice(this.config.endpoint));
        return;
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, delay);
        if (this.waiters.length === 0) t.unref(); // keep a process alive for retries only while a flush waits
      });
    }
  }
}

/** `rejected_count` of a 206 answer (our server's and the upstream envelope's extra field), within 0..count; 0 if unreadable. */
async function rejectedCount(body: { text(): Promise<string> }, count: number): Promise<number> {
  try {
    const text = await body.text();
    if (text.length > 1_000_000) return 0;
    const n = (JSON.parse(text) as { rejected_count?: unknown }).rejected_count;
    return typeof n === 'number' && Number.isFinite(n) ? Math.max(0, Math.min(count, Math.floor(n))) : 0;
  } catch {
    return 0;
  }
}
