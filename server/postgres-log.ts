/**
 * The PostgreSQL form of the store's batch log (see store.ts), for a team's shared server: the same
 * rows as the SQLite table (one per ingested batch: compressed body, ids, analysis chunk), plus a
 * table of event ids whose primary key makes ingest idempotent across every server instance on
 * the database.
 *
 * Writes take a transaction-scoped advisory lock, so batches commit in the order of their seqs:
 * an instance that has applied every row up to seq N can never later meet a row below N
 * committed by another (sequence values are otherwise handed out before commit, and commit out of
 * order). That is what lets each instance catch up by reading `seq > last seen`.
 *
 * The client is `pg` (node-postgres), loaded only when a postgres URL is given: an application that
 * only instruments itself never loads it. It is an optional dependency of raceway.
 */
import type { PreparedBatch } from './ingest-core';
import type { DropPlan } from './retention';
import { idString } from './id-set';

/** What is read back of a stored batch to rebuild or extend the in-memory index. */
export interface StoredBatchRow {
  seq: number;
  /** The ids' words (see id-set.ts), or their text joined by commas when some are not canonical. */
  ids: Uint8Array | string;
  chunk: Uint8Array;
}

/** Per batch written: its seq, or null when an id of it was already stored (by this or another instance): nothing of it was written. */
export type WriteOutcome = number | null;

/** No PostgreSQL client can be loaded. The message is one line saying what to do. */
export class PostgresUnavailableError extends Error {
  override name = 'PostgresUnavailableError';
}

// The few parts of pg's API used here (the package ships no types of its own).
interface PgQueryResult {
  rows: Record<string, unknown>[];
  rowCount: number | null;
}
interface PgClient {
  query(text: string, values?: unknown[]): Promise<PgQueryResult>;
  release(err?: Error | boolean): void;
  on(event: 'error', listener: (err: Error) => void): void;
  off(event: 'error', listener: (err: Error) => void): void;
}
interface PgPool {
  query(text: string, values?: unknown[]): Promise<PgQueryResult>;
  connect(): Promise<PgClient>;
  end(): Promise<void>;
  on(event: 'error', listener: (err: Error) => void): void;
}
interface PgListener {
  connect(): Promise<void>;
  query(text: string): Promise<PgQueryResult>;
  end(): Promise<void>;
  on(event: 'notification', listener: () => void): void;
  on(event: 'error' | 'end', listener: (err?: Error) => void): void;
}
interface PgModule {
  Pool: new (config: Record<string, unknown>) => PgPool;
  Client: new (config: Record<string, unknown>) => PgListener;
}

/** The channel a write notifies on commit: other instances catch up at once instead of at their next poll. */
const CHANNEL = 'raceway_batches';
/** Wait before listening again after the listening connection was lost. */
const RELISTEN_MS = 1000;

/** Is `location` a PostgreSQL connection URL (rather than a SQLite file path)? */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/** The URL without its password, for logs and `/status`. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}

function loadPg(): PgModule {
  try {
    return require('pg') as PgModule;
  } catch (err) {
    const missing = (err as { code?: string }).code === 'MODULE_NOT_FOUND';
    throw new PostgresUnavailableError(missing
      ? 'a postgres:// database needs the PostgreSQL client: install it next to raceway (npm install pg)'
      : `the PostgreSQL client (pg) does not load: ${String((err as Error).message).split('\n')[0]}`);
  }
}

/** The longest a query may take before the client gives up on it (the store's writes wait in line behind it). */
const QUERY_TIMEOUT_MS = 60_000;

/** Arbitrary, fixed: the advisory lock key every instance's writes take (ASCII "RACE" "WAY0"). */
const WRITE_LOCK = [0x52414345, 0x57415930] as const;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS raceway_batches (
  seq bigserial PRIMARY KEY,
  body bytea NOT NULL,
  ids bytea NOT NULL,
  ids_are_text boolean NOT NULL DEFAULT false,
  chunk bytea NOT NULL,
  stored_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS raceway_event_ids (
  id text PRIMARY KEY,
  seq bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS raceway_event_ids_seq ON raceway_event_ids (seq);
CREATE TABLE IF NOT EXISTS raceway_meta (
  key text PRIMARY KEY,
  value bigint NOT NULL
);
INSERT INTO raceway_meta (key, value) VALUES ('schema', 1), ('generation', 0), ('dropped_traces', 0), ('dropped_events', 0), ('passes', 0)
  ON CONFLICT (key) DO NOTHING;
`;

/** Every id of a prepared batch as text (the unique key of the event id table). */
export function idTexts(batch: PreparedBatch): string[] {
  const out: string[] = [];
  for (let i = 0; i < batch.ids.length; i += 4) out.push(idString(batch.ids, i));
  for (const id of batch.oddIds) out.push(id);
  return out;
}

function asBuffer(u: Uint8Array | Int32Array): Buffer {
  return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}

/** The stored form of a batch's ids, as in the SQLite table: words, or all of them as text when some are not canonical. */
function idsColumn(batch: PreparedBatch): { ids: Buffer; text: boolean } {
  if (batch.oddIds.length === 0) return { ids: asBuffer(batch.ids), text: false };
  return { ids: Buffer.from(idTexts(batch).join(','), 'utf8'), text: true };
}

// One statement a batch: the row is written only when none of its ids is stored yet (other instances'
// commits are visible: every write holds the lock, and each statement takes a new snapshot), and
// its ids go into the id table under its seq.
const INSERT_BATCH = `
WITH b AS (
  INSERT INTO raceway_batches (body, ids, ids_are_text, chunk)
  SELECT $2, $3, $4, $5
  WHERE NOT EXISTS (SELECT 1 FROM raceway_event_ids WHERE id = ANY($1::text[]))
  RETURNING seq
), e AS (
  INSERT INTO raceway_event_ids (id, seq) SELECT unnest($1::text[]), b.seq FROM b
)
SELECT seq FROM b`;

export class PostgresLog {
  private listener: PgListener | null = null;
  private closed = false;

  private constructor(private readonly pool: PgPool, readonly location: string, private readonly pg: PgModule, private readonly url: string) {}

  /** Connects and creates the tables when missing. */
  static async open(url: string, onError: (err: Error) => void = () => undefined): Promise<PostgresLog> {
    const pg = loadPg();
    // A database that stops answering (a network partition, not a refused connection) fails
    // queries after QUERY_TIMEOUT_MS instead of holding every later write behind them.
    const pool = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 10_000, idleTimeoutMillis: 30_000, query_timeout: QUERY_TIMEOUT_MS, keepAlive: true });
    // An idle connection the server closed (a restart) is reported here; unhandled it would end the process.
    pool.on('error', onError);
    const log = new PostgresLog(pool, redactUrl(url), pg, url);
    try {
      // Concurrent first starts of several instances would race on CREATE TABLE: one at a time.
      const client = await pool.connect();
      const lost = () => undefined; // the failing statement reports it
      client.on('error', lost);
      try {
        await client.query('BEGIN');
        await client.query('SELECT pg_advisory_xact_lock($1, $2)', [...WRITE_LOCK]);
        await client.query(SCHEMA);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.off('error', lost);
        client.release();
      }
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw err;
    }
    return log;
  }

  /**
   * Writes batches in one transaction, in order, each only if none of its ids is stored yet.
   * Throws (writing none) when the database fails.
   */
  async write(batches: readonly PreparedBatch[]): Promise<WriteOutcome[]> {
    return this.transaction(async (client) => {
      const out: WriteOutcome[] = [];
      for (const b of batches) {
        const { ids, text } = idsColumn(b);
        const r = await client.query(INSERT_BATCH, [idTexts(b), asBuffer(b.packedBody), ids, text, asBuffer(b.packedChunk)]);
        out.push(r.rows.length > 0 ? Number(r.rows[0]!.seq) : null);
      }
      // Delivered at commit, and only if it commits.
      if (out.some((seq) => seq !== null)) await client.query(`NOTIFY ${CHANNEL}`);
      return out;
    });
  }

  /** Rows after `afterSeq`, up to `limit`, in seq order; `skip`: seqs not to read (already known). */
  async rowsAfter(afterSeq: number, limit: number, upTo = Number.MAX_SAFE_INTEGER): Promise<StoredBatchRow[]> {
    const r = await this.pool.query('SELECT seq, ids, ids_are_text, chunk FROM raceway_batches WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT $3', [afterSeq, upTo, limit]);
    return r.rows.map((row) => {
      const ids = row.ids as Buffer;
      return { seq: Number(row.seq), ids: row.ids_are_text ? ids.toString('utf8') : ids, chunk: row.chunk as Buffer };
    });
  }

  /** The stored bodies of `seqs` (undefined for a row that is gone), in the order asked. */
  async bodies(seqs: readonly number[]): Promise<(Uint8Array | undefined)[]> {
    if (seqs.length === 0) return [];
    const r = await this.pool.query('SELECT seq, body FROM raceway_batches WHERE seq = ANY($1::bigint[])', [seqs]);
    const bySeq = new Map<number, Uint8Array>();
    for (const row of r.rows) bySeq.set(Number(row.seq), row.body as Buffer);
    return seqs.map((s) => bySeq.get(s));
  }

  /** The counters of the meta table: `generation` (bumped by every retention pass) and retention's counts. */
  async meta(): Promise<Record<string, number>> {
    const r = await this.pool.query('SELECT key, value FROM raceway_meta');
    const out: Record<string, number> = {};
    for (const row of r.rows) out[row.key as string] = Number(row.value);
    return out;
  }

  /**
   * Applies a retention pass (one transaction, under the write lock): deletes and rewrites the
   * batches, forgets the dropped event ids, counts them and bumps the generation. False, changing
   * nothing, when the plan was made from rows that changed since: the generation is no longer
   * `generation` (another instance's pass came first) or rows after `lastSeq` were stored (they
   * may hold events of the traces to drop, which must go whole).
   */
  async applyDrop(plan: DropPlan, generation: number, lastSeq: number): Promise<boolean> {
    return this.transaction(async (client) => {
      const now = Number((await client.query("SELECT value FROM raceway_meta WHERE key = 'generation'")).rows[0]?.value ?? 0);
      if (now !== generation) return false;
      if ((await client.query('SELECT 1 FROM raceway_batches WHERE seq > $1 LIMIT 1', [lastSeq])).rows.length > 0) return false;
      if (plan.deletes.length > 0) await client.query('DELETE FROM raceway_batches WHERE seq = ANY($1::bigint[])', [plan.deletes]);
      for (const { seq, batch } of plan.rewrites) {
        const { ids, text } = idsColumn(batch);
        await client.query('UPDATE raceway_batches SET body = $2, ids = $3, ids_are_text = $4, chunk = $5 WHERE seq = $1', [seq, asBuffer(batch.packedBody), ids, text, asBuffer(batch.packedChunk)]);
      }
      for (let i = 0; i < plan.droppedIds.length; i += 10_000) {
        await client.query('DELETE FROM raceway_event_ids WHERE id = ANY($1::text[])', [plan.droppedIds.slice(i, i + 10_000)]);
      }
      await client.query(`UPDATE raceway_meta SET value = value + CASE key WHEN 'generation' THEN 1 WHEN 'passes' THEN 1
        WHEN 'dropped_traces' THEN $1::bigint WHEN 'dropped_events' THEN $2::bigint ELSE 0 END`, [plan.droppedTraces, plan.droppedIds.length]);
      return true;
    });
  }

  /** Runs `fn` in a transaction holding the write lock; a connection that failed in it is dropped. */
  private async transaction<T>(fn: (client: PgClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    // The pool listens for errors of idle connections only: one lost between two statements of
    // this transaction would otherwise be an unhandled 'error' event (the process would end).
    // The next statement fails with it.
    const lost = (err: Error) => {
      broken = err;
    };
    client.on('error', lost);
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1, $2)', [...WRITE_LOCK]);
      const out = await fn(client);
      await client.query('COMMIT');
      return out;
    } catch (err) {
      broken = err as Error;
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.off('error', lost);
      client.release(broken);
    }
  }

  /** Which of `ids` are stored (by any instance). */
  async storedIds(ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const r = await this.pool.query('SELECT id FROM raceway_event_ids WHERE id = ANY($1::text[])', [ids]);
    return r.rows.map((row) => row.id as string);
  }

  /**
   * Calls `onWrite` whenever any instance commits batches (LISTEN on a connection of its own, made
   * again a second after it is lost). Best effort: polling stays the guarantee.
   */
  listen(onWrite: () => void): void {
    if (this.closed || this.listener) return;
    const client = new this.pg.Client({ connectionString: this.url, keepAlive: true });
    this.listener = client;
    let lost = false;
    const relisten = () => {
      if (lost) return;
      lost = true;
      if (this.listener === client) this.listener = null;
      client.end().catch(() => undefined);
      if (!this.closed) setTimeout(() => this.listen(onWrite), RELISTEN_MS).unref();
    };
    client.on('notification', onWrite);
    client.on('error', relisten);
    client.on('end', relisten);
    client.connect().then(() => client.query(`LISTEN ${CHANNEL}`)).catch(relisten);
  }

  close(): Promise<void> {
    this.closed = true;
    const listener = this.listener;
    this.listener = null;
    return Promise.all([this.pool.end(), listener?.end().catch(() => undefined)]).then(() => undefined);
  }
}
