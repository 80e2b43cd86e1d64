// The HTTP API (Koa). The only Raceway line is the middleware: every request becomes a trace and a
// task of its own, so the balance reads and writes captured while it runs belong to it.
import Koa from 'koa';
import { bodyParser } from '@koa/bodyparser';
import { BankError, createBank } from './bank.mjs';

export function createApp(raceway) {
  const bank = createBank(raceway);
  const app = new Koa();
  app.use(raceway.koa());

  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      ctx.status = err instanceof BankError ? 400 : 500;
      ctx.body = { error: ctx.status === 400 ? err.message : 'internal error' };
    }
  });
  app.use(bodyParser({ enableTypes: ['json'] }));

  app.use(async (ctx) => {
    const route = `${ctx.method} ${ctx.path}`;
    const body = ctx.request.body ?? {};
    if (route === 'GET /balances') ctx.body = bank.balances();
    else if (route === 'POST /transfer') ctx.body = await bank.transfer(body.from, body.to, body.amount);
    else if (route === 'POST /reset') ctx.body = bank.reset();
    else {
      ctx.status = 404;
      ctx.body = { error: `no route ${route}` };
    }
  });
  return app;
}
