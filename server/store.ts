/**
 * The event store, log-structured for ingest speed: one row per ingested batch holding the events'
 * JSON (the request body itself when every event was kept), their ids, and the batch's analysis
 * chunk. Duplicate ids are filtered against an in-memory set rebuilt from the ids column at
 * startup, and the analysis index lives in memory (see live-index.ts), rebuilt from the chunks; it
 * also knows which batches hold each trace (the trace view), since a chunk names every trace of its
 * batch.
 *
 * The rows live in one of two backends, behind the same API and with the same analysis results:
 * - SQLite in WAL mode (through sqlite.ts: node:sqlite or better-sqlite3), embedded, synchronous:
 *   the default, one file for one developer;
 * - PostgreSQL (postgres-log.ts), for a team: several server instances share one database, each
 *   keeps its own in-memory index and catches up on the batches the others stored by reading the
 *   rows after the last seq it has applied, when another instance's write is announced
 *   (LISTEN/NOTIFY) and every `pollMs` in any case. The database decides what is a duplicate,
 *   so a retried batch is stored once whichever instance receives it. Writes, reads of stored
 *   bodies and the catch-up are asynchronous; they run one after another (`serially`), so the
 *   index always takes the batches in seq order, the same order on every instance.
 *
 * `Store.open(location)` picks the backend from the location: a `postgres://` URL or a file path.
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
import { idTexts, isPostgresUrl, PostgresLog, type StoredBatchRow } from './postgres-log';
import { batchesOfTraces, planDrop, tracesToDrop, type DropPlan, type RetentionOptions } from './retention';

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
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
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
  /** A PostgreSQL store: the connected log (`Store.open` makes it from a URL). */
  postgres?: PostgresLog;
  /** PostgreSQL: how often to look for batches other instances stored, in ms (default 500). */
  pollMs?: number;
  /** Drop the oldest traces (whole) past an event count or an age; see retention.ts. */
  retention?: RetentionOptions;
}

/** What retention has dropped from this database (every instance's passes, for PostgreSQL). */
export interface RetentionCounts {
  dropped_traces: number;
  dropped_events: number;
  passes: number;
}

/** PostgreSQL: plans of a retention pass made again when other instances' writes overtook them. */
const PRUNE_ATTEMPTS = 5;
/** How often a store with `retention.retainMs` looks for traces that aged out. */
const RETAIN_CHECK_MS = 60_000;

export type StoreBackend = 'sqlite' | 'postgres';

/** Rows read from PostgreSQL at a time while catching up. */
const CATCH_UP_PAGE = 500;
const DEFAULT_POLL_MS = 500;

type Pending = { batch: PreparedBatch; resolve: (r: IngestResult | null) => void; reject: (err: unknown) => void };

/** Bytes written between two background checkpoint requests. */
const CHECKPOINT_EVERY_BYTES = 8 * 1024 * 1024;

export class Store {
  /** The SQLite connection (a SQLite store only). */
  readonly db: SqlConnection;
  /** The analysis index (replaced by a new one when retention drops traces). */
  index: LiveIndex;
  private ids = new IdSet();
  /** Bumped whenever retention rebuilt the index (readers that keep positions in batches start over). */
  generation = 0;
  private readonly analyzerOptions: AnalyzerOptions;
  private readonly retention: RetentionOptions;
  readonly dropped: RetentionCounts = { dropped_traces: 0, dropped_events: 0, passes: 0 };
  /** The database's retention generation this index was built at (PostgreSQL: other instances' passes bump it). */
  private dbGeneration = 0;
  private pruneScheduled = false;
  private retainTimer: NodeJS.Timeout | null = null;
  /** Bumped whenever an ingest stores something. */
  version = 0;
  private readonly stmt;
  /** Writes batches in one transaction; their seqs. */
  private readonly insertAll: (batches: readonly PreparedBatch[]) => number[];
  /** The PostgreSQL log (null: SQLite). */
  private readonly pg: PostgresLog | null;
  /** The highest seq folded into the index. */
  private lastSeq = 0;
  /** The asynchronous work (PostgreSQL writes and catch-up), one after another. */
  private chain: Promise<unknown> = Promise.resolve();
  /** A PostgreSQL group write is under way (the next group waits for it)… */
  private writing = false;
  /** …and its batches (their ids stay reserved when the index is rebuilt meanwhile). */
  private inFlight: Pending[] = [];
  private poller: NodeJS.Timeout | null = null;
  private polling = false;
  /** A write was announced while a catch-up was under way: one more after it. */
  private pollAgain = false;
  private closed = false;
  /** PostgreSQL errors met by the background catch-up, and the last one (counted in /status). */
  databaseErrors = 0;
  lastDatabaseError: string | null = null;
  private checkpointer: Worker | null = null;
  private checkpointBusy = false;
  private sinceCheckpoint = 0;
  /** Batches waiting for this turn's group commit (see commitPreparedSoon). */
  private readonly pending: Pending[] = [];
  /** Events of the batches waiting for their write (their ids are in the set already). */
  private reserved = 0;
  /** Called once the pending group's write has succeeded or failed. */
  private settledWaiters: (() => void)[] = [];

  /**
   * Opens the store at `location`: a `postgres://` (or `postgresql://`) URL, or a SQLite file path
   * (':memory:' keeps everything in memory). A PostgreSQL store has read every stored batch when
   * this resolves and then follows what other instances store.
   */
  static async open(location: string, options: AnalyzerOptions = {}, storeOptions: StoreOptions = {}): Promise<Store> {
    if (!isPostgresUrl(location)) return new Store(location, options, storeOptions);
    let store: Store | undefined;
    const log = await PostgresLog.open(location, (err) => store?.noteError(err));
    try {
      store = new Store(log.location, options, { ...storeOptions, postgres: log });
      const opened = store;
      await store.serially(() => opened.loadPostgres());
    } catch (err) {
      await log.close().catch(() => undefined);
      throw err;
    }
    store.startPolling(storeOptions.pollMs ?? DEFAULT_POLL_MS);
    store.startRetention();
    return store;
  }

  /** `path` ':memory:' keeps everything in memory. With `storeOptions.postgres`, `path` only names the database (see `open`). */
  constructor(readonly path: string, options: AnalyzerOptions = {}, storeOptions: StoreOptions = {}) {
    this.index = new LiveIndex(options);
    this.analyzerOptions = options;
    this.retention = storeOptions.retention ?? {};
    this.pg = storeOptions.postgres ?? null;
    if (this.pg) {
      // Everything goes through the log; the rows are read by `catchUp`.
      this.db = null as unknown as SqlConnection;
      this.stmt = null as never;
      this.insertAll = null as never;
      return;
    }
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
    this.loadSqlite();
    this.startRetention();
  }

  /** (Re)builds the index and the id set from every stored row of the SQLite table. */
  private loadSqlite(reserved: readonly PreparedBatch[] = []): void {
    const index = new LiveIndex(this.analyzerOptions);
    const ids = new IdSet();
    const damaged: number[] = [];
    let last = 0;
    for (const row of this.db.prepare('SELECT seq, ids, chunk FROM batches ORDER BY seq').iterate()) {
      last = (row as unknown as StoredBatchRow).seq;
      this.applyRowTo(row as unknown as StoredBatchRow, index, ids, damaged);
    }
    for (const row of this.db.prepare('SELECT key, value FROM meta').iterate()) {
      const { key, value } = row as { key: string; value: number };
      if (key in this.dropped) this.dropped[key as keyof RetentionCounts] = Number(value);
    }
    this.swapIn(index, ids, damaged, last, reserved);
  }

  /** Puts a rebuilt index and id set in place; batches waiting to be written keep their ids reserved. */
  private swapIn(index: LiveIndex, ids: IdSet, damaged: number[], lastSeq: number, reserved: readonly PreparedBatch[] = []): void {
    const first = this.version === 0 && this.generation === 0 && this.ids.size === 0;
    this.index = index;
    this.ids = ids;
    this.damaged.length = 0;
    this.damaged.push(...damaged);
    this.lastSeq = lastSeq;
    for (const p of [...this.pending, ...this.inFlight]) ids.addBatch(p.batch.ids, p.batch.oddIds);
    for (const b of reserved) ids.addBatch(b.ids, b.oddIds);
    if (!first) {
      this.generation++;
      this.version++;
    }
  }

  get backend(): StoreBackend {
    return this.pg ? 'postgres' : 'sqlite';
  }

  /** Folds another instance's stored row into the index and the id set. */
  private applyRow(row: StoredBatchRow): void {
    this.lastSeq = Math.max(this.lastSeq, row.seq);
    this.applyRowTo(row, this.index, this.ids, this.damaged);
    this.version++;
  }

  /** Folds a stored row into `index` and `ids` (a damaged one into `damaged`). */
  private applyRowTo(row: StoredBatchRow, index: LiveIndex, idSet: IdSet, damaged: number[]): void {
    const { seq, ids, chunk } = row;
    let decoded;
    try {
      decoded = decodeChunk(unpackRaw(asBuffer(chunk)));
    } catch {
      // A damaged row (disk error, a copy cut short) costs its own batch, never the database.
      damaged.push(seq);
      return;
    }
    // The ids column holds the ids' words (see id-set.ts), or their text when some are not canonical.
    if (typeof ids === 'string') for (const id of ids.split(',')) idSet.add(id);
    else idSet.addStored(new Int32Array(ids.buffer.slice(ids.byteOffset, ids.byteOffset + ids.byteLength)));
    index.add(decoded, seq);
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
    if (this.pg) throw new Error('a PostgreSQL store ingests through ingestAsync');
    const batch = this.reserveNew(events, rawBody, ts);
    if (batch === null) return { inserted: 0, duplicates: events.length };
    this.writeReserved(batch);
    return { inserted: batch.count, duplicates: events.length - batch.count };
  }

  /**
   * The batch of `events` not stored yet, their ids reserved in the set (a repeat inside the batch
   * is then a duplicate too); null when every one is a duplicate. The ids come out again if the
   * batch cannot be prepared, and the caller takes them out if its write fails.
   */
  private reserveNew(events: readonly RacewayEvent[], rawBody?: Buffer, ts?: Float64Array): PreparedBatch | null {
    const kept: RacewayEvent[] = [];
    for (const e of events) if (this.ids.add(e.id)) kept.push(e);
    if (kept.length === 0) return null;
    try {
      return kept.length === events.length ? prepareBatch(kept, rawBody, ts) : prepareBatch(kept);
    } catch (err) {
      for (const e of kept) this.ids.delete(e.id);
      throw err;
    }
  }

  /**
   * Commits a batch prepared elsewhere (the ingest worker). Returns null, storing nothing, when
   * any of its ids is already stored or repeated: the caller then ingests the events themselves.
   */
  commitPrepared(batch: PreparedBatch): IngestResult | null {
    if (this.pg) throw new Error('a PostgreSQL store commits through commitPreparedSoon');
    if (!this.ids.addBatch(batch.ids, batch.oddIds)) return null;
    this.writeReserved(batch);
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
      if (!waited && (this.pending.length > 0 || this.writing)) return new Promise<void>((r) => this.settledWaiters.push(r)).then(() => this.commitPreparedSoon(batch, true));
      return Promise.resolve(null);
    }
    return new Promise((resolve, reject) => this.enqueue({ batch, resolve, reject }));
  }

  private enqueue(p: Pending): void {
    this.reserved += p.batch.count;
    const settle = <A extends unknown[]>(f: (...a: A) => void) => (...a: A) => {
      this.reserved -= p.batch.count;
      f(...a);
    };
    p = { batch: p.batch, resolve: settle(p.resolve), reject: settle(p.reject) };
    this.pending.push(p);
    if (this.pending.length === 1 && !this.writing) setImmediate(() => (this.pg ? this.flushPostgres() : this.flush()));
  }

  /**
   * `ingest` for either backend: the SQLite store's answer at once, the PostgreSQL store's once
   * written. Events already stored, here or by another instance, are counted as duplicates.
   */
  async ingestAsync(events: readonly RacewayEvent[], rawBody?: Buffer, ts?: Float64Array): Promise<IngestResult> {
    if (!this.pg) return this.ingest(events, rawBody, ts);
    for (;;) {
      const batch = this.reserveNew(events, rawBody, ts);
      if (batch === null) return { inserted: 0, duplicates: events.length };
      const stored = await new Promise<IngestResult | null>((resolve, reject) => this.enqueue({ batch, resolve, reject }));
      if (stored) return { inserted: batch.count, duplicates: events.length - batch.count };
      // Another instance stored some of them meanwhile: their ids are in the set now; filter again.
    }
  }

  /** Runs `fn` after every asynchronous store operation queued before it. */
  private serially<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /**
   * Writes the pending group to PostgreSQL (one transaction), then folds into the index every
   * batch up to the group's last seq, the other instances' ones included, in seq order.
   */
  private flushPostgres(): void {
    if (this.writing || this.pending.length === 0) return;
    this.writing = true;
    const group = this.pending.splice(0);
    this.inFlight = group;
    const pg = this.pg!;
    void this.serially(async () => {
      const incoming = group.reduce((n, p) => n + p.batch.count, 0);
      if (this.overLimitWith(incoming)) {
        // A failed pass does not fail the write: the next write tries again.
        await this.prunePostgres(Date.now(), incoming).catch((err) => this.noteError(err));
      }
      let outcomes: (number | null)[];
      try {
        outcomes = await pg.write(group.map((p) => p.batch));
      } catch (err) {
        for (const p of group) this.ids.deleteBatch(p.batch.ids, p.batch.oddIds);
        this.noteError(err);
        for (const p of group) p.reject(err);
        return;
      }
      const own = new Map<number, PreparedBatch>();
      const refused: Pending[] = [];
      outcomes.forEach((seq, i) => (seq === null ? refused.push(group[i]!) : own.set(seq, group[i]!.batch)));
      if (own.size > 0) {
        try {
          await this.applyUpTo(Math.max(...own.keys()), own);
        } catch (err) {
          // Stored all the same: the next catch-up reads them back.
          this.noteError(err);
        }
      }
      // Some ids of these were stored by another instance: the set learns which (the rest of the
      // batch is not stored), and the caller ingests the events that are new.
      for (const p of refused) {
        this.ids.deleteBatch(p.batch.ids, p.batch.oddIds);
        try {
          for (const id of await pg.storedIds(idTexts(p.batch))) this.ids.add(id);
          p.resolve(null);
        } catch (err) {
          p.reject(err);
        }
      }
      for (const p of group) if (!refused.includes(p)) p.resolve({ inserted: p.batch.count, duplicates: 0 });
      this.pruneIfOver();
    }).finally(() => {
      this.writing = false;
      this.inFlight = [];
      // Retries that waited on this group (or arrived while it was written) decide now.
      for (const w of this.settledWaiters.splice(0)) w();
      this.flushPostgres();
    });
  }

  /**
   * Folds into the index the stored batches after the last one applied, up to `upTo`, in seq
   * order: the rows other instances wrote are read from the database, `own` (just written here)
   * are taken as they are.
   */
  private async applyUpTo(upTo: number, own: Map<number, PreparedBatch> = new Map()): Promise<number> {
    const pg = this.pg!;
    const ownSeqs = [...own.keys()].sort((a, b) => a - b);
    let k = 0;
    let applied = 0;
    const applyOwn = (until: number) => {
      for (; k < ownSeqs.length && ownSeqs[k]! < until; k++) {
        const seq = ownSeqs[k]!;
        if (seq <= this.lastSeq) continue;
        this.index.add(own.get(seq)!.chunk, seq);
        this.lastSeq = seq;
        this.version++;
        applied++;
      }
    };
    for (;;) {
      const rows = (await pg.rowsAfter(this.lastSeq, CATCH_UP_PAGE, upTo)).filter((r) => !own.has(r.seq));
      for (const row of rows) {
        applyOwn(row.seq);
        this.applyRow(row);
        applied++;
      }
      if (rows.length < CATCH_UP_PAGE) break;
    }
    applyOwn(Number.POSITIVE_INFINITY);
    return applied;
  }

  /**
   * PostgreSQL: folds in the batches other instances stored since the last call (resolves with
   * how many). SQLite: nothing to do (one process owns the file).
   */
  catchUp(): Promise<number> {
    const pg = this.pg;
    if (!pg) return Promise.resolve(0);
    return this.serially(async () => {
      // Another instance's retention pass rewrote or deleted rows already folded in: start over.
      const generation = (await pg.meta()).generation ?? 0;
      if (generation !== this.dbGeneration) {
        await this.loadPostgres();
        return this.events;
      }
      const n = await this.applyUpTo(Number.MAX_SAFE_INTEGER);
      if (n > 0) this.pruneIfOver();
      return n;
    });
  }

  /** (Re)builds the index and the id set from every row of the PostgreSQL table (then swapped in at once). */
  private async loadPostgres(): Promise<void> {
    const pg = this.pg!;
    const meta = await pg.meta();
    const index = new LiveIndex(this.analyzerOptions);
    const ids = new IdSet();
    const damaged: number[] = [];
    let last = 0;
    for (;;) {
      const rows = await pg.rowsAfter(last, CATCH_UP_PAGE);
      for (const row of rows) {
        this.applyRowTo(row, index, ids, damaged);
        last = row.seq;
      }
      if (rows.length < CATCH_UP_PAGE) break;
    }
    this.dbGeneration = meta.generation ?? 0;
    for (const key of Object.keys(this.dropped) as (keyof RetentionCounts)[]) this.dropped[key] = meta[key] ?? 0;
    this.swapIn(index, ids, damaged, last);
  }

  // ---- retention (see retention.ts) ------------------------------------------------------------

  /** Whether retention is configured. */
  get retains(): boolean {
    return this.retention.maxEvents !== undefined || this.retention.retainMs !== undefined;
  }

  /** The configured limits, as /status shows them. */
  get retentionLimits(): { max_events: number | null; retain_seconds: number | null } {
    return { max_events: this.retention.maxEvents ?? null, retain_seconds: this.retention.retainMs === undefined ? null : this.retention.retainMs / 1000 };
  }

  private startRetention(): void {
    if (this.retention.retainMs === undefined) {
      this.pruneIfOver();
      return;
    }
    this.pruneSoon();
    this.retainTimer = setInterval(() => this.pruneSoon(), Math.min(RETAIN_CHECK_MS, this.retention.retainMs));
    this.retainTimer.unref();
  }

  /** Schedules a retention pass when the store holds more than `maxEvents`. */
  private pruneIfOver(): void {
    if (this.retention.maxEvents !== undefined && this.events > this.retention.maxEvents) this.pruneSoon();
  }

  private pruneSoon(): void {
    if (this.pruneScheduled || this.closed) return;
    this.pruneScheduled = true;
    setImmediate(() => {
      this.pruneScheduled = false;
      if (this.closed) return;
      this.prune().catch((err) => this.noteError(err));
    });
  }

  /**
   * One retention pass: drops the traces past the limits (whole), then rebuilds the index and the
   * id set from what is left. Resolves with the traces dropped.
   */
  prune(nowMs = Date.now()): Promise<number> {
    if (!this.retains) return Promise.resolve(0);
    if (!this.pg) return Promise.resolve(this.pruneSqlite(nowMs));
    return this.serially(() => this.prunePostgres(nowMs));
  }

  /** Whether writing `incoming` more events would pass `maxEvents`: a pass first keeps the count under the limit. */
  private overLimitWith(incoming: number): boolean {
    return this.retention.maxEvents !== undefined && this.events + incoming > this.retention.maxEvents;
  }

  /** The traces a pass drops, leaving room for `incoming` events about to be written. */
  private tracesToDrop(nowMs: number, incoming: number): Set<string> {
    const { maxEvents } = this.retention;
    const limits = maxEvents === undefined ? this.retention : { ...this.retention, maxEvents: Math.max(0, maxEvents - incoming) };
    return tracesToDrop(this.index.traceAggregates(), this.events, limits, nowMs);
  }

  /** A PostgreSQL retention pass (`incoming`: events about to be written); runs in the `serially` chain. */
  private async prunePostgres(nowMs: number, incoming = 0): Promise<number> {
    const pg = this.pg!;
    for (let attempt = 0; attempt < PRUNE_ATTEMPTS; attempt++) {
      const plan = await this.dropPlan(nowMs, incoming, (seqs) => pg.bodies(seqs));
      if (!plan) return 0;
      if (await pg.applyDrop(plan, this.dbGeneration, this.lastSeq)) {
        await this.loadPostgres();
        return plan.droppedTraces;
      }
      // Refused: another instance stored batches or made its own pass meanwhile. Take those in
      // and plan again (the traces to drop may have changed).
      const generation = (await pg.meta()).generation ?? 0;
      if (generation !== this.dbGeneration) await this.loadPostgres();
      else await this.applyUpTo(Number.MAX_SAFE_INTEGER);
    }
    return 0;
  }

  /** The plan of a pass over the current index (null: nothing to drop); `read` fetches stored bodies. */
  private async dropPlan(nowMs: number, incoming: number, read: (seqs: number[]) => Promise<(Uint8Array | undefined)[]>): Promise<DropPlan | null> {
    const traces = this.tracesToDrop(nowMs, incoming);
    if (traces.size === 0) return null;
    const seqs = batchesOfTraces(traces, (t) => this.index.batchesOf(t));
    return planDrop(traces, seqs, await read(seqs));
  }

  /** A SQLite retention pass; `reserved`: batches about to be written (their ids stay in the set). */
  private pruneSqlite(nowMs: number, reserved: readonly PreparedBatch[] = []): number {
    const traces = this.tracesToDrop(nowMs, reserved.reduce((n, b) => n + b.count, 0));
    if (traces.size === 0) return 0;
    const seqs = batchesOfTraces(traces, (t) => this.index.batchesOf(t));
    const plan = planDrop(traces, seqs, seqs.map((seq) => this.stmt.body.get(seq)?.body as Uint8Array | undefined));
    const del = this.db.prepare('DELETE FROM batches WHERE seq = ?');
    const update = this.db.prepare('UPDATE batches SET body = ?, ids = ?, chunk = ? WHERE seq = ?');
    const count = this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = value + excluded.value');
    this.db.transaction(() => {
      for (const seq of plan.deletes) del.run(seq);
      for (const { seq, batch } of plan.rewrites) update.run(asBuffer(batch.packedBody), idsColumn(batch), asBuffer(batch.packedChunk), seq);
      count.run('dropped_traces', plan.droppedTraces);
      count.run('dropped_events', plan.droppedIds.length);
      count.run('passes', 1);
    })();
    this.loadSqlite(reserved);
    return plan.droppedTraces;
  }

  /** Catches up every `ms`, and as soon as another instance's write is announced (LISTEN/NOTIFY). */
  private startPolling(ms: number): void {
    const poll = () => {
      if (this.closed) return;
      if (this.polling) {
        this.pollAgain = true;
        return;
      }
      this.polling = true;
      this.catchUp().catch((err) => this.noteError(err)).finally(() => {
        this.polling = false;
        if (this.pollAgain) {
          this.pollAgain = false;
          poll();
        }
      });
    };
    this.poller = setInterval(poll, ms);
    this.poller.unref();
    this.pg?.listen(poll);
  }

  private noteError(err: unknown): void {
    this.databaseErrors++;
    this.lastDatabaseError = String((err as Error)?.message ?? err).split('\n')[0]!;
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

  /** Writes a batch whose ids are already in the set (removed again when the write fails); not counted as stored before. */
  private writeReserved(batch: PreparedBatch): void {
    this.reserved += batch.count;
    try {
      this.writeAll([batch]);
    } finally {
      this.reserved -= batch.count;
    }
  }

  /** Writes batches whose ids are already in the set, all or none (their ids are removed again when the write fails). */
  private writeAll(batches: readonly PreparedBatch[]): void {
    if (this.overLimitWith(batches.reduce((n, b) => n + b.count, 0))) {
      try {
        this.pruneSqlite(Date.now(), batches);
      } catch (err) {
        this.noteError(err); // the write goes on; the next one tries the pass again
      }
    }
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
    this.pruneIfOver();
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

  /** Events stored (batches waiting for their write not counted yet). */
  get events(): number {
    return this.ids.size - this.reserved;
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

  /** A batch's stored body (compressed, see ingest-core `unpack`), or undefined when there is no such row. SQLite only: see `readBodies`. */
  storedBody(seq: number): Uint8Array | undefined {
    if (this.pg) throw new Error('a PostgreSQL store reads bodies through readBodies');
    return this.stmt.body.get(seq)?.body as Uint8Array | undefined;
  }

  /** The stored bodies of `seqs` in the order asked (undefined for a row that is gone), from either backend. */
  readBodies(seqs: readonly number[]): Promise<(Uint8Array | undefined)[]> {
    if (this.pg) return this.pg.bodies(seqs);
    return Promise.resolve(seqs.map((s) => this.stmt.body.get(s)?.body as Uint8Array | undefined));
  }

  /** The events of one trace in causal order (vector clocks first, then timestamps), all at once (the server pages them: trace-pages.ts). */
  traceEvents(traceId: string): RacewayEvent[] {
    if (this.pg) throw new Error('traceEvents reads a SQLite store; the server pages traces through readBodies');
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

  /** Closes the database (a PostgreSQL store once its writes under way are done). */
  close(): Promise<void> {
    this.closed = true;
    if (this.poller) clearInterval(this.poller);
    if (this.retainTimer) clearInterval(this.retainTimer);
    if (this.pg) {
      const pg = this.pg;
      return this.chain.then(() => pg.close()).catch(() => undefined);
    }
    const worker = this.checkpointer;
    this.checkpointer = null;
    // The thread closes its connection and ends (it never keeps the process alive).
    if (worker) worker.postMessage('close');
    if (this.db.isOpen) this.db.close();
    return Promise.resolve();
  }
}
