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

/**
 * The frame argument and site table of a hand-written hook call: a module token (SPEC §2) whose one
 * site (id 0) is `[line, hint]` in file `a.js`.
 */
function L(line, hint) {
  return () => JSON.stringify(['a.js', 'a', [line, hint]]);
}

async function eventsOf(fn) {
  await client.flush(); // events of earlier tests are not ours
  const before = col.events.length;
  await fn();
  await client.flush();
  const evs = col.events.slice(before);
  for (const e of evs) if (validateEvent(e).length) throw new Error(JSON.stringify(validateEvent(e)));
  return evs.filter((e) => kindOf(e) === 'StateChange').map((e) => e.kind.StateChange);
}

async function allEventsOf(fn) {
  await client.flush();
  const before = col.events.length;
  await fn();
  await client.flush();
  return col.events.slice(before);
}

test.serial('sites: hooks find location and hint through the module token or a frame, before or without mod()', async (t) => {
  let tokenCalls = 0;
  // A module token as the front ends emit it: sets the module's hook aliases, returns the site table.
  let aliasRp;
  function token() {
    tokenCalls++;
    aliasRp = rw.rp;
    return JSON.stringify(['src/m.ts', 'src/m', [3, 'cfg'], [7, 'run', 0, 'a'], [8, 'acct'], [9], [8, 'n']]);
  }
  const acct = { balance: 1 };
  const evs = await allEventsOf(async () => {
    // no mod() yet (an import cycle): the function's enter finds the table through the token
    const f = rw.enter(token, 1, 'x');
    t.is(tokenCalls, 1);
    t.is(aliasRp, rw.rp);
    t.is(rw.rp(f, acct, 'balance', 2), 1);
    t.is(rw.wp(f, acct, 'balance', 2, 2), 2);
    rw.wv(f, f, 0, 1, 4);
    rw.exit(f);
    rw.mod(token);
    t.is(tokenCalls, 1); // called once per module
    // module level: the token is the frame argument
    t.is(rw.rp(token, { debug: true }, 'debug', 0), true);
    // a frame argument that leads nowhere (hand-written code): still performs the access
    t.is(rw.rp(undefined, { k: 5 }, 'k', 0), 5);
  });
  const call = evs.find((e) => e.kind.FunctionCall);
  t.like(call.kind.FunctionCall, { function_name: 'run', module: 'src/m', file: 'src/m.ts', line: 7 });
  t.deepEqual(call.kind.FunctionCall.args, { a: 'x' });
  const sc = evs.filter((e) => e.kind.StateChange).map((e) => [e.kind.StateChange.variable, e.kind.StateChange.access_type, e.kind.StateChange.location]);
  t.deepEqual(sc.slice(0, 4), [['acct.balance', 'Read', 'src/m.ts:8'], ['acct.balance', 'Write', 'src/m.ts:8'], ['run.n', 'Write', 'src/m.ts:8'], ['cfg.debug', 'Read', 'src/m.ts:3']]);
  t.is(sc[4][2], '');
});

test.serial('hooks that act only on frames accept the module token as frame argument', (t) => {
  const token = () => JSON.stringify(['b.js', 'b', [1, 'f', 1]]);
  rw.mod(token);
  const f = rw.enter(token, 0);
  t.truthy(f);
  rw.exit(f);
  // hooks that only act on frames ignore a token
  t.is(rw.resume(token, 5), 5);
  t.is(rw.yieldOut(token, 6), 6);
  t.is(rw.yieldIn(token, 7), 7);
  t.notThrows(() => { rw.at(token); rw.exit(token); rw.exit(undefined); });
  const it = [1];
  t.is(rw.forAwait(token, it, 0), it);
});

test.serial('rp calls a getter exactly once and records the value it returned', async (t) => {
  let calls = 0;
  const o = { get x() { calls++; return { n: calls }; } };
  let got;
  const sc = await eventsOf(() => { got = rw.rp(L(1, 'o'), o, 'x', 0); });
  t.is(calls, 1);
  t.deepEqual(got, { n: 1 });
  t.deepEqual(sc.map((s) => [s.variable, s.access_type, s.new_value]), [['o.x', 'Read', { n: 1 }]]);
});

test.serial('rb records a Read when the base it returns is null or undefined, nothing for an object or a primitive\'s property', async (t) => {
  const o = { n: null, u: undefined, obj: { c: 1 } };
  let calls = 0;
  const g = { get x() { calls++; return null; } };
  const sc = await eventsOf(() => {
    t.is(rw.rb(L(1, 'base'), o, 'n', 0), null);
    t.is(rw.rb(L(2, 'base'), o, 'u', 0), undefined);
    t.is(rw.rb(L(3, 'base'), o, 'missing', 0), undefined);
    t.is(rw.rb(L(4, 'base'), o, 'obj', 0), o.obj);
    t.is(rw.rb(L(5, 's'), 'str', 'nope', 0), undefined); // a primitive's properties cannot race
    t.is(rw.rb(L(6, 'getters'), g, 'x', 0), null);
    // The access on a null base throws the program's own TypeError, and records nothing.
    t.throws(() => rw.rb(L(7, 'z'), null, 'x', 0), { instanceOf: TypeError, message: /reading 'x'/ });
  });
  t.is(calls, 1, 'the getter ran once');
  t.deepEqual(sc.map((s) => [s.variable, s.access_type, s.old_value, s.new_value, s.location]), [
    ['base.n', 'Read', null, null, 'a.js:1'],
    ['base.u', 'Read', null, null, 'a.js:2'],
    ['base.missing', 'Read', null, null, 'a.js:3'],
    ['getters.x', 'Read', null, null, 'a.js:6'],
  ]);
});

test.serial('wp runs a setter once, never the getter, and records old value null for accessors', async (t) => {
  const log = [];
  const o = { get v() { log.push('get'); return 1; }, set v(x) { log.push(`set ${x}`); } };
  const sc = await eventsOf(() => { t.is(rw.wp(L(2, 'acc'), o, 'v', 5, 0), 5); });
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
    rw.rp(L(3, 'p'), p, 'a', 0);
    rw.wp(L(4, 'p'), p, 'a', 2, 0);
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
  const strictErr = t.throws(() => rw.wp(L(5, 'frozen'), frozen, 'x', 2, 0), { instanceOf: TypeError });
  let original;
  try { (() => { 'use strict'; frozen.x = 2; })(); } catch (e) { original = e; }
  t.is(strictErr.message, original.message);
  t.is(rw.wpSloppy(L(6, 'frozen'), frozen, 'x', 2, 0), 2);
  t.is(frozen.x, 1);
  t.throws(() => rw.dp(L(7, 'frozen'), frozen, 'x', 0), { instanceOf: TypeError });
  t.false(rw.dpSloppy(L(8, 'frozen'), frozen, 'x', 0));
  t.throws(() => rw.rp(L(9, 'u'), undefined, 'x', 0), { message: /Cannot read properties of undefined \(reading 'x'\)/ });
});

test.serial('an object key is converted to a property key once, as the original does', (t) => {
  let conversions = 0;
  const key = { toString() { conversions++; return 'k'; } };
  const o = { k: 7 };
  t.is(rw.rp(L(10, 'o'), o, key, 0), 7);
  t.is(conversions, 1);
  rw.wp(L(11, 'o'), o, key, 8, 0);
  t.is(conversions, 2);
  t.is(o.k, 8);
});

/** A module token whose site 0 is the static-key access site `[line, hint, key]` (SPEC §2). */
function K(line, hint, key) {
  return () => JSON.stringify(['a.js', 'a', [line, hint, key]]);
}

test.serial('static-key short forms (no key argument) act and record exactly as the keyed forms with the site key', async (t) => {
  const traps = [];
  const mk = (tag) => new Proxy({ a: 1, 3: 'n', '03': 's' }, {
    get(tg, k, r) { traps.push(`${tag} get ${String(k)}`); return Reflect.get(tg, k, r); },
    set(tg, k, v, r) { traps.push(`${tag} set ${String(k)}`); return Reflect.set(tg, k, v, r); },
    deleteProperty(tg, k) { traps.push(`${tag} delete ${String(k)}`); return Reflect.deleteProperty(tg, k); },
    getOwnPropertyDescriptor(tg, k) { traps.push(`${tag} gopd ${String(k)}`); return Reflect.getOwnPropertyDescriptor(tg, k); },
    defineProperty(tg, k, d) { traps.push(`${tag} define ${String(k)}`); return Reflect.defineProperty(tg, k, d); },
  });
  const run = (tag, k) => eventsOf(() => {
    const o = mk(tag);
    const out = [];
    for (const key of ['a', 3, '03', '__proto__', 'it\'s "q" \\ \u2028', '\uD800', 'missing']) {
      const site = (line) => (k ? K(line, 'o', key) : L(line, 'o'));
      out.push(k ? rw.rp(site(1), o, 0) : rw.rp(site(1), o, key, 0));
      out.push(k ? rw.wp(site(2), o, 5, 0) : rw.wp(site(2), o, key, 5, 0));
      out.push(k ? rw.wpSloppy(site(3), o, 6, 0) : rw.wpSloppy(site(3), o, key, 6, 0));
      k ? (rw.tp(site(4), o, 0).v = 7) : (rw.tp(site(4), o, key, 0).v = 7);
      k ? (rw.tpSloppy(site(4), o, 0).v = 8) : (rw.tpSloppy(site(4), o, key, 0).v = 8);
      out.push(k ? rw.rb(site(5), o, 0) : rw.rb(site(5), o, key, 0));
      out.push(k ? rw.dp(site(6), o, 0) : rw.dp(site(6), o, key, 0));
      out.push(k ? rw.dpSloppy(site(7), o, 0) : rw.dpSloppy(site(7), o, key, 0));
    }
    return out;
  }).then((evs) => evs.map((e) => [e.variable.replace(/^o(#\d+)?/, 'o'), e.access_type, e.old_value, e.new_value, e.location]));
  const keyed = await run('K', false);
  const keyedTraps = traps.splice(0).map((x) => x.slice(2));
  const stat = await run('S', true);
  const statTraps = traps.splice(0).map((x) => x.slice(2));
  t.deepEqual(stat, keyed);
  t.deepEqual(statTraps, keyedTraps);
  t.true(keyed.some((e) => e[0] === 'o[3]') && keyed.some((e) => e[0] === 'o["03"]'));
});

test.serial('static-key short forms: getters once, failures and TypeErrors as the original, through a frame or the token', (t) => {
  let calls = 0;
  const acc = { get v() { calls++; return 1; }, set v(x) { calls += 10; } };
  const token = K(3, 'acc', 'v');
  const f = rw.enter(() => JSON.stringify(['a.js', 'a', [3, 'acc', 'v'], [1, 'fn', 0]]), 1);
  t.is(rw.rp(token, acc, 0), 1);
  t.is(rw.rp(f, acc, 0), 1);
  t.is(calls, 2);
  t.is(rw.wp(f, acc, 4, 0), 4);
  t.is(calls, 12);
  rw.exit(f);
  const frozen = Object.freeze({ v: 1 });
  let original;
  try { (() => { 'use strict'; frozen.v = 2; })(); } catch (e) { original = e; }
  t.is(t.throws(() => rw.wp(token, frozen, 2, 0), { instanceOf: TypeError }).message, original.message);
  t.is(rw.wpSloppy(token, frozen, 2, 0), 2);
  t.throws(() => rw.dp(token, frozen, 0), { instanceOf: TypeError });
  t.false(rw.dpSloppy(token, frozen, 0));
  t.throws(() => rw.rp(token, undefined, 0), { message: "Cannot read properties of undefined (reading 'v')" });
  t.throws(() => rw.rb(token, null, 0), { message: "Cannot read properties of null (reading 'v')" });
  t.throws(() => rw.wp(token, undefined, 1, 0), { message: "Cannot set properties of undefined (setting 'v')" });
  // A numeric site key stays a number; a key-less site (a broken table) reads key "undefined".
  t.is(rw.rp(K(1, 'a', 0), ['zero'], 0), 'zero');
  t.is(rw.rp(L(1, 'o'), { undefined: 'u' }, 0), 'u');
});

test.serial('names: paths with runtime keys, aliases keep the first name, distinct objects get #n', async (t) => {
  const accounts = { alice: { balance: 10 } };
  const sc = await eventsOf(() => {
    const from = 'alice';
    const acct = rw.rb(L(0, 'accounts'), accounts, from, 0);
    rw.wp(L(12, 'accounts[from]'), acct, 'balance', 5, 0);
    const alias = acct;
    rw.rp(L(13, 'alias'), alias, 'balance', 0);
    rw.wp(L(14, 'order'), { total: 0 }, 'total', 1, 0);
    rw.wp(L(15, 'order'), { total: 0 }, 'total', 2, 0);
    // An array's elements are the array's variable, and a store into one is a Read then the Write (SPEC §4.5).
    rw.wp(L(16, 'list'), ['a'], 0, 'b', 0);
    rw.wp(L(17, 'accounts'), accounts, 'two words', 1, 0);
  });
  t.deepEqual(sc.map((s) => s.variable), ['accounts.alice.balance', 'accounts.alice.balance', 'order.total', 'order#2.total', 'list', 'list', 'accounts["two words"]']);
  t.deepEqual(sc.filter((s) => s.variable === 'list').map((s) => [s.access_type, s.old_value, s.new_value]), [['Read', 'a', 'a'], ['Write', 'a', 'b']]);
  t.is(sc[0].old_value, 10);
});

test.serial('tp target objects perform destructuring writes at the moment the language does', async (t) => {
  const o = {};
  const order = [];
  const it = { *[Symbol.iterator]() { order.push('step1'); yield 1; order.push('step2'); yield 2; } };
  const sc = await eventsOf(() => {
    [rw.tp(L(18, 'target'), o, (order.push('key a'), 'a'), 0).v, rw.tp(L(18, 'target'), o, (order.push('key b'), 'b'), 0).v] = it;
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
