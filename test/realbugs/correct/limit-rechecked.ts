// Correct code, false-positive pattern "a limit re-checked before the write": an ordered, lazily
// consumed map over an async source with at most LIMIT items in flight. `fill()` starts another item
// only after a fresh `inFlight < LIMIT` test, and the `inFlight++` follows that test in the same
// uninterrupted step; the consumer calls `fill()` before and after each await, so a value it tested
// before an await never decides a later increment. Every `--` is an uninterrupted read-modify-write.
// The limit holds and the results come out in order in every interleaving. Nothing here may be reported.
const LIMIT = 2;
let inFlight = 0;
let peak = 0;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function* source(): AsyncGenerator<number> {
  for (const n of [30, 10, 40, 20, 10]) {
    await sleep(1);
    yield n;
  }
}

type Slot = { done: true } | { done: false; value: string };

async function* limitedMap(items: AsyncIterator<number>, work: (n: number) => Promise<string>): AsyncGenerator<string> {
  const slots: Promise<Slot>[] = [];

  function fill(): void {
    if (!(inFlight < LIMIT)) return;
    inFlight++;
    if (inFlight > peak) peak = inFlight;
    slots.push((async (): Promise<Slot> => {
      const next = await items.next();
      if (next.done) {
        inFlight--;
        return { done: true };
      }
      fill();
      const value = await work(next.value);
      inFlight--;
      fill();
      return { done: false, value };
    })());
  }

  fill();
  while (slots.length > 0) {
    const slot = await slots.shift()!;
    fill();
    if (slot.done) return; // items are taken in order: every later slot is done too
    yield slot.value;
  }
}

async function main(): Promise<void> {
  const out: string[] = [];
  for await (const v of limitedMap(source(), async (ms) => { await sleep(ms); return `item${ms}`; })) out.push(v);
  console.log(`${out.join(',')}; in flight now ${inFlight}, peak ${peak} (limit ${LIMIT})`);
}

main();
