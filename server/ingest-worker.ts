/** Worker thread: parses, validates and prepares ingest batches so the main thread only commits them. */
import { parentPort } from 'node:worker_threads';
import { BodyError, parseBody, prepareBatch, type WorkerReply } from './ingest-core';

parentPort?.on('message', (msg: { id: number; body: Uint8Array }) => {
  let reply: WorkerReply;
  try {
    const body = Buffer.from(msg.body.buffer, msg.body.byteOffset, msg.body.byteLength);
    const { valid, rejected, rejectedCount } = parseBody(body);
    const batch = prepareBatch(valid, rejectedCount === 0 ? body : undefined);
    reply = { id: msg.id, ok: true, parsed: { rejected, rejectedCount, validCount: valid.length }, batch };
  } catch (err) {
    reply = err instanceof BodyError
      ? { id: msg.id, ok: false, status: err.status, message: err.message, extra: err.extra }
      : { id: msg.id, ok: false, status: 500, message: `internal error: ${(err as Error)?.message ?? String(err)}`, extra: {} };
  }
  parentPort!.postMessage(reply);
});
