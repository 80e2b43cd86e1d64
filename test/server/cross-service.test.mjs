// Races between services: events of two services (two processes) at one analyzer, ordered by the
// edges distributed tracing records (the callee's request joins the caller's clock; the caller joins
// the callee's answer), on state outside both processes (`db:` names) and on same-named variables
// of each process.
import test from 'ava';
import { randomUUID } from 'node:crypto';
import { analyzeEvents } from '../../dist/server/analyzer/index.js';
import { Sim, Task } from './helpers.mjs';

/** Marks every event of `task` as sent by another process of service `service`. */
function inService(sim, task, service, pid = 2) {
  for (const e of sim.events) if (e.metadata.thread_id === task.id) Object.assign(e.metadata, { service_name: service, process_id: pid });
}

/** A request of the callee in the caller's trace, whose clock starts from the caller's (the runtime's join at request start). */
function calleeRequest(sim, caller, url) {
  const c = new Task(sim, caller.trace, caller.clock);
  c.emit({ HttpRequest: { method: 'POST', url, headers: {}, body: null } });
  return c;
}

test('a lost update on a database row between two services is reported naming both', (t) => {
  const sim = new Sim();
  const bank = sim.request('POST', '/transfer');
  const ledger = sim.request('POST', '/deposits');
  bank.read('db:accounts.alice.balance', 1000, 'db.ts:31');
  bank.await();
  ledger.read('db:accounts.alice.balance', 1000, 'db.ts:31');
  ledger.write('db:accounts.alice.balance', 1000, 1050, 'db.ts:39');
  ledger.respond();
  bank.write('db:accounts.alice.balance', 1000, 900, 'db.ts:39');
  bank.respond();
  inService(sim, ledger, 'ledger-service');
  const races = analyzeEvents(sim.events);
  t.is(races.length, 1);
  t.is(races[0].kind, 'lost_update');
  t.deepEqual([...new Set(races[0].accesses.map((a) => a.service_name))].sort(), ['bank-api', 'ledger-service']);
});

test('the caller\'s write before a call and the callee\'s accesses during it are ordered; so is what the caller does after the answer', (t) => {
  const run = ({ joinAtStart, joinAnswer }) => {
    const sim = new Sim();
    const bank = sim.request('POST', '/transfer');
    bank.write('db:accounts.alice.balance', 1000, 900, 'db.ts:39');
    bank.emit({ HttpRequest: { method: 'POST', url: 'http://ledger/entries', headers: {}, body: null } });
    bank.await();
    const ledger = joinAtStart ? calleeRequest(sim, bank, '/entries') : sim.request('POST', '/entries', bank.trace);
    ledger.read('db:accounts.alice.balance', 900, 'db.ts:31');
    ledger.await();
    ledger.write('db:accounts.alice.balance', 900, 899, 'db.ts:39');
    ledger.respond();
    if (joinAnswer) bank.join(ledger);
    bank.respond();
    bank.read('db:accounts.alice.balance', 899, 'db.ts:31');
    bank.await();
    bank.write('db:accounts.alice.balance', 899, 800, 'db.ts:39');
    bank.respond();
    inService(sim, ledger, 'ledger-service');
    return analyzeEvents(sim.events);
  };
  t.deepEqual(run({ joinAtStart: true, joinAnswer: true }), []);
  t.true(run({ joinAtStart: false, joinAnswer: true }).length > 0, 'without the edge at the call, the callee\'s write is unordered with the caller\'s');
  t.true(run({ joinAtStart: true, joinAnswer: false }).length > 0, 'without the edge at the answer, the caller\'s later write is unordered with the callee\'s');
});

test('same-named variables of two services are two objects: never a race between services', (t) => {
  const sim = new Sim();
  const a = sim.request('POST', '/transfer');
  const b = sim.request('POST', '/deposits');
  a.read('ctx.body', null); a.await();
  b.write('ctx.body', null, { ok: 1 });
  a.write('ctx.body', null, { ok: 2 });
  a.respond(); b.respond();
  inService(sim, b, 'ledger-service');
  t.deepEqual(analyzeEvents(sim.events), []);
});

test('a request of one service that started after another service\'s request answered is sequential (interval rule across services)', (t) => {
  const sim = new Sim();
  const ledger = sim.request('POST', '/deposits', randomUUID());
  ledger.write('db:accounts.alice.balance', 1000, 1050);
  ledger.respond();
  const bank = sim.request('POST', '/transfer');
  bank.read('db:accounts.alice.balance', 1050);
  bank.await();
  bank.write('db:accounts.alice.balance', 1050, 950);
  bank.respond();
  inService(sim, ledger, 'ledger-service');
  t.deepEqual(analyzeEvents(sim.events), []);
});
