/**
 * Worker thread that checkpoints the store's WAL into the database file on request, on its own
 * connection, so the ingest path (the main thread's connection) never waits for the copy and the
 * fsync. PASSIVE checkpoints never block the writer.
 */
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';

const db = new Database((workerData as { path: string }).path);
db.pragma('synchronous = NORMAL');
parentPort?.on('message', (msg: string) => {
  if (msg === 'checkpoint') {
    try {
      db.pragma('wal_checkpoint(PASSIVE)');
    } catch {
      // Busy or failing: the main connection's own (rarer) automatic checkpoints still run.
    }
    parentPort!.postMessage('done');
  } else if (msg === 'close') {
    db.close();
    parentPort!.close();
  }
});
