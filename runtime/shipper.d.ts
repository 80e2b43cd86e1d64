import type { EncodedEvents } from './wire';
export interface ShipConfig {
    endpoint: string;
    apiKey: string | null;
    batchSize: number;
    maxQueueSize: number;
}
/** The shipper's counters; every event it was given is in exactly one of sent, dropped, rejected, queued. */
export interface ShipStats {
    /** Events the server stored. */
    sent: number;
    /** Events given up on here: queue overflow, over the body limit, a refused (4xx) batch, retries exhausted, shutdown. */
    dropped: number;
    /** Events the server refused one by one inside a 206 answer (the rest of their batch was stored). */
    rejected: number;
    /** HTTP attempts that failed (network error or non-2xx), retried or not. */
    failedRequests: number;
    queued: number;
}
/** Largest request body; bigger batches are split. */
export declare const MAX_BODY_BYTES: number;
export declare class Shipper {
    private readonly config;
    private readonly log;
    private readonly warn;
    private readonly onProgress;
    private readonly notice;
    private segs;
    private segHead;
    /** Events in the queue (the segments from `segHead` on, less what they have sent). */
    private queued;
    private enqueued;
    private readonly s;
    private readonly pool;
    private readonly path;
    private readonly headers;
    private sending;
    private waiters;
    private closed;
    /** Past this time (ms since epoch) failures are not retried: we are shutting down. */
    private deadline;
    private warned4xx;
    /** False after a batch exhausted its retries: later batches get one attempt until one succeeds. */
    private reachable;
    /**
     * `log`: details, for `debug`. `warn`: a problem worth a process warning. `onProgress`: counters
     * changed. `notice`: the one line telling the user that events are not reaching the server
     * (see notice.ts; it is shown at most once per process).
     */
    constructor(config: ShipConfig, log: (msg: string) => void, warn: (msg: string) => void, onProgress?: () => void, notice?: (line: string) => void);
    stats(): ShipStats;
    /** Counts events lost before they reached the queue (e.g. a batch that could not be encoded). */
    dropUpstream(n: number): void;
    enqueue(events: EncodedEvents): void;
    /** The head segment is used up: drop it from the queue now, not at the next compaction (its bytes can be megabytes). */
    private release;
    /** Takes the oldest `count` queued events off the queue. */
    private discard;
    /** Resolves once every event enqueued so far is delivered or definitively dropped. */
    flush(): Promise<void>;
    /** From now on, failures are not retried past `atMs` (epoch ms). */
    setDeadline(atMs: number): void;
    close(): Promise<void>;
    private compact;
    /** Events delivered or definitively not: sent, dropped or rejected. */
    private settled;
    private settle;
    private pump;
    private drain;
    /**
     * The next request body: up to a backlog's worth of the oldest events under MAX_BODY_BYTES, as the
     * bytes they were encoded to (each event is followed by a comma there; the last one becomes `]`).
     */
    private nextBody;
    private deliver;
}
//# sourceMappingURL=shipper.d.ts.map