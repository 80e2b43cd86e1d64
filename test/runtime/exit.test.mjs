import test from 'ava';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startCollector } from './_collector.mjs';

const program = fileURLToPath(new URL('./programs/exit.cjs', import.meta.url));

function run(mode, endpoint) {
  const child = spawn(process.execPath, [program, mode], { env: { ...process.env, RACEWAY_ENDPOINT: endpoint }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => { out += d; if (out.includes('ready')) child.emit('ready'); });
  const done = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, out: () => out })));
  return { child, done };
}

test('a script that simply ends delivers everything it captured (beforeExit)', async (t) => {
  const col = await startCollector();
  const { done } = run('beforeExit', col.endpoint);
  const r = await done;
  t.is(r.code, 0);
  t.is(col.events.length, 250);
  await col.close();
});

test('process.exit(): everything is delivered before the process ends, with the app\'s exit code', async (t) => {
  const col = await startCollector();
  const { done } = run('process.exit', col.endpoint);
  const r = await done;
  t.is(r.code, 3);
  t.is(col.events.length, 250);
  await col.close();
});

test('an uncaught exception: the process fails as before, the error and everything else are delivered', async (t) => {
  const col = await startCollector();
  const { done } = run('uncaught', col.endpoint);
  const r = await done;
  t.is(r.code, 1);
  t.is(col.events.filter((e) => e.kind.StateChange).length, 250);
  const err = col.events.find((e) => e.kind.Error);
  t.is(err?.kind.Error.message, 'boom at the top');
  await col.close();
});

test('SIGTERM: everything is delivered, then the process dies of the signal as it would have', async (t) => {
  const col = await startCollector();
  const { child, done } = run('sigterm', col.endpoint);
  await new Promise((r) => child.once('ready', r));
  child.kill('SIGTERM');
  const r = await done;
  t.is(r.signal, 'SIGTERM');
  t.is(col.events.length, 250);
  await col.close();
});

test('SIGTERM with the app\'s own handler: events delivered and the app decides how to exit', async (t) => {
  const col = await startCollector();
  const { child, done } = run('sigterm-handled', col.endpoint);
  await new Promise((r) => child.once('ready', r));
  child.kill('SIGTERM');
  const r = await done;
  t.is(r.code, 7);
  t.true(r.out().includes('app handler ran'));
  t.is(col.events.length, 250);
  await col.close();
});
