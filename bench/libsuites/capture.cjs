// Preloaded (NODE_OPTIONS -r) into every process and worker thread of an instrumented test run.
//
// 1. With RACEWAY_LIBSUITES_QUEUE=N: creates the runtime's client with a queue of N events and
//    batches of 1000 (a test suite is a burst far above what an app produces; the default queue of
//    10 000 events drops what the shipping thread cannot take yet). Without it the runtime's
//    defaults apply, as in any app.
// 2. When the process or thread exits, appends the runtime's own counters (captured, sent,
//    dropped, still queued) and the process's peak resident memory as one JSON line to
//    $RACEWAY_LIBSUITES_STATS.
// Never throws into the test run.
'use strict';
const { appendFileSync } = require('node:fs');
const { isMainThread, parentPort, threadId } = require('node:worker_threads');

// Node's module-hooks thread (`--import raceway/register`) runs preloads too: no parent port, unlike
// every worker a program starts. It runs no instrumented code, and a client started there (its
// shipping thread loads modules through the very hooks that thread serves) would never get going.
const hooksThread = !isMainThread && parentPort === null;
// The runtime's own shipping thread (its workerData carries the hand-off ring) runs preloads too.
const { workerData } = require('node:worker_threads');
const shippingThread = !isMainThread && workerData !== null && typeof workerData === 'object' && 'ring' in workerData && 'ship' in workerData;

let client = null;
const depth = Number(process.env.RACEWAY_LIBSUITES_QUEUE || 0);
if (!hooksThread && !shippingThread && depth > 0) try {
  const { init } = require('../../dist/runtime/index.js');
  client = init({ maxQueueSize: depth, batchSize: 1000 });
} catch (err) {
  process.emitWarning(`raceway libsuites: could not create the client: ${err.message}`);
}

const file = process.env.RACEWAY_LIBSUITES_STATS;
if (file && !hooksThread && !shippingThread) {
  process.on('exit', () => {
    try {
      // The client instrumented code records to (the one made above, unless the suite made its own).
      const current = globalThis[Symbol.for('raceway.client.v2')]?.c ?? client;
      if (!current) return;
      const s = current.stats();
      if (s.captured === 0) return;
      appendFileSync(file, JSON.stringify({ pid: process.pid, thread: threadId, captured: s.captured, sent: s.sent, dropped: s.dropped, queued: s.queued, maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }) + '\n');
    } catch {
      /* a measurement aid must not change the run's outcome */
    }
  });
}
