// Shared by the `raceway run` end-to-end tests: a scratch project, the CLI run in it, and the bank
// module with a lost update across an await.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../dist/server/cli.js', import.meta.url));
export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const NODE_MODULES = join(REPO, 'node_modules');

/** The account and its transfer with a lost update across an await (the write is BANK's line 7). */
export const BANK = `const accounts = { alice: { balance: 1000 } };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function transfer(amount) {
  const balance = accounts.alice.balance;
  await sleep(10);
  accounts.alice.balance = balance - amount;
}
`;

/** Two transfers at once (the race) or one after the other (fixed). */
export const transfers = (sequential) => sequential
  ? 'await transfer(100);\n  await transfer(200);'
  : 'await Promise.all([transfer(100), transfer(200)]);';

/**
 * A scratch project with these files. With `installed`, it sees the repository's node_modules
 * and the package itself as `raceway`, as an app that installed both would: <scratch>/node_modules
 * holds `raceway`, <scratch>/app/node_modules is the shared install.
 */
export function project(t, files, { installed = false } = {}) {
  const scratch = mkdtempSync(join(tmpdir(), 'raceway-run-'));
  t.teardown(() => rmSync(scratch, { recursive: true, force: true }));
  const dir = installed ? join(scratch, 'app') : scratch;
  if (installed) {
    mkdirSync(join(scratch, 'node_modules'), { recursive: true });
    symlinkSync(REPO, join(scratch, 'node_modules', 'raceway'), 'dir');
    mkdirSync(dir);
    symlinkSync(NODE_MODULES, join(dir, 'node_modules'), 'dir');
  }
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

/** `raceway ARGS` in `cwd`, with its exit code and output. */
export function raceway(args, cwd, env = {}) {
  return new Promise((resolve) => {
    const e = { ...process.env, RACEWAY_CACHE: 'false', ...env };
    delete e.NODE_OPTIONS;
    const p = spawn(process.execPath, [CLI, ...args], { cwd, env: e });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    const guard = setTimeout(() => p.kill('SIGKILL'), 120_000); // hang guard only
    p.on('close', (code) => { clearTimeout(guard); resolve({ code, stdout, stderr }); });
  });
}
