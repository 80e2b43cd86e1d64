// The shipping thread's encoder: rows written on the app side come out as wire JSON that parses,
// follows the schema and carries every string and value exactly (quotes, non-ASCII, emoji, numbers
// JSON has no form for).
import test from 'ava';
import { randomUUID } from 'node:crypto';
import { RingWriter, RingReader, metaTail } from '../../dist/runtime/wire.js';
import { Task } from '../../dist/runtime/context.js';
import { Clock } from '../../dist/runtime/clock.js';
import { uuidV7 } from '../../dist/runtime/ids.js';
import { validateEvent } from '../../dist/protocol/schema.js';

const K = { StateChange: 0, FunctionCall: 1, AsyncSpawn: 2, AsyncAwait: 3, LockAcquire: 4, LockRelease: 5, HttpRequest: 6, HttpResponse: 7, Error: 8, Custom: 9 };

function decode(t, encoded) {
  const out = [];
  for (let i = 0; i < encoded.ends.length; i++) {
    const text = encoded.bytes.subarray(i === 0 ? 0 : encoded.ends[i - 1], encoded.ends[i]).toString('utf8');
    t.is(text.at(-1), ',');
    out.push(JSON.parse(text.slice(0, -1)));
  }
  return out;
}

/** A clock component as the runtime keeps one: a task's id and what is known about its end. */
const component = (id) => ({ id, finalOwn: -1, retiredInto: null, retiredAt: 0 });

test('every kind encodes to schema-valid JSON with strings and values intact', (t) => {
  const w = new RingWriter(64);
  const r = new RingReader(w.buffer, 64, metaTail({ serviceName: 'svc "ü"', environment: 'dev', tags: { a: 'ß\n' }, instanceId: null, pid: 7 }), randomUUID);
  const task = new Task('7b0e5c1a-2f7e-4a53-9c53-0d3c7f2b9a11', null, new Clock([[component('other-task'), 5], [component('wörker'), 2]]), 'f');
  task.locks = ['lock "a"', 'b€'];
  task.span = { seq: 3, ts: 1764200000123456, parent: null };
  const ts = 1764200000999999;
  const name = 'acc["x€"].b😀';
  const values = [-0, NaN, Infinity, 'ü€😀\n"', undefined, () => 1, { a: [1, 'x'] }, 2 ** 60, 0.1];
  for (const v of values) w.add(K.StateChange, 1, ts, task, name, v, 1, 'src/a.ts:1', 'Read', null);
  w.add(K.FunctionCall, 2, ts + 1, task, 'fn😀', 'mod', { x: 'é' }, 'f.ts', 42, 12.6);
  w.add(K.AsyncSpawn, 3, ts + 2, task, '0c5e2d4b-8a61-4f0e-b7f3-1d2a3b4c5d6e', 'spawner', null, null, null, null);
  w.add(K.AsyncAwait, 4, ts + 3, task, null, 'at:1', null, null, null, null);
  w.add(K.LockAcquire, 5, ts + 4, task, 'L1', 'Mutex', 'loc:2', null, null, null);
  w.add(K.HttpRequest, 6, ts + 5, task, 'GET', '/x?y=ü', { h: 'v' }, null, null, null);
  w.add(K.HttpResponse, 7, ts + 6, task, 200, {}, null, 12.2, null, 5);
  w.add(K.Error, 8, ts + 7, task, 'TypeError', 'bad "x"', ['at f (a.ts:1)', 'at ü'], null, null, null);
  const events = decode(t, r.encode(w.handoff()));
  t.is(events.length, values.length + 7);
  for (const e of events) t.deepEqual(validateEvent(e), [], JSON.stringify(e));
  t.deepEqual(events.slice(0, values.length).map((e) => e.kind.StateChange.old_value), [0, 'NaN', 'Infinity', 'ü€😀\n"', null, null, { a: [1, 'x'] }, 2 ** 60, 0.1]);
  const [first] = events;
  t.is(first.kind.StateChange.variable, name);
  t.is(first.kind.StateChange.access_type, 'Read');
  t.is(first.parent_id, uuidV7(task.span.ts, task.span.seq));
  t.is(first.timestamp, '2025-11-26T23:33:20.999999Z');
  t.deepEqual(first.lock_set, ['lock "a"', 'b€']);
  t.deepEqual(first.causality_vector, [['other-task', 5], ['wörker', 2], [task.id, 0]]);
  t.deepEqual(first.metadata, { thread_id: task.id, process_id: 7, service_name: 'svc "ü"', environment: 'dev', tags: { a: 'ß\n' }, duration_ns: null });
  const fc = events[values.length];
  t.deepEqual(fc.kind, { FunctionCall: { function_name: 'fn😀', module: 'mod', args: { x: 'é' }, file: 'f.ts', line: 42 } });
  t.is(fc.metadata.duration_ns, 13);
  t.deepEqual(events.at(-1).kind, { Error: { error_type: 'TypeError', message: 'bad "x"', stack_trace: ['at f (a.ts:1)', 'at ü'] } });
});

test('the string table starts over past its size in characters, not only its count', (t) => {
  const w = new RingWriter(64);
  const r = new RingReader(w.buffer, 64, metaTail({ serviceName: 's', environment: 'e', tags: {}, instanceId: null, pid: 1 }), randomUUID);
  const task = new Task('7b0e5c1a-2f7e-4a53-9c53-0d3c7f2b9a11', null, Clock.EMPTY, 'f');
  const huge = (i) => `v${i}:` + 'x'.repeat(1_500_000);
  for (let i = 0; i < 3; i++) w.add(K.StateChange, i + 1, 1764200000000000 + i, task, huge(i), i, 1, 'a.ts:1', 'Read', null);
  t.true(w.tablesFull, 'three 1.5 M-character names fill the table');
  const first = w.handoff();
  t.false(w.tablesFull, 'the hand-off started the tables over');
  w.add(K.StateChange, 4, 1764200000000004, task, huge(0), 4, 1, 'a.ts:1', 'Read', null);
  const second = w.handoff();
  t.true(second.reset, 'the reader is told to start over too');
  const events = [...decode(t, r.encode(first)), ...decode(t, r.encode(second))];
  t.deepEqual(events.map((e) => e.kind.StateChange.variable.slice(0, 3)), ['v0:', 'v1:', 'v2:', 'v0:']);
});

test('snapshot texts are copied into the event as they are, next to numbers and JSON values', async (t) => {
  const { captureArgs, captureValue, snapshot } = await import('../../dist/runtime/serialize.js');
  const w = new RingWriter(16);
  const r = new RingReader(w.buffer, 16, metaTail({ serviceName: 's', environment: 'dev', tags: {}, instanceId: null, pid: 1 }), randomUUID);
  const task = new Task('7b0e5c1a-2f7e-4a53-9c53-0d3c7f2b9a11', null, new Clock([]), 'f');
  const big = Array.from({ length: 40 }, (_, i) => ({ i, s: 'ü😀"' }));
  const values = [{ a: [1, 'x€'] }, big, 5, 'str "q"', null];
  // old value as text, new value as a JSON value (and the other way round): both come out the same
  for (const v of values) w.add(K.StateChange, 1, 1764200000999999, task, 'v', captureValue(v), snapshot(v), 'a.ts:1', 'Write', null);
  w.add(K.FunctionCall, 2, 1764200001000000, task, 'fn', 'mod', captureArgs(['a', 'b'], [big, 'é']), 'f.ts', 3, null);
  const events = decode(t, r.encode(w.handoff()));
  for (const e of events) t.deepEqual(validateEvent(e), []);
  for (let i = 0; i < values.length; i++) {
    const sc = events[i].kind.StateChange;
    t.deepEqual(sc.old_value, sc.new_value);
    t.deepEqual(sc.new_value, snapshot(values[i]));
  }
  t.deepEqual(events.at(-1).kind.FunctionCall.args, { a: snapshot(big), b: 'é' });
});
