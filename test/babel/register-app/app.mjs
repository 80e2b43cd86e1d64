import { createRequire } from 'node:module';
import { count, inc } from './mod.mjs';
const require = createRequire(import.meta.url);
const lib = require('./lib.cjs');
const o = { v: 1 };
async function main() { await null; o.v += inc(); lib.bump(1); return o.v; }
console.log(await main(), count, lib.state.n);
