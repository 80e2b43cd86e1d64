/**
 * The accounts database both services use: one JSON file per account row under DB_DIR, read and
 * written with real I/O, as rows of a shared SQL table would be. The rows live outside either
 * process, so the compile-time instrumentation cannot see them; like a database driver with a
 * Raceway integration, this module (left out of instrumentation in tsconfig.json) reports each row
 * access itself, as a read or write of `db:accounts.<id>.balance` by the calling task (the `db:` prefix
 * tells Raceway that the state is outside the processes, so accesses from both services are compared).
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { getClient } from 'raceway';

export type Balances = Record<string, number>;

export const ACCOUNTS = ['alice', 'bob'] as const;
const INITIAL: Balances = { alice: 1000, bob: 500 };

export class BankError extends Error {}

function rowFile(account: string): string {
  if (!(ACCOUNTS as readonly string[]).includes(account)) throw new BankError(`unknown account ${account}`);
  const dir = process.env.DB_DIR;
  if (!dir) throw new Error('DB_DIR is not set');
  return join(dir, `${account}.json`);
}

const variable = (account: string) => `db:accounts.${account}.balance`;

/** `SELECT balance FROM accounts WHERE id = ?` */
export async function readBalance(account: string): Promise<number> {
  const balance = JSON.parse(await readFile(rowFile(account), 'utf8')) as number;
  getClient().captureStateChange(variable(account), balance, balance, 'db.ts:31', 'Read');
  return balance;
}

/** `UPDATE accounts SET balance = ? WHERE id = ?` (the file is replaced in one step: a reader never sees half of it). */
export async function writeBalance(account: string, balance: number): Promise<void> {
  const file = rowFile(account);
  const old = JSON.parse(await readFile(file, 'utf8')) as number;
  getClient().captureStateChange(variable(account), old, balance, 'db.ts:39', 'Write');
  await writeFile(`${file}.${process.pid}.tmp`, JSON.stringify(balance));
  await rename(`${file}.${process.pid}.tmp`, file);
}

export async function allBalances(): Promise<Balances> {
  const out: Balances = {};
  for (const a of ACCOUNTS) out[a] = JSON.parse(await readFile(rowFile(a), 'utf8')) as number;
  return out;
}

export async function resetDatabase(): Promise<Balances> {
  for (const a of ACCOUNTS) await writeFile(rowFile(a), JSON.stringify(INITIAL[a]));
  return { ...INITIAL };
}

export function positiveAmount(v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new BankError('amount must be a positive number');
  return v;
}
