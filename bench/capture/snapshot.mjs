// bench/capture/snapshot.mjs: what a value's snapshot costs at capture time, and what the whole-value
// hash adds when the snapshot leaves something out (runtime/serialize.ts, runtime/value-hash.ts).
// Per value shape: the snapshot without the hash (`snapshotPlain`), and as events carry it
// (`snapshot`: the hash added only to lossy snapshots). Rounds alternate the two; medians reported.
//   node bench/capture/snapshot.mjs [--rounds 7]
import { snapshot, snapshotPlain } from '../../dist/runtime/serialize.js';

const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 7;

const shapes = {
  'lossless: { balance, owner }': { balance: 1000, owner: 'alice' },
  'lossy: a session 4 levels deep (9 values)': { user: { id: 7, profile: { name: 'alice', prefs: { theme: 'dark', lang: 'en' } } }, token: 'abc', exp: 123 },
  'lossy: 50 records { id, name, tags[2] } (250 values)': Array.from({ length: 50 }, (_, i) => ({ id: i, name: `user${i}`, tags: ['a', 'b'] })),
  'lossy: a 2 KB string': 'x'.repeat(2048),
  'lossy: 5 000 numbers (the hash reads each one)': Array.from({ length: 5000 }, (_, i) => i),
  'over the hash bound: 20 000 numbers (hash "?")': Array.from({ length: 20000 }, (_, i) => i),
};

/** Nanoseconds per call of `f(v)`, over about 50 ms. */
function time(f, v) {
  let n = 1;
  for (;;) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) f(v);
    const ns = Number(process.hrtime.bigint() - t0);
    if (ns > 50e6) return ns / n;
    n *= 2;
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = {};
for (const [name, v] of Object.entries(shapes)) {
  const plain = [], hashed = [];
  for (let r = 0; r < rounds; r++) {
    plain.push(time(snapshotPlain, v));
    hashed.push(time(snapshot, v));
  }
  const p = median(plain), h = median(hashed);
  results[name] = { snapshot_us: +(p / 1000).toFixed(2), with_hash_us: +(h / 1000).toFixed(2), hash_us: +((h - p) / 1000).toFixed(2) };
  process.stderr.write(`${name.padEnd(52)} snapshot ${(p / 1000).toFixed(2).padStart(8)} µs   with hash ${(h / 1000).toFixed(2).padStart(8)} µs\n`);
}
console.log(JSON.stringify({ benchmark: 'snapshot', rounds, results }));
