/**
 * Happens-before between two accesses, from vector clocks plus the rules that the clocks of a
 * JavaScript program cannot express (same synchronous job, request intervals).
 */
import { namesExternalState } from './external';
import { lowerBound } from './sorted';
import { hasSeen, knowsOf, type Coverage } from './coverage';
import type { AccessRecord, AnalysisContext, Lookup } from './types';

/** Per-access values the scan computes once (segment and job are needed many times). */
export interface AccessState {
  rec: AccessRecord;
  /** Index of the task's synchronous segment (number of the task's awaits before the access). */
  seg: number;
  /** Accesses with the same job key ran in one uninterrupted run of the event loop. */
  job: string;
  /** The write re-read its variable in the same segment (or is AtomicRMW): it cannot lose an update. */
  rmw: boolean;
  /**
   * For a `Map#set` whose job did not look at the map before it (no `get`/`has`, only the set's
   * own read of the size): the key (JSON text) whose entry it replaced blindly.
   */
  blindKey?: string;
  /** A read that came after the task's own write of the variable in the same job: it observes that update, it decides nothing. */
  afterOwnWrite: boolean;
  /** Parsed clock, filled on demand. */
  clockMap?: Map<string, number>;
  /** Per component: the largest of its levels this clock has seen a first carrier of (see coverage.ts). */
  seenMemo?: Map<string, number>;
  lockSet?: Set<string> | null;
}

export class Ordering {
  private readonly jobCache = new Map<string, string>();
  /** Pairwise ordering decisions made so far (the cost measure the tests bound). */
  comparisons = 0;

  constructor(private readonly ctx: AnalysisContext) {}

  /**
   * The task's synchronous segment at `ts`: the number of its awaits before `ts`; for a task that
   * sends no AsyncAwait events, the number of job starts (`splits`) up to `ts`.
   */
  segmentOf(task: string, ts: number): number {
    const info = this.ctx.tasks.get(task);
    if (!info) return 0;
    if (info.awaits.length === 0 && info.splits !== undefined && info.splits.length > 0) return lowerBound(info.splits, ts + 0.5);
    return lowerBound(info.awaits, ts);
  }

  /**
   * The first segment of a task runs synchronously inside the segment of its caller that called
   * it (an async function body runs up to its first await before the call returns), so it shares
   * the caller's job; later segments are jobs of their own.
   */
  jobOf(task: string, seg: number, depth = 0): string {
    if (seg > 0) return task + '\u0000' + seg;
    const cached = this.jobCache.get(task);
    if (cached !== undefined) return cached;
    const info = this.ctx.tasks.get(task);
    let job = task + '\u00000';
    if (info?.parent !== undefined && info.spawnTs !== undefined && info.parent !== task && depth < 64) {
      job = this.jobOf(info.parent, this.segmentOf(info.parent, info.spawnTs), depth + 1);
    }
    this.jobCache.set(task, job);
    return job;
  }

  state(rec: AccessRecord): AccessState {
    const seg = this.segmentOf(rec.task, rec.ts);
    return { rec, seg, job: this.jobOf(rec.task, seg), rmw: false, afterOwnWrite: false };
  }

  /**
   * A child's first segment runs inside its caller's job, before the caller's next event: `b`
   * that saw a later event of the caller than the one `a`'s clock copied at the call comes after
   * `a` (clocks alone miss it: the caller does not join the child's clock when the call returns).
   */
  prefixBefore(a: AccessState, b: AccessState): boolean {
    if (a.seg !== 0) return false;
    const parent = this.ctx.tasks.get(a.rec.task)?.parent;
    if (parent === undefined || parent === a.rec.task) return false;
    const atCall = component(a, parent);
    if (atCall === undefined) return false;
    return seenBy(b, parent, atCall + 1, this.ctx.coverage);
  }

  /** True when `a` happens before `b` (a is the earlier access in time). */
  ordered(a: AccessState, b: AccessState): boolean {
    if (a.rec.task === b.rec.task || a.job === b.job) return true;
    if (clockBefore(a, b, this.ctx.coverage) || this.prefixBefore(a, b)) return true;
    return this.intervalBefore(a, b);
  }

  /**
   * Two processes (of one service or of two) do not share memory: the same variable name there
   * names two objects (instrumented names are unique per process only). Only state outside the
   * processes, named with a store prefix through the manual API (`db:accounts.alice.balance`, see
   * `external.ts`), is compared across them.
   */
  separateHeaps(a: AccessState, b: AccessState): boolean {
    const pa = a.rec.proc;
    const pb = b.rec.proc;
    if (pa === undefined || pb === undefined || pa === pb) return false;
    return !namesExternalState(a.rec.variable);
  }

  /** Neither access can happen before the other and no common lock protects them. */
  concurrent(a: AccessState, b: AccessState): boolean {
    this.comparisons++;
    if (this.separateHeaps(a, b)) return false;
    if (a.rec.ts > b.rec.ts || (a.rec.ts === b.rec.ts && a.rec.seq > b.rec.seq)) [a, b] = [b, a];
    if (this.ordered(a, b)) return false;
    // Clock skew between processes can put a causal successor earlier in time.
    if (clockBefore(b, a, this.ctx.coverage) || this.prefixBefore(b, a)) return false;
    return !commonLock(a, b);
  }

  /** The access's job threw right after it (see `AnalysisContext.throwsAfter`). */
  throwsAfter(s: AccessState | { rec: AccessRecord }): boolean {
    return this.ctx.throwsAfter?.(s.rec.task, s.rec.ts, s.rec.own) ?? false;
  }

  /**
   * Order for order violations (a read and a write whose order the read's value shows): program
   * order, one job, clocks either way, a common lock, and the interval rule only between units and
   * towards a later request (sequential requests; start-up code before a request that started
   * after it). Code
   * outside requests (a start-up callback, a timer) does not wait for a request that responded or
   * for other code that ran earlier, so the interval rule does not order it after them.
   */
  orderedForUse(a: AccessState, b: AccessState): boolean {
    this.comparisons++;
    if (a.rec.ts > b.rec.ts || (a.rec.ts === b.rec.ts && a.rec.seq > b.rec.seq)) [a, b] = [b, a];
    if (a.rec.task === b.rec.task || a.job === b.job || this.separateHeaps(a, b)) return true;
    if (clockBefore(a, b, this.ctx.coverage) || clockBefore(b, a, this.ctx.coverage) || commonLock(a, b) || this.prefixBefore(a, b)) return true;
    // Within one trace only causal order counts: the root-task interval rule (families that did
    // not overlap in time) would order a start-up callback after a request callback that merely
    // ran first, which is the very order an order violation is about.
    if (a.rec.unit === b.rec.unit || !this.ctx.units.get(b.rec.unit)?.http) return false;
    return this.intervalBefore(a, b);
  }

  /**
   * Interval rule, across units (used for potential races, not for observed
   * interleavings). A request is ordered before a request that started after its response (the
   * client waited), for what it did up to that response. Code outside requests (a trace without
   * HttpRequest: start-up, timers, scripts) may belong to a trace that stays alive all along, so
   * it is bounded by the access itself: it ran in one job of the event loop, and a request that
   * started later started after that job (and the other way round). Within one unit only the
   * clocks decide: two tasks of one request can race.
   */
  private intervalBefore(sa: AccessState, sb: AccessState): boolean {
    const a = sa.rec;
    const b = sb.rec;
    if (a.unit === b.unit) return this.familyBefore(sa, sb);
    const ua = this.ctx.units.get(a.unit);
    const ub = this.ctx.units.get(b.unit);
    // Across services too: their accesses meet only on state outside the processes (see
    // `separateHeaps`), and a request that started after another one responded is sequential there
    // as it is within one service (the clocks of the machines involved are trusted for it).
    if (!ua || !ub) return false;
    let end: number;
    if (ua.http) {
      if (ua.end === null || a.ts > ua.end) return false;
      end = ua.end;
    } else end = a.ts;
    const start = ub.http ? ub.start : b.ts;
    return end < start && start <= b.ts;
  }

  /**
   * Root-task interval rule, within one trace that is not a request (a script, the process's
   * start-up trace, handlers that continue a task other than the request's). A family is a task
   * with no known spawner plus everything it spawned, transitively; a family whose last event came
   * before another family's first event is ordered before it. Tasks of one family (Promise.all)
   * are left to the clocks, and so are accesses whose clocks name other tasks: a sender that
   * tracks where callbacks come from (registration, promise settlement) gives real edges, and two
   * callbacks that did not overlap in time are not ordered by that.
   */
  private familyBefore(sa: AccessState, sb: AccessState): boolean {
    const a = sa.rec;
    const b = sb.rec;
    const u = this.ctx.units.get(a.unit);
    if (!u || u.http) return false;
    const fa = this.familyRoot(a.task);
    const fb = this.familyRoot(b.task);
    if (fa === fb) return false;
    const spanA = this.familySpan(fa);
    const spanB = this.familySpan(fb);
    if (spanA === null || spanB === null || !(spanA[1] < spanB[0] && a.ts <= spanA[1] && spanB[0] <= b.ts)) return false;
    // Clocks that share a component come from a common task (a callback starts from its
    // registering job's clock): then the clocks know the order, and time proves nothing. The
    // trace's origin (the task of its first event: module start-up) does not count: callbacks whose
    // registration the sender could not see (a test runner's hooks, events an uninstrumented
    // dependency emits in sequence) all start from it, and for them no edge can be known.
    return !shareComponent(sa, sb, this.origin(u.start, sa), this.ctx.coverage);
  }

  /**
   * The origin of a trace that is not a request: the component of `a`'s clock whose task made the
   * trace's first event and has no known spawner (the process root running module start-up), or
   * null.
   */
  private origin(start: number, a: AccessState): string | null {
    for (const k of parseClock(a).keys()) {
      const info = this.ctx.tasks.get(k);
      if (info !== undefined && info.first === start && info.parent === undefined) return k;
    }
    return null;
  }

  private readonly roots = new Map<string, string>();
  private readonly spans = new Map<string, [number, number] | null>();

  familyRoot(task: string): string {
    const cached = this.roots.get(task);
    if (cached !== undefined) return cached;
    let root = task;
    for (let depth = 0; depth < 1000; depth++) {
      const parent = this.ctx.tasks.get(root)?.parent;
      if (parent === undefined || parent === root) break;
      root = parent;
    }
    this.roots.set(task, root);
    return root;
  }

  private familySpan(root: string): [number, number] | null {
    if (this.spans.has(root)) return this.spans.get(root)!;
    let lo = Infinity;
    let hi = -Infinity;
    const stack = [root];
    const seen = new Set<string>();
    while (stack.length) {
      const t = stack.pop()!;
      if (seen.has(t)) continue;
      seen.add(t);
      const info = this.ctx.tasks.get(t);
      if (info?.first !== undefined && info.first < lo) lo = info.first;
      if (info?.last !== undefined && info.last > hi) hi = info.last;
      for (const c of this.ctx.children?.get(t) ?? []) stack.push(c);
    }
    const span: [number, number] | null = lo <= hi ? [lo, hi] : null;
    this.spans.set(root, span);
    return span;
  }

  /** `a` (earlier in time) happens before `b` by program order or the clocks alone: `b` continues what `a` did. */
  causallyBefore(a: AccessState, b: AccessState): boolean {
    this.comparisons++;
    return a.rec.task === b.rec.task || clockBefore(a, b, this.ctx.coverage) || this.prefixBefore(a, b);
  }

  /**
   * Causal order only (program order, one job, clocks, a common lock): what decides whether an
   * interleaving that did happen (a write between another task's read and write) was intended.
   */
  causallyOrdered(a: AccessState, b: AccessState): boolean {
    this.comparisons++;
    return a.rec.task === b.rec.task || a.job === b.job || clockBefore(a, b, this.ctx.coverage) || clockBefore(b, a, this.ctx.coverage) || commonLock(a, b) ||
      this.prefixBefore(a, b) || this.prefixBefore(b, a) || this.separateHeaps(a, b);
  }
}

/**
 * The two accesses' clocks have a component of the same task, `except` aside (one that a clock
 * carries, or that a retirement implies it has seen: see coverage.ts).
 */
function shareComponent(a: AccessState, b: AccessState, except: string | null, coverage?: Lookup<string, Coverage>): boolean {
  const ca = parseClock(a);
  const cb = parseClock(b);
  for (const k of ca.keys()) if (k !== except && cb.has(k)) return true;
  if (coverage === undefined) return false;
  for (const k of ca.keys()) if (k !== except && knowsOf((c) => cb.get(c), k, coverage, b.seenMemo ??= new Map())) return true;
  for (const k of cb.keys()) if (k !== except && knowsOf((c) => ca.get(c), k, coverage, a.seenMemo ??= new Map())) return true;
  return false;
}

/** The clock of `s` has seen `task` at ≥ `need`: carried, or implied by a retirement. */
function seenBy(s: AccessState, task: string, need: number, coverage?: Lookup<string, Coverage>): boolean {
  return hasSeen((c) => component(s, c), task, need, coverage, s.seenMemo ??= new Map());
}

function parseClock(s: AccessState): Map<string, number> {
  if (!s.clockMap) {
    const c = s.rec.clock;
    let pairs: ReadonlyArray<readonly [string, number]> = [];
    if (typeof c === 'string') {
      try {
        pairs = JSON.parse(c) as [string, number][];
      } catch {
        pairs = [];
      }
    } else pairs = c;
    s.clockMap = new Map(Array.isArray(pairs) ? pairs.map((p) => [p[0], p[1]] as [string, number]) : []);
  }
  return s.clockMap;
}

/** Component `task` of the clock of `s`, found without parsing the whole clock when it is JSON text. */
function component(s: AccessState, task: string): number | undefined {
  const c = s.rec.clock;
  if (typeof c === 'string' && !s.clockMap) return clockTextComponent(c, task);
  return parseClock(s).get(task);
}

/** Component `task` of a clock as JSON text, without parsing it (the store writes clocks with JSON.stringify: `"<task>",<n>]`). */
export function clockTextComponent(c: string, task: string): number | undefined {
  const needle = JSON.stringify(task) + ',';
  const i = c.indexOf(needle);
  if (i < 0) return undefined;
  const n = parseInt(c.slice(i + needle.length, i + needle.length + 20), 10);
  return Number.isNaN(n) ? undefined : n;
}

/** A failure by `failTask` with clock `failClock` (JSON text) belongs to the job of an access by `task` (own component `own`): same task, or a clock that has seen the access. */
export function failureReaches(failTask: string, failClock: string, task: string, own: number, coverage?: Lookup<string, Coverage>): boolean {
  if (failTask === task) return true;
  if (own < 0) return false;
  return hasSeen((c) => clockTextComponent(failClock, c), task, own, coverage, new Map());
}

/**
 * Vector clock order. With the task's own component known, one lookup decides (a happened before
 * b iff b has seen a's own counter); otherwise every component of a must be present and not
 * larger in b, as upstream requires.
 */
export function clockBefore(a: AccessState, b: AccessState, coverage?: Lookup<string, Coverage>): boolean {
  if (a.rec.own >= 0) return seenBy(b, a.rec.task, a.rec.own, coverage);
  const ca = parseClock(a);
  if (ca.size === 0) return false;
  const cb = parseClock(b);
  for (const [k, v] of ca) {
    const w = cb.get(k);
    if (w === undefined || w < v) return false;
  }
  return true;
}

function lockSet(s: AccessState): Set<string> | null {
  if (s.lockSet === undefined) s.lockSet = s.rec.locks && s.rec.locks.length > 0 ? new Set(s.rec.locks) : null;
  return s.lockSet;
}

/** Lockset rule as a safety net behind release->acquire clock joins. */
export function commonLock(a: AccessState, b: AccessState): boolean {
  const la = lockSet(a);
  const lb = lockSet(b);
  if (!la || !lb) return false;
  for (const l of la) if (lb.has(l)) return true;
  return false;
}
