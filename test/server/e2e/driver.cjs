// Uninstrumented driver: runs the instrumented bank app and sends the banking example's traffic to it.
const { createApp, raceway } = require(process.argv[2]);

async function main() {
  const server = createApp().listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const base = `http://127.0.0.1:${server.address().port}`;
  const post = (path, body) => fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json());
  // One client, one request after the other: safe.
  await post('/deposit', { account: 'bob', amount: 100 });
  await post('/transfer', { from: 'bob', to: 'carol', amount: 50 });
  // The banking example's race button: two concurrent transfers from alice.
  await Promise.all([post('/transfer', { from: 'alice', to: 'bob', amount: 100, together: 2 }), post('/transfer', { from: 'alice', to: 'carol', amount: 200, together: 2 })]);
  // The same, under withLock: safe.
  await Promise.all([post('/safe-transfer', { from: 'carol', to: 'bob', amount: 10 }), post('/safe-transfer', { from: 'carol', to: 'alice', amount: 20 })]);
  const balances = await fetch(base + '/balances').then((r) => r.json());
  await new Promise((r) => server.close(r));
  await raceway.shutdown();
  process.stdout.write(JSON.stringify({ balances, stats: raceway.stats() }));
}
main().catch((e) => { console.error(e); process.exit(1); });
