import test from 'ava';
import { analyzeEvents } from '../../dist/server/analyzer/index.js';
import { Sim } from './helpers.mjs';

const BAL = 'accounts.alice.balance';

/** The banking example's transfer: read, await (simulated I/O), write from the value read. */
function transferStart(sim, amount) {
  const req = sim.request('POST', '/transfer');
  const h = req.spawn('transfer');
  h.read(BAL, 1000, 'src/bank.ts:10');
  h.await();
  return { req, h, amount };
}
function transferEnd({ req, h, amount }, old = 1000) {
  h.write(BAL, old, old - amount, 'src/bank.ts:12');
  req.join(h);
  req.respond();
}

test('reports the banking example\'s concurrent transfers as a lost update', (t) => {
  const sim = new Sim();
  const a = transferStart(sim, 100);
  const b = transferStart(sim, 200);
  transferEnd(a);
  transferEnd(b);
  const races = analyzeEvents(sim.events);
  t.is(races.length, 1, JSON.stringify(races, null, 1));
  const [r] = races;
  t.is(r.kind, 'lost_update');
  t.is(r.severity, 'CRITICAL');
  t.is(r.variable, BAL);
  t.deepEqual(r.accesses.map((x) => x.role), ['stale_read', 'interleaved_write', 'overwrite']);
  t.is(r.first.new_value, 900);
  t.is(r.second.new_value, 800);
  t.is(r.first.trace_id, a.req.trace);
  t.is(r.second.trace_id, b.req.trace);
  t.is(r.second.thread_id, b.h.id);
  t.deepEqual([...r.trace_ids].sort(), [a.req.trace, b.req.trace].sort());
  t.regex(r.description, /Lost update on accounts\.alice\.balance/);
  t.is(r.second.location, 'src/bank.ts:12');
});

test('concurrent transfers that happen not to interleave are still reported as unordered writes', (t) => {
  const sim = new Sim();
  const a = transferStart(sim, 100);
  const req2 = sim.request('POST', '/transfer');
  transferEnd(a);
  const h2 = req2.spawn('transfer');
  h2.read(BAL, 900); h2.await(); h2.write(BAL, 900, 700); req2.join(h2); req2.respond();
  const races = analyzeEvents(sim.events);
  t.is(races.length, 1);
  t.is(races[0].kind, 'unordered_writes');
  t.is(races[0].severity, 'CRITICAL');
});

test('does not report sequential requests (deposit, then transfer from one client)', (t) => {
  const sim = new Sim();
  const dep = sim.request('POST', '/deposit');
  const d = dep.spawn('deposit');
  d.read(BAL, 1000); d.await(); d.write(BAL, 1000, 1100);
  dep.join(d); dep.respond();
  transferEnd(transferStart(sim, 100), 1100);
  t.deepEqual(analyzeEvents(sim.events), []);
});

test('the interval rule only orders what a request did before its response', (t) => {
  const sim = new Sim();
  const r1 = sim.request();
  const bg = r1.spawn('background');
  bg.read(BAL, 1000); bg.await();
  r1.respond(); // fire-and-forget: the background task outlives the response
  const r2 = sim.request();
  const h2 = r2.spawn('transfer');
  h2.read(BAL, 1000); h2.write(BAL, 1000, 900);
  bg.write(BAL, 1000, 950);
  r2.join(h2); r2.respond();
  const races = analyzeEvents(sim.events);
  t.is(races.length, 1);
  t.is(races[0].kind, 'lost_update');
  t.is(races[0].second.thread_id, bg.id);
});

test('reports two tasks of one request (Promise.all) that read-modify-write one field across an await', (t) => {
  const sim = new Sim();
  const req = sim.request('POST', '/checkout');
  const a = req.spawn('addItem');
  a.read('cart.total', 0); a.await();
  const b = req.spawn('addItem');
  b.read('cart.total', 0); b.await();
  req.await(); // Promise.all
  a.write('cart.total', 0, 5);
  b.write('cart.total', 0, 7);
  req.join(a, b);
  req.respond();
  const races = analyzeEvents(sim.events);
  t.is(races.length, 1);
  t.is(races[0].kind, 'lost_update');
  t.is(races[0].first.trace_id, races[0].second.trace_id);
  t.not(races[0].first.thread_id, races[0].second.thread_id);
});

test('does not report sections protected by the same lock (release -> acquire join)', (t) => {
  const sim = new Sim();
  const r1 = sim.request(); const h1 = r1.spawn('transfer');
  const r2 = sim.request(); const h2 = r2.spawn('transfer');
  h1.acquire('lock:alice'); h1.read(BAL, 1000); h1.await(); h1.write(BAL, 1000, 900); h1.release('lock:alice');
  h2.acquire('lock:alice'); h2.read(BAL, 900); h2.await(); h2.write(BAL, 900, 700); h2.release('lock:alice');
  r1.join(h1); r1.respond(); r2.join(h2); r2.respond();
  t.deepEqual(analyzeEvents(sim.events), []);
});

test('a common lock in lock_set protects accesses even when the clocks were not joined', (t) => {
  const sim = new Sim();
  const a = transferStart(sim, 100);
  const b = transferStart(sim, 200);
  for (const e of sim.events) if (e.kind.StateChange) e.lock_set = ['mutex:accounts'];
  transferEnd(a);
  transferEnd(b);
  for (const e of sim.events) if (e.kind.StateChange) e.lock_set = ['mutex:accounts'];
  t.deepEqual(analyzeEvents(sim.events), []);
});

test('different locks do not protect', (t) => {
  const sim = new Sim();
  const r1 = sim.request(); const h1 = r1.spawn('transfer');
  const r2 = sim.request(); const h2 = r2.spawn('transfer');
  h1.acquire('lock:a'); h1.read(BAL, 1000); h1.await();
  h2.acquire('lock:b'); h2.read(BAL, 1000); h2.await();
  h1.write(BAL, 1000, 900); h1.release('lock:a');
  h2.write(BAL, 1000, 800); h2.release('lock:b');
  r1.join(h1); r1.respond(); r2.join(h2); r2.respond();
  t.is(analyzeEvents(sim.events).length, 1);
});

test('does not report synchronous read-modify-writes within one segment', (t) => {
  const sim = new Sim();
  const req = sim.request();
  const a = req.spawn('inc');
  const b = req.spawn('inc');
  a.await(); b.await();
  a.read('stats.count', 0); a.write('stats.count', 0, 1); a.await();
  b.read('stats.count', 1); b.write('stats.count', 1, 2); b.await();
  // A second round, interleaved the other way.
  b.read('stats.count', 2); b.write('stats.count', 2, 3);
  a.read('stats.count', 3); a.write('stats.count', 3, 4);
  req.join(a, b); req.respond();
  t.deepEqual(analyzeEvents(sim.events), []);
});

test('does not report different objects that share a source name', (t) => {
  const sim = new Sim();
  const r1 = sim.request(); const h1 = r1.spawn('order');
  const r2 = sim.request(); const h2 = r2.spawn('order');
  h1.read('order.total', 0); h1.await();
  h2.read('order#2.total', 0); h2.await();
  h1.write('order.total', 0, 10);
  h2.write('order#2.total', 0, 20);
  r1.join(h1); r1.respond(); r2.join(h2); r2.respond();
  t.deepEqual(analyzeEvents(sim.events), []);
});

test('reports unordered blind writes by concurrent tasks, but not identical values', (t) => {
  const sim = new Sim();
  const r1 = sim.request(); const h1 = r1.spawn('setMode');
  const r2 = sim.request(); const h2 = r2.spawn('setMode');
  h1.await(); h2.await();
  h1.write('config.mode', 'a', 'fast');
  h2.write('config.mode', 'a', 'safe');
  h1.write('config.ready', false, true);
  h2.write('config.ready', false, true);
  r1.join(h1); r1.respond(); r2.join(h2); r2.respond();
  const races = analyzeEvents(sim.events);
  t.is(races.length, 1);
  t.is(races[0].kind, 'unordered_writes');
  t.is(races[0].variable, 'config.mode');
  t.deepEqual([races[0].first.new_value, races[0].second.new_value], ['fast', 'safe']);
});

test('reports check-then-act as a warning', (t) => {
  const sim = new Sim();
  const r1 = sim.request(); const a = r1.spawn('buy');
  const r2 = sim.request(); const b = r2.spawn('recall');
  a.read('stock.widget', 1, 'src/shop.ts:3'); a.await(); // if (stock > 0) await charge()
  b.write('stock.widget', 1, 0, 'src/shop.ts:9'); b.await(); // stock = 0 (recalled): a blind write
  a.read('stock.widget', 0, 'src/shop.ts:5'); a.write('stock.widget', 0, -1, 'src/shop.ts:5');
  r1.join(a); r1.respond(); r2.join(b); r2.respond();
  const races = analyzeEvents(sim.events);
  t.is(races.length, 1, JSON.stringify(races, null, 1));
  t.is(races[0].kind, 'check_then_act');
  t.is(races[0].severity, 'WARNING');
  t.deepEqual(races[0].accesses.map((x) => x.role), ['check_read', 'interleaved_write', 'write']);
  t.is(races[0].first.location, 'src/shop.ts:3');
});

test('an awaited child is ordered before its parent\'s later accesses', (t) => {
  const sim = new Sim();
  const req = sim.request();
  const child = req.spawn('load');
  child.await();
  req.await();
  child.write('cache.user', null, 'alice');
  req.join(child);
  req.read('cache.user', 'alice'); req.write('cache.user', 'alice', 'bob');
  req.respond();
  t.deepEqual(analyzeEvents(sim.events), []);
});

test('a child\'s synchronous first segment runs inside its caller\'s segment', (t) => {
  const sim = new Sim();
  const root = sim.root();
  root.read('counter', 0);
  const child = root.spawn('reset'); // runs synchronously up to its first await
  child.write('counter', 0, 10);
  child.await();
  root.write('counter', 10, 1);
  root.await();
  t.deepEqual(analyzeEvents(sim.events), []);
});

test('but the child\'s code after its first await is concurrent with the caller', (t) => {
  const sim = new Sim();
  const root = sim.root();
  const child = root.spawn('later');
  child.await();
  root.read('counter', 0); root.await();
  child.write('counter', 0, 10);
  root.write('counter', 0, 1);
  t.is(analyzeEvents(sim.events)[0]?.kind, 'lost_update');
});

test('one race per pair of tasks, not per repetition', (t) => {
  const sim = new Sim();
  const a = transferStart(sim, 1);
  const b = transferStart(sim, 2);
  for (let i = 0; i < 5; i++) {
    a.h.write(BAL, 1000, 999); a.h.read(BAL, 999); a.h.await();
    b.h.write(BAL, 1000, 998); b.h.read(BAL, 998); b.h.await();
  }
  const races = analyzeEvents(sim.events);
  t.is(races.filter((r) => r.kind === 'lost_update').length, 1);
});

test('start-up code in a long-lived process trace does not race with later requests', (t) => {
  const sim = new Sim();
  const main = sim.root();
  main.write(BAL, null, 1000, 'src/bank.ts:2'); // module initialisation
  main.write('server.port', null, 3000);
  const dep = sim.request(); const d = dep.spawn('deposit');
  d.read(BAL, 1000); d.await(); d.write(BAL, 1000, 1100); dep.join(d); dep.respond();
  main.read('server.port', 3000); // the process trace keeps going (a timer in the root task)
  const tr = sim.request(); const h = tr.spawn('transfer');
  h.read(BAL, 1100); h.await(); h.write(BAL, 1100, 1000); tr.join(h); tr.respond();
  main.write('metrics.ticks', 0, 1);
  t.deepEqual(analyzeEvents(sim.events), []);
});

test('a timer outside any request that interleaves with a request is a lost update', (t) => {
  const sim = new Sim();
  const timer = sim.root().spawn('applyInterest');
  timer.read(BAL, 1000); timer.await();
  const dep = sim.request(); const d = dep.spawn('deposit');
  d.read(BAL, 1000); d.write(BAL, 1000, 1100); dep.join(d); dep.respond();
  timer.write(BAL, 1000, 1010);
  const races = analyzeEvents(sim.events);
  t.is(races.length, 1);
  t.is(races[0].kind, 'lost_update');
  t.is(races[0].second.thread_id, timer.id);
});

test('a blind write outside requests while a request is in flight is an unordered write', (t) => {
  const sim = new Sim();
  const main = sim.root();
  const req = sim.request(); const h = req.spawn('setMode');
  h.await();
  main.write('config.mode', 'a', 'maintenance');
  h.write('config.mode', 'a', 'live');
  req.join(h); req.respond();
  const races = analyzeEvents(sim.events);
  t.is(races.length, 1);
  t.is(races[0].kind, 'unordered_writes');
});

test('causal order puts causes first even when another machine\'s clock is behind', async (t) => {
  const { causalOrder } = await import('../../dist/server/analyzer/index.js');
  const sim = new Sim();
  const a = sim.request('GET', '/checkout');             // service A
  const call = a.emit({ Custom: { name: 'call-b', data: null } });
  const b = new (a.constructor)(sim, a.trace, a.clock);   // service B continues the trace with A's clock
  const handled = b.emit({ Custom: { name: 'in-b', data: null } }, { service: 'svc-b' });
  a.join(b);
  const back = a.emit({ Custom: { name: 'back-in-a', data: null } });
  // B's clock runs 5 s behind A's.
  handled.timestamp = new Date(Date.parse(handled.timestamp) - 5000).toISOString().replace('Z', '000Z');
  const order = causalOrder([back, handled, call, sim.events[0]]).map((e) => e.kind.Custom?.name ?? 'request');
  t.deepEqual(order, ['request', 'call-b', 'in-b', 'back-in-a']);
  // Unrelated events keep time order.
  const s2 = new Sim();
  const x = s2.root(); const y = s2.root();
  const e1 = x.emit({ Custom: { name: '1', data: null } }); const e2 = y.emit({ Custom: { name: '2', data: null } });
  t.deepEqual(causalOrder([e2, e1]).map((e) => e.kind.Custom.name), ['1', '2']);
});

test('the number of pairwise comparisons grows linearly with the accesses', async (t) => {
  const { detectRaces, prepareEvents } = await import('../../dist/server/analyzer/index.js');
  const comparisons = (requests) => {
    const sim = new Sim();
    for (let i = 0; i < requests; i++) {
      // Mostly sequential requests on one hot variable, every tenth pair concurrent.
      const a = sim.request(); const ha = a.spawn('t');
      ha.read('hot.counter', i); ha.await();
      if (i % 10 === 0) {
        const b = sim.request(); const hb = b.spawn('t');
        hb.read('hot.counter', i); hb.await(); hb.write('hot.counter', i, i + 2); b.join(hb); b.respond();
      }
      ha.write('hot.counter', i, i + 1); a.join(ha); a.respond();
    }
    const { byVariable, context } = prepareEvents(sim.events);
    const stats = { comparisons: 0 };
    const found = detectRaces(byVariable.values(), context, { maxReportsPerVariable: Infinity }, stats);
    return { stats, found: found.length };
  };
  const small = comparisons(300);
  const big = comparisons(1200);
  t.is(small.found, 30);
  t.is(big.found, 120);
  t.true(big.stats.comparisons <= 4.5 * small.stats.comparisons, `${small.stats.comparisons} -> ${big.stats.comparisons}`);
  t.true(big.stats.comparisons < 10 * 1200, `${big.stats.comparisons}`);
});

test('reports per variable are capped; the rest are counted', async (t) => {
  const { detectRaces, prepareEvents } = await import('../../dist/server/analyzer/index.js');
  const sim = new Sim();
  const handlers = [];
  for (let i = 0; i < 300; i++) { const r = sim.request(); const h = r.spawn('set'); h.await(); handlers.push([r, h]); }
  handlers.forEach(([, h], i) => h.write('config.mode', null, `mode-${i}`));
  for (const [r, h] of handlers) { r.join(h); r.respond(); }
  const { byVariable, context } = prepareEvents(sim.events);
  const stats = { comparisons: 0, suppressed: 0 };
  const found = detectRaces(byVariable.values(), context, {}, stats);
  t.is(found.length, 100);
  t.true(stats.suppressed > 1000, String(stats.suppressed));
  t.is(detectRaces(byVariable.values(), context, { maxReportsPerVariable: 5 }).length, 5);
});

test('root-task interval rule: task families of one trace that did not overlap in time are ordered', (t) => {
  // Handlers whose sender says nothing of where they came from (no AsyncSpawn, a clock of their
  // own only) all land in one long-lived trace: sequential ones must not be reported,
  // overlapping ones must.
  const sim = new Sim();
  const main = sim.root();
  const trace = main.trace;
  const handler = () => { const h = new (main.constructor)(sim, trace, new Map()); return h; };
  const dep = handler();
  const d = dep.spawn('deposit');
  d.read(BAL, 1000); d.await(); d.write(BAL, 1000, 1100); dep.join(d); dep.emit({ Custom: { name: 'done', data: null } });
  const tr = handler();
  const x = tr.spawn('transfer');
  x.read(BAL, 1100); x.await(); x.write(BAL, 1100, 1000); tr.join(x);
  t.deepEqual(analyzeEvents(sim.events), [], 'sequential families');
  const a = handler(); const ha = a.spawn('transfer');
  const b = handler(); const hb = b.spawn('transfer');
  ha.read(BAL, 1000); ha.await(); hb.await();
  ha.write(BAL, 1000, 900); // b's family started before a's ended: overlapping, not ordered
  hb.write(BAL, 1000, 800);
  const races = analyzeEvents(sim.events);
  t.is(races.length, 1);
  t.is(races[0].kind, 'unordered_writes');
  t.is(races[0].second.thread_id, hb.id);
});

test('the root-task rule does not order callbacks whose clocks come from a common task (two .then callbacks)', (t) => {
  // Each callback starts from its registering job's clock (here a callback of the start-up code
  // registers both); they did not overlap in time, but nothing orders the stale result's write
  // after the fresh one's.
  const sim = new Sim();
  const main = sim.root();
  main.write('editor.text', 'a', 'b');
  const cb = (from) => new (main.constructor)(sim, main.trace, from.clock);
  const onChange = cb(main); onChange.write('editor.text', 'b', 'c');
  const fresh = cb(onChange); fresh.write('editor.messages', [], ['fresh']);
  const stale = cb(onChange); stale.write('editor.messages', ['fresh'], ['stale']);
  const races = analyzeEvents(sim.events);
  t.is(races.length, 1);
  t.is(races[0].kind, 'unordered_writes');
  t.is(races[0].variable, 'editor.messages');
});

test('the root-task rule orders callbacks that share only the trace\'s origin (registration not seen)', (t) => {
  // A test runner calls hooks one after the other from code that was not instrumented: each starts
  // from the process root's clock, and nothing but time says the second ran after the first.
  const sim = new Sim();
  const main = sim.root();
  main.write('snapshot', null, 'real');
  const cb = () => new (main.constructor)(sim, main.trace, main.clock);
  const before = cb(); before.write('snapshot', 'real', 'mock');
  const after = cb(); after.write('snapshot', 'mock', 'real');
  t.deepEqual(analyzeEvents(sim.events), []);
});

test('the root-task rule does not order tasks of one family (Promise.all in a script)', (t) => {
  const sim = new Sim();
  const main = sim.root();
  const a = main.spawn('inc'); a.read('n', 0); a.await();
  main.emit({ Custom: { name: 'between', data: null } });
  const b = main.spawn('inc'); b.await();
  main.await();
  a.write('n', 0, 1);
  b.write('n', 0, 2);
  t.is(analyzeEvents(sim.events).length, 1);
});

// ---- Precision: patterns of correct code (p-limit / p-map test suites) that must stay silent ----

test('a counter around an await (n++, check, await, n--) in interleaved tasks is not a race', (t) => {
  const sim = new Sim();
  const main = sim.root();
  const tasks = [main.spawn('job'), main.spawn('job'), main.spawn('job')];
  let running = 0;
  // running++; t.true(running <= concurrency); await delay(); running--;
  for (const x of tasks) {
    x.read('running', running, 'test.js:5'); x.write('running', running, running + 1, 'test.js:5'); running++;
    x.read('running', running, 'test.js:6'); x.await('test.js:7');
  }
  for (const x of [tasks[1], tasks[0], tasks[2]]) {
    x.read('running', running, 'test.js:8'); x.write('running', running, running - 1, 'test.js:8'); running--;
  }
  main.await(); main.join(...tasks);
  t.deepEqual(analyzeEvents(sim.events), []);
});

test('an idempotent flag set after an await by two tasks is not a lost update', (t) => {
  const sim = new Sim();
  const main = sim.root();
  const a = main.spawn('run'); const b = main.spawn('run');
  // if (done) return; await sleep(); done = true;
  a.read('state.done', false, 'lib.js:3'); a.await('lib.js:4');
  b.read('state.done', false, 'lib.js:3'); b.await('lib.js:4');
  a.write('state.done', false, true, 'lib.js:5');
  b.write('state.done', true, true, 'lib.js:5');
  t.deepEqual(analyzeEvents(sim.events), []);
});

test('a check before an await, then a decrement that commutes with the other tasks\' increments and decrements, is not check-then-act', (t) => {
  // p-map: trySpawn reads `pending < concurrency` (and returns), awaits the mapper, then pending--;
  // meanwhile other tasks ran pending++ / pending-- each in one job.
  const sim = new Sim();
  const main = sim.root();
  const a = main.spawn('worker'); const b = main.spawn('worker');
  a.await(); b.await();
  a.read('pending', 2, 'index.js:212'); a.await('index.js:230');
  b.read('pending', 2, 'index.js:216'); b.write('pending', 2, 3, 'index.js:216'); b.await();
  b.read('pending', 3, 'index.js:233'); b.write('pending', 3, 2, 'index.js:233');
  a.read('pending', 2, 'index.js:233'); a.write('pending', 2, 1, 'index.js:233');
  t.deepEqual(analyzeEvents(sim.events), []);
});

test('a limit re-checked in the job of the increment is not check-then-act', (t) => {
  const sim = new Sim();
  const main = sim.root();
  const a = main.spawn('next'); const b = main.spawn('next');
  a.read('queue.active', 0, 'q.js:10'); a.await('q.js:11'); // a read before an await
  b.read('queue.active', 0, 'q.js:20'); b.write('queue.active', 0, 1, 'q.js:20'); b.await();
  // if (active < concurrency) active++  — a fresh check and the read-modify-write in one job
  a.read('queue.active', 1, 'q.js:20'); a.read('queue.active', 1, 'q.js:20'); a.write('queue.active', 1, 2, 'q.js:20');
  t.deepEqual(analyzeEvents(sim.events), []);
});

test('cache double initialisation (two different loaded objects) is still reported', (t) => {
  const sim = new Sim();
  const r1 = sim.request('GET', '/user'); const a = r1.spawn('get');
  const r2 = sim.request('GET', '/user'); const b = r2.spawn('get');
  a.read('cache.u1', null, 'cache.ts:3'); a.await('cache.ts:4');
  b.read('cache.u1', null, 'cache.ts:3'); b.await('cache.ts:4');
  a.write('cache.u1', null, { id: 1, loadedBy: 'a' }, 'cache.ts:5');
  b.write('cache.u1', { id: 1, loadedBy: 'a' }, { id: 1, loadedBy: 'b' }, 'cache.ts:5');
  r1.join(a); r1.respond(); r2.join(b); r2.respond();
  const races = analyzeEvents(sim.events);
  t.is(races.length, 1, JSON.stringify(races.map((r) => r.kind)));
  t.is(races[0].kind, 'lost_update');
});

test('same value: equal snapshots with a whole-value hash are the same, an unknown hash never is', (t) => {
  const run = (v1, v2) => {
    const sim = new Sim();
    const r1 = sim.request(); const h1 = r1.spawn('set');
    const r2 = sim.request(); const h2 = r2.spawn('set');
    h1.await(); h2.await();
    h1.write('config.big', null, v1); h2.write('config.big', null, v2);
    r1.join(h1); r1.respond(); r2.join(h2); r2.respond();
    return analyzeEvents(sim.events).length;
  };
  t.is(run({ a: '[Object]', $hash: '0123456789abcdef' }, { a: '[Object]', $hash: '0123456789abcdef' }), 0);
  t.is(run({ a: '[Object]', $hash: '0123456789abcdef' }, { a: '[Object]', $hash: 'fedcba9876543210' }), 1);
  t.is(run({ a: '[Object]', $hash: '?' }, { a: '[Object]', $hash: '?' }), 1);
  t.is(run(['x', '$hash:?'], ['x', '$hash:?']), 1);
  t.is(run('[Array(40)] $hash:?', '[Array(40)] $hash:?'), 1);
  t.is(run('[Array(40)] $hash:00000000000000aa', '[Array(40)] $hash:00000000000000aa'), 0);
  // A larger object carries its identity: the same object with the same preview is the same value.
  t.is(run({ a: '[Object]', $id: '5349811ad991.1' }, { a: '[Object]', $id: '5349811ad991.1' }), 0);
  t.is(run({ a: '[Object]', $id: '5349811ad991.1' }, { a: '[Object]', $id: '5349811ad991.2' }), 1);
  t.is(run(['x', '…(8 more)', '$id:5349811ad991.3'], ['x', '…(8 more)', '$id:a0c2e41b77f0.3']), 1, 'another process');
});

// ---- Order violations ----

test('use before init: a request reads module state before the start-up callback initialises it', (t) => {
  const sim = new Sim();
  const main = sim.root();
  main.write('app.roleTemplate', null, null, 'app.ts:1'); // let roleTemplate = null
  const init = main.spawn('loadTemplates'); init.await('app.ts:3'); // fs.readFile(..., cb)
  main.emit({ Custom: { name: 'listen', data: null } });      // app.listen() without waiting
  const req = sim.request('GET', '/roles'); const h = req.spawn('handler');
  h.read('app.roleTemplate', null, 'app.ts:9');
  h.await(); req.join(h); req.respond(500);
  init.write('app.roleTemplate', null, { admin: ['*'] }, 'app.ts:4');
  const races = analyzeEvents(sim.events);
  t.is(races.length, 1, JSON.stringify(races.map((r) => r.kind)));
  t.is(races[0].kind, 'use_before_init');
  t.is(races[0].severity, 'WARNING');
  t.deepEqual(races[0].accesses.map((a) => a.role), ['early_read', 'init_write']);
  t.is(races[0].first.location, 'app.ts:9');
  t.is(races[0].second.location, 'app.ts:4');
  t.regex(races[0].description, /read null at app\.ts:9 first, then .* initialised it to \{"admin":\["\*"\]\} at app\.ts:4/);
});

test('use before init stays silent when the initialisation is awaited before listening', (t) => {
  const sim = new Sim();
  const main = sim.root();
  const init = main.spawn('loadTemplates'); init.await();
  main.await();
  init.write('app.roleTemplate', null, { admin: ['*'] }, 'app.ts:4');
  main.join(init);
  const server = main.spawn('listen'); // requests are handled by tasks the server's task starts
  const req = new (main.constructor)(sim, main.trace, server.clock);
  req.emit({ HttpRequest: { method: 'GET', url: '/roles', headers: {}, body: null } });
  req.read('app.roleTemplate', { admin: ['*'] }, 'app.ts:9');
  req.respond();
  t.deepEqual(analyzeEvents(sim.events), []);
});

test('use after reset: a timer reads state that an unordered disconnect() reset', (t) => {
  const sim = new Sim();
  const main = sim.root();
  main.write('client._reconnection', null, { auth: 'token' }, 'client.ts:2');
  const timer = main.spawn('reconnectTimer'); timer.await('client.ts:5'); // setTimeout
  const user = sim.root(); // disconnect() called from elsewhere
  const d = user.spawn('disconnect');
  d.write('client._reconnection', { auth: 'token' }, null, 'client.ts:12');
  timer.read('client._reconnection', null, 'client.ts:6'); // self._reconnection.auth throws
  const guarded = analyzeEvents(sim.events.slice());
  t.deepEqual(guarded, [], 'a read of the reset value that did not throw is a guard (if (!this._reconnection) return)');
  timer.emit({ Error: { error_type: 'TypeError', message: "Cannot read properties of null (reading 'auth')", stack_trace: [] } });
  const races = analyzeEvents(sim.events);
  t.is(races.length, 1, JSON.stringify(races.map((r) => r.kind)));
  t.is(races[0].kind, 'use_after_reset');
  t.deepEqual(races[0].accesses.map((a) => a.role), ['reset_write', 'late_read']);
  t.regex(races[0].description, /reset it from \{"auth":"token"\} to null at client\.ts:12 first, then .* read null at client\.ts:6/);
});

test('use after reset: a flag flipped by an unordered timer, read by a job that hands an error to its callback', (t) => {
  const sim = new Sim();
  const main = sim.root();
  main.write('PooledSocket.destroyed', null, false, 'agent.ts:12');
  const idle = main.spawn('idleTimeout'); idle.await('agent.ts:45'); // setTimeout(onIdleTimeout)
  const next = main.spawn('nextRequest'); next.await('agent.ts:70'); // setTimeout(request)
  idle.write('PooledSocket.destroyed', false, true, 'agent.ts:18');
  next.read('PooledSocket.destroyed', true, 'agent.ts:22'); // this.destroyed ? done(new Error(...)) : ...
  t.deepEqual(analyzeEvents(sim.events.slice()), [], 'a job that reads the flag and goes on normally is a guard');
  next.emit({ FunctionCall: { function_name: '<anonymous>', module: 'agent', args: { err: { $type: 'Error', name: 'Error', message: 'socket hang up' } }, file: 'agent.ts', line: 60 } });
  const races = analyzeEvents(sim.events);
  t.deepEqual(races.map((r) => `${r.kind} ${r.variable}`), ['use_after_reset PooledSocket.destroyed']);
  t.deepEqual(races[0].accesses.map((a) => a.role), ['reset_write', 'late_read']);
  // A call with ordinary arguments, or a value set rather than reset, is no failure.
  const plain = new Sim();
  const m = plain.root();
  m.write('job.state', null, 1, 'job.ts:1');
  const a = m.spawn('a'); a.await(); const b = m.spawn('b'); b.await();
  a.write('job.state', 1, 2, 'job.ts:5');
  b.read('job.state', 2, 'job.ts:9');
  b.emit({ FunctionCall: { function_name: 'done', module: 'job', args: { err: { $type: 'Error', name: 'Error', message: 'x' } }, file: 'job.ts', line: 10 } });
  t.deepEqual(analyzeEvents(plain.events), [], 'a number replaced by another number is not a reset');
});

test('a failure counts for the job that read only if it is that task\'s, or its clock saw the read', (t) => {
  const build = (failer) => {
    const sim = new Sim();
    const main = sim.root();
    main.write('queue.isResolved', null, false, 'q.ts:1');
    const reject = main.spawn('reject'); reject.await();
    const next = main.spawn('next'); next.await();
    const other = main.spawn('mapper'); other.await();
    reject.write('queue.isResolved', false, true, 'q.ts:48');
    next.read('queue.isResolved', true, 'q.ts:63'); // if (isResolved) return;
    if (failer === 'other') other.emit({ Error: { error_type: 'Error', message: 'Oops', stack_trace: [] } });
    if (failer === 'awaiting') {
      const waiter = sim.root(); waiter.join(next); // a task the read's outcome reached (an awaiting caller)
      waiter.emit({ Error: { error_type: 'Error', message: 'gave up', stack_trace: [] } });
    }
    return analyzeEvents(sim.events).map((r) => r.kind);
  };
  t.deepEqual(build('other'), [], 'an unrelated task failing right after the guard is not the guard\'s failure');
  t.deepEqual(build('awaiting'), ['use_after_reset'], 'a failure whose clock saw the read is its job\'s');
});

// Keyed container accesses as the runtime records them (SPEC §4.5).
const has = (task, v, key, found, loc) => task.emit({ StateChange: { variable: v, old_value: { has: key }, new_value: found, location: loc, access_type: 'Read' } });
const del = (task, v, key, before, removed, loc) => {
  task.emit({ StateChange: { variable: v, old_value: { size: before }, new_value: { size: before }, location: loc, access_type: 'Read' } });
  return task.emit({ StateChange: { variable: v, old_value: { size: before }, new_value: { delete: key, size: removed ? before - 1 : before }, location: loc, access_type: 'Write' } });
};
const set = (task, v, key, val, before, inserted, loc) => {
  task.emit({ StateChange: { variable: v, old_value: { size: before }, new_value: { size: before }, location: loc, access_type: 'Read' } });
  return task.emit({ StateChange: { variable: v, old_value: { size: before }, new_value: { set: [key, val], size: inserted ? before + 1 : before }, location: loc, access_type: 'Write' } });
};
const failure = (task) => task.emit({ Error: { error_type: 'Error', message: 'EADDRINUSE', stack_trace: [] } });

test('check-then-act on a container entry: a later step of the chain finds it changed by an unordered task and fails', (t) => {
  const build = (fails) => {
    const sim = new Sim();
    const main = sim.root();
    const a = main.spawn('startA'); const b = main.spawn('startB');
    a.await(); b.await();
    has(a, 'ports', 3000, false, 'port.ts:3'); // each probe finds the port free
    has(b, 'ports', 3000, false, 'port.ts:3');
    const la = a.spawn('listenA'); const lb = b.spawn('listenB'); // the bind, a callback the chain started
    la.await(); lb.await();
    has(la, 'ports', 3000, false, 'port.ts:9');
    set(la, 'ports', 3000, 'api', 0, true, 'port.ts:10');
    has(lb, 'ports', 3000, true, 'port.ts:9'); // the second bind finds it taken
    if (fails) failure(lb);
    return analyzeEvents(sim.events);
  };
  const races = build(true);
  t.deepEqual(races.map((r) => `${r.kind} ${r.variable}`), ['check_then_act ports']);
  t.deepEqual(races[0].accesses.map((a) => a.role), ['check_read', 'interleaved_write', 'act']);
  t.regex(races[0].description, /checked has\(3000\) = false at port\.ts:3; .* found has\(3000\) = true at port\.ts:9 and failed/);
  t.deepEqual(build(false), [], 'a chain that finds the entry taken and goes on (a cache filled meanwhile) checked again on purpose');
});

test('check-then-act on a container entry stays silent when the change is ordered or another entry', (t) => {
  // The entry removed by the chain's own predecessor: ordered.
  let sim = new Sim();
  let main = sim.root();
  const a = main.spawn('rmA'); a.await();
  has(a, 'disk', 'build/app.js', true, 'fs.ts:3');
  del(a, 'disk', 'build/app.js', 3, true, 'fs.ts:5');
  const b = a.spawn('rmB'); b.await();
  del(b, 'disk', 'build/app.js', 2, false, 'fs.ts:5');
  failure(b);
  t.deepEqual(analyzeEvents(sim.events), [], 'sequential removal');
  // An unordered removal of another key.
  sim = new Sim();
  main = sim.root();
  const c = main.spawn('c'); const d = main.spawn('d');
  c.await(); d.await();
  has(c, 'disk', 'a', true, 'fs.ts:3');
  del(d, 'disk', 'b', 3, true, 'fs.ts:5');
  const c2 = c.spawn('c2'); c2.await();
  has(c2, 'disk', 'b', false, 'fs.ts:9');
  failure(c2);
  t.deepEqual(analyzeEvents(sim.events), [], 'another key');
});

test('order violations stay silent: sequential requests, locks, ordered writes, non-empty values', (t) => {
  // Logout, then a later request of the same client reads the reset session.
  let sim = new Sim();
  const r1 = sim.request('POST', '/logout'); const h1 = r1.spawn('logout');
  h1.write('session.user', 'alice', null); r1.join(h1); r1.respond();
  const r2 = sim.request('GET', '/me'); const h2 = r2.spawn('me'); h2.read('session.user', null); r2.join(h2); r2.respond();
  t.deepEqual(analyzeEvents(sim.events), [], 'sequential requests');
  // Locked sections.
  sim = new Sim();
  const main = sim.root();
  const a = main.spawn('a'); const b = main.spawn('b');
  a.await(); b.await();
  a.acquire('L'); a.read('conn.socket', null); a.release('L');
  b.acquire('L'); b.write('conn.socket', null, { fd: 3 }); b.release('L');
  t.deepEqual(analyzeEvents(sim.events), [], 'lock');
  // Concurrent read/write of ordinary values: no sign that the order mattered.
  sim = new Sim();
  const m2 = sim.root();
  const c = m2.spawn('c'); const e = m2.spawn('e');
  c.await(); e.await();
  c.read('stats.last', 3); e.write('stats.last', 3, 4); c.read('stats.last', 4);
  t.deepEqual(analyzeEvents(sim.events), [], 'plain values');
  // Start-up code before listen: the request reads what start-up stored.
  sim = new Sim();
  const boot = sim.root();
  boot.write('app.db', null, { url: 'x' });
  const rq = sim.request(); const hq = rq.spawn('h'); hq.read('app.db', { url: 'x' }); rq.join(hq); rq.respond();
  t.deepEqual(analyzeEvents(sim.events), [], 'start-up before listen');
});

// ---- Jobs without AsyncAwait events (manual API, other SDKs) ----

/** A request task as the Koa middleware makes it: HttpRequest, manual captures, HttpResponse; no AsyncAwait. */
function koaRequest(sim, clockShape = 'runtime') {
  const t = sim.request('POST', '/transfer');
  if (clockShape === 'upstream') for (const e of sim.events.slice(-1)) e.causality_vector = [[t.id, 1]];
  return t;
}

for (const shape of ['runtime', 'upstream']) {
  test(`manual API (${shape} clocks): concurrent Koa requests read, await, write: lost update`, (t) => {
    const sim = new Sim();
    const a = koaRequest(sim, shape); const b = koaRequest(sim, shape);
    a.read('alice.balance', 1000, 'manual'); b.read('alice.balance', 1000, 'manual');
    a.write('alice.balance', 1000, 900, 'manual'); b.write('alice.balance', 1000, 800, 'manual');
    a.respond(); b.respond();
    if (shape === 'upstream') {
      for (const e of sim.events) e.causality_vector = [[e.metadata.thread_id, e.causality_vector.find((p) => p[0] === e.metadata.thread_id)[1]]];
    }
    const races = analyzeEvents(sim.events);
    t.is(races.length, 1, JSON.stringify(races.map((r) => r.kind)));
    t.is(races[0].kind, 'lost_update');
    t.is(races[0].second.new_value, 800);
  });

  test(`manual API (${shape} clocks): sequential requests of that shape stay silent`, (t) => {
    const sim = new Sim();
    for (const [from, to] of [[1000, 900], [900, 700]]) {
      const r = koaRequest(sim, shape);
      r.read('alice.balance', from, 'manual'); r.emit({ Custom: { name: 'io', data: null } }); r.write('alice.balance', from, to, 'manual'); r.respond();
    }
    if (shape === 'upstream') {
      for (const e of sim.events) e.causality_vector = [[e.metadata.thread_id, e.causality_vector.find((p) => p[0] === e.metadata.thread_id)[1]]];
    }
    t.deepEqual(analyzeEvents(sim.events), []);
  });
}

test('a task with awaits is not split by other tasks\' events (its child\'s first segment runs in its job)', (t) => {
  const sim = new Sim();
  const root = sim.root();
  root.await();
  root.read('counter', 0);
  const child = root.spawn('reset');
  child.write('counter', 0, 10);
  child.await();
  root.write('counter', 10, 1);
  t.deepEqual(analyzeEvents(sim.events), []);
});

test('a task without awaits is not split by its own child\'s synchronous first segment', (t) => {
  const sim = new Sim();
  const root = sim.root();
  root.read('counter', 0);
  const child = root.spawn('reset');
  child.write('counter', 0, 10);
  child.await();
  root.write('counter', 10, 1);
  const other = sim.root(); other.emit({ Custom: { name: 'later', data: null } });
  t.deepEqual(analyzeEvents(sim.events), []);
});

test('two processes do not share memory: the same variable name there is two objects', (t) => {
  const sim = new Sim();
  const a = sim.root(); const b = sim.root();
  a.await(); b.await();
  a.write('Queue#1.size', 0, 1);
  b.write('Queue#1.size', 0, 2);
  for (const e of sim.events) if (e.metadata.thread_id === b.id) e.metadata.process_id = 2;
  t.deepEqual(analyzeEvents(sim.events), []);
  for (const e of sim.events) if (e.metadata.thread_id === b.id) e.metadata.service_name = 'other-service';
  t.deepEqual(analyzeEvents(sim.events), [], 'nor do two services');
});

test('use before init is not reported for lazy set-up (the writer checked the variable first)', (t) => {
  const sim = new Sim();
  const main = sim.root();
  const a = main.spawn('clearTimer'); const b = main.spawn('scheduleTimer');
  a.await(); b.await();
  a.read('queue.timeoutId', null, 'q.js:189'); // if (this.timeoutId) clearTimeout(...)
  b.read('queue.timeoutId', null, 'q.js:177'); b.write('queue.timeoutId', null, { $type: 'Timeout' }, 'q.js:178');
  t.deepEqual(analyzeEvents(sim.events), []);
});

test('a write made in the job of a read that saw the other task\'s write is not an unordered write', (t) => {
  // if (this.flushScheduled) return; this.flushScheduled = true; queueMicrotask(() => { this.flushScheduled = false })
  const sim = new Sim();
  const main = sim.root();
  const a = main.spawn('schedule'); const b = main.spawn('schedule');
  a.await(); b.await();
  a.read('q.flushScheduled', false); a.write('q.flushScheduled', false, true, 'q.js:612');
  const micro = a.spawn('flush'); micro.await();
  micro.write('q.flushScheduled', true, false, 'q.js:614'); a.write('q.other', 0, 1);
  b.read('q.flushScheduled', false, 'q.js:609'); b.write('q.flushScheduled', false, true, 'q.js:612');
  t.deepEqual(analyzeEvents(sim.events), []);
  // Without the read (a blind write), the order of the two writes decides the value: reported.
  const s2 = new Sim();
  const m2 = s2.root();
  const c = m2.spawn('reset'); const d = m2.spawn('set');
  c.await(); d.await();
  c.write('q.flushScheduled', true, false); d.write('q.flushScheduled', false, true);
  t.is(analyzeEvents(s2.events).length, 1);
});

test('a child\'s first segment happens before what its caller does after the call, even without a join', (t) => {
  const sim = new Sim();
  const main = sim.root();
  const first = main.spawn('tick'); first.write('q.intervalEnd', 0, 100); first.await(); // not awaited by main
  main.await();
  const second = main.spawn('tick'); second.write('q.intervalEnd', 100, 200); second.await();
  t.deepEqual(analyzeEvents(sim.events), []);
});

test('use before init is not reported for a reader that waited for the value (polling)', (t) => {
  const sim = new Sim();
  const main = sim.root();
  const poller = main.spawn('waitReady'); const init = main.spawn('connect');
  poller.read('db.conn', null, 'db.ts:9'); poller.await('db.ts:10'); // while (!db.conn) await sleep(10)
  init.await(); init.write('db.conn', null, { fd: 7 }, 'db.ts:4');
  poller.read('db.conn', { fd: 7 }, 'db.ts:9');
  t.deepEqual(analyzeEvents(sim.events), []);
});

test('use before init: a request that failed on the empty value is reported even if a later one saw the value', (t) => {
  const sim = new Sim();
  const main = sim.root();
  const init = main.spawn('loadTemplates'); init.await('app.ts:3');
  const r1 = sim.request('GET', '/roles'); const h1 = r1.spawn('handler');
  h1.read('app.roleTemplate', null, 'app.ts:9');
  h1.emit({ Error: { error_type: 'TypeError', message: "Cannot read properties of null (reading 'replace')", stack_trace: [] } });
  h1.await(); r1.join(h1); r1.respond(500);
  init.write('app.roleTemplate', null, 'role:{{role}}', 'app.ts:4');
  const r2 = sim.request('GET', '/roles'); const h2 = r2.spawn('handler');
  h2.read('app.roleTemplate', 'role:{{role}}', 'app.ts:9'); // the same site later saw the value
  h2.await(); r2.join(h2); r2.respond(200);
  t.deepEqual(analyzeEvents(sim.events).map((r) => `${r.kind} ${r.variable}`), ['use_before_init app.roleTemplate']);
});

test('upstream SDK shape without HTTP events: a trace per request, clocks [[thread, n]], no AsyncAwait', (t) => {
  const run = (interleave) => {
    const sim = new Sim();
    const a = sim.root(); const b = sim.root();
    if (interleave) {
      a.read('alice.balance', 1000); b.read('alice.balance', 1000);
      a.write('alice.balance', 1000, 900); b.write('alice.balance', 1000, 800);
    } else {
      a.read('alice.balance', 1000); a.emit({ Custom: { name: 'db', data: null } }); a.write('alice.balance', 1000, 900);
      b.read('alice.balance', 900); b.emit({ Custom: { name: 'db', data: null } }); b.write('alice.balance', 900, 700);
    }
    for (const e of sim.events) e.causality_vector = [[e.metadata.thread_id, e.causality_vector.find((p) => p[0] === e.metadata.thread_id)[1]]];
    return analyzeEvents(sim.events).map((r) => r.kind);
  };
  t.deepEqual(run(true), ['lost_update']);
  t.deepEqual(run(false), []);
});

test('a transition between named states made after seeing another callback\'s transition is an unordered write', (t) => {
  // open(): if (readyState !== 'closed') return; readyState = 'opening' — in a timer callback,
  // after the dial-failure callback of an earlier open() stored 'closed'. In the other order the
  // timer would have seen 'opening' and not dialled again.
  const sim = new Sim();
  const main = sim.root();
  const dialFailed = main.spawn('dial callback'); const timer = main.spawn('timer');
  dialFailed.await(); timer.await();
  dialFailed.write('Manager.readyState', 'opening', 'closed', 'm.ts:29');
  timer.read('Manager.readyState', 'closed', 'm.ts:23'); timer.write('Manager.readyState', 'closed', 'opening', 'm.ts:24');
  const reports = analyzeEvents(sim.events);
  t.deepEqual(reports.map((r) => `${r.kind} ${r.variable}`), ['unordered_writes Manager.readyState']);
  // A two-valued flag's test-and-set in the same places stays silent (the coalescing idiom).
  const s2 = new Sim();
  const m2 = s2.root();
  const reset = m2.spawn('flush'); const set = m2.spawn('schedule');
  reset.await(); set.await();
  reset.write('q.scheduled', true, false); set.read('q.scheduled', false); set.write('q.scheduled', false, true);
  t.deepEqual(analyzeEvents(s2.events), []);
});

/** A Map#set as the runtime records it (SPEC §4.5): a Read of the size, then the Write. */
function mapSet(task, variable, size, key, value, newSize, location = 'srv.ts:37') {
  task.read(variable, { size }, location);
  task.write(variable, { size }, { set: [key, value], size: newSize }, location);
}

test('two blind Map#set of one key with different values by unordered tasks are unordered writes', (t) => {
  // Both connections looked the namespace up before an async middleware, then each stores its own.
  const sim = new Sim();
  const main = sim.root();
  const a = main.spawn('connect'); const b = main.spawn('connect');
  a.read('Server._nsps', null, 'srv.ts:24'); a.await();
  b.read('Server._nsps', null, 'srv.ts:24'); b.await();
  mapSet(a, 'Server._nsps', 0, '/team-a', { $ref: 'Namespace' }, 1);
  mapSet(b, 'Server._nsps', 1, '/team-a', { $ref: 'Namespace#2' }, 1);
  t.deepEqual(analyzeEvents(sim.events).map((r) => `${r.kind} ${r.variable}`), ['unordered_writes Server._nsps']);
});

test('Map#set of different keys, of the same value, or after a lookup in the same job commute', (t) => {
  const run = (second) => {
    const sim = new Sim();
    const main = sim.root();
    const a = main.spawn('connect'); const b = main.spawn('connect');
    a.await(); b.await();
    mapSet(a, 'cache', 0, 'alice', 1, 1);
    second(b);
    return analyzeEvents(sim.events);
  };
  t.deepEqual(run((b) => mapSet(b, 'cache', 1, 'bob', 2, 2)), [], 'different keys');
  t.deepEqual(run((b) => mapSet(b, 'cache', 1, 'alice', 1, 1)), [], 'the same value again');
  // if (!cache.has(k)) cache.set(k, v) in one job: the entry was looked at right before.
  t.deepEqual(run((b) => { b.read('cache', true, 'c.ts:3'); mapSet(b, 'cache', 1, 'alice', 2, 1); }), [], 're-checked in the job');
});

test('a write after reading what the latest write left is ordered after what came before that write', (t) => {
  // new Namespace() initialises this.sockets in one task; another task reached the namespace
  // through that task's map entry and adds to the set after the creator's own add.
  const sim = new Sim();
  const main = sim.root();
  const a = main.spawn('approve'); const b = main.spawn('approve');
  a.await(); b.await();
  a.write('Namespace.sockets', null, { $type: 'Set', size: 0, values: [] }, 'ns.ts:8');
  a.read('Namespace.sockets', { size: 0 }, 'ns.ts:26'); a.write('Namespace.sockets', { size: 0 }, { add: 'alice', size: 1 }, 'ns.ts:26');
  b.read('Namespace.sockets', { size: 1 }, 'ns.ts:26'); b.write('Namespace.sockets', { size: 1 }, { add: 'bob', size: 2 }, 'ns.ts:26');
  t.deepEqual(analyzeEvents(sim.events), []);
  // Without the read of the latest state (a blind write), the initialisation and it race.
  const s2 = new Sim();
  const m2 = s2.root();
  const c = m2.spawn('init'); const d = m2.spawn('reset');
  c.await(); d.await();
  c.write('Namespace.sockets', null, { $type: 'Set', size: 0, values: [] }, 'ns.ts:8');
  c.read('Namespace.sockets', { size: 0 }, 'ns.ts:26'); c.write('Namespace.sockets', { size: 0 }, { add: 'alice', size: 1 }, 'ns.ts:26');
  d.write('Namespace.sockets', { size: 1 }, { $type: 'Set', size: 0, values: [] }, 'ns.ts:30');
  t.is(analyzeEvents(s2.events).length, 1);
});

/** An Array#push as the runtime records it (SPEC §4.5): a Read of the length, then the Write. */
function push(task, variable, length, item, location = 'q.ts:21') {
  task.read(variable, { length }, location);
  task.write(variable, { length }, { push: [item], length: length + 1 }, location);
}

test('use before init: a loop reads a container as empty before the callback that inserts its first element', (t) => {
  // start(): queue.add(first, cb) and, without waiting for it, process.nextTick(crawl); crawl
  // reads items.length as 0 and stops for good.
  const sim = new Sim();
  const main = sim.root();
  const add = main.spawn('add callback'); const crawl = main.spawn('crawl');
  add.await(); crawl.await();
  crawl.read('FetchQueue.items', 0, 'q.ts:29');
  push(add, 'FetchQueue.items', 0, { $ref: 'FetchQueue.items[0]' });
  t.deepEqual(analyzeEvents(sim.events).map((r) => `${r.kind} ${r.variable}`), ['use_before_init FetchQueue.items']);
});

test('an empty container read is not an early read when the reader or its site comes back and sees an element', (t) => {
  const run = (later) => {
    const sim = new Sim();
    const main = sim.root();
    const tick = main.spawn('tick'); const producer = main.spawn('producer');
    tick.await(); producer.await();
    tick.read('jobs', 0, 'w.ts:5'); // if (jobs.length === 0) return
    push(producer, 'jobs', 0, 'a', 'w.ts:12');
    later(main);
    return analyzeEvents(sim.events);
  };
  t.is(run(() => {}).length, 1, 'nobody looks again: reported');
  // The next interval tick (a new callback at the same site) sees the job: polling.
  t.deepEqual(run((main) => { const next = main.spawn('tick'); next.await(); next.read('jobs', 1, 'w.ts:5'); }), []);
  // A read at another site does not show that the early reader was waiting.
  t.is(run((main) => { const other = main.spawn('report'); other.await(); other.read('jobs', 1, 'w.ts:40'); }).length, 1);
});

test('a push after its own look at the container in the same job is not an initialisation', (t) => {
  // if (!pending.length) scheduleFlush(); pending.push(x): the writer expects the empty state.
  const sim = new Sim();
  const main = sim.root();
  const a = main.spawn('reader'); const b = main.spawn('producer');
  a.await(); b.await();
  a.read('pending', 0, 'p.ts:3');
  b.read('pending', 0, 'p.ts:8'); push(b, 'pending', 0, 'x', 'p.ts:9');
  t.deepEqual(analyzeEvents(sim.events), []);
});

test('use after reset: a flag flipped by an unordered callback while a chain of row callbacks still reads it', (t) => {
  // on('row', r => { if (output.ended) errors.push(r); else lines.push(r) }) runs per row, each
  // row callback registered by the previous one; an unordered 'end' callback sets ended = true.
  const run = (rowsAfter, site = 'x.ts:54') => {
    const sim = new Sim();
    const main = sim.root();
    const end = main.spawn('end callback');
    let row = main.spawn('row'); row.await();
    row.read('output.ended', false, 'x.ts:54');
    end.await(); end.write('output.ended', false, true, 'x.ts:58');
    for (let i = 0; i < rowsAfter; i++) {
      row = row.spawn('row'); row.await();
      row.read('output.ended', true, site);
    }
    return analyzeEvents(sim.events).map((r) => `${r.kind} ${r.variable}`);
  };
  t.deepEqual(run(2), ['use_after_reset output.ended']);
  // A poll (`while (!done) await sleep()`) that sees the new value once and stops: silent.
  t.deepEqual(run(1), []);
  // Reads of the new value elsewhere (an assertion after the change) are not the same work going on.
  t.deepEqual(run(2, 'x.ts:70'), []);
});

test('a flag flipped after the chain finished, or seen only by unrelated callbacks, is no use after reset', (t) => {
  // The fixed order: 'end' comes after the last row (it continues the row chain).
  const sim = new Sim();
  const main = sim.root();
  let row = main.spawn('row'); row.await(); row.read('output.ended', false, 'x.ts:54');
  row = row.spawn('row'); row.await(); row.read('output.ended', false, 'x.ts:54');
  const end = row.spawn('end callback'); end.await(); end.write('output.ended', false, true, 'x.ts:58');
  t.deepEqual(analyzeEvents(sim.events), []);
  // Interval ticks (siblings, not one chain) reading before and after the flip: not reported.
  const s2 = new Sim();
  const m2 = s2.root();
  const tick = () => { const k = m2.spawn('tick'); k.await(); return k; };
  tick().read('item.fetched', false, 'c.ts:31');
  const resp = m2.spawn('response'); resp.await(); resp.write('item.fetched', false, true, 'c.ts:47');
  tick().read('item.fetched', true, 'c.ts:31'); tick().read('item.fetched', true, 'c.ts:31');
  t.deepEqual(analyzeEvents(s2.events), []);
});

test('check-then-act on a pool: a removal that finds the container empty after a check that saw an element', (t) => {
  // if (pool.length > 0) { await io(); const s = pool.shift() } in two requests: the second gets nothing.
  const run = (secondFinds) => {
    const sim = new Sim();
    const main = sim.root();
    const a = main.spawn('request'); const b = main.spawn('request');
    a.read('pool', 1, 'p.js:22'); a.await();
    b.read('pool', 1, 'p.js:22'); b.await();
    a.read('pool', { length: secondFinds + 1 }, 'p.js:24'); a.write('pool', { length: secondFinds + 1 }, { shift: { $ref: 'pool[0]' }, length: secondFinds }, 'p.js:24');
    b.read('pool', { length: secondFinds }, 'p.js:24');
    b.write('pool', { length: secondFinds }, { shift: secondFinds ? { $ref: 'pool[1]' } : null, length: Math.max(0, secondFinds - 1) }, 'p.js:24');
    return analyzeEvents(sim.events).map((r) => `${r.kind} ${r.variable}`);
  };
  t.deepEqual(run(0), ['check_then_act pool']);
  // Both removals got an element (the pool had enough): they commute, as counters do.
  t.deepEqual(run(1), []);
});

test('a flag flipped back and forth (a mode such as paused) under a reading chain is no use after reset', (t) => {
  const run = (flipBack) => {
    const sim = new Sim();
    const main = sim.root();
    const pause = main.spawn('pause'); const resume = main.spawn('resume');
    let chunk = main.spawn('chunk'); chunk.await();
    chunk.read('state.paused', false, 's.ts:8');
    pause.await(); pause.write('state.paused', false, true, 's.ts:17');
    for (let i = 0; i < 3; i++) { chunk = chunk.spawn('chunk'); chunk.await(); chunk.read('state.paused', true, 's.ts:8'); }
    if (flipBack) { resume.await(); resume.read('state.paused', true, 's.ts:19'); resume.write('state.paused', true, false, 's.ts:19'); }
    return analyzeEvents(sim.events).filter((r) => r.kind === 'use_after_reset').length;
  };
  t.is(run(false), 1, 'flipped once for good: one report however many callbacks saw it');
  t.is(run(true), 0);
});
