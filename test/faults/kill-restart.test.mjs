// kill -9 of a real `raceway serve` (SQLite file store, then a PostgreSQL database) in the middle of
// ingest from several clients, then a restart on the same database: every event the server acknowledged is stored, every batch is
// stored whole or not at all, nothing is reported damaged, and the races found before are found again.
import test from 'ava';
import { randomUUID } from 'node:crypto';
import { Sim } from '../server/helpers.mjs';
import { bankingRace } from '../server/server-helpers.mjs';
import { getJson, postEvents, serve, storedCount, storedIds } from './_serve.mjs';
import { testEachBackend } from '../server/sqlite-drivers.mjs';
import { databaseFor } from '../helpers/postgres.mjs';

const WRITERS = 4;
const PER_BATCH = 40;
/** Acknowledged batches before the kill: enough that the kill lands with writers in full flight. */
const ACKED_BEFORE_KILL = 60;

/** A batch of PER_BATCH valid events, all in a fresh trace. */
function batch() {
  const sim = new Sim();
  const task = sim.root(randomUUID());
  for (let i = 0; i < PER_BATCH; i++) task.write(`v${i % 7}`, i, i + 1, `src/w.ts:${i + 1}`);
  return sim.events;
}

testEachBackend('kill -9 mid-ingest, restart: acknowledged = stored, batches whole, races unchanged', async (t, driver) => {
  const srv = await serve(t, { db: driver === 'postgres' ? await databaseFor() : undefined });
  const race = bankingRace();
  t.is((await postEvents(srv.base, { events: race.events })).status, 200);
  const racesBefore = (await getJson(srv.base, '/api/races')).json.data.races.map((r) => r.id).sort();
  t.true(racesBefore.length > 0);

  const acked = []; // traces whose batch was answered 2xx
  const tried = []; // every trace sent, answered or not
  let killed = null;
  const writer = async () => {
    while (killed === null) {
      const events = batch();
      tried.push(events[0].trace_id);
      let r;
      try {
        r = await postEvents(srv.base, { events });
      } catch {
        return; // the server is gone
      }
      if (r.status === 200) acked.push(events[0].trace_id);
      else if (killed === null) throw new Error(`unexpected ${r.status}: ${r.text.slice(0, 200)}`);
      if (acked.length >= ACKED_BEFORE_KILL && killed === null) killed = srv.kill();
    }
  };
  await Promise.all(Array.from({ length: WRITERS }, writer));
  const { signal } = await killed;
  t.is(signal, 'SIGKILL');

  const again = await serve(t, { db: srv.db });
  t.notRegex(again.stderr, /could not be read/);
  t.true(await storedCount(again.base) >= race.events.length + acked.length * PER_BATCH);
  for (const trace of acked) t.is((await storedIds(again.base, trace)).length, PER_BATCH, `acknowledged batch ${trace}`);
  for (const trace of tried.filter((x) => !acked.includes(x))) {
    t.true([0, PER_BATCH].includes((await storedIds(again.base, trace)).length), `unanswered batch ${trace}: whole or absent`);
  }
  const racesAfter = (await getJson(again.base, '/api/races')).json.data.races.map((r) => r.id);
  for (const id of racesBefore) t.true(racesAfter.includes(id), `race ${id} found again`);
  t.is(await again.stop().then((e) => e.code), 0);
});
