// Context semantics, exercised through the same hooks instrumented code calls (SPEC shapes written
// by hand here, so the runtime is tested independently of either front end).
import test from 'ava';
import Koa from 'koa';
import { init, withLock, validateEvent } from 'raceway';
import * as rw from 'raceway/runtime';
import { happenedBefore } from './_happens-before.mjs';
import { startCollector, kindOf } from './_collector.mjs';

// The module token of test/bank.js as a front end emits it (SPEC §2): its site table, and S.<name>,
// the id of each site.
const table = ['test/bank.js', 'test/bank'];
const S = {};
for (const [name, record] of Object.entries({
  transfer: [10, 'transfer', 1, 'from', 'amount'], accounts: [0, 'accounts'], l11: [11, 'accounts[from]'], l12: [12], l13: [13, 'accounts[from]'],
  main: [20, 'main', 1], l21: [21], l22: [22, 'accounts.alice'],
  safeTransfer: [30, 'safeTransfer', 1, 'amount'], section: [31, '<anonymous>', 1], l32: [32, 'accounts.alice'], l33: [33], l34: [34, 'accounts.alice'],
  handler: [40, 'handler', 1, 'ctx'], l41: [41, 'order'], l42: [42],
  sampledHandler: [50, 'sampledHandler', 1, 'ctx'], l51: [51, 'accounts.alice'], l52: [52],
})) { S[name] = table.length - 2; table.push(record); }
function token() { return JSON.stringify(table); }
rw.mod(token);
const tick = () => new Promise((r) => setImmediate(r));

const accounts = { alice: { balance: 1000 } };

// async function transfer(from, amount) { const b = accounts[from].balance; await tick(); accounts[from].balance = b - amount; }
async function transfer(from, amount) {
  const f = rw.enter(token, S.transfer, from, amount);
  try {
    const b = rw.rp(f, rw.rb(f, accounts, from, S.accounts), 'balance', S.l11);
    rw.resume(f, await rw.suspend(f, tick(), S.l12));
    rw.wp(f, rw.rb(f, accounts, from, S.accounts), 'balance', b - amount, S.l13);
  } finally {
    rw.exit(f);
  }
}

/** a happened before b: every component of a is <= in b (carried, or implied by a retirement). */
const before = (a, b) => happenedBefore(a, b);

const vc = (e) => new Map(e.causality_vector);

test.serial('concurrent async calls are separate tasks with concurrent clocks; awaiting them joins', async (t) => {
  const col = await startCollector();
  const c = init({ endpoint: col.endpoint, handleExit: false, flushInterval: 50 });
  accounts.alice.balance = 1000;
    async function mainFn() {
    const f = rw.enter(token, S.main);
    try {
      rw.resume(f, await rw.suspend(f, Promise.all([transfer('alice', 100), transfer('alice', 200)]), S.l21));
      rw.rp(f, rw.rb(f, accounts, 'alice', S.accounts), 'balance', S.l22);
    } finally { rw.exit(f); }
  }
  await mainFn();
  await c.flush();
  t.is(accounts.alice.balance, 800, 'the program itself behaves as written: a lost update');
  for (const e of col.events) t.deepEqual(validateEvent(e), []);
  const sc = col.events.filter((e) => kindOf(e) === 'StateChange');
  t.deepEqual(sc.map((e) => [e.kind.StateChange.variable, e.kind.StateChange.access_type, e.kind.StateChange.new_value]), [
    ['accounts.alice.balance', 'Read', 1000],
    ['accounts.alice.balance', 'Read', 1000],
    ['accounts.alice.balance', 'Write', 900],
    ['accounts.alice.balance', 'Write', 800],
    ['accounts.alice.balance', 'Read', 800],
  ]);
  t.is(sc[3].kind.StateChange.old_value, 900, 'old value is what the write replaced');
  const [r1, r2, w1, w2, final] = sc;
  t.not(r1.metadata.thread_id, r2.metadata.thread_id, 'each async call is its own task');
  t.is(r1.metadata.thread_id, w1.metadata.thread_id);
  t.false(before(r1, w2) || before(w2, r1), 'the two transfers are concurrent');
  t.false(before(w1, w2) || before(w2, w1));
  t.true(before(r1, w1), 'program order within a task');
  t.true(before(w1, final) && before(w2, final), 'awaiting the children joins their clocks');
  const spawns = col.events.filter((e) => kindOf(e) === 'AsyncSpawn');
  t.is(spawns.length, 2, 'main was entered from outside instrumented code: no AsyncSpawn for it');
  t.deepEqual(spawns.map((e) => e.kind.AsyncSpawn.spawned_by), ['main', 'main']);
  t.true(spawns.some((s) => s.kind.AsyncSpawn.task_id === r1.metadata.thread_id));
  const fc = col.events.find((e) => kindOf(e) === 'FunctionCall' && e.metadata.thread_id === r1.metadata.thread_id);
  t.deepEqual(fc.kind.FunctionCall.args, { from: 'alice', amount: 100 });
  t.is(r1.parent_id, fc.id, 'events inside a function have its FunctionCall as parent');
  t.true(vc(r1).has(spawns[0].metadata.thread_id), 'a child clock starts from a copy of its parent');
  await c.shutdown();
  await col.close();
});

test.serial('withLock excludes concurrent critical sections and orders them by happens-before', async (t) => {
  const col = await startCollector();
  const c = init({ endpoint: col.endpoint, handleExit: false, flushInterval: 50 });
  accounts.alice.balance = 1000;
  let inside = 0;
  let overlap = false;
  async function safeTransfer(amount) {
    const f = rw.enter(token, S.safeTransfer, amount);
    try {
      return rw.resume(f, await rw.suspend(f, withLock('alice', async () => {
        const g = rw.enter(f, S.section);
        try {
          inside++;
          if (inside > 1) overlap = true;
          const b = rw.rp(g, accounts.alice, 'balance', S.l32);
          rw.resume(g, await rw.suspend(g, tick(), S.l33));
          rw.wp(g, accounts.alice, 'balance', b - amount, S.l34);
          inside--;
        } finally { rw.exit(g); }
      }), S.l31));
    } finally { rw.exit(f); }
  }
  await Promise.all([safeTransfer(100), safeTransfer(200)]);
  await c.flush();
  t.false(overlap);
  t.is(accounts.alice.balance, 700);
  const sc = col.events.filter((e) => kindOf(e) === 'StateChange');
  t.is(sc.length, 4);
  for (const e of sc) t.deepEqual(e.lock_set, ['alice']);
  t.true(before(sc[1], sc[2]), 'the second holder happens after the first one released');
  const locks = col.events.filter((e) => kindOf(e).startsWith('Lock')).map(kindOf);
  t.deepEqual(locks, ['LockAcquire', 'LockRelease', 'LockAcquire', 'LockRelease']);
  await c.shutdown();
  await col.close();
});

test.serial('Koa middleware: a trace per request, isolated contexts, HttpRequest/Response, errors recorded and rethrown', async (t) => {
  const col = await startCollector();
  const c = init({ endpoint: col.endpoint, handleExit: false, flushInterval: 50 });
  const app = new Koa();
  app.silent = true;
  app.use(c.koa());
  app.use(async (ctx) => {
    const f = rw.enter(token, S.handler, ctx);
    try {
      if (ctx.path === '/boom') throw new Error('kaboom');
      const order = { total: 0 }; // a fresh object per request
      rw.wp(f, order, 'total', 5, S.l41);
      rw.resume(f, await rw.suspend(f, tick(), S.l42));
      ctx.body = { ok: true };
    } finally { rw.exit(f); }
  });
  const server = app.listen(0);
  const url = `http://127.0.0.1:${server.address().port}`;
  const [a, b] = await Promise.all([fetch(url + '/one', { headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' } }), fetch(url + '/two')]);
  t.is(a.status, 200);
  t.is(b.status, 200);
  const boom = await fetch(url + '/boom');
  t.is(boom.status, 500);
  await c.flush();
  server.closeAllConnections();
  server.close();
  for (const e of col.events) t.deepEqual(validateEvent(e), []);
  const reqs = col.events.filter((e) => kindOf(e) === 'HttpRequest');
  t.is(reqs.length, 3);
  t.is(new Set(reqs.map((e) => e.trace_id)).size, 3, 'each request is its own trace');
  t.true(reqs.some((e) => e.trace_id === '4bf92f35-77b3-4da6-a3ce-929d0e0e4736'), 'incoming traceparent continued');
  const writes = col.events.filter((e) => kindOf(e) === 'StateChange');
  t.is(writes.length, 2);
  t.not(writes[0].kind.StateChange.variable, writes[1].kind.StateChange.variable, 'per-request objects get distinct names');
  t.not(writes[0].trace_id, writes[1].trace_id);
  const resps = col.events.filter((e) => kindOf(e) === 'HttpResponse');
  t.deepEqual(resps.map((e) => e.kind.HttpResponse.status).sort(), [200, 200, 500]);
  for (const r of resps) {
    const req = reqs.find((q) => q.trace_id === r.trace_id);
    t.true(before(req, r));
    const inTrace = col.events.filter((e) => e.trace_id === r.trace_id);
    t.is(inTrace.at(-1), r, 'the response is the last event of its trace');
    for (const e of inTrace) t.true(before(e, r), 'everything in the request happened before its response');
  }
  const err = col.events.find((e) => kindOf(e) === 'Error');
  t.is(err.kind.Error.message, 'kaboom');
  await c.shutdown();
  await col.close();
});

test.serial('sampleRate: 0 records nothing for requests, the app still runs; 1 records every request', async (t) => {
  const col = await startCollector();
  const run = async (sampleRate) => {
    const c = init({ endpoint: col.endpoint, handleExit: false, flushInterval: 50, sampleRate });
    const app = new Koa();
    app.use(c.koa());
    app.use(async (ctx) => {
      const f = rw.enter(token, S.sampledHandler, ctx);
      try {
        rw.wp(f, accounts.alice, 'balance', 1, S.l51);
        rw.resume(f, await rw.suspend(f, tick(), S.l52));
        ctx.body = 'ok';
      } finally { rw.exit(f); }
    });
    const server = app.listen(0);
    const url = `http://127.0.0.1:${server.address().port}`;
    const before = col.events.length;
    for (let i = 0; i < 5; i++) t.is(await (await fetch(url)).text(), 'ok');
    await c.flush();
    server.closeAllConnections();
    server.close();
    await c.shutdown();
    return col.events.slice(before);
  };
  t.deepEqual(await run(0), []);
  const all = await run(1);
  t.is(all.filter((e) => kindOf(e) === 'HttpRequest').length, 5);
  t.is(all.filter((e) => kindOf(e) === 'StateChange').length, 5);
  await col.close();
});
