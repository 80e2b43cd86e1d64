import test from 'ava';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { post, bankingRace, startServer, tempDir, useBeforeInit } from './server-helpers.mjs';
import { testEachDriver } from './sqlite-drivers.mjs';
import { Sim } from './helpers.mjs';

const CLI = fileURLToPath(new URL('../../dist/server/cli.js', import.meta.url));

function run(args, env = {}) {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, RACEWAY_ENDPOINT: '', RACEWAY_API_KEY: '', ...env } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('races prints the Cross-Trace Races report; --fail-on-race gates CI', async (t) => {
  const { base } = await startServer(t);
  const { events, traces } = bankingRace();
  await post(base, { events });
  const r = await run(['races', '--endpoint', base]);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /Cross-Trace Races/);
  t.regex(r.stdout, /RACE DETECTED: accounts\.alice\.balance/);
  t.regex(r.stdout, new RegExp(`trace-${traces[0].slice(0, 8)}`));
  t.regex(r.stdout, new RegExp(`trace-${traces[1].slice(0, 8)}`));
  t.regex(r.stdout, /accounts\.alice\.balance = 900/);
  t.regex(r.stdout, /accounts\.alice\.balance = 800 \(was 1000\)\s+← Overwrites Thread A/);
  t.regex(r.stdout, /Location: src\/bank\.ts:12/);
  t.regex(r.stdout, /Severity: CRITICAL/);
  t.regex(r.stdout, /\[\d{2}:\d{2}:\d{2}\.\d{3}\]/);
  t.is((await run(['races', '--endpoint', base, '--fail-on-race'])).code, 1);
  const json = await run(['races', '--endpoint', base, '--json']);
  t.is(JSON.parse(json.stdout)[0].kind, 'lost_update');
});

test('races prints an order violation: which access came first, the value seen, both locations', async (t) => {
  const { base } = await startServer(t);
  const { events } = useBeforeInit();
  await post(base, { events });
  const r = await run(['races', '--endpoint', base]);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /RACE DETECTED: app\.roleTemplate  \[use before init\]/);
  t.regex(r.stdout, /read app\.roleTemplate = null/);
  t.regex(r.stdout, /app\.roleTemplate = \{"admin":\["\*"\]\} \(was null\)\s+← Initialises it after Thread A used it/);
  t.regex(r.stdout, /Order: Thread A read null at src\/app\.ts:9 \[[\d:.]+\] BEFORE Thread B initialised it to \{"admin":\["\*"\]\} at src\/app\.ts:4 \[[\d:.]+\]/);
  t.regex(r.stdout, /Severity: WARNING/);
  t.regex(r.stdout, /1 race \(0 critical, 1 warning\)/);
});

test('races exits 0 with --fail-on-race when there is no race', async (t) => {
  const { base } = await startServer(t);
  const r = await run(['races', '--endpoint', base, '--fail-on-race']);
  t.is(r.code, 0);
  t.regex(r.stdout, /No races detected/);
});

test('traces lists traces', async (t) => {
  const { base } = await startServer(t);
  const { events, traces } = bankingRace();
  await post(base, { events });
  const r = await run(['traces'], { RACEWAY_ENDPOINT: base });
  t.is(r.code, 0, r.stderr);
  for (const id of traces) t.true(r.stdout.includes(id));
  t.regex(r.stdout, /page 1 of 1 \(2 traces\)/);
});

test('errors are one clear line, not a stack trace', async (t) => {
  const { base, close } = await startServer(t);
  await close();
  const cases = [
    [['races', '--endpoint', base], /cannot reach the Raceway server at .*connection refused/],
    [['races', '--endpoint', 'not a url'], /invalid endpoint "not a url"/],
    [['traces', '--endpoint', 'ftp://x'], /only http and https/],
    [['races', '--endpoint'], /--endpoint needs a value/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [['serve', '--memory', '--retain', '7'], /--retain must be a duration such as .*7d/],
    [['serve', '--memory', '--max-events', '0'], /--max-events must be an integer between 1 and/],
    // Nothing listens on port 1: the database is unreachable, said in one line.
    [['serve', '--port', '0', '--db', 'postgres://u:secret@127.0.0.1:1/raceway'], /cannot open the database postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/raceway: .*ECONNREFUSED/],
  ];
  for (const [args, re] of cases) {
    const r = await run(args);
    t.is(r.code, 2, args.join(' '));
    t.regex(r.stderr, re);
    t.is(r.stderr.trim().split('\n').length, 1, r.stderr);
    t.false(/\bat .*\.js:\d+/.test(r.stderr));
  }
  const keyed = await startServer(t, { apiKey: 'k' });
  const denied = await run(['races', '--endpoint', keyed.base]);
  t.is(denied.code, 2);
  t.regex(denied.stderr, /HTTP 401/);
  t.is((await run(['races', '--endpoint', keyed.base, '--api-key', 'k'])).code, 0);
});

testEachDriver('serve stores in a database file that survives a restart', async (t, driver) => {
  const db = join(tempDir(t), 'events.db');
  const start = () => new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--db', db], { env: { ...process.env, RACEWAY_API_KEY: '', RACEWAY_SQLITE_DRIVER: driver } });
    let out = '';
    p.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve({ p, base: m[1] });
    });
    p.on('error', reject);
    p.on('close', (code) => reject(new Error(`serve exited ${code}: ${out}`)));
    t.teardown(() => p.kill());
  });
  const stop = (p) => new Promise((resolve) => { p.removeAllListeners('close'); p.on('close', resolve); p.kill('SIGTERM'); });
  const { events } = bankingRace();
  const a = await start();
  t.is((await post(a.base, { events })).status, 200);
  t.is(await stop(a.p), 0);
  const b = await start();
  const r = await run(['races', '--endpoint', b.base, '--fail-on-race']);
  t.is(r.code, 1);
  t.regex(r.stdout, /accounts\.alice\.balance/);
  await stop(b.p);
});

test('serve with a database file exits 2 at once when its port is taken', async (t) => {
  const { base } = await startServer(t);
  const port = new URL(base).port;
  const db = join(tempDir(t), 'events.db');
  const started = Date.now();
  // A server that hangs after the error never closes its pipes: the bound below only tells a hang apart.
  const r = await run(['serve', '--port', port, '--db', db]);
  t.is(r.code, 2);
  t.regex(r.stderr, /port \d+ on 127\.0\.0\.1 is already in use; pick another with --port/);
  t.true(Date.now() - started < 10_000, `exited after ${Date.now() - started} ms`);
});

test('races --json lists every race, following the server\'s pages past its 10,000-race limit', async (t) => {
  const { base } = await startServer(t);
  const n = 10_050;
  const sim = new Sim();
  const handlers = [sim.request('POST', '/bulk'), sim.request('POST', '/bulk')].map((req) => ({ req, h: req.spawn('bulk') }));
  // Each of the two requests reads every counter, awaits, then writes its own value: n lost updates.
  for (const { h } of handlers) {
    for (let i = 0; i < n; i++) h.read(`counters.c${i}`, 0, 'src/bulk.ts:3');
    h.await();
  }
  for (const [k, { req, h }] of handlers.entries()) {
    for (let i = 0; i < n; i++) h.write(`counters.c${i}`, 0, k + 1, 'src/bulk.ts:5');
    req.join(h);
    req.respond();
  }
  for (let i = 0; i < sim.events.length; i += 5000) t.is((await post(base, { events: sim.events.slice(i, i + 5000) })).status, 200);
  const r = await run(['races', '--endpoint', base, '--json']);
  t.is(r.code, 0, r.stderr);
  const races = JSON.parse(r.stdout);
  t.is(races.length, n);
  t.is(new Set(races.map((x) => x.variable)).size, n, 'no race listed twice');
});
