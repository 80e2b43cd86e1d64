/**
 * The two CPU-heavy steps of serving a trace, as pure functions over the stored (compressed)
 * batch bodies, so that they can run on a worker thread (trace-worker.ts) or inline:
 * - `orderTrace`: where each of the trace's events sits (batch, position in its body), in causal
 *   order. Only what ordering needs is kept per event (clock, task, time), not the events.
 * - `pickEvents`: the JSON text of the events at given places, up to a byte budget (one page).
 */
import type { RacewayEvent } from '../protocol/events';
import { causalOrder } from './analyzer/causal';
import { unpack } from './ingest-core';

/** A batch's events, or none when its body cannot be read (a damaged row costs its own events only). */
function eventsOf(body: Uint8Array): RacewayEvent[] {
  try {
    const events = (JSON.parse(unpack(Buffer.from(body.buffer, body.byteOffset, body.byteLength))) as { events?: unknown }).events;
    return Array.isArray(events) ? (events as RacewayEvent[]) : [];
  } catch {
    return [];
  }
}

/** What causalOrder reads of an event, and where the event is stored. */
interface Place {
  timestamp: string;
  metadata: { thread_id: string };
  causality_vector: [string, number][];
  batch: number;
  pos: number;
}

/**
 * Collects where a trace's events are stored, batch by batch (as the bodies arrive), then gives
 * their causal order (vector clocks first, then timestamps) as pairs `[batch, pos]`: `batch`
 * counts the bodies in the order they were added. An event id met twice is kept once.
 */
export class TraceOrderBuilder {
  private readonly seen = new Set<string>();
  private readonly places: Place[] = [];
  private batches = 0;

  constructor(private readonly traceId: string) {}

  add(bodies: readonly Uint8Array[]): void {
    for (const body of bodies) {
      const b = this.batches++;
      const events = eventsOf(body);
      for (let p = 0; p < events.length; p++) {
        const e = events[p];
        if (!e || e.trace_id !== this.traceId || this.seen.has(e.id)) continue;
        this.seen.add(e.id);
        this.places.push({ timestamp: e.timestamp, metadata: { thread_id: e.metadata.thread_id }, causality_vector: e.causality_vector, batch: b, pos: p });
      }
    }
  }

  finish(): Int32Array {
    const ordered = causalOrder(this.places as unknown as RacewayEvent[]) as unknown as Place[];
    const out = new Int32Array(ordered.length * 2);
    for (let i = 0; i < ordered.length; i++) {
      out[2 * i] = ordered[i]!.batch;
      out[2 * i + 1] = ordered[i]!.pos;
    }
    return out;
  }
}

/** The whole of TraceOrderBuilder at once. */
export function orderTrace(traceId: string, bodies: readonly Uint8Array[]): Int32Array {
  const builder = new TraceOrderBuilder(traceId);
  builder.add(bodies);
  return builder.finish();
}

/**
 * JSON text of an array of the events at `picks` (pairs `[batch, pos]`, `batch` indexing
 * `bodies`), in that order, stopping before the text would pass `maxBytes` (always at least one
 * event). `count` says how many were taken.
 */
export function pickEvents(bodies: readonly Uint8Array[], picks: Int32Array, maxBytes: number): { json: string; count: number } {
  const parsed = new Map<number, RacewayEvent[]>();
  const parts: string[] = [];
  let size = 2;
  let count = 0;
  for (let i = 0; i < picks.length; i += 2) {
    const b = picks[i]!;
    let events = parsed.get(b);
    if (!events) parsed.set(b, (events = eventsOf(bodies[b]!)));
    const e = events[picks[i + 1]!];
    const text = e === undefined ? 'null' : JSON.stringify(e);
    if (count > 0 && size + text.length + 1 > maxBytes) break;
    parts.push(text);
    size += text.length + 1;
    count++;
  }
  return { json: `[${parts.join(',')}]`, count };
}
