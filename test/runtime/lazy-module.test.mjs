// An instrumented module first required while a recorded request is running (a lazy `require` in
// code that was not instrumented): its initialisation must not take the rest of the request with it.
import test from 'ava';
import { createRequire } from 'node:module';
import Koa from 'koa';
import { init, validateEvent } from 'raceway';
import { startCollector, kindOf } from './_collector.mjs';

const require = createRequire(import.meta.url);
const tick = () => new Promise((r) => setImmediate(r));

test('work after a lazy require of an instrumented module stays in the request that did it', async (t) => {
  const col = await startCollector();
  const c = init({ endpoint: col.endpoint, handleExit: false, flushInterval: 50 });
  const state = { n: 0 };
  const app = new Koa();
  app.use(c.koa());
  app.use(async (ctx) => { // not instrumented: a library's handler, say
    await tick();
    const lazy = require('./_lazy-module.cjs'); // its prologue runs here, inside the request
    lazy.touch(state); // in the same synchronous run as the prologue
    await tick();
    lazy.touch(state); // in a later continuation of the request
    ctx.body = 'ok';
  });
  const server = app.listen(0);
  const res = await fetch(`http://127.0.0.1:${server.address().port}/lazy`);
  t.is(await res.text(), 'ok');
  t.is(state.n, 2);
  await c.flush();
  server.closeAllConnections();
  server.close();
  for (const e of col.events) t.deepEqual(validateEvent(e), []);
  const request = col.events.find((e) => kindOf(e) === 'HttpRequest');
  const writes = col.events.filter((e) => kindOf(e) === 'StateChange' && e.kind.StateChange.access_type === 'Write');
  t.truthy(request);
  t.is(writes.length, 2, 'both writes are recorded');
  for (const w of writes) t.is(w.trace_id, request.trace_id, 'a write belongs to the request, not to the process root');
  const calls = col.events.filter((e) => kindOf(e) === 'FunctionCall' && e.kind.FunctionCall.function_name === 'touch');
  t.deepEqual(calls.map((e) => e.trace_id), [request.trace_id, request.trace_id]);
  await c.shutdown();
  await col.close();
});
