// Container hooks (fixtures/SPEC.md §4.5): `cn` recognises real Arrays/Maps/Sets whose method is the
// built-in one without running program code, `cc` records the call as an access of the container's
// variable with values that tell different operations apart.
import test from 'ava';
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

/** A module token whose site `i` is `[i + 1, hint, method]` for each `[hint, method]` given. */
function sites(...list) {
  return () => JSON.stringify(['c.js', 'c', ...list.map(([hint, key], i) => [i + 1, hint, key])]);
}

async function changesOf(fn) {
  await client.flush();
  const before = col.events.length;
  await fn();
  await client.flush();
  const evs = col.events.slice(before);
  for (const e of evs) if (validateEvent(e).length) throw new Error(JSON.stringify(validateEvent(e)));
  return evs.filter((e) => kindOf(e) === 'StateChange').map((e) => e.kind.StateChange)
    .map((s) => [s.variable, s.access_type, s.old_value, s.new_value, s.location]);
}

/** `o.m(...args)` as the front ends emit it: `cc(f, t = o, cn(f, t, S), t.m(...args), S, args[0])`. */
function call(f, o, site, method, ...args) {
  return rw.cc(f, o, rw.cn(f, o, site), o[method](...args), site, args[0]);
}

test.serial('built-in methods of Arrays, Maps, Sets and their subclasses are recorded on the container', async (t) => {
  const f = sites(['pool', 'push'], ['pool', 'shift'], ['cache', 'set'], ['cache', 'get'], ['seen', 'add'], ['q', 'push'], ['pool', 0]);
  const pool = [];
  const sock = { id: 1 };
  const cache = new Map();
  const seen = new Set();
  class Queue extends Array {}
  const q = new Queue();
  const evs = await changesOf(() => {
    t.is(call(f, pool, 0, 'push', sock, 'b'), 2);
    t.is(call(f, pool, 1, 'shift'), sock);
    t.is(call(f, cache, 2, 'set', 'alice', sock), cache);
    t.is(call(f, cache, 3, 'get', 'alice'), sock);
    call(f, seen, 4, 'add', 'x');
    call(f, seen, 4, 'add', 'x');
    t.is(call(f, q, 5, 'push', 1), 1);
    t.is(rw.rp(f, pool, 6), 'b'); // an element read is a read of the container
  });
  t.deepEqual(evs, [
    // a mutation is a read-modify-write: a Read of what it saw, then the Write
    ['pool', 'Read', { length: 0 }, { length: 0 }, 'c.js:1'],
    ['pool', 'Write', { length: 0 }, { push: [{ $ref: 'pool[0]' }, 'b'], length: 2 }, 'c.js:1'],
    ['pool', 'Read', { length: 2 }, { length: 2 }, 'c.js:2'],
    ['pool', 'Write', { length: 2 }, { shift: { $ref: 'pool[0]' }, length: 1 }, 'c.js:2'],
    ['cache', 'Read', { size: 0 }, { size: 0 }, 'c.js:3'],
    ['cache', 'Write', { size: 0 }, { set: ['alice', { $ref: 'pool[0]' }], size: 1 }, 'c.js:3'],
    // a lookup records the entry asked for as its old value, the result as its value
    ['cache', 'Read', { get: 'alice' }, { id: 1 }, 'c.js:4'],
    // adding an element the Set already has writes the same value text
    ['seen', 'Read', { size: 0 }, { size: 0 }, 'c.js:5'],
    ['seen', 'Write', { size: 0 }, { add: 'x', size: 1 }, 'c.js:5'],
    ['seen', 'Read', { size: 1 }, { size: 1 }, 'c.js:5'],
    ['seen', 'Write', { size: 1 }, { add: 'x', size: 1 }, 'c.js:5'],
    ['q', 'Read', { length: 0 }, { length: 0 }, 'c.js:6'],
    ['q', 'Write', { length: 0 }, { push: [1], length: 1 }, 'c.js:6'],
    ['pool', 'Read', 'b', 'b', 'c.js:7'],
  ]);
});

test.serial('other receivers are not containers, and telling them apart runs no program code', async (t) => {
  const f = sites(['o', 'push'], ['o', 'get']);
  const log = [];
  const trap = (name) => (...a) => { log.push(name); return Reflect[name](...a); };
  const handler = { get: trap('get'), getOwnPropertyDescriptor: trap('getOwnPropertyDescriptor'), getPrototypeOf: trap('getPrototypeOf'), has: trap('has') };
  const proxied = new Proxy([], handler);
  const protoProxied = Object.setPrototypeOf([], new Proxy(Array.prototype, handler));
  const withGetter = [];
  Object.defineProperty(withGetter, 'push', { get() { log.push('getter'); return Array.prototype.push; } });
  const replaced = [];
  replaced.push = (x) => x;
  class Own extends Map { get(k) { return k; } }
  const { proxy: revoked, revoke } = Proxy.revocable([], {});
  revoke();
  const user = { push: () => 0, get: () => 0 };
  const evs = await changesOf(() => {
    for (const o of [proxied, protoProxied, withGetter, replaced, revoked, user, 'str', null, undefined, 7]) t.is(rw.cn(f, o, 0), -1);
    t.is(rw.cn(f, new Own(), 1), -1);
    t.is(rw.cc(f, user, -1, 'result', 0), 'result');
  });
  t.deepEqual(log, []);
  t.deepEqual(evs, []);
});
