// Correct code, false-positive pattern "an entry found changed by a later step that copes with it":
// a memoising loader checks its cache, loads on a miss in a callback, and checks the cache again
// when the result arrives; a concurrent caller may have stored the entry meanwhile, and then the
// first one's result is dropped and the stored one used. A cleanup also deletes entries that an
// expiry timer may already have deleted. Each later step finds the entry changed on purpose and
// goes on; no job fails. Nothing here may be reported.
const cache = new Map<string, string>();
const loads: string[] = [];

function fetchValue(key: string, ms: number): Promise<string> {
  return new Promise((resolve) => setTimeout(() => resolve(`${key}@${ms}`), ms));
}

async function load(key: string, ms: number): Promise<string> {
  if (cache.has(key)) return cache.get(key)!;
  const value = await fetchValue(key, ms);
  loads.push(value);
  if (!cache.has(key)) cache.set(key, value);
  return cache.get(key)!;
}

function expireLater(key: string, ms: number): void {
  setTimeout(() => cache.delete(key), ms);
}

async function release(key: string): Promise<void> {
  const had = cache.has(key);
  await new Promise((resolve) => setTimeout(resolve, 20));
  if (had) cache.delete(key); // the expiry timer may have removed it first: fine either way
}

async function main(): Promise<void> {
  const [a, b] = await Promise.all([load('user:1', 10), load('user:1', 5)]);
  expireLater('user:1', 5);
  await release('user:1');
  console.log(`same value for both callers: ${a === b}, loads: ${loads.length}, cached now: ${cache.size}`);
}

main();
