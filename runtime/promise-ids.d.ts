/** The runtime starts (true) or stops (false) using AsyncLocalStorage. */
export declare function trackPromiseIds(on: boolean): void;
//# sourceMappingURL=promise-ids.d.ts.map