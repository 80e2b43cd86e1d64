// `raceway run`'s progress line: its wording, and that it is drawn on a terminal only.
import test from 'ava';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { progressLine, startProgress } = require('../../dist/server/run/progress.js');

test('the progress line counts processes, events and races', (t) => {
  t.is(progressLine(1, 1, 1), 'raceway: 1 process, 1 event, 1 race so far');
  t.is(progressLine(3, 1520, 0), 'raceway: 3 processes, 1520 events, 0 races so far');
  t.is(progressLine(2, 10, undefined), 'raceway: 2 processes, 10 events so far', 'races left out where counting them is not cheap');
});

test('on a terminal the line is redrawn in place and cleared at the end; elsewhere nothing is written', async (t) => {
  const source = { processes: () => 2, events: async () => 7, races: async () => 1 };
  const written = [];
  const tty = { isTTY: true, write: (s) => written.push(s) };
  const p = startProgress(source, tty, 20);
  await new Promise((r) => setTimeout(r, 120));
  await p.stop();
  t.true(written.length >= 3, 'redrawn on every tick');
  t.is(written[0], '\r\x1b[2Kraceway: 2 processes, 7 events, 1 race so far\r');
  t.is(written.at(-1), '\r\x1b[2K', 'cleared when the run ends');
  const piped = [];
  const q = startProgress(source, { isTTY: false, write: (s) => piped.push(s) }, 20);
  await new Promise((r) => setTimeout(r, 60));
  await q.stop();
  t.deepEqual(piped, []);
});
