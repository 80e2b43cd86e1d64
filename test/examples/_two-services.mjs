// A real `raceway serve` process and the two-service example (examples/two-services) reporting to it,
// for the tests that drive the example: its end-to-end test and the web view's.
import { execFile, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startServices } from '../../examples/two-services/stack.mjs';

export const root = fileURLToPath(new URL('../..', import.meta.url));

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

/** A `raceway serve --memory` process on a free port, stopped when the test ends; resolves with its URL. */
export async function serveRaceway(t) {
  const port = await freePort();
  const server = spawn(process.execPath, ['dist/server/cli.js', 'serve', '--memory', '--port', String(port)], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (d) => { out += d; if (out.includes('listening')) resolve(); });
    server.once('exit', (code) => reject(new Error(`raceway serve exited with ${code}`)));
  });
  t.teardown(async () => {
    if (server.exitCode !== null || server.signalCode !== null) return;
    const gone = new Promise((r) => server.once('exit', r));
    server.kill('SIGTERM');
    await gone;
  });
  return `http://127.0.0.1:${port}`;
}

/**
 * Both services reporting to `endpoint` (stopped when the test ends), and `run(...args)`: the
 * example's race.mjs scenario against them, its JSON answer. `env` is added to both services.
 */
export async function exampleServices(t, endpoint, env = {}) {
  const services = await startServices({ endpoint, env: { RACEWAY_MAX_EVENTS_PER_SECOND: 'unlimited', ...env } });
  t.teardown(() => services.stop());
  const run = async (...args) => {
    const { stdout } = await promisify(execFile)(process.execPath, [root + 'examples/two-services/race.mjs', ...args], {
      env: { ...process.env, BANK_URL: services.bank, LEDGER_URL: services.ledger, RACEWAY_ENDPOINT: endpoint, DEPOSIT_AFTER_MS: '400' }, timeout: 60_000,
    });
    return JSON.parse(stdout);
  };
  return { services, run };
}
