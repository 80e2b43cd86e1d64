/**
 * Delivers encoded events to `{endpoint}/events` over an undici keep-alive pool: bodies under 1 MB,
 * one request at a time (server-side order, bounded sockets), retries with exponential backoff and
 * jitter for network errors, 5xx and 429, and drop-and-count for anything else. Runs on the shipping
 * thread (or inline when no worker can be started). Its queue is bounded: the oldest events go first.
 */
import { Pool } from 'undici';

export interface ShipConfig {
  endpoint: string;
  apiKey: string | null;
  batchSize: number;
  maxQueueSize: number;
}

export interface ShipStats {
  sent: number;
  dropped: number;
  failed: number;
  queued: number;
}

/** Largest request body; bigger batches are split. */
export const MAX_BODY_BYTES = 1024 * 1024;
const EMPTY = Buffer.alloc(0);
/** Events merged into one request when a backlog has built up. */
const MAX_EVENTS_PER_REQUEST = 5000;
const MAX_ATTEMPTS = 6;
const BASE_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 5000;

interface Waiter { target: number; resolve: () => void }

export class Shipper {
  private queue: string[] = [];
  private head = 0;
  private enqueued = 0;
  private readonly s: ShipStats = { sent: 0, dropped: 0, failed: 0, queued: 0 };
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

  constructor(private readonly config: ShipConfig, private readonly log: (msg: string) => void, private readonly warn: (msg: string) => void, private readonly onProgress: () => void = () => {}) {
    const url = new URL(config.endpoint);
    this.path = url.pathname.replace(/\/+$/, '') + '/events';
    this.pool = new Pool(url.origin, { connections: 1, keepAliveTimeout: 10_000, headersTimeout: 10_000, bodyTimeout: 10_000 });
    this.headers = { 'content-type': 'application/json' };
    if (config.apiKey) {
      this.headers.authorization = `Bearer ${config.apiKey}`;
      this.headers['x-raceway-key'] = config.apiKey;
    }
  }

  stats(): ShipStats {
    return { ...this.s, queued: this.queue.length - this.head };
  }

  /** Counts events lost before they reached the queue (e.g. a batch that could not be encoded). */
  dropUpstream(n: number): void {
    this.enqueued += n;
    this.s.dropped += n;
    this.settle();
  }

  enqueue(events: string[]): void {
    this.enqueued += events.length;
    if (this.closed) { this.s.dropped += events.length; this.settle(); return; }
    for (const e of events) this.queue.push(e);
    const over = this.queue.length - this.head - this.config.maxQueueSize;
    if (over > 0) {
      this.head += over; // recent events matter most when the server comes back
      this.s.dropped += over;
      this.compact();
      this.settle();
    }
    this.pump();
  }

  /** Resolves once every event enqueued so far is delivered or definitively dropped. */
  flush(): Promise<void> {
    const target = this.enqueued;
    if (this.s.sent + this.s.dropped >= target) return Promise.resolve();
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
    const left = this.queue.length - this.head;
    if (left > 0) { this.s.dropped += left; this.queue = []; this.head = 0; }
    this.settle();
    await this.pool.close().catch(() => undefined);
  }

  private compact(): void {
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  private settle(): void {
    this.onProgress();
    if (this.waiters.length === 0) return;
    const done = this.s.sent + this.s.dropped;
    const still: Waiter[] = [];
    for (const w of this.waiters) (done >= w.target ? w.resolve() : still.push(w));
    this.waiters = still;
  }

  private pump(): void {
    if (this.sending || this.closed || this.queue.length - this.head === 0) return;
    this.sending = true;
    void this.drain().finally(() => {
      this.sending = false;
      if (this.queue.length - this.head > 0) this.pump();
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length - this.head > 0 && !this.closed) {
      const [body, count] = this.nextBody();
      if (count > 0) await this.deliver(body, count);
      this.settle();
    }
  }

  /**
   * The next request body: up to a backlog's worth of events under MAX_BODY_BYTES. Sizes are counted
   * in UTF-16 units (equal to bytes for ASCII) and the body's real byte length is checked once it is
   * encoded; the rare non-ASCII body that turns out too large is cut down and encoded again. The body
   * is sent as the bytes made here (counting UTF-8 bytes of a string first costs more than encoding it).
   */
  private nextBody(): [Buffer, number] {
    const limit = Math.max(this.config.batchSize, MAX_EVENTS_PER_REQUEST);
    let end = this.head;
    let size = 12;
    while (end < this.queue.length && end - this.head < limit) {
      const len = this.queue[end]!.length;
      if (size + len + 1 > MAX_BODY_BYTES && end > this.head) break;
      size += len + 1;
      end++;
    }
    for (;;) {
      const count = end - this.head;
      const body = Buffer.from(`{"events":[${this.queue.slice(this.head, end).join(',')}]}`);
      if (body.length <= MAX_BODY_BYTES) {
        this.head = end;
        this.compact();
        return [body, count];
      }
      if (count === 1) {
        // One event alone is over the limit: it can never be sent.
        this.head = end;
        this.s.dropped++;
        this.log(`dropped an event of ${body.length} bytes (over the body limit)`);
        this.compact();
        return [EMPTY, 0];
      }
      end = this.head + Math.floor(count / 2);
    }
  }

  private async deliver(body: Buffer, count: number): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await this.pool.request({ path: this.path, method: 'POST', headers: this.headers, body });
        await res.body.dump().catch(() => undefined);
        if (res.statusCode >= 200 && res.statusCode < 300) {
          this.s.sent += count;
          this.reachable = true;
          return;
        }
        this.s.failed++;
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
        this.s.failed++;
        this.log(`cannot reach ${this.config.endpoint}: ${(err as Error).message}`);
      }
      const delay = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
      if (attempt >= (this.reachable ? MAX_ATTEMPTS : 1) || this.closed || Date.now() + delay > this.deadline) {
        // While the server stays down, do not spend a full retry schedule on every batch.
        this.reachable = false;
        this.s.dropped += count;
        this.log(`gave up on a batch of ${count} events after ${attempt} attempt(s)`);
        return;
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, delay);
        if (this.waiters.length === 0) t.unref(); // keep a process alive for retries only while a flush waits
      });
    }
  }
}
