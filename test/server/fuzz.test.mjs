import test from 'ava';
import fc from 'fast-check';
import { get, post, bankingRace, startServer } from './server-helpers.mjs';

/** Random edits of a valid event: drop, retype or replace fields at any depth. */
function mutate(event, rnd) {
  const e = structuredClone(event);
  const paths = [];
  const walk = (o, path) => {
    if (o && typeof o === 'object') for (const k of Object.keys(o)) { paths.push([...path, k]); walk(o[k], [...path, k]); }
  };
  walk(e, []);
  const path = paths[rnd.path % paths.length];
  let parent = e;
  for (const k of path.slice(0, -1)) parent = parent[k];
  const last = path[path.length - 1];
  if (rnd.op === 0) delete parent[last];
  else parent[last] = rnd.value;
  return e;
}

test('random bodies never crash the server, never 500, and leave valid data intact', async (t) => {
  const { base } = await startServer(t, { maxBodyBytes: 64 * 1024 });
  const { events } = bankingRace();
  t.is((await post(base, { events })).status, 200);
  const before = (await get(base, '/api/races')).json.data.races;
  const allowed = new Set([200, 206, 400, 413, 415]);
  const seen = new Set();
  const body = fc.oneof(
    fc.string({ maxLength: 300 }),
    fc.string({ unit: 'binary', maxLength: 300 }),
    fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
    fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify({ events: Array.isArray(v) ? v : [v] })),
    fc.array(fc.record({ path: fc.nat(), op: fc.nat(1), value: fc.jsonValue({ maxDepth: 2 }), i: fc.nat(events.length - 1) }), { minLength: 1, maxLength: 5 })
      .map((muts) => JSON.stringify({ events: muts.map((m) => mutate(events[m.i], m)) })),
    fc.constantFrom('{"events":[' + '['.repeat(5000) + ']}', '{"events":' + '1,'.repeat(10) + '}', '\u0000\u0001', '{"events":[]}'),
  );
  const encoding = fc.constantFrom(undefined, undefined, 'gzip', 'br', 'identity');
  await fc.assert(
    fc.asyncProperty(body, encoding, async (b, enc) => {
      const headers = enc ? { 'content-encoding': enc } : {};
      const r = await post(base, b, headers);
      seen.add(r.status);
      if (!allowed.has(r.status) || r.json === null || typeof r.json.success !== 'boolean') {
        throw new Error(`status ${r.status} body ${r.text.slice(0, 200)} for ${JSON.stringify(b).slice(0, 200)}`);
      }
    }),
    { numRuns: 400 },
  );
  t.true(seen.has(400));
  t.is((await get(base, '/health')).status, 200);
  // Mutated copies reuse the stored ids, so they are duplicates and cannot change what was stored.
  const status = (await get(base, '/status')).json.data;
  t.true(status.events_captured >= events.length);
  for (const e of events) {
    const tr = (await get(base, `/api/traces/${e.trace_id}`)).json.data.events.find((x) => x.id === e.id);
    t.deepEqual(tr, e);
  }
  const after = (await get(base, '/api/races')).json.data.races;
  t.deepEqual(after.map((r) => r.id).filter((id) => before.some((b) => b.id === id)), before.map((r) => r.id));
});

test('raw socket garbage gets a 400 and the server keeps serving', async (t) => {
  const { base } = await startServer(t);
  const { port } = new URL(base);
  const net = await import('node:net');
  for (const junk of ['GARBAGE\r\n\r\n', 'POST /events HTTP/1.1\r\nContent-Length: abc\r\n\r\n', '\u0000\u0001\u0002\r\n\r\n']) {
    const reply = await new Promise((resolve) => {
      const s = net.connect(Number(port), '127.0.0.1', () => s.end(junk));
      let data = '';
      s.on('data', (d) => { data += d; });
      s.on('close', () => resolve(data));
      s.on('error', () => resolve(data));
    });
    t.regex(reply, /^HTTP\/1\.1 400/);
  }
  t.is((await get(base, '/health')).status, 200);
});
