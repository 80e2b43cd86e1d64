// End to end: the Babel-instrumented Express banking app, the real runtime and transport, and
// this server's ingest and analyzer.
import test from 'ava';
import { transformFileSync } from '@babel/core';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { get, startServer } from './server-helpers.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));

async function runBank(t, source) {
  const { base } = await startServer(t);
  // Inside the package, so that require('raceway') resolves to this repository's build.
  const dir = mkdtempSync(join(here, 'e2e', 'tmp-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const { code } = transformFileSync(join(here, 'e2e', source), {
    babelrc: false, configFile: false, sourceType: 'script', cwd: join(here, 'e2e'), filename: join(here, 'e2e', source),
    presets: [fileURLToPath(new URL('../../dist/babel-plugin/preset.js', import.meta.url))],
  });
  const bank = join(dir, 'bank.js');
  writeFileSync(bank, code);
  const { stdout } = await promisify(execFile)(process.execPath, [join(here, 'e2e', 'driver.cjs'), bank], {
    env: { ...process.env, RACEWAY_ENDPOINT: base }, timeout: 60_000,
  });
  const { balances, stats } = JSON.parse(stdout);
  t.is(stats.dropped, 0);
  t.is(stats.failed, 0);
  // The lost update really happened: one of alice's debits is gone.
  t.true(balances.alice === 920 || balances.alice === 820, JSON.stringify(balances)); // +20 from carol

  const status = (await get(base, '/status')).json.data;
  t.is(status.events_captured, stats.sent);
  const races = (await get(base, '/api/races')).json.data.races;
  const summary = races.map((r) => `${r.kind} ${r.variable}`);
  // Nothing else: not the sequential deposit/transfer on bob, not the withLock transfers from carol.
  t.deepEqual(summary, ['lost_update accounts.alice.balance']);
  const alice = races.find((r) => r.variable === 'accounts.alice.balance');
  t.not(alice.first.trace_id, alice.second.trace_id);
  t.regex(alice.second.location, /\.src\.js:\d+$/);
}

test('the banking example\'s concurrent transfers are found; sequential and locked requests are not', (t) => runBank(t, 'bank.src.js'));

test('the same with handlers defined in a factory function (outside the requests\' traces)', (t) => runBank(t, 'bank-factory.src.js'));

test('the manual API under the Koa middleware (no AsyncAwait events): the concurrent transfers are a lost update, the sequential ones nothing', async (t) => {
  const { base } = await startServer(t);
  const { stdout } = await promisify(execFile)(process.execPath, [join(here, 'e2e', 'manual-koa.cjs')], {
    env: { ...process.env, RACEWAY_ENDPOINT: base }, timeout: 60_000,
  });
  const { balances, stats } = JSON.parse(stdout);
  t.not(balances.alice, 700, 'the lost update happened');
  t.is(balances.bob, 700);
  t.is(stats.dropped, 0);
  const races = (await get(base, '/api/races')).json.data.races;
  t.deepEqual(races.map((r) => `${r.kind} ${r.variable}`), ['lost_update alice.balance']);
});
