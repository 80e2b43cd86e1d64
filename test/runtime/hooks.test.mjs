// The hooks keep program semantics: one getter call, no extra Proxy traps, strict/sloppy failures as
// in the original, values returned unchanged; and they record what the program did.
import test from 'ava';
import express from 'express';
import { init, validateEvent } from 'raceway';
import * as rw from 'raceway/runtime';
import { startCollector, kindOf } from './_collector.mjs';

let col;
let client;
test.before(async () => {
  col = await startCollector();
  client = init({ endpoint: col.endpoint, handleExit: false, flushInterval: 50 });
});
test.after.always(async () => {
  await client.shutdown();
  await col.close();
});

async function eventsOf(fn) {
  await client.flush(); // events of earlier tests are not ours
  const before = col.events.length;
  await fn();
  await client.flush();
  const evs = col.events.slice(before);
  for (const e of evs) if (validateEvent(e).length) throw new Error(JSON.stringify(validateEvent(e)));
  return evs.filter((e) => kindOf(e) === 'StateChange').map((e) => e.kind.StateChange);
}

test.serial('rp calls a getter exactly once and records the value it returned', async (t) => {
  let calls = 0;
  const o = { get x() { calls++; return { n: calls }; } };
  let got;
  const sc = await eventsOf(() => { got = rw.rp(undefined, o, 'x', 'a.js:1', 'o'); });
  t.is(calls, 1);
  t.deepEqual(got, { n: 1 });
  t.deepEqual(sc.map((s) => [s.variable, s.access_type, s.new_value]), [['o.x', 'Read', { n: 1 }]]);
});

test.serial('wp runs a setter once, never the getter, and records old value null for accessors', async (t) => {
  const log = [];
  const o = { get v() { log.push('get'); return 1; }, set v(x) { log.push(`set ${x}`); } };
  const sc = await eventsOf(() => { t.is(rw.wp(undefined, o, 'v', 5, 'a.js:2', 'acc'), 5); });
  t.deepEqual(log, ['set 5']);
  t.deepEqual(sc.map((s) => [s.variable, s.old_value, s.new_value]), [['acc.v', null, 5]]);
});

test.serial('Proxies see exactly the traps the original access would trigger', async (t) => {
  const traps = [];
  const p = new Proxy({ a: 1 }, {
    get(tg, k, r) { traps.push(`get ${String(k)}`); return Reflect.get(tg, k, r); },
    set(tg, k, v, r) { traps.push(`set ${String(k)}`); return Reflect.set(tg, k, v, r); },
    getOwnPropertyDescriptor(tg, k) { traps.push(`gopd ${String(k)}`); return Reflect.getOwnPropertyDescriptor(tg, k); },
    defineProperty(tg, k, d) { traps.push(`define ${String(k)}`); return Reflect.defineProperty(tg, k, d); },
  });
  await eventsOf(() => {
    rw.rp(undefined, p, 'a', 'a.js:3', 'p');
    rw.wp(undefined, p, 'a', 2, 'a.js:4', 'p');
  });
  const expected = [];
  const q = new Proxy({ a: 1 }, {
    get(tg, k, r) { expected.push(`get ${String(k)}`); return Reflect.get(tg, k, r); },
    set(tg, k, v, r) { expected.push(`set ${String(k)}`); return Reflect.set(tg, k, v, r); },
    getOwnPropertyDescriptor(tg, k) { expected.push(`gopd ${String(k)}`); return Reflect.getOwnPropertyDescriptor(tg, k); },
    defineProperty(tg, k, d) { expected.push(`define ${String(k)}`); return Reflect.defineProperty(tg, k, d); },
  });
  void q.a;
  q.a = 2;
  t.deepEqual(traps, expected);
});

test.serial('strict and sloppy writes fail exactly as the original code would', (t) => {
  const frozen = Object.freeze({ x: 1 });
  const strictErr = t.throws(() => rw.wp(undefined, frozen, 'x', 2, 'a.js:5', 'frozen'), { instanceOf: TypeError });
  let original;
  try { (() => { 'use strict'; frozen.x = 2; })(); } catch (e) { original = e; }
  t.is(strictErr.message, original.message);
  t.is(rw.wpSloppy(undefined, frozen, 'x', 2, 'a.js:6', 'frozen'), 2);
  t.is(frozen.x, 1);
  t.throws(() => rw.dp(undefined, frozen, 'x', 'a.js:7', 'frozen'), { instanceOf: TypeError });
  t.false(rw.dpSloppy(undefined, frozen, 'x', 'a.js:8', 'frozen'));
  t.throws(() => rw.rp(undefined, undefined, 'x', 'a.js:9', 'u'), { message: /Cannot read properties of undefined \(reading 'x'\)/ });
});

test.serial('an object key is converted to a property key once, as the original does', (t) => {
  let conversions = 0;
  const key = { toString() { conversions++; return 'k'; } };
  const o = { k: 7 };
  t.is(rw.rp(undefined, o, key, 'a.js:10', 'o'), 7);
  t.is(conversions, 1);
  rw.wp(undefined, o, key, 8, 'a.js:11', 'o');
  t.is(conversions, 2);
  t.is(o.k, 8);
});

test.serial('names: paths with runtime keys, aliases keep the first name, distinct objects get #n', async (t) => {
  const accounts = { alice: { balance: 10 } };
  const sc = await eventsOf(() => {
    const from = 'alice';
    const acct = rw.rb(undefined, accounts, from, 'accounts');
    rw.wp(undefined, acct, 'balance', 5, 'a.js:12', 'accounts[from]');
    const alias = acct;
    rw.rp(undefined, alias, 'balance', 'a.js:13', 'alias');
    rw.wp(undefined, { total: 0 }, 'total', 1, 'a.js:14', 'order');
    rw.wp(undefined, { total: 0 }, 'total', 2, 'a.js:15', 'order');
    rw.wp(undefined, ['a'], 0, 'b', 'a.js:16', 'list');
    rw.wp(undefined, accounts, 'two words', 1, 'a.js:17', 'accounts');
  });
  t.deepEqual(sc.map((s) => s.variable), ['accounts.alice.balance', 'accounts.alice.balance', 'order.total', 'order#2.total', 'list[0]', 'accounts["two words"]']);
  t.is(sc[0].old_value, 10);
});

test.serial('tp target objects perform destructuring writes at the moment the language does', async (t) => {
  const o = {};
  const order = [];
  const it = { *[Symbol.iterator]() { order.push('step1'); yield 1; order.push('step2'); yield 2; } };
  const sc = await eventsOf(() => {
    [rw.tp(undefined, o, (order.push('key a'), 'a'), 'a.js:18', 'target').v, rw.tp(undefined, o, (order.push('key b'), 'b'), 'a.js:18', 'target').v] = it;
  });
  const reference = [];
  const r = {};
  const it2 = { *[Symbol.iterator]() { reference.push('step1'); yield 1; reference.push('step2'); yield 2; } };
  [r[(reference.push('key a'), 'a')], r[(reference.push('key b'), 'b')]] = it2;
  t.deepEqual(order, reference);
  t.deepEqual(o, { a: 1, b: 2 });
  t.deepEqual(sc.map((s) => [s.variable, s.new_value]), [['target.a', 1], ['target.b', 2]]);
});

test.serial('Express middleware: a trace per request, response recorded on finish, errors via the error handler', async (t) => {
  const app = express();
  app.use(client.express());
  app.get('/ok', (req, res) => { res.json({ ok: true }); });
  app.get('/fail', () => { throw new Error('express boom'); });
  app.use(client.expressErrorHandler());
  app.use((err, req, res, _next) => { res.status(500).json({ error: err.message }); });
  const server = app.listen(0);
  const url = `http://127.0.0.1:${server.address().port}`;
  const before = col.events.length;
  const [a, b] = await Promise.all([fetch(url + '/ok'), fetch(url + '/fail')]);
  t.is(a.status, 200);
  t.is(b.status, 500);
  await new Promise((r) => setTimeout(r, 50));
  await client.flush();
  server.closeAllConnections();
  server.close();
  const evs = col.events.slice(before);
  for (const e of evs) t.deepEqual(validateEvent(e), []);
  const reqs = evs.filter((e) => kindOf(e) === 'HttpRequest');
  const resps = evs.filter((e) => kindOf(e) === 'HttpResponse');
  t.is(reqs.length, 2);
  t.deepEqual(resps.map((e) => e.kind.HttpResponse.status).sort(), [200, 500]);
  t.is(new Set(reqs.map((e) => e.trace_id)).size, 2);
  const err = evs.find((e) => kindOf(e) === 'Error');
  t.is(err.kind.Error.message, 'express boom');
  t.is(err.trace_id, reqs.find((r) => r.kind.HttpRequest.url === '/fail').trace_id);
});
