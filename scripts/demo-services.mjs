// `npm run demo:services`: the two-service example (examples/two-services) — the Raceway server
// (8080), the ledger service (3002) and the banking API (3001) — then one run of the racy transfer
// and one of the fixed one, with what Raceway reports. Ctrl-C stops everything.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile, startServices } from '../examples/two-services/stack.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const racewayPort = Number(process.env.RACEWAY_PORT ?? 8080);
const endpoint = `http://127.0.0.1:${racewayPort}`;

console.log('Compiling examples/two-services with tspc + raceway/transformer…');
try {
  compile();
} catch (err) {
  console.error(`demo:services: the example did not compile\n${err.stdout ?? ''}${err.stderr ?? ''}`);
  process.exit(1);
}

const server = spawn(process.execPath, [join(root, 'dist/server/cli.js'), 'serve', '--port', String(racewayPort), '--memory'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
await new Promise((resolve, reject) => {
  let out = '';
  server.stdout.on('data', (d) => { out += d; if (out.includes('listening')) resolve(); });
  server.once('exit', () => reject(new Error(`the Raceway server did not start (is port ${racewayPort} free? set RACEWAY_PORT to use another)`)));
}).catch((err) => { console.error(`demo:services: ${err.message}`); process.exit(1); });

let services;
let stopping = false;
async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  await services?.stop();
  server.kill('SIGTERM');
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

try {
  services = await startServices({ endpoint, bankPort: Number(process.env.BANK_PORT ?? 3001), ledgerPort: Number(process.env.LEDGER_PORT ?? 3002) });
} catch (err) {
  console.error(`demo:services: ${err.message} (are ports 3001 and 3002 free? set BANK_PORT / LEDGER_PORT)`);
  await stop(1);
}

const race = (args) => new Promise((resolve) => {
  const child = spawn(process.execPath, [join(root, 'examples/two-services/race.mjs'), ...args], {
    env: { ...process.env, BANK_URL: services.bank, LEDGER_URL: services.ledger, RACEWAY_ENDPOINT: endpoint }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.on('exit', () => { try { resolve(JSON.parse(out)); } catch { resolve(null); } });
});

const racy = await race([]);
console.log(`\nRacy transfer (alice → bob 100) while the ledger takes a deposit of 50 into alice:`);
console.log(`  balances: ${JSON.stringify(racy?.balances)}  (alice should have 950)`);
for (const r of racy?.races ?? []) console.log(`  Raceway: ${r.severity} ${r.kind} on ${r.variable} between ${r.services.join(' and ')}`);
const safe = await race(['--safe']);
console.log(`\nFixed transfer (/transfer-safe: the ledger applies it under its lock), same deposit:`);
console.log(`  balances: ${JSON.stringify(safe?.balances)}; races reported in all: ${safe?.races?.length ?? '?'} (no new one)`);

console.log(`
  Banking API:    ${services.bank}   (POST /transfer, POST /transfer-safe)
  Ledger service: ${services.ledger}   (POST /deposits, GET /balances, GET /journal)
  Raceway server: ${endpoint}   (web view: ${endpoint}/; npx raceway races)

  node examples/two-services/race.mjs [--safe] runs the scenario again. Ctrl-C stops everything.
`);
