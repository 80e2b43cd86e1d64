// Bounded reads: trace, races and timeline answers come in pages that together give everything,
// and a long analysis or a large trace never keeps /health from answering meanwhile.
import test from 'ava';
import { get, post, bankingRace, startServer } from './server-helpers.mjs';
import { Sim } from './helpers.mjs';
import { causalOrder } from '../../dist/server/analyzer/index.js';
import { MAX_PAGE_BATCHES, MAX_TRACE_PAGE } from '../../dist/server/trace-pages.js';

/**
 * One trace: `tasks` tasks of a request, each reading a variable, awaiting and writing it
 * `perTask` times (tasks that share a variable lose updates).
 */
function bigTrace(tasks, perTask, variables = tasks) {
  const sim = new Sim();
  const req = sim.request('POST', '/batch');
  const kids = Array.from({ length: tasks }, (_, i) => req.spawn(`job${i}`));
  for (let k = 0; k < perTask; k++) {
    kids.forEach((h, i) => {
      h.read(`state.v${i % variables}`, k, `src/job.ts:${i}`);
      h.await();
    });
    kids.forEach((h, i) => h.write(`state.v${i % variables}`, k, k * 100 + i, `src/job.ts:${i}`));
  }
  for (const h of kids) req.join(h);
  req.respond();
  return { events: sim.events, trace: req.trace };
}

async function sendInBatches(base, events, size = 1000) {
  for (let i = 0; i < events.length; i += size) {
    const r = await post(base, { events: events.slice(i, i + size) });
    if (r.status !== 200) throw new Error(`ingest answered ${r.status}`);
  }
}

async function allPages(base, path, member, limit) {
  const out = [];
  let offset = 0;
  let pages = 0;
  for (;;) {
    const sep = path.includes('?') ? '&' : '?';
    const r = await get(base, `${path}${sep}limit=${limit}&offset=${offset}`);
    const d = r.json.data;
    out.push(...d[member]);
    pages++;
    if (d.next_offset === null) return { items: out, pages, last: d };
    offset = d.next_offset;
  }
}

for (const traceWorker of [true, false]) {
  test(`a trace's events come in pages that together are the trace in causal order (${traceWorker ? 'worker' : 'inline'})`, async (t) => {
    const { base } = await startServer(t, { traceWorker });
    const { events, trace } = bigTrace(12, 80);
    // Batches out of order: the pages still follow the causal order of the whole trace.
    await sendInBatches(base, [...events].reverse(), 700);
    const expected = causalOrder(events).map((e) => e.id);

    const first = (await get(base, `/api/traces/${trace}`)).json.data;
    t.is(first.total_events, events.length);
    t.is(first.events.length, 1000, 'the default page');
    t.is(first.next_offset, 1000);
    t.deepEqual(first.events.map((e) => e.id), expected.slice(0, 1000));

    const { items, pages } = await allPages(base, `/api/traces/${trace}`, 'events', 333);
    t.is(pages, Math.ceil(events.length / 333));
    t.deepEqual(items.map((e) => e.id), expected);
    t.deepEqual(items[5], events.find((e) => e.id === expected[5]), 'events served whole');

    const past = (await get(base, `/api/traces/${trace}?offset=${events.length + 10}`)).json.data;
    t.deepEqual(past.events, []);
    t.is(past.next_offset, null);
    const huge = (await get(base, `/api/traces/${trace}?limit=99999999`)).json.data;
    t.is(huge.limit, MAX_TRACE_PAGE);
  });
}

test('a small trace answers as before: every event, its races, next_offset null', async (t) => {
  const { base } = await startServer(t);
  const { events, traces } = bankingRace();
  await post(base, { events });
  const d = (await get(base, `/api/traces/${traces[0]}`)).json.data;
  t.is(d.events.length, events.filter((e) => e.trace_id === traces[0]).length);
  t.is(d.next_offset, null);
  t.is(d.races.length, 1);
  t.is(d.total_races, 1);
});

test('a page of large events stops at the byte limit; the next page goes on from there', async (t) => {
  const { base } = await startServer(t, { maxBodyBytes: 4 * 1024 * 1024 });
  const sim = new Sim();
  const root = sim.root();
  const blob = 'z'.repeat(1024 * 1024);
  for (let i = 0; i < 12; i++) root.write('blob.store', null, `${i}${blob}`, 'src/blob.ts:1');
  for (const e of sim.events) await post(base, { events: [e] });
  const first = (await get(base, `/api/traces/${root.trace}`)).json.data;
  t.true(first.events.length >= 1 && first.events.length < 12, `${first.events.length} events in the first page`);
  t.is(first.next_offset, first.events.length);
  const { items } = await allPages(base, `/api/traces/${root.trace}`, 'events', 1000);
  t.deepEqual(items.map((e) => e.id), sim.events.map((e) => e.id));
});

test('races and a variable\'s timeline come in pages too', async (t) => {
  const { base } = await startServer(t);
  const { events } = bigTrace(40, 6, 20);
  await sendInBatches(base, events);
  const all = (await get(base, '/api/races?limit=10000')).json.data;
  t.true(all.total_races > 5);
  t.is(all.next_offset, null);
  const { items, pages } = await allPages(base, '/api/races', 'races', 2);
  t.is(pages, Math.ceil(all.total_races / 2));
  t.deepEqual(items.map((r) => r.id), all.races.map((r) => r.id));

  const timeline = await allPages(base, '/api/timeline?variable=state.v1', 'accesses', 25);
  t.is(timeline.items.length, timeline.last.total_accesses);
  t.is(timeline.items.length, events.filter((e) => e.kind.StateChange?.variable === 'state.v1').length);
  const times = timeline.items.map((a) => a.timestamp);
  t.deepEqual(times, [...times].sort());
});

/** Which of two requests answers first. */
async function firstToAnswer(slow, fast) {
  const order = [];
  await Promise.all([slow().then(() => order.push('slow')), fast().then(() => order.push('fast'))]);
  return order[0];
}

test('/health answers while a long analysis is in progress', async (t) => {
  const { base, store } = await startServer(t);
  // Many variables with accesses to compare: an analysis of several slices.
  const { events } = bigTrace(2000, 3, 1000);
  store.ingest(events);
  const started = performance.now();
  const first = await firstToAnswer(() => get(base, '/api/races?limit=1'), () => get(base, '/health'));
  t.log(`analysis took ${Math.round(performance.now() - started)} ms`);
  t.is(first, 'fast');
  t.true((await get(base, '/api/races?limit=1')).json.data.total_races > 0);
});

test('/health answers while a large trace is being read', async (t) => {
  const { base, store } = await startServer(t);
  const { events, trace } = bigTrace(100, 80);
  for (let i = 0; i < events.length; i += 2000) store.ingest(events.slice(i, i + 2000));
  await get(base, '/api/races?limit=1'); // the analysis done, only the trace read is left
  const first = await firstToAnswer(() => get(base, `/api/traces/${trace}?offset=20000&limit=10`), () => get(base, '/health'));
  t.is(first, 'fast');
});

test('the trace list pages most recent first, ties by id, every trace once', async (t) => {
  const { base, store } = await startServer(t);
  // 300 traces; their last events share timestamps in groups of three (ties broken by id).
  const events = [];
  for (let i = 0; i < 300; i++) {
    const sim = new Sim({ start: Date.UTC(2026, 0, 1) * 1000 + Math.floor(i / 3) * 1000 + (i % 7) * 100_000 });
    sim.root().read('x', i);
    events.push(...sim.events);
  }
  store.ingest(events);
  const expected = [...new Set(events.map((e) => e.trace_id))]
    .map((id) => ({ id, last: Math.max(...events.filter((e) => e.trace_id === id).map((e) => Date.parse(e.timestamp))) }))
    .sort((a, b) => b.last - a.last || (a.id < b.id ? -1 : 1)).map((x) => x.id);
  const got = [];
  for (let page = 1; ; page++) {
    const d = (await get(base, `/api/traces?page=${page}&page_size=41`)).json.data;
    got.push(...d.traces.map((x) => x.trace_id));
    if (page >= d.total_pages) break;
  }
  t.deepEqual(got, expected);
  t.deepEqual((await get(base, '/api/traces?page=99&page_size=41')).json.data.traces, []);
});

test('a page reads at most MAX_PAGE_BATCHES stored batches; the next page goes on from there', async (t) => {
  const { base, store } = await startServer(t);
  const sim = new Sim();
  const root = sim.root();
  for (let i = 0; i < MAX_PAGE_BATCHES + 44; i++) root.read('spread.x', i);
  for (const e of sim.events) store.ingest([e]); // one batch per event
  const first = (await get(base, `/api/traces/${root.trace}`)).json.data;
  t.is(first.events.length, MAX_PAGE_BATCHES);
  t.is(first.next_offset, MAX_PAGE_BATCHES);
  const { items } = await allPages(base, `/api/traces/${root.trace}`, 'events', 1000);
  t.deepEqual(items.map((e) => e.id), sim.events.map((e) => e.id));
});

test('a trace whose order worker stops gets a 503, and the next request a new worker', async (t) => {
  const { base, store, srv } = await startServer(t);
  const { events, trace } = bigTrace(40, 40);
  for (let i = 0; i < events.length; i += 40) store.ingest(events.slice(i, i + 40)); // many batches: many parts
  const asked = get(base, `/api/traces/${trace}?limit=5`);
  // The worker is made for the request; stop it while the batches are being handed over.
  while (!srv.tracePages.worker) await new Promise((resolve) => setImmediate(resolve));
  await srv.tracePages.worker.terminate();
  const r = await asked;
  t.is(r.status, 503);
  t.regex(r.json.error, /trace reader stopped/);
  const again = await get(base, `/api/traces/${trace}?limit=5`);
  t.is(again.status, 200);
  t.is(again.json.data.total_events, events.length);
});
