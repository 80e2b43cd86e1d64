// Starts the banking API on PORT (default 3001), reporting to the Raceway server at
// RACEWAY_ENDPOINT (default http://localhost:8080).
import { init } from 'raceway';
import { createApp } from './app.mjs';

const raceway = init({ serviceName: 'manual-api-banking', environment: 'development' });
const port = Number(process.env.PORT ?? 3001);
const server = createApp(raceway).listen(port, () => {
  console.log(`banking API on http://localhost:${port} (GET /balances, POST /transfer, POST /reset)`);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => server.close(() => raceway.shutdown().then(() => process.exit(0))));
}
