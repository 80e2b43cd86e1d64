import { Clock } from './clock';
import { K, type Sink, type Span } from './record';
export declare class Task {
    readonly parent: Task | null;
    private idValue;
    private traceValue;
    /** Components learned from other tasks (fork, join, lock acquire). */
    base: Clock;
    /** This task's own component; ticks on every event and at every resumption. */
    own: number;
    /** The innermost open span (FunctionCall / HttpRequest) — the `parent_id` of new events. */
    span: Span | null;
    /** Name of the function running in this task now (AsyncSpawn.spawned_by). */
    fn: string;
    /** Locks held (immutable array, replaced on change so events can share it). */
    locks: readonly string[];
    /** Children that finished and whose clocks join this task at its next resumption. */
    done: Task[] | null;
    finished: boolean;
    /** Clock at completion (set when finished). */
    final: Clock | null;
    /** False in a trace left out by sampling (`sampleRate`): nothing is recorded for it. */
    sampled: boolean;
    /** A request's task or one of its descendants (the middleware started the trace). */
    inRequest: boolean;
    /** The segment of this task that is running now and that callbacks registered now belong to. */
    seg: Segment | null;
    /** String-table ids of `id` and `trace` in the hand-off ring, valid for `wireGen` (see wire.ts). */
    wireGen: number;
    wireId: number;
    wireTrace: number;
    /** The clock base last written for this task and its table id (same generation). */
    wireBase: Clock | null;
    wireClock: number;
    /** `trace` null: a fresh trace id, made when first needed (never, for a request left out by sampling). */
    constructor(trace: string | null, parent: Task | null, base: Clock, fn: string);
    /** The task id (a UUID: `metadata.thread_id`, its vector-clock component). */
    get id(): string;
    get trace(): string;
    /** The full clock now: `base` plus the own component. */
    clock(): Clock;
    /** A child task whose clock starts from a copy of this one's. Work left out by sampling stays in its one shared task. */
    fork(fn: string, trace?: string | null): Task;
    /**
     * A callback task registered during segment `seg` of this task: its clock starts from this task's
     * clock at the end of that segment (everything the registering job did, nothing this task did in
     * later segments). A segment that has not ended yet (the callback runs while it is still on the
     * stack) gives this task's clock now, as `fork` does.
     */
    forkFromSegment(seg: Segment | null, fn: string): Task;
    /** Ends the running segment: callbacks it registered start from the clock as it is now. */
    endSegment(): void;
    /** Learns everything `other` (a clock from a finished child or a lock release) knew. */
    joinClock(other: Clock): void;
    /** A new segment begins (after an await or when a callback re-enters): tick and join finished children. */
    resumeSegment(): void;
    finish(): void;
    setLocks(locks: readonly string[]): void;
}
/**
 * What AsyncLocalStorage carries: one segment of a task (from an entry or resumption to the next
 * suspension or exit). Whatever the program schedules during the segment — a timer, `setImmediate`,
 * `process.nextTick`, a promise reaction, an I/O callback — captures this object when it is
 * registered, so the callback knows which task registered it and, once the segment has ended, the
 * registering task's clock at that point (`Task.forkFromSegment`).
 */
export declare class Segment {
    readonly task: Task;
    /** The task's clock base and own counter when the segment ended; null while it runs. */
    base: Clock | null;
    own: number;
    locks: readonly string[];
    constructor(task: Task);
}
/** The process root task: module initialisation and code outside any request. */
export declare function rootTask(): Task;
/**
 * The task running now: the synchronous ambient, else the async-propagated one, else the root.
 * While sampling leaves requests out, code that no request propagated to could belong to one of
 * them (their contexts are not propagated, to save the cost), so it is not recorded.
 */
export declare function currentTask(): Task;
/** The task a server started now works for, ignoring sampling (the parent of a new request's task). */
export declare function serverTask(): Task;
/** See `currentTask`: true while sampling leaves requests out. */
export declare function isThrottled(): boolean;
/**
 * True when nothing recorded can be running here: no instrumented caller on the stack, sampling is
 * leaving requests out and AsyncLocalStorage is off (so no recorded request propagated to this
 * callback). The common case of a busy service; `enter` checks it first.
 */
export declare function quietCallback(): boolean;
/**
 * The process-wide client can record nothing (Raceway disabled, or shut down) or can again: while it
 * cannot, instrumented functions take the unrecorded path, as requests left out by sampling do, so
 * an app compiled with the transformer but run with Raceway off pays the least its hooks can cost.
 */
export declare function setRecordingOff(off: boolean): void;
/** The one task of all work left out by sampling (requests left out, and code none recorded reaches). */
export declare function quietTask(): Task;
/**
 * Sampling started or stopped leaving requests out. While it does, AsyncLocalStorage (whose
 * promise hook costs every promise of the process) is switched off whenever no recorded request is
 * in flight.
 */
export declare function setThrottled(on: boolean): void;
/** A recorded request starts / ends (keeps AsyncLocalStorage on while any is in flight). */
export declare function recordedRequestStarted(): void;
export declare function recordedRequestEnded(): void;
/** The synchronous ambient task, or null when no instrumented code is on the stack. */
export declare function ambientTask(): Task | null;
/** The async-propagated task (AsyncLocalStorage), if any. */
export declare function storedTask(): Task | undefined;
/** The async-propagated segment (AsyncLocalStorage): saved by `enterTask`'s callers and put back with `leaveTo`. */
export declare function storedSegment(): Segment | undefined;
/**
 * Makes `task` the ambient task of the current synchronous run only, leaving AsyncLocalStorage as it
 * is (see `mod`).
 */
export declare function setAmbient(task: Task | null): void;
/** Makes `task` current for synchronous code and for anything it schedules. */
export declare function enterTask(task: Task): void;
/**
 * Puts back the ambient task and async-propagated store saved before an `enterTask` (at exit or
 * suspension), so the caller's continuation and what it schedules see its own task again.
 */
export declare function leaveTo(current: Task | null, store: Segment | undefined): void;
/**
 * Leaves a callback task that code outside instrumentation called (the event loop, a test
 * runner, an emitter of an uninstrumented library): that caller goes on after the callback
 * returned (or first awaited), so what it schedules from now on — the next hook, the next
 * listener, the next step of its loop — happens after what the callback did. The propagated store
 * becomes a copy of the caller's ended segment that has joined the callback's clock. A store that
 * is still running (a request's) or the callback's own is put back as it is.
 */
export declare function returnToCaller(task: Task, store: Segment | undefined): void;
/** Runs `fn` with `task` as the async-propagated task (for middleware). */
export declare function runInTask<T>(task: Task, fn: () => T): T;
/**
 * A callback task starts: when it is a promise reaction to a promise that an earlier callback task
 * settled, it learns that task's final clock; and it is noted as the settler of its own promise.
 * The async ids are known only while AsyncLocalStorage tracks promises (always, once a task has
 * been entered); without them, nothing is learned.
 */
export declare function noteReaction(task: Task): void;
/**
 * resolve → reaction: a promise reaction, or an async function resuming after `await p`, runs after
 * whatever resolved `p` did up to the resolution (`p` is the reaction's trigger on every Node
 * version once a promise hook is on).
 */
export declare function joinResolver(task: Task): void;
/** A task that starts a new trace (a recorded request), forked from `parent`. */
export declare function newTraceTask(parent: Task, fn: string, traceId: string | null): Task;
/** Records an event in `task`: ticks its clock; the sink snapshots span, clock base and lock set. Returns its sequence number. */
export declare function emit(sink: Sink, task: Task, k: K, a?: unknown, b?: unknown, c?: unknown, d?: unknown, e?: unknown, dur?: number | null): number;
/** Like `emit`, for an event that opens a span: returns the span for `task.span`. */
export declare function emitSpan(sink: Sink, task: Task, k: K, a?: unknown, b?: unknown, c?: unknown, d?: unknown, e?: unknown): Span;
export declare function exitSpan(task: Task, prev: Span | null): void;
//# sourceMappingURL=context.d.ts.map