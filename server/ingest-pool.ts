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

/** Spare body buffers kept for reuse, at most. */
const SPARES = 8;

export class IngestPool {
  private readonly slots: Slot[] = [];
  private nextId = 1;
  private closing = false;
  /** Body memory the workers handed back, for the next bodies. */
  private readonly spares: ArrayBuffer[] = [];

  constructor(readonly size: number) {
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  private spawn(): Slot {
    const slot: Slot = { worker: new Worker(join(__dirname, 'ingest-worker.js')), inFlight: new Map() };
    slot.worker.on('message', (reply: WorkerReply) => {
      if (reply.spare && this.spares.length < SPARES) this.spares.push(reply.spare);
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
   * Prepares a body given as the chunks it arrived in. Resolves with the worker's reply, or null
   * when the worker failed or took too long (the caller then works inline, from the chunks).
   */
  prepare(chunks: readonly Buffer[], timeoutMs = 30_000): Promise<WorkerReply | null> {
    const body = this.join(chunks);
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

  /**
   * The chunks joined into memory of the body's own, which is handed to the worker, not copied:
   * one copy here instead of three (into the message, out of it, joined in the worker). The memory
   * is a spare the workers gave back when one is large enough and not wastefully large.
   */
  private join(chunks: readonly Buffer[]): Uint8Array {
    let size = 0;
    for (const c of chunks) size += c.length;
    let mem: ArrayBuffer | undefined;
    for (let i = 0; i < this.spares.length; i++) {
      const b = this.spares[i]!;
      if (b.byteLength >= size && b.byteLength <= 4 * size + 65536) {
        mem = b;
        this.spares.splice(i, 1);
        break;
      }
    }
    const body = new Uint8Array(mem ?? new ArrayBuffer(size), 0, size);
    let at = 0;
    for (const c of chunks) {
      body.set(c, at);
      at += c.length;
    }
    return body;
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
