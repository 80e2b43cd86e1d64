// When events do not reach the server, the user is told once, on one line, how to start one.
import test from 'ava';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';

const program = fileURLToPath(new URL('./programs/unreachable.cjs', import.meta.url));

/** A loopback port that nothing listens on. */
async function closedPort() {
  const srv = createServer();
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address();
  await new Promise((r) => srv.close(r));
  return port;
}

function run(mode, env) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [program, mode], { env: { ...process.env, RACEWAY_DEBUG: '', RACEWAY_ENABLED: 'true', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('close', (code, signal) => resolve({ code, signal, stderr, lines: stderr.split('\n').filter(Boolean) }));
  });
}

const noticeOf = (endpoint) => `[raceway] cannot reach the Raceway server at ${endpoint}, so events are being dropped: start it with \`npx raceway serve\`; RACEWAY_DEBUG=1 shows the details`;

for (const mode of ['runs', 'ends', 'process.exit']) {
  test(`a closed port: exactly one line on stderr, saying how to start the server (${mode})`, async (t) => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const r = await run(mode, { RACEWAY_ENDPOINT: endpoint, RACEWAY_SHUTDOWN_TIMEOUT: '2000' });
    t.is(r.code, 0, r.stderr);
    t.deepEqual(r.lines, [noticeOf(endpoint)]);
  });
}

test('with debug on, the details are logged as well, and the notice still appears once', async (t) => {
  const endpoint = `http://127.0.0.1:${await closedPort()}`;
  const r = await run('runs', { RACEWAY_ENDPOINT: endpoint, RACEWAY_SHUTDOWN_TIMEOUT: '2000', RACEWAY_DEBUG: 'true' });
  t.is(r.code, 0, r.stderr);
  t.is(r.lines.filter((l) => l.includes('npx raceway serve')).length, 1, r.stderr);
  t.true(r.lines.some((l) => l.startsWith('[raceway] cannot reach ' + endpoint + ':')), r.stderr);
  t.true(r.lines.some((l) => /gave up on a batch of \d+ events/.test(l)), r.stderr);
});

test('a server that does not answer in time: one line at exit saying events were dropped', async (t) => {
  // Accepts connections and never responds: the exit flush runs out of time.
  const sockets = new Set();
  const srv = createServer(() => {});
  srv.on('connection', (s) => { sockets.add(s); });
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  t.teardown(() => { for (const s of sockets) s.destroy(); srv.close(); });
  const endpoint = `http://127.0.0.1:${srv.address().port}`;
  const r = await run('ends', { RACEWAY_ENDPOINT: endpoint, RACEWAY_SHUTDOWN_TIMEOUT: '300' });
  t.is(r.code, 0, r.stderr);
  t.deepEqual(r.lines, [`[raceway] events were dropped at exit: the Raceway server at ${endpoint} did not take them in time (is it running? start it with \`npx raceway serve\`; RACEWAY_DEBUG=1 shows the details)`]);
});

test('a server that takes the events: nothing on stderr', async (t) => {
  const srv = createServer((req, res) => { req.resume(); req.on('end', () => { res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"success":true}'); }); });
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  t.teardown(() => srv.close());
  const r = await run('runs', { RACEWAY_ENDPOINT: `http://127.0.0.1:${srv.address().port}`, RACEWAY_SHUTDOWN_TIMEOUT: '5000' });
  t.is(r.code, 0);
  t.is(r.stderr, '');
});
