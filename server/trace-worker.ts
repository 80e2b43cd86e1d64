/** Worker thread for trace-pages.ts: orders a trace's events and cuts pages out of stored bodies, off the main thread. */
import { parentPort } from 'node:worker_threads';
import { orderTrace, pickEvents } from './trace-read';

export type TraceWorkerRequest =
  | { id: number; op: 'order'; traceId: string; bodies: Uint8Array[] }
  | { id: number; op: 'pick'; bodies: Uint8Array[]; picks: Int32Array; maxBytes: number };

export type TraceWorkerReply =
  | { id: number; ok: true; order?: Int32Array; json?: string; count?: number }
  | { id: number; ok: false; message: string };

parentPort?.on('message', (msg: TraceWorkerRequest) => {
  try {
    if (msg.op === 'order') {
      const order = orderTrace(msg.traceId, msg.bodies);
      parentPort!.postMessage({ id: msg.id, ok: true, order } satisfies TraceWorkerReply, [order.buffer as ArrayBuffer]);
    } else {
      const { json, count } = pickEvents(msg.bodies, msg.picks, msg.maxBytes);
      parentPort!.postMessage({ id: msg.id, ok: true, json, count } satisfies TraceWorkerReply);
    }
  } catch (err) {
    parentPort!.postMessage({ id: msg.id, ok: false, message: (err as Error)?.message ?? String(err) } satisfies TraceWorkerReply);
  }
});
