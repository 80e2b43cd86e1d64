'use strict';
const fns = [];
for (let i = 0; i < 3; i++) { let j = i * 2; fns.push(() => (j++, i + j)); }
console.log(fns.map((f) => f()).join(), fns.map((f) => f()).join());
function counter() {
  let n = 0;
  return { inc: () => ++n, dec() { return n--; }, get: () => n };
}
const c1 = counter(), c2 = counter();
c1.inc(); c1.inc(); c2.dec();
console.log(c1.get(), c2.get());
function shadow(x) { { let x = 5; x++; } const f = () => x; x = x + 1; return f(); }
console.log(shadow(1));
let total = 0;
[1, 2, 3].forEach((v) => { total += v; });
const add = (a, b = total) => a + b;
console.log(total, add(1), add(1, 1));
let tdz = 'outer';
{
  try { tdzInner; } catch (e) { console.log(e.constructor.name); }
  let tdzInner = 1;
  tdzInner++;
  const g = () => tdzInner;
  console.log(g());
}
function hoisted() { return typeof later; var later = 1; }
console.log(hoisted(), typeof notDeclared, tdz);
label: for (let a = 0; a < 3; a++) { for (let b = 0; b < 3; b++) { if (b === 1) continue label; if (a === 2) break label; total += a * 10 + b; } }
console.log(total);
let sw = 0;
switch (total) { case 16: { let q = 1; sw += q; } default: sw += 2; }
console.log(sw);
