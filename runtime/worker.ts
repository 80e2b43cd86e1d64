/**
 * The shipping thread: decodes rows from the shared ring into wire JSON and delivers them, so the
 * application's thread pays only for capture. Messages are processed in order, so a flush request
 * is answered only after every hand-off posted before it has been delivered or dropped.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { setProcessPrefix, randomId } from './ids';
import { noticeOnce } from './notice';
import { Shipper, type ShipConfig } from './shipper';
import { SYNC_ALL_DELIVERED, SYNC_SOME_LEFT } from './sync-answer';
import { RingReader, type EncodedEvents, type Handoff } from './wire';

export interface WorkerInit {
  ship: ShipConfig;
  tail: string;
  prefix: Uint8Array;
  debug: boolean;
  ring: SharedArrayBuffer;
  capacity: number;
  /** The process's notice flag (notice.ts), shared with the app thread. */
  notice: Int32Array;
  /**
   * Published for the app thread, which may be blocked in a synchronous burst and unable to read
   * messages (see Transport.waitForRoom): [rows of the ring finished with, sent, dropped, failed
   * requests, rejected, started (1 once this thread reads hand-offs)] (`PROGRESS_SLOTS` in transport.ts).
   */
  progress: BigInt64Array;
}

export type ToWorker =
  | { t: 'rows'; h: Handoff }
  | { t: 'flush'; id: number }
  | { t: 'deadline'; at: number }
  | { t: 'sync'; sab: SharedArrayBuffer; at: number }
  | { t: 'close'; id: number };

export interface RemoteStats { consumed: number; sent: number; dropped: number; rejected: number; failedRequests: number; queued: number }

export type FromWorker =
  | ({ t: 'stats' } & RemoteStats)
  | { t: 'done'; id: number }
  | { t: 'log'; msg: string }
  | { t: 'warn'; msg: string };

const port = parentPort;
if (port) {
  const init = workerData as WorkerInit;
  setProcessPrefix(init.prefix);
  const reader = new RingReader(init.ring, init.capacity, init.tail, randomId);
  let consumed = 0;
  let reportQueued = false;
  const post = (m: FromWorker) => port.postMessage(m);
  const stats = (): FromWorker => ({ t: 'stats', consumed, ...shipper.stats() });
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
    if (reportQueued) return;
    reportQueued = true;
    setImmediate(() => { reportQueued = false; post(stats()); });
  };
  const shipper = new Shipper(init.ship, (msg) => { if (init.debug) post({ t: 'log', msg }); }, (msg) => post({ t: 'warn', msg }), report, (line) => noticeOnce(init.notice, line));
  // The app thread may be waiting for room in the ring since before this thread started (see Transport.waitForRoom).
  Atomics.store(init.progress, 5, 1n);
  Atomics.notify(init.progress, 0);
  port.on('message', (m: ToWorker) => {
    switch (m.t) {
      case 'rows': {
        let events: EncodedEvents | null;
        try {
          events = reader.encode(m.h);
        } catch (err) {
          events = null;
          shipper.dropUpstream(m.h.to - m.h.from);
          if (init.debug) post({ t: 'log', msg: `dropped events that could not be encoded: ${String(err)}` });
        }
        consumed = m.h.to;
        if (events) shipper.enqueue(events);
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
          Atomics.store(flag, 0, shipper.stats().queued === 0 ? SYNC_ALL_DELIVERED : SYNC_SOME_LEFT);
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
