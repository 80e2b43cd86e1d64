// Retention on both backends: past --max-events the oldest traces are dropped whole (the index
// and the id set shrink with them, /status counts them), --retain drops traces whose last event
// is older than the limit, and what is left survives a restart.
import test from 'ava';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Sim } from './helpers.mjs';
import { get, post, startServer, tempDir } from './server-helpers.mjs';
import { testEachBackend } from './sqlite-drivers.mjs';
import { parseDuration, tracesToDrop } from '../../dist/server/retention.js';

const DAY = 86_400_000;

/** `n` traces of `per` events each, their events interleaved over batches of `batch` (a batch holds several traces, a trace spans batches). */
function traffic({ n, per, batch, start }) {
  const sim = new Sim({ start });
  const tasks = Array.from({ length: n }, () => sim.root(randomUUID()));
  for (let i = 0; i < per; i++) for (const [k, task] of tasks.entries()) task.write(`v${k % 5}`, i, i + 1, `src/t.ts:${i + 1}`);
  const batches = [];
  for (let i = 0; i < sim.events.length; i += batch) batches.push(sim.events.slice(i, i + batch));
  return { events: sim.events, batches, traces: tasks.map((t) => t.trace) };
}

async function until(check, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms`);
    await sleep(20);
  }
}

test('--retain durations and the choice of traces: older than the limit, then the least recent past the count', (t) => {
  t.is(parseDuration('7d'), 7 * DAY);
  t.is(parseDuration('90s'), 90_000);
  t.is(parseDuration('2w'), 14 * DAY);
  t.is(parseDuration('7'), null);
  t.is(parseDuration('-1d'), null);
  const now = Date.UTC(2026, 5, 1);
  const tr = (id, lastMs, count) => ({ trace_id: id, count, first: lastMs * 1000 - 10, last: lastMs * 1000, services: ['s'] });
  const traces = [tr('a', now - 9 * DAY, 10), tr('b', now - 2 * DAY, 10), tr('c', now - DAY, 10), tr('d', now, 10)];
  t.deepEqual([...tracesToDrop(traces, 40, { retainMs: 7 * DAY }, now)], ['a']);
  // 40 events, at most 25: down to 22 (90%), the least recent first.
  t.deepEqual([...tracesToDrop(traces, 40, { maxEvents: 25 }, now)].sort(), ['a', 'b']);
  t.deepEqual([...tracesToDrop(traces, 40, { maxEvents: 40 }, now)], []);
});

testEachBackend('past --max-events the oldest traces are dropped whole; index, id set and /status follow; a restart keeps it', async (t, driver) => {
  const db = join(tempDir(t), 'raceway.db');
  const maxEvents = 300;
  const srv = await startServer(t, { db, driver, retention: { maxEvents } });
  const sent = [];
  let highest = 0;
  // Waves of 10 traces of 12 events, each wave later than the one before.
  for (let wave = 0; wave < 8; wave++) {
    const w = traffic({ n: 10, per: 12, batch: 25, start: (Date.now() - DAY + wave * 60_000) * 1000 });
    for (const events of w.batches) {
      const r = await post(srv.base, { events });
      t.is(r.status, 200);
    }
    sent.push(w);
    await sleep(50);
    highest = Math.max(highest, srv.store.events);
  }
  await until(async () => (await get(srv.base, '/status')).json.data.events_captured <= maxEvents);
  const status = (await get(srv.base, '/status')).json.data;
  const total = sent.reduce((n, w) => n + w.events.length, 0);
  t.is(status.events_captured + status.retention.dropped_events, total, 'every event is stored or counted as dropped');
  t.true(status.retention.passes > 0);
  t.is(status.retention.max_events, maxEvents);
  t.true(status.events_captured >= maxEvents * 0.9 - 12, 'dropped down to the low-water mark, not further');
  t.is(srv.store.index.traceCount, status.traces_active);
  // The newest wave is kept whole; the oldest is gone whole.
  for (const trace of sent.at(-1).traces) t.is((await get(srv.base, `/api/traces/${trace}`)).json.data.total_events, 12);
  for (const trace of sent[0].traces) t.is((await get(srv.base, `/api/traces/${trace}`)).status, 404);
  // Every trace still listed is whole (no trace is kept in part).
  const listed = (await get(srv.base, '/api/traces?page_size=1000')).json.data.traces;
  t.is(listed.length, status.traces_active);
  for (const tr of listed) t.is(tr.event_count, 12, `trace ${tr.trace_id} whole`);
  t.is(srv.store.index.accessCount, status.events_captured, 'the index holds only what is kept');
  // A dropped event sent again is stored again (its id left the duplicate set).
  const again = await post(srv.base, { events: sent[0].batches[0] });
  t.true(again.json.stored > 0);
  await srv.close();
  const second = await startServer(t, { db, driver, retention: { maxEvents } });
  const after = (await get(second.base, '/status')).json.data;
  t.true(after.events_captured <= maxEvents);
  t.is(after.retention.passes >= status.retention.passes, true);
});

testEachBackend('--retain drops traces whose last event is older than the limit', async (t, driver) => {
  const old = traffic({ n: 4, per: 6, batch: 10, start: (Date.now() - 30 * DAY) * 1000 });
  const recent = traffic({ n: 4, per: 6, batch: 10, start: (Date.now() - 60_000) * 1000 });
  const db = join(tempDir(t), 'raceway.db');
  const first = await startServer(t, { db, driver });
  for (const events of [...old.batches, ...recent.batches]) t.is((await post(first.base, { events })).status, 200);
  await first.close();
  const srv = await startServer(t, { db, driver, retention: { retainMs: 7 * DAY } });
  await until(async () => (await get(srv.base, '/status')).json.data.events_captured === recent.events.length);
  const status = (await get(srv.base, '/status')).json.data;
  t.is(status.retention.dropped_traces, 4);
  t.is(status.retention.dropped_events, old.events.length);
  t.is(status.retention.retain_seconds, 7 * 86_400);
  for (const trace of old.traces) t.is((await get(srv.base, `/api/traces/${trace}`)).status, 404);
  for (const trace of recent.traces) t.is((await get(srv.base, `/api/traces/${trace}`)).json.data.total_events, 6);
});
