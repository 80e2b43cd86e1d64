// Bad request bodies against a real `raceway serve` (SQLite file store): each gets a 4xx with a JSON
// error (never a 5xx, which would invite retries), the valid events of a partly bad batch are stored,
// and the server keeps serving afterwards.
import test from 'ava';
import { gzipSync } from 'node:zlib';
import { Sim } from '../server/helpers.mjs';
import { getJson, postEvents, rawRequest, serve, storedCount, storedIds } from './_serve.mjs';

const JSON_TYPE = { 'content-type': 'application/json' };

/** `n` valid events of one fresh trace. */
function validEvents(n) {
  const sim = new Sim();
  const task = sim.root();
  for (let i = 0; i < n; i++) task.write('counter', i, i + 1, `src/a.ts:${i + 1}`);
  return sim.events;
}

/** A JSON error answer: status in `statuses`, `success: false` and a message. */
function assertRefused(t, r, statuses, what) {
  t.true(statuses.includes(r.status), `${what}: status ${r.status} ${r.text.slice(0, 200)}`);
  t.is(r.json?.success, false, `${what}: ${r.text.slice(0, 200)}`);
  t.is(typeof r.json?.error, 'string', what);
}

test('truncated, empty, non-JSON and wrongly shaped bodies are 400s; the server stays up', async (t) => {
  const srv = await serve(t);
  const whole = JSON.stringify({ events: validEvents(3) });
  const bad = {
    'truncated mid-event': whole.slice(0, whole.length / 2),
    'truncated by one byte': whole.slice(0, -1),
    empty: '',
    'not JSON': 'hello',
    'a number': '42',
    'events not an array': '{"events":{"0":1}}',
    'a lone surrogate in a key': '{"events":[{"\\ud800":1}]}',
    'NUL bytes': '\u0000\u0000',
  };
  for (const [what, body] of Object.entries(bad)) assertRefused(t, await postEvents(srv.base, body), [400], what);
  t.is((await getJson(srv.base, '/health')).status, 200);
  t.is(await storedCount(srv.base), 0);
});

test('a body that is not declared as JSON is refused with 415 and nothing is stored', async (t) => {
  const srv = await serve(t);
  const body = JSON.stringify({ events: validEvents(2) });
  for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
    assertRefused(t, await postEvents(srv.base, body, { 'content-type': type }), [415], type);
  }
  t.is(await storedCount(srv.base), 0);
});

test('gzip garbage, a gzip body cut short and an unknown encoding are 4xx; a good gzip body is stored', async (t) => {
  const srv = await serve(t);
  const events = validEvents(4);
  const gz = gzipSync(JSON.stringify({ events }));
  assertRefused(t, await postEvents(srv.base, Buffer.from('definitely not gzip'), { ...JSON_TYPE, 'content-encoding': 'gzip' }), [400], 'garbage');
  assertRefused(t, await postEvents(srv.base, gz.subarray(0, gz.length - 8), { ...JSON_TYPE, 'content-encoding': 'gzip' }), [400], 'cut short');
  assertRefused(t, await postEvents(srv.base, gz, { ...JSON_TYPE, 'content-encoding': 'x-unknown' }), [400, 415], 'unknown encoding');
  t.is((await postEvents(srv.base, gz, { ...JSON_TYPE, 'content-encoding': 'gzip' })).status, 200);
  t.deepEqual((await storedIds(srv.base, events[0].trace_id)).sort(), events.map((e) => e.id).sort());
});

test('a gzip bomb (a small body that inflates past the limit) is a 413, not a stall or a crash', async (t) => {
  const srv = await serve(t, { args: ['--max-body', String(1024 * 1024)] });
  const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20)); // 64 MB of spaces in ~64 KB
  assertRefused(t, await postEvents(srv.base, bomb, { ...JSON_TYPE, 'content-encoding': 'gzip' }), [413, 400], 'bomb');
  t.is((await getJson(srv.base, '/health')).status, 200);
});

test('a huge declared length is refused before the body arrives; a body shorter than declared does not hang the server', async (t) => {
  const srv = await serve(t);
  const { host } = new URL(srv.base);
  const huge = await rawRequest(srv.base, `POST /events HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: 99999999999\r\n\r\n{"events":[`, { endAfterWrite: false, ms: 5000 });
  t.regex(huge, /^HTTP\/1\.1 413/);
  // Declares 1000 bytes, sends 20, then closes: the server drops the request and goes on.
  const short = await rawRequest(srv.base, `POST /events HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"events":[{"id":1}`);
  t.notRegex(short, /^HTTP\/1\.1 5/);
  t.is((await getJson(srv.base, '/health')).status, 200);
  t.true(srv.alive);
});

test('malformed %-escapes in paths are 400s, never 500s', async (t) => {
  const srv = await serve(t);
  for (const path of ['/%E0%A4%A', '/api/traces/%E0%A4%A', '/api/traces/%', '/api/%zz', '/%C0%AF', '/api/traces/%00']) {
    const r = await getJson(srv.base, path);
    t.true(r.status >= 400 && r.status < 500, `${path}: ${r.status}`);
  }
  t.is((await getJson(srv.base, '/health')).status, 200);
});

test('a value nested 20,000 levels deep rejects its own event only; the valid events of the batch are stored', async (t) => {
  const srv = await serve(t);
  const events = validEvents(5);
  const deep = structuredClone(events[2]);
  deep.id = crypto.randomUUID();
  deep.kind.StateChange.new_value = 'DEEP';
  const nested = '['.repeat(20_000) + ']'.repeat(20_000);
  const body = JSON.stringify({ events: [events[0], events[1], deep, events[2], events[3], events[4]] }).replace('"new_value":"DEEP"', `"new_value":${nested}`);
  t.true(body.includes(nested));
  const r = await postEvents(srv.base, body);
  t.is(r.status, 206, r.text.slice(0, 300));
  t.is(r.json.rejected_count, 1);
  const stored = await storedIds(srv.base, events[0].trace_id);
  for (const e of events) t.true(stored.includes(e.id), `valid event ${e.id} stored`);
  t.false(stored.includes(deep.id));
  // And a whole body of nothing but nesting is a 4xx.
  assertRefused(t, await postEvents(srv.base, '{"events":' + '['.repeat(100_000) + ']'.repeat(100_000) + '}'), [400, 413], 'all nesting');
  t.is((await getJson(srv.base, '/health')).status, 200);
});
