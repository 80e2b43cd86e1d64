/**
 * The shipping thread's answer to a 'sync' request (process 'exit', when the app thread blocks in
 * Atomics.wait), stored in the request's shared flag; 0 while it is still delivering. A module of
 * its own: the app thread must not load worker.ts, which starts shipping when it finds a parentPort
 * (an app's own worker thread has one).
 */
export declare const SYNC_ALL_DELIVERED = 1;
export declare const SYNC_SOME_LEFT = 2;
//# sourceMappingURL=sync-answer.d.ts.map