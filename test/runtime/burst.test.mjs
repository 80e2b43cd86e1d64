// No loss in bursts: captures up to maxQueueSize are delivered whether or not the program yields.
// A real `raceway serve` stores them, and the stored events are counted.
import test from 'ava';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { serve, storedCount } from '../faults/_serve.mjs';

const PROGRAM = fileURLToPath(new URL('./programs/sync-burst.cjs', import.meta.url));
const COUNT = 200_000;

test('200 000 captures in a synchronous loop with maxQueueSize 200 000 are all stored by raceway serve', async (t) => {
  t.timeout(300_000);
  const server = await serve(t);
  const { stdout } = await promisify(execFile)(process.execPath, [PROGRAM, String(COUNT), server.base], { timeout: 240_000, env: { ...process.env, RACEWAY_ENABLED: 'true' } });
  const stats = JSON.parse(stdout.trim().split('\n').pop());
  t.like(stats, { captured: COUNT, sent: COUNT, dropped: 0, queued: 0 }, 'the exit handler delivered every event');
  t.is(await storedCount(server.base), COUNT, 'the server stored every event');
});
