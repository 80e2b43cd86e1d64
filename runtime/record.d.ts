/**
 * What capture produces. An event is written straight into a packed batch (`wire.ts`): no object per
 * event on the app thread. Only events that open a span keep a small `Span` so later events can name
 * them as parent.
 */
export declare const enum K {
    StateChange = 0,
    FunctionCall = 1,
    AsyncSpawn = 2,
    AsyncAwait = 3,
    LockAcquire = 4,
    LockRelease = 5,
    HttpRequest = 6,
    HttpResponse = 7,
    Error = 8,
    Custom = 9,
    Raw = 10
}
/** An event that is the parent of later ones (FunctionCall, HttpRequest): enough to compute its id. */
export interface Span {
    readonly seq: number;
    readonly ts: number;
    /** The span that was open when this one started (for `exitFunction`). */
    readonly parent: Span | null;
}
/**
 * The task an event belongs to, as far as this module needs to name it: a `Task` of context.ts,
 * which the sinks (transport.ts, client.ts) take in full. Declared here so that recording does not
 * depend on the context module that depends on it.
 */
export interface EventTask {
    readonly id: string;
    readonly trace: string;
}
/** Where captured events go (a client's transport). */
export interface Sink {
    write(k: K, seq: number, ts: number, task: EventTask, a: unknown, b: unknown, c: unknown, d: unknown, e: unknown, dur: number | null): void;
}
//# sourceMappingURL=record.d.ts.map