// Several `raceway serve` instances on one PostgreSQL database: traffic sent half to each is
// answered the same by both (races, global analysis, traces) once each has caught up, within the
// stated delay; a batch retried on the other instance is stored once.
import test from 'ava';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { workload } from '../../bench/server/workload.mjs';
import { getJson, postEvents, serve, storedCount } from '../faults/_serve.mjs';
import { databaseFor, NO_POSTGRES, postgresTestable } from '../helpers/postgres.mjs';
import { bankingRace } from './server-helpers.mjs';
import { buildDemo, root } from '../demo/_stack.mjs';

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

register("the Koa demo's own traffic, its batches sent half to each instance: the same races on both", async (t) => {
  // The compiled demo ships to a forwarder that hands its POST /events batches to the two
  // instances in turn (what a load balancer in front of them would do); reads go to the first.
  buildDemo();
  const db = await databaseFor();
  const [a, b] = await Promise.all([serve(t, { db }), serve(t, { db })]);
  let turn = 0;
  let acknowledged = 0;
  const forwarder = createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const ingest = req.method === 'POST' && req.url.startsWith('/events');
    const target = ingest ? [a, b][turn++ % 2] : a;
    const headers = {};
    for (const h of ['content-type', 'content-encoding', 'authorization', 'x-api-key']) if (req.headers[h]) headers[h] = req.headers[h];
    try {
      const r = await fetch(target.base + req.url, { method: req.method, headers, body: chunks.length > 0 ? Buffer.concat(chunks) : undefined });
      const answer = Buffer.from(await r.arrayBuffer());
      if (ingest) try { acknowledged += JSON.parse(answer.toString()).stored ?? 0; } catch { /* not JSON */ }
      res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/json' });
      res.end(answer);
    } catch (err) {
      res.writeHead(502).end(String(err));
    }
  });
  await new Promise((r) => forwarder.listen(0, '127.0.0.1', r));
  t.teardown(() => forwarder.close());
  const demo = spawn(process.execPath, ['examples/koa-banking/dist/server.js'], {
    cwd: root,
    env: { ...process.env, PORT: '0', RACEWAY_ENDPOINT: `http://127.0.0.1:${forwarder.address().port}` },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  t.teardown(() => demo.kill('SIGKILL'));
  const base = await new Promise((resolve, reject) => {
    let out = '';
    demo.stdout.on('data', (d) => {
      out += d;
      const port = /listening on http:\/\/[^:]+:(\d+)/.exec(out)?.[1];
      if (port) resolve(`http://127.0.0.1:${port}`);
    });
    demo.once('exit', (code) => reject(new Error(`demo exited with ${code}: ${out}`)));
  });
  const post = (path, body) => fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const flush = () => fetch(base + '/raceway/races').then((r) => r.json());
  // The demo's scenario: a sequential deposit and transfer, two concurrent transfers (the lost
  // update), two concurrent locked transfers; each step's events delivered before the next.
  await post('/reset', {});
  await post('/deposit', { account: 'alice', amount: 100 });
  await post('/transfer', { from: 'alice', to: 'bob', amount: 50 });
  await flush();
  // The two transfers overlap by a 30–40 ms wait: on a loaded machine the second may arrive after
  // the first ended (no lost update, nothing to report); the scenario is then run again.
  let alice;
  for (let attempt = 0; attempt < 5 && alice !== 800; attempt++) {
    await post('/reset', {});
    await Promise.all([post('/transfer', { from: 'alice', to: 'bob', amount: 100 }), post('/transfer', { from: 'alice', to: 'charlie', amount: 200 })]);
    alice = (await (await fetch(base + '/balances')).json()).alice;
  }
  t.is(alice, 800, 'the lost update happened');
  const seen = await flush();
  await Promise.all([post('/transfer-safe', { from: 'alice', to: 'bob', amount: 100 }), post('/transfer-safe', { from: 'alice', to: 'charlie', amount: 200 })]);
  await flush();
  t.true(turn >= 2, `the demo's batches went to both instances (${turn} batches)`);
  t.true(acknowledged > 0);
  await until(async () => (await storedCount(b.base)) === acknowledged && (await storedCount(a.base)) === acknowledged, CATCH_UP_MS, 'both instances count every acknowledged event');
  const races = await Promise.all([a, b].map(async (s) => (await getJson(s.base, '/api/races')).json.data.races));
  t.deepEqual(races[1], races[0]);
  t.is(races[0].length, 1, `${turn} batches, ${acknowledged} events; the demo saw ${JSON.stringify(seen).slice(0, 300)}`);
  t.regex(JSON.stringify(races[0][0]), /accounts\.alice\.balance/, 'the lost update on Alice\'s balance');
});
