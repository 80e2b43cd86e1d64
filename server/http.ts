/**
 * The HTTP front of the server (node:http): upstream-compatible ingest and read API in upstream's
 * `{success, data, error}` envelope, and the static web view. No request can crash the process:
 * every handler's failure becomes a JSON 500 and socket-level garbage a 400.
 *
 * Why one module of this size: it is the route table, each route a short handler over the engine,
 * the store and the trace readers, so every endpoint and its limits can be read in one place.
 */
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { timingSafeEqual, createHash } from 'node:crypto';
import zlib from 'node:zlib';
import { availableParallelism } from 'node:os';
import { BodyError, parseBody, rejectUnserializable, type RejectedEvent } from './ingest-core';
import { corsHeaders, isJsonContentType, isLoopbackAddress, refusal, type BrowserPolicy } from './browser-guard';
import { IngestPool } from './ingest-pool';
import { Engine } from './engine';
import { toGlobalDetail } from './analyzer';
import { boundName } from './bounded-text';
import { DEFAULT_TRACE_PAGE, MAX_TRACE_PAGE, TracePages, type TracePage } from './trace-pages';
import { auditTrails, criticalPath, serviceDependencies } from './trace-views';
import { MAX_REQUEST_TRACES, TraceRequestIndex } from './trace-requests';
import type { IngestResult, Store } from './store';
import type { RacewayEvent } from '../protocol/events';

export const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;
/** `GET /api/races` pages: `limit` defaults to this… */
export const DEFAULT_RACES_PAGE = 1000;
/** …and is at most this… */
export const MAX_RACES_PAGE = 10_000;
/** …and a page's reports are at most this much JSON (or one report). */
export const MAX_RACES_PAGE_BYTES = 16 * 1024 * 1024;
/** Races listed in a trace's answer (`total_races` counts them all; `/api/races` pages them all). */
export const MAX_TRACE_RACES = 100;
/** Largest trace whose answer carries its audit trails, critical path and dependencies. */
export const TRACE_VIEWS_MAX_EVENTS = 5000;
/** `GET /api/timeline` pages: `limit` defaults to this and is at most MAX_RACES_PAGE. */
export const DEFAULT_TIMELINE_PAGE = 2000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface ServerOptions {
  store: Store;
  /** When set, every API route needs it as `Authorization: Bearer KEY` or `x-raceway-key: KEY`. */
  apiKey?: string | null;
  maxBodyBytes?: number;
  /** Directory of the web view; defaults to `public/` next to this module. */
  publicDir?: string;
  /**
   * Worker threads that parse and validate ingest bodies off the main thread (0: inline).
   * Default: 1 when the machine has more than one CPU.
   */
  ingestWorkers?: number;
  /**
   * The one web origin (`https://dash.example.com`) whose pages may call the API cross-origin
   * (`--cors`); none by default. See browser-guard.ts.
   */
  corsOrigin?: string | null;
  /** Order and cut trace pages on a worker thread (default true; false: inline). */
  traceWorker?: boolean;
}

export type { RejectedEvent } from './ingest-core';

const HttpError = BodyError;

function version(): string {
  try {
    return (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'x-content-type-options': 'nosniff',
    ...headers,
  });
  res.end(text);
}

function ok(res: http.ServerResponse, data: unknown, status = 200, extra: Record<string, unknown> = {}): void {
  send(res, status, { success: true, data, error: null, ...extra });
}

/**
 * `ok` for an answer with one member whose JSON text is already made (a page of events or
 * reports): spliced in rather than parsed and serialised again.
 */
function okWithRaw(res: http.ServerResponse, data: Record<string, unknown>, key: string, rawJson: string): void {
  const head = JSON.stringify(data);
  const text = `{"success":true,"data":${head.slice(0, -1)}${head.length > 2 ? ',' : ''}${JSON.stringify(key)}:${rawJson}},"error":null}`;
  res.writeHead(200, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'x-content-type-options': 'nosniff',
  });
  res.end(text);
}

/** `limit` and `offset` of a paged route: limit in 1..max (default `def`), offset ≥ 0. */
function pageParams(url: URL, def: number, max: number): { limit: number; offset: number } {
  const limit = Math.min(max, Math.max(1, Math.floor(Number(url.searchParams.get('limit') ?? def)) || def));
  const offset = Math.max(0, Math.floor(Number(url.searchParams.get('offset') ?? 0)) || 0);
  return { limit, offset };
}

/** JSON texts of `items` from the first, while their total stays under `maxBytes` (at least one). */
function jsonUpTo(items: readonly unknown[], maxBytes: number): { json: string; count: number } {
  const parts: string[] = [];
  let size = 2;
  for (const item of items) {
    const text = JSON.stringify(item);
    if (parts.length > 0 && size + text.length + 1 > maxBytes) break;
    parts.push(text);
    size += text.length + 1;
  }
  return { json: `[${parts.join(',')}]`, count: parts.length };
}

function fail(res: http.ServerResponse, status: number, error: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): void {
  send(res, status, { success: false, data: null, error, ...extra }, headers);
}

/** A path segment's %-escapes decoded; a malformed escape is the client's error (400). */
function decodePath(p: string): string {
  try {
    return decodeURIComponent(p);
  } catch {
    throw new HttpError(400, `malformed %-escape in the path "${p.slice(0, 100)}"`);
  }
}

function keyDigest(k: string): Buffer {
  return createHash('sha256').update(k).digest();
}

function providedKey(req: http.IncomingMessage): string | null {
  const auth = req.headers.authorization;
  if (typeof auth === 'string') {
    const m = /^bearer\s+(.+)$/i.exec(auth.trim());
    if (m) return m[1]!.trim();
  }
  const k = req.headers['x-raceway-key'];
  if (typeof k === 'string' && k.trim()) return k.trim();
  return null;
}

function encodingOf(req: http.IncomingMessage): string {
  return String(req.headers['content-encoding'] ?? 'identity').toLowerCase().trim();
}

/** An uncompressed body whose declared length is over the limit: refused before it is read. */
function declaredOverLimit(req: http.IncomingMessage, limit: number): boolean {
  const enc = encodingOf(req);
  const declared = Number(req.headers['content-length']);
  return (enc === 'identity' || enc === '') && Number.isFinite(declared) && declared > limit;
}

/**
 * Reads the body up to `limit` bytes after decompression, as the chunks that arrived. Past the limit
 * the rest is drained (so the client reads our 413 instead of a reset) and dropped; a sender that
 * keeps going is cut off.
 */
function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const tooLarge = () => new HttpError(413, `request body exceeds the ${limit}-byte limit`);
    const enc = encodingOf(req);
    let source: NodeJS.ReadableStream = req;
    if (enc === 'gzip' || enc === 'x-gzip') source = req.pipe(zlib.createGunzip());
    else if (enc === 'deflate') source = req.pipe(zlib.createInflate());
    else if (enc !== 'identity' && enc !== '') {
      req.resume();
      reject(new HttpError(415, `unsupported content-encoding "${enc}"`));
      return;
    }
    if (declaredOverLimit(req, limit)) {
      drain(req, limit);
      reject(tooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    source.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > limit) {
        done = true;
        chunks.length = 0;
        if (source !== req) (source as zlib.Gunzip).destroy();
        drain(req, limit);
        reject(tooLarge());
        return;
      }
      chunks.push(c);
    });
    source.on('end', () => {
      if (!done) {
        done = true;
        // The pieces as they came: joined once, for the worker or for the inline path.
        resolve(chunks);
      }
    });
    source.on('error', (err: Error) => {
      if (done) return;
      done = true;
      req.resume();
      reject(source === req ? err : new HttpError(400, `cannot decode ${enc} body: ${err.message}`));
    });
    req.on('aborted', () => {
      if (!done) {
        done = true;
        reject(new HttpError(400, 'request aborted'));
      }
    });
  });
}

function drain(req: http.IncomingMessage, limit: number): void {
  let extra = 0;
  req.removeAllListeners('data');
  req.on('data', (c: Buffer) => {
    extra += c.length;
    if (extra > 8 * limit) req.destroy();
  });
  req.resume();
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.json': 'application/json',
};

/**
 * The web view's pages load only its own files and call only its own API: no inline script, no
 * other origin, not framed (program values it shows can never run as script).
 */
const WEB_VIEW_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export interface RacewayServer {
  server: http.Server;
  /** The ingest worker pool, null when ingest runs inline. */
  ingestPool: IngestPool | null;
  engine: Engine;
  store: Store;
  /** Reads trace pages (and owns the trace worker thread). */
  tracePages: TracePages;
  /** Resolves with the bound address. */
  listen(port: number, host?: string): Promise<AddressInfo>;
  close(): Promise<void>;
}

export function createRacewayServer(opts: ServerOptions): RacewayServer {
  const { store } = opts;
  const engine = new Engine(store);
  const limit = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const keyHash = opts.apiKey ? keyDigest(opts.apiKey) : null;
  const publicDir = opts.publicDir ?? join(__dirname, 'public');
  const started = Date.now();
  const ver = version();
  const workers = opts.ingestWorkers ?? (availableParallelism() > 1 ? 1 : 0);
  const pool = workers > 0 ? new IngestPool(workers) : null;
  const tracePages = new TracePages(store, opts.traceWorker ?? true);
  const traceRequests = new TraceRequestIndex(store);

  // Decided when the server is bound (see `listen`): a loopback-bound server checks Host.
  const policy: BrowserPolicy = { corsOrigin: opts.corsOrigin ?? null, loopbackOnly: true };

  const authorized = (req: http.IncomingMessage): boolean => {
    if (!keyHash) return true;
    const k = providedKey(req);
    return k !== null && timingSafeEqual(keyDigest(k), keyHash);
  };

  async function ingest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks = await readBody(req, limit);
    // The worker gets a copy of its own; `chunks` stay for the inline path.
    const reply = pool ? await pool.prepare(chunks) : null;
    let result: IngestResult | null = null;
    let rejected: RejectedEvent[];
    let rejectedCount: number;
    if (reply && !reply.ok && reply.status < 500) throw new HttpError(reply.status, reply.message, reply.extra);
    if (reply && reply.ok) {
      ({ rejected, rejectedCount } = reply.parsed);
      result = await store.commitPreparedSoon(reply.batch);
    }
    if (!result) {
      // Inline: no worker, a worker failure, or duplicates to filter out.
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      const parsed = parseBody(body);
      try {
        result = await store.ingestAsync(parsed.valid, parsed.rejectedCount === 0 ? body : undefined, parsed.ts);
      } catch (err) {
        // A value nested too deep to serialize: reject those events, keep the rest (see ingest-core).
        if (!(err instanceof RangeError) || !rejectUnserializable(parsed)) throw err;
        if (parsed.valid.length === 0) throw new HttpError(400, 'all events were rejected: values nested too deeply to store', { rejected: parsed.rejected, rejected_count: parsed.rejectedCount });
        result = await store.ingestAsync(parsed.valid, undefined, parsed.ts);
      }
      ({ rejected, rejectedCount } = parsed);
    }
    const extra = { stored: result.inserted, duplicates: result.duplicates, rejected: rejected!, rejected_count: rejectedCount! };
    // The message counts what was stored; events already stored (a retried batch) are named apart.
    const dup = result.duplicates > 0 ? ` (${result.duplicates} already stored)` : '';
    if (rejectedCount! === 0) ok(res, `Ingested ${result.inserted} events${dup}`, 200, extra);
    else ok(res, `Ingested ${result.inserted} events${dup}, ${rejectedCount!} errors`, 206, extra);
  }

  function warmup() {
    const iso = new Date(started).toISOString();
    return { phase: 'completed', ready: true, total_traces: 0, processed_traces: 0, last_trace: null, started_at: iso, completed_at: iso, last_error: null };
  }

  async function traceDetail(id: string, url: URL, res: http.ServerResponse): Promise<void> {
    if (!UUID.test(id)) throw new HttpError(400, 'Invalid trace ID format');
    const { limit, offset } = pageParams(url, DEFAULT_TRACE_PAGE, MAX_TRACE_PAGE);
    // UUIDs are case-insensitive: a trace stored as `AAAA…` is found as `aaaa…` too.
    for (const variant of new Set([id, id.toLowerCase(), id.toUpperCase()])) {
      if (tracePages.batchesOf(variant).length > 0) {
        id = variant;
        break;
      }
    }
    const page = await tracePages.page(id, offset, limit);
    if (!page || page.total === 0) throw new HttpError(404, `trace ${id} not found`);
    const races = await engine.racesOfTrace(id);
    const shown = races.slice(0, MAX_TRACE_RACES);
    const next = offset + page.count;
    const views = offset === 0 ? await traceViews(id, page, races) : null;
    okWithRaw(res, {
      trace_id: id,
      total_events: page.total,
      offset,
      limit,
      next_offset: next < page.total ? next : null,
      audit_trails: views?.auditTrails ?? {},
      analysis: {
        concurrent_events: races.length,
        potential_races: races.length,
        anomalies: races.length ? shown.map((r) => `${r.severity} ${r.kind} on ${r.variable}`) : ['No potential races detected for this trace'],
        race_details: shown.map(toGlobalDetail),
      },
      races: shown,
      total_races: races.length,
      critical_path: views?.criticalPath ?? null,
      anomalies: [],
      dependencies: views?.dependencies ?? null,
    }, 'events', page.json);
  }

  /**
   * The trace views (audit trails, critical path, dependencies) need the whole trace: they come with
   * the first page of a trace of at most TRACE_VIEWS_MAX_EVENTS events (parsing more on the main
   * thread would stall other requests), else they stay empty.
   */
  async function traceViews(id: string, first: TracePage, races: readonly { accesses: readonly { event_id: string }[] }[]) {
    if (first.total > TRACE_VIEWS_MAX_EVENTS) return null;
    const whole = first.count === first.total ? first : await tracePages.page(id, 0, TRACE_VIEWS_MAX_EVENTS);
    if (!whole || whole.count !== whole.total) return null;
    const events = JSON.parse(whole.json) as RacewayEvent[];
    const raceEvents = new Set(races.flatMap((r) => r.accesses.map((a) => a.event_id)));
    return { auditTrails: auditTrails(events, raceEvents), criticalPath: criticalPath(id, events), dependencies: serviceDependencies(id, events) };
  }

  function serveStatic(path: string, req: http.IncomingMessage, res: http.ServerResponse): boolean {
    // `/favicon.ico`: what a browser asks for on pages without an icon link (an API answer opened in a tab).
    const rel = path === '/' ? 'index.html' : path === '/favicon.ico' ? 'favicon.svg' : decodePath(path.slice(1));
    const file = normalize(join(publicDir, rel));
    if (!file.startsWith(normalize(publicDir) + sep) || !existsSync(file) || !statSync(file).isFile()) return false;
    const page = extname(file) === '.html' ? { 'content-security-policy': WEB_VIEW_CSP } : {};
    res.writeHead(200, { 'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff', ...page });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).on('error', () => res.destroy()).pipe(res);
    return true;
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      throw new HttpError(400, 'bad request URL');
    }
    const path = url.pathname;
    const method = req.method ?? 'GET';
    const refused = refusal(req, policy);
    if (refused !== null) {
      req.resume();
      throw new HttpError(403, refused);
    }
    const cors = corsHeaders(req, policy);
    for (const [k, v] of Object.entries(cors)) res.setHeader(k, v);
    if (method === 'OPTIONS') {
      res.writeHead(204, Object.keys(cors).length === 0 ? {} : {
        'access-control-allow-methods': 'GET, POST, OPTIONS',
        'access-control-allow-headers': 'content-type, authorization, x-raceway-key, content-encoding', 'access-control-max-age': '600',
      });
      res.end();
      return;
    }
    const isApi = path === '/events' || path === '/health' || path === '/status' || path.startsWith('/api/');
    if (!isApi) {
      if ((method === 'GET' || method === 'HEAD') && serveStatic(path, req, res)) return;
      req.resume();
      throw new HttpError(404, `no route for ${method} ${path}`);
    }
    if (!authorized(req)) {
      req.resume();
      fail(res, 401, 'Unauthorized: send the API key as "Authorization: Bearer KEY" or "x-raceway-key: KEY"', {}, { 'www-authenticate': 'Bearer' });
      return;
    }
    if (path === '/events') {
      if (method !== 'POST') throw new HttpError(405, 'use POST /events', {});
      if (!isJsonContentType(req)) {
        req.resume();
        throw new HttpError(415, 'POST /events takes content-type: application/json');
      }
      await ingest(req, res);
      return;
    }
    req.resume();
    if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, `use GET ${path}`);
    if (path === '/health') return ok(res, { status: 'healthy', ...warmup() });
    if (path === '/status') {
      return ok(res, {
        version: ver, uptime_seconds: Math.floor((Date.now() - started) / 1000), events_captured: store.events,
        traces_active: store.traceCount(), warmup: warmup(), storage: store.path === ':memory:' ? 'memory' : store.path,
        damaged_batches: store.damaged.length, backend: store.backend,
        retention: { ...store.retentionLimits, ...store.dropped },
        ...(store.backend === 'postgres' ? { database_errors: store.databaseErrors, last_database_error: store.lastDatabaseError } : {}),
      });
    }
    if (path === '/api/traces') {
      const page = Math.max(1, Math.floor(Number(url.searchParams.get('page') ?? 1)) || 1);
      const pageSize = Math.min(1000, Math.max(1, Math.floor(Number(url.searchParams.get('page_size') ?? 20)) || 20));
      const { total, traces } = store.traces(page, pageSize);
      // The root request of the page's first MAX_REQUEST_TRACES traces (see trace-requests.ts).
      const named = new Map((await traceRequests.ofMany(traces.map((t) => t.trace_id))).map((r) => [r.trace_id, r.root_request]));
      const listed = traces.map((t) => ({ ...t, root_request: named.get(t.trace_id) ?? null }));
      return ok(res, { total_traces: total, page, page_size: pageSize, total_pages: Math.ceil(total / pageSize), traces: listed });
    }
    if (path === '/api/requests') {
      // `?trace_id=A&trace_id=B` (or `trace_id=A,B`): the incoming requests of each trace, per service.
      const ids = url.searchParams.getAll('trace_id').flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
      if (ids.length > MAX_REQUEST_TRACES) throw new HttpError(400, `at most ${MAX_REQUEST_TRACES} trace_id values`);
      return ok(res, { traces: await traceRequests.ofMany(ids) });
    }
    if (path.startsWith('/api/traces/')) {
      const id = decodePath(path.slice('/api/traces/'.length));
      return traceDetail(id, url, res);
    }
    if (path === '/api/analyze/global') return ok(res, await engine.global());
    if (path === '/api/races') {
      // Paged: a store with tens of thousands of races must not answer with one huge body.
      const { limit, offset } = pageParams(url, DEFAULT_RACES_PAGE, MAX_RACES_PAGE);
      const a = await engine.analyzeSliced();
      const page = jsonUpTo(a.reports.slice(offset, offset + limit), MAX_RACES_PAGE_BYTES);
      const next = offset + page.count;
      return okWithRaw(res, {
        total_races: a.reports.length, suppressed_races: store.index.suppressed, analyzed_accesses: a.accesses,
        analysis_ms: Math.round(a.elapsed_ms), offset, limit, next_offset: next < a.reports.length ? next : null,
      }, 'races', page.json);
    }
    if (path === '/api/timeline') {
      const variable = url.searchParams.get('variable');
      if (!variable) throw new HttpError(400, 'missing query parameter "variable"');
      const { limit, offset } = pageParams(url, DEFAULT_TIMELINE_PAGE, MAX_RACES_PAGE);
      const accesses = store.variableAccesses(variable, limit, offset);
      const total = store.index.variableAccessCount(variable);
      const named = boundName(variable);
      const races = (await engine.analyzeSliced()).reports.filter((r) => r.variable === named);
      const next = offset + accesses.length;
      return ok(res, {
        variable, total_accesses: total, offset, limit, next_offset: next < total ? next : null, accesses,
        race_event_ids: [...new Set(races.flatMap((r) => r.accesses.map((a) => a.event_id)))],
      });
    }
    throw new HttpError(404, `no route for ${method} ${path}`);
  }

  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    req.on('error', () => undefined);
    res.on('error', () => undefined);
    handle(req, res).catch((err: unknown) => {
      if (err instanceof BodyError) {
        const close = err.status === 413 ? { connection: 'close' } : undefined;
        fail(res, err.status, err.message, err.extra, close);
      } else {
        fail(res, 500, `internal error: ${(err as Error)?.message ?? String(err)}`);
      }
    });
  };
  const server = http.createServer(onRequest);
  // `Expect: 100-continue` with a declared length over the limit: refuse before the client sends
  // the body (after a 100 Continue it would be writing while we close, and see EPIPE, not the 413).
  server.on('checkContinue', (req, res) => {
    if (declaredOverLimit(req, limit)) {
      fail(res, 413, `request body exceeds the ${limit}-byte limit`, {}, { connection: 'close' });
      return;
    }
    res.writeContinue();
    onRequest(req, res);
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });
  // Bodies up to the limit can arrive slowly; keep-alive clients (the runtime's transport) reuse sockets.
  server.keepAliveTimeout = 65_000;

  return {
    server, engine, store, ingestPool: pool, tracePages,
    listen: (port, host = '127.0.0.1') => new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        const addr = server.address() as AddressInfo;
        policy.loopbackOnly = isLoopbackAddress(addr.address);
        resolve(addr);
      });
    }),
    close: () => new Promise((resolve) => {
      server.close(() => {
        const pending = [tracePages.close()];
        if (pool) pending.push(pool.close());
        Promise.all(pending).then(() => resolve(), () => resolve());
      });
      server.closeAllConnections();
    }),
  };
}
