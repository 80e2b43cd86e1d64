// Differential fuzzing of both front ends with the real runtime (test/helpers/program-gen.mjs
// generates the programs, test/helpers/differential.mjs compiles and runs them): every generated
// program runs as compiled plainly and as instrumented by the TypeScript transformer (CommonJS, ES
// module, sloppy script) and by the Babel plugin (sloppy script, ES module), the instrumented builds
// once with recording off and once recording and shipping to a loopback collector; each transcript
// (values, errors, getter/setter and Proxy trap logs, microtask order) must equal the plain one.
//
// Fixed seeds and few programs here keep the suite quick; hunt with more, e.g.
//   DIFF_FUZZ_RUNS=200 DIFF_FUZZ_SEED=$RANDOM npx ava test/differential-fuzz.test.mjs
// A failure prints the smallest differing program, the build, and the files to rerun it with
// `node test/helpers/diff-runner.mjs <file>`.
import test from 'ava';
import fc from 'fast-check';
import { programArb } from './helpers/program-gen.mjs';
import { differentialBatch } from './helpers/differential.mjs';
import { startCollector } from './helpers/fixture-harness.mjs';

const runs = Number(process.env.DIFF_FUZZ_RUNS) || 5;
const seed = Number(process.env.DIFF_FUZZ_SEED) || 20261127;

function firstDifference(a, b) {
  const x = a.split('\n'), y = b.split('\n');
  let j = 0;
  while (j < x.length && x[j] === y[j]) j++;
  return `line ${j + 1}\n  plain: ${x.slice(j, j + 3).join('\n         ')}\n  inst:  ${y.slice(j, j + 3).join('\n         ')}`;
}

const modes = [
  { name: 'strict code (TS CommonJS and ESM, Babel ESM)', strict: true, builds: ['ts-cjs', 'ts-esm', 'babel-module'] },
  { name: 'sloppy scripts (TS allowJs, Babel script)', strict: false, builds: ['ts-sloppy', 'babel-script'] },
];
const programs = modes.map((m) => fc.sample(programArb({ strict: m.strict }), { numRuns: runs, seed: m.strict ? seed : seed + 1 }));
let diffs, events;

// One batch for both modes: three processes in all (plain, recording off, recording on).
test.before(async () => {
  const collector = await startCollector();
  try {
    diffs = await differentialBatch(modes.flatMap((m, j) => programs[j].map((code) => ({ code, builds: m.builds }))), {
      name: 'fuzz',
      envs: { off: {}, on: { RACEWAY_ENABLED: 'true', RACEWAY_ENDPOINT: collector.endpoint } },
    });
  } finally {
    await collector.close();
  }
  events = collector.events().length;
});

modes.forEach((m, j) => {
  test(`generated programs behave the same instrumented, recording off and on: ${m.name}`, (t) => {
    // The recording runs must really have recorded (else "on" would test "off" twice).
    t.true(events > 0, 'no events arrived from the recording runs');
    const offset = j * runs;
    const mine = diffs.filter((d) => d.index >= offset && d.index < offset + runs)
      .sort((a, b) => programs[j][a.index - offset].length - programs[j][b.index - offset].length);
    if (!mine.length) return t.pass();
    const d = mine[0];
    t.fail(`${mine.length} differing run(s); smallest: program ${d.index - offset}, build ${d.build}, recording ${d.env}, first difference at ${firstDifference(d.plain, d.inst)}\n` +
      `instrumented build: ${d.file}\n--- program\n${programs[j][d.index - offset]}`);
  });
});
