import test from 'ava';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { get, post, bankingRace, startServer, tempDir } from './server-helpers.mjs';
import { testEachBackend, testEachDriver } from './sqlite-drivers.mjs';
import { databaseFor } from '../helpers/postgres.mjs';
import { openSqlite } from '../../dist/server/sqlite.js';

testEachBackend('ingests a valid batch with the upstream envelope and serves it back', async (t, driver) => {
  const { base } = await startServer(t, { driver });
  const { events, traces } = bankingRace();
  const r = await post(base, { events });
  t.is(r.status, 200);
  t.like(r.json, { success: true, data: `Ingested ${events.length} events`, error: null });
  const status = await get(base, '/status');
  t.is(status.json.data.events_captured, events.length);
  t.is(status.json.data.traces_active, 2);
  const list = await get(base, '/api/traces?page=1&page_size=1');
  t.like(list.json.data, { total_traces: 2, page: 1, page_size: 1, total_pages: 2 });
  t.is(list.json.data.traces.length, 1);
  t.true(traces.includes(list.json.data.traces[0].trace_id));
  t.deepEqual(list.json.data.traces[0].services, ['bank-api']);
  const health = await get(base, '/health');
  t.true(health.json.success);
});

testEachBackend('GET /api/traces/:id returns the events in order and the races of the trace', async (t, driver) => {
  const { base } = await startServer(t, { driver });
  const { events, traces } = bankingRace();
  await post(base, { events: [...events].reverse() });
  const r = await get(base, `/api/traces/${traces[0]}`);
  t.is(r.status, 200);
  const got = r.json.data.events;
  t.is(got.length, events.filter((e) => e.trace_id === traces[0]).length);
  t.deepEqual(got.map((e) => e.id), events.filter((e) => e.trace_id === traces[0]).map((e) => e.id));
  t.is(got[0].kind.HttpRequest.url, '/transfer');
  t.is(r.json.data.races.length, 1);
  t.is(r.json.data.races[0].kind, 'lost_update');
  t.is(r.json.data.analysis.race_details.length, 1);
  t.is((await get(base, '/api/traces/not-a-uuid')).status, 400);
  t.is((await get(base, '/api/traces/00000000-0000-4000-8000-000000000000')).status, 404);
});

test('GET /api/analyze/global has upstream\'s race_details plus ids, values and kind', async (t) => {
  const { base } = await startServer(t);
  const { events, traces } = bankingRace();
  await post(base, { events });
  const g = (await get(base, '/api/analyze/global')).json.data;
  t.like(g, { total_traces: 2, total_events: events.length, potential_races: 1 });
  const [d] = g.race_details;
  t.like(d, {
    severity: 'CRITICAL', variable: 'accounts.alice.balance', trace1_id: traces[0], trace2_id: traces[1],
    event1_location: 'src/bank.ts:12', event2_location: 'src/bank.ts:12', event1_value: 900, event2_value: 800, race_kind: 'lost_update',
  });
  for (const k of ['event1_thread', 'event2_thread', 'event1_timestamp', 'event2_timestamp', 'description', 'event1_id', 'event2_id']) t.is(typeof d[k], 'string', k);
  const races = (await get(base, '/api/races')).json.data;
  t.is(races.total_races, 1);
  t.is(races.races[0].accesses.length, 3);
});

test('malformed JSON and wrong shapes are 400 with a JSON error saying what is wrong', async (t) => {
  const { base } = await startServer(t);
  const bad = await post(base, '{"events": [');
  t.is(bad.status, 400);
  t.false(bad.json.success);
  t.regex(bad.json.error, /malformed JSON/);
  for (const body of ['[]', '{"event": []}', '{"events": {}}', 'null', '42']) {
    const r = await post(base, body);
    t.is(r.status, 400, body);
    t.regex(r.json.error, /"events" array/);
  }
  const allBad = await post(base, { events: [{}, { id: 'x' }] });
  t.is(allBad.status, 400);
  t.is(allBad.json.rejected.length, 2);
  t.is((await get(base, '/status')).json.data.events_captured, 0);
});

test('a partially invalid batch stores the valid events and says which were rejected and why', async (t) => {
  const { base } = await startServer(t);
  const { events } = bankingRace();
  const batch = events.slice(0, 3).map((e) => structuredClone(e));
  delete batch[1].metadata.thread_id;
  const r = await post(base, { events: batch });
  t.is(r.status, 206);
  t.like(r.json, { success: true, data: 'Ingested 2 events, 1 errors', error: null, rejected_count: 1 });
  t.is(r.json.rejected[0].index, 1);
  t.is(r.json.rejected[0].id, batch[1].id);
  t.true(r.json.rejected[0].errors.includes('missing field "metadata.thread_id"'));
  t.is((await get(base, '/status')).json.data.events_captured, 2);
});

for (const ingestWorkers of [0, 1]) {
  test(`a value nested too deep to store rejects its event, not the batch (${ingestWorkers ? 'ingest worker' : 'inline'})`, async (t) => {
    const { base } = await startServer(t, { ingestWorkers });
    const { events } = bankingRace();
    const change = events.findIndex((e) => e.kind.StateChange);
    const batch = [events[0], events[change], events.at(-1)].map((e) => structuredClone(e));
    // 100 000 levels in 200 kB of JSON: the parser takes it, serializing it again exhausts the stack.
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const text = JSON.stringify({ events: batch }).replace('"new_value":', `"new_value":${deep},"ignored":`);
    const r = await post(base, text);
    t.is(r.status, 206, r.text.slice(0, 300));
    t.is(r.json.rejected_count, 1);
    t.regex(r.json.rejected[0].errors[0], /nested too deeply/);
    t.is(r.json.rejected[0].index, 1);
    t.is((await get(base, '/status')).json.data.events_captured, 2);
    t.is((await get(base, '/health')).status, 200);
  });
}

test('bodies over the limit are 413 (default 8 MB and configured) and the server stays up', async (t) => {
  const { base } = await startServer(t);
  const big = JSON.stringify({ events: [], pad: 'x'.repeat(8 * 1024 * 1024) });
  const r = await post(base, big);
  t.is(r.status, 413);
  t.regex(r.json.error, /8388608-byte limit/);
  const small = await startServer(t, { maxBodyBytes: 1000 });
  const { events } = bankingRace();
  t.is((await post(small.base, { events })).status, 413);
  // Also when the size is only known after decompression.
  t.is((await post(small.base, gzipSync(JSON.stringify({ events })), { 'content-encoding': 'gzip' })).status, 413);
  t.is((await post(small.base, { events: [events[0]] })).status, 200);
  t.is((await get(base, '/health')).status, 200);
});

test('gzip bodies are accepted', async (t) => {
  const { base } = await startServer(t);
  const { events } = bankingRace();
  const r = await post(base, gzipSync(JSON.stringify({ events })), { 'content-encoding': 'gzip' });
  t.is(r.status, 200);
  t.is((await get(base, '/status')).json.data.events_captured, events.length);
  t.is((await post(base, 'not gzip', { 'content-encoding': 'gzip' })).status, 400);
});

test('with an API key, a missing or wrong key is 401; Bearer and x-raceway-key both work', async (t) => {
  const { base } = await startServer(t, { apiKey: 's3cret' });
  const { events } = bankingRace();
  const none = await post(base, { events });
  t.is(none.status, 401);
  t.false(none.json.success);
  t.is((await post(base, { events }, { authorization: 'Bearer wrong' })).status, 401);
  t.is((await post(base, { events }, { 'x-raceway-key': 's3cre' })).status, 401);
  t.is((await get(base, '/api/races')).status, 401);
  t.is((await post(base, { events: events.slice(0, 2) }, { authorization: 'Bearer s3cret' })).status, 200);
  t.is((await post(base, { events: events.slice(2) }, { 'x-raceway-key': 's3cret' })).status, 200);
  t.is((await get(base, '/status', { 'x-raceway-key': 's3cret' })).json.data.events_captured, events.length);
});

testEachBackend('duplicate event ids are ignored: a retried batch is not double counted', async (t, driver) => {
  const { base } = await startServer(t, { driver });
  const { events } = bankingRace();
  t.is((await post(base, { events })).status, 200);
  const again = await post(base, { events: [...events, events[0]] });
  t.is(again.status, 200);
  t.is(again.json.stored, 0);
  t.is(again.json.duplicates, events.length + 1);
  t.is((await get(base, '/status')).json.data.events_captured, events.length);
  const races = (await get(base, '/api/races')).json.data;
  t.is(races.total_races, 1);
  t.is(races.analyzed_accesses, 4);
});

testEachDriver('a restart keeps the stored events and the analysis', async (t, driver) => {
  const db = join(tempDir(t), 'nested', 'raceway.db');
  const first = await startServer(t, { db, driver });
  const { events, traces } = bankingRace();
  await post(first.base, { events: events.slice(0, 7) });
  await post(first.base, { events: events.slice(7) });
  await first.close();
  const second = await startServer(t, { db, driver });
  t.is((await get(second.base, '/status')).json.data.events_captured, events.length);
  const trace = (await get(second.base, `/api/traces/${traces[1]}`)).json.data;
  t.is(trace.events.length, events.filter((e) => e.trace_id === traces[1]).length);
  const races = (await get(second.base, '/api/races')).json.data.races;
  t.is(races.length, 1);
  t.is(races[0].second.new_value, 800);
  // New events after the restart are interned consistently with the old ones.
  t.is((await post(second.base, { events })).json.stored, 0);
}, { postgres: true });

testEachDriver('a damaged stored batch is left out at start-up and counted; the rest loads', async (t, driver) => {
  const db = join(tempDir(t), 'raceway.db');
  const first = await startServer(t, { db, driver });
  const { events, traces } = bankingRace();
  const firstTrace = events.filter((e) => e.trace_id === traces[0]);
  const rest = events.filter((e) => e.trace_id !== traces[0]);
  await post(first.base, { events: firstTrace });
  await post(first.base, { events: rest });
  await first.close();
  // Damage the first batch's index row and body, as a disk error or a copy cut short would.
  if (driver === 'postgres') {
    const pg = new (await import('pg')).default.Client({ connectionString: await databaseFor(db) });
    await pg.connect();
    await pg.query('UPDATE raceway_batches SET chunk = $1, body = $2 WHERE seq = (SELECT MIN(seq) FROM raceway_batches)', [Buffer.from('not a chunk'), Buffer.from('not a body')]);
    await pg.end();
  } else {
    const conn = openSqlite(db, driver);
    conn.prepare('UPDATE batches SET chunk = ?, body = ? WHERE seq = (SELECT MIN(seq) FROM batches)').run(Buffer.from('not a chunk'), Buffer.from('not a body'));
    conn.close();
  }
  const second = await startServer(t, { db, driver });
  const status = (await get(second.base, '/status')).json.data;
  t.is(status.damaged_batches, 1);
  t.is(status.events_captured, rest.length);
  t.is((await get(second.base, `/api/traces/${traces[1]}`)).json.data.events.length, rest.filter((e) => e.trace_id === traces[1]).length);
  t.is((await get(second.base, `/api/traces/${traces[0]}`)).status, 404, 'the damaged batch\'s trace is gone, not a 500');
}, { postgres: true });

testEachBackend('a retried batch says how many events it stored; trace ids are found whatever their case', async (t, driver) => {
  const { base } = await startServer(t, { driver });
  const { events } = bankingRace();
  const upper = events.map((e) => ({ ...e, trace_id: e.trace_id.toUpperCase() }));
  const first = await post(base, { events: upper });
  t.is(first.json.data, `Ingested ${events.length} events`);
  const again = await post(base, { events: upper.slice(0, 3) });
  t.is(again.json.data, 'Ingested 0 events (3 already stored)');
  t.is(again.json.stored, 0);
  const id = upper[0].trace_id;
  for (const asked of [id, id.toLowerCase()]) {
    const r = await get(base, `/api/traces/${asked}`);
    t.is(r.status, 200, asked);
    t.is(r.json.data.trace_id, id);
    t.is(r.json.data.events.length, upper.filter((e) => e.trace_id === id).length);
  }
});

test('an oversized body with a declared length gets its 413, not a reset, however the client sends it', async (t) => {
  const { base } = await startServer(t, { maxBodyBytes: 1000 });
  const http = await import('node:http');
  const { port } = new URL(base);
  const body = Buffer.alloc(4 * 1024 * 1024, 'x');
  const one = (waitForContinue) => new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/events', method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': body.length, expect: '100-continue' } });
    if (waitForContinue) req.on('continue', () => req.end(body));
    else req.end(body); // writes at once, and keeps writing while the answer comes
    req.on('response', (res) => { res.resume(); res.on('end', () => resolve(res.statusCode)); });
    req.on('error', (err) => resolve(err.code));
  });
  const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => one(i % 2 === 0)));
  t.deepEqual(outcomes, Array(20).fill(413));
});

test('GET /api/races pages: limit (default 1000, at most 10000) and offset, total_races counts all', async (t) => {
  const { base } = await startServer(t);
  // Twelve independent lost updates: one per variable.
  const all = [];
  for (let i = 0; i < 12; i++) {
    const { events } = bankingRace();
    all.push(...events.map((e) => (e.kind.StateChange ? { ...e, kind: { StateChange: { ...e.kind.StateChange, variable: `acct${i}.balance` } } } : e)));
  }
  t.is((await post(base, { events: all })).status, 200);
  const full = (await get(base, '/api/races')).json.data;
  t.is(full.total_races, 12);
  t.is(full.races.length, 12);
  t.like(full, { offset: 0, limit: 1000 });
  const page = (await get(base, '/api/races?limit=5&offset=10')).json.data;
  t.is(page.total_races, 12);
  t.deepEqual(page.races.map((r) => r.id), full.races.slice(10, 15).map((r) => r.id));
  t.is((await get(base, '/api/races?limit=99999')).json.data.limit, 10000);
});

test('unknown routes and methods answer JSON errors', async (t) => {
  const { base } = await startServer(t);
  t.is((await get(base, '/api/nope')).status, 404);
  const r = await fetch(`${base}/events`);
  t.is(r.status, 405);
  t.false((await r.json()).success);
});

testEachDriver('a failed database write answers 500, stores nothing, and the retry is stored in full', async (t, driver) => {
  const { base, store } = await startServer(t, { driver });
  const { events } = bankingRace();
  let failures = 1;
  if (driver === 'postgres') {
    // The write's transaction fails inside the database (see the fault tests for a database that goes away).
    const write = store.pg.write.bind(store.pg);
    store.pg.write = (batches) => (failures-- > 0 ? Promise.reject(new Error('disk I/O error')) : write(batches));
  } else {
    const insert = store.stmt.insertBatch;
    store.stmt.insertBatch = { run: (...args) => { if (failures-- > 0) throw new Error('disk I/O error'); return insert.run(...args); } };
  }
  const r = await post(base, { events });
  t.is(r.status, 500);
  t.false(r.json.success);
  t.regex(r.json.error, /disk I\/O error/);
  t.is((await get(base, '/status')).json.data.events_captured, 0);
  t.is((await get(base, '/api/races')).json.data.total_races, 0);
  const retry = await post(base, { events });
  t.is(retry.status, 200);
  t.is(retry.json.stored, events.length);
  t.is((await get(base, '/api/races')).json.data.total_races, 1);
}, { postgres: true });

test('ingest through the worker thread and inline give the same answers', async (t) => {
  const inline = await startServer(t, { ingestWorkers: 0 });
  const worker = await startServer(t, { ingestWorkers: 2 });
  const { events } = bankingRace();
  const broken = structuredClone(events[3]);
  broken.timestamp = 'yesterday';
  const bodies = [
    { events: events.slice(0, 5) },
    { events: [...events.slice(5, 9), broken] },
    { events: events.slice(3, 12) }, // partly duplicates
    '{"events": [}',
    { events: [broken] },
    { events },
  ];
  for (const body of bodies) {
    const [a, b] = await Promise.all([post(inline.base, body), post(worker.base, body)]);
    t.is(a.status, b.status, JSON.stringify(body).slice(0, 80));
    t.deepEqual(a.json, b.json);
  }
  const [ra, rb] = await Promise.all([get(inline.base, '/api/races'), get(worker.base, '/api/races')]);
  t.is(ra.json.data.total_races, 1);
  t.deepEqual(ra.json.data.races, rb.json.data.races);
  t.is((await get(worker.base, '/status')).json.data.events_captured, events.length);
});

test('a dead ingest worker costs nothing: requests fall back inline and a new worker takes over', async (t) => {
  const { base, srv } = await startServer(t, { ingestWorkers: 1 });
  const { events } = bankingRace();
  const [dead] = srv.ingestPool.threads;
  const exited = new Promise((resolve) => dead.once('exit', resolve));
  const inFlight = post(base, { events: events.slice(0, 7) });
  await dead.terminate();
  await exited;
  t.is((await inFlight).status, 200);
  t.not(srv.ingestPool.threads[0], dead);
  t.is((await post(base, { events: events.slice(7) })).status, 200);
  t.is((await get(base, '/status')).json.data.events_captured, events.length);
  t.is((await get(base, '/api/races')).json.data.total_races, 1);
});
