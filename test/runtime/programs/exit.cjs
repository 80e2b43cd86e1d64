// Captures events and then ends in the way argv[2] says, to prove nothing is lost on graceful exit.
const { init } = require('raceway');
const mode = process.argv[2];
// No timer flush: only exit handling can deliver. A generous bound: a loaded CI machine is slow.
const c = init({ flushInterval: 60000, batchSize: 1000, shutdownTimeout: 15000 });
for (let i = 0; i < 250; i++) c.captureStateChange('x', i, i + 1, 'exit.cjs:5');
if (mode === 'uncaught') {
  setImmediate(() => { throw new TypeError('boom at the top'); });
} else if (mode === 'process.exit') {
  setInterval(() => {}, 1000);
  setImmediate(() => process.exit(3)); // skips beforeExit: the 'exit' hook must deliver synchronously
} else if (mode === 'beforeExit') {
  // the event loop simply runs dry
} else if (mode === 'sigterm') {
  setInterval(() => {}, 1000); // an app that would run forever
  process.stdout.write('ready\n');
} else if (mode === 'sigterm-handled') {
  setInterval(() => {}, 1000);
  process.on('SIGTERM', () => { process.stdout.write('app handler ran\n'); setTimeout(() => process.exit(7), 300); });
  process.stdout.write('ready\n');
}
