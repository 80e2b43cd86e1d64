// The bank: three accounts in memory. Nothing here is compiled or instrumented: the reads and
// writes of a balance that matter are reported by hand with `captureStateChange`, each with the
// location a race report should point at.
//
// `transfer` has the classic race on purpose: it reads the balance, waits for (simulated) ledger
// I/O, then writes a balance computed from what it read. Two concurrent transfers from one account
// both read the old balance, and the second write overwrites the first: an update is lost.

export const INITIAL_BALANCES = Object.freeze({ alice: 1000, bob: 500, charlie: 300 });

export class BankError extends Error {
  name = 'BankError';
}

/** Simulated ledger I/O (a tenth of a second, long enough for requests sent together to overlap). */
function ledgerWrite(amount) {
  return new Promise((resolve) => setTimeout(resolve, 100 + Math.min(amount, 1000) / 10));
}

/** A bank that reports its balance reads and writes to `raceway` (a RacewayClient). */
export function createBank(raceway) {
  const accounts = {};
  for (const [name, balance] of Object.entries(INITIAL_BALANCES)) accounts[name] = { balance };

  function account(name) {
    if (typeof name !== 'string' || !Object.hasOwn(accounts, name)) throw new BankError(`unknown account ${JSON.stringify(name)}`);
    return accounts[name];
  }

  function balances() {
    return Object.fromEntries(Object.entries(accounts).map(([name, a]) => [name, a.balance]));
  }

  /** The racy transfer: read, await, write what was computed from the (possibly stale) read. */
  async function transfer(from, to, amount) {
    const source = account(from);
    const target = account(to);
    if (typeof amount !== 'number' || !(amount > 0)) throw new BankError('amount must be a positive number');
    if (source === target) throw new BankError('cannot transfer to the same account');

    const balance = source.balance;
    raceway.captureStateChange(`accounts.${from}.balance`, balance, balance, 'bank.mjs:42', 'Read');
    if (balance < amount) throw new BankError(`insufficient funds: ${from} has ${balance}`);

    await ledgerWrite(amount);

    raceway.captureStateChange(`accounts.${from}.balance`, balance, balance - amount, 'bank.mjs:47', 'Write');
    source.balance = balance - amount;
    const credited = target.balance;
    raceway.captureStateChange(`accounts.${to}.balance`, credited, credited + amount, 'bank.mjs:50', 'Write');
    target.balance = credited + amount;
    return balances();
  }

  function reset() {
    for (const [name, balance] of Object.entries(INITIAL_BALANCES)) accounts[name].balance = balance;
    return balances();
  }

  return { balances, transfer, reset };
}
