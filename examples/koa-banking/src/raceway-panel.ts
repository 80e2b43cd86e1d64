/**
 * Lets the page show Raceway's view without talking to another origin: `/raceway/status` says
 * whether the Raceway server answers, `/raceway/races` delivers this process's pending events and
 * returns the server's race reports.
 */
import type Koa from 'koa';
import type { RacewayClient } from 'raceway';

export function racewayPanel(raceway: RacewayClient, endpoint: string): Koa.Middleware {
  return async (ctx, next) => {
    if (ctx.method !== 'GET' || !ctx.path.startsWith('/raceway/')) return next();
    try {
      if (ctx.path === '/raceway/status') {
        const res = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(1000) });
        ctx.body = { connected: res.ok, endpoint, stats: raceway.stats() };
        return;
      }
      if (ctx.path === '/raceway/races') {
        await raceway.flush();
        const res = await fetch(`${endpoint}/api/races`, { signal: AbortSignal.timeout(5000) });
        const json = (await res.json()) as { data?: unknown };
        ctx.body = { connected: true, endpoint, ...(json.data as object) };
        return;
      }
      ctx.status = 404;
      ctx.body = { error: 'unknown Raceway panel route' };
    } catch (err) {
      ctx.body = { connected: false, endpoint, stats: raceway.stats(), error: `Raceway server not reachable at ${endpoint}: ${(err as Error).message}` };
    }
  };
}
