/**
 * The hooks instrumented code calls (`raceway/runtime`). The contract is fixtures/SPEC.md: both front
 * ends emit calls to exactly these functions. Every hook returns the value the original expression
 * would have produced, performs program-visible work (property reads and writes) exactly once, and
 * lets only the program's own exceptions escape — its own failures are swallowed.
 *
 * Why one module of this size: it is the `raceway/runtime` entry, one export per row of the hook
 * table (protocol/hooks.ts); what the hooks share lives in frames.ts, containers.ts,
 * site-access.ts and names.ts.
 */
import { getClient, type RacewayClient } from './client';
import { ambientTask, currentTask, enterTask, isThrottled, joinResolver, leaveTo, noteReaction, returnToCaller, quietCallback, quietTask, rootTask, setAmbient, storedSegment, storedTask, type Task } from './context';
import { emit, emitAccess, emitSpan } from './context';
import { isAsked, noteWrite, repeatRead } from './epoch';
import { types } from 'node:util';
import { ANONYMOUS } from '../protocol/names';
import { bindingName, isContentKey, isObjectLike, nameChild, nameOf, propertyName } from './names';
import { K } from './record';
import { captureArgs, captureValue, snapshot } from './serialize';
import { peekData, tag } from './peek';
import { sloppyDelete, sloppySet, strictDelete, strictSet, type Deleter, type Setter } from './site-access';

import { BlockHandle, FnKind, FnSite, Frame, handleOf, ModuleHandle, moduleOf, Site, siteOf, type FrameArg, type ModuleToken } from './frames';

export { BlockHandle, FnKind, FnSite, Frame, ModuleHandle, moduleOf, Site, type FrameArg, type ModuleToken };

type Owner = ModuleToken | Frame | BlockHandle | undefined;

const EMPTY_SITE = new FnSite(undefined, ANONYMOUS, 0, [], FnKind.Sync);

/** The frame of an invocation entered without a module (hand-written calls): records nothing. */
let nowhere: Frame | null = null;
function nowhereFrame(): Frame {
  return nowhere ??= new Frame(EMPTY_SITE, quietTask(), false, null, undefined);
}

/** The client if capture is on. One property lookup: the hot path stays cheap when disabled. */
function on(): RacewayClient | null {
  const c = getClient();
  return c.enabled ? c : null;
}

/** The shared frame of unrecorded invocations: nothing to record, nothing to name. */
function quiet(f: FrameArg): boolean {
  return f instanceof Frame && !f.task.sampled;
}

function taskOf(f: FrameArg): Task {
  return f instanceof Frame ? f.task : currentTask();
}

// ---- module and function sites ------------------------------------------------------------------

/**
 * Module prologue. Module top-level code runs synchronously in the process root task (the calls it
 * makes are not callbacks): the root becomes the ambient task until the current synchronous run
 * ends, unless an instrumented caller is already running (a `require` inside a function) or the
 * module is first loaded in the continuation of another task (a lazy `require` in code that was not
 * instrumented, during a request): its initialisation then belongs to that task, as callbacks do.
 * AsyncLocalStorage is left alone: what the initialisation schedules falls back to the root anyway,
 * and switching it to the root would hand the rest of a request's continuation to the root.
 */
export function mod(token: ModuleToken): void {
  try {
    if (typeof token === 'function') handleOf(token);
    if (ambientTask() === null && on() !== null) {
      const root = rootTask();
      const stored = storedTask();
      if (stored !== undefined && stored !== root) return;
      setAmbient(root);
      process.nextTick(() => { if (ambientTask() === root) setAmbient(null); });
    }
  } catch { /* never into the app */ }
}

// ---- frames -------------------------------------------------------------------------------------

/**
 * The task a callback entered from the event loop continues from. The async-propagated task (the
 * request, under the middleware) is the more precise one when it descends from the lexically
 * enclosing invocation's task — a handler defined inside `createApp()` runs for a request that
 * `createApp`'s task (transitively) started. When it does not (a pooled driver calling back with
 * another caller's context), the lexical task is the one the callback really belongs to.
 */
function callbackParent(lex: FrameArg, stored: Task | undefined): Task {
  // While sampling leaves requests out, their contexts are not propagated: a callback that no
  // recorded request reaches, lexically or by propagation, may belong to one of them.
  if (isThrottled() && (stored === undefined || !stored.inRequest)) return lex instanceof Frame && lex.task.inRequest ? lex.task : quietTask();
  if (!(lex instanceof Frame)) return stored ?? rootTask();
  for (let t: Task | null | undefined = stored; t; t = t.parent) if (t === lex.task) return stored!;
  return lex.task;
}

/**
 * The task of a callback entered from the event loop: forked from `callbackParent`, with the clock
 * that task had when the segment that registered the callback ended (the async-propagated segment,
 * when the parent is its task), and after the callback whose promise it reacts to, if any.
 */
function callbackTask(lex: FrameArg, name: string): Task {
  const seg = storedSegment();
  const parent = callbackParent(lex, seg?.task);
  if (!parent.sampled) return parent;
  const task = parent.forkFromSegment(seg !== undefined && seg.task === parent ? seg : null, name);
  noteReaction(task);
  return task;
}

/**
 * Function entry. Sync functions and generators run in their caller's task; async functions and
 * async generators get a new task (AsyncSpawn in the caller, then FunctionCall in the child). A
 * function entered with no instrumented caller on the stack (timer, I/O or promise callback, a
 * framework calling later) starts a task forked from `callbackParent`.
 */
export function enter(lex: FrameArg, id: number, ...args: unknown[]): FrameArg {
  const f = en(lex, id);
  if (f.r) call(f, ...args);
  return f;
}

/**
 * Function entry as compiled code calls it (SPEC §3): `var f = en(lex, S), r = f.r && call(f,
 * …params)`. The frame without its FunctionCall event, which `call` adds with the parameters' values
 * only where the invocation is recorded: an unrecorded call passes no arguments and allocates nothing.
 * `f.r` tells whether the invocation's hooks can record (`Frame.r`; a module token's is always true,
 * its hooks decide for themselves), and guards every hook call of the body. Never returns
 * `undefined`: compiled code reads `f.r`.
 */
export function en(lex: FrameArg, id: number): Frame | ModuleToken {
  // The unrecorded cases, kept this small so that V8 inlines them into every function: with no
  // recorded caller, a function defined inside an unrecorded invocation (its frame's `r` is false),
  // or one defined at module level while Raceway is off or sampling leaves requests out.
  if (lex !== undefined && ambientTask() === null) {
    if (typeof lex === 'function') {
      if (quietCallback()) return (lex.rwh ?? handleOf(lex)).unrecorded(id);
    } else if (!lex.r) {
      const m = lex.mod;
      if (m !== undefined) return m.unrecorded(id);
    }
  }
  return enterOther(lex, id);
}

function enterOther(lex: FrameArg, id: number): Frame | ModuleToken {
  // Still unrecorded: called back while sampling leaves requests out (or while Raceway is off)
  // from code no recorded request reaches (see `callbackParent`).
  if (ambientTask() === null) {
    if (lex instanceof Frame) {
      const t = lex.task;
      if (lex.mod !== undefined && (!t.sampled || (!t.inRequest && quietCallback()))) return lex.mod.unrecorded(id);
    }
  }
  return enterRecorded(lex, id);
}

/** The FunctionCall event of a recorded invocation, with its parameters' values. Returns true (see `en`). */
export function call(f: FrameArg, ...args: unknown[]): true {
  if (f instanceof Frame && f.rec === null && f.task.sampled) {
    const c = on();
    if (c !== null) {
      try {
        const s = f.site;
        const task = f.task;
        f.rec = emitSpan(c, task, K.FunctionCall, s.name, s.module, captureArgs(s.params, args), s.file, s.line);
        task.span = f.rec;
        task.fn = s.name;
      } catch { /* never into the app */ }
    }
  }
  return true;
}

function enterRecorded(lex: FrameArg, id: number): Frame | ModuleToken {
  // `lex` is the frame argument of the code defining the function: the enclosing invocation's frame,
  // or the module token. Either leads to the module (the first call of a token sets the module's
  // hook aliases, which the function body uses).
  const mh = moduleOf(lex);
  // Without a frame the function's hooks get the module token: they still find their sites.
  const m = mh?.token ?? nowhereFrame();
  const c = on();
  if (c === null) return m;
  try {
    const s = mh !== undefined ? mh.fnSite(id) : EMPTY_SITE;
    const cur = ambientTask();
    // A request left out by sampling: no frames, no tasks; its hooks see an unsampled task and return.
    // Generators keep the module token: a generator may be resumed later by recorded code.
    const unrecorded = mh !== undefined && (s.kind === FnKind.Sync || s.kind === FnKind.Async) ? mh.quietFrame() : m;
    if (cur !== null && !cur.sampled) return unrecorded;
    const isAsync = s.kind === FnKind.Async || s.kind === FnKind.AsyncGenerator;
    if (!(lex instanceof Frame)) lex = undefined;
    let task: Task;
    let owns = false;
    if (cur === null) {
      task = callbackTask(lex, s.name);
      if (!task.sampled) return unrecorded;
      owns = true;
    } else if (isAsync) {
      task = cur.fork(s.name);
      emit(c, cur, K.AsyncSpawn, task.id, cur.fn);
      owns = true;
    } else {
      task = cur;
    }
    const f = new Frame(s, task, owns, cur, owns ? storedSegment() : undefined);
    if (owns) enterTask(task);
    return f;
  } catch {
    return m;
  }
}

/** Function exit (in `finally`): closes the span; a task the invocation owned is finished. */
export function exit(f: FrameArg): void {
  if (f instanceof Frame && f.task.sampled) exitRecorded(f);
}

function exitRecorded(f: Frame): void {
  try {
    const task = f.task;
    task.span = f.savedSpan;
    task.fn = f.savedFn;
    if (f.owns) {
      task.finish();
      leaveFrame(f);
    }
  } catch { /* never into the app */ }
}

// ---- suspension points --------------------------------------------------------------------------

function pause(f: Frame): void {
  if (f.owns) {
    f.task.endSegment();
    leaveFrame(f);
    f.prevCur = null; // whatever resumes us later comes from the event loop
  }
}

/** Gives the thread back to whoever ran the invocation: an instrumented caller, or code outside instrumentation (see `returnToCaller`). */
function leaveFrame(f: Frame): void {
  if (f.prevCur === null) returnToCaller(f.task, f.prevStore);
  else leaveTo(f.prevCur, f.prevStore);
}

function unpause(f: Frame): void {
  if (!f.task.sampled) return; // the shared frame of unrecorded invocations keeps no state
  f.prevCur = ambientTask();
  f.prevStore = storedSegment();
  if (f.owns) enterTask(f.task);
  f.task.resumeSegment();
  joinResolver(f.task);
}

/** Before `await`: AsyncAwait, and the caller's task becomes current again. Returns `value` itself. */
export function suspend<T>(f: FrameArg, value: T, site: number): T {
  if (quiet(f)) return value;
  const c = on();
  if (c === null) return value;
  try {
    emit(c, taskOf(f), K.AsyncAwait, null, siteOf(f, site).loc);
    if (f instanceof Frame) pause(f);
  } catch { /* never into the app */ }
  return value;
}

/** After `await` resumes: a new segment of the task (the clock ticks, finished children join). */
export function resume<T>(f: FrameArg, value: T): T {
  if (!(f instanceof Frame)) return value;
  try { unpause(f); } catch { /* never into the app */ }
  return value;
}

/** At the start of `catch`/`finally` blocks: a rejected await resumes there without `resume`. */
export function at(f: FrameArg): void {
  if (!(f instanceof Frame)) return;
  try {
    if (ambientTask() !== f.task) unpause(f);
  } catch { /* never into the app */ }
}

/** Before `yield`: the consumer's task becomes current again. */
export function yieldOut<T>(f: FrameArg, value: T): T {
  if (!(f instanceof Frame)) return value;
  try {
    const task = f.task;
    task.span = f.savedSpan;
    task.fn = f.savedFn;
    if (f.owns) pause(f);
  } catch { /* never into the app */ }
  return value;
}

/** After `yield` resumes: a sync generator runs in the task of whoever called `next()`. */
export function yieldIn<T>(f: FrameArg, sent: T): T {
  if (!(f instanceof Frame)) return sent;
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
    task.fn = f.site.name;
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
export function forAwait<T>(f: FrameArg, iterable: T, site: number): T {
  if (!(f instanceof Frame) || on() === null || !isObjectLike(iterable)) return iterable;
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
          suspend(f, undefined, site);
          return next.call(it, v);
        },
      };
      Object.defineProperty(front, 'return', {
        get() {
          const r = it.return as ((v?: unknown) => unknown) | undefined | null;
          if (r === undefined || r === null) return r;
          return (v?: unknown) => { suspend(f, undefined, site); return r.call(it, v); };
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

/**
 * Converts an object key once (the program would convert it once too). Not on a `null` or
 * `undefined` base: the access throws there before converting anything (no `toString` call), as the
 * hook's own access of the unconverted key does.
 */
function toKey(obj: unknown, key: unknown): PropertyKey {
  if (typeof key === 'string' || typeof key === 'number' || typeof key === 'symbol' || obj === null || obj === undefined) return key as PropertyKey;
  // ToPropertyKey of an object calls its toPrimitive once; a computed key does exactly that.
  const probe = { [key as PropertyKey]: 0 };
  return Object.getOwnPropertySymbols(probe)[0] ?? Object.keys(probe)[0]!;
}

function record(c: RacewayClient, f: FrameArg, obj: unknown, key: PropertyKey, site: number, oldV: unknown, newV: unknown, access: 'Read' | 'Write'): void {
  if (!isObjectLike(obj)) return; // properties of primitives are immutable: nothing to race on
  const task = taskOf(f);
  if (!task.sampled) return;
  const s = siteOf(f, site);
  const name = propertyName(obj, s.text, key);
  // A read that repeats the two before it in this epoch is left out before any snapshot (epoch.ts).
  if (access === 'Read') {
    if (repeatRead(task, name, s.loc, newV)) return;
  } else noteWrite(name);
  const snap = captureValue(newV); // a read's old and new value are one value: snapshotted once
  const old = oldV === newV ? snap : captureValue(oldV);
  const plainOld = !isAsked(old);
  // A store of an element or of `length` changes the container in one step, as a mutator call does
  // (SPEC §4.5): a Read of what it replaces, then the Write, so that two tasks filling different
  // slots (`results[i] = await f(i)`) commute instead of reading as unordered writes of one variable.
  if (access === 'Write' && isContentKey(obj, key)) emitAccess(c, task, name, old, old, s.loc, 'Read', plainOld);
  emitAccess(c, task, name, old, snap, s.loc, access, plainOld && (old === snap || !isAsked(snap)));
  if (isObjectLike(newV)) nameChild(obj, nameOf(obj, s.text), key, newV);
}

/**
 * The value a write replaces, read without running getters or Proxy traps (peek.ts): an accessor or
 * a Proxy gives `undefined`, which a snapshot records as `null`, as it does a missing property.
 */
function oldOf(obj: unknown, key: PropertyKey): unknown {
  return isObjectLike(obj) ? peekData(obj as object, key).value : undefined;
}

/**
 * `a.b` / `a[k]` whose value is used: performs the read, records it, returns the value. The short
 * form `rp(f, a, S)` (no key: a static key, in the site, SPEC §2) is told apart by its missing last
 * argument; so are the short forms of `rb`, `wp`, `dp`, `tp` and their sloppy variants.
 */
export function rp(f: FrameArg, obj: unknown, key: unknown, site?: number): unknown {
  if (site === undefined) return rpk(f, obj, key as number);
  const k = toKey(obj, key);
  const v = (obj as Record<PropertyKey, unknown>)[k];
  if (quiet(f)) return v;
  const c = on();
  if (c !== null) try { record(c, f, obj, k, site, v, v, 'Read'); } catch { c.countFailedCapture?.(); }
  return v;
}

/**
 * The static key of access site `id`, from the module the frame argument leads to (compiled code
 * always passes a frame or the module token; `undefined`, which has no table, reads key "undefined").
 */
function keyAt(f: FrameArg, id: number): string | number {
  if (f instanceof Frame) {
    const m = f.mod;
    if (m !== undefined) return m.key(id);
  } else if (typeof f === 'function') {
    return handleOf(f).key(id);
  }
  return 'undefined';
}

/** `rp(f, a, S)`: `a.b` / `a["b"]` / `a[0]` whose value is used, the key in the site (SPEC §2). */
function rpk(f: FrameArg, obj: unknown, site: number): unknown {
  let k: string | number;
  if (f instanceof Frame) {
    // One type check for both the key and the quiet path (`quiet(f)`).
    const m = f.mod;
    const g = m !== undefined ? m.getter(site) : null;
    const v = g !== null ? g(obj) : (obj as Record<PropertyKey, unknown>)[m !== undefined ? m.key(site) : 'undefined'];
    if (!f.task.sampled) return v;
    k = m !== undefined ? m.key(site) : 'undefined';
    const c = on();
    if (c !== null) try { record(c, f, obj, k, site, v, v, 'Read'); } catch { c.countFailedCapture?.(); }
    return v;
  }
  k = keyAt(f, site);
  // The module token (module level, parameter lists, class fields): the site's own getter too.
  const g = typeof f === 'function' ? handleOf(f).getter(site) : null;
  const v = g !== null ? g(obj) : (obj as Record<PropertyKey, unknown>)[k];
  const c = on();
  if (c !== null) try { record(c, f, obj, k, site, v, v, 'Read'); } catch { c.countFailedCapture?.(); }
  return v;
}

/**
 * `a.b` used only as the base of another access or a call (SPEC §4.2). No event while the value is
 * an object (the access of its member records what matters), but the object gets its name. A
 * `null` or `undefined` value is recorded as a Read: the program's next access on it throws (the
 * read that leads to a TypeError must be in the event stream, with its location), or it is the
 * base of an optional chain, whose short-circuit the value decides.
 */
export function rb(f: FrameArg, obj: unknown, key: unknown, site?: number): unknown {
  if (site === undefined) return rbk(f, obj, key as number);
  const k = toKey(obj, key);
  const v = (obj as Record<PropertyKey, unknown>)[k];
  if (!quiet(f)) baseRead(f, obj, k, v, site);
  return v;
}

/** `rb(f, a, S)`, the key in the site. */
function rbk(f: FrameArg, obj: unknown, site: number): unknown {
  const k = keyAt(f, site);
  const m = moduleOf(f);
  const g = m !== undefined ? m.getter(site) : null;
  const v = g !== null ? g(obj) : (obj as Record<PropertyKey, unknown>)[k];
  if (!quiet(f)) baseRead(f, obj, k, v, site);
  return v;
}

/** What `rb` records of the base value `v` read as `obj[k]`: its name, or a Read of null/undefined. */
function baseRead(f: FrameArg, obj: unknown, k: PropertyKey, v: unknown, site: number): void {
  if (!isObjectLike(obj)) return; // properties of primitives are immutable: nothing to race on
  if (v === null || v === undefined) {
    const c = on();
    if (c !== null) try { record(c, f, obj, k, site, v, v, 'Read'); } catch { c.countFailedCapture?.(); }
  } else if (isObjectLike(v) && on() !== null && taskOf(f).sampled) {
    try { nameChild(obj, nameOf(obj, siteOf(f, site).text), k, v); } catch { /* never into the app */ }
  }
}

/** A read the program performed itself (private names, `super.x`): records `value`, returns it. */
export function read<T>(f: FrameArg, obj: unknown, key: PropertyKey, value: T, site: number): T {
  const c = on();
  if (c !== null) try { record(c, f, obj, key, site, value, value, 'Read'); } catch { c.countFailedCapture?.(); }
  return value;
}

/** A write the program performed itself: records old → value, returns value. */
export function write<T>(f: FrameArg, obj: unknown, key: PropertyKey, old: unknown, value: T, site: number): T {
  const c = on();
  if (c !== null) try { record(c, f, obj, key, site, old, value, 'Write'); } catch { c.countFailedCapture?.(); }
  return value;
}

/**
 * `a.#p = v` reads the old value behind a brand check, `#p in a`, which throws on a primitive `a`
 * where the original would first evaluate `v` and then throw its own error: the check runs only on
 * objects. Pure, records nothing.
 */
export function isObj(v: unknown): boolean {
  return isObjectLike(v);
}

/** The store of a static-key write site: compiled for the site once it is hot, else the generic one. */
function setterAt(f: FrameArg, id: number, sloppy: boolean): Setter {
  const m = moduleOf(f);
  return (m !== undefined ? m.setter(id, sloppy) : null) ?? (sloppy ? sloppySet : strictSet);
}

function writeWith<T>(set: Setter, f: FrameArg, obj: unknown, key: unknown, value: T, site: number): T {
  const k = toKey(obj, key);
  // Work for the event only in a recorded context (requests left out by sampling pay one check).
  const c = !quiet(f) && on() !== null && taskOf(f).sampled ? getClient() : null;
  let old: unknown = null;
  if (c !== null) try { old = oldOf(obj, k); } catch { /* never into the app */ }
  set(obj, k, value);
  if (c !== null) try { record(c, f, obj, k, site, old, value, 'Write'); } catch { c.countFailedCapture?.(); }
  return value;
}

function deleteWith(del: Deleter, f: FrameArg, obj: unknown, key: unknown, site: number): boolean {
  const k = toKey(obj, key);
  const c = !quiet(f) && on() !== null && taskOf(f).sampled ? getClient() : null;
  let old: unknown = null;
  if (c !== null) try { old = oldOf(obj, k); } catch { /* never into the app */ }
  const r = del(obj, k);
  if (c !== null) try { record(c, f, obj, k, site, old, null, 'Write'); } catch { c.countFailedCapture?.(); }
  return r;
}

/** Destructuring / for-of target `a.b`: an object whose `v` setter performs and records the write. */
function targetWith(set: Setter, f: FrameArg, obj: unknown, key: unknown, site: number): { v: unknown } {
  // The key is converted when the value is stored (by `writeWith`), as the language does: after the
  // iterator step or the property read that produces the value.
  return { set v(value: unknown) { writeWith(set, f, obj, key, value, site); } };
}

/**
 * `a[k] = v` in strict code: performs the assignment (setters run once), records old → v, returns v.
 * Short form `wp(f, a, v, S)` for a static key (in the site).
 */
export function wp<T>(f: FrameArg, obj: unknown, key: unknown, value: T, site?: number): T {
  if (site === undefined) return writeWith(setterAt(f, value as number, false), f, obj, keyAt(f, value as number), key as T, value as number);
  return writeWith(strictSet, f, obj, key, value, site);
}
export function wpSloppy<T>(f: FrameArg, obj: unknown, key: unknown, value: T, site?: number): T {
  if (site === undefined) return writeWith(setterAt(f, value as number, true), f, obj, keyAt(f, value as number), key as T, value as number);
  return writeWith(sloppySet, f, obj, key, value, site);
}

/** `delete a[k]`: a Write whose new value is null. Short form `dp(f, a, S)` for a static key. */
export function dp(f: FrameArg, obj: unknown, key: unknown, site?: number): boolean {
  if (site === undefined) return deleteWith(strictDelete, f, obj, keyAt(f, key as number), key as number);
  return deleteWith(strictDelete, f, obj, key, site);
}
export function dpSloppy(f: FrameArg, obj: unknown, key: unknown, site?: number): boolean {
  if (site === undefined) return deleteWith(sloppyDelete, f, obj, keyAt(f, key as number), key as number);
  return deleteWith(sloppyDelete, f, obj, key, site);
}

/**
 * `[a[k]] = …`, `({x: a[k]} = …)`, `for (a[k] of …)`: `tp(…).v` is the assignment target. Short form
 * `tp(f, a, S)` for a static key.
 */
export function tp(f: FrameArg, obj: unknown, key: unknown, site?: number): { v: unknown } {
  if (site === undefined) return targetWith(strictSet, f, obj, keyAt(f, key as number), key as number);
  return targetWith(strictSet, f, obj, key, site);
}
export function tpSloppy(f: FrameArg, obj: unknown, key: unknown, site?: number): { v: unknown } {
  if (site === undefined) return targetWith(sloppySet, f, obj, keyAt(f, key as number), key as number);
  return targetWith(sloppySet, f, obj, key, site);
}

/** Class field `x = init`: the definition is the language's; this records it (old value null). */
export function fi<T>(m: FrameArg, obj: unknown, key: PropertyKey, value: T, site: number): T {
  const c = on();
  if (c !== null) try { record(c, m, obj, key, site, null, value, 'Write'); } catch { c.countFailedCapture?.(); }
  return value;
}

// ---- bindings -----------------------------------------------------------------------------------

function ownerName(owner: Owner, name: string): string {
  if (typeof owner === 'function') return bindingName(handleOf(owner).names, '', name);
  if (owner instanceof Frame) return bindingName(owner.names ?? (owner.names = new Map()), owner.site.name, name);
  if (owner instanceof BlockHandle) {
    const prefix = owner.frame?.site?.name ?? '<block>';
    return bindingName(owner.names ?? (owner.names = new Map()), prefix, name);
  }
  return name;
}

function recordBinding(f: FrameArg, owner: Owner, old: unknown, value: unknown, site: number, access: 'Read' | 'Write'): void {
  if (quiet(f)) return;
  const c = on();
  if (c === null) return;
  try {
    const task = taskOf(f);
    if (!task.sampled) return;
    const s = siteOf(f, site);
    const v = ownerName(owner, s.text);
    if (access === 'Read') {
      if (repeatRead(task, v, s.loc, value)) return;
    } else noteWrite(v);
    const snap = captureValue(value);
    const oldSnap = old === value ? snap : captureValue(old);
    emitAccess(c, task, v, oldSnap, snap, s.loc, access, !isAsked(oldSnap) && (oldSnap === snap || !isAsked(snap)));
    if (isObjectLike(value)) nameOf(value, v);
  } catch { /* never into the app */ }
}

/** A read of a shared binding: records it, returns the value. */
export function rv<T>(f: FrameArg, owner: Owner, value: T, site: number): T {
  recordBinding(f, owner, value, value, site, 'Read');
  return value;
}

/** A write of a shared binding (the assignment itself stays in the program): records old → value. */
export function wv<T>(f: FrameArg, owner: Owner, old: unknown, value: T, site: number): T {
  recordBinding(f, owner, old, value, site, 'Write');
  return value;
}

/** A block whose captured bindings are fresh each time it runs (loop bodies). */
export function blk(f: FrameArg): BlockHandle {
  return new BlockHandle(f);
}

// ---- containers ---------------------------------------------------------------------------------

/**
 * Container call sites (SPEC §4.5): `o.push(x)` becomes `cc(f, t = o, cn(f, t, S), t.push(x), S)`
 * (keyed methods: `cc(f, t = o, cn(f, t, S), t.set(k1 = k, v), S, k1)`), site `[line, "hint",
 * "method"]`. `cn` runs before the method lookup and, without running program code, tells whether
 * `t` is a real Array/Map/Set whose method of that name is the built-in one (-1 if not); `cc` returns
 * the call's result and records it as a Write (mutators) or Read (`get`, `has`) of the container's
 * variable. See containers.ts.
 */
export { cn, cc } from './containers';

// ---- exceptions ---------------------------------------------------------------------------------

/** Thrown objects already recorded: an exception is recorded where it first leaves an invocation. */
const recordedThrows = new WeakSet<object>();

/**
 * `catch (e) { throw thrown(f, e); }` around every instrumented body (SPEC §3): an exception that
 * leaves an invocation is an Error event of the invocation's task (its job failed there: what tells
 * a read that decided a failure from a guard), recorded once per thrown object, at the innermost
 * instrumented function it leaves; returns `e` itself, which the program then rethrows unchanged.
 * Reads no property that could run program code: the type is the class name, the message a data
 * property, and the trace the function it left (V8 formats `stack` through a program's
 * `Error.prepareStackTrace`).
 */
export function thrown<T>(f: FrameArg, e: T): T {
  if (!(f instanceof Frame) || !f.task.sampled) return e;
  const c = on();
  if (c === null) return e;
  try {
    let type: string = typeof e;
    let message = '';
    if (typeof e === 'object' && e !== null) {
      if (recordedThrows.has(e)) return e;
      recordedThrows.add(e);
      if (!types.isProxy(e)) {
        type = tag(e);
        const m = peekData(e, 'message').value;
        if (typeof m === 'string') message = m.length > 1024 ? m.slice(0, 1024) : m;
      }
    } else {
      message = String(snapshot(e));
    }
    // An await that rejected resumes here without `resume`: the rejection's edge (whatever
    // rejected the awaited promise happened before this failure) is joined now.
    if (ambientTask() !== f.task) joinResolver(f.task);
    const s = f.site;
    emit(c, f.task, K.Error, type, message, [`at ${s.name || ANONYMOUS} (${s.file}:${s.line})`]);
  } catch { /* never into the app */ }
  return e;
}
