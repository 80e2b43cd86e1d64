'use strict';
const order = [];
const t = (tag, v) => (order.push(tag), v);
const obj = { a: { b: 1, arr: [1, 2, 3] }, k: 'b' };
let shared = 0;
function bump() { shared += 1; return shared; }
t('base', obj).a[t('key', 'b')] = t('value', 5);
t('base2', obj.a)[t('key2', 'b')] += t('rhs', 2);
t('base3', obj.a).arr[t('idx', 1)]++;
shared = t('assign', bump()) + shared;
const keyObj = { toString() { order.push('toString'); return 'b'; } };
obj.a[keyObj] = 7;
obj.a[keyObj] *= 2;
const res = [t('x', 1), (shared += t('y', 2)), t('z', shared)];
console.log(order.join(','), JSON.stringify(obj), shared, res.join());
function f(a = obj.a.b, { b = shared } = {}, ...rest) { return [a, b, rest.length, arguments.length]; }
console.log(f().join(), f(undefined, { b: 1 }, 3, 4).join());
let x = 1;
const y = (x = 2, x += 3, x++, ++x, x);
console.log(x, y);
let s = 'a';
s += s += 'b';
console.log(s);
let big = 10n;
big++; big **= 2n; big--;
let m = '5';
const post = m++;
console.log(String(big), m, post, typeof post);
