// Preloaded (NODE_OPTIONS -r) into every process and worker thread of an instrumented test run:
// when it exits, appends the runtime's own counters (events captured, sent, dropped, still queued)
// as one JSON line to $RACEWAY_LIBSUITES_STATS. Reads the client the instrumented code created (the
// runtime keeps it on a global symbol); never creates one and never throws into the test run.
'use strict';
const { appendFileSync } = require('node:fs');
const { threadId } = require('node:worker_threads');

const file = process.env.RACEWAY_LIBSUITES_STATS;
if (file) {
  process.on('exit', () => {
    try {
      const client = globalThis[Symbol.for('raceway.client.v2')]?.c;
      if (!client) return;
      const s = client.stats();
      appendFileSync(file, JSON.stringify({ pid: process.pid, thread: threadId, captured: s.captured, sent: s.sent, dropped: s.dropped, queued: s.queued }) + '\n');
    } catch {
      /* a measurement aid must not change the run's outcome */
    }
  });
}
