// Static-key accesses get a compiled function per hot site (runtime/site-access.ts): it must do
// exactly what the generic keyed access did — same property, same setter/getter calls, same
// strict/sloppy failure, same errors — and without code generation the runtime must still work.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { init } from 'raceway';
import * as rw from 'raceway/runtime';
import { startCollector, kindOf } from './_collector.mjs';

const require = createRequire(import.meta.url);
const { SiteAccessors } = require('../../dist/runtime/site-access.js');

/** Uses site `id` until its compiled function is there (the generic path before that is not what is tested). */
function hot(get) {
  for (let i = 0; i < 100; i++) {
    const fn = get();
    if (fn !== null) return fn;
  }
  throw new Error('the site never got its own function');
}

const KEYS = ['body', '__proto__', 'it\'s "quoted"\n', 'line\u2028sep', '', 'constructor', 0, -0, 1e21, 1.5, -1, NaN, Infinity];

/** The static key of site `id`: the tricky keys, then `body` (sites 100 and 200 below). */
const keyOf = (id) => (id < KEYS.length ? KEYS[id] : 'body');

function thrown(fn) {
  try { fn(); return null; } catch (e) { return `${e.constructor.name}: ${e.message}`; }
}

test.serial('a compiled getter reads the same property as o[key], getters included', (t) => {
  const acc = new SiteAccessors(0, keyOf);
  KEYS.forEach((key, id) => {
    const get = hot(() => acc.getter(id));
    const o = { [key]: `v-${String(key)}` };
    t.is(get(o), o[key], String(key));
    t.is(get('str'), 'str'[key], `primitive base, ${String(key)}`);
    t.is(thrown(() => get(null)), thrown(() => null[key]), `null base, ${String(key)}`);
  });
  let self;
  const proto = { get body() { self = this; return 42; } };
  const o = Object.create(proto);
  t.is(hot(() => acc.getter(100))(o), 42);
  t.is(self, o);
});

test.serial('a compiled setter stores like o[key] = v: setters run once, strict writes throw, sloppy ones are ignored', (t) => {
  const acc = new SiteAccessors(0, keyOf);
  KEYS.forEach((key, id) => {
    const strict = hot(() => acc.setter(id, false));
    const sloppy = hot(() => acc.setter(id, true));
    const a = {}, b = {};
    strict(a, key, 7);
    b[key] = 7;
    t.deepEqual(Object.getOwnPropertyNames(a), Object.getOwnPropertyNames(b), String(key));
    t.is(Object.getPrototypeOf(a), Object.getPrototypeOf(b));
    const frozen = Object.freeze({ [key]: 1 });
    const expected = thrown(() => { 'use strict'; frozen[key] = 2; });
    t.is(thrown(() => strict(frozen, key, 2)), expected, `strict, frozen, ${String(key)}`);
    t.is(thrown(() => sloppy(frozen, key, 2)), null, `sloppy, frozen, ${String(key)}`);
    t.is(thrown(() => strict(undefined, key, 2)), thrown(() => { undefined[key] = 2; }), `undefined base, ${String(key)}`);
  });
  const calls = [];
  const proto = { set body(v) { calls.push([this, v]); } };
  const o = Object.create(proto);
  const set = hot(() => acc.setter(200, false));
  set(o, 'body', 'x');
  t.deepEqual(calls, [[o, 'x']]);
  t.false(Object.hasOwn(o, 'body'));
});

// A hand-written instrumented module (SPEC §2): function site 0 `f(o, v)`, access sites 1 and 2 `o.body`.
const token = () => JSON.stringify(['s.js', 's', [1, 'f', 0, 'o', 'v'], [2, 'o', 'body'], [2, 'o', 'body']]);
rw.mod(token);
function f(o, v) {
  const fr = rw.enter(token, 0, o, v);
  try {
    rw.wp(fr, o, v, 1); // o.body = v
    return rw.rp(fr, o, 2); // o.body
  } finally {
    rw.exit(fr);
  }
}

test.serial('recorded through hot sites: every write and read is an event with the values the program stored and read', async (t) => {
  const col = await startCollector();
  const client = init({ endpoint: col.endpoint, handleExit: false, flushInterval: 50 });
  try {
    const objs = Array.from({ length: 20 }, () => ({}));
    objs.forEach((o, i) => t.is(f(o, i * 10), i * 10));
    await client.flush();
    const changes = col.events.filter((e) => kindOf(e) === 'StateChange').map((e) => e.kind.StateChange);
    const expected = objs.flatMap((_, i) => [['Write', null, i * 10], ['Read', i * 10, i * 10]]);
    t.deepEqual(changes.map((c) => [c.access_type, c.old_value, c.new_value]), expected);
    t.true(changes.every((c) => /\.body$/.test(c.variable)));
  } finally {
    await client.shutdown();
    await col.close();
  }
});

test.serial('through the hooks, a Koa-style accessor sees every write and read exactly once, cold and hot', (t) => {
  let stored, sets = 0, gets = 0;
  const proto = { set body(v) { sets++; stored = v; }, get body() { gets++; return stored; } };
  const ctxs = Array.from({ length: 50 }, () => Object.create(proto));
  ctxs.forEach((c, i) => t.is(f(c, i), i));
  t.is(sets, 50);
  t.is(gets, 50);
  t.is(thrown(() => f(null, 1)), thrown(() => { null.body = 1; }));
});

test.serial('without code generation from strings the runtime loads and accesses stay correct', (t) => {
  const program = `
    const rw = require('raceway/runtime');
    const token = () => JSON.stringify(['n.js', 'n', [1, 'f', 0, 'o'], [2, 'o', 'x'], [3, 'o', 'x']]);
    rw.mod(token);
    function f(o) {
      const fr = rw.enter(token, 0, o);
      try { rw.wpSloppy(fr, o, 5, 1); return rw.rp(fr, o, 2); } finally { rw.exit(fr); }
    }
    const out = [];
    for (let i = 0; i < 20; i++) out.push(f({}));
    out.push(f(Object.freeze({ x: 1 })));
    try { rw.wp(undefined, Object.freeze({ x: 1 }), 'x', 2, 1); } catch (e) { out.push(e.constructor.name); }
    console.log(JSON.stringify(out));
  `;
  const stdout = execFileSync(process.execPath, ['--disallow-code-generation-from-strings', '-e', program], {
    env: { ...process.env, RACEWAY_ENABLED: 'false' },
    encoding: 'utf8',
  });
  t.deepEqual(JSON.parse(stdout), [...Array(20).fill(5), 1, 'TypeError']);
});
