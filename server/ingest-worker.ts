/** Worker thread: parses, validates and prepares ingest batches so the main thread only commits them. */
import { parentPort } from 'node:worker_threads';
import { BodyError, parseBody, prepareParsed, transferables, type WorkerReply } from './ingest-core';

const asBuffer = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

parentPort?.on('message', (msg: { id: number; body: Uint8Array }) => {
  let reply: WorkerReply;
  // The body's memory goes back with the answer (nothing here keeps a view of it): the main
  // thread fills it with a later body instead of faulting in fresh pages for each one.
  const spare = msg.body.buffer as ArrayBuffer;
  try {
    const body = asBuffer(msg.body);
    const parsed = parseBody(body);
    const batch = prepareParsed(parsed, body);
    reply = { id: msg.id, ok: true, parsed: { rejected: parsed.rejected, rejectedCount: parsed.rejectedCount, validCount: parsed.valid.length }, batch, spare };
    // The batch's typed arrays are handed over, not copied.
    parentPort!.postMessage(reply, [...transferables(batch), spare]);
    return;
  } catch (err) {
    reply = err instanceof BodyError
      ? { id: msg.id, ok: false, status: err.status, message: err.message, extra: err.extra, spare }
      : { id: msg.id, ok: false, status: 500, message: `internal error: ${(err as Error)?.message ?? String(err)}`, extra: {}, spare };
  }
  parentPort!.postMessage(reply, [spare]);
});
