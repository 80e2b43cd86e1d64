// Getters/setters run once with the right receiver; Proxies see exactly the traps they saw before.
'use strict';
const log = [];
const traps = [];
const target = { a: 1, nested: { b: 2 } };
const p = new Proxy(target, {
  get(t, k, r) { traps.push('get ' + String(k)); return Reflect.get(t, k, r); },
  set(t, k, v, r) { traps.push('set ' + String(k)); return Reflect.set(t, k, v, r); },
  deleteProperty(t, k) { traps.push('delete ' + String(k)); return Reflect.deleteProperty(t, k); },
  has(t, k) { traps.push('has ' + String(k)); return Reflect.has(t, k); },
  getOwnPropertyDescriptor(t, k) { traps.push('gopd ' + String(k)); return Reflect.getOwnPropertyDescriptor(t, k); },
});
let count = 0;
const o = {
  _v: 1,
  get v() { log.push('get v ' + (this === o)); count++; return this._v; },
  set v(x) { log.push('set v ' + x + ' ' + (this === o)); this._v = x; },
};
o.v += 5;
o.v++;
const r1 = ++o.v;
o.v ||= 9;
o.v &&= o.v * 2;
p.a += 1;
p.nested.b++;
delete p.a;
p.c ??= 3;
[p.x, o.v] = [10, 20];
({ a: p.y = 5 } = {});
for (p.z of [1, 2]) ;
const inherited = Object.create(o);
inherited.v = 100; // setter on the prototype, receiver is `inherited`
console.log(JSON.stringify(log), count, r1, o.v, o._v, inherited._v, Object.keys(inherited).join());
console.log(traps.join('|'));
console.log(JSON.stringify(target));
