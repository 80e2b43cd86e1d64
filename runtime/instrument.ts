/**
 * The hooks instrumented code calls (`raceway/runtime`). The contract is fixtures/SPEC.md: both front
 * ends emit calls to exactly these functions. Every hook returns the value the original expression
 * would have produced, performs program-visible work (property reads and writes) exactly once, and
 * lets only the program's own exceptions escape — its own failures are swallowed.
 */
import { getClient, type RacewayClient } from './client';
import { ambientTask, currentTask, enterTask, isThrottled, leaveTo, quietTask, rootTask, storedTask, type Task } from './context';
import { emit, emitSpan } from './context';
import { types } from 'node:util';
import { bindingName, isObjectLike, nameChild, nameOf, propertyName } from './names';
import { K, type Span } from './record';
import { snapshot } from './serialize';

/** Returned by `mod`: the file a module was compiled from. */
export class ModuleHandle {
  readonly names = new Map<string, string>();
  constructor(readonly file: string, readonly module: string) {}
}

/** Function kinds in `fsite`. */
export const enum FnKind { Sync = 0, Async = 1, Generator = 2, AsyncGenerator = 3 }

/** Compile-time facts about one function, created once per module load by `fsite`. */
export class FnSite {
  readonly file: string;
  readonly module: string;
  constructor(m: ModuleHandle | undefined, readonly name: string, readonly line: number, readonly params: readonly string[], readonly kind: FnKind) {
    this.file = m?.file ?? '';
    this.module = m?.module ?? '';
  }
}

/** One invocation of an instrumented function. */
export class Frame {
  /** The task this invocation runs in now. */
  task: Task;
  /** Whether the invocation created its task (async functions, callbacks entered from the event loop). */
  readonly owns: boolean;
  /** FunctionCall event of this invocation (the span of events inside it). */
  rec: Span | null = null;
  savedSpan: Span | null;
  savedFn: string;
  /** Ambient task and async store to put back when this invocation suspends or returns. */
  prevCur: Task | null;
  prevStore: Task | undefined;
  /** Names of bindings owned by this invocation (captured locals). */
  names: Map<string, string> | null = null;
  constructor(readonly site: FnSite | undefined, task: Task, owns: boolean, prevCur: Task | null, prevStore: Task | undefined) {
    this.task = task;
    this.owns = owns;
    this.prevCur = prevCur;
    this.prevStore = prevStore;
    this.savedSpan = task.span;
    this.savedFn = task.fn;
  }
}

/** A block instance whose captured bindings are distinct per iteration (`blk`). */
export class BlockHandle {
  names: Map<string, string> | null = null;
  constructor(readonly frame: Frame | undefined) {}
}

type Owner = ModuleHandle | Frame | BlockHandle | undefined;

const EMPTY_SITE = new FnSite(undefined, '<anonymous>', 0, [], FnKind.Sync);

/** The client if capture is on. One property lookup: the hot path stays cheap when disabled. */
function on(): RacewayClient | null {
  const c = getClient();
  return c.enabled ? c : null;
}

function taskOf(f: Frame | undefined): Task {
  return f !== undefined ? f.task : currentTask();
}

// ---- module and function sites ------------------------------------------------------------------

/**
 * Module prologue. Module top-level code runs synchronously in the process root task (the calls it
 * makes are not callbacks): the root becomes the ambient task until the current synchronous run
 * ends, unless an instrumented caller is already running (a `require` inside a function).
 */
export function mod(file: string, moduleName: string): ModuleHandle {
  try {
    if (ambientTask() === null && on() !== null) {
      const root = rootTask();
      enterTask(root);
      process.nextTick(() => { if (ambientTask() === root) leaveTo(null, root); });
    }
  } catch { /* never into the app */ }
  return new ModuleHandle(file, moduleName);
}

export function fsite(m: ModuleHandle | undefined, name: string, line: number, params: readonly string[], kind: FnKind): FnSite {
  return new FnSite(m, name, line, params, kind);
}

// ---- frames -------------------------------------------------------------------------------------

/**
 * The task a callback entered from the event loop continues from. The async-propagated task (the
 * request, under the middleware) is the more precise one when it descends from the lexically
 * enclosing invocation's task — a handler defined inside `createApp()` runs for a request that
 * `createApp`'s task (transitively) started. When it does not (a pooled driver calling back with
 * another caller's context), the lexical task is the one the callback really belongs to.
 */
function callbackParent(lex: Frame | undefined, stored: Task | undefined): Task {
  // While sampling leaves requests out, their contexts are not propagated: a callback that no
  // recorded request reaches, lexically or by propagation, may belong to one of them.
  if (isThrottled() && (stored === undefined || !stored.inRequest)) return lex !== undefined && lex.task.inRequest ? lex.task : quietTask();
  if (lex === undefined) return stored ?? rootTask();
  for (let t: Task | null | undefined = stored; t; t = t.parent) if (t === lex.task) return stored!;
  return lex.task;
}

/**
 * Function entry. Sync functions and generators run in their caller's task; async functions and
 * async generators get a new task (AsyncSpawn in the caller, then FunctionCall in the child). A
 * function entered with no instrumented caller on the stack (timer, I/O or promise callback, a
 * framework calling later) starts a task forked from `callbackParent`.
 */
export function enter(site: FnSite | undefined, lex: Frame | undefined, ...args: unknown[]): Frame | undefined {
  const c = on();
  if (c === null) return undefined;
  try {
    const s = site ?? EMPTY_SITE;
    const cur = ambientTask();
    // A request left out by sampling: no frames, no tasks; its hooks see an unsampled task and return.
    if (cur !== null && !cur.sampled) return undefined;
    const isAsync = s.kind === FnKind.Async || s.kind === FnKind.AsyncGenerator;
    let task: Task;
    let owns = false;
    if (cur === null) {
      const parent = callbackParent(lex, storedTask());
      if (!parent.sampled) return undefined;
      task = parent.fork(s.name);
      owns = true;
    } else if (isAsync) {
      task = cur.fork(s.name);
      emit(c, cur, K.AsyncSpawn, task.id, cur.fn, null, null, null);
      owns = true;
    } else {
      task = cur;
    }
    const f = new Frame(s, task, owns, cur, owns ? storedTask() : undefined);
    if (owns) enterTask(task);
    const argv: Record<string, unknown> = {};
    const params = s.params;
    for (let i = 0; i < params.length; i++) argv[params[i]!] = snapshot(args[i]);
    f.rec = emitSpan(c, task, K.FunctionCall, s.name, s.module, argv, s.file, s.line);
    task.span = f.rec;
    task.fn = s.name;
    return f;
  } catch {
    return undefined;
  }
}

/** Function exit (in `finally`): closes the span; a task the invocation owned is finished. */
export function exit(f: Frame | undefined): void {
  if (f === undefined) return;
  try {
    const task = f.task;
    task.span = f.savedSpan;
    task.fn = f.savedFn;
    if (f.owns) {
      task.finish();
      leaveTo(f.prevCur, f.prevStore);
    }
  } catch { /* never into the app */ }
}

// ---- suspension points --------------------------------------------------------------------------

function pause(f: Frame): void {
  if (f.owns) {
    leaveTo(f.prevCur, f.prevStore);
    f.prevCur = null; // whatever resumes us later comes from the event loop
  }
}

function unpause(f: Frame): void {
  f.prevCur = ambientTask();
  f.prevStore = storedTask();
  if (f.owns) enterTask(f.task);
  f.task.resumeSegment();
}

/** Before `await`: AsyncAwait, and the caller's task becomes current again. Returns `value` itself. */
export function suspend<T>(f: Frame | undefined, value: T, loc: string): T {
  const c = on();
  if (c === null) return value;
  try {
    emit(c, taskOf(f), K.AsyncAwait, null, loc, null, null, null);
    if (f !== undefined) pause(f);
  } catch { /* never into the app */ }
  return value;
}

/** After `await` resumes: a new segment of the task (the clock ticks, finished children join). */
export function resume<T>(f: Frame | undefined, value: T): T {
  if (f === undefined) return value;
  try { unpause(f); } catch { /* never into the app */ }
  return value;
}

/** At the start of `catch`/`finally` blocks: a rejected await resumes there without `resume`. */
export function at(f: Frame | undefined): void {
  if (f === undefined) return;
  try {
    if (ambientTask() !== f.task) unpause(f);
  } catch { /* never into the app */ }
}

/** Before `yield`: the consumer's task becomes current again. */
export function yieldOut<T>(f: Frame | undefined, value: T): T {
  if (f === undefined) return value;
  try {
    const task = f.task;
    task.span = f.savedSpan;
    task.fn = f.savedFn;
    if (f.owns) pause(f);
  } catch { /* never into the app */ }
  return value;
}

/** After `yield` resumes: a sync generator runs in the task of whoever called `next()`. */
export function yieldIn<T>(f: Frame | undefined, sent: T): T {
  if (f === undefined) return sent;
  try {
    if (f.owns) {
      const consumer = ambientTask();
      unpause(f);
      if (consumer !== null && consumer !== f.task) f.task.joinClock(consumer.clock());
    } else {
      const cur = ambientTask();
      if (cur !== null) f.task = cur;
    }
    const task = f.task;
    f.savedSpan = task.span;
    f.savedFn = task.fn;
    task.span = f.rec;
    task.fn = f.site?.name ?? task.fn;
  } catch { /* never into the app */ }
  return sent;
}

const ASYNC_ITERATOR = Symbol.asyncIterator;

/**
 * `for await (x of forAwait(f, it, loc))`: the loop awaits `next()` and `return()` without passing
 * through `suspend`, so the iterator is fronted by one that suspends before each of them and returns
 * the very promise the real iterator returned (no extra ticks); `at(f)` at the top of the body and
 * after the loop marks the resumptions. Sync iterables are passed
 * through untouched, as are values that are not objects (the loop reports their errors itself).
 */
export function forAwait<T>(f: Frame | undefined, iterable: T, loc: string): T {
  if (f === undefined || on() === null || !isObjectLike(iterable)) return iterable;
  const src = iterable as unknown as Record<symbol, unknown>;
  return {
    [ASYNC_ITERATOR]() {
      const method = src[ASYNC_ITERATOR];
      if (method === undefined || method === null) {
        // The loop itself falls back to the sync iterator; keep that path exactly as it was.
        return fallbackIterator(src);
      }
      const it = (method as (this: unknown) => Record<string, unknown>).call(src);
      if (!isObjectLike(it)) return it;
      const next = it.next as (v?: unknown) => unknown;
      const front: Record<string, unknown> = {
        next(v?: unknown) {
          suspend(f, undefined, loc);
          return next.call(it, v);
        },
      };
      Object.defineProperty(front, 'return', {
        get() {
          const r = it.return as ((v?: unknown) => unknown) | undefined | null;
          if (r === undefined || r === null) return r;
          return (v?: unknown) => { suspend(f, undefined, loc); return r.call(it, v); };
        },
      });
      return front;
    },
  } as unknown as T;
}

/** An async iterator over a sync iterable, as the language builds one (CreateAsyncFromSyncIterator). */
function fallbackIterator(src: Record<symbol, unknown>): unknown {
  const method = src[Symbol.iterator];
  const it = (method as (this: unknown) => Record<string, unknown>).call(src);
  const next = it.next as (v?: unknown) => { done: unknown; value: unknown };
  const step = (r: { done: unknown; value: unknown }) => {
    const done = Boolean(r.done);
    return Promise.resolve(r.value).then((value) => ({ value, done }));
  };
  const front: Record<string, unknown> = {
    next(v?: unknown) {
      try { return step(next.call(it, v)); } catch (e) { return Promise.reject(e); }
    },
  };
  Object.defineProperty(front, 'return', {
    get() {
      const r = it.return as ((v?: unknown) => { done: unknown; value: unknown }) | undefined | null;
      if (r === undefined || r === null) return r;
      return (v?: unknown) => { try { return step(r.call(it, v)); } catch (e) { return Promise.reject(e); } };
    },
  });
  return front;
}

// ---- property accesses --------------------------------------------------------------------------

/** Converts an object key once (the program would convert it once too). */
function toKey(key: unknown): PropertyKey {
  if (typeof key === 'string' || typeof key === 'number' || typeof key === 'symbol') return key;
  // ToPropertyKey of an object calls its toPrimitive once; a computed key does exactly that.
  const probe = { [key as PropertyKey]: 0 };
  return Object.getOwnPropertySymbols(probe)[0] ?? Object.keys(probe)[0]!;
}

function record(c: RacewayClient, f: Frame | undefined, obj: unknown, key: PropertyKey, hint: string, oldV: unknown, newV: unknown, loc: string, access: 'Read' | 'Write'): void {
  if (!isObjectLike(obj)) return; // properties of primitives are immutable: nothing to race on
  const task = taskOf(f);
  if (!task.sampled) return;
  emit(c, task, K.StateChange, propertyName(obj, hint, key), snapshot(oldV), snapshot(newV), loc, access);
  if (isObjectLike(newV)) nameChild(obj, nameOf(obj, hint), key, newV);
}

const UNKNOWN = Symbol('unknown');

/** The value a write replaces, read without running getters or Proxy traps (UNKNOWN if impossible). */
function peek(obj: unknown, key: PropertyKey): unknown {
  let o: unknown = obj;
  while (isObjectLike(o)) {
    if (types.isProxy(o)) return UNKNOWN;
    const d = Object.getOwnPropertyDescriptor(o, key);
    if (d !== undefined) return 'value' in d ? d.value : UNKNOWN;
    o = Object.getPrototypeOf(o);
  }
  return undefined;
}

function oldOf(obj: unknown, key: PropertyKey): unknown {
  const v = peek(obj, key);
  return v === UNKNOWN ? null : v;
}

/** `a.b` / `a[k]` whose value is used: performs the read, records it, returns the value. */
export function rp(f: Frame | undefined, obj: unknown, key: unknown, loc: string, hint: string): unknown {
  const k = toKey(key);
  const v = (obj as Record<PropertyKey, unknown>)[k];
  const c = on();
  if (c !== null) try { record(c, f, obj, k, hint, v, v, loc, 'Read'); } catch { /* never into the app */ }
  return v;
}

/** `a.b` used only as the base of another access: no event, but the object read gets its name. */
export function rb(f: Frame | undefined, obj: unknown, key: unknown, hint: string): unknown {
  const k = toKey(key);
  const v = (obj as Record<PropertyKey, unknown>)[k];
  if (isObjectLike(v) && isObjectLike(obj) && on() !== null && taskOf(f).sampled) {
    try { nameChild(obj, nameOf(obj, hint), k, v); } catch { /* never into the app */ }
  }
  return v;
}

/** A read the program performed itself (private names, `super.x`): records `value`, returns it. */
export function read<T>(f: Frame | undefined, obj: unknown, key: PropertyKey, value: T, loc: string, hint: string): T {
  const c = on();
  if (c !== null) try { record(c, f, obj, key, hint, value, value, loc, 'Read'); } catch { /* never into the app */ }
  return value;
}

/** A write the program performed itself: records old → value, returns value. */
export function write<T>(f: Frame | undefined, obj: unknown, key: PropertyKey, old: unknown, value: T, loc: string, hint: string): T {
  const c = on();
  if (c !== null) try { record(c, f, obj, key, hint, old, value, loc, 'Write'); } catch { /* never into the app */ }
  return value;
}

// The assignment and delete themselves run in code of the program's own strictness: a failed write
// or delete throws in strict code and is silently ignored in sloppy code, exactly as in the original.
const strictSet = (o: unknown, k: PropertyKey, v: unknown): void => { (o as Record<PropertyKey, unknown>)[k] = v; };
const strictDelete = (o: unknown, k: PropertyKey): boolean => delete (o as Record<PropertyKey, unknown>)[k];
const sloppySet = new Function('o', 'k', 'v', 'o[k] = v;') as typeof strictSet;
const sloppyDelete = new Function('o', 'k', 'return delete o[k];') as typeof strictDelete;

function writeWith<T>(set: typeof strictSet, f: Frame | undefined, obj: unknown, key: unknown, value: T, loc: string, hint: string): T {
  const k = toKey(key);
  const c = on();
  let old: unknown = null;
  if (c !== null) try { old = oldOf(obj, k); } catch { /* never into the app */ }
  set(obj, k, value);
  if (c !== null) try { record(c, f, obj, k, hint, old, value, loc, 'Write'); } catch { /* never into the app */ }
  return value;
}

function deleteWith(del: typeof strictDelete, f: Frame | undefined, obj: unknown, key: unknown, loc: string, hint: string): boolean {
  const k = toKey(key);
  const c = on();
  let old: unknown = null;
  if (c !== null) try { old = oldOf(obj, k); } catch { /* never into the app */ }
  const r = del(obj, k);
  if (c !== null) try { record(c, f, obj, k, hint, old, null, loc, 'Write'); } catch { /* never into the app */ }
  return r;
}

/** Destructuring / for-of target `a.b`: an object whose `v` setter performs and records the write. */
function targetWith(set: typeof strictSet, f: Frame | undefined, obj: unknown, key: unknown, loc: string, hint: string): { v: unknown } {
  const k = toKey(key);
  return { set v(value: unknown) { writeWith(set, f, obj, k, value, loc, hint); } };
}

/** `a.b = v` in strict code: performs the assignment (setters run once), records old → v, returns v. */
export function wp<T>(f: Frame | undefined, obj: unknown, key: unknown, value: T, loc: string, hint: string): T {
  return writeWith(strictSet, f, obj, key, value, loc, hint);
}
export function wpSloppy<T>(f: Frame | undefined, obj: unknown, key: unknown, value: T, loc: string, hint: string): T {
  return writeWith(sloppySet, f, obj, key, value, loc, hint);
}

/** `delete a.b`: a Write whose new value is null. */
export function dp(f: Frame | undefined, obj: unknown, key: unknown, loc: string, hint: string): boolean {
  return deleteWith(strictDelete, f, obj, key, loc, hint);
}
export function dpSloppy(f: Frame | undefined, obj: unknown, key: unknown, loc: string, hint: string): boolean {
  return deleteWith(sloppyDelete, f, obj, key, loc, hint);
}

/** `[a.b] = …`, `({x: a.b} = …)`, `for (a.b of …)`: `tp(…).v` is the assignment target. */
export function tp(f: Frame | undefined, obj: unknown, key: unknown, loc: string, hint: string): { v: unknown } {
  return targetWith(strictSet, f, obj, key, loc, hint);
}
export function tpSloppy(f: Frame | undefined, obj: unknown, key: unknown, loc: string, hint: string): { v: unknown } {
  return targetWith(sloppySet, f, obj, key, loc, hint);
}

/** Class field `x = init`: the definition is the language's; this records it (old value null). */
export function fi<T>(obj: unknown, key: PropertyKey, value: T, loc: string, hint: string): T {
  const c = on();
  if (c !== null) try { record(c, undefined, obj, key, hint, null, value, loc, 'Write'); } catch { /* never into the app */ }
  return value;
}

// ---- bindings -----------------------------------------------------------------------------------

function ownerName(owner: Owner, name: string): string {
  if (owner instanceof ModuleHandle) return bindingName(owner.names, '', name);
  if (owner instanceof Frame) return bindingName(owner.names ?? (owner.names = new Map()), owner.site?.name ?? '<anonymous>', name);
  if (owner instanceof BlockHandle) {
    const prefix = owner.frame?.site?.name ?? '<block>';
    return bindingName(owner.names ?? (owner.names = new Map()), prefix, name);
  }
  return name;
}

function recordBinding(f: Frame | undefined, owner: Owner, name: string, old: unknown, value: unknown, loc: string, access: 'Read' | 'Write'): void {
  const c = on();
  if (c === null) return;
  try {
    const task = taskOf(f);
    if (!task.sampled) return;
    const v = ownerName(owner, name);
    emit(c, task, K.StateChange, v, snapshot(old), snapshot(value), loc, access);
    if (isObjectLike(value)) nameOf(value, v);
  } catch { /* never into the app */ }
}

/** A read of a shared binding: records it, returns the value. */
export function rv<T>(f: Frame | undefined, owner: Owner, name: string, value: T, loc: string): T {
  recordBinding(f, owner, name, value, value, loc, 'Read');
  return value;
}

/** A write of a shared binding (the assignment itself stays in the program): records old → value. */
export function wv<T>(f: Frame | undefined, owner: Owner, name: string, old: unknown, value: T, loc: string): T {
  recordBinding(f, owner, name, old, value, loc, 'Write');
  return value;
}

/** A block whose captured bindings are fresh each time it runs (loop bodies). */
export function blk(f: Frame | undefined): BlockHandle {
  return new BlockHandle(f);
}
