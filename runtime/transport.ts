/**
 * The app-thread side of shipping. Capture writes each event as a row of numbers into a shared ring
 * (`wire.ts`); every `batchSize` events, on the flush timer and on `flush()`, the new rows are handed
 * to the shipping thread (`worker.ts`), which encodes and delivers them (`shipper.ts`). If no worker
 * can be started the same reader and shipper run inline. Nothing here throws into the application;
 * every lost event is counted.
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ResolvedConfig } from './config';
import type { Task } from './context';
import { processPrefix, randomId } from './ids';
import { droppedAtExitNotice, noticeFlag, noticeOnce } from './notice';
import type { K, Sink } from './record';
import { MAX_BODY_BYTES, Shipper, type ShipConfig, type ShipStats } from './shipper';
import { RingReader, RingWriter, metaTail } from './wire';
import { SYNC_ALL_DELIVERED } from './sync-answer';
// Types only: worker.ts is the shipping thread's entry point, and loading it in an app's own worker thread would start it there.
import type { FromWorker, RemoteStats, ToWorker, WorkerInit } from './worker';

export { MAX_BODY_BYTES };

/**
 * Counters of the events a client captured. Each captured event is in exactly one of `sent`,
 * `dropped`, `rejected` and `queued`, at every moment: `captured = sent + dropped + rejected + queued`.
 */
export interface TransportStats {
  /** Events accepted by `capture*` (and by instrumented code) since the client started. */
  captured: number;
  /** Events the server stored (acknowledged with a 2xx). */
  sent: number;
  /** Events the client gave up on: queue overflow, over the body limit, a batch the server refused whole (4xx), retries exhausted, shutdown deadline, a stuck or failed shipping thread. */
  dropped: number;
  /** Events the server refused one by one inside a 206 answer (invalid events of a batch whose other events it stored). */
  rejected: number;
  /** Events captured and not yet sent, dropped or rejected. */
  queued: number;
  /** HTTP attempts that failed (network error or non-2xx), retried or not: not events. */
  failedRequests: number;
}

/**
 * Most rows of the hand-off ring (136 bytes each: 8.9 MB at most, only with a maxQueueSize that
 * large). Room for a burst to run ahead of the shipping thread instead of waiting for it: a
 * program that captures tens of thousands of events between two turns of its event loop (a loop
 * of awaits that never reaches a timer) is slowed by the shipping thread only beyond this.
 */
const RING_ROWS = 65_536;
/**
 * A program that never yields hands its rows off every this many (or a quarter of the ring, if
 * less): the shipping thread reports progress once per hand-off, which is how a capture waiting
 * for room tells a busy shipping thread from a stuck one (ROOM_WAIT_MS).
 */
const HANDOFF_ROWS = 1024;
/** Counters the shipping thread publishes in shared memory (`WorkerInit.progress`). */
const PROGRESS_SLOTS = 6;
/** Slot set by the shipping thread once it reads hand-offs (before that, waiting for it is waiting for its start-up). */
const STARTED_SLOT = 5;

function ringRows(config: ResolvedConfig): number {
  return Math.max(Math.min(RING_ROWS, config.maxQueueSize), config.batchSize * 2);
}
const HANDOFF_DELAY_MS = 20;
/**
 * How long a capture waits at most for the shipping thread to free room in a full ring. Waiting is
 * what keeps a synchronous burst (a loop that never yields) from losing events below
 * `maxQueueSize`; a shipping thread that makes no progress for this long is taken as stuck, and
 * the captures drop (counted) without waiting until it moves again.
 */
const ROOM_WAIT_MS = 1000;
/**
 * The same bound while the shipping thread is still starting (loading its modules, seconds on a
 * loaded machine): a burst at the very start of a program fills the ring before it can read.
 */
const START_WAIT_MS = 15_000;

export class Transport implements Sink {
  private readonly ring: RingWriter;
  private captured = 0;
  /** Events dropped on this thread (the shipping thread fell behind, or died). */
  private droppedHere = 0;
  private remote: RemoteStats = { consumed: 0, sent: 0, dropped: 0, rejected: 0, failedRequests: 0, queued: 0 };
  private worker: Worker | null = null;
  private inline: { reader: RingReader; shipper: Shipper } | null = null;
  private readonly timer: NodeJS.Timeout;
  private scheduled = false;
  private closed = false;
  private nextId = 1;
  private readonly pending = new Map<number, () => void>();
  /** Rows the shipping thread has finished with, as it publishes them (see `waitForRoom`). */
  private readonly progress = new BigInt64Array(new SharedArrayBuffer(PROGRESS_SLOTS * 8));
  /** The shipping thread made no progress within ROOM_WAIT_MS: do not wait again until it does. */
  private stuckAt = -1;
  private readonly ship: ShipConfig;
  private readonly tail: string;

  /**
   * `from`: a transport whose events this one takes over, if it has handed none off yet (see
   * `adoptable`). `deferWorker`: start the shipping thread on the next turn of the event loop rather
   * than now (a client made implicitly may be replaced by `init()` before then).
   */
  constructor(private readonly config: ResolvedConfig, private readonly log: (msg: string) => void, from: Transport | null = null, deferWorker = false) {
    // The ring is the app thread's share of the memory bound: at most maxQueueSize rows (RING_ROWS at most).
    const rows = ringRows(config);
    if (from !== null && from.adoptable(config)) {
      this.ring = from.ring;
      this.captured = from.captured;
      from.detach();
    } else {
      let buffer: SharedArrayBuffer | ArrayBuffer;
      try { buffer = new SharedArrayBuffer(rows * 17 * 8); } catch { buffer = new ArrayBuffer(rows * 17 * 8); }
      this.ring = new RingWriter(rows, buffer);
    }
    this.ship = { endpoint: config.endpoint, apiKey: config.apiKey, batchSize: config.batchSize, maxQueueSize: config.maxQueueSize };
    this.tail = metaTail({ serviceName: config.serviceName, environment: config.environment, tags: config.tags, instanceId: config.instanceId, pid: process.pid });
    this.timer = setInterval(() => this.post(), config.flushInterval);
    this.timer.unref();
    // Started early, in the background, so it is ready long before a shutdown needs it.
    if (!deferWorker) this.startWorker();
    else setImmediate(() => { if (!this.closed && !this.worker && !this.inline) this.startWorker(); }).unref();
  }

  /** Nothing handed off or shipped yet, and the same ring size: another transport can take the rows over. */
  adoptable(config: ResolvedConfig): boolean {
    return !this.closed && this.worker === null && this.inline === null && this.ring.consumed === 0 && this.ring.pending === this.ring.written && this.ring.capacity === ringRows(config);
  }

  /** Gives up the ring (now another transport's) without shipping anything. */
  private detach(): void {
    this.closed = true;
    this.detached = true;
    clearInterval(this.timer);
  }

  private detached = false;

  /** Its events were taken over by another transport. */
  get isDetached(): boolean {
    return this.detached;
  }

  write(k: K, seq: number, ts: number, task: Task, a: unknown, b: unknown, c: unknown, d: unknown, e: unknown, dur: number | null): void {
    if (this.closed) return;
    this.captured++;
    const ring = this.ring;
    if (ring.full && !this.waitForRoom()) {
      this.droppedHere++; // the shipping thread is stuck: shed the newest rather than block
      return;
    }
    ring.add(k, seq, ts, task, a, b, c, d, e, dur);
    const pending = ring.pending;
    if (pending >= this.config.batchSize && !this.scheduled) {
      // A hand-off costs a message; a busy app's batches are gathered for a few milliseconds.
      this.scheduled = true;
      setTimeout(() => { this.scheduled = false; this.post(); }, HANDOFF_DELAY_MS).unref();
    }
    // A program that never yields still gets its rows handed off before the ring fills.
    if (pending >= ring.capacity / 4 || pending >= HANDOFF_ROWS || ring.tablesFull) this.post();
  }

  /**
   * The ring is full: take the shipping thread's published progress, and if that frees nothing,
   * hand off what is pending and wait (bounded) for it to finish with some rows. Returns whether
   * there is room now.
   */
  private waitForRoom(): boolean {
    const ring = this.ring;
    const published = Number(Atomics.load(this.progress, 0));
    if (published > ring.consumed) ring.consumed = published;
    if (!ring.full) return true;
    if (this.worker === null) {
      // Shipping from this thread: handing off encodes the rows here and now, which frees them.
      if (this.inline !== null) this.post();
      return !ring.full;
    }
    if (published === this.stuckAt) return false;
    this.post();
    const deadline = Date.now() + (Atomics.load(this.progress, STARTED_SLOT) !== 0n ? ROOM_WAIT_MS : START_WAIT_MS);
    while (ring.full) {
      const left = deadline - Date.now();
      const seen = Atomics.load(this.progress, 0);
      if (left <= 0 || Atomics.wait(this.progress, 0, seen, left) === 'timed-out') {
        this.stuckAt = Number(Atomics.load(this.progress, 0));
        return false;
      }
      const now = Number(Atomics.load(this.progress, 0));
      if (now > ring.consumed) ring.consumed = now;
    }
    this.stuckAt = -1;
    return true;
  }

  get capturedCount(): number {
    return this.captured;
  }

  stats(): TransportStats {
    const r = this.inline !== null && this.worker === null ? this.withInline(this.remote, this.inline.shipper.stats()) : this.sharedStats();
    const dropped = r.dropped + this.droppedHere;
    // Queued is what is left, so the four always add up to captured.
    return { captured: this.captured, sent: r.sent, dropped, rejected: r.rejected, queued: this.captured - r.sent - dropped - r.rejected, failedRequests: r.failedRequests };
  }

  /** Counters of a lost shipping thread (`remote`, zero if there never was one) plus the inline shipper's. */
  private withInline(r: RemoteStats, s: ShipStats): RemoteStats {
    return { consumed: r.consumed, sent: r.sent + s.sent, dropped: r.dropped + s.dropped, rejected: r.rejected + s.rejected, failedRequests: r.failedRequests + s.failedRequests, queued: s.queued };
  }

  /** The shipping thread's counters: its last message, or what it published since, whichever is newer. */
  private sharedStats(): RemoteStats {
    const r = this.remote;
    if (this.worker === null) return r;
    const sent = Number(Atomics.load(this.progress, 1));
    const dropped = Number(Atomics.load(this.progress, 2));
    const failedRequests = Number(Atomics.load(this.progress, 3));
    const rejected = Number(Atomics.load(this.progress, 4));
    return { ...r, sent: Math.max(r.sent, sent), dropped: Math.max(r.dropped, dropped), rejected: Math.max(r.rejected, rejected), failedRequests: Math.max(r.failedRequests, failedRequests) };
  }

  /** Hands the rows written since the last hand-off to the reader. */
  private post(): void {
    if (this.ring.pending === 0 || this.closed) return;
    const worker = this.worker ?? (this.inline ? null : this.startWorker());
    const h = this.ring.handoff();
    if (worker) {
      worker.postMessage({ t: 'rows', h } satisfies ToWorker);
      return;
    }
    const { reader, shipper } = this.inlineShipper();
    try {
      shipper.enqueue(reader.encode(h));
    } catch (err) {
      shipper.dropUpstream(h.to - h.from);
      this.log(`dropped events that could not be encoded: ${String(err)}`);
    }
    this.ring.consumed = h.to;
  }

  private inlineShipper(): { reader: RingReader; shipper: Shipper } {
    return this.inline ??= {
      reader: new RingReader(this.ring.buffer, this.ring.capacity, this.tail, randomId),
      shipper: new Shipper(this.ship, this.log, (m) => process.emitWarning(m), undefined, (line) => noticeOnce(noticeFlag(), line)),
    };
  }

  private startWorker(): Worker | null {
    try {
      if (!(this.ring.buffer instanceof SharedArrayBuffer)) throw new Error('no SharedArrayBuffer');
      const init: WorkerInit = { ship: this.ship, tail: this.tail, prefix: processPrefix(), debug: this.config.debug, ring: this.ring.buffer, capacity: this.ring.capacity, notice: noticeFlag(), progress: this.progress };
      const w = new Worker(join(__dirname, 'worker.js'), { workerData: init, stdout: false, stderr: false });
      w.on('message', (m: FromWorker) => this.onWorkerMessage(m));
      w.on('error', (err) => this.workerLost(w, err));
      w.on('exit', () => this.workerLost(w, null));
      w.unref(); // after the listeners: attaching a 'message' listener refs the worker again
      this.worker = w;
      return w;
    } catch (err) {
      this.log(`no shipping thread (${String(err)}); shipping from the app thread`);
      this.inlineShipper();
      return null;
    }
  }

  private onWorkerMessage(m: FromWorker): void {
    switch (m.t) {
      case 'stats':
        this.remote = { consumed: m.consumed, sent: m.sent, dropped: m.dropped, rejected: m.rejected, failedRequests: m.failedRequests, queued: m.queued };
        // The published progress may be ahead of this (older) message.
        if (m.consumed > this.ring.consumed) this.ring.consumed = m.consumed;
        return;
      case 'done': {
        const resolve = this.pending.get(m.id);
        this.pending.delete(m.id);
        if (this.pending.size === 0) this.worker?.unref();
        resolve?.();
        return;
      }
      case 'log':
        this.log(m.msg);
        return;
      case 'warn':
        process.emitWarning(m.msg);
        return;
    }
  }

  /** The shipping thread died: what it held is lost (counted); shipping continues inline. */
  private workerLost(w: Worker, err: unknown): void {
    if (this.worker !== w) return;
    const last = this.sharedStats(); // read before the worker is forgotten: what it published may be newer than its last message
    this.worker = null;
    this.ring.abandon();
    // Whatever it had not settled (its queue, rows not handed off) is lost with it; its own drops
    // move here, and what it sent or had rejected stays counted (`stats` adds the inline shipper's).
    const unsettled = this.captured - this.droppedHere - last.sent - last.dropped - last.rejected;
    this.droppedHere += last.dropped + Math.max(0, unsettled);
    this.remote = { consumed: this.ring.written, sent: last.sent, dropped: 0, rejected: last.rejected, failedRequests: last.failedRequests, queued: 0 };
    if (!this.closed && err) this.log(`shipping thread failed (${String(err)}); shipping from the app thread`);
    if (!this.closed) this.inlineShipper();
    for (const resolve of this.pending.values()) resolve();
    this.pending.clear();
  }

  private ask(kind: 'flush' | 'close'): Promise<void> {
    const w = this.worker;
    if (!w) return Promise.resolve();
    const id = this.nextId++;
    w.ref(); // a flush in progress keeps the process alive until it is answered
    return new Promise<void>((resolve) => {
      this.pending.set(id, resolve);
      w.postMessage({ t: kind, id } satisfies ToWorker);
    });
  }

  /** Resolves once every event captured so far is delivered or definitively dropped. */
  flush(): Promise<void> {
    this.post();
    if (this.worker) return this.ask('flush');
    return this.inline ? this.inline.shipper.flush() : Promise.resolve();
  }

  /**
   * Flushes, waiting `ms` at most; what is not delivered by then stays queued (retried as usual),
   * and an unanswered flush does not keep the process alive.
   */
  async flushFor(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    const timeout = new Promise<void>((resolve) => { timer = setTimeout(() => { timedOut = true; resolve(); }, ms); });
    try {
      await Promise.race([this.flush(), timeout]);
    } finally {
      clearTimeout(timer);
      if (timedOut) this.worker?.unref();
    }
  }

  /** Flushes with a time bound; after it, failures are no longer retried. */
  async flushWithin(ms: number): Promise<void> {
    const at = Date.now() + ms;
    this.worker?.postMessage({ t: 'deadline', at } satisfies ToWorker);
    this.inline?.shipper.setDeadline(at);
    try {
      await this.flushFor(ms);
    } finally {
      // Out of time: an unanswered flush must not keep the process alive.
      this.worker?.unref();
    }
  }

  /**
   * For process 'exit', where nothing asynchronous can run any more: hands over what is left and
   * blocks until the shipping thread has delivered it (or `ms` passed). False when events are
   * left undelivered.
   */
  flushSync(ms: number): boolean {
    this.post();
    const w = this.worker;
    if (!w || this.stats().queued === 0) return this.stats().queued === 0;
    const sab = new SharedArrayBuffer(4);
    const flag = new Int32Array(sab);
    w.postMessage({ t: 'sync', sab, at: Date.now() + ms } satisfies ToWorker);
    Atomics.wait(flag, 0, 0, ms);
    // The shipping thread's counters cannot reach this thread any more: its answer says how it went.
    return Atomics.load(flag, 0) === SYNC_ALL_DELIVERED;
  }

  /** At the end of the process: tells the user (once per process, see notice.ts) that captured events were not delivered. */
  noticeUndelivered(): void {
    if (this.stats().queued > 0) noticeOnce(noticeFlag(), droppedAtExitNotice(this.config.endpoint));
  }

  /** Flushes (bounded), then stops the timer, the shipping thread and the sockets. */
  async close(ms: number): Promise<void> {
    if (this.closed) return;
    await this.flushWithin(ms);
    const w = this.worker;
    if (w) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.ask('close'), new Promise<void>((r) => { timer = setTimeout(r, 500); })]);
      clearTimeout(timer);
    }
    this.closed = true;
    clearInterval(this.timer);
    this.worker = null;
    await w?.terminate().catch(() => undefined);
    await this.inline?.shipper.close();
    // Whatever was not settled by now is lost.
    const s = this.stats();
    this.droppedHere += s.queued;
  }
}
