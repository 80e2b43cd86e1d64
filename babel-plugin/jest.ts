// `raceway/jest`, for Jest's `setupFilesAfterEnv`: Jest runs each test file in a module registry
// and global scope of its own, where the runtime the instrumented code (babel-jest with the
// `raceway/babel` preset) reports to is a copy of its own whose exit handlers never run: this
// delivers its events, and stops it, when the test file's tests are done.
//
//   // jest.config.js
//   module.exports = { setupFilesAfterEnv: ['raceway/jest'] };
/** What this needs of the runtime's client (`RacewayClient`): the front ends do not import the runtime. */
interface ShutdownClient {
  shutdown(): Promise<void>;
}

declare const afterAll: ((fn: () => Promise<void>, timeoutMs?: number) => void) | undefined;

/** Where the runtime keeps its process-wide (here: test-file-wide) client. */
const CLIENT = Symbol.for('raceway.client.v2');

/**
 * Jest's marker for objects its global-scope cleanup leaves alone (an empty list: every property).
 * The runtime's process-wide hooks (AsyncLocalStorage, promise hooks) keep reading its state
 * after the test file's scope is torn down; without the marker each read warns.
 */
const JEST_PROTECT = Symbol.for('$$jest-protect-from-deletion');

function protectRuntimeState(): void {
  const g = globalThis as unknown as Record<symbol, unknown>;
  for (const key of Object.getOwnPropertySymbols(g)) {
    const value = g[key];
    if (key.description?.startsWith('raceway.') && value !== null && typeof value === 'object') {
      try {
        (value as Record<symbol, unknown>)[JEST_PROTECT] = [];
      } catch {
        /* a frozen object is not cleaned up either */
      }
    }
  }
}

if (typeof afterAll === 'function') {
  // Longer than the client's own bound on its final flush (RACEWAY_SHUTDOWN_TIMEOUT), so Jest does
  // not report the hook as timed out while a slow server still answers.
  const bound = Number(process.env.RACEWAY_SHUTDOWN_TIMEOUT) || 5000;
  afterAll(async () => {
    const holder = (globalThis as unknown as Record<symbol, { c?: ShutdownClient } | undefined>)[CLIENT];
    // No client: no instrumented code ran in this test file, so there is nothing to deliver.
    await holder?.c?.shutdown();
    protectRuntimeState();
  }, bound + 5000);
}
