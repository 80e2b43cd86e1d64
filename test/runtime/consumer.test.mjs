// A scratch consumer project that depends on the package, as a user's app would.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const require = createRequire(import.meta.url);

function scratch() {
  mkdirSync(join(root, '.tmp'), { recursive: true });
  const dir = mkdtempSync(join(root, '.tmp', 'consumer-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(root, join(dir, 'node_modules', 'raceway'), 'dir');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
  return dir;
}

const probe = `
const names = ['RacewayClient', 'init', 'getClient', 'withLock', 'Mutex', 'validateEvent'];
const ok = names.every((n) => typeof api[n] === 'function');
const c = new api.RacewayClient({ enabled: false });
console.log(JSON.stringify({ ok, enabled: c.enabled, hooks: typeof rt.enter }));
`;

test('require() and native import both expose the named API, sharing one module instance', (t) => {
  const dir = scratch();
  writeFileSync(join(dir, 'a.cjs'), `const api = require('raceway'); const rt = require('raceway/runtime');${probe}`);
  writeFileSync(join(dir, 'b.mjs'), `import * as api from 'raceway'; import * as rt from 'raceway/runtime'; import { RacewayClient } from 'raceway';
if (api.RacewayClient !== RacewayClient) throw new Error('named export mismatch');
const { createRequire } = await import('node:module');
if (createRequire(import.meta.url)('raceway').RacewayClient !== RacewayClient) throw new Error('dual instance');
${probe}`);
  for (const f of ['a.cjs', 'b.mjs']) {
    const out = JSON.parse(execFileSync(process.execPath, [join(dir, f)], { cwd: dir, encoding: 'utf8' }));
    t.deepEqual(out, { ok: true, enabled: false, hooks: 'function' }, f);
  }
});

test('the public API type-checks in a strict TypeScript consumer (CommonJS and ESM resolution)', (t) => {
  const dir = scratch();
  writeFileSync(join(dir, 'app.ts'), `
import { RacewayClient, init, withLock, type RacewayConfig, type RacewayEvent, type RacewayStats } from 'raceway';
const config: RacewayConfig = { serviceName: 'api', batchSize: 10, enabled: false };
const client: RacewayClient = init(config);
client.captureStateChange('alice.balance', 1000, 900, 'bank.ts:42');
client.captureStateChange('alice.balance', 1000, 1000, 'bank.ts:41', 'Read');
const stats: RacewayStats = client.stats();
const n: number = stats.captured - stats.sent - stats.dropped - stats.rejected - stats.queued + stats.failed + stats.failedRequests;
async function f(): Promise<number> { return withLock('alice', async () => n); }
const e: RacewayEvent | null = null;
void f(); void e;
// @ts-expect-error unknown access types are rejected by the types
client.captureStateChange('x', 1, 2, 'a:1', 'Modify');
`);
  const tsc = require.resolve('typescript/bin/tsc');
  for (const mod of ['node16', 'commonjs']) {
    const args = ['--noEmit', '--strict', '--skipLibCheck', 'false', '--types', 'node', '--module', mod, '--moduleResolution', mod === 'commonjs' ? 'node10' : 'node16', '--target', 'es2022', 'app.ts'];
    try {
      execFileSync(process.execPath, [tsc, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, NODE_PATH: join(root, 'node_modules') } });
      t.pass();
    } catch (err) {
      t.fail(`${mod}: ${err.stdout}${err.stderr}`);
    }
  }
});
