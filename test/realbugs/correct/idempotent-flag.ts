// Correct code, false-positive pattern "an idempotent flag": tasks check a shared `stopped` flag,
// await, and then set it to the constant `true` (the shape of a pool that stops after its first
// failure or of a promise that is settled once). Two tasks may both read `false` before either
// writes, but each stores the same constant, not a value computed from what it read, so no update
// is lost: the outcome is the same in every interleaving. Nothing here may be reported.
let stopped = false;
let stepsRun = 0;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Works through `items` until any worker has stopped the pool; stops it on a bad item. */
async function worker(items: number[], ms: number): Promise<void> {
  for (const item of items) {
    if (stopped) return;
    await sleep(ms);
    stepsRun++;
    if (item < 0) {
      stopped = true;
      return;
    }
  }
  stopped = true; // this worker's share is done: nothing more to start
}

async function main(): Promise<void> {
  await Promise.all([
    worker([1, 2, -1, 4], 10),
    worker([5, -6, 7], 18),
    worker([8, 9], 45),
  ]);
  console.log(`stopped: ${stopped}, steps run: ${stepsRun}`);
}

main();
