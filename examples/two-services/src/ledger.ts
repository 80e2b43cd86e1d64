/**
 * The ledger service (`ledger-service`, PORT 3002): checks transfers, journals them, takes deposits,
 * and — for `/transfers` — applies a transfer itself. Every balance update it makes holds the
 * `accounts` lock, so its own updates never interleave; the banking API's updates do not hold it.
 */
import { init, withLock } from 'raceway';
import { BankError, allBalances, positiveAmount, readBalance, resetDatabase, writeBalance } from './db';
import { jsonApp, start, type Body } from './http';

const raceway = init({ serviceName: 'ledger-service', flushInterval: 250 });

/** How long the fraud check takes (a model call, say). */
const CHECK_MS = Number(process.env.CHECK_MS ?? 300);

interface Entry { from: string; to: string; amount: number; balanceAfter: number }
const journal: Entry[] = [];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function account(v: unknown): string {
  if (typeof v !== 'string') throw new BankError('account must be a string');
  return v;
}

/** Approves a debit the account can cover (after the fraud model had its say). */
async function check(b: Body): Promise<{ approved: boolean }> {
  const balance = await readBalance(account(b.account));
  await sleep(CHECK_MS);
  return { approved: balance >= positiveAmount(b.amount) };
}

/** Journals a transfer the caller has applied, with the balance it left. */
async function record(b: Body): Promise<Entry> {
  const entry = { from: account(b.from), to: account(b.to), amount: positiveAmount(b.amount), balanceAfter: await readBalance(account(b.from)) };
  journal.push(entry);
  return entry;
}

/** Applies a transfer under the accounts lock and journals it. */
async function transfer(b: Body): Promise<Entry> {
  const from = account(b.from);
  const to = account(b.to);
  const amount = positiveAmount(b.amount);
  return withLock('accounts', async () => {
    const balance = await readBalance(from);
    if (balance < amount) throw new BankError('insufficient funds');
    await writeBalance(from, balance - amount);
    await writeBalance(to, (await readBalance(to)) + amount);
    const entry = { from, to, amount, balanceAfter: balance - amount };
    journal.push(entry);
    return entry;
  });
}

async function deposit(b: Body): Promise<{ balance: number }> {
  const to = account(b.account);
  const amount = positiveAmount(b.amount);
  return withLock('accounts', async () => {
    const balance = (await readBalance(to)) + amount;
    await writeBalance(to, balance);
    return { balance };
  });
}

async function reset(): Promise<unknown> {
  journal.length = 0;
  return resetDatabase();
}

start(jsonApp(raceway, {
  'POST /checks': check,
  'POST /entries': record,
  'POST /transfers': transfer,
  'POST /deposits': deposit,
  'POST /reset': reset,
  'GET /balances': () => allBalances(),
  'GET /journal': () => journal,
}), raceway, 'ledger-service', 3002);
