/**
 * Per-task context. A task is an async unit: the process root, the root of a request, each call of
 * an async function, each callback chain. Instrumented code keeps its task in a frame variable and
 * hands it to every hook, so it never depends on ambient propagation; the ambient task (`current`,
 * backed by AsyncLocalStorage for code we did not instrument) is kept in step at every entry, exit
 * and suspension point so callbacks scheduled by a task start from the right parent.
 *
 * Why one module of this size: tasks, the context manager and the causal edges (registration,
 * resolve → reaction, return to caller) update the same per-task state and must change together.
 */
import { AsyncLocalStorage, createHook, executionAsyncId, executionAsyncResource, triggerAsyncId, type AsyncHook } from 'node:async_hooks';
import { trackPromiseIds } from './promise-ids';
import { randomId as randomUUID } from './ids';
import { Clock, type ClockComponent } from './clock';
import { peekData } from './peek';
import { K, type EventArgs, type Sink, type Span } from './record';
import { nowMicros } from './time';
import { newEpoch, noteRecorded, noteTask } from './epoch';

const EMPTY_LOCKS: readonly string[] = Object.freeze([]);
/** Completed children kept for joining per parent; beyond it the oldest are forgotten (never unbounded). */
const MAX_PENDING_JOINS = 1024;

export class Task implements ClockComponent {
  private idValue: string | null = null;
  private traceValue: string | null;
  /** Components learned from other tasks (fork, join, lock acquire). */
  base: Clock;
  /** This task's own component; ticks on every event and at every resumption. */
  own = 0;
  /** The innermost open span (FunctionCall / HttpRequest) — the `parent_id` of new events. */
  span: Span | null = null;
  /** Name of the function running in this task now (AsyncSpawn.spawned_by). */
  fn: string;
  /** Locks held (immutable array, replaced on change so events can share it). */
  locks: readonly string[] = EMPTY_LOCKS;
  /** Children that finished and whose clocks join this task at its next resumption. */
  done: Task[] | null = null;
  finished = false;
  /** Own counter at completion (-1 before): the own component of the final clock. */
  finalOwn = -1;
  /** The final clock, made when something first joins it (see `finalClock`). */
  private finalMade: Clock | null = null;
  /** See `ClockComponent` (clock.ts): where this task was retired, and the first event that carried it highest. */
  retiredInto: ClockComponent | null = null;
  retiredAt = 0;
  retiredValue = -1;
  carriedMax = -1;
  carrier: ClockComponent | null = null;
  carrierAt = -1;
  /** The base last looked at for entries to retire (after an event: see `emit`). */
  retireChecked: Clock | null = null;
  /** False in a trace left out by sampling (`sampleRate`): nothing is recorded for it. */
  sampled = true;
  /** A request's task or one of its descendants (the middleware started the trace). */
  inRequest = false;
  /** The segment of this task that is running now and that callbacks registered now belong to. */
  seg: Segment | null = null;
  /** String-table ids of `id` and `trace` in the hand-off ring, valid for `wireGen` (see wire.ts). */
  wireGen = -1;
  wireId = 0;
  wireTrace = 0;
  /** The clock base last written for this task and its table id (same generation). */
  wireBase: Clock | null = null;
  wireClock = 0;

  /** `trace` null: a fresh trace id, made when first needed (never, for a request left out by sampling). */
  constructor(trace: string | null, readonly parent: Task | null, base: Clock, fn: string) {
    this.traceValue = trace;
    this.base = base;
    this.fn = fn;
  }

  /** The task id (a UUID: `metadata.thread_id`, its vector-clock component). */
  get id(): string {
    return this.idValue ?? (this.idValue = randomUUID());
  }

  get trace(): string {
    return this.traceValue ?? (this.traceValue = randomUUID());
  }

  /** The full clock now: `base` plus the own component. Whoever copies it sees this point: a new epoch (epoch.ts). */
  clock(): Clock {
    newEpoch();
    return this.base.with(this, this.own);
  }

  /** The clock at completion (null before), made when something first joins it. */
  finalClock(): Clock | null {
    if (this.finalOwn < 0) return null;
    return this.finalMade ??= this.base.with(this, this.finalOwn);
  }

  /** The task has finished: if an event already carried it, the first one that carried it highest retires it (clock.ts). */
  private retireAtEnd(): void {
    if (this.carrier === null) return;
    this.retiredInto = this.carrier;
    this.retiredAt = this.carrierAt;
    this.retiredValue = this.carriedMax;
  }

  /** A child task whose clock starts from a copy of this one's. Work left out by sampling stays in its one shared task. */
  fork(fn: string, trace?: string | null): Task {
    if (!this.sampled) return this;
    this.own++;
    const child = new Task(trace === undefined ? this.trace : trace, this, this.clock(), fn);
    child.locks = this.locks; // a task started inside a critical section runs inside it
    child.inRequest = this.inRequest;
    return child;
  }

  /**
   * A callback task registered during segment `seg` of this task: its clock starts from this task's
   * clock at the end of that segment (everything the registering job did, nothing this task did in
   * later segments). A segment that has not ended yet (the callback runs while it is still on the
   * stack) gives this task's clock now, as `fork` does.
   */
  forkFromSegment(seg: Segment | null, fn: string): Task {
    if (seg === null || seg.base === null || seg.task !== this || !this.sampled) return this.fork(fn);
    newEpoch();
    const child = new Task(this.trace, this, seg.base.with(this, seg.own), fn);
    child.locks = seg.locks;
    child.inRequest = this.inRequest;
    return child;
  }

  /** Ends the running segment: callbacks it registered start from the clock as it is now. */
  endSegment(): void {
    const seg = this.seg;
    if (seg === null) return;
    newEpoch();
    this.seg = null;
    seg.base = this.base;
    seg.own = this.own;
    seg.locks = this.locks;
  }

  /** Learns everything `other` (a clock from a finished child or a lock release) knew. */
  joinClock(other: Clock): void {
    newEpoch();
    this.base = this.base.join(other, this, this.own);
  }

  /** After an event: finished tasks this clock carries whole are retired into this task (see clock.ts). */
  retireSeen(): void {
    this.base = this.base.retireInto(this, this.own);
    this.retireChecked = this.base;
  }

  /** A new segment begins (after an await or when a callback re-enters): tick and join finished children. */
  resumeSegment(): void {
    if (!this.sampled) return;
    newEpoch();
    this.own++;
    const done = this.done;
    if (done !== null) {
      this.done = null;
      for (const child of done) {
        const final = child.finalClock();
        if (final !== null) this.base = this.base.join(final, this, this.own);
      }
    }
  }

  finish(): void {
    if (this.finished) return;
    this.finished = true;
    if (!this.sampled) return;
    this.endSegment();
    // One more tick: the final value is carried only by clocks made after the end (clock.ts).
    this.own++;
    this.finalOwn = this.own;
    this.retireAtEnd();
    const p = this.parent;
    if (p !== null && !p.finished) {
      const list = p.done ?? (p.done = []);
      if (list.length >= MAX_PENDING_JOINS) list.shift();
      list.push(this);
    }
  }

  setLocks(locks: readonly string[]): void {
    newEpoch();
    this.locks = locks.length === 0 ? EMPTY_LOCKS : Object.freeze(locks.slice());
  }
}

/**
 * What AsyncLocalStorage carries: one segment of a task (from an entry or resumption to the next
 * suspension or exit). Whatever the program schedules during the segment — a timer, `setImmediate`,
 * `process.nextTick`, a promise reaction, an I/O callback — captures this object when it is
 * registered, so the callback knows which task registered it and, once the segment has ended, the
 * registering task's clock at that point (`Task.forkFromSegment`).
 */
export class Segment {
  /** The task's clock base and own counter when the segment ended; null while it runs. */
  base: Clock | null = null;
  own = 0;
  locks: readonly string[] = EMPTY_LOCKS;
  constructor(readonly task: Task) {}
}

/** Process-wide state, shared by every copy of the runtime loaded in the process. */
interface ContextState {
  root: Task;
  current: Task | null;
  als: AsyncLocalStorage<Segment>;
  /** Stands for every task left out by sampling that has no task object of its own. */
  quiet: Task;
  /** Requests are being left out by sampling: code no recorded request reaches is not recorded. */
  throttled: boolean;
  /** The AsyncLocalStorage may be enabled (it is switched off while only unrecorded work runs). */
  alsOn: boolean;
  /** Recorded requests in flight. */
  recordedInFlight: number;
  /** The process-wide client records nothing (disabled, or shut down): every invocation is unrecorded. */
  off?: boolean;
  /** The recorded task that resolved each promise (by async id), and its clock when it resolved it. */
  resolvedBy?: ResolverTable;
  /** The `promiseResolve` hook filling `resolvedBy`, on while AsyncLocalStorage is. */
  resolveHook?: AsyncHook;
}

function quietTask0(): Task {
  const t = new Task(null, null, Clock.EMPTY, '');
  t.sampled = false;
  return t;
}

const KEY = Symbol.for('raceway.context.v3');
const g = globalThis as unknown as Record<symbol, ContextState | undefined>;
const state: ContextState = g[KEY] ?? (g[KEY] = {
  root: new Task(null, null, Clock.EMPTY, 'main'),
  current: null,
  als: new AsyncLocalStorage<Segment>(),
  quiet: quietTask0(),
  throttled: false,
  alsOn: false,
  recordedInFlight: 0,
  off: false,
});

/** The process root task: module initialisation and code outside any request. */
export function rootTask(): Task {
  return state.root;
}

/**
 * The task running now: the synchronous ambient, else the async-propagated one, else the root.
 * While sampling leaves requests out, code that no request propagated to could belong to one of
 * them (their contexts are not propagated, to save the cost), so it is not recorded.
 */
export function currentTask(): Task {
  if (state.current !== null) return state.current;
  const stored = state.als.getStore()?.task;
  if (state.throttled) return stored !== undefined && stored.inRequest ? stored : state.quiet;
  return stored ?? state.root;
}

/** The task a server started now works for, ignoring sampling (the parent of a new request's task). */
export function serverTask(): Task {
  return state.current ?? state.als.getStore()?.task ?? state.root;
}

/** See `currentTask`: true while sampling leaves requests out. */
export function isThrottled(): boolean {
  return state.throttled;
}

/**
 * True when nothing recorded can be running here: no instrumented caller on the stack, sampling is
 * leaving requests out and AsyncLocalStorage is off (so no recorded request propagated to this
 * callback). The common case of a busy service; `enter` checks it first.
 */
export function quietCallback(): boolean {
  return state.current === null && (state.throttled || state.off === true) && !state.alsOn;
}

/**
 * The process-wide client can record nothing (Raceway disabled, or shut down) or can again: while it
 * cannot, instrumented functions take the unrecorded path, as requests left out by sampling do, so
 * an app compiled with the transformer but run with Raceway off pays the least its hooks can cost.
 */
export function setRecordingOff(off: boolean): void {
  state.off = off;
}

/** Whether the process-wide client can record (see `setRecordingOff`). */
export function recordingOn(): boolean {
  return state.off !== true;
}

/** The one task of all work left out by sampling (requests left out, and code none recorded reaches). */
export function quietTask(): Task {
  return state.quiet;
}

/**
 * Sampling started or stopped leaving requests out. While it does, AsyncLocalStorage (whose
 * promise hook costs every promise of the process) is switched off whenever no recorded request is
 * in flight.
 */
export function setThrottled(on: boolean): void {
  state.throttled = on;
  if (on) switchOffStorageIfIdle();
}

function switchOffStorageIfIdle(): void {
  if (state.alsOn && state.recordedInFlight === 0 && state.throttled) {
    state.als.disable();
    state.alsOn = false;
    trackPromiseIds(false);
    state.resolveHook?.disable();
  }
}

/**
 * AsyncLocalStorage is about to be used: it is on, promises get async ids (see `noteReaction`), and
 * the resolve hook runs with it.
 */
function storageOn(): void {
  if (state.alsOn) return;
  state.alsOn = true;
  trackPromiseIds(true);
  (state.resolveHook ??= createHook({ promiseResolve: noteResolve })).enable();
}

/** A recorded request starts / ends (keeps AsyncLocalStorage on while any is in flight). */
export function recordedRequestStarted(): void {
  state.recordedInFlight++;
}

export function recordedRequestEnded(): void {
  if (state.recordedInFlight > 0) state.recordedInFlight--;
  switchOffStorageIfIdle();
}

/** The synchronous ambient task, or null when no instrumented code is on the stack. */
export function ambientTask(): Task | null {
  return state.current;
}

/** The async-propagated task (AsyncLocalStorage), if any. */
export function storedTask(): Task | undefined {
  return state.als.getStore()?.task;
}

/** The async-propagated segment (AsyncLocalStorage): saved by `enterTask`'s callers and put back with `leaveTo`. */
export function storedSegment(): Segment | undefined {
  return state.als.getStore();
}

/**
 * Makes `task` the ambient task of the current synchronous run only, leaving AsyncLocalStorage as it
 * is (see `mod`).
 */
export function setAmbient(task: Task | null): void {
  state.current = task;
}

/** Makes `task` current for synchronous code and for anything it schedules. */
export function enterTask(task: Task): void {
  state.current = task;
  // A task's running segment stays the store; anything else (another task's, or this task's ended
  // segment) is replaced by a new segment of this task.
  if (state.als.getStore() !== task.seg || task.seg === null) {
    storageOn();
    state.als.enterWith(task.seg = new Segment(task));
  }
}

/**
 * Puts back the ambient task and async-propagated store saved before an `enterTask` (at exit or
 * suspension), so the caller's continuation and what it schedules see its own task again.
 */
export function leaveTo(current: Task | null, store: Segment | undefined): void {
  state.current = current;
  if (state.als.getStore() !== store) {
    storageOn();
    state.als.enterWith(store as Segment);
  }
}

/**
 * Leaves a callback task that code outside instrumentation called (the event loop, a test
 * runner, an emitter of an uninstrumented library): that caller goes on after the callback
 * returned (or first awaited), so what it schedules from now on — the next hook, the next
 * listener, the next step of its loop — happens after what the callback did. The propagated store
 * becomes a copy of the caller's ended segment that has joined the callback's clock. A store that
 * is still running (a request's) or the callback's own is put back as it is.
 */
export function returnToCaller(task: Task, store: Segment | undefined): void {
  // No propagated store: the caller runs as the process root (a timer module code set, an emitter
  // fired from one), whose callbacks fork from its clock as it is when they start.
  const caller = store !== undefined ? store.task : state.root;
  const base = store !== undefined ? store.base : caller.base;
  if (base === null || caller === task || !task.sampled || !caller.sampled) {
    leaveTo(null, store);
    return;
  }
  state.current = null;
  const cont = new Segment(caller);
  cont.own = store !== undefined ? store.own : caller.own;
  cont.base = base.join(task.clock(), caller, cont.own);
  cont.locks = store !== undefined ? store.locks : caller.locks;
  storageOn();
  state.als.enterWith(cont);
}

/** Runs `fn` with `task` as the async-propagated task (for middleware). */
export function runInTask<T>(task: Task, fn: () => T): T {
  storageOn();
  return state.als.run(task.seg = new Segment(task), fn);
}

/**
 * Promise reactions run by callback tasks, by the async id of the promise each one settles (the
 * `.then` promise whose reaction it runs). A reaction to that promise (`p.then(a).then(b)`: `b`
 * reacts to `a`'s promise) happens after the callback that settled it returned: resolve → reaction.
 * Bounded: the oldest entries are forgotten first.
 */
const settledBy = new Map<number, Task>();
const MAX_SETTLERS = 4096;

/**
 * A callback task starts: when it is a promise reaction to a promise that an earlier callback task
 * settled, it learns that task's final clock; and it is noted as the settler of its own promise.
 * The async ids are known only while AsyncLocalStorage tracks promises (always, once a task has
 * been entered); without them, nothing is learned.
 */
export function noteReaction(task: Task): void {
  const settler = settledBy.get(triggerAsyncId());
  const settled = settler?.finalClock();
  if (settled) task.joinClock(settled);
  joinResolver(task);
  noteTick(task);
  const id = executionAsyncId();
  if (id <= 0) return;
  if (settledBy.size >= MAX_SETTLERS) settledBy.delete(settledBy.keys().next().value as number);
  settledBy.set(id, task);
}

/**
 * The task that resolved each recent promise and its clock then, by the promise's async id. Kept as
 * its parts and made into a `Clock` only if something joins it (most resolutions are only ever
 * reacted to by the task that resolved them). Direct-mapped by id (ids grow by one per async
 * resource): a resolution is forgotten once a promise made `SLOTS` async resources later resolves
 * into its slot. No allocation per resolution.
 */
class ResolverTable {
  static readonly SLOTS = 8192;
  private readonly ids = new Float64Array(ResolverTable.SLOTS).fill(-1);
  private readonly tasks: (Task | null)[] = new Array<Task | null>(ResolverTable.SLOTS).fill(null);
  private readonly bases: (Clock | null)[] = new Array<Clock | null>(ResolverTable.SLOTS).fill(null);
  private readonly owns = new Float64Array(ResolverTable.SLOTS);

  set(id: number, task: Task): void {
    const i = id & (ResolverTable.SLOTS - 1);
    this.ids[i] = id;
    this.tasks[i] = task;
    this.bases[i] = task.base;
    this.owns[i] = task.own;
  }

  /** `task` learns the clock of whoever resolved promise `id`, unless that was `task` itself (the usual `await f()`). */
  joinInto(id: number, task: Task): void {
    const i = id & (ResolverTable.SLOTS - 1);
    if (this.ids[i] !== id) return;
    const by = this.tasks[i]!;
    if (by !== task) task.joinClock(this.bases[i]!.with(by, this.owns[i]!));
  }
}

/**
 * `promiseResolve` hook: a promise resolved or rejected while a recorded task runs instrumented
 * code (`resolve(value)` in a timer or I/O callback, an executor's `reject(err)`) keeps that task's
 * clock then. Promises the engine settles after the code that settles them has returned (a `.then`
 * callback's promise, an async function's result) find no ambient task and are left to
 * `settledBy` and the joins of finished children. Never throws (an async hook that throws ends the
 * process).
 */
function noteResolve(id: number): void {
  try {
    const t = state.current;
    if (t === null || !t.sampled) return;
    (state.resolvedBy ??= new ResolverTable()).set(id, t);
  } catch { /* never into the app */ }
}

/**
 * resolve → reaction: a promise reaction, or an async function resuming after `await p`, runs after
 * whatever resolved `p` did up to the resolution (`p` is the reaction's trigger on every Node
 * version once a promise hook is on).
 */
export function joinResolver(task: Task): void {
  state.resolvedBy?.joinInto(triggerAsyncId(), task);
}

/**
 * The latest callback task of each `setInterval` timer (its Timeout object, the resource a tick runs
 * in on every Node version). Node schedules the next tick only once the previous one returned, so
 * a tick happens after everything the previous tick did: tick → next tick is a real edge (a poll
 * that reads state each tick sees its own earlier reads), not an assumption from time.
 */
const lastTick = new WeakMap<object, Task>();

function noteTick(task: Task): void {
  const res = executionAsyncResource() as object | undefined;
  if (typeof res !== 'object' || res === null) return;
  // Node's own Timeout object: `_repeat` is a data property, the interval of a repeating timer.
  if (typeof peekData(res, '_repeat').value !== 'number') return;
  const prev = lastTick.get(res);
  const ticked = prev !== undefined && prev !== task ? prev.finalClock() : null;
  if (ticked) task.joinClock(ticked);
  lastTick.set(res, task);
}

/** A task that starts a new trace (a recorded request), forked from `parent`. */
export function newTraceTask(parent: Task, fn: string, traceId: string | null): Task {
  const t = parent.fork(fn, traceId);
  t.inRequest = true;
  return t;
}

let seqCounter = 0;
let lastTs = 0;

/**
 * Records an event of kind `k` in `task` with the kind's arguments (`EventArgs` in record.ts, which
 * names each): ticks its clock; the sink snapshots span, clock base and lock set. Returns its
 * sequence number.
 */
export const emit = emitEvent as <k extends K>(sink: Sink, task: Task, k: k, ...args: EventArgs[k]) => number;

/** Like `emit`, for an event that opens a span (FunctionCall, HttpRequest): returns the span for `task.span`. */
export const emitSpan = emitSpanEvent as <k extends K.FunctionCall | K.HttpRequest>(sink: Sink, task: Task, k: k, ...args: EventArgs[k]) => Span;

/** `emit` of an HttpResponse, its duration also as the event's `duration_ns` (the wire rounds both). */
export function emitResponse(sink: Sink, task: Task, ...[status, headers, body, durationMs]: EventArgs[K.HttpResponse]): number {
  return emitEvent(sink, task, K.HttpResponse, status, headers, body, durationMs, null, durationMs * 1e6);
}

// One implementation for every kind: positional, so an event costs no object on the app thread.
function emitEvent(sink: Sink, task: Task, k: K, a: unknown = null, b: unknown = null, c: unknown = null, d: unknown = null, e: unknown = null, dur: number | null = null): number {
  if (!task.sampled) return 0;
  // Within an epoch a task records only the hooks' state accesses (`emitAccess`) and calls of
  // synchronous functions; anything else starts a new one, a state access recorded by hand too.
  noteTask(task);
  if (k !== K.FunctionCall) newEpoch();
  if (k === K.StateChange) noteRecorded(false, 0);
  task.own++;
  const seq = ++seqCounter;
  const ts = (lastTs = nowMicros());
  sink.write(k, seq, ts, task, a, b, c, d, e, dur);
  if (task.base !== task.retireChecked) task.retireSeen();
  return seq;
}

/**
 * A state access recorded by the hooks of instrumented code (`emit` of a StateChange, which keeps
 * the epoch: epoch.ts); `plain`: no failure rule asks about its values (`isAsked`).
 */
export function emitAccess(sink: Sink, task: Task, variable: string, oldValue: unknown, newValue: unknown, location: string, access: 'Read' | 'Write', plain: boolean): void {
  if (!task.sampled) return;
  noteTask(task);
  task.own++;
  const seq = ++seqCounter;
  const ts = (lastTs = nowMicros());
  sink.write(K.StateChange, seq, ts, task, variable, oldValue, newValue, location, access, null);
  if (task.base !== task.retireChecked) task.retireSeen();
  noteRecorded(plain, ts);
}

function emitSpanEvent(sink: Sink, task: Task, k: K, a: unknown = null, b: unknown = null, c: unknown = null, d: unknown = null, e: unknown = null): Span {
  const parent = task.span;
  const seq = emitEvent(sink, task, k, a, b, c, d, e);
  return { seq, ts: lastTs, parent };
}

// Span stack (the Raceway client API's "Context" operations) on the current task.

export function exitSpan(task: Task, prev: Span | null): void {
  task.span = prev;
}
