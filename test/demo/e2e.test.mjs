// The demo as a user runs it: the Raceway server and the transformer-compiled Koa app as real
// processes, driven over HTTP.
import test from 'ava';
import { validateEvent } from 'raceway';
import { bankLine, startStack } from './_stack.mjs';

let stack;
test.before(async () => { stack = await startStack(); });
test.after.always(async () => { await stack?.stop(); });

async function call(path, body, raw) {
  const res = await fetch(stack.base + path, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: raw ?? JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}
const balances = async () => (await call('/balances')).json;
/** Delivers the demo's pending events and returns the server's race reports. */
const races = async () => (await call('/raceway/races')).json.races;

test.serial('a deposit then a transfer from one client: balances move, no race reported', async (t) => {
  await call('/reset', {});
  t.deepEqual((await call('/deposit', { account: 'alice', amount: 100 })).json, { alice: 1100, bob: 500, charlie: 300 });
  t.deepEqual((await call('/transfer', { from: 'alice', to: 'bob', amount: 50 })).json, { alice: 1050, bob: 550, charlie: 300 });
  t.deepEqual(await races(), []);
});

test.serial('two concurrent transfers from Alice: a lost update, reported once with both transfer locations', async (t) => {
  await call('/reset', {});
  await Promise.all([call('/transfer', { from: 'alice', to: 'bob', amount: 100 }), call('/transfer', { from: 'alice', to: 'charlie', amount: 200 })]);
  t.deepEqual(await balances(), { alice: 800, bob: 600, charlie: 500 }, 'Alice ends at 800 instead of 700');
  const found = await races();
  t.is(found.length, 1, JSON.stringify(found.map((r) => [r.kind, r.variable]), null, 1));
  const [race] = found;
  t.is(race.kind, 'lost_update');
  t.is(race.variable, 'accounts.alice.balance');
  t.is(race.severity, 'CRITICAL');
  const write = bankLine('source.balance = balance - value');
  t.is(race.first.location, write);
  t.is(race.second.location, write);
  t.not(race.first.trace_id, race.second.trace_id, 'the two transfers are two requests');
  t.deepEqual([race.first.old_value, race.first.new_value], [1000, 900]);
  t.deepEqual([race.second.old_value, race.second.new_value], [900, 800]);
  const stale = race.accesses.find((a) => a.role === 'stale_read');
  t.is(stale.location, bankLine('const balance = source.balance'));
  t.is(stale.new_value, 1000);
});

test.serial('two concurrent /transfer-safe: the lock serialises them, Alice ends at 700, no new race', async (t) => {
  const before = (await races()).length;
  await call('/reset', {});
  await Promise.all([call('/transfer-safe', { from: 'alice', to: 'bob', amount: 100 }), call('/transfer-safe', { from: 'alice', to: 'charlie', amount: 200 })]);
  t.deepEqual(await balances(), { alice: 700, bob: 600, charlie: 500 });
  t.is((await races()).length, before);
});

test.serial('bad input gets a 400 with a JSON error and changes no balance', async (t) => {
  await call('/reset', {});
  const start = await balances();
  const bad = [
    ['/transfer', { from: 'mallory', to: 'bob', amount: 10 }, /unknown account/],
    ['/transfer', { from: 'alice', to: 'bob', amount: -5 }, /positive number/],
    ['/transfer', { from: 'alice', to: 'bob', amount: 0 }, /positive number/],
    ['/transfer', { from: 'alice', to: 'bob', amount: '10' }, /positive number/],
    ['/transfer-safe', { from: 'alice', to: 'nobody', amount: 10 }, /unknown account/],
    ['/deposit', { account: 'alice', amount: 'lots' }, /positive number/],
    ['/deposit', { account: 'zed', amount: 5 }, /unknown account/],
    ['/deposit', [1, 2], /JSON object/],
  ];
  for (const [path, body, message] of bad) {
    const r = await call(path, body);
    t.is(r.status, 400, `${path} ${JSON.stringify(body)}`);
    t.regex(r.json.error, message);
  }
  const malformed = await call('/transfer', {}, '{"from": "alice",');
  t.is(malformed.status, 400);
  t.regex(malformed.json.error, /malformed JSON/);
  t.deepEqual(await balances(), start);
});

test.serial('every event the demo shipped reached the server and is schema-valid', async (t) => {
  const status = (await call('/raceway/status')).json;
  t.true(status.connected);
  await races(); // flushes the demo's pending events
  const after = (await call('/raceway/status')).json.stats;
  t.is(after.dropped, 0);
  t.true(after.sent > 0);
  let stored = 0;
  for (let page = 1; ; page++) {
    const list = (await (await fetch(`${stack.endpoint}/api/traces?page=${page}&page_size=100`)).json()).data;
    for (const tr of list.traces) {
      const detail = (await (await fetch(`${stack.endpoint}/api/traces/${tr.trace_id}`)).json()).data;
      for (const e of detail.events) {
        t.deepEqual(validateEvent(e), [], JSON.stringify(e));
        stored++;
      }
    }
    if (page >= list.total_pages) break;
  }
  t.true(stored >= after.sent, `server stored ${stored}, demo sent ${after.sent}`);
});
