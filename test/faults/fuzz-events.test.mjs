// Fuzzing POST /events of a real `raceway serve` (SQLite file store) with fast-check: random bodies,
// byte-level corruptions of valid bodies, and batches mixing fresh valid events with mutated ones.
// The server never answers 5xx (a retry invitation) or anything but a JSON answer, never hangs or
// dies, and every valid event of a well-formed batch is stored.
import test from 'ava';
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { Sim } from '../server/helpers.mjs';
import { getJson, postEvents, serve, storedIds } from './_serve.mjs';

const ALLOWED = new Set([200, 206, 400, 413, 415]);

/** `n` valid events of a fresh trace. */
function fresh(n) {
  const sim = new Sim();
  const root = sim.root(randomUUID());
  const child = root.spawn('job');
  for (let i = 0; root.sim.events.length < n; i++) (i % 2 ? root : child).write('shared', i, i + 1, `src/f.ts:${i}`);
  child.await();
  return sim.events.slice(0, n);
}

/** Events to mutate, from their own trace (a mutation that happens to be valid cannot touch the fresh ones). */
const template = fresh(6);

/** A copy of `event` with one field at any depth deleted or replaced. */
function mutate(event, { path, op, value }) {
  const e = structuredClone(event);
  const paths = [];
  const walk = (o, at) => { if (o && typeof o === 'object') for (const k of Object.keys(o)) { paths.push([...at, k]); walk(o[k], [...at, k]); } };
  walk(e, []);
  const p = paths[path % paths.length];
  let parent = e;
  for (const k of p.slice(0, -1)) parent = parent[k];
  if (op === 0) delete parent[p.at(-1)];
  else parent[p.at(-1)] = value;
  return e;
}

/** Byte-level edits of a text: replace, insert or delete single characters. */
function corrupt(text, edits) {
  let s = text;
  for (const { at, op, ch } of edits) {
    const i = at % (s.length + 1);
    s = op === 0 ? s.slice(0, i) + ch + s.slice(i + 1) : op === 1 ? s.slice(0, i) + ch + s.slice(i) : s.slice(0, i) + s.slice(i + 1);
  }
  return s;
}

const mutation = fc.record({ path: fc.nat(), op: fc.nat(1), value: fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(null, '', -1, 1e308, 'not-a-uuid', [], {})), i: fc.nat(template.length - 1) });

/** A body and, when it is a well-formed batch, the fresh valid events it carries. */
const request = fc.oneof(
  fc.string({ maxLength: 400 }).map((b) => ({ body: b })),
  fc.string({ unit: 'binary', maxLength: 400 }).map((b) => ({ body: b })),
  fc.jsonValue({ maxDepth: 4 }).map((v) => ({ body: JSON.stringify(v) })),
  fc.jsonValue({ maxDepth: 3 }).map((v) => ({ body: JSON.stringify({ events: Array.isArray(v) ? v : [v] }) })),
  fc.array(fc.record({ at: fc.nat(), op: fc.nat(2), ch: fc.constantFrom('{', '}', '[', ']', '"', ',', ':', '\\', 'x', '0', '\u0000', '\ud800', ' ') }), { minLength: 1, maxLength: 4 })
    .map((edits) => ({ body: corrupt(JSON.stringify({ events: fresh(3) }), edits) })),
  fc.tuple(fc.integer({ min: 1, max: 6 }), fc.array(mutation, { maxLength: 6 }), fc.boolean())
    .map(([n, muts, gzip]) => {
      const valid = fresh(n);
      const events = [...valid, ...muts.map((m) => mutate(template[m.i], m))];
      // A rotation, so that the valid events' positions in the batch vary.
      const k = muts.length % events.length;
      const batch = [...events.slice(k), ...events.slice(0, k)];
      const text = JSON.stringify({ events: batch });
      return { body: gzip ? gzipSync(text) : text, gzip, valid };
    }),
);

test('fuzzed /events bodies: never a 5xx, never a hang or a crash, valid events of a batch stored', async (t) => {
  const srv = await serve(t, { args: ['--max-body', String(256 * 1024)] });
  const statuses = new Map();
  await fc.assert(
    fc.asyncProperty(request, async ({ body, gzip, valid }) => {
      const headers = { 'content-type': 'application/json', ...(gzip ? { 'content-encoding': 'gzip' } : {}) };
      const r = await postEvents(srv.base, body, headers);
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      if (!ALLOWED.has(r.status) || r.json === null || typeof r.json.success !== 'boolean') {
        throw new Error(`status ${r.status}, answer ${r.text.slice(0, 200)}, body ${String(body).slice(0, 200)}`);
      }
      if (valid === undefined) return;
      if (r.status !== 200 && r.status !== 206) throw new Error(`a well-formed batch was refused: ${r.status} ${r.text.slice(0, 300)}`);
      const stored = await storedIds(srv.base, valid[0].trace_id);
      for (const e of valid) if (!stored.includes(e.id)) throw new Error(`valid event ${e.id} not stored (answer ${r.text.slice(0, 300)})`);
    }),
    { numRuns: 300 },
  );
  t.log(`statuses: ${JSON.stringify(Object.fromEntries(statuses))}`);
  t.true(statuses.has(400));
  t.true(statuses.has(206), 'some batches mixed valid and invalid events');
  t.true(srv.alive);
  t.is((await getJson(srv.base, '/health')).status, 200);
});
