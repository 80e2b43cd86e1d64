/**
 * The CPU-heavy, pure part of `POST /events`: decode, parse, validate, and prepare what the store
 * writes (compressed body and analysis chunk). Runs in the ingest worker thread, or inline.
 */
import { isAscii } from 'node:buffer';
import zlib from 'node:zlib';
import type { RacewayEvent } from '../protocol/events';
import { validateEvent } from '../protocol/schema';
import { micros } from './analyzer';
import { fastValid } from './fast-validate';
import { idWords } from './id-set';
import { chunkOf, encodeChunk, type IndexChunk } from './live-index';

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
export const unpackRaw = (b: Buffer): Buffer => zlib.brotliDecompressSync(b);
export const unpack = (b: Buffer): string => {
  const raw = unpackRaw(b);
  return isAscii(raw) ? raw.toString('latin1') : raw.toString('utf8');
};

export interface ParsedBody {
  valid: RacewayEvent[];
  /** Position of each valid event in the request's `events` array. */
  positions: number[];
  /** `micros(timestamp)` of each valid event. */
  ts: Float64Array;
  /** First MAX_REJECTED_LISTED rejections. */
  rejected: RejectedEvent[];
  rejectedCount: number;
}

// Strings over about 128 KB go to V8's large-object space: one fresh mapping per string, so
// decoding a 500 KB body into one string costs more (half of it in page faults) than parsing it.
// Bodies in the runtime's framing are therefore parsed in pieces of about this size.
const PIECE_BYTES = 48 * 1024;
const PREFIX = Buffer.from('{"events":[');
// Where one runtime event ends and the next begins (wire.ts writes "id" first, "lock_set" last).
const BOUNDARY = Buffer.from(']},{"id":"');

/**
 * Parses `body[from..to)` as array contents. The bytes just outside it (the "[" of the framing or
 * the comma a cut was made at; the comma or the final "]") briefly become "[" and "]", so the
 * piece is decoded as one flat string: wrapping it in brackets by concatenation made V8 copy
 * every piece once more to flatten it.
 */
function parsePiece(body: Buffer, from: number, to: number, ascii: boolean): unknown[] | null {
  const before = body[from - 1]!;
  const after = body[to]!;
  body[from - 1] = 0x5b;
  body[to] = 0x5d;
  try {
    const part = JSON.parse(body.toString(ascii ? 'latin1' : 'utf8', from - 1, to + 1)) as unknown[];
    // "[]" parses, but an empty piece between two commas is not valid JSON.
    return part.length ? part : null;
  } catch {
    return null;
  } finally {
    body[from - 1] = before;
    body[to] = after;
  }
}

/**
 * The events of a body framed as the runtime sends it, `{"events":[...]}`, parsed in pieces cut at
 * commas between events. Null when the body is not framed that way or a piece does not parse (a
 * cut that fell inside a nested value, or malformed JSON): the caller then parses the whole body,
 * and reports its error. This is exact whatever the cuts: pieces that each parse as non-empty array
 * contents, joined by the commas they were cut at, are valid JSON with the same values.
 */
export function parseFramedEvents(body: Buffer, ascii: boolean): unknown[] | null {
  const n = body.length;
  if (n <= 2 * PIECE_BYTES || PREFIX.compare(body, 0, PREFIX.length) !== 0 || body[n - 2] !== 0x5d || body[n - 1] !== 0x7d) return null;
  const end = n - 2;
  const parts: unknown[][] = [];
  let start = PREFIX.length;
  for (;;) {
    const at = end - start > PIECE_BYTES ? body.indexOf(BOUNDARY, start + PIECE_BYTES) : -1;
    const cut = at < 0 || at >= end ? end : at + 2; // the comma
    const part = parsePiece(body, start, cut, ascii);
    if (!part) return null;
    parts.push(part);
    if (cut === end) break;
    start = cut + 1;
  }
  return parts.length === 1 ? parts[0]! : ([] as unknown[]).concat(...parts);
}

/** Parses and validates a request body; throws BodyError for what the whole request is refused for. */
export function parseBody(body: Buffer): ParsedBody {
  // Runtime bodies are ASCII (JSON escapes the rest); latin1 decoding of ASCII is a plain copy.
  const ascii = isAscii(body);
  let events = parseFramedEvents(body, ascii);
  if (!events) {
    let parsed: unknown;
    const text = ascii ? body.toString('latin1') : body.toString('utf8');
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new BodyError(400, `malformed JSON: ${(err as Error).message}`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed) || !Array.isArray((parsed as { events?: unknown }).events)) {
      throw new BodyError(400, 'body must be a JSON object with an "events" array');
    }
    events = (parsed as { events: unknown[] }).events;
  }
  const valid: RacewayEvent[] = [];
  const positions: number[] = [];
  const ts = new Float64Array(events.length);
  const rejected: RejectedEvent[] = [];
  let rejectedCount = 0;
  for (let index = 0; index < events.length; index++) {
    const e = events[index];
    if (fastValid(e, ts, valid.length)) {
      valid.push(e as RacewayEvent);
      positions.push(index);
      continue;
    }
    const errors = validateEvent(e);
    if (errors.length === 0) {
      ts[valid.length] = micros((e as RacewayEvent).timestamp);
      valid.push(e as RacewayEvent);
      positions.push(index);
    } else {
      rejectedCount++;
      if (rejected.length < MAX_REJECTED_LISTED) {
        const id = e && typeof e === 'object' && typeof (e as { id?: unknown }).id === 'string' ? (e as { id: string }).id : null;
        rejected.push({ index, id, errors });
      }
    }
  }
  if (valid.length === 0 && rejectedCount > 0) {
    throw new BodyError(400, `all ${rejectedCount} events were rejected; first problem: event ${rejected[0]!.index}: ${rejected[0]!.errors[0]}`,
      { rejected, rejected_count: rejectedCount });
  }
  return { valid, positions, ts: ts.subarray(0, valid.length), rejected, rejectedCount };
}

/**
 * Values nested so deep that serializing them exhausts the stack (tens of thousands of levels) are
 * rejected event by event, not the whole batch with a 500: the batch is prepared as usual, and only
 * when that fails with a RangeError is each event tried on its own. Returns whether any was
 * rejected (then the raw body no longer matches the valid events and must not be stored as is).
 */
export function rejectUnserializable(p: ParsedBody): boolean {
  const keep: RacewayEvent[] = [];
  const positions: number[] = [];
  const ts: number[] = [];
  let removed = false;
  p.valid.forEach((e, i) => {
    try {
      JSON.stringify(e);
      keep.push(e);
      positions.push(p.positions[i]!);
      ts.push(p.ts[i]!);
    } catch {
      removed = true;
      p.rejectedCount++;
      if (p.rejected.length < MAX_REJECTED_LISTED) {
        p.rejected.push({ index: p.positions[i]!, id: e.id, errors: ['a value is nested too deeply to store (the nesting exhausts the stack)'] });
      }
    }
  });
  if (removed) {
    p.valid = keep;
    p.positions = positions;
    p.ts = Float64Array.from(ts);
    p.rejected.sort((a, b) => a.index - b.index);
  }
  return removed;
}

/** `prepareBatch` of a parsed body; an event that cannot be serialized is rejected (see `rejectUnserializable`). */
export function prepareParsed(p: ParsedBody, body: Buffer): PreparedBatch {
  try {
    return prepareBatch(p.valid, p.rejectedCount === 0 ? body : undefined, p.ts);
  } catch (err) {
    if (!(err instanceof RangeError) || !rejectUnserializable(p)) throw err;
    if (p.valid.length === 0) throw new BodyError(400, 'all events were rejected: values nested too deeply to store', { rejected: p.rejected, rejected_count: p.rejectedCount });
    return prepareBatch(p.valid, undefined, p.ts);
  }
}

/** A batch ready to be committed: everything but the duplicate check and the write. */
export interface PreparedBatch {
  /** The ids in lower-case canonical form, 16 bytes (4 words) each (see id-set.ts)... */
  ids: Int32Array;
  /** ...and the others (upper-case hex digits), kept as strings. */
  oddIds: string[];
  count: number;
  chunk: IndexChunk;
  packedBody: Uint8Array;
  packedChunk: Uint8Array;
}

/** `rawBody` is stored (compressed) as is when given: it must hold exactly `events`. `ts[i]` is `micros(events[i].timestamp)` when given. */
export function prepareBatch(events: readonly RacewayEvent[], rawBody?: Buffer, ts?: Float64Array): PreparedBatch {
  const chunk = chunkOf(events, ts);
  const body = rawBody ?? Buffer.from(JSON.stringify({ events }));
  const ids = new Int32Array(events.length * 4);
  const oddIds: string[] = [];
  let k = 0;
  for (const e of events) {
    if (idWords(e.id, ids, k * 4)) k++;
    else oddIds.push(e.id);
  }
  return {
    ids: k === events.length ? ids : ids.slice(0, k * 4), oddIds, count: events.length, chunk,
    packedBody: pack(body), packedChunk: pack(encodeChunk(chunk)),
  };
}

const exclusive = (a: ArrayBufferView): boolean => a.byteOffset === 0 && a.byteLength === a.buffer.byteLength && a.buffer instanceof ArrayBuffer;

/**
 * The buffers of a prepared batch the worker hands over instead of copying them into the message.
 * A compressed buffer that shares its memory (zlib may return a slice) is first copied into one of
 * its own, so nothing else the worker holds is detached.
 */
export function transferables(b: PreparedBatch): ArrayBuffer[] {
  if (!exclusive(b.packedBody)) b.packedBody = new Uint8Array(b.packedBody);
  if (!exclusive(b.packedChunk)) b.packedChunk = new Uint8Array(b.packedChunk);
  const out: ArrayBuffer[] = [];
  for (const a of [b.ids, b.chunk.n, b.packedBody, b.packedChunk]) {
    if (exclusive(a) && !out.includes(a.buffer as ArrayBuffer)) out.push(a.buffer as ArrayBuffer);
  }
  return out;
}

/** What the worker answers for one body. */
export type WorkerReply = (
  | { id: number; ok: true; parsed: Omit<ParsedBody, 'valid' | 'ts' | 'positions'> & { validCount: number }; batch: PreparedBatch }
  | { id: number; ok: false; status: number; message: string; extra: Record<string, unknown> }
) & {
  /** The memory the body came in, handed back for the next body (see IngestPool). */
  spare?: ArrayBuffer;
};
