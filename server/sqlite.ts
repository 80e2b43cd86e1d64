/**
 * The SQLite connection the store (and its checkpoint thread) works through, over whichever driver
 * this Node has: `node:sqlite`, built into Node since 22.13 (nothing to compile or download), or
 * better-sqlite3, a native addon, for Node versions without it (Node 20). The store is written once
 * against the small interface below; each driver is a thin adapter.
 *
 * The driver is chosen by `RACEWAY_SQLITE_DRIVER` (`node` or `better-sqlite3`) when set, otherwise
 * `node:sqlite` when present, otherwise better-sqlite3.
 */

export type SqliteDriverName = 'node' | 'better-sqlite3';

/** What a column holds: BLOBs come back as Uint8Array (a Buffer with better-sqlite3). */
export type SqlValue = null | number | bigint | string | Uint8Array;

export type SqlRow = Record<string, SqlValue>;

export interface SqlRunResult {
  changes: number | bigint;
  lastInsertRowid: number | bigint;
}

export interface SqlStatement {
  run(...params: SqlValue[]): SqlRunResult;
  get(...params: SqlValue[]): SqlRow | undefined;
  all(...params: SqlValue[]): SqlRow[];
  iterate(...params: SqlValue[]): IterableIterator<SqlRow>;
}

export interface SqlConnection {
  readonly driver: SqliteDriverName;
  readonly isOpen: boolean;
  prepare(sql: string): SqlStatement;
  /** Runs one or more statements without results (DDL, PRAGMA assignments). */
  exec(sql: string): void;
  /** Wraps `fn` so that each call runs in one transaction: committed when it returns, rolled back when it throws. */
  transaction<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R;
  close(): void;
}

/** Neither driver can be loaded (or the one asked for cannot). The message is one line saying what to do. */
export class SqliteUnavailableError extends Error {
  override name = 'SqliteUnavailableError';
}

export const DRIVER_ENV = 'RACEWAY_SQLITE_DRIVER';

/** How long a statement waits for another connection's lock (the checkpoint thread's) before failing. */
const BUSY_TIMEOUT_MS = 5000;

// ---- node:sqlite ----------------------------------------------------------------------------

interface NodeSqliteStatement {
  run(...params: SqlValue[]): SqlRunResult;
  get(...params: SqlValue[]): SqlRow | undefined;
  all(...params: SqlValue[]): SqlRow[];
  iterate(...params: SqlValue[]): IterableIterator<SqlRow>;
}

interface NodeSqliteDatabase {
  prepare(sql: string): NodeSqliteStatement;
  exec(sql: string): void;
  close(): void;
}

interface NodeSqliteModule {
  DatabaseSync: new (path: string) => NodeSqliteDatabase;
}

let nodeSqlite: NodeSqliteModule | null | undefined;

/**
 * `node:sqlite`, or null on a Node without it. Node 22 announces it with an ExperimentalWarning on
 * first load; that one warning is not the user's concern, so it is held back (any other passes).
 */
function loadNodeSqlite(): NodeSqliteModule | null {
  if (nodeSqlite !== undefined) return nodeSqlite;
  const emit = process.emitWarning;
  process.emitWarning = function (this: NodeJS.Process, warning: string | Error, ...rest: unknown[]) {
    const text = typeof warning === 'string' ? warning : warning?.message;
    if (typeof text === 'string' && /SQLite is an experimental feature/.test(text)) return;
    return (emit as (...a: unknown[]) => void).call(this, warning, ...rest);
  } as typeof process.emitWarning;
  try {
    nodeSqlite = require('node:sqlite') as NodeSqliteModule;
  } catch {
    nodeSqlite = null;
  } finally {
    process.emitWarning = emit;
  }
  return nodeSqlite;
}

function openNode(mod: NodeSqliteModule, path: string): SqlConnection {
  const db = new mod.DatabaseSync(path);
  // Kept here: DatabaseSync has `isOpen` and `isTransaction` only from Node 22.15 / 22.16.
  let open = true;
  return {
    driver: 'node',
    get isOpen() {
      return open;
    },
    prepare: (sql) => db.prepare(sql),
    exec: (sql) => db.exec(sql),
    transaction<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
      return (...args: A): R => {
        db.exec('BEGIN');
        let result: R;
        try {
          result = fn(...args);
        } catch (err) {
          try {
            db.exec('ROLLBACK');
          } catch {
            // SQLite already rolled back (some errors end the transaction themselves)
          }
          throw err;
        }
        db.exec('COMMIT');
        return result;
      };
    },
    close: () => {
      db.close();
      open = false;
    },
  };
}

// ---- better-sqlite3 -------------------------------------------------------------------------

type BetterSqlite3 = typeof import('better-sqlite3');

let betterSqlite3: BetterSqlite3 | string | undefined;

/** better-sqlite3, or the reason it cannot be used here (one line). */
function loadBetterSqlite3(): BetterSqlite3 | string {
  if (betterSqlite3 !== undefined) return betterSqlite3;
  let version: string;
  let mod: BetterSqlite3;
  try {
    mod = require('better-sqlite3') as BetterSqlite3;
    version = (require('better-sqlite3/package.json') as { version: string }).version;
  } catch (err) {
    const code = (err as { code?: string }).code;
    return (betterSqlite3 = code === 'MODULE_NOT_FOUND' ? 'better-sqlite3 is not installed' : `better-sqlite3 does not load (${firstLine(err)})`);
  }
  // better-sqlite3 up to 12 aborts the process (SIGABRT) at thread or process teardown on Node 24
  // and later; 13 fixed it. Refusing it is better than a crash at exit.
  if (nodeMajor() >= 24 && Number(version.split('.')[0]) < 13) return (betterSqlite3 = `better-sqlite3 ${version} crashes on Node ${process.versions.node} (13 or later works)`);
  // Its native part loads with the first connection: one built for another Node fails only then.
  try {
    new mod(':memory:').close();
  } catch (err) {
    return (betterSqlite3 = `better-sqlite3 ${version} does not load on Node ${process.versions.node} (${firstLine(err)}; \`npm rebuild better-sqlite3\` builds it for this Node)`);
  }
  return (betterSqlite3 = mod);
}

function firstLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split('\n')[0]!;
}

function openBetterSqlite3(Database: BetterSqlite3, path: string): SqlConnection {
  const db = new Database(path);
  return {
    driver: 'better-sqlite3',
    get isOpen() {
      return db.open;
    },
    prepare: (sql) => db.prepare(sql) as unknown as SqlStatement,
    exec: (sql) => {
      db.exec(sql);
    },
    transaction: (fn) => db.transaction(fn as never) as never,
    close: () => {
      db.close();
    },
  };
}

// ---- choosing -------------------------------------------------------------------------------

function nodeMajor(): number {
  return Number(process.versions.node.split('.')[0]);
}

const INSTALL_HINT = 'run the server on Node 22.13 or later (built-in node:sqlite) or install better-sqlite3 next to raceway (npm install better-sqlite3)';

/** The drivers that can be used in this process, preferred first. */
export function availableDrivers(): SqliteDriverName[] {
  const out: SqliteDriverName[] = [];
  if (loadNodeSqlite()) out.push('node');
  if (typeof loadBetterSqlite3() !== 'string') out.push('better-sqlite3');
  return out;
}

/** The driver `requested` names (default: `RACEWAY_SQLITE_DRIVER`), or the preferred available one. */
export function chooseDriver(requested: string | undefined = process.env[DRIVER_ENV]): SqliteDriverName {
  if (requested !== undefined && requested !== '') {
    if (requested !== 'node' && requested !== 'better-sqlite3') throw new SqliteUnavailableError(`${DRIVER_ENV} must be "node" or "better-sqlite3", not "${requested}"`);
    return requested;
  }
  return loadNodeSqlite() ? 'node' : 'better-sqlite3';
}

/** Opens (creating when missing) the database at `path` (':memory:' for one in memory) with `driver`. */
export function openSqlite(path: string, driver: SqliteDriverName = chooseDriver()): SqlConnection {
  let conn: SqlConnection;
  if (driver === 'node') {
    const mod = loadNodeSqlite();
    if (!mod) throw new SqliteUnavailableError(`node:sqlite needs Node 22.13 or later (this is Node ${process.versions.node}); install better-sqlite3 or unset ${DRIVER_ENV}`);
    conn = openNode(mod, path);
  } else {
    const mod = loadBetterSqlite3();
    if (typeof mod === 'string') {
      throw new SqliteUnavailableError(loadNodeSqlite() ? `${mod}; unset ${DRIVER_ENV} to use the built-in node:sqlite` : `the Raceway server needs SQLite and ${mod}: ${INSTALL_HINT}`);
    }
    conn = openBetterSqlite3(mod, path);
  }
  try {
    conn.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
  } catch (err) {
    conn.close();
    throw err;
  }
  return conn;
}
