// Raceway off (disabled, or shut down) sends instrumented code down the unrecorded path: the program
// still does exactly what it did, nothing is recorded, and recording resumes once a client is enabled.
import test from 'ava';
import { init } from 'raceway';
import * as rw from 'raceway/runtime';
import { startCollector, kindOf } from './_collector.mjs';

// A hand-written instrumented module (SPEC §2): function site 0 `f(o)`, access site 1 `o.x`.
const token = () => JSON.stringify(['d.js', 'd', [1, 'f', 0, 'o'], [2, 'o', 'x']]);
rw.mod(token);
function f(o) {
  const fr = rw.enter(token, 0, o);
  try {
    return rw.wp(fr, o, rw.rp(fr, o, 1) + 1, 1); // o.x = o.x + 1
  } finally {
    rw.exit(fr);
  }
}

test('disabled, enabled again, shut down: same program behaviour, events only while enabled', async (t) => {
  const col = await startCollector();
  const o = { x: 1 };
  init({ enabled: false, handleExit: false });
  t.is(f(o), 2);
  t.is(f(o), 3);

  const client = init({ endpoint: col.endpoint, handleExit: false, flushInterval: 50 });
  t.is(f(o), 4);
  await client.flush();
  const changes = col.events.filter((e) => kindOf(e) === 'StateChange').map((e) => e.kind.StateChange);
  t.deepEqual(changes.map((c) => [c.access_type, c.old_value, c.new_value]), [['Read', 3, 3], ['Write', 3, 4]]);
  t.true(col.events.some((e) => kindOf(e) === 'FunctionCall'));

  await client.shutdown();
  const seen = col.events.length;
  t.is(f(o), 5);
  t.is(o.x, 5);
  await new Promise((r) => setTimeout(r, 120));
  t.is(col.events.length, seen);
  await col.close();
});
