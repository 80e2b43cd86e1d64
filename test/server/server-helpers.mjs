import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRacewayServer } from '../../dist/server/http.js';
import { Store } from '../../dist/server/store.js';
import { Sim } from './helpers.mjs';
import { databaseFor } from '../helpers/postgres.mjs';

export function tempDir(t) {
  const dir = mkdtempSync(join(tmpdir(), 'raceway-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Starts a server on a random loopback port; closed when the test ends. `driver`: the SQLite driver
 * (default: the store's choice), or 'postgres' for a database on the test cluster (the same one
 * for the same `db`, a new one for ':memory:').
 */
export async function startServer(t, { db = ':memory:', driver, pollMs, retention, ...opts } = {}) {
  const store = driver === 'postgres' ? await Store.open(await databaseFor(db), {}, { pollMs: pollMs ?? 100, retention }) : new Store(db, {}, { driver, retention });
  const srv = createRacewayServer({ store, ...opts });
  const addr = await srv.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${addr.port}`;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await srv.close();
    await store.close();
  };
  t.teardown(close);
  return { base, store, srv, close };
}

export async function post(base, body, headers = {}) {
  const res = await fetch(`${base}/events`, {
    method: 'POST', headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* asserted by callers */ }
  return { status: res.status, json, text };
}

export async function get(base, path, headers = {}) {
  const res = await fetch(base + path, { headers });
  return { status: res.status, json: await res.json() };
}

/** The banking example's two concurrent transfers (a lost update on accounts.alice.balance). */
export function bankingRace() {
  const sim = new Sim();
  const mk = () => {
    const req = sim.request('POST', '/transfer');
    const h = req.spawn('transfer');
    h.read('accounts.alice.balance', 1000, 'src/bank.ts:10');
    h.await();
    return { req, h };
  };
  const a = mk();
  const b = mk();
  a.h.write('accounts.alice.balance', 1000, 900, 'src/bank.ts:12'); a.req.join(a.h); a.req.respond();
  b.h.write('accounts.alice.balance', 1000, 800, 'src/bank.ts:12'); b.req.join(b.h); b.req.respond();
  return { events: sim.events, traces: [a.req.trace, b.req.trace] };
}

/** A request that reads module state before the unordered start-up callback initialises it (use before init). */
export function useBeforeInit() {
  const sim = new Sim();
  const main = sim.root();
  const init = main.spawn('loadTemplates'); init.await('src/app.ts:3');
  const req = sim.request('GET', '/roles'); const h = req.spawn('handler');
  h.read('app.roleTemplate', null, 'src/app.ts:9');
  req.join(h); req.respond(500);
  init.write('app.roleTemplate', null, { admin: ['*'] }, 'src/app.ts:4');
  return { events: sim.events, read: h, init };
}
