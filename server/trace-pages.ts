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
import type { Store } from './store';
import { orderTrace, pickEvents } from './trace-read';
import type { TraceWorkerReply, TraceWorkerRequest } from './trace-worker';

/** `GET /api/traces/:id` pages: `limit` defaults to this… */
export const DEFAULT_TRACE_PAGE = 1000;
/** …and is at most this… */
export const MAX_TRACE_PAGE = 10_000;
/** …and a page's events are at most this much JSON (or one event, when it alone is larger). */
export const MAX_TRACE_PAGE_BYTES = 8 * 1024 * 1024;
/** Traces whose order is kept. */
const CACHED_ORDERS = 8;
/** Batches read from the store between two turns of the event loop. */
const READ_SLICE = 64;

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
}

type Request = TraceWorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

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
    const to = Math.min(total, from + limit);
    if (to <= from) return { total, json: '[]', count: 0 };
    // The page's batches only, renumbered for the worker.
    const local = new Map<number, number>();
    const bodies: Uint8Array[] = [];
    const picks = new Int32Array((to - from) * 2);
    for (let i = from; i < to; i++) {
      const b = order[2 * i]!;
      let k = local.get(b);
      if (k === undefined) {
        local.set(b, (k = bodies.length));
        bodies.push(this.store.storedBody(orderSeqs[b]!) ?? new Uint8Array(0));
      }
      picks[2 * (i - from)] = k;
      picks[2 * (i - from) + 1] = order[2 * i + 1]!;
    }
    const picked = await this.run({ op: 'pick', bodies, picks, maxBytes }, () => pickEvents(bodies, picks, maxBytes));
    return { total, json: picked.json!, count: picked.count! };
  }

  private orderOf(traceId: string, seqs: number[]): Promise<TraceOrder> {
    const known = this.orders.get(traceId);
    if (known && known.seqs.length === seqs.length && known.seqs[known.seqs.length - 1] === seqs[seqs.length - 1]) {
      // Most recently used last.
      this.orders.delete(traceId);
      this.orders.set(traceId, known);
      return Promise.resolve(known);
    }
    const key = `${traceId}:${seqs.length}`;
    let making = this.making.get(key);
    if (!making) {
      making = this.makeOrder(traceId, seqs).finally(() => this.making.delete(key));
      this.making.set(key, making);
    }
    return making;
  }

  private async makeOrder(traceId: string, seqs: number[]): Promise<TraceOrder> {
    const bodies: Uint8Array[] = [];
    for (let i = 0; i < seqs.length; i++) {
      if (i > 0 && i % READ_SLICE === 0) await nextTurn();
      bodies.push(this.store.storedBody(seqs[i]!) ?? new Uint8Array(0));
    }
    const reply = await this.run({ op: 'order', traceId, bodies }, () => ({ order: orderTrace(traceId, bodies) }));
    const made: TraceOrder = { seqs, order: reply.order! };
    this.orders.delete(traceId);
    this.orders.set(traceId, made);
    while (this.orders.size > CACHED_ORDERS) this.orders.delete(this.orders.keys().next().value!);
    return made;
  }

  /** Runs a request on the worker; inline when there is none or it failed. */
  private async run(req: Request, inline: () => { order?: Int32Array; json?: string; count?: number }): Promise<{ order?: Int32Array; json?: string; count?: number }> {
    const worker = this.workerOrNull();
    if (worker) {
      const id = this.nextId++;
      const reply = await new Promise<TraceWorkerReply | null>((resolve) => {
        this.inFlight.set(id, resolve);
        try {
          worker.postMessage({ ...req, id });
        } catch {
          this.inFlight.delete(id);
          resolve(null);
        }
      });
      if (reply?.ok) return reply;
    }
    return inline();
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
