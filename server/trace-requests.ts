/**
 * The requests a trace served: for each service, the first incoming request (an HttpRequest event
 * whose URL is a path, not an outgoing call's absolute URL), and the trace's root request (the first
 * of them). The web view names a race's sides and a trace's row by them.
 *
 * Bounded: only the first REQUEST_SCAN_EVENTS events of a trace (in causal order, where a request's
 * HttpRequest comes first in its task) are named from; a trace stored in more than
 * MAX_TRACE_BATCHES batches is not read (ordering it reads them all), nor more than
 * MAX_BATCHES_PER_ANSWER batches for one answer (the others come out unnamed, `root_request`
 * null, until a later answer reads them); answers are kept per version of the trace (its stored
 * batches only ever append), at most CACHED_TRACES of them.
 */
import type { TracePages } from './trace-pages';

/** Events of a trace read to find its requests. */
export const REQUEST_SCAN_EVENTS = 2000;
/** Traces one `GET /api/requests` (or one page of `/api/traces`) names the requests of. */
export const MAX_REQUEST_TRACES = 100;
/** Stored batches a trace may span to be read here. */
export const MAX_TRACE_BATCHES = 32;
/** Stored batches read for one answer (traces already read cost nothing). */
export const MAX_BATCHES_PER_ANSWER = 128;
/** Answers kept (a trace's answer is a few hundred bytes). */
const CACHED_TRACES = 5000;
/** Services of one trace whose request is named. */
const MAX_SERVICES = 32;
/** Longest method or URL kept (a URL can be long; the view shows its path). */
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
  metadata?: { service_name?: unknown };
  kind?: { HttpRequest?: { method?: unknown; url?: unknown } };
}

const cut = (s: string): string => (s.length > MAX_TEXT ? s.slice(0, MAX_TEXT - 1) + '…' : s);

/** The requests of a trace from its events in causal order. Pure. */
export function requestsOf(events: readonly EventLike[]): TraceRequests {
  const requests: ServiceRequest[] = [];
  const seen = new Set<string>();
  for (const e of events) {
    const req = e.kind?.HttpRequest;
    if (!req || typeof req.url !== 'string' || !req.url.startsWith('/')) continue;
    const service = typeof e.metadata?.service_name === 'string' ? e.metadata.service_name : '';
    if (seen.has(service)) continue;
    seen.add(service);
    requests.push({ service: cut(service), method: cut(String(req.method ?? '')), url: cut(req.url) });
    if (requests.length === MAX_SERVICES) break;
  }
  return { root_request: requests[0] ?? null, requests };
}

/** Requests of traces read through `pages`, remembered per version of each trace. */
export class TraceRequestIndex {
  private readonly cache = new Map<string, { version: string; answer: TraceRequests }>();

  constructor(private readonly pages: TracePages) {}

  /**
   * The requests of a trace; null for an unknown trace, or one that would read more batches than
   * MAX_TRACE_BATCHES or the `budget` left (its `left` is lowered by the batches read).
   */
  async of(traceId: string, budget: { left: number } = { left: MAX_BATCHES_PER_ANSWER }): Promise<TraceRequests | null> {
    const seqs = this.pages.batchesOf(traceId);
    if (seqs.length === 0) return null;
    const version = `${seqs.length}:${seqs[seqs.length - 1]}`;
    const known = this.cache.get(traceId);
    if (known && known.version === version) {
      this.cache.delete(traceId);
      this.cache.set(traceId, known);
      return known.answer;
    }
    if (seqs.length > MAX_TRACE_BATCHES || seqs.length > budget.left) return null;
    budget.left -= seqs.length;
    const page = await this.pages.page(traceId, 0, REQUEST_SCAN_EVENTS);
    if (!page) return null;
    const answer = requestsOf(JSON.parse(page.json) as EventLike[]);
    this.cache.delete(traceId);
    this.cache.set(traceId, { version, answer });
    while (this.cache.size > CACHED_TRACES) this.cache.delete(this.cache.keys().next().value!);
    return answer;
  }

  /**
   * The requests of each trace (at most MAX_REQUEST_TRACES, one after the other, within one answer's
   * budget of batches); unknown and unread traces are left out.
   */
  async ofMany(traceIds: readonly string[]): Promise<({ trace_id: string } & TraceRequests)[]> {
    const out: ({ trace_id: string } & TraceRequests)[] = [];
    const budget = { left: MAX_BATCHES_PER_ANSWER };
    for (const id of [...new Set(traceIds)].slice(0, MAX_REQUEST_TRACES)) {
      const r = await this.of(id, budget);
      if (r) out.push({ trace_id: id, ...r });
    }
    return out;
  }
}
