// A transfer through the banking API while the ledger service takes a deposit into the same
// account, then what Raceway found. With the services running (see README.md):
//
//   node examples/two-services/race.mjs           the racy /transfer: the deposit is lost
//   node examples/two-services/race.mjs --safe    /transfer-safe: the ledger applies the transfer
//
// Prints one JSON line: the balances afterwards (Alice should have 1000 - 100 + 50 = 950), the trace
// of the transfer, and the races the Raceway server reports (null if it is not running).
const bank = process.env.BANK_URL ?? 'http://127.0.0.1:3001';
const ledger = process.env.LEDGER_URL ?? 'http://127.0.0.1:3002';
const endpoint = process.env.RACEWAY_ENDPOINT ?? 'http://127.0.0.1:8080';
const safe = process.argv.includes('--safe');
/** When the deposit is sent after the transfer: inside the ledger's check (CHECK_MS, 300 ms by default). */
const depositAfter = Number(process.env.DEPOSIT_AFTER_MS ?? 100);

async function post(url, body) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// One transfer first, so that both services have made their first calls (connections, code warmed up).
await post(`${ledger}/reset`, {});
await post(`${bank}/transfer-safe`, { from: 'alice', to: 'bob', amount: 1 });
await post(`${ledger}/reset`, {});
// The deposit lands while the bank waits for the ledger's fraud check (300 ms).
const transfer = post(`${bank}${safe ? '/transfer-safe' : '/transfer'}`, { from: 'alice', to: 'bob', amount: 100 });
await sleep(depositAfter);
const deposit = await post(`${ledger}/deposits`, { account: 'alice', amount: 50 });
const transferred = await transfer;
const balances = await (await fetch(`${ledger}/balances`)).json();

// The services ship their events every 250 ms.
await sleep(1500);
let races = null;
try {
  const res = await fetch(new URL('/api/races', endpoint));
  if (res.ok) {
    races = (await res.json()).data.races.map((r) => ({
      kind: r.kind, severity: r.severity, variable: r.variable,
      services: [...new Set(r.accesses.map((a) => a.service_name))].sort(),
    }));
  }
} catch { /* no Raceway server running */ }

console.log(JSON.stringify({ variant: safe ? 'safe' : 'racy', transfer: transferred, deposit, balances, races }));
