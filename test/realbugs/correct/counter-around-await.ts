// Correct code, false-positive pattern "a counter around an await" (the shape of the concurrency
// probes in promise-limiter test suites): each task increments a shared counter, checks it against
// the limit, awaits, and decrements it. Every `++`/`--` is a read-modify-write that runs without
// interruption, so the updates commute and the counter is exact whatever the interleaving; the
// decrement does not depend on the value checked before the await. Nothing here may be reported.
const LIMIT = 3;
let running = 0;
let peak = 0;
const violations: number[] = [];

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs `tasks` with at most `limit` of them started and not finished at any time. */
async function runLimited(tasks: Array<() => Promise<void>>, limit: number): Promise<void> {
  let next = 0;
  async function lane(): Promise<void> {
    while (next < tasks.length) {
      const task = tasks[next++];
      await task();
    }
  }
  await Promise.all(Array.from({ length: limit }, lane));
}

function probe(id: number, ms: number): () => Promise<void> {
  return async () => {
    running++;
    if (running > LIMIT) violations.push(id);
    if (running > peak) peak = running;
    await sleep(ms);
    running--;
  };
}

async function main(): Promise<void> {
  const delays = [40, 10, 30, 20, 10, 50, 20, 30];
  await runLimited(delays.map((ms, i) => probe(i, ms)), LIMIT);
  console.log(`running after all tasks: ${running}, peak: ${peak}, limit violations: ${violations.length}`);
}

main();
