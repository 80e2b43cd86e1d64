// Which requests are recorded: the Sampler's budget and windows, and what a request left out by
// sampling costs and records in a real instrumented Koa app (compiled through the transformer).
import test from 'ava';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { RacewayClient } from 'raceway';
import { spawn } from 'node:child_process';
import { repoRoot, startCollector } from '../helpers/fixture-harness.mjs';
import { scratchDir, transpile } from '../helpers/run-instrumented.mjs';

const require = createRequire(import.meta.url);
const { Sampler, WINDOW_MS, BURST_SECONDS, THROTTLE_HOLD_MS } = require(join(repoRoot, 'dist', 'runtime', 'sampler.js'));

test('under its budget every request is recorded, and nothing is said to be throttled', (t) => {
  const s = new Sampler({ sampleRate: 1, maxEventsPerSecond: 100 });
  let captured = 0;
  for (let now = 0; now < 10_000; now += 100) {
    t.true(s.decide(now, captured));
    captured += 5; // 50 events/s, half the budget
  }
  t.is(s.leftOut, 0);
  t.is(s.recorded, 100);
  t.false(s.throttling(10_000));
});

test('over its budget, requests are recorded in windows: all of a window, then none until the budget recovers', (t) => {
  const rate = 100;
  const s = new Sampler({ sampleRate: 1, maxEventsPerSecond: rate });
  // A burst far over the saved-up budget (rate × BURST_SECONDS events).
  t.true(s.decide(0, 0), 'budget available: a window opens');
  t.true(s.decide(WINDOW_MS - 1, 10), 'a request inside the open window is recorded with it');
  const spent = rate * BURST_SECONDS * 3;
  t.false(s.decide(WINDOW_MS - 1, spent), 'a window whose requests overspent the budget closes early');
  t.false(s.decide(WINDOW_MS + 1, spent), 'no budget: left out');
  t.true(s.throttling(WINDOW_MS + 1));
  // Debt of 2 × burst (+10) is repaid at `rate` per second.
  const repaid = ((spent - rate * BURST_SECONDS + 10) / rate) * 1000;
  t.false(s.decide(repaid - 1000, spent), 'still in debt');
  t.true(s.decide(repaid + 1000, spent), 'budget back: a new window');
  t.true(s.decide(repaid + 1000 + WINDOW_MS / 2, spent), 'same window');
  t.is(s.recorded, 4);
  t.is(s.leftOut, 3);
  t.true(s.throttling(repaid + 1000), 'still reported as throttling for a while after the last request left out');
  t.false(s.throttling(repaid + 1000 + THROTTLE_HOLD_MS + 1e6));
});

test('sampleRate 0 records nothing, Infinity budget with rate 1 records everything', (t) => {
  const none = new Sampler({ sampleRate: 0, maxEventsPerSecond: Infinity });
  const all = new Sampler({ sampleRate: 1, maxEventsPerSecond: Infinity });
  for (let i = 0; i < 100; i++) {
    t.false(none.decide(i, i * 1e6));
    t.true(all.decide(i, i * 1e6));
  }
  t.true(none.throttling(100));
  t.false(all.throttling(100));
});

test('maxEventsPerSecond is validated, from options and from the environment', (t) => {
  for (const bad of [0, -1, NaN, '10', null]) t.regex(t.throws(() => new RacewayClient({ enabled: false, maxEventsPerSecond: bad })).message, /"maxEventsPerSecond"/);
  t.is(new RacewayClient({ enabled: false, maxEventsPerSecond: Infinity }).config.maxEventsPerSecond, Infinity);
  t.is(new RacewayClient({ enabled: false }).config.maxEventsPerSecond, 200);
});

// A Koa app whose handlers touch shared state directly, through a module-level callback run by the
// event loop (setImmediate: no instrumented caller, no lexical request frame), and across an await.
const APP = `
import Koa from 'koa';
import { init } from 'raceway';
const raceway = init({ serviceName: 'sampling-test', flushInterval: 50 });
const state = { hits: 0, later: 0, calm: false };
function later(n: number) { state.later = state.later + n; }
const app = new Koa();
app.use(raceway.koa());
app.use(async (ctx) => {
  if (ctx.path === '/stop') {
    ctx.body = 'bye';
    setTimeout(stop, 20);
    return;
  }
  const mine = (state.hits = state.hits + 1);
  setImmediate(later, 1);
  await new Promise((r) => setTimeout(r, 2));
  ctx.body = String(mine);
});
const server = app.listen(0, () => console.log('PORT ' + (server.address() as any).port));
function stop() {
  server.close();
  // Once no request has been left out for a while, code outside requests is recorded again.
  setTimeout(calm, 5200);
}
async function calm() {
  state.calm = true;
  console.log('STATE ' + JSON.stringify(state));
  await raceway.flush();
  console.log('STATS ' + JSON.stringify(raceway.stats()));
  await raceway.shutdown();
}
`;

test('requests left out by the budget record nothing, not even their callbacks; recorded ones record everything', async (t) => {
  const dir = scratchDir('sampling');
  const src = join(dir, 'app.ts');
  writeFileSync(src, APP);
  const out = transpile(APP, { fileName: src, options: { root: dir }, compilerOptions: { esModuleInterop: true } });
  writeFileSync(join(dir, 'app.js'), out.outputText);
  const col = await startCollector();
  try {
    // 10 events/s: a burst of 100 events is about three requests' worth, then mostly left out.
    const child = spawn(process.execPath, [join(dir, 'app.js')], { cwd: dir, env: { ...process.env, RACEWAY_ENABLED: 'true', RACEWAY_ENDPOINT: col.endpoint, RACEWAY_MAX_EVENTS_PER_SECOND: '10' }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d) => { out += d; });
    const exited = new Promise((r) => child.once('close', r));
    while (!/PORT (\d+)/.test(out)) await new Promise((r) => setTimeout(r, 20));
    const url = `http://127.0.0.1:${/PORT (\d+)/.exec(out)[1]}`;
    const seen = [];
    for (let round = 0; round < 20; round++) seen.push(...(await Promise.all([0, 1, 2, 3, 4].map(() => fetch(url).then((r) => r.text())))));
    t.is(await (await fetch(url + '/stop')).text(), 'bye');
    t.is(await exited, 0);
    t.is(new Set(seen).size, 100, 'every request got its own count: the program behaves as written');
    t.deepEqual(JSON.parse(/STATE (.*)/.exec(out)[1]), { hits: 100, later: 100, calm: true });
    const stats = JSON.parse(/STATS (.*)/.exec(out)[1]);
    t.true(stats.requestsLeftOut > 50, `most requests left out (${JSON.stringify(stats)})`);
    t.true(stats.requestsRecorded >= 1);
    t.is(stats.requestsRecorded + stats.requestsLeftOut, 101);
    const events = col.events();
    const kind = (e) => Object.keys(e.kind)[0];
    const requests = events.filter((e) => kind(e) === 'HttpRequest');
    t.is(requests.length, stats.requestsRecorded);
    const recordedTraces = new Set(requests.map((e) => e.trace_id));
    // After start-up, every event belongs to a recorded request: nothing of the others leaks into
    // the root task or another trace.
    const listening = events.findIndex((e) => kind(e) === 'HttpRequest');
    const calmWrite = events.filter((e) => e.kind.StateChange?.variable === 'state.calm');
    t.is(calmWrite.length, 1, 'a timer outside any request, after the load ended, is recorded again');
    const stray = events.slice(listening).filter((e) => !recordedTraces.has(e.trace_id) && !calmWrite.some((c) => c.trace_id === e.trace_id));
    t.deepEqual(stray.map((e) => [kind(e), e.kind.StateChange?.variable ?? e.kind.FunctionCall?.function_name]), []);
    // Each recorded request wrote state.hits once, and its setImmediate callback wrote state.later once.
    const writes = (v) => events.filter((e) => kind(e) === 'StateChange' && e.kind.StateChange.access_type === 'Write' && e.kind.StateChange.variable === v);
    const stopRecorded = requests.some((e) => e.kind.HttpRequest.url === '/stop') ? 1 : 0;
    t.is(writes('state.hits').length, stats.requestsRecorded - stopRecorded);
    t.is(writes('state.later').length, stats.requestsRecorded - stopRecorded);
    for (const w of writes('state.later')) t.true(recordedTraces.has(w.trace_id));
  } finally {
    await col.close();
  }
});

test.serial('a lock holder left out by sampling does not break happens-before between recorded holders', async (t) => {
  const { default: Koa } = await import('koa');
  const { init, withLock } = await import('raceway');
  const col = await startCollector();
  const c = init({ endpoint: col.endpoint, handleExit: false, flushInterval: 50, sampleRate: 0.5, maxEventsPerSecond: Infinity });
  const app = new Koa();
  app.use(c.koa());
  app.use(async (ctx) => {
    await withLock('account', async () => {
      c.captureStateChange('account.balance', 1, 2, 'test:1', 'Write');
      await new Promise((r) => setTimeout(r, 30));
    });
    ctx.body = 'ok';
  });
  const server = app.listen(0);
  const url = `http://127.0.0.1:${server.address().port}`;
  // The sampler's coin: A recorded, B left out, C recorded.
  const coins = [0, 0.99, 0];
  const random = Math.random;
  Math.random = () => (coins.length ? coins.shift() : random());
  try {
    const a = fetch(`${url}/a`).then((r) => r.text());
    await new Promise((r) => setTimeout(r, 10));
    const b = fetch(`${url}/b`).then((r) => r.text());
    await new Promise((r) => setTimeout(r, 10));
    const cc = fetch(`${url}/c`).then((r) => r.text());
    t.deepEqual(await Promise.all([a, b, cc]), ['ok', 'ok', 'ok']);
  } finally {
    Math.random = random;
  }
  await c.flush();
  server.closeAllConnections();
  server.close();
  const stats = c.stats();
  await c.shutdown();
  await col.close();
  t.is(stats.requestsLeftOut, 1);
  const events = col.events();
  const kind = (e) => Object.keys(e.kind)[0];
  const urls = new Map(events.filter((e) => kind(e) === 'HttpRequest').map((e) => [e.trace_id, e.kind.HttpRequest.url]));
  t.deepEqual([...urls.values()].sort(), ['/a', '/c']);
  const of = (u, k) => events.find((e) => kind(e) === k && urls.get(e.trace_id) === u);
  const releaseA = of('/a', 'LockRelease');
  const acquireC = of('/c', 'LockAcquire');
  const seen = new Map(acquireC.causality_vector);
  for (const [task, n] of releaseA.causality_vector) t.true((seen.get(task) ?? -1) >= n, `C's acquire has seen A's release (${task})`);
});
