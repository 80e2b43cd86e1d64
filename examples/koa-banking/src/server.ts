/**
 * Starts the banking API on PORT (3000), reporting to the Raceway server at RACEWAY_ENDPOINT
 * (http://localhost:8080). The business code is instrumented at compile time by raceway/transformer;
 * the middleware and the lock are its only Raceway calls.
 */
import { init } from 'raceway';
import { createApp } from './app';

const endpoint = process.env.RACEWAY_ENDPOINT ?? 'http://localhost:8080';
const port = Number(process.env.PORT ?? 3000);
// Other settings (RACEWAY_SAMPLE_RATE, RACEWAY_ENABLED, …) come from the environment.
const raceway = init({ endpoint, serviceName: 'koa-banking', environment: process.env.NODE_ENV ?? 'development', flushInterval: 250 });

const server = createApp(raceway, endpoint).listen(port, () => {
  const address = server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  process.stdout.write(`Banking demo listening on http://localhost:${actual} (Raceway: ${endpoint})\n`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close();
    server.closeAllConnections();
    void raceway.shutdown().then(() => process.exit(0));
  });
}
