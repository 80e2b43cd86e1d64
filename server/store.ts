/**
 * The embedded event store (SQLite in WAL mode, through sqlite.ts: node:sqlite or better-sqlite3), log-structured for ingest speed: one row per
 * ingested batch holding the events' JSON (the request body itself when every event was kept),
 * their ids, and the batch's analysis chunk. Duplicate ids are filtered against an in-memory set
 * rebuilt from the ids column at startup, and the analysis index lives in memory (see
 * live-index.ts), rebuilt from the chunks; it also knows which batches hold each trace (the trace
 * view), since a chunk names every trace of its batch.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { RacewayEvent } from '../protocol/events';
import { causalOrder, type AccessDetail, type AnalyzerOptions, type RaceReport } from './analyzer';
import { prepareBatch, unpack, unpackRaw, type PreparedBatch } from './ingest-core';
import { IdSet, idString } from './id-set';
import { decodeChunk, formatMicros, LiveIndex } from './live-index';
import { chooseDriver, openSqlite, type SqlConnection, type SqliteDriverName } from './sqlite';

export { formatMicros };

export interface TraceSummary {
  trace_id: string;
  event_count: number;
  first_timestamp: string;
  last_timestamp: string;
  service_count: number;
  services: string[];
}

export interface IngestResult {
  inserted: number;
  duplicates: number;
}

// Earlier versions also kept a batch_traces (trace_id, seq) table. Its keys are random, so every
// commit rewrote pages all over that b-tree (at 64 KB a page): 40% of a commit's cost for what the
// chunks already say. Databases that have it keep it, unused.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS batches (seq INTEGER PRIMARY KEY, body BLOB NOT NULL, ids TEXT NOT NULL, chunk BLOB NOT NULL);
`;

/** Bound as a BLOB (an Int32Array would not be); a worker's reply carries plain typed arrays. */
function asBuffer(u: Uint8Array | Int32Array): Buffer {
  return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}

/** The stored form of a batch's ids: their words (16 bytes an id), or all of them as text when some are not canonical. */
function idsColumn(batch: PreparedBatch): Buffer | string {
  if (batch.oddIds.length === 0) return asBuffer(batch.ids);
  const all = [...batch.oddIds];
  for (let i = 0; i < batch.ids.length; i += 4) all.push(idString(batch.ids, i));
  return all.join(',');
}

export interface StoreOptions {
  /**
   * Checkpoint the WAL from a worker thread (the server does): the main connection then checkpoints
   * itself only when the WAL passes 256 MB, so ingest rarely waits for the copy and its fsync.
   */
  backgroundCheckpoints?: boolean;
  /** The SQLite driver (see sqlite.ts); by default `RACEWAY_SQLITE_DRIVER`, else node:sqlite where Node has it. */
  driver?: SqliteDriverName;
}

/** Bytes written between two background checkpoint requests. */
const CHECKPOINT_EVERY_BYTES = 8 * 1024 * 1024;

export class Store {
  readonly db: SqlConnection;
  readonly index: LiveIndex;
  private readonly ids = new IdSet();
  /** Bumped whenever an ingest stores something. */
  version = 0;
  private readonly stmt;
  /** Writes batches in one transaction; their seqs. */
  private readonly insertAll: (batches: readonly PreparedBatch[]) => number[];
  private checkpointer: Worker | null = null;
  private checkpointBusy = false;
  private sinceCheckpoint = 0;
  /** Batches waiting for this turn's group commit (see commitPreparedSoon). */
  private readonly pending: { batch: PreparedBatch; resolve: (r: IngestResult) => void; reject: (err: unknown) => void }[] = [];
  /** Called once the pending group's write has succeeded or failed. */
  private settledWaiters: (() => void)[] = [];

  /** `path` ':memory:' keeps everything in memory. */
  constructor(readonly path: string, options: AnalyzerOptions = {}, storeOptions: StoreOptions = {}) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = openSqlite(path, storeOptions.driver ?? chooseDriver());
    // Batches are large rows: 64 KB pages cut the overflow-page chains (about 2x the write rate
    // of the 4 KB default). Only takes effect on a new database, before WAL is switched on.
    this.db.exec('PRAGMA page_size = 65536');
    this.db.exec('PRAGMA journal_mode = WAL');
    // WAL + NORMAL survives a process crash (only an OS crash can lose the last transactions).
    this.db.exec('PRAGMA synchronous = NORMAL');
    this.db.exec(SCHEMA);
    if (storeOptions.backgroundCheckpoints && path !== ':memory:') this.startCheckpointer();
    this.stmt = {
      insertBatch: this.db.prepare('INSERT INTO batches (body, ids, chunk) VALUES (?, ?, ?)'),
      body: this.db.prepare('SELECT body FROM batches WHERE seq = ?'),
    };
    // Made once: better-sqlite3 builds a new wrapper (and looks up its statements) per transaction() call.
    this.insertAll = this.db.transaction((batches: readonly PreparedBatch[]) => batches.map((b) => this.insert(b)));
    this.index = new LiveIndex(options);
    for (const row of this.db.prepare('SELECT seq, ids, chunk FROM batches ORDER BY seq').iterate()) {
      const { seq, ids, chunk } = row as { seq: number; ids: string | Uint8Array; chunk: Uint8Array };
      let decoded;
      try {
        decoded = decodeChunk(unpackRaw(asBuffer(chunk)));
      } catch {
        // A damaged row (disk error, a copy cut short) costs its own batch, never the database.
        this.damaged.push(seq);
        continue;
      }
      // The ids column holds the ids' words (see id-set.ts), or their text when some are not canonical.
      if (typeof ids === 'string') for (const id of ids.split(',')) this.ids.add(id);
      else this.ids.addStored(new Int32Array(ids.buffer.slice(ids.byteOffset, ids.byteOffset + ids.byteLength)));
      this.index.add(decoded, seq);
    }
  }

  /** Store seqs of the batches that could not be read at start-up (left out of the index, counted in /status). */
  readonly damaged: number[] = [];

  /**
   * Stores already validated events; events whose id is already stored (or repeated in the batch)
   * are skipped, so a retried batch is not counted twice. `rawBody`, the UTF-8 request body the
   * events came from, is stored as is when every event is kept (saves serialising them again);
   * `ts[i]`, when given, is `micros(events[i].timestamp)`.
   * All or nothing: when the write fails nothing is remembered.
   */
  ingest(events: readonly RacewayEvent[], rawBody?: Buffer, ts?: Float64Array): IngestResult {
    // Ids go into the set as they are seen (a repeat inside the batch is then a duplicate too) and
    // come out again if the write fails.
    const kept: RacewayEvent[] = [];
    for (const e of events) if (this.ids.add(e.id)) kept.push(e);
    if (kept.length === 0) return { inserted: 0, duplicates: events.length };
    let batch: PreparedBatch;
    try {
      batch = kept.length === events.length ? prepareBatch(kept, rawBody, ts) : prepareBatch(kept);
    } catch (err) {
      for (const e of kept) this.ids.delete(e.id);
      throw err;
    }
    this.write(batch);
    return { inserted: kept.length, duplicates: events.length - kept.length };
  }

  /**
   * Commits a batch prepared elsewhere (the ingest worker). Returns null, storing nothing, when
   * any of its ids is already stored or repeated: the caller then ingests the events themselves.
   */
  commitPrepared(batch: PreparedBatch): IngestResult | null {
    if (!this.ids.addBatch(batch.ids, batch.oddIds)) return null;
    this.write(batch);
    return { inserted: batch.count, duplicates: 0 };
  }

  /**
   * `commitPrepared` for a server: the batch is written together with the others committed in the
   * same turn of the event loop, in one SQLite transaction. A commit costs about the same whatever
   * its size (WAL frames, locks, syscalls), so small batches from many clients (the runtime sends
   * small ones) share that cost whenever the main thread has fallen behind. Resolves once the batch
   * is stored; rejects, storing none of that group, when the write fails.
   */
  commitPreparedSoon(batch: PreparedBatch, waited = false): Promise<IngestResult | null> {
    if (!this.ids.addBatch(batch.ids, batch.oddIds)) {
      // Its ids may be those of a batch still waiting for the group write (a client's retry): it is
      // a duplicate only if that write succeeds, so decide once the group is settled.
      if (!waited && this.pending.length > 0) return new Promise<void>((r) => this.settledWaiters.push(r)).then(() => this.commitPreparedSoon(batch, true));
      return Promise.resolve(null);
    }
    return new Promise((resolve, reject) => {
      this.pending.push({ batch, resolve, reject });
      if (this.pending.length === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const group = this.pending.splice(0);
    const waiters = this.settledWaiters.splice(0);
    try {
      this.writeAll(group.map((p) => p.batch));
      for (const p of group) p.resolve({ inserted: p.batch.count, duplicates: 0 });
    } catch (err) {
      for (const p of group) p.reject(err);
    }
    for (const w of waiters) w();
  }

  /** Writes a batch whose ids are already in the set (removed again when the write fails). */
  private write(batch: PreparedBatch): void {
    this.writeAll([batch]);
  }

  /** Writes batches whose ids are already in the set, all or none (their ids are removed again when the write fails). */
  private writeAll(batches: readonly PreparedBatch[]): void {
    let seqs: number[];
    try {
      // One statement is its own (implicit) transaction; several share one.
      seqs = batches.length === 1 ? [this.insert(batches[0]!)] : this.insertAll(batches);
    } catch (err) {
      for (const b of batches) this.ids.deleteBatch(b.ids, b.oddIds);
      throw err;
    }
    for (let i = 0; i < batches.length; i++) {
      const batch = batches[i]!;
      this.index.add(batch.chunk, seqs[i]!);
      this.version++;
      this.sinceCheckpoint += batch.packedBody.byteLength + batch.packedChunk.byteLength + batch.ids.byteLength;
    }
    if (this.checkpointer && this.sinceCheckpoint >= CHECKPOINT_EVERY_BYTES && !this.checkpointBusy) {
      this.sinceCheckpoint = 0;
      this.checkpointBusy = true;
      this.checkpointer.postMessage('checkpoint');
    }
  }

  private insert(b: PreparedBatch): number {
    return Number(this.stmt.insertBatch.run(asBuffer(b.packedBody), idsColumn(b), asBuffer(b.packedChunk)).lastInsertRowid);
  }


  private startCheckpointer(): void {
    let worker: Worker;
    try {
      worker = new Worker(join(__dirname, 'checkpoint-worker.js'), { workerData: { path: this.path, driver: this.db.driver } });
    } catch {
      return;
    }
    // At 64 KB pages: 4096 pages = 256 MB of WAL before the main connection checkpoints itself.
    this.db.exec('PRAGMA wal_autocheckpoint = 4096');
    this.checkpointer = worker;
    worker.on('message', () => {
      this.checkpointBusy = false;
    });
    const lost = () => {
      // Without the thread, the main connection checkpoints as SQLite does by default.
      if (this.checkpointer !== worker) return;
      this.checkpointer = null;
      if (this.db.isOpen) this.db.exec('PRAGMA wal_autocheckpoint = 1000');
    };
    worker.on('error', lost);
    worker.on('exit', lost);
    // Last: attaching a 'message' listener refs the worker again, and a server that failed to start
    // must still exit.
    worker.unref();
  }

  get events(): number {
    return this.ids.size;
  }

  traceCount(): number {
    return this.index.traceCount;
  }

  analyze(): RaceReport[] {
    return this.index.analyze();
  }

  /** Trace summaries, most recent first. */
  traces(page: number, pageSize: number): { total: number; traces: TraceSummary[] } {
    return {
      total: this.index.traceCount,
      traces: this.index.recentTraces((page - 1) * pageSize, pageSize).map((t) => {
        const services = [...t.services].sort();
        return { trace_id: t.trace_id, event_count: t.count, first_timestamp: formatMicros(t.first), last_timestamp: formatMicros(t.last), service_count: services.length, services };
      }),
    };
  }

  /** A batch's stored body (compressed, see ingest-core `unpack`), or undefined when there is no such row. */
  storedBody(seq: number): Uint8Array | undefined {
    return this.stmt.body.get(seq)?.body as Uint8Array | undefined;
  }

  /** The events of one trace in causal order (vector clocks first, then timestamps), all at once (the server pages them: trace-pages.ts). */
  traceEvents(traceId: string): RacewayEvent[] {
    const seen = new Set<string>();
    const events: RacewayEvent[] = [];
    for (const seq of this.index.batchesOf(traceId)) {
      const body = this.stmt.body.get(seq)?.body as Uint8Array | undefined;
      if (!body) continue;
      let batch: RacewayEvent[];
      try {
        batch = (JSON.parse(unpack(asBuffer(body))) as { events: RacewayEvent[] }).events;
      } catch {
        continue; // a damaged body: the trace is served without that batch's events
      }
      for (const e of batch) {
        if (e && e.trace_id === traceId && !seen.has(e.id) && this.ids.has(e.id)) {
          seen.add(e.id);
          events.push(e);
        }
      }
    }
    return causalOrder(events);
  }

  /** Accesses of one variable in time order, `offset`..`offset + limit` (the web view's timeline). */
  variableAccesses(variable: string, limit = 2000, offset = 0): AccessDetail[] {
    return this.index.variableAccesses(variable, limit, offset);
  }

  close(): void {
    const worker = this.checkpointer;
    this.checkpointer = null;
    // The thread closes its connection and ends (it never keeps the process alive).
    if (worker) worker.postMessage('close');
    if (this.db.isOpen) this.db.close();
  }
}
