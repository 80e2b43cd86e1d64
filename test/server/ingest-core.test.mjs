// The ingest fast paths against their slow references: the specialised validator against
// protocol/schema.ts, the piecewise body parse against JSON.parse, the id table against a Set, the
// compact index chunk (and the older chunk format still read at start-up) against ingesting events.
import test from 'ava';
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import zlib from 'node:zlib';
import { validateEvent } from '../../dist/protocol/schema.js';
import { micros } from '../../dist/server/analyzer/index.js';
import { fastValid } from '../../dist/server/fast-validate.js';
import { IdSet, idString, idWords } from '../../dist/server/id-set.js';
import { BodyError, parseBody, parseFramedEvents, prepareBatch } from '../../dist/server/ingest-core.js';
import { chunkOf, decodeChunk, encodeChunk } from '../../dist/server/live-index.js';
import { Store } from '../../dist/server/store.js';
import { workload } from '../../bench/server/workload.mjs';
import { bankingRace } from './server-helpers.mjs';
import { testEachDriver } from './sqlite-drivers.mjs';
import { databaseFor, sqlOn } from '../helpers/postgres.mjs';

/**
 * A store on a new database of `driver`'s backend, with what the group-write tests do to it from
 * the side: make inserts fail (SQLite and PostgreSQL triggers), count the stored rows.
 */
async function groupStore(t, driver) {
  if (driver === 'postgres') {
    const url = await databaseFor();
    const store = await Store.open(url, {}, { pollMs: 60_000 });
    t.teardown(() => store.close());
    const fail = (name, when) => sqlOn(url, `CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF ${when} THEN RAISE EXCEPTION 'disk says no'; END IF; RETURN NEW; END $$;
      CREATE TRIGGER ${name} BEFORE INSERT ON raceway_batches FOR EACH ROW EXECUTE FUNCTION ${name}()`);
    return {
      store,
      failSecond: () => fail('fail_second', '(SELECT count(*) FROM raceway_batches) >= 2'),
      repair: () => sqlOn(url, 'DROP TRIGGER IF EXISTS fail_second ON raceway_batches; DROP TRIGGER IF EXISTS fail_once ON raceway_batches'),
      // A sequence is not rolled back with the failed write: the trigger fails exactly once.
      failOnce: () => sqlOn(url, 'CREATE SEQUENCE fail_budget').then(() => fail('fail_once', "nextval('fail_budget') = 1")),
      rows: async () => Number((await sqlOn(url, 'SELECT count(*) AS n FROM raceway_batches'))[0].n),
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'raceway-group-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const store = new Store(join(dir, 'raceway.db'), {}, { driver });
  t.teardown(() => store.close());
  return {
    store,
    failSecond: async () => store.db.exec(`CREATE TRIGGER fail_second BEFORE INSERT ON batches WHEN (SELECT count(*) FROM batches) >= 2
      BEGIN SELECT RAISE(ABORT, 'disk says no'); END`),
    repair: async () => store.db.exec('DROP TRIGGER IF EXISTS fail_second; DROP TRIGGER IF EXISTS fail_once'),
    failOnce: async () => store.db.exec(`CREATE TRIGGER fail_once BEFORE INSERT ON batches BEGIN SELECT RAISE(ABORT, 'disk says no'); END`),
    rows: async () => store.db.prepare('SELECT count(*) AS n FROM batches').get().n,
  };
}

const meta = { thread_id: 't1', process_id: 1, service_name: 's', environment: 'e', tags: { a: 'b' }, duration_ns: null };
const base = (kind) => ({
  id: randomUUID(), trace_id: randomUUID(), parent_id: null, timestamp: '2026-01-01T00:00:00.000123Z', kind, metadata: { ...meta },
  causality_vector: [['t1', 3]], lock_set: [],
});
const everyKind = [
  { StateChange: { variable: 'v', old_value: null, new_value: 1, location: 'a.ts:1', access_type: 'Write' } },
  { FunctionCall: { function_name: 'f', module: 'm', args: [1], file: 'a.ts', line: 3 } },
  { AsyncSpawn: { task_id: randomUUID(), spawned_by: 'x' } },
  { AsyncAwait: { future_id: randomUUID(), awaited_at: 'a.ts:2' } },
  { LockAcquire: { lock_id: 'l', lock_type: 'Mutex', location: 'a.ts:4' } },
  { LockRelease: { lock_id: 'l', lock_type: 'Mutex', location: 'a.ts:5' } },
  { MemoryFence: { ordering: 'SeqCst', location: 'a.ts:6' } },
  { HttpRequest: { method: 'GET', url: '/', headers: { h: 'v' }, body: null } },
  { HttpResponse: { status: 200, headers: {}, body: { ok: true }, duration_ms: 4 } },
  { DatabaseQuery: { query: 'q', database: 'd', duration_ms: 1 } },
  { DatabaseResult: { rows_affected: 2 } },
  { Error: { error_type: 'E', message: 'm', stack_trace: ['a'] } },
  { Custom: { name: 'n', data: { x: 1 } } },
];
const samples = [
  ...everyKind.map(base),
  ...workload({ stateChanges: 20, batch: 1000 }).next().value,
  ...bankingRace().events,
  { ...base(everyKind[0]), timestamp: '2026-01-01T00:00:00.5+02:00', parent_id: randomUUID().toUpperCase(), metadata: { ...meta, instance_id: 'i', upstream_span_id: null } },
];

/** Random edits of an event: drop, retype or replace fields at any depth. */
function mutate(event, muts) {
  const e = structuredClone(event);
  for (const m of muts) {
    // Values are copied: fast-check hands out shared instances, and later edits must not touch them.
    const value = structuredClone(m.value);
    const paths = [];
    const walk = (o, path) => {
      if (o && typeof o === 'object') for (const k of Object.keys(o)) { paths.push([...path, k]); walk(o[k], [...path, k]); }
    };
    walk(e, []);
    if (!paths.length) break;
    const path = paths[m.path % paths.length];
    let parent = e;
    for (const k of path.slice(0, -1)) parent = parent[k];
    const last = path[path.length - 1];
    if (m.op === 0) delete parent[last];
    else if (m.op === 1) parent[last] = value;
    // An own property, as JSON.parse makes it (an assignment to "__proto__" would set the prototype).
    else if (parent && typeof parent === 'object') Object.defineProperty(parent, m.key, { value, enumerable: true, writable: true, configurable: true });
  }
  // What the server sees: the event as JSON.parse builds it.
  return JSON.parse(JSON.stringify(e));
}

const ts = new Float64Array(1);

test('the fast validator accepts only what validateEvent accepts, with the same timestamp', (t) => {
  for (const e of samples) {
    t.deepEqual(validateEvent(e), []);
    if (fastValid(e, ts, 0)) t.is(ts[0], micros(e.timestamp));
  }
  // Every shape the runtime sends takes the fast path.
  for (const e of [...everyKind.slice(0, 6), ...everyKind.slice(7, 9), everyKind[11], everyKind[12]].map(base)) t.true(fastValid(e, ts, 0), JSON.stringify(e.kind));
  const mut = fc.record({ path: fc.nat(), op: fc.nat(2), key: fc.constantFrom('x', 'id', '__proto__', 'constructor', 'toString', 'thread_id', 'tags', 'body'), value: fc.jsonValue({ maxDepth: 2 }) });
  const odd = fc.constantFrom('', '2026-01-01T00:00:00Z', '2026-02-30T00:00:00.000000Z', '2026-01-01T24:00:00.000000Z', '2026-01-01t00:00:00.000000Z',
    '2026-01-01T00:00:00.000000+00:00', '2026-01-01T00:00:00.0000000Z', 'ABCDEF01-2345-6789-abcd-ef0123456789', 'abcdef01-2345-6789-abcd-ef012345678g',
    'abcdef0123456789-abcd-ef0123456789', -1, 1.5, 2 ** 32, 2 ** 53, 65536, 'Read', 'Write', 'read', 'SeqCst', [], {}, [['a', 1]], [['a', -1]], [['a']], ['x'], [1], null);
  fc.assert(fc.property(fc.nat(samples.length - 1), fc.array(fc.oneof(mut, mut.chain((m) => odd.map((value) => ({ ...m, value })))), { minLength: 1, maxLength: 4 }), (i, muts) => {
    const e = mutate(samples[i], muts);
    if (fastValid(e, ts, 0)) {
      if (validateEvent(e).length !== 0) throw new Error(`fast path accepted an invalid event: ${JSON.stringify(e)}`);
      if (ts[0] !== micros(e.timestamp)) throw new Error(`timestamp ${e.timestamp}: ${ts[0]} != ${micros(e.timestamp)}`);
    }
  }), { numRuns: 20000 });
  for (const v of [null, 1, 'x', [], [samples[0]]]) t.false(fastValid(v, ts, 0));
});

const bigBody = (events) => Buffer.from(JSON.stringify({ events }));
const runtimeEvents = [...workload({ stateChanges: 400, batch: 100000 })][0];

test('bodies in the runtime framing are parsed in pieces, exactly as JSON.parse parses them whole', (t) => {
  const body = bigBody(runtimeEvents);
  t.true(body.length > 200_000);
  t.deepEqual(parseFramedEvents(body, true), JSON.parse(body.toString()).events);
  // Non-ASCII text, a boundary-like sequence inside a string and inside a nested value.
  const tricky = runtimeEvents.map((e, i) => (i % 97 === 5 ? { ...e, kind: { Custom: { name: 'ünï ]},{"id":"', data: [{ a: [] }, { id: 'x' }] } } } : e));
  const tb = bigBody(tricky);
  const got = parseFramedEvents(tb, false);
  if (got !== null) t.deepEqual(got, tricky);
  t.deepEqual(parseBody(tb).valid, tricky);
  // Malformed in one place: never accepted, and the whole-body parse's error is the answer.
  const text = body.toString();
  const at = text.indexOf('},{"id":"', 150_000) + 1;
  for (const bad of [text.slice(0, at) + ',' + text.slice(at), text.slice(0, at) + ', ,' + text.slice(at + 1), text.slice(0, -2) + ',]}',
    text.slice(0, at) + text.slice(at + 1), text.slice(0, 120_000) + '\u0001' + text.slice(120_001)]) {
    const b = Buffer.from(bad);
    t.is(parseFramedEvents(b, false), null);
    const err = t.throws(() => parseBody(b), { instanceOf: BodyError });
    t.is(err.status, 400);
    t.regex(err.message, /malformed JSON/);
  }
  // Other framings take the whole-body path.
  t.is(parseFramedEvents(Buffer.from(` ${text}`), true), null);
  t.deepEqual(parseBody(Buffer.from(` ${text}`)).valid.length, runtimeEvents.length);
});

test('the id table behaves like a Set of strings (upper-case ids stay distinct)', (t) => {
  const ids = new IdSet();
  const model = new Set();
  const pool = Array.from({ length: 3000 }, (_, i) => (i % 10 === 0 ? randomUUID().toUpperCase() : randomUUID()));
  fc.assert(fc.property(fc.array(fc.record({ op: fc.nat(2), i: fc.nat(pool.length - 1) }), { maxLength: 400 }), (ops) => {
    for (const { op, i } of ops) {
      const id = pool[i];
      if (op === 0) { if (ids.add(id) !== !model.has(id)) throw new Error('add'); model.add(id); }
      else if (op === 1) { ids.delete(id); model.delete(id); }
      else if (ids.has(id) !== model.has(id)) throw new Error('has');
    }
    if (ids.size !== model.size) throw new Error(`size ${ids.size} != ${model.size}`);
  }), { numRuns: 200 });
  for (const id of pool) t.is(ids.has(id), model.has(id));
  t.false(ids.has(pool[1].toUpperCase()));
  const w = new Int32Array(4);
  t.true(idWords(pool[1], w, 0));
  t.is(idString(w, 0), pool[1]);
  t.false(idWords(pool[0], w, 0));
  // A batch is added all or nothing.
  const batch = new Int32Array(8);
  const a = randomUUID();
  idWords(a, batch, 0);
  idWords(pool[1], batch, 4);
  const had = ids.has(pool[1]);
  t.is(ids.addBatch(batch, []), !had);
  if (had) t.false(ids.has(a));
});

testEachDriver('the compact chunk survives encoding, and a database with chunks of the earlier format still loads', (t, driver) => {
  const events = bankingRace().events;
  const chunk = chunkOf(events);
  t.deepEqual(decodeChunk(encodeChunk(chunk)), chunk);
  const dir = mkdtempSync(join(tmpdir(), 'raceway-legacy-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const fresh = new Store(':memory:', {}, { driver });
  fresh.ingest(events);
  const expected = fresh.analyze();
  t.true(expected.length > 0);
  // Write the rows the way the previous version did: ids as text, chunk as JSON tuples.
  const db = join(dir, 'r.db');
  let store = new Store(db, {}, { driver });
  const pack = (s) => zlib.brotliCompressSync(Buffer.from(s));
  // The previous version's chunk of these events, built the way it built it.
  const legacy = { a: [], w: [], s: [], u: [], t: [] };
  const units = new Map();
  const spans = new Map();
  for (const e of events) {
    const ts = micros(e.timestamp);
    const [name] = Object.keys(e.kind);
    const task = e.metadata.thread_id;
    const service = e.metadata.service_name;
    if (name === 'StateChange') {
      const sc = e.kind.StateChange;
      const own = e.causality_vector.find(([k]) => k === task)?.[1] ?? -1;
      legacy.a.push([e.id, sc.variable, task, service, e.trace_id, ['Read', 'Write', 'AtomicRead', 'AtomicWrite', 'AtomicRMW'].indexOf(sc.access_type), ts, own,
        JSON.stringify(e.causality_vector), e.lock_set.length ? e.lock_set : 0, JSON.stringify(sc.new_value ?? null), JSON.stringify(sc.old_value ?? null), sc.location, e.timestamp]);
    } else if (name === 'AsyncAwait') legacy.w.push([task, ts]);
    else if (name === 'AsyncSpawn') legacy.s.push([task, e.kind.AsyncSpawn.task_id, ts]);
    const key = `${service}\u0000${e.trace_id}`;
    if (!units.has(key)) units.set(key, [service, e.trace_id, 0, ts, ts, null, null]);
    const u = units.get(key);
    u[2]++;
    u[3] = Math.min(u[3], ts);
    u[4] = Math.max(u[4], ts);
    if (name === 'HttpRequest' && (u[5] === null || ts < u[5])) u[5] = ts;
    if (name === 'HttpResponse' && (u[6] === null || ts > u[6])) u[6] = ts;
    const sp = spans.get(task) ?? [ts, ts];
    spans.set(task, [Math.min(sp[0], ts), Math.max(sp[1], ts)]);
  }
  legacy.u = [...units.values()];
  legacy.t = [...spans].map(([task, [first, last]]) => [task, first, last]);
  const seq = store.db.prepare('INSERT INTO batches (body, ids, chunk) VALUES (?, ?, ?)')
    .run(pack(JSON.stringify({ events })), events.map((e) => e.id).join(','), pack(JSON.stringify(legacy))).lastInsertRowid;
  // Earlier versions also had a trace -> batch table (no longer written; the chunks tell).
  store.db.exec('CREATE TABLE IF NOT EXISTS batch_traces (trace_id TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (trace_id, seq)) WITHOUT ROWID');
  for (const tr of new Set(events.map((e) => e.trace_id))) store.db.prepare('INSERT INTO batch_traces VALUES (?, ?)').run(tr, seq);
  store.close();
  store = new Store(db, {}, { driver });
  t.is(store.events, events.length);
  t.deepEqual(store.analyze().map((r) => r.id), expected.map((r) => r.id));
  t.deepEqual(store.ingest(events), { inserted: 0, duplicates: events.length });
  t.is(store.traceEvents(events[0].trace_id).length, events.filter((e) => e.trace_id === events[0].trace_id).length);
  store.close();
});

test('ids and timestamps the index keeps in compact form come back exactly as sent', (t) => {
  const events = bankingRace().events.map((e, i) => (i % 2 ? e : { ...e, id: e.id.toUpperCase(), timestamp: e.timestamp.replace(/Z$/, '+00:00') }));
  const store = new Store(':memory:');
  store.ingest(events);
  const accesses = store.variableAccesses('accounts.alice.balance');
  t.true(accesses.length > 0);
  for (const a of accesses) {
    const e = events.find((x) => x.id === a.event_id);
    t.truthy(e, a.event_id);
    t.is(a.timestamp, e.timestamp);
  }
  t.true(accesses.some((a) => a.timestamp.endsWith('+00:00')) && accesses.some((a) => a.timestamp.endsWith('Z')));
  t.true(accesses.some((a) => a.event_id !== a.event_id.toLowerCase()));
  for (const r of store.analyze()) for (const a of r.accesses) t.truthy(events.find((x) => x.id === a.event_id && x.timestamp === a.timestamp));
  store.close();
});

testEachDriver('batches committed in one turn share a transaction: a failed write stores none of them, and they can be sent again', async (t, driver) => {
  const { store, failSecond, repair, rows } = await groupStore(t, driver);
  const [a, b, c] = workload({ stateChanges: 60, batch: 40, accounts: 3 });
  const prepared = (events) => {
    const body = Buffer.from(JSON.stringify({ events }));
    const { valid, ts } = parseBody(body);
    return prepareBatch(valid, body, ts);
  };
  // Alone, a batch is one statement.
  t.deepEqual(await store.commitPreparedSoon(prepared(a)), { inserted: a.length, duplicates: 0 });
  // The second insert of the next group fails: the whole group is rolled back.
  await failSecond();
  const results = await Promise.allSettled([store.commitPreparedSoon(prepared(b)), store.commitPreparedSoon(prepared(c))]);
  t.deepEqual(results.map((r) => r.status), ['rejected', 'rejected']);
  t.is(await rows(), 1);
  t.is(store.events, a.length);
  t.is(store.index.accessCount, a.filter((e) => 'StateChange' in e.kind).length);
  // Nothing of the failed group is remembered: sent again, both are stored.
  await repair();
  const again = await Promise.all([store.commitPreparedSoon(prepared(b)), store.commitPreparedSoon(prepared(c))]);
  t.deepEqual(again, [{ inserted: b.length, duplicates: 0 }, { inserted: c.length, duplicates: 0 }]);
  // A retried batch whose ids are stored is left to the caller's duplicate filter.
  t.is(await store.commitPreparedSoon(prepared(a)), null);
  t.is(store.events, a.length + b.length + c.length);
}, { postgres: true });

testEachDriver('a retry that arrives while its original waits for the group write is a duplicate only if that write succeeds', async (t, driver) => {
  const { store, failOnce, repair } = await groupStore(t, driver);
  const [a, b] = workload({ stateChanges: 40, batch: 40, accounts: 3 });
  const prepared = (events) => {
    const body = Buffer.from(JSON.stringify({ events }));
    const { valid, ts } = parseBody(body);
    return prepareBatch(valid, body, ts);
  };
  await failOnce();
  // The original's write fails (once: the disk recovers); its retry, sent before that was known, is stored instead.
  const original0 = store.commitPreparedSoon(prepared(a)).catch(async (err) => { if (driver !== 'postgres') await repair(); throw err; });
  const [original, retry] = await Promise.allSettled([original0, store.commitPreparedSoon(prepared(a))]);
  t.is(original.status, 'rejected');
  t.deepEqual(retry, { status: 'fulfilled', value: { inserted: a.length, duplicates: 0 } });
  t.is(store.events, a.length);
  // When the original's write succeeds, the retry is a duplicate.
  const [first, second] = await Promise.all([store.commitPreparedSoon(prepared(b)), store.commitPreparedSoon(prepared(b))]);
  t.deepEqual(first, { inserted: b.length, duplicates: 0 });
  t.is(second, null);
  t.is(store.events, a.length + b.length);
}, { postgres: true });
