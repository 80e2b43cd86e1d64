/**
 * Ships records to `{endpoint}/events` over an undici keep-alive pool. Capture only appends to a
 * bounded queue; batching, encoding and HTTP happen later, never in the caller's stack, and no
 * failure ever reaches the application: it is counted and, in debug mode, logged.
 */
import { Pool } from 'undici';
import type { ResolvedConfig } from './config';
import { Encoder } from './encode';
import type { Rec, Sink } from './record';

/** Counters exposed by `client.stats()`. */
export interface TransportStats {
  /** Events accepted by `capture*` since the client started. */
  captured: number;
  /** Events the server acknowledged (2xx). */
  sent: number;
  /** Events given up on: queue overflow, a rejected (4xx) batch, retries exhausted, shutdown deadline. */
  dropped: number;
  /** HTTP attempts that failed (network error or non-2xx), retried or not. */
  failed: number;
  /** Events waiting in memory now. */
  queued: number;
}

/** Largest request body; bigger batches are split. */
export const MAX_BODY_BYTES = 1024 * 1024;
const MAX_ATTEMPTS = 6;
const BASE_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 5000;

interface Waiter { target: number; resolve: () => void }

export class Transport implements Sink {
  private queue: Rec[] = [];
  private head = 0;
  private readonly stats_: TransportStats = { captured: 0, sent: 0, dropped: 0, failed: 0, queued: 0 };
  private readonly encoder: Encoder;
  private readonly pool: Pool;
  private readonly path: string;
  private readonly headers: Record<string, string>;
  private timer: NodeJS.Timeout | null = null;
  private scheduled = false;
  private sending = false;
  private waiters: Waiter[] = [];
  private closed = false;
  /** Past this time (ms since epoch) failures are not retried: we are shutting down. */
  private deadline = Infinity;
  private logged4xx = false;
  /** False after a batch exhausted its retries: later batches get one attempt until one succeeds. */
  private reachable = true;

  constructor(private readonly config: ResolvedConfig, private readonly log: (msg: string) => void) {
    const url = new URL(config.endpoint);
    this.path = (url.pathname.replace(/\/+$/, '') || '') + '/events';
    this.encoder = new Encoder(config);
    this.pool = new Pool(url.origin, { connections: 2, keepAliveTimeout: 10_000, headersTimeout: 10_000, bodyTimeout: 10_000 });
    this.headers = { 'content-type': 'application/json' };
    if (config.apiKey) {
      this.headers.authorization = `Bearer ${config.apiKey}`;
      this.headers['x-raceway-key'] = config.apiKey;
    }
    this.timer = setInterval(() => this.pump(), config.flushInterval);
    this.timer.unref();
  }

  accept(r: Rec): void {
    if (this.closed) return;
    const s = this.stats_;
    s.captured++;
    this.queue.push(r);
    if (this.queue.length - this.head > this.config.maxQueueSize) {
      this.head++; // drop the oldest: recent events matter most when the server comes back
      s.dropped++;
      this.settle();
    }
    if (!this.scheduled && this.queue.length - this.head >= this.config.batchSize) {
      this.scheduled = true;
      setImmediate(() => { this.scheduled = false; this.pump(); }).unref();
    }
  }

  stats(): TransportStats {
    return { ...this.stats_, queued: this.queue.length - this.head };
  }

  /** Resolves once every event captured so far is delivered or definitively dropped. */
  flush(): Promise<void> {
    const target = this.stats_.captured;
    if (this.stats_.sent + this.stats_.dropped >= target) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.waiters.push({ target, resolve });
      this.pump();
    });
  }

  /** Flushes with a time bound; after it, failures are no longer retried. */
  async flushWithin(ms: number): Promise<void> {
    this.deadline = Math.min(this.deadline, Date.now() + ms);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => { timer = setTimeout(resolve, ms); });
    try {
      await Promise.race([this.flush(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Flushes (bounded), then stops the timer and closes sockets. Further events are ignored. */
  async close(ms: number): Promise<void> {
    if (this.closed) return;
    await this.flushWithin(ms);
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    // Anything still queued can no longer be sent.
    const left = this.queue.length - this.head;
    if (left > 0) { this.stats_.dropped += left; this.queue = []; this.head = 0; }
    this.settle();
    await this.pool.close().catch(() => undefined);
  }

  private settle(): void {
    if (this.waiters.length === 0) return;
    const done = this.stats_.sent + this.stats_.dropped;
    const still: Waiter[] = [];
    for (const w of this.waiters) (done >= w.target ? w.resolve() : still.push(w));
    this.waiters = still;
  }

  private take(): Rec[] {
    const n = Math.min(this.config.batchSize, this.queue.length - this.head);
    const batch = this.queue.slice(this.head, this.head + n);
    this.head += n;
    if (this.head > 4096 && this.head * 2 > this.queue.length) { this.queue = this.queue.slice(this.head); this.head = 0; }
    return batch;
  }

  /** Sends queued batches one request at a time (keeps server-side order and bounds sockets). */
  private pump(): void {
    if (this.sending || this.closed) return;
    if (this.queue.length - this.head === 0) return;
    this.sending = true;
    void this.drain().finally(() => { this.sending = false; this.settle(); if (this.queue.length - this.head > 0 && this.waiters.length > 0) this.pump(); });
  }

  private async drain(): Promise<void> {
    while (this.queue.length - this.head > 0 && !this.closed) {
      const batch = this.take();
      for (const [body, count] of this.bodies(batch)) await this.deliver(body, count);
      this.settle();
      // Between batches, yield to the application unless someone waits for a flush.
      if (this.waiters.length === 0 && this.queue.length - this.head < this.config.batchSize) break;
    }
  }

  /** Encodes a batch into request bodies under MAX_BODY_BYTES; an event too large on its own is dropped. */
  private *bodies(batch: Rec[]): Generator<[string, number]> {
    let parts: string[] = [];
    let size = 12;
    for (const r of batch) {
      let json: string;
      try { json = this.encoder.encode(r); } catch (err) { this.stats_.dropped++; this.log(`dropped an event that could not be encoded: ${String(err)}`); continue; }
      const bytes = Buffer.byteLength(json);
      if (bytes + 12 > MAX_BODY_BYTES) { this.stats_.dropped++; this.log(`dropped an event of ${bytes} bytes (over the body limit)`); continue; }
      if (size + bytes + 1 > MAX_BODY_BYTES && parts.length > 0) {
        yield [`{"events":[${parts.join(',')}]}`, parts.length];
        parts = [];
        size = 12;
      }
      parts.push(json);
      size += bytes + 1;
    }
    if (parts.length > 0) yield [`{"events":[${parts.join(',')}]}`, parts.length];
  }

  private async deliver(body: string, count: number): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      let retry: boolean;
      try {
        const res = await this.pool.request({ path: this.path, method: 'POST', headers: this.headers, body });
        await res.body.dump().catch(() => undefined);
        if (res.statusCode >= 200 && res.statusCode < 300) {
          this.stats_.sent += count;
          this.reachable = true;
          return;
        }
        this.stats_.failed++;
        retry = res.statusCode >= 500 || res.statusCode === 429;
        if (!retry) {
          // A batch the server refuses will be refused again: drop it so it cannot jam the queue.
          this.stats_.dropped += count;
          if (!this.logged4xx || this.config.debug) {
            this.logged4xx = true;
            process.emitWarning(`raceway: server rejected a batch of ${count} events with HTTP ${res.statusCode}; dropped (further rejections are counted in stats())`);
          }
          return;
        }
        this.log(`HTTP ${res.statusCode} from ${this.config.endpoint}; will retry`);
      } catch (err) {
        this.stats_.failed++;
        this.log(`cannot reach ${this.config.endpoint}: ${(err as Error).message}`);
      }
      const delay = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
      if (attempt >= (this.reachable ? MAX_ATTEMPTS : 1) || this.closed || Date.now() + delay > this.deadline) {
        // While the server stays down, do not spend a full retry schedule on every batch.
        this.reachable = false;
        this.stats_.dropped += count;
        this.log(`gave up on a batch of ${count} events after ${attempt} attempts`);
        return;
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, delay);
        // Keep the process alive for a retry only while someone waits for the flush.
        if (this.waiters.length === 0) t.unref();
      });
    }
  }
}
