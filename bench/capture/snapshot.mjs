// bench/capture/snapshot.mjs: what a value's snapshot costs at capture time (runtime/serialize.ts).
// Per value shape: `captureValue`, the JSON text an event carries (a value that fits the preview
// exactly; a larger object as a preview plus its identity; a long string with its hash), and
// `snapshot`, the same snapshot as a JSON value (the public API: the text, parsed). Rounds alternate
// the two; medians reported.
//   node bench/capture/snapshot.mjs [--rounds 7]
import { captureValue, snapshot } from '../../dist/runtime/serialize.js';

const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 7;

const shapes = {
  'exact: { balance, owner }': { balance: 1000, owner: 'alice' },
  'exact: { id, owner, balance, tags[2] }': { id: 7, owner: 'alice', balance: 1000, tags: ['a', 'b'] },
  'preview: a session 4 levels deep (9 values)': { user: { id: 7, profile: { name: 'alice', prefs: { theme: 'dark', lang: 'en' } } }, token: 'abc', exp: 123 },
  'preview: 50 records { id, name, tags[2] } (250 values)': Array.from({ length: 50 }, (_, i) => ({ id: i, name: `user${i}`, tags: ['a', 'b'] })),
  'preview: 20 000 numbers': Array.from({ length: 20000 }, (_, i) => i),
  'long string: 2 KB (hash from the cache)': 'x'.repeat(2048),
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
  const text = [], value = [];
  for (let r = 0; r < rounds; r++) {
    text.push(time(captureValue, v));
    value.push(time(snapshot, v));
  }
  const t = median(text), j = median(value);
  results[name] = { event_text_us: +(t / 1000).toFixed(2), json_value_us: +(j / 1000).toFixed(2) };
  process.stderr.write(`${name.padEnd(52)} event text ${(t / 1000).toFixed(2).padStart(7)} µs   JSON value ${(j / 1000).toFixed(2).padStart(7)} µs\n`);
}
console.log(JSON.stringify({ benchmark: 'snapshot', rounds, results }));
