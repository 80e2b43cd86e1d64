// The manual API under the Koa middleware, uninstrumented: each request reads alice's balance
// with captureStateChange, awaits (simulated I/O), writes it back. Two concurrent transfers (the
// lost update: 1000 - 100 - 200 should be 700, ends as 800 or 900), then two sequential ones on
// bob. The runtime sends no AsyncAwait events for this code.
const Koa = require('koa');
const { init } = require('../../../dist/runtime/index.js');

const raceway = init({ serviceName: 'manual-koa', endpoint: process.env.RACEWAY_ENDPOINT });
const balances = { alice: 1000, bob: 1000 };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const app = new Koa();
app.use(raceway.koa());
app.use(async (ctx) => {
  const url = new URL(ctx.url, 'http://x');
  const who = url.searchParams.get('from');
  const amount = Number(url.searchParams.get('amount'));
  const balance = balances[who];
  raceway.captureStateChange(`${who}.balance`, null, balance, 'manual-koa.cjs:19', 'Read');
  await sleep(30);
  balances[who] = balance - amount;
  raceway.captureStateChange(`${who}.balance`, balance, balances[who], 'manual-koa.cjs:22', 'Write');
  ctx.body = { balance: balances[who] };
});

async function main() {
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const base = `http://127.0.0.1:${server.address().port}`;
  const transfer = (from, amount) => fetch(`${base}/transfer?from=${from}&amount=${amount}`, { method: 'POST' }).then((r) => r.json());
  await Promise.all([transfer('alice', 100), transfer('alice', 200)]);
  await transfer('bob', 100);
  await transfer('bob', 200);
  await new Promise((r) => server.close(r));
  await raceway.shutdown();
  process.stdout.write(JSON.stringify({ balances, stats: raceway.stats() }));
}
main().catch((e) => { console.error(e); process.exit(1); });
