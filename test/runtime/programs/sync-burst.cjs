// A synchronous burst: COUNT captures in one loop that never yields, with a queue that holds
// them all. The process then ends by itself; the exit handler delivers what is left (given time
// for a server on a loaded machine: the bound at exit is not what is tested). Prints the client's
// counters as one JSON line.
'use strict';
const { init } = require('raceway');

const count = Number(process.argv[2]);
const client = init({ endpoint: process.argv[3], maxEventsPerSecond: Infinity, maxQueueSize: count, shutdownTimeout: 120_000 });
for (let i = 0; i < count; i++) client.captureStateChange('burst.value', i, i + 1, 'sync-burst.cjs:10');
process.on('exit', () => {
  process.stdout.write(JSON.stringify(client.stats()) + '\n');
});
