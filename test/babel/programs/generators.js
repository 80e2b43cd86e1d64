'use strict';
let state = 0;
function* gen(n) {
  try {
    for (let i = 0; i < n; i++) {
      const got = yield i * 10;
      state += got ?? 0;
    }
    yield* [100, 200];
    return 'done';
  } finally {
    state = -state;
  }
}
const g = gen(3);
const out = [g.next(), g.next(1), g.next(2), g.next(3), g.next(4), g.return('early'), g.next()];
console.log(JSON.stringify(out), state);
function* inner() { const x = yield 'a'; return x * 2; }
function* outer() { const r = yield* inner(); yield r; }
const o = outer();
console.log(JSON.stringify([o.next(), o.next(21), o.next()]));
const g2 = gen(5); g2.next();
try { g2.throw(new Error('boom')); } catch (e) { console.log('caught', e.message, state); }
const obj = { *[Symbol.iterator]() { yield 1; yield 2; } };
console.log([...obj].join());
