/**
 * The bank: three accounts in memory and the operations the API exposes. `transfer` has the Raceway banking example's
 * race on purpose: it reads the balance, waits for (simulated) ledger I/O, then writes a balance
 * computed from what it read, so two concurrent transfers from one account lose an update.
 * `transferSafe` is the same transfer holding the account's lock.
 */
import { withLock } from 'raceway';

export interface Account {
  balance: number;
}

export const INITIAL_BALANCES: Readonly<Record<string, number>> = { alice: 1000, bob: 500, charlie: 300 };

export const accounts: Record<string, Account> = {
  alice: { balance: INITIAL_BALANCES.alice! },
  bob: { balance: INITIAL_BALANCES.bob! },
  charlie: { balance: INITIAL_BALANCES.charlie! },
};

/** A request the bank refuses; the API answers 400 with `message`. */
export class BankError extends Error {
  override name = 'BankError';
}

function account(name: unknown): Account {
  if (typeof name !== 'string' || !Object.prototype.hasOwnProperty.call(accounts, name)) {
    throw new BankError(`unknown account ${JSON.stringify(name)}; accounts are ${Object.keys(accounts).join(', ')}`);
  }
  return accounts[name]!;
}

function validAmount(amount: unknown): number {
  if (typeof amount !== 'number' || !Number.isFinite(amount) || amount <= 0) {
    throw new BankError(`amount must be a positive number, got ${JSON.stringify(amount)}`);
  }
  return amount;
}

/** Simulated ledger I/O; larger transfers take a little longer to clear. */
function ledgerWrite(amount: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 20 + Math.min(amount, 1000) / 10));
}

export function balances(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of Object.keys(accounts)) out[name] = accounts[name]!.balance;
  return out;
}

export function deposit(name: unknown, amount: unknown): Record<string, number> {
  const acct = account(name);
  const value = validAmount(amount);
  acct.balance += value;
  return balances();
}

/** The racy transfer: read, await, write what was computed from the (possibly stale) read. */
export async function transfer(from: unknown, to: unknown, amount: unknown): Promise<Record<string, number>> {
  const source = account(from);
  const target = account(to);
  const value = validAmount(amount);
  if (source === target) throw new BankError('cannot transfer to the same account');
  const balance = source.balance;
  if (balance < value) throw new BankError(`insufficient funds: ${String(from)} has ${balance}`);
  await ledgerWrite(value);
  source.balance = balance - value;
  target.balance += value;
  return balances();
}

/** The same transfer inside the source account's lock: concurrent transfers take turns. */
export function transferSafe(from: unknown, to: unknown, amount: unknown): Promise<Record<string, number>> {
  account(from);
  return withLock(`account:${String(from)}`, () => transfer(from, to, amount));
}

export function reset(): Record<string, number> {
  for (const name of Object.keys(INITIAL_BALANCES)) account(name).balance = INITIAL_BALANCES[name]!;
  return balances();
}
