/**
 * The requests a trace served: for each service, the first incoming request (an HttpRequest event
 * whose URL is a path, not an outgoing call's absolute URL), and the trace's root request (the first
 * of them). The web view names a race's sides and a trace's row by them.
 *
 * Read straight from the stored batches, without ordering whole traces: a request's HttpRequest is
 * the first event of its task, so it is in one of the first batches that hold the trace's events.
 * Bounded: the first TRACE_BATCHES batches of a trace are read; one answer reads each batch once
 * for all its traces, and stops once it has read ANSWER_BYTES of event JSON (the traces it could
 * not finish are left out of that answer, `root_request` null in the trace list, and read by a
 * later one); answers are kept per version of the trace (its stored batches only ever append), at
 * most CACHED_TRACES of them.
 */
import { unpack } from './ingest-core';
import type { Store } from './store';

/** Traces one `GET /api/requests` (or one page of `/api/traces`) names the requests of. */
export const MAX_REQUEST_TRACES = 100;
/** Stored batches of one trace read to find its requests (its first ones). */
export const TRACE_BATCHES = 8;
/** Event JSON one answer reads at most (a batch started is read whole). */
export const ANSWER_BYTES = 8 * 1024 * 1024;
/** Stored batches read together. */
const READ_AT_ONCE = 16;
/** Answers kept (a trace's answer is a few hundred bytes). */
const CACHED_TRACES = 5000;
/** Services of one trace whose request is named. */
const MAX_SERVICES = 32;
/** Longest method, URL or service name kept (a URL can be long; the view shows its path). */
const MAX_TEXT = 512;

/** One incoming request: the service that received it, its method and its URL (a path). */
export interface ServiceRequest {
  service: string;
  method: string;
  url: string;
}

export interface TraceRequests {
  /** The trace's first incoming request, or null when it recorded none. */
  root_request: ServiceRequest | null;
  /** The first incoming request of each service, in the order the services first received one. */
  requests: ServiceRequest[];
}

/** The shape of the event fields read here (events are otherwise opaque to this module). */
interface EventLike {
  trace_id?: unknown;
  timestamp?: unknown;
  metadata?: { service_name?: unknown };
  kind?: { HttpRequest?: { method?: unknown; url?: unknown } };
}

const cut = (s: string): string => (s.length > MAX_TEXT ? s.slice(0, MAX_TEXT - 1) + '…' : s);

/** The incoming request an event records, with when, or null. */
function incoming(e: EventLike): (ServiceRequest & { at: string }) | null {
  const req = e.kind?.HttpRequest;
  if (!req || typeof req.url !== 'string' || !req.url.startsWith('/')) return null;
  const service = typeof e.metadata?.service_name === 'string' ? e.metadata.service_name : '';
  return { service: cut(service), method: cut(String(req.method ?? '')), url: cut(req.url), at: typeof e.timestamp === 'string' ? e.timestamp : '' };
}

/**
 * The requests of a trace from its events (any order): per service the earliest incoming request
 * (RFC 3339 timestamps of one service compare as text). Pure.
 */
export function requestsOf(events: readonly EventLike[]): TraceRequests {
  const first = new Map<string, ServiceRequest & { at: string }>();
  for (const e of events) {
    const r = incoming(e);
    if (!r) continue;
    const known = first.get(r.service);
    if (known ? r.at < known.at : first.size < MAX_SERVICES) first.set(r.service, r);
  }
  const requests = [...first.values()].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0)).map(({ service, method, url }) => ({ service, method, url }));
  return { root_request: requests[0] ?? null, requests };
}

/** A stored batch's events, or none when its body cannot be read, with the JSON's length. */
function batchEvents(body: Uint8Array | undefined): { events: EventLike[]; bytes: number } {
  if (!body || body.byteLength === 0) return { events: [], bytes: 0 };
  try {
    const text = unpack(Buffer.from(body.buffer, body.byteOffset, body.byteLength));
    const events = (JSON.parse(text) as { events?: unknown }).events;
    return { events: Array.isArray(events) ? (events as EventLike[]) : [], bytes: text.length };
  } catch {
    return { events: [], bytes: 0 };
  }
}

/** Requests of traces read from the store's batches, remembered per version of each trace. */
export class TraceRequestIndex {
  private readonly cache = new Map<string, { version: string; answer: TraceRequests }>();

  constructor(private readonly store: Store) {}

  /**
   * The requests of each trace (the first MAX_REQUEST_TRACES ids); unknown traces, and those this
   * answer could not read within ANSWER_BYTES, are left out.
   */
  async ofMany(traceIds: readonly string[]): Promise<({ trace_id: string } & TraceRequests)[]> {
    const ids = [...new Set(traceIds)].slice(0, MAX_REQUEST_TRACES);
    const known = new Map<string, TraceRequests>();
    // The traces to read: their first batches, and the version their answer will be kept under.
    const toRead = new Map<string, { version: string; seqs: number[]; events: EventLike[] }>();
    for (const id of ids) {
      const seqs = this.store.index.batchesOf(id);
      if (seqs.length === 0) continue;
      const version = `${seqs.length}:${seqs[seqs.length - 1]}`;
      const cached = this.cache.get(id);
      if (cached && cached.version === version) {
        this.cache.delete(id);
        this.cache.set(id, cached);
        known.set(id, cached.answer);
      } else {
        toRead.set(id, { version, seqs: seqs.slice(0, TRACE_BATCHES), events: [] });
      }
    }
    // Each batch once, oldest first, for every trace that wants it.
    const wanted = new Map<number, string[]>();
    for (const [id, t] of toRead) for (const seq of t.seqs) wanted.set(seq, [...(wanted.get(seq) ?? []), id]);
    const read = new Set<number>();
    let bytes = 0;
    const seqs = [...wanted.keys()].sort((a, b) => a - b);
    // A few batches a read (one round trip to a PostgreSQL store), stopping once enough was read.
    for (let i = 0; i < seqs.length && bytes < ANSWER_BYTES; i += READ_AT_ONCE) {
      const slice = seqs.slice(i, i + READ_AT_ONCE);
      const bodies = await this.store.readBodies(slice);
      for (let j = 0; j < slice.length && bytes < ANSWER_BYTES; j++) {
        const seq = slice[j]!;
        const batch = batchEvents(bodies[j]);
        bytes += batch.bytes;
        read.add(seq);
        const traces = new Set(wanted.get(seq));
        for (const e of batch.events) {
          if (typeof e.trace_id === 'string' && traces.has(e.trace_id) && incoming(e)) toRead.get(e.trace_id)!.events.push(e);
        }
      }
    }
    for (const [id, t] of toRead) {
      if (!t.seqs.every((s) => read.has(s))) continue; // not finished: a later answer reads it
      const answer = requestsOf(t.events);
      known.set(id, answer);
      this.cache.delete(id);
      this.cache.set(id, { version: t.version, answer });
    }
    while (this.cache.size > CACHED_TRACES) this.cache.delete(this.cache.keys().next().value!);
    return ids.filter((id) => known.has(id)).map((id) => ({ trace_id: id, ...known.get(id)! }));
  }
}
