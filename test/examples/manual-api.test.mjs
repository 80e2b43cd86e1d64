// End to end: examples/manual-api (Koa, the manual API only: the middleware and captureStateChange
// around an await, no compile-time instrumentation) against a real Raceway server.
import test from 'ava';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { get, startServer } from '../server/server-helpers.mjs';

const example = fileURLToPath(new URL('../../examples/manual-api/', import.meta.url));
const BALANCE = 'accounts.alice.balance';

/** The line of bank.mjs a location names must hold the capture call that sent it. */
function captureLine(location, accessType) {
  const [file, line] = location.split(':');
  const text = readFileSync(example + file, 'utf8').split('\n')[Number(line) - 1] ?? '';
  return text.includes('captureStateChange') && text.includes(`'${location}'`) && text.includes(`'${accessType}'`);
}

/** Runs the example's two concurrent transfers with full capture; returns its output and the server. */
async function runRace(t) {
  const { base } = await startServer(t);
  const { stdout } = await promisify(execFile)(process.execPath, [example + 'race.mjs'], {
    env: { ...process.env, RACEWAY_ENDPOINT: base, RACEWAY_MAX_EVENTS_PER_SECOND: 'unlimited' }, timeout: 60_000,
  });
  return { base, ...JSON.parse(stdout) };
}

test('the example loses an update and sends both transfers\' reads and writes, interleaved', async (t) => {
  const { base, balances, stats } = await runRace(t);
  t.deepEqual(balances, { alice: 800, bob: 600, charlie: 500 }, 'one of the two debits is lost');
  t.is(stats.dropped, 0);
  t.is(stats.failed, 0);
  t.is((await get(base, '/status')).json.data.events_captured, stats.sent);

  const { accesses } = (await get(base, `/api/timeline?variable=${BALANCE}`)).json.data;
  const shape = accesses.map((a) => [a.access_type, a.old_value, a.new_value, a.location]);
  // Both transfers read 1000 before either writes (time order), then each writes what it computed.
  t.deepEqual(shape.slice(0, 2), [['Read', 1000, 1000, 'bank.mjs:42'], ['Read', 1000, 1000, 'bank.mjs:42']]);
  t.deepEqual(shape.slice(2).sort(), [['Write', 1000, 800, 'bank.mjs:47'], ['Write', 1000, 900, 'bank.mjs:47']]);
  for (const a of accesses) t.true(captureLine(a.location, a.access_type), a.location);
  const times = accesses.map((a) => Date.parse(a.timestamp));
  t.true(Math.max(times[0], times[1]) <= Math.min(times[2], times[3]), 'both reads happen before either write');

  // One task and one trace per request: each transfer's read and write share them, the two differ.
  const byTask = new Map();
  for (const a of accesses) byTask.set(a.thread_id, [...(byTask.get(a.thread_id) ?? []), a]);
  t.is(byTask.size, 2);
  for (const [, own] of byTask) {
    t.deepEqual(own.map((a) => a.access_type), ['Read', 'Write']);
    t.is(new Set(own.map((a) => a.trace_id)).size, 1);
  }
  t.is(new Set(accesses.map((a) => a.trace_id)).size, 2);
});

test('Raceway reports the lost update on the balance, with both transfers', async (t) => {
  const { base, races } = await runRace(t);
  const reports = (await get(base, '/api/races')).json.data.races;
  t.deepEqual(races, reports.map((r) => ({ kind: r.kind, variable: r.variable, first: r.first.location, second: r.second.location })),
    'the example prints what the server reports');
  // Nothing about bob's or charlie's balance: each is written once.
  t.deepEqual([...new Set(reports.map((r) => r.variable))], [BALANCE]);
  const lost = reports.find((r) => r.kind === 'lost_update');
  t.truthy(lost, `a lost update on ${BALANCE}; reported: ${JSON.stringify(reports.map((r) => `${r.kind} ${r.variable}`))}`);
  if (!lost) return;
  t.not(lost.first.trace_id, lost.second.trace_id);
  t.is(new Set(lost.accesses.map((a) => a.trace_id)).size, 2, 'accesses of both transfers');
  t.true(lost.accesses.some((a) => a.location === 'bank.mjs:42' && a.access_type === 'Read'));
  t.true(lost.accesses.some((a) => a.location === 'bank.mjs:47' && a.access_type === 'Write'));
  t.is(lost.second.location, 'bank.mjs:47');
});
