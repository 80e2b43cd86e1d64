/**
 * Pages of a trace's events in causal order, without holding the whole trace on the main thread:
 * the order (where each event is stored, 8 bytes an event) is computed once per version of the
 * trace and kept for a few traces; a page reads only the batches its events are in. Parsing and
 * ordering run on a worker thread (trace-worker.ts), so a trace of hundreds of thousands of
 * events neither stalls ingest and `/health` nor grows the main heap; without a worker (or when
 * it fails) the same functions run inline.
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { BodyError } from './ingest-core';
import type { Store } from './store';
import { orderTrace, pickEvents } from './trace-read';
import type { TraceWorkerReply, TraceWorkerRequest } from './trace-worker';

/** `GET /api/traces/:id` pages: `limit` defaults to this… */
export const DEFAULT_TRACE_PAGE = 1000;
/** …and is at most this… */
export const MAX_TRACE_PAGE = 10_000;
/** …and a page's events are at most this much JSON (or one event, when it alone is larger). */
export const MAX_TRACE_PAGE_BYTES = 8 * 1024 * 1024;
/** Stored batches one page reads at most (a page of events spread over more stops early). */
export const MAX_PAGE_BATCHES = 256;
/** Traces whose order is kept. */
const CACHED_ORDERS = 8;
/** Batches read from the store (and handed to the worker in one message) between two turns of the event loop. */
const READ_SLICE = 32;

export interface TracePage {
  /** Events in the trace. */
  total: number;
  /** JSON text of the page's events (an array). */
  json: string;
  /** Events in the page. */
  count: number;
}

interface TraceOrder {
  /** Batch seqs of the trace when the order was made (its version: batches only ever append). */
  seqs: number[];
  /** Pairs [index into seqs, position in the batch], in causal order. */
  order: Int32Array;
  /** The store's generation (retention rewrites batches: positions in them change). */
  generation: number;
}

type Request = Omit<Extract<TraceWorkerRequest, { op: 'pick' }>, 'id'>;

/** The buffers of `bodies` that can be handed to another thread as they are (the others are copied). */
function handOver(bodies: readonly Uint8Array[]): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (const b of bodies) {
    if (b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer && b.byteLength > 0 && !out.includes(b.buffer)) out.push(b.buffer);
  }
  return out;
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class TracePages {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly inFlight = new Map<number, (reply: TraceWorkerReply | null) => void>();
  private readonly orders = new Map<string, TraceOrder>();
  private readonly making = new Map<string, Promise<TraceOrder>>();
  private closed = false;

  /** `useWorker` false: everything runs inline (small stores, tests of the inline path). */
  constructor(private readonly store: Store, private readonly useWorker = true) {}

  /** Seqs of the batches holding a trace's events (empty: unknown trace). */
  batchesOf(traceId: string): number[] {
    return this.store.index.batchesOf(traceId);
  }

  /** The page `offset`..`offset + limit` of the trace's events in causal order, or null for an unknown trace. */
  async page(traceId: string, offset: number, limit: number, maxBytes = MAX_TRACE_PAGE_BYTES): Promise<TracePage | null> {
    const seqs = this.batchesOf(traceId);
    if (seqs.length === 0) return null;
    const { order, seqs: orderSeqs } = await this.orderOf(traceId, seqs);
    const total = order.length / 2;
    const from = Math.min(offset, total);
    let to = Math.min(total, from + limit);
    if (to <= from) return { total, json: '[]', count: 0 };
    // The page's batches only (at most MAX_PAGE_BATCHES), renumbered for the worker.
    const local = new Map<number, number>();
    const pageSeqs: number[] = [];
    const picks = new Int32Array((to - from) * 2);
    for (let i = from; i < to; i++) {
      const b = order[2 * i]!;
      let k = local.get(b);
      if (k === undefined) {
        if (pageSeqs.length === MAX_PAGE_BATCHES) {
          to = i;
          break;
        }
        local.set(b, (k = pageSeqs.length));
        pageSeqs.push(orderSeqs[b]!);
      }
      picks[2 * (i - from)] = k;
      picks[2 * (i - from) + 1] = order[2 * i + 1]!;
    }
    const cut = picks.subarray(0, (to - from) * 2);
    // Handed to the worker, not copied; read again if it fails.
    const bodies = await this.bodiesOf(pageSeqs);
    const sizes = bodies.map((x) => x.byteLength);
    const intact = () => bodies.every((x, i) => x.byteLength === sizes[i]);
    const picked = await this.run({ op: 'pick', bodies, picks: cut, maxBytes }, handOver(bodies),
      async () => pickEvents(intact() ? bodies : await this.bodiesOf(pageSeqs), cut, maxBytes));
    return { total, json: picked.json!, count: picked.count! };
  }

  private orderOf(traceId: string, seqs: number[]): Promise<TraceOrder> {
    const known = this.orders.get(traceId);
    if (known && known.generation === this.store.generation && known.seqs.length === seqs.length && known.seqs[known.seqs.length - 1] === seqs[seqs.length - 1]) {
      // Most recently used last.
      this.orders.delete(traceId);
      this.orders.set(traceId, known);
      return Promise.resolve(known);
    }
    const key = `${traceId}:${seqs.length}:${this.store.generation}`;
    let making = this.making.get(key);
    if (!making) {
      making = this.makeOrder(traceId, seqs).finally(() => this.making.delete(key));
      this.making.set(key, making);
    }
    return making;
  }

  /** The stored bodies of `seqs[from..to)` (empty for a row that is gone). */
  private async bodiesOf(seqs: readonly number[], from = 0, to = seqs.length): Promise<Uint8Array[]> {
    const read = await this.store.readBodies(seqs.slice(from, to));
    return read.map((b) => b ?? new Uint8Array(0));
  }

  private async makeOrder(traceId: string, seqs: number[]): Promise<TraceOrder> {
    const generation = this.store.generation;
    // The bodies go to the worker a few at a time as they are read (one message of a whole large
    // trace's bodies would copy tens of megabytes at once on this thread), handed over, not copied.
    const id = this.nextId++;
    const inline = async () => ({ order: orderTrace(traceId, await this.bodiesOf(seqs)) });
    let worker = this.workerOrNull();
    const hadWorker = worker !== null;
    for (let i = 0; worker && i + READ_SLICE < seqs.length; i += READ_SLICE) {
      const bodies = await this.bodiesOf(seqs, i, i + READ_SLICE);
      if (!this.post(worker, { id, op: 'order-part', traceId, bodies }, handOver(bodies))) worker = null;
      await nextTurn();
      if (this.worker !== worker) worker = null; // lost meanwhile
    }
    let reply: { order?: Int32Array } | null = null;
    if (worker) {
      const last = await this.bodiesOf(seqs, Math.floor(Math.max(0, seqs.length - 1) / READ_SLICE) * READ_SLICE);
      reply = await this.ask(worker, id, { id, op: 'order-end', traceId, bodies: last }, handOver(last));
    }
    if (!reply?.order && hadWorker) {
      // The worker stopped (out of memory on a huge trace?): ordering it here instead could take
      // the server down with it.
      throw new BodyError(503, 'the trace reader stopped while ordering this trace; try again');
    }
    const made: TraceOrder = { seqs, order: (reply?.order ? reply : await inline()).order!, generation };
    this.orders.delete(traceId);
    this.orders.set(traceId, made);
    while (this.orders.size > CACHED_ORDERS) this.orders.delete(this.orders.keys().next().value!);
    return made;
  }

  /** Runs a request on the worker; inline when there is none or it failed. */
  private async run(req: Request, transfer: ArrayBuffer[], inline: () => Promise<{ json?: string; count?: number }>): Promise<{ json?: string; count?: number }> {
    const worker = this.workerOrNull();
    if (worker) {
      const id = this.nextId++;
      const reply = await this.ask(worker, id, { ...req, id } as TraceWorkerRequest, transfer);
      if (reply) return reply;
    }
    return inline();
  }

  private post(worker: Worker, msg: TraceWorkerRequest, transfer: ArrayBuffer[] = []): boolean {
    try {
      worker.postMessage(msg, transfer);
      return true;
    } catch {
      return false;
    }
  }

  /** The worker's answer to `msg`, or null when it failed or was lost. */
  private ask(worker: Worker, id: number, msg: TraceWorkerRequest, transfer: ArrayBuffer[] = []): Promise<(TraceWorkerReply & { ok: true }) | null> {
    return new Promise((resolve) => {
      // Lost already (its exit was seen): no answer will come.
      if (this.worker !== worker) {
        resolve(null);
        return;
      }
      this.inFlight.set(id, (reply) => resolve(reply?.ok ? reply : null));
      if (!this.post(worker, msg, transfer)) {
        this.inFlight.delete(id);
        resolve(null);
      }
    });
  }

  private workerOrNull(): Worker | null {
    if (!this.useWorker || this.closed) return null;
    if (this.worker) return this.worker;
    let worker: Worker;
    try {
      worker = new Worker(join(__dirname, 'trace-worker.js'));
    } catch {
      return null;
    }
    worker.on('message', (reply: TraceWorkerReply) => {
      const done = this.inFlight.get(reply.id);
      this.inFlight.delete(reply.id);
      done?.(reply);
    });
    const lost = () => {
      if (this.worker === worker) this.worker = null;
      for (const done of this.inFlight.values()) done(null);
      this.inFlight.clear();
    };
    worker.on('error', lost);
    worker.on('exit', lost);
    // Never keeps a process alive whose server was closed.
    worker.unref();
    this.worker = worker;
    return worker;
  }

  close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = null;
    return worker ? worker.terminate().then(() => undefined, () => undefined) : Promise.resolve();
  }
}
