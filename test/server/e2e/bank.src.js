// The banking example's API (Express), instrumented by the Babel preset in the test.
const express = require('express');
const { init, withLock } = require('raceway');

const raceway = init({ serviceName: 'banking-api', environment: 'test', flushInterval: 50, handleExit: false });
const accounts = { alice: { balance: 1000 }, bob: { balance: 1000 }, carol: { balance: 1000 } };
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Requests that ask for it wait until `n` of them have read their balance: the banking example's race, made
// deterministic (on a busy machine two "concurrent" requests may otherwise not overlap at all).
let waiting = [];
function rendezvous(n) {
  return new Promise((resolve) => {
    waiting.push(resolve);
    if (waiting.length >= n) {
      for (const r of waiting) r();
      waiting = [];
    }
  });
}

async function transfer(from, to, amount, together) {
  const balance = accounts[from].balance;
  if (balance < amount) throw new Error('insufficient funds');
  await (together ? rendezvous(together) : sleep(5)); // simulated I/O between the read and the write
  accounts[from].balance = balance - amount;
  accounts[to].balance += amount;
}

async function deposit(account, amount) {
  const balance = accounts[account].balance;
  await sleep(5);
  accounts[account].balance = balance + amount;
}

// Routes at module level (bank-factory.src.js has the same routes inside createApp()).
const app = express();
app.use(raceway.express());
app.use(express.json());
app.post('/transfer', async (req, res) => {
  await transfer(req.body.from, req.body.to, req.body.amount, req.body.together);
  res.json({ ok: true });
});
app.post('/safe-transfer', async (req, res) => {
  await withLock('account:' + req.body.from, () => transfer(req.body.from, req.body.to, req.body.amount));
  res.json({ ok: true });
});
app.post('/deposit', async (req, res) => {
  await deposit(req.body.account, req.body.amount);
  res.json({ ok: true });
});
app.get('/balances', (req, res) => {
  res.json({ alice: accounts.alice.balance, bob: accounts.bob.balance, carol: accounts.carol.balance });
});

module.exports = { createApp: () => app, raceway };
