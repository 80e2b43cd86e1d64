/**
 * What both services share: a Koa app with the Raceway middleware, JSON bodies and JSON errors (400
 * for refused requests, 500 otherwise), a routing table, and a start-up that prints where it listens.
 */
import Koa from 'koa';
import { bodyParser } from '@koa/bodyparser';
import type { RacewayClient } from 'raceway';
import { BankError } from './db';

export type Body = Record<string, unknown>;
export type Routes = Record<string, (body: Body) => unknown>;

export function jsonApp(raceway: RacewayClient, routes: Routes): Koa {
  const app = new Koa();
  app.use(raceway.koa());
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      ctx.status = err instanceof BankError ? 400 : 500;
      ctx.body = { error: ctx.status === 400 ? (err as Error).message : 'internal error' };
      if (ctx.status === 500) ctx.app.emit('error', err, ctx);
    }
  });
  app.use(bodyParser({ enableTypes: ['json'], onError: () => { throw new BankError('malformed JSON body'); } }));
  app.use(async (ctx) => {
    const route = routes[`${ctx.method} ${ctx.path}`];
    if (!route) {
      ctx.status = 404;
      ctx.body = { error: `no route ${ctx.method} ${ctx.path}` };
      return;
    }
    const b = (ctx.request as unknown as { body?: unknown }).body;
    ctx.body = await route(b !== null && typeof b === 'object' && !Array.isArray(b) ? (b as Body) : {});
  });
  return app;
}

/** Listens on PORT (or `fallbackPort`), prints `<name> listening on <url>`, and shuts down cleanly on SIGINT/SIGTERM. */
export function start(app: Koa, raceway: RacewayClient, name: string, fallbackPort: number): void {
  const server = app.listen(Number(process.env.PORT ?? fallbackPort), '127.0.0.1', () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    process.stdout.write(`${name} listening on http://127.0.0.1:${port}\n`);
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      server.close();
      server.closeAllConnections();
      void raceway.shutdown().then(() => process.exit(0));
    });
  }
}
