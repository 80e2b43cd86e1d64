/**
 * Retention: which traces a store drops (whole, oldest first) to keep under `--max-events` and
 * within `--retain`, and how its stored batches change for that. A batch holds events of several
 * traces, so dropping a trace deletes the batches that held only dropped traces and rewrites the
 * others without those events; the store then rebuilds its index and id set from what is left
 * (store.ts), so both shrink with the data.
 */
import type { RacewayEvent } from '../protocol/events';
import { prepareBatch, unpack, type PreparedBatch } from './ingest-core';
import type { TraceAggregate } from './live-index';

export interface RetentionOptions {
  /** Keep at most this many events (oldest traces dropped whole once it is passed). */
  maxEvents?: number;
  /** Drop traces whose last event is older than this many milliseconds. */
  retainMs?: number;
}

/** A pass over the limit drops down to this share of `maxEvents`, so that passes stay rare. */
export const LOW_WATER = 0.9;

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** `--retain` values: a number and a unit, `90s`, `30m`, `12h`, `7d`, `2w`. Null when malformed. */
export function parseDuration(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*([smhdw])$/i.exec(text.trim());
  if (!m) return null;
  const ms = Number(m[1]) * UNITS[m[2]!.toLowerCase()]!;
  return ms > 0 && Number.isFinite(ms) ? ms : null;
}

/**
 * The traces to drop: those whose last event is older than `retainMs` before `nowMs`, then, while
 * `events` (what the store holds) is over `maxEvents`, the least recent others (by last event, then
 * id) until it is at LOW_WATER of it.
 */
export function tracesToDrop(traces: readonly TraceAggregate[], events: number, options: RetentionOptions, nowMs: number): Set<string> {
  const out = new Set<string>();
  let left = events;
  if (options.retainMs) {
    const cutoff = (nowMs - options.retainMs) * 1000; // the index keeps microseconds
    for (const t of traces) {
      if (t.last < cutoff) {
        out.add(t.trace_id);
        left -= t.count;
      }
    }
  }
  if (options.maxEvents !== undefined && left > options.maxEvents) {
    const target = Math.floor(options.maxEvents * LOW_WATER);
    const rest = traces.filter((t) => !out.has(t.trace_id)).sort((a, b) => a.last - b.last || (a.trace_id < b.trace_id ? -1 : a.trace_id > b.trace_id ? 1 : 0));
    for (const t of rest) {
      if (left <= target) break;
      out.add(t.trace_id);
      left -= t.count;
    }
  }
  return out;
}

/** What dropping some traces does to the stored batches. */
export interface DropPlan {
  /** Batches holding only dropped traces' events (or unreadable ones). */
  deletes: number[];
  /** Batches that keep some events: stored again, under the same seq, with only those. */
  rewrites: { seq: number; batch: PreparedBatch }[];
  /** Ids of the events dropped. */
  droppedIds: string[];
  droppedTraces: number;
}

/** The plan for dropping `traces`, from the stored bodies of the batches that hold them (`bodies[i]` is the body of `seqs[i]`). */
export function planDrop(traces: ReadonlySet<string>, seqs: readonly number[], bodies: readonly (Uint8Array | undefined)[]): DropPlan {
  const plan: DropPlan = { deletes: [], rewrites: [], droppedIds: [], droppedTraces: traces.size };
  for (let i = 0; i < seqs.length; i++) {
    const body = bodies[i];
    let events: RacewayEvent[];
    try {
      events = body ? (JSON.parse(unpack(Buffer.from(body.buffer, body.byteOffset, body.byteLength))) as { events: RacewayEvent[] }).events : [];
    } catch {
      events = []; // unreadable: its events were never served; the row goes
    }
    const kept: RacewayEvent[] = [];
    for (const e of events) {
      if (traces.has(e.trace_id)) plan.droppedIds.push(e.id);
      else kept.push(e);
    }
    if (kept.length === 0) plan.deletes.push(seqs[i]!);
    else if (kept.length < events.length) plan.rewrites.push({ seq: seqs[i]!, batch: prepareBatch(kept) });
  }
  return plan;
}

/** Seqs of the batches holding any of `traces`, ascending, each once. */
export function batchesOfTraces(traces: Iterable<string>, batchesOf: (trace: string) => number[]): number[] {
  const seqs = new Set<number>();
  for (const t of traces) for (const s of batchesOf(t)) seqs.add(s);
  return [...seqs].sort((a, b) => a - b);
}
