// Added to Vitest's `setupFiles` by `raceway/vite`: after each test file's tests, waits until the
// events recorded so far are delivered. Vitest ends its worker processes and threads itself when
// the run is over, which can cut the runtime's own flush on exit short.
import { afterAll } from 'vitest';

/** Where the runtime keeps its process-wide client (none: no instrumented code ran here yet). */
const CLIENT = Symbol.for('raceway.client.v2');

const bound = Number(process.env.RACEWAY_SHUTDOWN_TIMEOUT) || 5000;
afterAll(async () => {
  const holder = (globalThis as unknown as Record<symbol, { c?: { flush(ms: number): Promise<void> } } | undefined>)[CLIENT];
  await holder?.c?.flush(bound);
}, bound + 5000);
