// Several `raceway serve` instances on one PostgreSQL database: traffic sent half to each is
// answered the same by both (races, global analysis, traces) once each has caught up, within the
// stated delay; a batch retried on the other instance is stored once.
import test from 'ava';
import { setTimeout as sleep } from 'node:timers/promises';
import { workload } from '../../bench/server/workload.mjs';
import { getJson, postEvents, serve, storedCount } from '../faults/_serve.mjs';
import { databaseFor, NO_POSTGRES, postgresTestable } from '../helpers/postgres.mjs';
import { bankingRace } from './server-helpers.mjs';

const register = postgresTestable() ? test : (title) => test(`${title} [postgres: skipped]`, (t) => t.log(NO_POSTGRES) || t.pass());

/** How long an instance may take to show what another stored (told at once by NOTIFY; the poll is every 500 ms in any case). */
const CATCH_UP_MS = 2000;

async function until(check, ms, what) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await sleep(25);
  }
}

register('two instances on one database answer /api/races, /api/analyze/global and /api/traces the same', async (t) => {
  const db = await databaseFor();
  const [a, b] = await Promise.all([serve(t, { db }), serve(t, { db })]);
  const batches = [...workload({ stateChanges: 3000, batch: 50, accounts: 40, racingShare: 0.3 })];
  const total = batches.reduce((n, x) => n + x.length, 0);
  // Four clients, each batch to one instance or the other, in flight together.
  let next = 0;
  const client = async () => {
    while (next < batches.length) {
      const i = next++;
      const r = await postEvents(i % 2 === 0 ? a.base : b.base, { events: batches[i] });
      if (r.status !== 200) throw new Error(`batch ${i}: ${r.status} ${r.text.slice(0, 200)}`);
    }
  };
  await Promise.all([client(), client(), client(), client()]);
  const sentAt = Date.now();
  await until(async () => (await storedCount(a.base)) === total && (await storedCount(b.base)) === total, CATCH_UP_MS, 'both instances count every event');
  t.log(`both instances caught up ${Date.now() - sentAt} ms after the last acknowledgement (${total} events)`);
  const races = await Promise.all([a, b].map(async (s) => (await getJson(s.base, '/api/races?limit=10000')).json.data));
  t.true(races[0].total_races > 0, 'the traffic has races');
  t.deepEqual(races[1].races, races[0].races);
  t.is(races[1].total_races, races[0].total_races);
  const global = await Promise.all([a, b].map(async (s) => (await getJson(s.base, '/api/analyze/global')).json.data));
  t.deepEqual(global[1].race_details, global[0].race_details);
  t.is(global[1].total_events, total);
  const traces = await Promise.all([a, b].map(async (s) => (await getJson(s.base, '/api/traces?page=1&page_size=50')).json.data));
  t.deepEqual(traces[1], traces[0]);
  const someTrace = traces[0].traces[0].trace_id;
  const detail = await Promise.all([a, b].map(async (s) => (await getJson(s.base, `/api/traces/${someTrace}`)).json.data));
  t.deepEqual(detail[1].events, detail[0].events);
});

register('a batch sent to both instances at once is stored once', async (t) => {
  const db = await databaseFor();
  const [a, b] = await Promise.all([serve(t, { db }), serve(t, { db })]);
  const { events } = bankingRace();
  const answers = await Promise.all([postEvents(a.base, { events }), postEvents(b.base, { events })]);
  t.deepEqual(answers.map((r) => r.status), [200, 200]);
  t.is(answers[0].json.stored + answers[1].json.stored, events.length, 'each event stored by exactly one of them');
  // A retry on the other instance of an already stored batch, part new.
  const more = bankingRace().events;
  const retry = await postEvents(b.base, { events: [...events.slice(0, 5), ...more] });
  t.is(retry.json.stored, more.length);
  t.is(retry.json.duplicates, 5);
  await until(async () => (await storedCount(a.base)) === events.length + more.length && (await storedCount(b.base)) === events.length + more.length, CATCH_UP_MS, 'both count every event once');
  const races = await Promise.all([a, b].map(async (s) => (await getJson(s.base, '/api/races')).json.data.races));
  t.true(races[0].length >= 2);
  t.deepEqual(races[1], races[0]);
});

register('two instances with --max-events: retention passes of either, the same answers on both, traces whole', async (t) => {
  const db = await databaseFor();
  const maxEvents = 1500;
  const args = ['--max-events', String(maxEvents)];
  const [a, b] = await Promise.all([serve(t, { db, args }), serve(t, { db, args })]);
  const batches = [...workload({ stateChanges: 3000, batch: 50, accounts: 40, racingShare: 0.3 })];
  const perTrace = new Map();
  for (const x of batches) for (const e of x) perTrace.set(e.trace_id, (perTrace.get(e.trace_id) ?? 0) + 1);
  let next = 0;
  const client = async () => {
    while (next < batches.length) {
      const i = next++;
      const r = await postEvents(i % 2 === 0 ? a.base : b.base, { events: batches[i] });
      if (r.status !== 200) throw new Error(`batch ${i}: ${r.status} ${r.text.slice(0, 200)}`);
    }
  };
  await Promise.all([client(), client()]);
  const statusOf = async (s) => (await getJson(s.base, '/status')).json.data;
  await until(async () => {
    const [x, y] = await Promise.all([statusOf(a), statusOf(b)]);
    return x.events_captured <= maxEvents && x.events_captured === y.events_captured && x.retention.passes === y.retention.passes;
  }, 10_000, 'both instances under the limit and agreeing');
  const [sa, sb] = await Promise.all([statusOf(a), statusOf(b)]);
  t.true(sa.retention.passes > 0);
  t.deepEqual(sa.retention, sb.retention);
  const total = batches.reduce((n, x) => n + x.length, 0);
  t.is(sa.events_captured + sa.retention.dropped_events, total);
  const races = await Promise.all([a, b].map(async (s) => (await getJson(s.base, '/api/races?limit=10000')).json.data.races));
  t.deepEqual(races[1], races[0]);
  const listed = await Promise.all([a, b].map(async (s) => (await getJson(s.base, '/api/traces?page_size=1000')).json.data.traces));
  t.deepEqual(listed[1], listed[0]);
  for (const tr of listed[0]) t.is(tr.event_count, perTrace.get(tr.trace_id), `trace ${tr.trace_id} whole`);
});
