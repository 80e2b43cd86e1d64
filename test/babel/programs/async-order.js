'use strict';
// Microtask interleaving must be exactly the same: hooks never add promise ticks.
const order = [];
let shared = { n: 0 };
async function a() { order.push('a1'); await null; order.push('a2'); await undefined; order.push('a3'); shared.n++; return 'A'; }
async function b() { order.push('b1'); await Promise.resolve(); order.push('b2'); shared.n += 10; return 'B'; }
async function thrower() { await null; throw new Error('rejected'); }
async function c() {
  try { await thrower(); } catch (e) { order.push('caught ' + e.message); } finally { order.push('finally'); }
  return 'C';
}
async function* ag() { yield 1; await null; yield 2; }
async function d() { const r = []; for await (const x of ag()) { r.push(x); order.push('ag' + x); } return r.join(); }
Promise.resolve().then(() => order.push('t1')).then(() => order.push('t2')).then(() => order.push('t3')).then(() => order.push('t4'));
queueMicrotask(() => order.push('q'));
Promise.all([a(), b(), c(), d()]).then((r) => {
  order.push('all');
  setTimeout(() => console.log(order.join(','), r.join(), shared.n), 0);
});
const thenable = { then(res) { order.push('thenable'); res(42); } };
(async () => { const v = await thenable; order.push('v' + v); })();
