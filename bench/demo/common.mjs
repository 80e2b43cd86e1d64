// What the demo benchmarks share: building the demo both ways, free loopback ports, child processes
// started until they say they listen, a process's CPU time, and the demo's request mix.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../..', import.meta.url));
const require = createRequire(import.meta.url);

/** Builds the demo twice: through the transformer (`dist`) and with plain tsc (`dist-plain`). */
export function buildDemo() {
  execFileSync(process.execPath, [require.resolve('ts-patch/bin/tspc'), '-p', 'examples/koa-banking'], { cwd: root, stdio: 'inherit' });
  // Plain tsc does not run transformers: the same sources, uninstrumented.
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'examples/koa-banking', '--outDir', 'examples/koa-banking/dist-plain'], { cwd: root, stdio: 'inherit' });
}

/**
 * CPU seconds (user + system) a process has used, all threads (`thread` omitted) or its main thread
 * (`thread` = pid); null where /proc is missing.
 */
export function cpuSeconds(pid, thread) {
  try {
    const fields = readFileSync(thread ? `/proc/${pid}/task/${thread}/stat` : `/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // clock ticks (USER_HZ = 100 on Linux)
  } catch { return null; }
}

export function freePort() {
  return new Promise((resolve) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); }); });
}

/**
 * Starts `command args` in the repository root and resolves with the child once its stdout has
 * printed `ready`; rejects if it exits first. `command` defaults to this Node.
 */
export async function startProcess(args, env, ready = 'listening', { command = process.execPath, stderr = 'inherit' } = {}) {
  const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', stderr] });
  await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => { out += d; if (out.includes(ready)) resolve(); });
    child.once('exit', (c) => reject(new Error(`${[command, ...args].join(' ')} exited ${c} before "${ready}"`)));
  });
  return child;
}

/** Resolves once `child` has exited, after SIGTERM (or `signal`) if it is still running. */
export function stopProcess(child, signal = 'SIGTERM') {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const gone = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  return gone;
}

/** The demo's load: GET /balances and POST /deposit, 3:1 (autocannon `requests`). */
export function demoRequests() {
  const deposit = JSON.stringify({ account: 'bob', amount: 1 });
  return [
    { method: 'GET', path: '/balances' },
    { method: 'GET', path: '/balances' },
    { method: 'GET', path: '/balances' },
    { method: 'POST', path: '/deposit', headers: { 'content-type': 'application/json' }, body: deposit },
  ];
}
