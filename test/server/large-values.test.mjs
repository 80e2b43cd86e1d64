// Values, names and locations of megabytes: the index and the race answers keep bounded previews,
// the races found are exactly those of the full values, and the trace view still serves the full
// events from the store.
import test from 'ava';
import { join } from 'node:path';
import { get, post, startServer, tempDir } from './server-helpers.mjs';
import { Sim } from './helpers.mjs';
import { analyzeEvents } from '../../dist/server/analyzer/index.js';
import { MAX_VALUE_CHARS, previewValue } from '../../dist/server/bounded-text.js';

const MB = 1024 * 1024;
const big = (fill, n = MB) => fill.repeat(Math.ceil(n / fill.length)).slice(0, n);

/** Race patterns whose verdict depends on comparing large values (and one long variable name). */
function scenario() {
  const sim = new Sim();
  const pair = (variable, read, writeA, writeB) => {
    const mk = () => {
      const req = sim.request('POST', '/transfer');
      const h = req.spawn('transfer');
      h.read(variable, read, 'src/bank.ts:10');
      h.await();
      return { req, h };
    };
    const a = mk();
    const b = mk();
    a.h.write(variable, read, writeA, 'src/bank.ts:12'); a.req.join(a.h); a.req.respond();
    b.h.write(variable, read, writeB, 'src/bank.ts:12'); b.req.join(b.h); b.req.respond();
  };
  // Two different large writes after one stale read: a lost update.
  pair('account.profile', { blob: big('a'), n: 1 }, { blob: big('a'), n: 2 }, { blob: big('a'), n: 3 });
  // Both store the same large value: an idempotent overwrite, nothing lost.
  pair('cache.entry', big('c'), big('d'), big('d'));
  // Equal for the first megabyte, different in the last character: still two different values.
  pair('cache.other', big('e'), big('f') + 'x', big('f') + 'y');
  // A large array and a name of half a megabyte.
  pair('n'.repeat(MB / 2), [...Array(50_000).keys()], [...Array(50_001).keys()], [...Array(50_002).keys()]);
  return sim.events;
}

const raceKey = (r) => `${r.kind} ${r.variable.slice(0, 100)} ${r.accesses.map((a) => `${a.role}:${a.event_id}`).join(',')}`;

async function sendOneByOne(base, events) {
  for (const e of events) t0(await post(base, { events: [e] }));
}
function t0(r) {
  if (r.status !== 200) throw new Error(`ingest answered ${r.status}: ${r.text.slice(0, 200)}`);
}

test('races over large values: bounded answers, the same races as over the full values', async (t) => {
  const events = scenario();
  const expected = analyzeEvents(events).map(raceKey).sort();
  t.true(expected.length >= 3, 'the scenario has races to find');
  t.true(expected.some((k) => k.startsWith('lost_update account.profile')));
  t.false(expected.some((k) => k.startsWith('lost_update cache.entry')), 'the same value stored twice loses nothing');
  t.true(expected.some((k) => k.startsWith('lost_update cache.other')), 'values that differ past the preview still differ');

  const dir = tempDir(t);
  const db = join(dir, 'raceway.db');
  const first = await startServer(t, { db, maxBodyBytes: 4 * MB });
  await sendOneByOne(first.base, events);
  const res = await fetch(`${first.base}/api/races`);
  const text = await res.text();
  const races = JSON.parse(text).data.races;
  t.deepEqual(races.map(raceKey).sort(), expected);
  const totalBytes = events.reduce((n, e) => n + JSON.stringify(e).length, 0);
  t.true(totalBytes > 20 * MB);
  t.true(text.length < 200 * 1024, `a /api/races answer of ${text.length} bytes`);
  for (const r of races) for (const a of r.accesses) t.true(JSON.stringify(a).length < 3 * MAX_VALUE_CHARS);

  // The trace view serves the stored events whole.
  const written = events.find((e) => e.kind.StateChange?.variable === 'cache.other' && e.kind.StateChange.access_type === 'Write');
  const trace = (await get(first.base, `/api/traces/${written.trace_id}`)).json.data;
  t.is(trace.events.find((e) => e.id === written.id).kind.StateChange.new_value, written.kind.StateChange.new_value);

  // The index rebuilt from the stored chunks gives the same bounded answer.
  await first.close();
  const second = await startServer(t, { db });
  const again = await (await fetch(`${second.base}/api/races`)).text();
  t.deepEqual(JSON.parse(again).data.races.map(raceKey).sort(), expected);
  t.true(again.length < 200 * 1024);
});

test('previews: equal exactly when the values are, shape kept, small values untouched', (t) => {
  const small = { set: ['k', 1], size: 3 };
  t.is(previewValue(small), JSON.stringify(small));
  const a = previewValue({ set: ['key', big('v')], size: 7 });
  t.true(a.startsWith('{"set":["key",'));
  t.true(a.endsWith('"size":7}'));
  t.is(a, previewValue({ set: ['key', big('v')], size: 7 }));
  t.not(a, previewValue({ set: ['key', big('v') + '!'], size: 7 }));
  const wide = Object.fromEntries([...Array(10_000).keys()].map((i) => [`k${i}`, i]));
  const other = { ...wide, k9998: -1 };
  t.not(previewValue(wide), previewValue(other), 'a difference in the keys left out changes the hash');
  t.true(previewValue(wide).length < MAX_VALUE_CHARS);
  let deep = 1;
  for (let i = 0; i < 1000; i++) deep = [deep];
  t.true(previewValue(deep).length < 200);
  t.regex(previewValue(`x${big('y')} $hash:?`), /\$hash:\?/, 'a value that cannot be compared stays so');
});
