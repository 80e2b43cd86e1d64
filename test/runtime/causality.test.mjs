// Happens-before edges of callbacks, through the hooks instrumented code calls (SPEC shapes written
// by hand): a callback starts from the registering segment's clock (registration → run), and a
// promise reaction starts after the callback that settled the promise it reacts to (resolve →
// reaction). Nothing else orders callbacks.
import test from 'ava';
import { init } from 'raceway';
import * as rw from 'raceway/runtime';
import { happenedBefore } from './_happens-before.mjs';
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

test.serial('resolve → await: an async function resumes after the callback that resolved what it awaited', async (t) => {
  const writes = await capture(async () => {
    let resolve;
    const p = new Promise((r) => { resolve = r; });
    // setTimeout(() => { state.x = 'resolver'; resolve(); }, 5), an instrumented arrow
    setTimeout(() => {
      const f = rw.enter(token, S.first);
      try { rw.wp(f, state, 'x', 'resolver', S.state); resolve(); } finally { rw.exit(f); }
    }, 5);
    setTimeout(writer(S.second, 'bystander'), 1);
    // async function owner() { await p; state.x = 'after'; }
    async function owner() {
      const f = rw.enter(token, S.owner);
      try {
        rw.resume(f, await rw.suspend(f, p, S.await));
        rw.wp(f, state, 'x', 'after', S.state);
      } finally { rw.exit(f); }
    }
    await owner();
  });
  const by = Object.fromEntries(writes.map((e) => [e.kind.StateChange.new_value, e]));
  t.true(happenedBefore(by.resolver, by.after), 'what the resolver did before resolve() happens before the resumed function');
  t.false(happenedBefore(by.bystander, by.after), 'a callback that resolved nothing is not ordered before it');
});

test.serial('the ticks of one setInterval are ordered; two timers are not', async (t) => {
  const writes = await capture(async () => {
    let n = 0;
    await new Promise((done) => {
      const id = setInterval(() => {
        writer(S.onTimer, `tick${++n}`)();
        if (n === 3) { clearInterval(id); done(); }
      }, 2);
    });
    await new Promise((done) => { setTimeout(writer(S.first, 'a'), 1); setTimeout(() => { writer(S.second, 'b')(); done(); }, 5); });
  });
  const by = Object.fromEntries(writes.map((e) => [e.kind.StateChange.new_value, e]));
  t.true(happenedBefore(by.tick1, by.tick2) && happenedBefore(by.tick2, by.tick3));
  t.false(happenedBefore(by.a, by.b), 'timers registered together are ordered by nothing but time');
});

test.serial('a callback that uninstrumented code called happens before what that code does next', async (t) => {
  const writes = await capture(async () => {
    // An uninstrumented emitter: calls its listeners in order, then schedules a follow-up. A recorded
    // task starts it: async function owner() { setImmediate(emit); await finished; }
    const listeners = [writer(S.first, 'l1'), writer(S.second, 'l2')];
    let done;
    const finished = new Promise((r) => { done = r; });
    const emit = () => {
      for (const l of listeners) l();
      setImmediate(() => { writer(S.onTimer, 'next')(); done(); });
    };
    async function owner() {
      const f = rw.enter(token, S.owner);
      try {
        setImmediate(emit);
        rw.resume(f, await rw.suspend(f, finished, S.await));
      } finally { rw.exit(f); }
    }
    await owner();
  });
  const by = Object.fromEntries(writes.map((e) => [e.kind.StateChange.new_value, e]));
  t.true(happenedBefore(by.l1, by.l2), 'the second listener runs after the first returned');
  t.true(happenedBefore(by.l2, by.next), 'what the caller schedules afterwards runs after both');
});

test.serial('an exception leaving instrumented functions is one Error event, and rethrown as the same value', async (t) => {
  const col = await startCollector();
  const c = init({ endpoint: col.endpoint, handleExit: false, flushInterval: 50, maxEventsPerSecond: Infinity });
  const boom = new RangeError('too far');
  // function inner() { throw boom; } function outer() { inner(); }, as a front end emits them
  const inner = () => {
    const f = rw.enter(token, S.first);
    try { throw boom; } catch (e) { throw rw.thrown(f, e); } finally { rw.exit(f); }
  };
  const outer = () => {
    const f = rw.enter(token, S.second);
    try { inner(); } catch (e) { throw rw.thrown(f, e); } finally { rw.exit(f); }
  };
  const caught = t.throws(outer);
  t.is(caught, boom);
  await c.flush();
  await c.shutdown();
  await col.close();
  const errors = col.events.filter((e) => kindOf(e) === 'Error');
  t.is(errors.length, 1);
  t.deepEqual([errors[0].kind.Error.error_type, errors[0].kind.Error.message], ['RangeError', 'too far']);
  t.regex(errors[0].kind.Error.stack_trace[0], /^at first \(test\/cb\.js:3\)$/);
});
