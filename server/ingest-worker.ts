/** Worker thread: parses, validates and prepares ingest batches so the main thread only commits them. */
import { parentPort } from 'node:worker_threads';
import { BodyError, parseBody, prepareBatch, transferables, type WorkerReply } from './ingest-core';

const asBuffer = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

parentPort?.on('message', (msg: { id: number; body: Uint8Array }) => {
  let reply: WorkerReply;
  try {
    const body = asBuffer(msg.body);
    const { valid, ts, rejected, rejectedCount } = parseBody(body);
    const batch = prepareBatch(valid, rejectedCount === 0 ? body : undefined, ts);
    reply = { id: msg.id, ok: true, parsed: { rejected, rejectedCount, validCount: valid.length }, batch };
    // The batch's typed arrays are handed over, not copied.
    parentPort!.postMessage(reply, transferables(batch));
    return;
  } catch (err) {
    reply = err instanceof BodyError
      ? { id: msg.id, ok: false, status: err.status, message: err.message, extra: err.extra }
      : { id: msg.id, ok: false, status: 500, message: `internal error: ${(err as Error)?.message ?? String(err)}`, extra: {} };
  }
  parentPort!.postMessage(reply);
});
