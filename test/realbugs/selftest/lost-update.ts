// The harness's own check: the lost update every version of the analyzer reports (two withdrawals
// read the balance, await, and write back what they computed from the stale read). If this is not
// reported, the harness (compile, runtime, server, scoring) is broken, not the analyzer.
const account = { balance: 1000 };

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function withdraw(amount: number): Promise<void> {
  const balance = account.balance;
  await delay(10);
  account.balance = balance - amount;
}

Promise.all([withdraw(100), withdraw(200)]).then(() => console.log(`balance ${account.balance} (700 expected)`));
