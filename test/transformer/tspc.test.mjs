// The documented setup: a scratch project with `{ "transform": "raceway/transformer" }` in
// tsconfig.json, built by ts-patch's `tspc`, against the same project built by plain `tsc`.
import test from 'ava';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, runNode, startCollector, projectEvents } from '../helpers/fixture-harness.mjs';
import { scratchDir } from '../helpers/run-instrumented.mjs';
import { tscPath, tspcPath } from '../helpers/toolchain.mjs';

const tspc = tspcPath;
const tsc = tscPath;

const FILES = {
  'src/bank.ts': `export class Bank {
  accounts: Record<string, { balance: number }> = { alice: { balance: 100 }, bob: { balance: 0 } };
  async transfer(from: string, to: string, amount: number) {
    const balance = this.accounts[from].balance;
    await null;
    this.accounts[from].balance = balance - amount;
    this.accounts[to].balance += amount;
  }
}
`,
  'src/main.ts': `import { Bank } from './bank';
const bank = new Bank();
Promise.all([bank.transfer('alice', 'bob', 10), bank.transfer('alice', 'bob', 20)]).then(() => {
  console.log(JSON.stringify(bank.accounts));
  if (process.argv[2] === 'throw') fail();
});
function fail() {
  throw new Error('line 8 of main.ts');
}
`,
};

function project(withPlugin) {
  const dir = scratchDir(withPlugin ? 'tspc' : 'tsc');
  for (const [f, src] of Object.entries(FILES)) {
    mkdirSync(join(dir, f, '..'), { recursive: true });
    writeFileSync(join(dir, f), src);
  }
  // as if installed: ts-patch resolves the transform from the project's node_modules
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(repoRoot, join(dir, 'node_modules', 'raceway'), 'dir');
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      target: 'ES2022', module: 'commonjs', strict: true, outDir: 'dist', rootDir: 'src', sourceMap: true, types: ['node'],
      ...(withPlugin ? { plugins: [{ transform: 'raceway/transformer' }] } : {}),
    },
    include: ['src'],
  }, null, 2));
  execFileSync(process.execPath, [withPlugin ? tspc : tsc, '-p', dir], { cwd: dir, stdio: 'pipe' });
  return dir;
}

test('tspc with the plugin entry builds a project that behaves like the tsc build and reports events', async (t) => {
  const plainDir = project(false);
  const instDir = project(true);
  const collector = await startCollector();
  let plain, inst;
  try {
    [plain, inst] = await Promise.all([
      runNode(join(plainDir, 'dist', 'main.js')),
      runNode(join(instDir, 'dist', 'main.js'), { RACEWAY_ENABLED: 'true', RACEWAY_ENDPOINT: collector.endpoint }),
    ]);
  } finally {
    await collector.close();
  }
  t.is(inst.stdout, plain.stdout);
  t.is(inst.code, 0);
  const events = projectEvents(collector.events());
  // paths are relative to the tsconfig.json directory
  const writes = events.filter((e) => e[1] === 'Write' && e[2].endsWith('.balance'));
  t.deepEqual(writes.map((e) => [e[2], e[3], e[4], e[5]]), [
    ['Bank.accounts.alice.balance', 100, 90, 'src/bank.ts:6'],
    ['Bank.accounts.bob.balance', 0, 10, 'src/bank.ts:7'],
    ['Bank.accounts.alice.balance', 90, 80, 'src/bank.ts:6'],
    ['Bank.accounts.bob.balance', 10, 30, 'src/bank.ts:7'],
  ]);
  t.true(events.some((e) => e[1] === 'Call' && e[2] === 'Bank.transfer' && e[4] === 'src/bank.ts:3'));
});

test('source maps stay valid: a stack trace points at the original line', (t) => {
  const dir = project(true);
  const r = spawnSync(process.execPath, ['--enable-source-maps', join(dir, 'dist', 'main.js'), 'throw'], { encoding: 'utf8', env: { ...process.env, RACEWAY_ENABLED: 'false' } });
  t.not(r.status, 0);
  const frame = /at fail \((.*)\)/.exec(r.stderr)?.[1] ?? '';
  t.regex(frame, /src[\\/]main\.ts:8:\d+$/);
  const caller = /at (?:\S+ )?\((.*main\.ts:\d+:\d+)\)/g;
  t.true([...r.stderr.matchAll(caller)].some((m) => /main\.ts:5:\d+$/.test(m[1])), r.stderr);
});
