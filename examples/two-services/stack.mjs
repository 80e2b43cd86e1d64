// Compiles the two services through raceway/transformer and starts them: the ledger service first,
// then the banking API pointed at it, both reporting to `endpoint`, sharing a database directory.
// Used by `npm run demo:services` and by the example's end-to-end test.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

export function compile() {
  execFileSync(process.execPath, [require.resolve('ts-patch/bin/tspc'), '-p', here], { stdio: 'pipe' });
}

/** Resolves with the URL a service prints (`<name> listening on <url>`). */
function listening(child, name) {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = new RegExp(`${name} listening on (\\S+)`).exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code} before it listened: ${out}`)));
  });
}

/**
 * Starts both services (ports 0: any free ones). `env` is added to both (e.g. RACEWAY_* settings).
 * Returns their URLs and `stop()`, which ends both and removes the database.
 */
export async function startServices({ endpoint, bankPort = 0, ledgerPort = 0, env = {}, stdio = 'inherit' } = {}) {
  const dbDir = mkdtempSync(join(tmpdir(), 'raceway-two-services-'));
  mkdirSync(dbDir, { recursive: true });
  const base = { ...process.env, RACEWAY_ENDPOINT: endpoint, DB_DIR: dbDir, ...env };
  const children = [];
  const run = (file, port, extra) => {
    const child = spawn(process.execPath, [join(here, 'dist', file)], { env: { ...base, PORT: String(port), ...extra }, stdio: ['ignore', 'pipe', stdio] });
    children.push(child);
    return child;
  };
  const stop = async () => {
    for (const c of children) {
      if (c.exitCode === null && c.signalCode === null) {
        const gone = new Promise((r) => c.once('exit', r));
        c.kill('SIGTERM');
        await gone;
      }
    }
    rmSync(dbDir, { recursive: true, force: true });
  };
  try {
    const ledger = await listening(run('ledger.js', ledgerPort, {}), 'ledger-service');
    const bank = await listening(run('bank.js', bankPort, { LEDGER_URL: ledger }), 'banking-api');
    return { bank, ledger, children, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
