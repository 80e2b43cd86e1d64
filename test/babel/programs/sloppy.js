// A CommonJS script in sloppy mode: failed writes are silent, `this` at top level is module.exports.
var frozen = Object.freeze({ a: 1 });
frozen.a = 2;
frozen.b += 1;
delete frozen.a;
var counter = 0;
function inc() { counter++; this.touched = true; return this === globalThis; }
console.log(frozen.a, frozen.b, inc(), counter, globalThis.touched === true);
var arr = [1, 2];
arr.length = 1;
console.log(arr.length, this === module.exports);
with ({ w: 1 }) { w = 2; console.log(w); }
var fn = function () { return typeof this; };
console.log(fn(), fn.call(5));
(function () { 'use strict'; try { frozen.a = 3; } catch (e) { console.log(e.constructor.name); } })();
var undef;
try { undef.x = 1; } catch (e) { console.log(e.constructor.name, e.message); }
try { null.y; } catch (e) { console.log(e.message); }
