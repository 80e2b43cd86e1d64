// Container call sites (fixtures/SPEC.md §4.5) change nothing the program can observe: each program
// runs plainly and instrumented by both front ends, with the real runtime recording off and on, and
// must print the same transcript.
import test from 'ava';
import { differentialBatch } from './helpers/differential.mjs';
import { startCollector } from './helpers/fixture-harness.mjs';

const cases = {
  'receiver, method lookup, arguments and call run once each, in order': `
const out = globalThis.__out;
const arr = [1];
const holder = { get list() { out.push('receiver'); return arr; } };
const arg = (v) => { out.push('arg ' + v); return v; };
out.push(holder.list.push(arg(2), arg(3)), arr.join());
const m = new Map();
const key = { toString() { out.push('toString'); return 'k'; } };
m.set(arg(key), arg(1));
out.push(m.get(key), m.has(arg(key)), m.delete(key), m.size);`,

  'a getter named like the method runs once and the call is not recorded': `
const out = globalThis.__out;
const arr = [];
Object.defineProperty(arr, 'push', { get() { out.push('getter'); return (x) => out.push('own push ' + x); } });
arr.push(1);
const m = new Map();
Object.defineProperty(m, 'get', { get() { out.push('map getter'); return Map.prototype.get; } });
m.set('a', 1);
out.push(m.get('a'));
out.push(arr.length);`,

  'Proxies around containers see only the traps the program triggers': `
const out = globalThis.__out;
const trap = (name) => (...a) => { out.push(name + ' ' + String(a[1])); return Reflect[name](...a); };
const handler = { get: trap('get'), set: trap('set'), has: trap('has'), getOwnPropertyDescriptor: trap('getOwnPropertyDescriptor'), getPrototypeOf: (t) => { out.push('getPrototypeOf'); return Reflect.getPrototypeOf(t); } };
const pa = new Proxy([1, 2], handler);
pa.push(3); pa.pop(); pa.splice(0, 1);
out.push(pa[0], pa.length);
const protoProxied = Object.setPrototypeOf([5], new Proxy(Array.prototype, handler));
protoProxied.push(6);
out.push(protoProxied.length);
const { proxy, revoke } = Proxy.revocable([], {});
revoke();
try { proxy.push(1); } catch (e) { out.push(e.constructor.name); }`,

  'optional calls keep their short-circuits and this binding': `
const out = globalThis.__out;
const arg = (v) => { out.push('arg ' + v); return v; };
let none = null;
const o = { list: [1], nothing: undefined };
out.push(none?.push(arg(1)), o.nothing?.push(arg(2)), o.list?.push(arg(3)));
const noPush = {};
out.push(noPush.push?.(arg(4)), o.list.push?.(arg(5)), none?.push?.(arg(6)));
try { (none?.push)(arg(7)); } catch (e) { out.push(e.constructor.name); }
class C { constructor() { this.items = []; } push(x) { out.push(this === c, x); return this.items.push(x); } get(k) { return this.items[k]; } }
const c = new C();
out.push(c.push(8), c.get(0), (c.push)(9), c['push'](10), c.items.join());`,

  'exceptions of the call propagate unchanged': `
const out = globalThis.__out;
const frozen = Object.freeze([1]);
const nothing = null, plain = {};
for (const f of [() => frozen.push(2), () => frozen.pop(), () => frozen.sort(), () => new Map().set.call({}, 1, 2), () => [].push.call(null, 1), () => nothing.push(1), () => plain.push(1)]) {
  try { out.push(f()); } catch (e) { out.push(e.constructor.name + ': ' + e.message); }
}
const sorted = [3, 1, 2];
try { sorted.sort(() => { throw new Error('cmp'); }); } catch (e) { out.push(e.message, sorted.join()); }`,

  'subclasses, overrides, spread arguments and arguments that mutate the container': `
const out = globalThis.__out;
class Q extends Array {}
const q = new Q();
out.push(q.push(...[1, 2], ...new Set([3])), q.unshift(0), q.join());
class Counting extends Map { set(k, v) { out.push('override ' + k); return super.set(k, v); } }
const cm = new Counting([['a', 1]]);
cm.set('b', 2);
out.push(cm.size, cm.get('b'));
const a = [1, 2, 3];
out.push(a.push(a.pop(), a.shift()), a.join(), a.splice(a.push(9) - 3, a.length, ...a).join(), a.join());
const s = new Set();
const fn = () => {};
s.add(fn).add(() => {}).add(function () {});
out.push([...s].map((f) => f.name).join('|'), s.has(fn), s.delete(fn), s.size);
const m = new Map([[() => {}, 1]]);
m.set(() => {}, 2);
out.push([...m.keys()].map((f) => JSON.stringify(f.name)).join());`,

  'element reads and writes, length and size': `
const out = globalThis.__out;
const pool = ['a', 'b'];
pool[2] = 'c';
pool.length = 2;
pool[0] += '!';
pool[1]++;
[pool[3]] = ['d'];
out.push(pool.length, pool.join(), new Map([[1, 2]]).size, new Set([1]).size);
const typed = new Uint8Array(2);
typed[0] = 7;
out.push(typed[0], typed.length);`,
};

const names = Object.keys(cases);
let results;

test.before(async () => {
  const collector = await startCollector();
  try {
    const envs = { off: {}, on: { RACEWAY_ENABLED: 'true', RACEWAY_ENDPOINT: collector.endpoint } };
    results = (await differentialBatch(names.map((n) => cases[n]), { envs, name: 'containers' }))
      .map((d) => ({ ...d, name: names[d.index] }));
  } finally {
    await collector.close();
  }
});

for (const name of names) {
  test(name, (t) => {
    const mine = results.filter((d) => d.name === name);
    for (const d of mine) t.log(`${d.build}, recording ${d.env}:\n--- plain\n${d.plain}\n--- instrumented\n${d.inst}`);
    t.is(mine.length, 0);
  });
}
