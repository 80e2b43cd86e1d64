// The real-bug detection benchmark as a test (see bench/detection/README.md). Every case must
// reproduce uninstrumented (the bug version misbehaves, the fixed one does not); through each front
// end, every case listed in expected.json as found must still be found, and the false positives
// (reports on fixed versions and on correct programs) must equal the figures in expected.json.
// Raise expected.json as the analyzer improves; the test fails when a listed case is lost or a
// false positive appears.
import test from 'ava';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { frontEnds, programOf, readExpected, realbugsDir, runInstrumented, startBenchmark, totals } from './harness.mjs';

const expected = readExpected();
// The corpus runs once, two processes at a time; each test awaits the runs it needs, so tests
// finish one by one as their runs do.
const bench = startBenchmark({ concurrency: 2 });
const all = [...bench.validation.values(), ...bench.results.values(), ...bench.correctResults.values()];
for (const p of all) p.catch(() => undefined); // a failure is reported by the test that awaits it

const describe = (r) => `found: ${r.found ? r.hits.join('; ') : 'no'}; false positives on fixed: ${r.falsePositives.join('; ') || 'none'}; extra: ${r.extra.join('; ') || 'none'}`;

test('the corpus has at least ten cases, each citing its source', (t) => {
  t.true(bench.cases.length >= 10, `${bench.cases.length} cases`);
  for (const c of bench.cases) {
    for (const key of ['benchmark', 'repository', 'issue', 'fix']) t.truthy(c.meta.source?.[key], `${c.name}: source.${key}`);
    t.true(Array.isArray(c.meta.variables) && c.meta.variables.length > 0, `${c.name}: variables`);
    t.truthy(c.meta.pattern, `${c.name}: pattern`);
    for (const v of ['bug.ts', 'fixed.ts']) t.true(existsSync(join(c.dir, v)), `${c.name}/${v}`);
  }
});

test('expected.json names only existing cases', (t) => {
  const names = new Set(bench.cases.map((c) => c.name));
  t.is(typeof expected.falsePositives.fixed, 'number');
  t.is(typeof expected.falsePositives.correct, 'number');
  for (const fe of frontEnds) {
    t.true(Array.isArray(expected.found[fe.name]), `expected.found.${fe.name}`);
    for (const name of expected.found[fe.name] ?? []) t.true(names.has(name), `${fe.name}: unknown case ${name}`);
  }
});

for (const c of bench.cases) {
  test(`uninstrumented: ${c.name} (bug misbehaves, fix does not)`, async (t) => {
    const v = await bench.validation.get(c.name);
    t.deepEqual(v.bug.problems, [], `bug.ts: ${v.bug.problems.join('; ')}\n${v.bug.run.stdout}${v.bug.run.stderr}`);
    t.deepEqual(v.fixed.problems, [], `fixed.ts: ${v.fixed.problems.join('; ')}\n${v.fixed.run.stdout}${v.fixed.run.stderr}`);
  });

  for (const fe of frontEnds) {
    const listed = (expected.found[fe.name] ?? []).includes(c.name);
    test(`${fe.name}: ${c.name}${listed ? ' is found' : ''}`, async (t) => {
      const r = await bench.results.get(`${c.name}/${fe.name}`);
      t.log(describe(r));
      if (listed) {
        t.true(r.found, `${c.name} not found through ${fe.name}${r.reproduced.bug ? '' : ' (the bug did not happen in the instrumented run)'}`);
      } else {
        if (r.found) t.log('found but not listed in expected.json: raise it');
        t.pass();
      }
    });
  }
}

for (const fe of frontEnds) {
  test(`${fe.name}: recall and false positives`, async (t) => {
    const data = {
      results: await Promise.all([...bench.results].filter(([k]) => k.endsWith(`/${fe.name}`)).map(([, p]) => p)),
      correct: await Promise.all([...bench.correctResults].filter(([k]) => k.endsWith(`/${fe.name}`)).map(([, p]) => p)),
    };
    const sums = totals(data, [fe.name])[fe.name];
    const listed = expected.found[fe.name] ?? [];
    t.log(`recall ${sums.found}/${sums.cases}; false positives ${sums.falsePositivesOnFixed} on fixed, ${sums.falsePositivesOnCorrect} on correct; extra reports ${sums.extraReports}`);
    t.true(sums.found >= listed.length, `recall ${sums.found} < ${listed.length}`);
    const onFixed = data.results.flatMap((r) => r.falsePositives.map((fp) => `${r.case}: ${fp}`));
    const onCorrect = data.correct.flatMap((r) => r.falsePositives.map((fp) => `${r.case}: ${fp}`));
    t.is(onFixed.length, expected.falsePositives.fixed, `false positives on fixed versions: ${onFixed.join('; ') || 'none'}`);
    t.is(onCorrect.length, expected.falsePositives.correct, `false positives on correct programs: ${onCorrect.join('; ') || 'none'}`);
  });

  test(`${fe.name}: the harness reports the lost update it must always find`, async (t) => {
    const program = programOf(join(realbugsDir, 'selftest'), 'lost-update.ts', 'selftest-lost-update');
    const r = await bench.run(() => runInstrumented(program, fe));
    t.regex(r.run.stdout, /balance (800|900)/, 'the lost update happened');
    t.true(r.captured > 0, 'events reached the server');
    t.true(r.races.some((x) => x.kind === 'lost_update' && x.variable === 'account.balance'), JSON.stringify(r.races.map((x) => `${x.kind} ${x.variable}`)));
  });
}
