// Retirement facts (server/analyzer/coverage.ts): what a clock implies about tasks the runtime
// left out of it once an event had announced their level (the largest value clocks carry).
import test from 'ava';
import { CoverageTable, hasSeen } from '../../dist/server/analyzer/index.js';

/** Looks up components of a clock given as [[component, n], …]. */
const entry = (clock) => { const m = new Map(clock); return (c) => m.get(c); };
const seen = (cov, clock, c, n) => hasSeen(entry(clock), c, n, cov, new Map());

test('a task retired into another at k is implied by clocks that carry that task at k or later', (t) => {
  const cov = new CoverageTable();
  cov.noteEvent('C', [['P', 2], ['C', 3]]); // C's own events do not count as facts about C
  cov.noteEvent('P', [['P', 5], ['C', 4]]); // P@5 carried C at its final value 4
  cov.noteEvent('P', [['P', 6]]); // C left out from then on
  t.true(seen(cov, [['P', 5]], 'C', 3));
  t.true(seen(cov, [['P', 9]], 'C', 4));
  t.false(seen(cov, [['P', 4]], 'C', 3), 'P before the announcing event has not seen C');
  t.false(seen(cov, [['P', 9]], 'C', 5), 'nothing is implied beyond the largest value carried');
  t.false(seen(cov, [['Q', 9]], 'C', 1));
  t.true(seen(cov, [['C', 3]], 'C', 3), 'a carried entry decides by itself');
});

test('retirements chain: C into X, X into Y', (t) => {
  const cov = new CoverageTable();
  cov.noteEvent('X', [['X', 2], ['C', 7]]);
  cov.noteEvent('Y', [['Y', 10], ['X', 4]]);
  t.true(seen(cov, [['Y', 10]], 'C', 7));
  t.false(seen(cov, [['Y', 9]], 'C', 7));
  cov.noteEvent('Z', [['Z', 1], ['X', 1]]); // an older value of X does not change X's facts
  t.deepEqual(cov.get('X'), { max: 4, levels: [{ value: 4, by: [['Y', 10]] }] });
});

test('a larger value makes a new level; equal values add tasks, keeping the first counter', (t) => {
  const cov = new CoverageTable();
  cov.noteEvent('A', [['A', 3], ['C', 1]]);
  cov.noteEvent('B', [['B', 8], ['C', 2]]);
  cov.noteEvent('A', [['A', 5], ['C', 2]]);
  cov.noteEvent('B', [['B', 9], ['C', 2]]);
  t.deepEqual(cov.get('C'), { max: 2, levels: [{ value: 1, by: [['A', 3]] }, { value: 2, by: [['B', 8], ['A', 5]] }] });
  t.true(seen(cov, [['A', 5]], 'C', 2));
  t.true(seen(cov, [['B', 8]], 'C', 2));
  t.false(seen(cov, [['A', 4], ['B', 7]], 'C', 2));
});

test('a level stays implied after a later event carried the task higher (a final clock joined late)', (t) => {
  const cov = new CoverageTable();
  cov.noteEvent('X', [['X', 2], ['C', 3]]); // C retired into X@2 at level 3
  cov.noteEvent('Y', [['Y', 1], ['C', 5]]); // later, C's final clock (5) reached Y
  t.true(seen(cov, [['X', 2]], 'C', 3), 'X@2 has seen C up to 3');
  t.false(seen(cov, [['X', 2]], 'C', 4), 'but not beyond');
  t.true(seen(cov, [['Y', 1]], 'C', 5));
  t.false(seen(cov, [['X', 1]], 'C', 3));
});

test('only the last few levels are kept', (t) => {
  const cov = new CoverageTable();
  for (let v = 1; v <= 20; v++) cov.noteEvent(`T${v}`, [[`T${v}`, 1], ['C', v]]);
  const levels = cov.get('C').levels;
  t.true(levels.length <= 8);
  t.is(levels.at(-1).value, 20);
  t.true(seen(cov, [['T20', 1]], 'C', 20));
  t.true(seen(cov, [['T19', 1]], 'C', 19));
});

test('inconsistent clocks that retire into each other end the walk with no answer', (t) => {
  const cov = new CoverageTable();
  cov.noteEvent('X', [['X', 2], ['Y', 5]]);
  cov.noteEvent('Y', [['Y', 6], ['X', 3]]);
  t.false(seen(cov, [['Q', 1]], 'X', 1));
  t.true(seen(cov, [['Y', 6]], 'X', 3));
});
