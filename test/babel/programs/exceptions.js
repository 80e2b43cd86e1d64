'use strict';
function thrower(kind) {
  if (kind === 1) throw new TypeError('t');
  if (kind === 2) return null.x;
  if (kind === 3) { const o = {}; return o.missing.deep; }
  return 'ok';
}
const out = [];
for (const k of [0, 1, 2, 3]) {
  try { out.push(thrower(k)); } catch (e) { out.push(e.constructor.name + ':' + e.message); } finally { out.push('f' + k); }
}
function withFinally() { try { return 'try'; } finally { out.push('fin'); } }
function overrideReturn() { try { throw new Error('x'); } finally { return 'override'; } }
console.log(out.join('|'), withFinally(), overrideReturn());
const frozen = Object.freeze({ a: 1 });
try { frozen.a = 2; } catch (e) { console.log(e.constructor.name); }
try { delete frozen.a; } catch (e) { console.log(e.constructor.name); }
let late;
try { late = (() => { tdz; })(); let tdz = 1; } catch (e) { console.log(e.constructor.name); }
const stackDepth = (n) => (n === 0 ? 0 : 1 + stackDepth(n - 1));
console.log(stackDepth(500));
process.exitCode = 3;
setTimeout(() => { throw new RangeError('uncaught at the end'); }, 0);
