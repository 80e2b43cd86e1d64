import { type ShipConfig } from './shipper';
import { type Handoff } from './wire';
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
     * requests, rejected] (`PROGRESS_SLOTS` in transport.ts).
     */
    progress: BigInt64Array;
}
export type ToWorker = {
    t: 'rows';
    h: Handoff;
} | {
    t: 'flush';
    id: number;
} | {
    t: 'deadline';
    at: number;
} | {
    t: 'sync';
    sab: SharedArrayBuffer;
    at: number;
} | {
    t: 'close';
    id: number;
};
export interface RemoteStats {
    consumed: number;
    sent: number;
    dropped: number;
    rejected: number;
    failedRequests: number;
    queued: number;
}
export type FromWorker = ({
    t: 'stats';
} & RemoteStats) | {
    t: 'done';
    id: number;
} | {
    t: 'log';
    msg: string;
} | {
    t: 'warn';
    msg: string;
};
//# sourceMappingURL=worker.d.ts.map