// A loopback relay in front of `raceway serve`: forwards every request unchanged and, for
// POST /events, also appends the batch's events to a JSON array file. Large suites put more events
// into one trace than GET /api/traces/:id can return as a single JSON text, so the dump is written
// as the events arrive instead of being read back.
import { createWriteStream } from 'node:fs';
import http from 'node:http';
import { gunzipSync, inflateSync } from 'node:zlib';

/** @returns {Promise<{ url: string, events: () => number, close: () => Promise<void> }>} */
export async function startTee(target, dumpFile) {
  const out = createWriteStream(dumpFile);
  out.write('[');
  let count = 0;
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (req.method === 'POST' && req.url === '/events') record(body, req.headers['content-encoding']);
      const headers = { ...req.headers, host: new URL(target).host, 'content-length': String(body.length) };
      const up = http.request(new URL(req.url, target), { method: req.method, headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      up.on('error', () => { res.writeHead(502); res.end(); });
      up.end(body);
    });
  });
  function record(body, encoding) {
    try {
      const raw = encoding === 'gzip' ? gunzipSync(body) : encoding === 'deflate' ? inflateSync(body) : body;
      for (const e of JSON.parse(raw.toString('utf8')).events ?? []) {
        out.write((count++ === 0 ? '' : ',\n') + JSON.stringify(e));
      }
    } catch {
      /* a batch the server will reject too */
    }
  }
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    events: () => count,
    close: () => new Promise((r) => {
      server.close();
      server.closeAllConnections();
      out.end(']\n', r);
    }),
  };
}
