// Two concurrent transfers from Alice against the API, then what Raceway found.
//
//   node examples/manual-api/race.mjs        (with `npx raceway serve` running)
//
// Prints one JSON line: the final balances (Alice ends at 800 instead of 700: one update is lost),
// the client's delivery stats, and the races the Raceway server reports (null if it is not running).
import { init } from 'raceway';
import { createApp } from './app.mjs';

const raceway = init({ serviceName: 'manual-api-banking', environment: 'development', handleExit: false });
const server = createApp(raceway).listen(0, '127.0.0.1');
await new Promise((resolve) => server.once('listening', resolve));
const api = `http://127.0.0.1:${server.address().port}`;

const post = async (path, body) => {
  const res = await fetch(api + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return res.json();
};

await post('/reset', {});
await Promise.all([
  post('/transfer', { from: 'alice', to: 'bob', amount: 100 }),
  post('/transfer', { from: 'alice', to: 'charlie', amount: 200 }),
]);
const balances = await (await fetch(api + '/balances')).json();

await raceway.flush();
const stats = raceway.stats();
let races = null;
try {
  const endpoint = process.env.RACEWAY_ENDPOINT ?? 'http://localhost:8080';
  const res = await fetch(new URL('/api/races', endpoint));
  if (res.ok) races = (await res.json()).data.races.map((r) => ({ kind: r.kind, variable: r.variable, first: r.first.location, second: r.second.location }));
} catch { /* no Raceway server running */ }

console.log(JSON.stringify({ balances, stats, races }));
await raceway.shutdown();
server.close();
