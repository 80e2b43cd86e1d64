// The shipper's request bodies against a real Raceway server whose body limit equals the shipper's
// (1 MiB): any body the shipper made too large would be refused (413) and its events dropped.
import test from 'ava';
import { Shipper, MAX_BODY_BYTES } from '../../dist/runtime/shipper.js';
import { get, startServer } from '../server/server-helpers.mjs';
import { Sim } from '../server/helpers.mjs';

/** `n` valid events whose new_value is `size` UTF-16 units of `ch`. */
function events(n, ch, size) {
  const sim = new Sim();
  const task = sim.root();
  const out = [];
  for (let i = 0; i < n; i++) {
    task.emit({ StateChange: { variable: 'note', old_value: null, new_value: ch.repeat(size), location: 'src/a.ts:1', access_type: 'Write' } });
  }
  for (const e of sim.events) out.push(JSON.stringify(e));
  return out;
}

/** Event JSON texts in the shipper's input form: UTF-8, each followed by a comma, with end offsets. */
function encoded(texts) {
  const bytes = Buffer.from(texts.map((x) => `${x},`).join(''));
  const ends = [];
  let at = 0;
  for (const x of texts) ends.push((at += Buffer.byteLength(x) + 1));
  return { bytes, ends };
}

function shipperFor(t, base) {
  const s = new Shipper({ endpoint: base, apiKey: null, batchSize: 100, maxQueueSize: 10_000 }, () => {}, () => {});
  t.teardown(() => s.close());
  return s;
}

test('bodies of non-ASCII events stay under the limit in bytes, not just in characters', async (t) => {
  const { base, store } = await startServer(t, { maxBodyBytes: MAX_BODY_BYTES });
  const shipper = shipperFor(t, base);
  // 3 bytes of UTF-8 per character: 24 events of 40 000 characters are ~0.96 M characters but ~2.9 MB.
  const batch = events(24, '€', 40_000);
  shipper.enqueue(encoded(batch));
  await shipper.flush();
  t.deepEqual(shipper.stats(), { sent: 24, dropped: 0, rejected: 0, failedRequests: 0, queued: 0 });
  t.is(store.events, 24);
});

test('an event larger than the body limit alone is dropped and counted; the rest arrive', async (t) => {
  const { base, store } = await startServer(t, { maxBodyBytes: MAX_BODY_BYTES });
  const shipper = shipperFor(t, base);
  const [huge] = events(1, 'é', 600_000); // 1.2 MB in UTF-8
  shipper.enqueue(encoded([...events(3, 'a', 10), huge, ...events(3, 'b', 10)]));
  await shipper.flush();
  t.deepEqual(shipper.stats(), { sent: 6, dropped: 1, rejected: 0, failedRequests: 0, queued: 0 });
  t.is(store.events, 6);
});

test('a full queue drops its oldest events across hand-offs and counts them', async (t) => {
  const { base } = await startServer(t);
  const shipper = new Shipper({ endpoint: base, apiKey: null, batchSize: 100, maxQueueSize: 5 }, () => {}, () => {});
  t.teardown(() => shipper.close());
  const named = (prefix) => events(4, 'x', 1).map((e) => e.replace('"variable":"note"', `"variable":"${prefix}"`)).map((e, i) => e.replace(`"variable":"${prefix}"`, `"variable":"${prefix}${i}"`));
  shipper.enqueue(encoded(named('a'))); // taken for sending at once
  shipper.enqueue(encoded(named('b')));
  shipper.enqueue(encoded(named('c'))); // 8 waiting, room for 5: b0–b2 go
  await shipper.flush();
  t.deepEqual(shipper.stats(), { sent: 9, dropped: 3, rejected: 0, failedRequests: 0, queued: 0 });
  const { traces } = (await get(base, '/api/traces?page_size=100')).json.data;
  const vars = [];
  for (const { trace_id } of traces) {
    for (const e of (await get(base, `/api/traces/${trace_id}`)).json.data.events) vars.push(e.kind.StateChange.variable);
  }
  t.deepEqual(vars.sort(), ['a0', 'a1', 'a2', 'a3', 'b3', 'c0', 'c1', 'c2', 'c3']);
});
