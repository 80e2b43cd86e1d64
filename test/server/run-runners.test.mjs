// `raceway run` with the test runners people use, end to end: a suite whose one test runs two
// transfers at once (a lost update) is reported and `--fail-on-race` exits 3; the same suite with
// the transfers one after the other reports nothing and exits 0; a suite that fails on its own
// keeps its runner's exit code. Jest and Vitest run test files outside Node's loader (their own
// module systems), so they are set up as the README says: babel-jest with the raceway/babel preset
// plus raceway/jest, and the raceway/vite plugin.
import test from 'ava';
import { BANK, project, raceway, transfers } from './run-helpers.mjs';

/** Output without terminal colours (runners colour it when the environment asks them to). */
const text = (r) => (r.stdout + r.stderr).replace(/\x1b\[[0-9;]*m/g, '');

const RACE = /RACE DETECTED: accounts\.alice\.balance {2}\[lost update\]/;

/** Each runner: its project files for a suite (racy, fixed or failing) and the command running it. */
const RUNNERS = {
  mocha: {
    files: (sequential, failing = false) => ({
      'bank.test.mjs': `import assert from 'node:assert';
${BANK}
it('transfers', async () => {
  ${transfers(sequential)}
  assert.ok(accounts.alice.balance ${failing ? '> 1000' : '< 1000'});
});
`,
    }),
    command: ['node_modules/mocha/bin/mocha.js', 'bank.test.mjs'],
    passed: /1 passing/,
    location: /Location: bank\.test\.mjs:8/,
  },
  jest: {
    files: (sequential) => ({
      'package.json': JSON.stringify({ name: 'bank', private: true, jest: { setupFilesAfterEnv: ['raceway/jest'] } }),
      'babel.config.js': "module.exports = { presets: [['@babel/preset-env', { targets: { node: 'current' } }], 'raceway/babel'] };\n",
      'bank.test.js': `${BANK}
test('transfers', async () => {
  ${transfers(sequential)}
  expect(accounts.alice.balance).toBeLessThan(1000);
});
`,
    }),
    command: ['node_modules/jest/bin/jest.js', '--cacheDirectory', '.jest-cache'],
    passed: /Tests: {7}1 passed, 1 total/,
    location: /Location: bank\.test\.js:7/,
    // The runtime's state outlives the test file's global scope: Jest must not warn about it.
    noise: /soft deleted/,
  },
  vitest: {
    files: (sequential) => ({
      'package.json': JSON.stringify({ name: 'bank', private: true, type: 'module' }),
      'vitest.config.mjs': "import raceway from 'raceway/vite';\nexport default { plugins: [raceway()], cacheDir: '.vite-cache' };\n",
      // TypeScript: the locations are the .ts file's own lines (line 9 is the write).
      'bank.test.ts': `import { expect, test } from 'vitest';

const accounts: Record<string, { balance: number }> = { alice: { balance: 1000 } };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function transfer(amount: number): Promise<void> {
  const balance: number = accounts.alice.balance;
  await sleep(10);
  accounts.alice.balance = balance - amount;
}

test('transfers', async () => {
  ${transfers(sequential)}
  expect(accounts.alice.balance).toBeLessThan(1000);
});
`,
    }),
    command: ['node_modules/vitest/vitest.mjs', 'run'],
    passed: /Tests {2}1 passed/,
    location: /Location: bank\.test\.ts:9/,
  },
};

for (const [name, runner] of Object.entries(RUNNERS)) {
  test(`${name}: the lost update is reported and --fail-on-race exits 3; the fixed suite exits 0`, async (t) => {
    const racy = await raceway(['run', '--fail-on-race', '--', process.execPath, ...runner.command], project(t, runner.files(false), { installed: true }));
    t.is(racy.code, 3, racy.stdout + racy.stderr);
    t.regex(text(racy), runner.passed, 'the suite ran as it would');
    t.regex(racy.stdout, RACE);
    t.regex(racy.stdout, runner.location);
    t.regex(racy.stdout, /1 race \(1 critical, 0 warnings\)/);
    if (runner.noise) t.notRegex(racy.stderr, runner.noise);
    const fixed = await raceway(['run', '--fail-on-race', '--', process.execPath, ...runner.command], project(t, runner.files(true), { installed: true }));
    t.is(fixed.code, 0, fixed.stdout + fixed.stderr);
    t.regex(text(fixed), runner.passed);
    t.regex(fixed.stdout, /No races detected/);
  });
}

test('mocha: a suite that fails on its own keeps its exit code, races or not', async (t) => {
  const r = await raceway(['run', '--fail-on-race', '--', process.execPath, ...RUNNERS.mocha.command], project(t, RUNNERS.mocha.files(false, true), { installed: true }));
  t.is(r.code, 1, r.stdout + r.stderr);
  t.regex(r.stdout, /1 failing/);
  t.regex(r.stdout, RACE, 'the race is still reported');
});
