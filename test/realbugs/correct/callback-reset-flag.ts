// Correct code, false-positive pattern "a flag reset by the callback it scheduled": updates are
// coalesced into one flush per microtask turn. `requestFlush()` tests `flushScheduled` and, when it
// is clear, sets it and queues the flush; the flush clears it before doing its work. The test and
// the set run in one uninterrupted step, and so does the clear with the flush, so whichever order
// the producers and the flush run in, every update is flushed exactly once and no flush is queued
// twice. Nothing here may be reported.
let flushScheduled = false;
let pending: string[] = [];
const batches: string[][] = [];

function requestFlush(): void {
  if (flushScheduled) return;
  flushScheduled = true;
  queueMicrotask(() => {
    flushScheduled = false;
    batches.push(pending);
    pending = [];
  });
}

function update(item: string): void {
  pending.push(item);
  requestFlush();
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function producer(name: string, delays: number[]): Promise<void> {
  for (const [i, ms] of delays.entries()) {
    await sleep(ms);
    update(`${name}${i}`);
    update(`${name}${i}'`);
  }
}

async function main(): Promise<void> {
  await Promise.all([producer('a', [5, 20, 20]), producer('b', [15, 20, 20]), producer('c', [10, 40])]);
  const items = batches.flat();
  console.log(`${batches.length} flushes, ${items.length} items, each once: ${new Set(items).size === items.length}, scheduled now: ${flushScheduled}`);
}

main();
