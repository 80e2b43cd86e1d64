/**
 * Worker thread that checkpoints the store's WAL into the database file on request, on its own
 * connection, so the ingest path (the main thread's connection) never waits for the copy and the
 * fsync. PASSIVE checkpoints never block the writer. It uses the same SQLite driver as the store:
 * two SQLite libraries in one process would not see each other's file locks.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openSqlite, type SqliteDriverName } from './sqlite';

const { path, driver } = workerData as { path: string; driver: SqliteDriverName };
const db = openSqlite(path, driver);
db.exec('PRAGMA synchronous = NORMAL');
parentPort?.on('message', (msg: string) => {
  if (msg === 'checkpoint') {
    try {
      db.exec('PRAGMA wal_checkpoint(PASSIVE)');
    } catch {
      // Busy or failing: the main connection's own (rarer) automatic checkpoints still run.
    }
    parentPort!.postMessage('done');
  } else if (msg === 'close') {
    db.close();
    parentPort!.close();
  }
});
