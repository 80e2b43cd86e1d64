/** Worker thread for trace-pages.ts: orders a trace's events and cuts pages out of stored bodies, off the main thread. */
import { parentPort } from 'node:worker_threads';
import { pickEvents, TraceOrderBuilder } from './trace-read';

export type TraceWorkerRequest =
  /** Bodies of a trace being ordered, in the order of its batches (more parts may follow)… */
  | { id: number; op: 'order-part'; traceId: string; bodies: Uint8Array[] }
  /** …and the last part: answered with the order. */
  | { id: number; op: 'order-end'; traceId: string; bodies: Uint8Array[] }
  | { id: number; op: 'pick'; bodies: Uint8Array[]; picks: Int32Array; maxBytes: number };

export type TraceWorkerReply =
  | { id: number; ok: true; order?: Int32Array; json?: string; count?: number }
  | { id: number; ok: false; message: string };

const building = new Map<number, TraceOrderBuilder>();

parentPort?.on('message', (msg: TraceWorkerRequest) => {
  try {
    if (msg.op === 'pick') {
      const { json, count } = pickEvents(msg.bodies, msg.picks, msg.maxBytes);
      parentPort!.postMessage({ id: msg.id, ok: true, json, count } satisfies TraceWorkerReply);
      return;
    }
    let builder = building.get(msg.id);
    if (!builder) building.set(msg.id, (builder = new TraceOrderBuilder(msg.traceId)));
    builder.add(msg.bodies);
    if (msg.op === 'order-part') return;
    building.delete(msg.id);
    const order = builder.finish();
    parentPort!.postMessage({ id: msg.id, ok: true, order } satisfies TraceWorkerReply, [order.buffer as ArrayBuffer]);
  } catch (err) {
    building.delete(msg.id);
    parentPort!.postMessage({ id: msg.id, ok: false, message: (err as Error)?.message ?? String(err) } satisfies TraceWorkerReply);
  }
});
