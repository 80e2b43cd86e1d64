/**
 * The HTTP API (Koa 3): the Raceway banking example's endpoints plus `/transfer-safe`. Every bad request gets a
 * 400 with a JSON error, and a refused operation changes no balance.
 */
import Koa from 'koa';
import serve from 'koa-static';
import { bodyParser } from '@koa/bodyparser';
import { join } from 'node:path';
import type { RacewayClient } from 'raceway';
import { BankError, balances, deposit, reset, transfer, transferSafe } from './bank';
import { racewayPanel } from './raceway-panel';

type Body = Record<string, unknown>;

function body(ctx: Koa.Context): Body {
  const b = (ctx.request as unknown as { body?: unknown }).body;
  if (b === null || typeof b !== 'object' || Array.isArray(b)) throw new BankError('expected a JSON object body');
  return b as Body;
}

export function createApp(raceway: RacewayClient, racewayEndpoint: string): Koa {
  const app = new Koa();
  app.use(raceway.koa());

  // Errors become JSON: 400 for refused requests and malformed bodies, 500 for anything else.
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      const status = err instanceof BankError ? 400 : (err as { status?: number }).status ?? 500;
      ctx.status = status >= 400 && status < 600 ? status : 500;
      ctx.body = { error: status === 500 ? 'internal error' : (err as Error).message };
      if (ctx.status === 500) ctx.app.emit('error', err, ctx);
    }
  });
  app.use(bodyParser({ enableTypes: ['json'], onError: () => { throw new BankError('malformed JSON body'); } }));

  const routes: Record<string, (ctx: Koa.Context) => unknown> = {
    'GET /balances': () => balances(),
    'POST /deposit': (ctx) => { const b = body(ctx); return deposit(b.account, b.amount); },
    'POST /transfer': (ctx) => { const b = body(ctx); return transfer(b.from, b.to, b.amount); },
    'POST /transfer-safe': (ctx) => { const b = body(ctx); return transferSafe(b.from, b.to, b.amount); },
    'POST /reset': () => reset(),
  };

  app.use(racewayPanel(raceway, racewayEndpoint));
  app.use(async (ctx, next) => {
    const route = routes[`${ctx.method} ${ctx.path}`];
    if (route) ctx.body = await route(ctx);
    else await next();
  });
  // The page and its assets; API calls never reach the file system.
  app.use(serve(join(__dirname, '..', 'public')));
  app.use((ctx) => {
    ctx.status = 404;
    ctx.body = { error: `no route ${ctx.method} ${ctx.path}` };
  });
  return app;
}
