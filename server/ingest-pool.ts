/**
 * Worker threads for the CPU-heavy half of ingest (see ingest-core.ts). A worker that dies is
 * replaced; its in-flight requests fail over to the inline path, never to an error for the client.
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { WorkerReply } from './ingest-core';

interface Slot {
  worker: Worker;
  inFlight: Map<number, (reply: WorkerReply | null) => void>;
}

export class IngestPool {
  private readonly slots: Slot[] = [];
  private nextId = 1;
  private closing = false;

  constructor(readonly size: number) {
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  private spawn(): Slot {
    const slot: Slot = { worker: new Worker(join(__dirname, 'ingest-worker.js')), inFlight: new Map() };
    slot.worker.on('message', (reply: WorkerReply) => {
      const done = slot.inFlight.get(reply.id);
      slot.inFlight.delete(reply.id);
      done?.(reply);
    });
    const fail = () => {
      for (const done of slot.inFlight.values()) done(null);
      slot.inFlight.clear();
      const i = this.slots.indexOf(slot);
      if (i >= 0 && !this.closing) this.slots[i] = this.spawn();
    };
    slot.worker.on('error', fail);
    slot.worker.on('exit', fail);
    // The workers must not keep a process alive whose server was closed.
    slot.worker.unref();
    return slot;
  }

  /**
   * Prepares a body. Its memory is handed to the worker, not copied (`body` is unusable after the
   * call), so it must own its ArrayBuffer whole (see `ownedBody`). Resolves with the worker's reply,
   * or null when the worker failed or took too long (the caller then works inline, from its own copy).
   */
  prepare(body: Uint8Array, timeoutMs = 30_000): Promise<WorkerReply | null> {
    let slot = this.slots[0]!;
    for (const s of this.slots) if (s.inFlight.size < slot.inFlight.size) slot = s;
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        slot.inFlight.delete(id);
        resolve(null);
      }, timeoutMs);
      timer.unref();
      slot.inFlight.set(id, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      try {
        slot.worker.postMessage({ id, body }, [body.buffer as ArrayBuffer]);
      } catch {
        slot.inFlight.delete(id);
        clearTimeout(timer);
        resolve(null);
      }
    });
  }

  /** Test hook: the workers' threads. */
  get threads(): Worker[] {
    return this.slots.map((s) => s.worker);
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate().catch(() => undefined)));
  }
}

/**
 * The chunks of a body joined into memory of its own, ready to be handed to a worker: one copy
 * here instead of three (into the message, out of it, and joined in the worker).
 */
export function ownedBody(chunks: readonly Buffer[]): Buffer {
  let size = 0;
  for (const c of chunks) size += c.length;
  // Never from Buffer's shared pool: the whole ArrayBuffer goes to the worker.
  const body = Buffer.allocUnsafeSlow(size);
  let at = 0;
  for (const c of chunks) {
    c.copy(body, at);
    at += c.length;
  }
  return body;
}
