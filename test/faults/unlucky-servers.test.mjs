// The client against servers that hang, crawl, fail or die: flush(timeoutMs) and shutdown() return
// within their bounds, nothing is thrown into the program, and every event stays counted
// (captured = sent + dropped + rejected + queued). Bounds are asserted loosely (a loaded machine is
// slow, never ten times the bound): they tell a bounded wait from an unbounded one.
import test from 'ava';
import http from 'node:http';
import net from 'node:net';
import { RacewayClient } from 'raceway';
import { serve, storedCount } from './_serve.mjs';

const base = { handleExit: false, maxEventsPerSecond: Infinity, flushInterval: 50 };

/** A loopback server: `onSocket` (raw TCP) or `onRequest` (HTTP). Closed when the test ends. */
async function fakeServer(t, { onSocket, onRequest }) {
  const sockets = new Set();
  const srv = onSocket ? net.createServer(onSocket) : http.createServer(onRequest);
  srv.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); s.on('error', () => undefined); });
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  t.teardown(() => { for (const s of sockets) s.destroy(); return new Promise((r) => srv.close(r)); });
  return `http://127.0.0.1:${srv.address().port}`;
}

/** Counts anything thrown or rejected outside the test's own code while `f` runs. */
async function nothingEscapes(t, f) {
  const escaped = [];
  const onError = (e) => escaped.push(e);
  process.on('uncaughtException', onError);
  process.on('unhandledRejection', onError);
  try {
    await f();
  } finally {
    process.off('uncaughtException', onError);
    process.off('unhandledRejection', onError);
  }
  t.deepEqual(escaped, []);
}

const exact = (t, s) => t.is(s.captured, s.sent + s.dropped + s.rejected + s.queued, JSON.stringify(s));

async function timed(f) {
  const t0 = Date.now();
  await f();
  return Date.now() - t0;
}

test('a server that accepts connections and never answers: flush and shutdown return within their bounds', async (t) => {
  const endpoint = await fakeServer(t, { onSocket: () => {} });
  await nothingEscapes(t, async () => {
    const c = new RacewayClient({ ...base, endpoint, shutdownTimeout: 500 });
    for (let i = 0; i < 500; i++) c.captureCustom('tick', i);
    const flushMs = await timed(() => c.flush(300));
    t.true(flushMs < 10_000, `flush(300) took ${flushMs} ms`);
    exact(t, c.stats());
    t.is(c.stats().queued, 500, 'not delivered, not given up on: still queued');
    const shutdownMs = await timed(() => c.shutdown());
    t.true(shutdownMs < 15_000, `shutdown (bound 500 ms) took ${shutdownMs} ms`);
    const s = c.stats();
    exact(t, s);
    t.like(s, { captured: 500, sent: 0, queued: 0, dropped: 500 });
  });
});

test('a server that answers slowly: a short flush leaves events queued, a later one delivers them all', async (t) => {
  let stored = 0;
  const endpoint = await fakeServer(t, {
    onRequest(req, res) {
      const chunks = [];
      req.on('data', (d) => chunks.push(d));
      req.on('end', () => setTimeout(() => {
        stored += JSON.parse(Buffer.concat(chunks).toString()).events.length;
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"success":true,"data":"ok","error":null}');
      }, 1500));
    },
  });
  await nothingEscapes(t, async () => {
    const c = new RacewayClient({ ...base, endpoint, batchSize: 50 });
    for (let i = 0; i < 200; i++) c.captureCustom('tick', i);
    await c.flush(100);
    exact(t, c.stats());
    t.true(c.stats().queued > 0);
    await c.flush(60_000);
    const s = c.stats();
    exact(t, s);
    t.like(s, { captured: 200, sent: 200, dropped: 0, queued: 0 });
    t.is(stored, 200);
    await c.shutdown();
  });
});

test('a server that resets every connection or answers 503 forever: events are dropped after the retries and counted', async (t) => {
  const resetting = await fakeServer(t, { onSocket: (s) => s.destroy() });
  const failing = await fakeServer(t, { onRequest: (req, res) => { req.resume(); req.on('end', () => res.writeHead(503).end()); } });
  await nothingEscapes(t, async () => {
    for (const endpoint of [resetting, failing]) {
      const c = new RacewayClient({ ...base, endpoint, batchSize: 20 });
      for (let i = 0; i < 100; i++) c.captureCustom('tick', i);
      await c.flush(120_000); // the retry schedule ends well before: everything is then given up on
      const s = c.stats();
      exact(t, s);
      t.like(s, { captured: 100, sent: 0, dropped: 100, queued: 0 });
      t.true(s.failedRequests > 0);
      await c.shutdown();
    }
  });
});

test('a real server killed with SIGKILL mid-stream: the client keeps counting, and what it counted as sent was stored', async (t) => {
  const srv = await serve(t);
  await nothingEscapes(t, async () => {
    const c = new RacewayClient({ ...base, endpoint: srv.base, batchSize: 50, shutdownTimeout: 1000 });
    for (let i = 0; i < 300; i++) c.captureCustom('before', i);
    await c.flush(60_000);
    t.is(c.stats().sent, 300);
    await srv.kill();
    for (let i = 0; i < 300; i++) c.captureCustom('after', i);
    await c.flush(60_000);
    const s = c.stats();
    exact(t, s);
    t.like(s, { captured: 600, sent: 300, dropped: 300, queued: 0 });
    await c.shutdown();
    // The same database, served again: the 300 acknowledged events are there.
    const again = await serve(t, { db: srv.db });
    t.is(await storedCount(again.base), 300);
  });
});
