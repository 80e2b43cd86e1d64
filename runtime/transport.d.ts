import type { ResolvedConfig } from './config';
import type { Task } from './context';
import type { K, Sink } from './record';
import { MAX_BODY_BYTES } from './shipper';
export { MAX_BODY_BYTES };
/**
 * Counters of the events a client captured. Each captured event is in exactly one of `sent`,
 * `dropped`, `rejected` and `queued`, at every moment: `captured = sent + dropped + rejected + queued`.
 */
export interface TransportStats {
    /** Events accepted by `capture*` (and by instrumented code) since the client started. */
    captured: number;
    /** Events the server stored (acknowledged with a 2xx). */
    sent: number;
    /** Events the client gave up on: queue overflow, over the body limit, a batch the server refused whole (4xx), retries exhausted, shutdown deadline, a stuck or failed shipping thread. */
    dropped: number;
    /** Events the server refused one by one inside a 206 answer (invalid events of a batch whose other events it stored). */
    rejected: number;
    /** Events captured and not yet sent, dropped or rejected. */
    queued: number;
    /** HTTP attempts that failed (network error or non-2xx), retried or not: not events. */
    failedRequests: number;
}
export declare class Transport implements Sink {
    private readonly config;
    private readonly log;
    private readonly ring;
    private captured;
    /** Events dropped on this thread (the shipping thread fell behind, or died). */
    private droppedHere;
    private remote;
    private worker;
    private inline;
    private readonly timer;
    private scheduled;
    private closed;
    private nextId;
    private readonly pending;
    /** Rows the shipping thread has finished with, as it publishes them (see `waitForRoom`). */
    private readonly progress;
    /** The shipping thread made no progress within ROOM_WAIT_MS: do not wait again until it does. */
    private stuckAt;
    private readonly ship;
    private readonly tail;
    /**
     * `from`: a transport whose events this one takes over, if it has handed none off yet (see
     * `adoptable`). `deferWorker`: start the shipping thread on the next turn of the event loop rather
     * than now (a client made implicitly may be replaced by `init()` before then).
     */
    constructor(config: ResolvedConfig, log: (msg: string) => void, from?: Transport | null, deferWorker?: boolean);
    /** Nothing handed off or shipped yet, and the same ring size: another transport can take the rows over. */
    adoptable(config: ResolvedConfig): boolean;
    /** Gives up the ring (now another transport's) without shipping anything. */
    private detach;
    private detached;
    /** Its events were taken over by another transport. */
    get isDetached(): boolean;
    write(k: K, seq: number, ts: number, task: Task, a: unknown, b: unknown, c: unknown, d: unknown, e: unknown, dur: number | null): void;
    /**
     * The ring is full: take the shipping thread's published progress, and if that frees nothing,
     * hand off what is pending and wait (bounded) for it to finish with some rows. Returns whether
     * there is room now.
     */
    private waitForRoom;
    get capturedCount(): number;
    stats(): TransportStats;
    /** Counters of a lost shipping thread (`remote`, zero if there never was one) plus the inline shipper's. */
    private withInline;
    /** The shipping thread's counters: its last message, or what it published since, whichever is newer. */
    private sharedStats;
    /** Hands the rows written since the last hand-off to the reader. */
    private post;
    private inlineShipper;
    private startWorker;
    private onWorkerMessage;
    /** The shipping thread died: what it held is lost (counted); shipping continues inline. */
    private workerLost;
    private ask;
    /** Resolves once every event captured so far is delivered or definitively dropped. */
    flush(): Promise<void>;
    /**
     * Flushes, waiting `ms` at most; what is not delivered by then stays queued (retried as usual),
     * and an unanswered flush does not keep the process alive.
     */
    flushFor(ms: number): Promise<void>;
    /** Flushes with a time bound; after it, failures are no longer retried. */
    flushWithin(ms: number): Promise<void>;
    /**
     * For process 'exit', where nothing asynchronous can run any more: hands over what is left and
     * blocks until the shipping thread has delivered it (or `ms` passed). False when events are
     * left undelivered.
     */
    flushSync(ms: number): boolean;
    /** At the end of the process: tells the user (once per process, see notice.ts) that captured events were not delivered. */
    noticeUndelivered(): void;
    /** Flushes (bounded), then stops the timer, the shipping thread and the sockets. */
    close(ms: number): Promise<void>;
}
//# sourceMappingURL=transport.d.ts.map