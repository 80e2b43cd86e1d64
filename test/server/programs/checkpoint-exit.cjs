// Opens a store with its checkpoint thread on the driver named in argv[2], has the thread
// checkpoint once, closes and lets the process end: it must exit 0 (no abort at teardown).
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { Store } = require('../../../dist/server/store.js');

const dir = mkdtempSync(join(tmpdir(), 'raceway-ckpt-'));
const store = new Store(join(dir, 'raceway.db'), {}, { backgroundCheckpoints: true, driver: process.argv[2] });
const events = JSON.parse(process.argv[3]);
store.ingest(events);
const worker = store.checkpointer;
if (!worker) throw new Error('no checkpoint thread');
worker.ref();
worker.once('message', () => {
  store.close();
  worker.once('exit', () => {
    rmSync(dir, { recursive: true, force: true });
    process.stdout.write(`${store.db.driver} ok\n`);
  });
});
worker.postMessage('checkpoint');
