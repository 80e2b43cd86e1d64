/**
 * The CPU-heavy, pure part of `POST /events`: decode, parse, validate, and prepare what the store
 * writes (compressed body and analysis chunk). Runs in the ingest worker thread, or inline.
 */
import { isAscii } from 'node:buffer';
import zlib from 'node:zlib';
import type { RacewayEvent } from '../runtime/events';
import { validateEvent } from '../runtime/schema';
import { chunkOf, type IndexChunk } from './live-index';

export const MAX_REJECTED_LISTED = 100;

export interface RejectedEvent {
  index: number;
  id: string | null;
  errors: string[];
}

/** A client error in the body (answered with `status`). */
export class BodyError extends Error {
  constructor(readonly status: number, message: string, readonly extra: Record<string, unknown> = {}) {
    super(message);
  }
}

// Brotli at quality 0 compresses event JSON several times over at about 1 GB/s: far cheaper than
// writing the uncompressed bytes (and checkpointing them again), and the file stays small.
const BROTLI_FAST = { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 0 } };
export const pack = (b: Buffer): Buffer => zlib.brotliCompressSync(b, BROTLI_FAST);
export const unpack = (b: Buffer): string => {
  const raw = zlib.brotliDecompressSync(b);
  return isAscii(raw) ? raw.toString('latin1') : raw.toString('utf8');
};

export interface ParsedBody {
  valid: RacewayEvent[];
  /** First MAX_REJECTED_LISTED rejections. */
  rejected: RejectedEvent[];
  rejectedCount: number;
}

/** Parses and validates a request body; throws BodyError for what the whole request is refused for. */
export function parseBody(body: Buffer): ParsedBody {
  let parsed: unknown;
  // Runtime bodies are ASCII (JSON escapes the rest); latin1 decoding of ASCII is a plain copy.
  const text = isAscii(body) ? body.toString('latin1') : body.toString('utf8');
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new BodyError(400, `malformed JSON: ${(err as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed) || !Array.isArray((parsed as { events?: unknown }).events)) {
    throw new BodyError(400, 'body must be a JSON object with an "events" array');
  }
  const events = (parsed as { events: unknown[] }).events;
  const valid: RacewayEvent[] = [];
  const rejected: RejectedEvent[] = [];
  let rejectedCount = 0;
  events.forEach((e, index) => {
    const errors = validateEvent(e);
    if (errors.length === 0) valid.push(e as RacewayEvent);
    else {
      rejectedCount++;
      if (rejected.length < MAX_REJECTED_LISTED) {
        const id = e && typeof e === 'object' && typeof (e as { id?: unknown }).id === 'string' ? (e as { id: string }).id : null;
        rejected.push({ index, id, errors });
      }
    }
  });
  if (valid.length === 0 && rejectedCount > 0) {
    throw new BodyError(400, `all ${rejectedCount} events were rejected; first problem: event ${rejected[0]!.index}: ${rejected[0]!.errors[0]}`,
      { rejected, rejected_count: rejectedCount });
  }
  return { valid, rejected, rejectedCount };
}

/** A batch ready to be committed: everything but the duplicate check and the write. */
export interface PreparedBatch {
  ids: string[];
  traces: string[];
  chunk: IndexChunk;
  packedBody: Uint8Array;
  packedChunk: Uint8Array;
}

/** `rawBody` is stored (compressed) as is when given: it must hold exactly `events`. */
export function prepareBatch(events: readonly RacewayEvent[], rawBody?: Buffer): PreparedBatch {
  const chunk = chunkOf(events);
  const body = rawBody ?? Buffer.from(JSON.stringify({ events }));
  const traces = new Set<string>();
  let last = '';
  for (const e of events) if (e.trace_id !== last) traces.add((last = e.trace_id));
  return {
    ids: events.map((e) => e.id), traces: [...traces], chunk,
    packedBody: pack(body), packedChunk: pack(Buffer.from(JSON.stringify(chunk))),
  };
}

/** What the worker answers for one body. */
export type WorkerReply =
  | { id: number; ok: true; parsed: Omit<ParsedBody, 'valid'> & { validCount: number }; batch: PreparedBatch }
  | { id: number; ok: false; status: number; message: string; extra: Record<string, unknown> };
