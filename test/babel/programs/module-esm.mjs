// ES module: strict, top-level await, live bindings, import.meta.
export let count = 0;
export function inc() { count++; return count; }
export const obj = { n: 1 };
const order = [];
order.push(typeof import.meta.url);
await null;
order.push('after-tla');
inc(); inc();
obj.n += count;
for await (const v of [Promise.resolve(1), 2]) order.push('fa' + v);
try { undeclared = 1; } catch (e) { order.push(e.constructor.name); }
console.log(count, obj.n, order.join(','), this === undefined);
class K { static #p = 1; static get p() { return K.#p++; } }
console.log(K.p, K.p);
