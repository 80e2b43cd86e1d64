// Function bodies become try blocks: their top-level let/const/class/function declarations and
// labels move to the try block's scope without a re-crawl. Shadowing, closures in loops, names equal
// to outer bindings and labels must survive preset-env's block scoping of the instrumented build.
'use strict';
let x = 'outer x';
const y = 'outer y';
class K { name() { return 'outer K'; } }
function f(a) {
  let x = a + 1;
  const y = x * 2;
  class K { name() { return 'inner K ' + y; } }
  function g() { return x + y; }
  const fns = [];
  for (let i = 0; i < 3; i++) { let x = i; fns.push(() => x + y); }
  outer: for (const v of [1, 2, 3]) { for (const w of [1, 2]) { if (w === 2) continue outer; x += v * w; } }
  x++;
  return [x, y, new K().name(), g(), fns.map((h) => h()).join('/')].join(' ');
}
console.log(f(1), f(10));
console.log(x, y, new K().name());
const arrow = (n) => { let x = n; let total = 0; block: { if (n > 2) break block; total = 5; } const inner = () => x + total; x *= 3; return inner(); };
console.log(arrow(1), arrow(3));
function withCatch() {
  let state = 'start';
  try { state = 'try'; throw new Error('boom'); } catch (e) { let state2 = state + ':' + e.message; state = state2; }
  return state;
}
console.log(withCatch());
async function asyncBody(n) {
  const parts = [];
  let acc = n;
  for (const d of [1, 2]) { acc += await Promise.resolve(d); parts.push(acc); }
  class Box { constructor(v) { this.v = v; } }
  return new Box(parts.join('+')).v;
}
function* genBody() { let k = 0; while (k < 3) { const s = k * 2; yield s; k++; } }
asyncBody(1).then((r) => console.log('async', r, [...genBody()].join()));
