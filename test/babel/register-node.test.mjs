// `raceway/register` and the Node it runs on: TypeScript files instrumented without a build step
// where Node strips types natively (22.18+, 24), and the one-line message when the app has no
// @babel/core. Plain and instrumented runs must print the same; events come from a real loopback
// collector.
import test from 'ava';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { node, repoRoot } from './helpers/run.mjs';
import { registerDist } from '../helpers/toolchain.mjs';
import { projectEvents, startCollector } from '../helpers/fixture-harness.mjs';

const dist = registerDist;

function scratch(t, prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const stripsTypes = Boolean(process.features.typescript);
const typeStrippingTest = stripsTypes ? test.serial : test.skip;
const why = stripsTypes ? '' : ` (skipped: Node ${process.version} does not strip TypeScript types; needs 22.18+ or 24)`;

typeStrippingTest(`node --import raceway/register app.ts instruments TypeScript files without a build step${why}`, async (t) => {
  const dir = scratch(t, 'rw-register-ts-');
  cpSync(join(repoRoot, 'test', 'babel', 'register-ts-app'), dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'ts-app', type: 'module' }));
  const plain = await node(['app.ts'], dir);
  t.is(plain.code, 0, plain.stderr);
  const c = await startCollector();
  try {
    const r = await node(['--import', join(dist, 'register.mjs'), 'app.ts'], dir, { RACEWAY_ENABLED: 'true', RACEWAY_ENDPOINT: c.endpoint, RACEWAY_CACHE_DIR: join(dir, '.cache') });
    t.is(r.stderr, plain.stderr);
    t.is(r.stdout, plain.stdout);
    t.is(r.code, 0);
    const p = projectEvents(c.events());
    const has = (pred, what) => t.true(p.some(pred), `${what}\n${JSON.stringify(p)}`);
    // Lines are the TypeScript source's: stripping keeps every position.
    has((e) => e[1] === 'Call' && e[2] === 'transfer' && e[4] === 'app.ts:6', 'the async function in app.ts');
    has((e) => e[1] === 'Await' && e[2] === 'app.ts:7', 'its await');
    has((e) => e[1] === 'Write' && e[2] === 'account.balance' && e[5] === 'account.ts:3', 'the write in the imported .ts module');
    has((e) => e[1] === 'Call' && e[2] === 'log' && e[4] === 'audit.cts:2', 'the CommonJS .cts file required from it');
  } finally {
    await c.close();
  }
});

test.serial('raceway/register without @babel/core installed says in one line what to install', async (t) => {
  // An app whose node_modules has raceway (its front end, protocol and package.json) but no @babel/core anywhere
  // up the tree; picomatch is a dependency of raceway's options, linked as npm would install it.
  const app = scratch(t, 'rw-no-babel-');
  const pkg = join(app, 'node_modules', 'raceway');
  mkdirSync(pkg, { recursive: true });
  cpSync(join(repoRoot, 'package.json'), join(pkg, 'package.json'));
  for (const dir of ['babel-plugin', 'protocol']) cpSync(join(repoRoot, 'dist', dir), join(pkg, 'dist', dir), { recursive: true });
  symlinkSync(join(repoRoot, 'node_modules', 'picomatch'), join(app, 'node_modules', 'picomatch'), 'dir');
  writeFileSync(join(app, 'app.js'), 'console.log("ran");\n');
  writeFileSync(join(app, 'app.mjs'), 'console.log("ran");\n');
  for (const args of [['-r', 'raceway/register', 'app.js'], ['--import', 'raceway/register', 'app.mjs']]) {
    const r = await node(args, app);
    t.is(r.code, 1, args.join(' '));
    t.is(r.stdout, '', 'the app did not run');
    t.is(r.stderr, 'raceway/register needs @babel/core: install it in your app (npm install @babel/core) and run again\n');
  }
});
