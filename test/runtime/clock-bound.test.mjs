// Bounded clocks (runtime/clock.ts): a task that awaits one child after another keeps a clock of
// its live components only, not one entry per child it has ever awaited, and nothing is lost —
// what the dropped entries said is implied by the retirement facts the server reads from the same
// events (server/analyzer/coverage.ts). Hooks written by hand as a front end emits them (SPEC).
import test from 'ava';
import { init } from 'raceway';
import * as rw from 'raceway/runtime';
import { analyzeEvents } from '../../dist/server/analyzer/index.js';
import { happenedBefore } from './_happens-before.mjs';
import { startCollector, kindOf } from './_collector.mjs';

const table = ['test/loop.js', 'test/loop'];
const S = {};
for (const [name, record] of Object.entries({
  work: [1, 'work', 1, 'i'], main: [2, 'main', 1], state: [3, 'state'], await: [4], tick: [5],
  next: [6, 'next', 1], worker: [7, 'worker', 1],
})) { S[name] = table.length - 2; table.push(record); }
function token() { return JSON.stringify(table); }
rw.mod(token);

const state = { x: 0 };
const tick = () => new Promise((r) => setImmediate(r));

// async function work(i, pause) { const v = state.x; if (pause) await tick(); state.x = v + i; }
async function work(i, pause) {
  const f = rw.enter(token, S.work, i);
  try {
    const v = rw.rp(f, state, 'x', S.state);
    if (pause) rw.resume(f, await rw.suspend(f, tick(), S.tick));
    rw.wp(f, state, 'x', v + i, S.state);
  } finally { rw.exit(f); }
}

async function capture(run) {
  const col = await startCollector();
  const c = init({ endpoint: col.endpoint, handleExit: false, flushInterval: 50, maxEventsPerSecond: Infinity, maxQueueSize: 1e6 });
  state.x = 0;
  await run();
  await c.flush();
  await c.shutdown();
  await col.close();
  return col.events;
}

const writes = (events) => events.filter((e) => kindOf(e) === 'StateChange' && e.kind.StateChange.access_type === 'Write');

test.serial('a loop of awaited children keeps a bounded clock, and every child still happens before the next', async (t) => {
  const N = 300;
  const events = await capture(async () => {
    // async function main() { for (let i = 0; i < N; i++) await work(i, i % 2 === 0); }
    async function main() {
      const f = rw.enter(token, S.main);
      try {
        for (let i = 0; i < N; i++) rw.resume(f, await rw.suspend(f, work(i, i % 2 === 0), S.await));
      } finally { rw.exit(f); }
    }
    await main();
  });
  const w = writes(events);
  t.is(w.length, N);
  const longest = Math.max(...events.map((e) => e.causality_vector.length));
  t.true(longest <= 6, `longest clock ${longest} entries for ${N} children`);
  // Each child's write happens before the next child's: carried or implied.
  for (let i = 1; i < w.length; i++) t.true(happenedBefore(w[i - 1], w[i], events), `write ${i - 1} before write ${i}`);
  t.deepEqual(analyzeEvents(events), [], 'awaited one after another: nothing races');
});

test.serial('children that run at the same time stay unordered after their siblings were retired', async (t) => {
  const events = await capture(async () => {
    // async function main() { for (…) await work(i); await Promise.all([work(100, true), work(200, true)]); }
    async function main() {
      const f = rw.enter(token, S.main);
      try {
        for (let i = 0; i < 20; i++) rw.resume(f, await rw.suspend(f, work(i, true), S.await));
        rw.resume(f, await rw.suspend(f, Promise.all([work(100, true), work(200, true)]), S.await));
        rw.wp(f, state, 'x', 0, S.state);
      } finally { rw.exit(f); }
    }
    await main();
  });
  const w = writes(events);
  const sum = (20 * 19) / 2;
  const a = w.find((e) => e.kind.StateChange.new_value === sum + 100);
  const b = w.find((e) => e.kind.StateChange.new_value === sum + 200);
  t.truthy(a && b);
  t.false(happenedBefore(a, b, events) || happenedBefore(b, a, events), 'the two concurrent children are unordered');
  t.true(happenedBefore(w[0], a, events) && happenedBefore(w[0], b, events), 'the retired first child happens before both');
  t.true(happenedBefore(a, w[w.length - 1], events) && happenedBefore(b, w[w.length - 1], events), 'both happen before what main did after awaiting them');
  const races = analyzeEvents(events);
  t.true(races.length > 0 && races.every((r) => r.variable.endsWith('state.x')), 'the concurrent children race, nothing else does');
  const racing = new Set(races.flatMap((r) => r.accesses.map((x) => x.thread_id)));
  t.true([...racing].every((task) => task === a.metadata.thread_id || task === b.metadata.thread_id), 'only the two concurrent children are reported');
});

test.serial('a chain of workers, each started by the one before and never joined, keeps a bounded clock and its order', async (t) => {
  const N = 200;
  const events = await capture(() => new Promise((resolve) => {
    // p-map's pattern, two workers at a time:
    // const next = async () => { if (index >= N) return; const i = index++;
    //   (async () => { await tick(); state.x += i; await next(); })(); };
    let index = 0, done = 0;
    async function next() {
      const f = rw.enter(token, S.next);
      try {
        if (index >= N) { if (done === N) resolve(); return; }
        const i = index++;
        (async function worker() {
          const g = rw.enter(f, S.worker);
          try {
            rw.resume(g, await rw.suspend(g, tick(), S.tick));
            rw.wp(g, state, 'x', rw.rp(g, state, 'x', S.state) + i, S.state);
            done++;
            rw.resume(g, await rw.suspend(g, next(), S.await));
          } finally { rw.exit(g); }
        })();
      } finally { rw.exit(f); }
    }
    next();
    next();
  }));
  const w = writes(events);
  t.is(w.length, N);
  const longest = Math.max(...events.map((e) => e.causality_vector.length));
  t.true(longest <= 10, `longest clock ${longest} entries for a chain of ${N} workers`);
  // Each worker happens after the one that started it: the first write is before the writes of its
  // whole chain (every other one, as the two chains take turns), carried or implied.
  const after = w.filter((x) => x !== w[0] && happenedBefore(w[0], x, events)).length;
  t.true(after >= N / 2 - 2, `${after} writes ordered after the first one`);
  t.false(happenedBefore(w[1], w[0], events));
});
