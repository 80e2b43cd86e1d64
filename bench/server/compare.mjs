// Side-by-side ingest figures of two builds on a shared, noisy machine: runs ingest.mjs of this
// checkout and of another one (a built copy of the old version) alternately, round after round, so
// that both see the same background load, and prints the medians. Server CPU per event is the
// figure to trust when other work shares the cores; events/s moves with the machine's load.
// Usage: node bench/server/compare.mjs OTHER_ROOT [rounds=5] [ingest.mjs arguments...]
//   OTHER_ROOT: a directory holding that version's dist/ and bench/ (e.g. a built git worktree).
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const [other, rounds = '5', ...args] = process.argv.slice(2);
if (!other) {
  console.error('usage: node bench/server/compare.mjs OTHER_ROOT [rounds] [ingest args...]');
  process.exit(2);
}
const roots = { this: fileURLToPath(new URL('../..', import.meta.url)), other: resolve(other) };
const runs = { this: [], other: [] };
for (let i = 0; i < Number(rounds); i++) {
  // Alternate which goes first, so neither always runs right after the other's clean-up.
  const order = i % 2 ? ['other', 'this'] : ['this', 'other'];
  for (const name of order) {
    const out = execFileSync(process.execPath, [`${roots[name]}/bench/server/ingest.mjs`, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    const r = JSON.parse(out.trim().split('\n').pop());
    runs[name].push(r);
    console.log(name.padEnd(5), JSON.stringify({ events_per_s: r.events_per_s, server_cpu_us_per_event: r.server_cpu_us_per_event, threads: r.server_threads_us_per_event, load_avg: r.load_avg }));
  }
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const summary = (rs) => ({
  events_per_s: median(rs.map((r) => r.events_per_s)),
  server_cpu_us_per_event: median(rs.map((r) => r.server_cpu_us_per_event)),
  main_us_per_event: median(rs.map((r) => r.server_threads_us_per_event?.main ?? NaN)),
  busiest_other_us_per_event: median(rs.map((r) => r.server_threads_us_per_event?.busiest_other ?? NaN)),
  rest_us_per_event: median(rs.map((r) => r.server_threads_us_per_event?.rest ?? NaN)),
  first_analysis_s: median(rs.map((r) => r.first_analysis_s)),
  races: [...new Set(rs.map((r) => r.races))],
});
console.log(JSON.stringify({ median_of: Number(rounds), this: summary(runs.this), other: summary(runs.other) }, null, 1));
