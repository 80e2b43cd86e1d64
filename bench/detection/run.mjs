#!/usr/bin/env node
// The real-bug detection benchmark (see README.md next to this file): every case of
// test/realbugs/cases through both front ends against a real Raceway server, then a table and the
// totals per front end. Build first (`node scripts/build.mjs`).
//
//   node bench/detection/run.mjs [--json] [--concurrency N] [--case PREFIX] [--front-end transformer|babel]
//
// RACEWAY_DUMP_DIR=<dir> also writes each run's events to <dir>/<case>-<variant>-<front end>.json.
import { frontEnds, runBenchmark, totals } from '../../test/realbugs/harness.mjs';

function parseArgs(argv) {
  const args = { json: false, concurrency: 2, filter: undefined, frontEnd: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') args.json = true;
    else if (a === '--concurrency') args.concurrency = Number(argv[++i]);
    else if (a === '--case') args.filter = argv[++i];
    else if (a === '--front-end') args.frontEnd = argv[++i];
    else throw new Error(`unknown argument ${a}`);
  }
  if (!(args.concurrency >= 1)) throw new Error('--concurrency needs a positive number');
  return args;
}

function table(headers, rows) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => '| ' + cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ') + ' |';
  return [line(headers), '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|', ...rows.map(line)].join('\n');
}

const short = (list) => (list.length ? `${list.length} (${list.join('; ')})` : '0');

const args = parseArgs(process.argv.slice(2));
const only = args.frontEnd ? frontEnds.filter((f) => f.name === args.frontEnd) : frontEnds;
if (!only.length) throw new Error(`unknown front end ${args.frontEnd}`);
const bench = await runBenchmark({ concurrency: args.concurrency, filter: args.filter, only });
const sums = totals(bench, only.map((f) => f.name));

if (args.json) {
  process.stdout.write(JSON.stringify({ validation: bench.validation.map((v) => ({
    case: v.case, bug: v.bug.problems, fixed: v.fixed.problems,
  })), results: bench.results, correct: bench.correct, totals: sums }, null, 2) + '\n');
} else {
  const invalid = bench.validation.filter((v) => v.bug.problems.length || v.fixed.problems.length);
  console.log(`Uninstrumented validation: ${bench.validation.length - invalid.length}/${bench.validation.length} cases behave as expected (bug misbehaves, fix does not)`);
  for (const v of invalid) console.log(`  ${v.case}: bug [${v.bug.problems.join(', ')}] fixed [${v.fixed.problems.join(', ')}]`);
  console.log();
  const patternOf = new Map(bench.cases.map((c) => [c.name, c.meta.pattern.replace(/ \(.*$/, '')]));
  console.log(table(
    ['case', 'pattern', 'front end', 'found?', 'false positives on fixed', 'extra reports', 'reproduced instrumented'],
    bench.results.map((r) => [r.case, patternOf.get(r.case), r.frontEnd, r.found ? `yes (${r.hits.join('; ')})` : 'no',
      short(r.falsePositives), short(r.extra), r.reproduced.bug && r.reproduced.fixed ? 'yes' : `bug ${r.reproduced.bug ? 'yes' : 'no'}, fixed ${r.reproduced.fixed ? 'yes' : 'no'}`]),
  ));
  if (bench.correct.length) {
    console.log();
    console.log(table(['correct program', 'front end', 'false positives'], bench.correct.map((r) => [r.case, r.frontEnd, short(r.falsePositives)])));
  }
  console.log();
  for (const [fe, t] of Object.entries(sums)) {
    const pct = t.cases ? Math.round((100 * t.found) / t.cases) : 0;
    console.log(`${fe}: recall ${t.found}/${t.cases} (${pct} %), false positives ${t.falsePositivesOnFixed} on fixed versions + ${t.falsePositivesOnCorrect} on correct programs, ${t.extraReports} extra reports on bug versions`);
  }
}
