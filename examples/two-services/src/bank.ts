/**
 * The banking API (`banking-api`, PORT 3001): transfers between accounts of the shared database,
 * with the ledger service (LEDGER_URL, http://127.0.0.1:3002) checking and journaling each one.
 * The calls to the ledger are plain `fetch`: Raceway adds the trace headers and records them.
 */
import { init } from 'raceway';
import { BankError, positiveAmount, readBalance, writeBalance } from './db';
import { jsonApp, start, type Body } from './http';

const raceway = init({ serviceName: 'banking-api', flushInterval: 250 });
const ledgerUrl = process.env.LEDGER_URL ?? 'http://127.0.0.1:3002';

async function ledger(path: string, body: Body): Promise<Body> {
  const res = await fetch(ledgerUrl + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const answer = (await res.json()) as Body;
  if (!res.ok) throw new BankError(`ledger: ${String(answer.error)}`);
  return answer;
}

function parse(b: Body): { from: string; to: string; amount: number } {
  if (typeof b.from !== 'string' || typeof b.to !== 'string' || b.from === b.to) throw new BankError('from and to must be two accounts');
  return { from: b.from, to: b.to, amount: positiveAmount(b.amount) };
}

/**
 * The race: the balance read before the ledger's check is written back after it. A deposit the
 * ledger takes meanwhile (in another request) is overwritten: a lost update across two services.
 */
async function transfer(b: Body): Promise<Body> {
  const { from, to, amount } = parse(b);
  const balance = await readBalance(from);
  if (balance < amount) throw new BankError('insufficient funds');
  if (!(await ledger('/checks', { account: from, amount })).approved) throw new BankError('refused by the ledger');
  await writeBalance(from, balance - amount);
  await writeBalance(to, (await readBalance(to)) + amount);
  await ledger('/entries', { from, to, amount });
  return { [from]: await readBalance(from), [to]: await readBalance(to) };
}

/** The fix: the ledger applies the transfer under the same lock as its deposits. */
async function transferSafe(b: Body): Promise<Body> {
  const { from, to, amount } = parse(b);
  if ((await readBalance(from)) < amount) throw new BankError('insufficient funds');
  if (!(await ledger('/checks', { account: from, amount })).approved) throw new BankError('refused by the ledger');
  await ledger('/transfers', { from, to, amount });
  return { [from]: await readBalance(from), [to]: await readBalance(to) };
}

start(jsonApp(raceway, {
  'POST /transfer': transfer,
  'POST /transfer-safe': transferSafe,
}), raceway, 'banking-api', 3001);
