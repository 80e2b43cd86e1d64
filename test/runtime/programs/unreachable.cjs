// Captures events for an endpoint given in RACEWAY_ENDPOINT and ends the way argv[2] says; what it
// prints on stderr is the runtime's notice (and, with RACEWAY_DEBUG, its log).
const { init } = require('raceway');
const mode = process.argv[2];
const c = init({ flushInterval: 50, batchSize: 10 });
let n = 0;
const capture = () => { for (let i = 0; i < 20; i++) c.captureStateChange('x', n, ++n, 'unreachable.cjs:7'); };
capture();
if (mode === 'runs') {
  // A few rounds of shipping that all fail, then the loop runs dry.
  let rounds = 0;
  const t = setInterval(() => { capture(); if (++rounds === 6) clearInterval(t); }, 60);
} else if (mode === 'process.exit') {
  setImmediate(() => process.exit(0)); // only the synchronous 'exit' hook ships
} else if (mode === 'ends') {
  // the event loop simply runs dry: the beforeExit flush is the first delivery
}
