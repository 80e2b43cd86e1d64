"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * The shipping thread: decodes rows from the shared ring into wire JSON and delivers them, so the
 * application's thread pays only for capture. Messages are processed in order, so a flush request
 * is answered only after every hand-off posted before it has been delivered or dropped.
 */
const node_worker_threads_1 = require("node:worker_threads");
const ids_1 = require("./ids");
const notice_1 = require("./notice");
const shipper_1 = require("./shipper");
const sync_answer_1 = require("./sync-answer");
const wire_1 = require("./wire");
const port = node_worker_threads_1.parentPort;
if (port) {
    const init = node_worker_threads_1.workerData;
    (0, ids_1.setProcessPrefix)(init.prefix);
    const reader = new wire_1.RingReader(init.ring, init.capacity, init.tail, ids_1.randomId);
    let consumed = 0;
    let reportQueued = false;
    const post = (m) => port.postMessage(m);
    const stats = () => ({ t: 'stats', consumed, ...shipper.stats() });
    const publish = () => {
        const st = shipper.stats();
        Atomics.store(init.progress, 1, BigInt(st.sent));
        Atomics.store(init.progress, 2, BigInt(st.dropped));
        Atomics.store(init.progress, 3, BigInt(st.failedRequests));
        Atomics.store(init.progress, 4, BigInt(st.rejected));
    };
    const report = () => {
        publish();
        // One stats message per turn of the loop is enough for the app thread's counters.
        if (reportQueued)
            return;
        reportQueued = true;
        setImmediate(() => { reportQueued = false; post(stats()); });
    };
    const shipper = new shipper_1.Shipper(init.ship, (msg) => { if (init.debug)
        post({ t: 'log', msg }); }, (msg) => post({ t: 'warn', msg }), report, (line) => (0, notice_1.noticeOnce)(init.notice, line));
    port.on('message', (m) => {
        switch (m.t) {
            case 'rows': {
                let events;
                try {
                    events = reader.encode(m.h);
                }
                catch (err) {
                    events = null;
                    shipper.dropUpstream(m.h.to - m.h.from);
                    if (init.debug)
                        post({ t: 'log', msg: `dropped events that could not be encoded: ${String(err)}` });
                }
                consumed = m.h.to;
                if (events)
                    shipper.enqueue(events);
                // The app thread may be blocked waiting for room in the ring (a synchronous burst that never
                // yields, so it cannot read our stats messages): it reads these instead.
                publish();
                Atomics.store(init.progress, 0, BigInt(consumed));
                Atomics.notify(init.progress, 0);
                report();
                return;
            }
            case 'flush':
                void shipper.flush().then(() => { post(stats()); post({ t: 'done', id: m.id }); });
                return;
            case 'deadline':
                shipper.setDeadline(m.at);
                return;
            case 'sync': {
                // The app thread is blocked in Atomics.wait (process 'exit'): deliver, then wake it.
                shipper.setDeadline(m.at);
                const flag = new Int32Array(m.sab);
                void shipper.flush().then(() => {
                    Atomics.store(flag, 0, shipper.stats().queued === 0 ? sync_answer_1.SYNC_ALL_DELIVERED : sync_answer_1.SYNC_SOME_LEFT);
                    Atomics.notify(flag, 0);
                });
                return;
            }
            case 'close':
                void shipper.flush().then(() => shipper.close()).then(() => { post(stats()); post({ t: 'done', id: m.id }); });
                return;
        }
    });
}
//# sourceMappingURL=worker.js.map