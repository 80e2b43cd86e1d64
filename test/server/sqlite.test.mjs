// The store's SQLite adapter (server/sqlite.ts) on each driver this Node has, and how the server
// says what to install when it has none.
import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chooseDriver, openSqlite, SqliteUnavailableError } from '../../dist/server/sqlite.js';
import { Store } from '../../dist/server/store.js';
import { bankingRace } from './server-helpers.mjs';
import { drivers, testEachDriver } from './sqlite-drivers.mjs';

const CLI = fileURLToPath(new URL('../../dist/server/cli.js', import.meta.url));
const NO_SQLITE = fileURLToPath(new URL('./programs/no-sqlite.cjs', import.meta.url));
const CHECKPOINT_EXIT = fileURLToPath(new URL('./programs/checkpoint-exit.cjs', import.meta.url));

function run(args, env = {}) {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, args, { env: { ...process.env, RACEWAY_API_KEY: '', ...env } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    p.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

const hasNodeSqlite = (() => {
  const [major, minor] = process.versions.node.split('.').map(Number);
  return major > 22 || (major === 22 && minor >= 13);
})();

test('node:sqlite is the default wherever Node has it; better-sqlite3 only without it', (t) => {
  t.is(chooseDriver(undefined), hasNodeSqlite ? 'node' : 'better-sqlite3');
  t.is(drivers.includes('node'), hasNodeSqlite);
  t.true(drivers.length > 0);
});

testEachDriver('BLOBs and text come back as stored; a transaction commits on return and rolls back on a throw', (t, driver) => {
  const db = openSqlite(':memory:', driver);
  t.is(db.driver, driver);
  db.exec('CREATE TABLE t (seq INTEGER PRIMARY KEY, body BLOB NOT NULL, ids TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO t (body, ids) VALUES (?, ?)');
  const bytes = Buffer.from([0, 1, 2, 250, 255]);
  t.is(Number(insert.run(bytes, 'a,b').lastInsertRowid), 1);
  const row = db.prepare('SELECT seq, body, ids FROM t WHERE seq = ?').get(1);
  t.true(row.body instanceof Uint8Array);
  t.deepEqual(Buffer.from(row.body), bytes);
  t.is(row.ids, 'a,b');
  const insertAll = db.transaction((n) => {
    for (let i = 0; i < n; i++) insert.run(bytes, String(i));
    if (n > 2) throw new Error('too many');
    return n;
  });
  t.is(insertAll(2), 2);
  t.throws(() => insertAll(3), { message: 'too many' });
  const count = () => db.prepare('SELECT count(*) AS n FROM t').get().n;
  t.is(count(), 3);
  // A statement error inside the transaction rolls back the rows before it too.
  const failing = db.transaction(() => { insert.run(bytes, 'x'); insert.run(null, 'y'); });
  t.throws(() => failing(), { any: true, message: /NOT NULL/ });
  t.is(count(), 3);
  t.deepEqual([...db.prepare('SELECT ids FROM t ORDER BY seq').iterate()].map((r) => r.ids), ['a,b', '0', '1']);
  t.true(db.isOpen);
  db.close();
  t.false(db.isOpen);
});

testEachDriver('the checkpoint thread opens on the store\'s driver, checkpoints, and the process exits cleanly', async (t, driver) => {
  const r = await run([CHECKPOINT_EXIT, driver, JSON.stringify(bankingRace().events)], { RACEWAY_SQLITE_DRIVER: '' });
  t.is(r.signal, null, r.stderr);
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout, `${driver} ok\n`);
  t.is(r.stderr, '');
});

test('a driver that is not there, or not a driver, is one line saying what to do', (t) => {
  const bad = t.throws(() => chooseDriver('sqlite3'), { instanceOf: SqliteUnavailableError });
  t.regex(bad.message, /RACEWAY_SQLITE_DRIVER must be "node" or "better-sqlite3"/);
  if (!hasNodeSqlite) {
    const e = t.throws(() => openSqlite(':memory:', 'node'), { instanceOf: SqliteUnavailableError });
    t.regex(e.message, /node:sqlite needs Node 22\.13 or later/);
    t.false(e.message.includes('\n'));
  }
});

test('serve without any SQLite driver exits with one line naming what to install', async (t) => {
  const r = await run(['--require', NO_SQLITE, CLI, 'serve', '--port', '0', '--memory'], { RACEWAY_SQLITE_DRIVER: '' });
  t.is(r.code, 2);
  t.is(r.stderr.trim().split('\n').length, 1, r.stderr);
  t.regex(r.stderr, /^raceway: the Raceway server needs SQLite and better-sqlite3 is not installed: run the server on Node 22\.13 or later \(built-in node:sqlite\) or install better-sqlite3/);
  t.false(/\bat .*\.js:\d+/.test(r.stderr));
});

if (drivers.length > 1) {
  // Where both load (Node 22 with better-sqlite3 built for it): a server moved from Node 20 to a
  // Node with node:sqlite keeps its database.
  test('a database written through one driver opens through the other with everything in it', (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'raceway-both-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'raceway.db');
    const { events } = bankingRace();
    const [first, second] = drivers;
    const a = new Store(path, {}, { driver: first });
    a.ingest(events);
    const races = a.analyze().map((r) => r.id);
    a.close();
    const b = new Store(path, {}, { driver: second });
    t.is(b.db.driver, second);
    t.is(b.events, events.length);
    t.deepEqual(b.analyze().map((r) => r.id), races);
    t.deepEqual(b.ingest(events), { inserted: 0, duplicates: events.length });
    b.close();
  });
}
