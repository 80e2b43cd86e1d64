// Happens-before edges of callbacks, through the hooks instrumented code calls (SPEC shapes written
// by hand): a callback starts from the registering segment's clock (registration → run), and a
// promise reaction starts after the callback that settled the promise it reacts to (resolve →
// reaction). Nothing else orders callbacks.
import test from 'ava';
import { init } from 'raceway';
import * as rw from 'raceway/runtime';
import { startCollector, kindOf } from './_collector.mjs';

const table = ['test/cb.js', 'test/cb'];
const S = {};
for (const [name, record] of Object.entries({
  owner: [1, 'owner', 1], onTimer: [2, 'onTimer', 0], first: [3, 'first', 0], second: [4, 'second', 0],
  state: [5, 'state'], await: [6],
})) { S[name] = table.length - 2; table.push(record); }
function token() { return JSON.stringify(table); }
rw.mod(token);

const state = { x: 0 };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A sync function as a front end emits it: `function name() { state.x = value; }`. */
function writer(site, value) {
  return function () {
    const f = rw.enter(token, site);
    try { rw.wp(f, state, 'x', value, S.state); } finally { rw.exit(f); }
  };
}

const happenedBefore = (a, b) => {
  const mb = new Map(b.causality_vector);
  return a.causality_vector.every(([c, n]) => (mb.get(c) ?? -1) >= n);
};

async function capture(run) {
  const col = await startCollector();
  const c = init({ endpoint: col.endpoint, handleExit: false, flushInterval: 50, maxEventsPerSecond: Infinity });
  await run();
  await c.flush();
  await c.shutdown();
  await col.close();
  return col.events.filter((e) => kindOf(e) === 'StateChange' && e.kind.StateChange.variable.endsWith('.x'));
}

test.serial('a timer callback starts from the clock of the segment that registered it, not of later segments', async (t) => {
  const writes = await capture(async () => {
    let fired;
    const done = new Promise((r) => { fired = r; });
    // async function owner() { state.x = 1; setTimeout(onTimer, 30); await sleep(5); state.x = 2; }
    async function owner() {
      const f = rw.enter(token, S.owner);
      try {
        rw.wp(f, state, 'x', 1, S.state);
        setTimeout(() => { writer(S.onTimer, 3)(); fired(); }, 30);
        rw.resume(f, await rw.suspend(f, sleep(5), S.await));
        rw.wp(f, state, 'x', 2, S.state);
      } finally { rw.exit(f); }
    }
    await owner();
    await done;
  });
  t.deepEqual(writes.map((e) => e.kind.StateChange.new_value), [1, 2, 3]);
  const [beforeRegistration, afterAwait, inTimer] = writes;
  t.not(inTimer.metadata.thread_id, afterAwait.metadata.thread_id, 'the callback is a task of its own');
  t.true(happenedBefore(beforeRegistration, inTimer), 'what the registering segment did happens before the callback');
  t.false(happenedBefore(afterAwait, inTimer), 'a later segment of the registering task is not ordered before the callback');
});

test.serial('p.then(a).then(b): b happens after a; p.then(a) and p.then(b) are unordered', async (t) => {
  const writes = await capture(async () => {
    // Registered outside any task (the process root), as module code would.
    const p = sleep(1);
    await p.then(writer(S.first, 'chain-a')).then(writer(S.second, 'chain-b'));
    const q = sleep(1);
    await Promise.all([q.then(writer(S.first, 'sib-a')), q.then(writer(S.second, 'sib-b'))]);
  });
  const by = Object.fromEntries(writes.map((e) => [e.kind.StateChange.new_value, e]));
  t.truthy(by['chain-a'] && by['chain-b'] && by['sib-a'] && by['sib-b']);
  t.true(happenedBefore(by['chain-a'], by['chain-b']), 'resolve → reaction: the reaction to a\'s promise comes after a');
  t.false(happenedBefore(by['sib-a'], by['sib-b']) || happenedBefore(by['sib-b'], by['sib-a']), 'two reactions to one promise are unordered');
});
