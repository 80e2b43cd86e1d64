// Starts the real Raceway server and the compiled Koa banking demo as processes on free loopback ports.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../..', import.meta.url));
const require = createRequire(import.meta.url);

let built = false;
/** Compiles the demo through ts-patch + raceway/transformer (once per test file). */
export function buildDemo() {
  if (built) return;
  execFileSync(process.execPath, [require.resolve('ts-patch/bin/tspc'), '-p', 'examples/koa-banking'], { cwd: root, stdio: 'pipe' });
  built = true;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

function started(child, text) {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => { out += d; if (out.includes(text)) resolve(); });
    child.once('exit', (code) => reject(new Error(`exited with ${code} before "${text}": ${out}`)));
  });
}

export async function startStack() {
  buildDemo();
  const racewayPort = await freePort();
  const demoPort = await freePort();
  const endpoint = `http://127.0.0.1:${racewayPort}`;
  const server = spawn(process.execPath, ['dist/server/cli.js', 'serve', '--memory', '--port', String(racewayPort)], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  await started(server, 'listening');
  const demo = spawn(process.execPath, ['examples/koa-banking/dist/server.js'], { cwd: root, env: { ...process.env, PORT: String(demoPort), RACEWAY_ENDPOINT: endpoint }, stdio: ['ignore', 'pipe', 'inherit'] });
  await started(demo, 'listening');
  const base = `http://127.0.0.1:${demoPort}`;
  return {
    base,
    endpoint,
    async stop() {
      for (const c of [demo, server]) {
        if (c.exitCode === null && c.signalCode === null) {
          const gone = new Promise((r) => c.once('exit', r));
          c.kill('SIGTERM');
          await gone;
        }
      }
    },
  };
}

/** Line of the first source line in examples/koa-banking/src/bank.ts that contains `text`. */
export function bankLine(text) {
  const lines = readFileSync(new URL('../../examples/koa-banking/src/bank.ts', import.meta.url), 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(text));
  if (i < 0) throw new Error(`bank.ts has no line with ${text}`);
  return `src/bank.ts:${i + 1}`;
}
