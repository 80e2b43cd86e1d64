import test from 'ava';
import fc from 'fast-check';
import { analyzeEvents } from '../../dist/server/analyzer/index.js';
import { Store } from '../../dist/server/store.js';
import { Sim } from './helpers.mjs';
import { bankingRace } from './server-helpers.mjs';

/** Several scenarios in one event stream: a lost update, sequential requests, a locked pair, a sync RMW pair. */
function mixed() {
  const { events } = bankingRace();
  const sim = new Sim({ start: Date.UTC(2026, 0, 2) * 1000 });
  const dep = sim.request(); const d = dep.spawn('deposit');
  d.read('accounts.bob.balance', 10); d.await(); d.write('accounts.bob.balance', 10, 20); dep.join(d); dep.respond();
  const tr = sim.request(); const t2 = tr.spawn('transfer');
  t2.read('accounts.bob.balance', 20); t2.await(); t2.write('accounts.bob.balance', 20, 5); tr.join(t2); tr.respond();
  const r1 = sim.request(); const h1 = r1.spawn('f'); const r2 = sim.request(); const h2 = r2.spawn('f');
  h1.acquire('L'); h1.read('stock', 1); h1.await(); h2.await(); h1.write('stock', 1, 0); h1.release('L');
  h2.acquire('L'); h2.read('stock', 0); h2.await(); h2.write('stock', 0, -1); h2.release('L');
  r1.join(h1); r1.respond(); r2.join(h2); r2.respond();
  const r3 = sim.request(); const a = r3.spawn('inc'); const b = r3.spawn('inc');
  a.await(); b.await(); a.read('hits', 0); a.write('hits', 0, 1); b.read('hits', 1); b.write('hits', 1, 2); r3.join(a, b); r3.respond();
  const r4 = sim.request(); const c = r4.spawn('g'); const r5 = sim.request(); const e = r5.spawn('g');
  c.await(); e.await(); c.write('config.mode', 'x', 'a'); e.write('config.mode', 'x', 'b'); r4.join(c); r4.respond(); r5.join(e); r5.respond();
  const root = sim.root(); // a child's synchronous prefix runs inside its caller's segment
  root.read('counter', 0); const child = root.spawn('reset'); child.write('counter', 0, 10); child.await(); root.write('counter', 10, 1); root.await();
  // Two task families in one non-request trace: they overlap only because of the first family's
  // last event (a Custom event after the second family started).
  const proc = sim.root();
  const f1 = new (proc.constructor)(sim, proc.trace, proc.clock); const d1 = f1.spawn('f'); d1.await(); d1.write('fam.x', 0, 1);
  const f2 = new (proc.constructor)(sim, proc.trace, proc.clock); const d2 = f2.spawn('f'); d2.await(); d2.write('fam.x', 1, 2);
  f1.emit({ Custom: { name: 'late', data: null } });
  // Manual-API requests without AsyncAwait: their jobs come from other tasks' events in between
  // (a concurrent pair: lost update; a sequential one: nothing).
  const ka = sim.request(); const kb = sim.request();
  ka.read('manual.balance', 1000); kb.read('manual.balance', 1000); ka.write('manual.balance', 1000, 900); kb.write('manual.balance', 1000, 800);
  ka.respond(); kb.respond();
  const kc = sim.request(); kc.read('manual.other', 1); kc.emit({ Custom: { name: 'io', data: null } }); kc.write('manual.other', 1, 2); kc.respond();
  const kd = sim.request(); kd.read('manual.other', 2); kd.write('manual.other', 2, 3); kd.respond();
  // Use after reset: a timer reads what an unordered disconnect reset, and throws; another read
  // of a reset value that does not throw (a guard) is not reported.
  const boot = sim.root(); boot.write('conn.auth', null, { token: 't' });
  const timer = boot.spawn('timer'); timer.await();
  const other = sim.root(); const disc = other.spawn('disconnect'); disc.write('conn.auth', { token: 't' }, null);
  disc.write('conn.ws', { fd: 1 }, null);
  timer.read('conn.ws', null); timer.emit({ Custom: { name: 'guarded', data: null } });
  timer.read('conn.auth', null); timer.emit({ Error: { error_type: 'TypeError', message: 'null', stack_trace: [] } });
  return [...events, ...sim.events];
}

test('incremental analysis over any batch split and order equals analysing everything at once', async (t) => {
  const events = mixed();
  const expected = analyzeEvents(events).map((r) => r.id).sort();
  t.is(expected.length, 5); // the banking example's lost update, the unordered config.mode and fam.x writes, the manual-API lost update, the use after reset
  await fc.assert(fc.property(
    fc.shuffledSubarray([...events.keys()], { minLength: events.length, maxLength: events.length }),
    fc.array(fc.nat(events.length), { maxLength: 15 }),
    fc.array(fc.nat(15), { maxLength: 10 }),
    (order, cuts, analyzeAt) => {
      const store = new Store(':memory:');
      try {
        const bounds = [...new Set([0, ...cuts, events.length])].sort((x, y) => x - y);
        for (let i = 0; i + 1 < bounds.length; i++) {
          store.ingest(order.slice(bounds[i], bounds[i + 1]).map((k) => events[k]));
          if (analyzeAt.includes(i)) store.analyze();
        }
        const got = store.analyze().map((r) => r.id).sort();
        if (JSON.stringify(got) !== JSON.stringify(expected)) throw new Error(`got ${got.join(' ')}`);
      } finally {
        store.close();
      }
    },
  ), { numRuns: 150 });
  t.pass();
});

test('sliced analyses with batches ingested between their slices end with the one-shot result', async (t) => {
  const events = mixed();
  const expected = analyzeEvents(events).map((r) => r.id).sort();
  const turn = () => new Promise((resolve) => setImmediate(resolve));
  await fc.assert(fc.asyncProperty(
    fc.shuffledSubarray([...events.keys()], { minLength: events.length, maxLength: events.length }),
    fc.array(fc.nat(events.length), { maxLength: 15 }),
    fc.array(fc.nat(4), { maxLength: 16 }),
    async (order, cuts, waits) => {
      const store = new Store(':memory:');
      try {
        const bounds = [...new Set([0, ...cuts, events.length])].sort((x, y) => x - y);
        const runs = [];
        for (let i = 0; i + 1 < bounds.length; i++) {
          store.ingest(order.slice(bounds[i], bounds[i + 1]).map((k) => events[k]));
          // A run of the smallest slices (one variable; 3 events of the job walk), and the next
          // batch arriving some turns later.
          runs.push(store.index.analyzeSliced(0, 3));
          for (let w = 0; w < (waits[i] ?? 0); w++) await turn();
        }
        const got = (await store.index.analyzeSliced(0, 3)).map((r) => r.id).sort();
        await Promise.all(runs);
        if (JSON.stringify(got) !== JSON.stringify(expected)) throw new Error(`got ${got.join(' ')}`);
        if (JSON.stringify(store.analyze().map((r) => r.id).sort()) !== JSON.stringify(expected)) throw new Error('sync analysis differs');
      } finally {
        store.close();
      }
    },
  ), { numRuns: 150 });
  t.pass();
});

test('late context events (responses, awaits, spawns) re-analyse the variables they affect', (t) => {
  const events = mixed();
  const expected = analyzeEvents(events).map((r) => r.id).sort();
  for (const late of ['HttpResponse', 'AsyncAwait', 'AsyncSpawn', 'HttpRequest', 'Custom', 'Error']) {
    const store = new Store(':memory:');
    const isLate = (e) => Object.keys(e.kind)[0] === late;
    store.ingest(events.filter((e) => !isLate(e)));
    store.analyze();
    store.ingest(events.filter(isLate));
    t.deepEqual(store.analyze().map((r) => r.id).sort(), expected, late);
    store.close();
  }
});

test('after an analysis, only variables touched by new events are scanned again', (t) => {
  const store = new Store(':memory:');
  t.teardown(() => store.close());
  const events = mixed();
  store.ingest(events);
  t.is(store.analyze().length, 5);
  t.is(store.index.lastScanned, store.index.accessCount);
  const sim = new Sim({ start: Date.UTC(2026, 0, 3) * 1000 });
  const r = sim.request(); const h = r.spawn('x'); h.read('other.var', 1); h.write('other.var', 1, 2); r.join(h); r.respond();
  store.ingest(sim.events);
  t.is(store.analyze().length, 5);
  t.is(store.index.lastScanned, 2);
});
