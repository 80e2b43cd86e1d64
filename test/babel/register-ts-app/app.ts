import { createRequire } from 'node:module';
import { deposit, type Account } from './account.ts';
const require = createRequire(import.meta.url);
const audit: { log(entry: string): number } = require('./audit.cts');
const alice: Account = { owner: 'alice', balance: 100 };
async function transfer(amount: number): Promise<number> {
  await null;
  deposit(alice, -amount);
  return audit.log(`moved ${amount}`);
}
const entries = await Promise.all([transfer(10), transfer(20)]);
console.log(alice.balance, entries.join(','));
