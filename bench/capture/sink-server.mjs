// A minimal loopback Raceway ingest endpoint in its own process: accepts POST /events, counts events,
// answers like the server. Keeps the measured process's CPU for the client alone.
import http from 'node:http';
let events = 0;
const server = http.createServer((req, res) => {
  let n = 0;
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    if (req.url === '/count') { res.end(String(events)); return; }
    const body = Buffer.concat(chunks).toString();
    // count without a full parse: one "thread_id" per event
    let i = -1;
    while ((i = body.indexOf('"thread_id"', i + 1)) !== -1) n++;
    events += n;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(`{"success":true,"data":"Ingested ${n} events","error":null}`);
  });
});
server.listen(0, '127.0.0.1', () => process.send?.({ port: server.address().port }));
