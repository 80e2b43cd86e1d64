// A real HTTP server on loopback that accepts POST /events like a Raceway server and keeps what it
// got. `plan` scripts the status codes of successive requests (then 200s), to test retries and drops;
// an entry `{ status: 206, rejected_count: n }` answers as a server that rejected n of the events.
import http from 'node:http';

/** The received events each event came with (happens-before needs the whole stream: see _happens-before.mjs). */
export const streamOf = new WeakMap();

export async function startCollector({ plan = [] } = {}) {
  const events = [];
  const requests = [];
  const statuses = [...plan];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const planned = statuses.length ? statuses.shift() : 200;
      const status = typeof planned === 'object' ? planned.status : planned;
      const extra = typeof planned === 'object' ? { rejected_count: planned.rejected_count } : {};
      requests.push({ method: req.method, url: req.url, headers: req.headers, bytes: body.length, status });
      if (status === 200 && req.url === '/events') {
        try { const got = JSON.parse(body.toString('utf8')).events; for (const e of got) streamOf.set(e, events); events.push(...got); } catch { res.writeHead(400).end('{"success":false}'); return; }
      }
      res.writeHead(status, { 'content-type': 'application/json' });
      const ok = status >= 200 && status < 300;
      res.end(JSON.stringify({ success: ok, data: ok ? 'ok' : null, error: ok ? null : 'scripted', ...extra }));
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    events,
    requests,
    close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(r); }),
  };
}

/** A loopback port with nothing listening on it. */
export async function deadEndpoint() {
  const server = http.createServer();
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return `http://127.0.0.1:${port}`;
}

export function kindOf(e) {
  return Object.keys(e.kind)[0];
}
