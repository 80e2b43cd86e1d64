// Checks that bounded clocks lose no order the analyzer uses. For every dumped event stream (a
// JSON array of Raceway events, or { events }; e.g. RACEWAY_DUMP_DIR=DIR npx ava
// test/realbugs/realbugs.test.mjs), the races found from the clocks as sent (entries of retired
// tasks left out, recovered through server/analyzer/coverage.ts) are compared with the races found
// from the same events whose clocks carry every implied entry explicitly.
//
//   node bench/clocks/implied-check.mjs DIR
//
// Exit code 1 if any stream differs.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const { analyzeEvents, CoverageTable, hasSeen } = await import(join(root, 'dist/server/analyzer/index.js'));
const dir = process.argv[2];
if (!dir) throw new Error('usage: node bench/clocks/implied-check.mjs DIR');

/** The same events, each clock carrying every component it implies (at the largest value it implies). */
function expand(events) {
  const coverage = new CoverageTable();
  for (const e of events) coverage.noteEvent(e.metadata.thread_id, e.causality_vector);
  const components = new Set(events.flatMap((e) => e.causality_vector.map(([c]) => c)));
  let added = 0;
  const out = events.map((e) => {
    const m = new Map(e.causality_vector);
    const memo = new Map();
    const clock = [...e.causality_vector];
    for (const c of components) {
      const cov = coverage.get(c);
      if (m.has(c) || cov === undefined) continue;
      // The largest level of the component the clock has seen (an earlier level stays implied after a later one).
      const level = [...cov.levels].reverse().find((l) => hasSeen((k) => m.get(k), c, l.value, coverage, memo));
      if (level !== undefined) { clock.push([c, level.value]); added++; }
    }
    return { ...e, causality_vector: clock };
  });
  return { out, added };
}

const key = (races) => JSON.stringify(races.map((r) => [r.kind, r.variable, r.accesses.map((a) => a.event_id)]).sort());
let same = 0, differ = 0;
for (const f of readdirSync(dir).filter((x) => x.endsWith('.json')).sort()) {
  const raw = JSON.parse(readFileSync(join(dir, f), 'utf8'));
  const events = Array.isArray(raw) ? raw : raw.events;
  if (!Array.isArray(events) || events.length === 0) continue;
  const { out, added } = expand(events);
  const a = key(analyzeEvents(events));
  const b = key(analyzeEvents(out));
  const longest = (xs) => Math.max(...xs.map((e) => e.causality_vector.length));
  if (a === b) same++; else differ++;
  console.log(`${a === b ? 'same' : 'DIFFERENT'}  ${f}: ${events.length} events, clocks ≤ ${longest(events)} entries as sent, ≤ ${longest(out)} expanded (${added} implied entries), ${JSON.parse(a).length} / ${JSON.parse(b).length} races`);
}
console.log(JSON.stringify({ same, differ }));
if (differ > 0) process.exitCode = 1;
