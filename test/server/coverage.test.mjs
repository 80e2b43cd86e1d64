// Retirement facts (server/analyzer/coverage.ts): what a clock implies about tasks the runtime
// left out of it once an event had announced their final value.
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
  t.deepEqual(cov.get('X'), { max: 4, by: [['Y', 10]] });
});

test('a larger value replaces the witnesses; equal values add tasks, keeping the first counter', (t) => {
  const cov = new CoverageTable();
  cov.noteEvent('A', [['A', 3], ['C', 1]]);
  cov.noteEvent('B', [['B', 8], ['C', 2]]);
  cov.noteEvent('A', [['A', 5], ['C', 2]]);
  cov.noteEvent('B', [['B', 9], ['C', 2]]);
  t.deepEqual(cov.get('C'), { max: 2, by: [['B', 8], ['A', 5]] });
  t.true(seen(cov, [['A', 5]], 'C', 2));
  t.true(seen(cov, [['B', 8]], 'C', 2));
  t.false(seen(cov, [['A', 4], ['B', 7]], 'C', 2));
});

test('inconsistent clocks that retire into each other end the walk with no answer', (t) => {
  const cov = new CoverageTable();
  cov.noteEvent('X', [['X', 2], ['Y', 5]]);
  cov.noteEvent('Y', [['Y', 6], ['X', 3]]);
  t.false(seen(cov, [['Q', 1]], 'X', 1));
  t.true(seen(cov, [['Y', 6]], 'X', 3));
});
