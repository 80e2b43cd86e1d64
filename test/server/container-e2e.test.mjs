// End to end for containers (fixtures/SPEC.md §4.5): a pool array checked before an await and
// taken from with `shift()` after it, instrumented by the Babel preset, shipped by the real runtime
// to this server: the race is reported on the pool's variable; the fixed program reports nothing.
import test from 'ava';
import { transformFileSync } from '@babel/core';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { get, startServer } from './server-helpers.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));

async function runPool(t, env) {
  const { base } = await startServer(t);
  const dir = mkdtempSync(join(here, 'e2e', 'tmp-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const source = join(here, 'e2e', 'pool.src.js');
  const { code } = transformFileSync(source, {
    babelrc: false, configFile: false, sourceType: 'script', cwd: join(here, 'e2e'), filename: source,
    presets: [fileURLToPath(new URL('../../dist/babel-plugin/preset.js', import.meta.url))],
  });
  const file = join(dir, 'pool.js');
  writeFileSync(file, code);
  const { stdout } = await promisify(execFile)(process.execPath, [file], { env: { ...process.env, ...env, RACEWAY_ENDPOINT: base }, timeout: 60_000 });
  const { got, stats } = JSON.parse(stdout);
  t.is(stats.dropped, 0);
  t.is(stats.failed, 0);
  t.is((await get(base, '/status')).json.data.events_captured, stats.sent);
  return { got, races: (await get(base, '/api/races')).json.data.races };
}

test('a pool checked before an await and shifted after it: the race is on the pool', async (t) => {
  const { got, races } = await runPool(t, {});
  t.deepEqual(got, [1, 'none: the pool was emptied meanwhile']); // the bug really happened
  t.log(races.map((r) => `${r.kind} ${r.variable}`).join('; '));
  t.true(races.length > 0);
  for (const r of races) t.is(r.variable, 'agent.freeSockets["localhost:80"]', JSON.stringify(r));
  t.regex(races[0].second.location, /pool\.src\.js:\d+$/);
});

test('the fixed pool (check and shift in one step) reports nothing', async (t) => {
  const { got, races } = await runPool(t, { POOL_FIXED: '1' });
  t.deepEqual(got, [1, 'new']);
  t.deepEqual(races.map((r) => `${r.kind} ${r.variable}`), []);
});
