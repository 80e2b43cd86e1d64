// Sorts race reports into the false-positive patterns seen on correct libraries' suites, from the
// report alone (kind, roles, values), so the counts in README.md can be re-derived from a dump:
//
//   counter-around-await  check-then-act whose write is a decrement: the task incremented a counter,
//                         read it (a probe or a limit test), awaited, and decrements it now.
//   limit-rechecked       check-then-act whose write is an increment: it follows a fresh limit test
//                         in its own job; the "check" is a read of an earlier job.
//   idempotent-flag       a constant stored again: a lost update whose overwrite stores the value
//                         the interleaved write already stored (`done = true` twice), or a
//                         check-then-act whose write does not change the value.
//   unordered-writes      two writes of different values by unordered tasks. README.md splits
//                         them by code location (a flag reset by the callback it scheduled; writes
//                         ordered by timers) since the report alone does not tell them apart.
//   other                 anything else (listed by location, to be looked at).
//
//   node bench/libsuites/patterns.mjs DUMP_DIR/<lib>.races.json ...

import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';

const json = (v) => JSON.stringify(v);

/** @param {{ kind: string, accesses: { role: string, old_value: unknown, new_value: unknown }[] }} r */
export function patternOf(r) {
  const role = (name) => r.accesses.find((a) => a.role === name);
  if (r.kind === 'check_then_act') {
    const w = role('write');
    if (w && json(w.old_value) === json(w.new_value)) return 'idempotent-flag';
    if (typeof w?.old_value === 'number' && typeof w.new_value === 'number') {
      if (w.new_value === w.old_value - 1) return 'counter-around-await';
      if (w.new_value === w.old_value + 1) return 'limit-rechecked';
    }
  }
  if (r.kind === 'lost_update') {
    const x = role('interleaved_write'), o = role('overwrite');
    if (x && o && json(x.new_value) === json(o.new_value)) return 'idempotent-flag';
  }
  if (r.kind === 'unordered_writes') return 'unordered-writes';
  return 'other';
}

/** Counts per pattern, and per pattern the code locations involved (role@location) with counts. */
export function classify(races) {
  const counts = {};
  const where = {};
  for (const r of races) {
    const p = patternOf(r);
    counts[p] = (counts[p] ?? 0) + 1;
    const key = `${r.kind}: ${r.accesses.map((a) => `${a.role}@${a.location}`).join(', ')}`;
    where[p] ??= {};
    where[p][key] = (where[p][key] ?? 0) + 1;
  }
  return { counts, where };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const file of process.argv.slice(2)) {
    const data = JSON.parse(readFileSync(file, 'utf8'));
    const { counts, where } = classify(data.races);
    console.log(`== ${basename(file)}: ${data.races.length} reports — ${Object.entries(counts).map(([p, n]) => `${p} ${n}`).join(', ') || 'none'}`);
    for (const [p, locs] of Object.entries(where)) {
      console.log(`  ${p}`);
      for (const [k, n] of Object.entries(locs).sort((a, b) => b[1] - a[1])) console.log(`    ${String(n).padStart(4)}  ${k}`);
    }
  }
}
