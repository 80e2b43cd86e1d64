// The stale read of a lost update is a read repeated in a loop: the report must show the read the
// filter keeps (same site, same value), and the same tasks, sites and values.
const account = { balance: 100, fee: 2 };

async function withdraw(amount: number, delay: number): Promise<void> {
  let balance = 0;
  for (let i = 0; i < 30; i++) balance = account.balance - account.fee * 0;
  await new Promise((r) => setTimeout(r, delay));
  account.balance = balance - amount;
}

async function deposit(amount: number): Promise<void> {
  await new Promise((r) => setTimeout(r, 5));
  for (let i = 0; i < 30; i++) if (account.fee > 1) account.balance = account.balance + 0;
  account.balance = account.balance + amount;
}

Promise.all([withdraw(30, 40), deposit(50), withdraw(5, 80)]).then(() => console.log(account.balance));
