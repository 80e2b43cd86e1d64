// The PostgreSQL server behind a real `raceway serve` is restarted while several clients ingest:
// during the outage the server answers errors (never crashes, /health answers), counts them in
// /status, and once the database is back it takes batches again; every batch it acknowledged is
// stored whole, before and after the outage, as a fresh instance on the same database sees it.
import test from 'ava';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Sim } from '../server/helpers.mjs';
import { getJson, postEvents, serve, storedCount, storedIds } from './_serve.mjs';
import { databaseFor, NO_POSTGRES, postgresTestable, sharedPostgres } from '../helpers/postgres.mjs';

const WRITERS = 4;
const PER_BATCH = 40;

function batch() {
  const sim = new Sim();
  const task = sim.root(randomUUID());
  for (let i = 0; i < PER_BATCH; i++) task.write(`v${i % 7}`, i, i + 1, `src/w.ts:${i + 1}`);
  return sim.events;
}

const register = postgresTestable() ? test : (title) => test(`${title} [skipped]`, (t) => t.log(NO_POSTGRES) || t.pass());

register('the database restarted mid-ingest: errors reported, server up, no acknowledged event lost', async (t) => {
  const url = await databaseFor();
  const pg = await sharedPostgres();
  const srv = await serve(t, { db: url });
  const acked = [];
  const failed = [];
  let phase = 'before';
  // A server that died says why (its stderr) next to the failure.
  t.teardown(() => { if (!srv.alive) console.error(`raceway serve ended; its stderr:\n${srv.stderr}`); });
  const writer = async () => {
    while (phase !== 'done') {
      const events = batch();
      const r = await postEvents(srv.base, { events });
      if (r.status === 200) acked.push({ trace: events[0].trace_id, phase });
      else {
        failed.push(r.status);
        await sleep(20);
      }
    }
  };
  const writers = Array.from({ length: WRITERS }, writer);
  while (acked.length < 40) await sleep(10);
  // A fast shutdown ends every session (the server's connections break mid-transaction).
  pg.stop('fast');
  phase = 'down';
  const during = await postEvents(srv.base, { events: batch() });
  t.is(during.status, 500, 'a batch sent while the database is down is refused, not acknowledged');
  t.is((await getJson(srv.base, '/health')).status, 200, 'the server keeps answering');
  await sleep(300);
  pg.start();
  phase = 'after';
  const ackedAtRestart = acked.length;
  const deadline = Date.now() + 30_000;
  while (acked.length < ackedAtRestart + 40 && Date.now() < deadline) await sleep(20);
  phase = 'done';
  await Promise.all(writers);
  t.true(srv.alive, 'the server survived the outage');
  t.true(acked.filter((a) => a.phase === 'after').length > 0, 'ingest resumed once the database was back');
  t.true(failed.length > 0);
  const status = (await getJson(srv.base, '/status')).json.data;
  t.true(status.database_errors > 0, 'the outage is counted in /status');
  t.is(typeof status.last_database_error, 'string');

  // A second instance reads everything from the database: acknowledged batches are there, whole.
  const fresh = await serve(t, { db: url });
  t.true(await storedCount(fresh.base) >= acked.length * PER_BATCH);
  for (const { trace } of acked) t.is((await storedIds(fresh.base, trace)).length, PER_BATCH, `acknowledged batch ${trace}`);
  t.is(await srv.stop().then((e) => e.code), 0);
  t.is(await fresh.stop().then((e) => e.code), 0);
});
