// A `raceway serve` child process for the benches: started, its base URL read from its banner,
// its RSS read from /proc (Linux), stopped.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const thisCli = fileURLToPath(new URL('../../dist/server/cli.js', import.meta.url));

/** Starts `node [nodeArgs] CLI serve ARGS`; resolves once it listens. */
export async function startServe(args, { cli = thisCli, nodeArgs = [] } = {}) {
  const child = spawn(process.execPath, [...nodeArgs, cli, 'serve', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const base = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('close', (code) => reject(new Error(`server exited ${code}`)));
  });
  return { child, base };
}

export async function stopServe(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  await new Promise((r) => child.once('close', r));
}

/** Resident memory of a process in MB, or null where /proc cannot say. */
export function rssMb(pid) {
  try {
    return Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'latin1'))[1]) / 1024);
  } catch {
    return null;
  }
}
