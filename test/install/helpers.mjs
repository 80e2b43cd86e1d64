// Packs this repository the way `npm pack` does for a user (dist/ is already built by `npm test`),
// and runs npm and programs in scratch directories with an environment free of this run's settings.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export function scratchDir(t, prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * The environment of a user's shell: without the RACEWAY_* settings of this test run and without the
 * npm_* variables `npm test` sets (they would point a nested npm at this repository). Packages come
 * from npm's cache when it has them (npm ci filled it), so an install costs seconds, not downloads.
 */
export function userEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(RACEWAY_|npm_)/i.test(k)) env[k] = v;
  return { ...env, npm_config_prefer_offline: 'true', npm_config_fund: 'false', npm_config_audit: 'false', npm_config_update_notifier: 'false', ...extra };
}

export function run(cmd, args, { cwd, env = userEnv(), timeout = 150_000 } = {}) {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, env, timeout, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/** `npm pack` of this repository into `dir`; the tarball's path. dist/ is not rebuilt (npm test built it). */
export async function packInto(t, dir) {
  const r = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: ROOT });
  t.is(r.code, 0, r.stderr);
  const [info] = JSON.parse(r.stdout);
  return join(dir, info.filename);
}
