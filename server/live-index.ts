/**
 * The in-memory analysis index: every access grouped by variable, task and unit context, kept up
 * to date by ingest and persisted by the store as per-batch chunks (index-chunk.ts; a restart
 * rebuilds it without re-parsing events). Analysis is incremental: only variables whose accesses
 * or ordering context changed since the last run are scanned again, in slices when the server asks.
 *
 * Why one module of this size: the column stores, the per-variable state and both analysis paths
 * (one-shot and sliced) share private state of one class; the chunk format and the columns are
 * apart (index-chunk.ts, index-columns.ts).
 */
import type { AccessType, JsonValue, RacewayEvent } from '../protocol/events';
import {
  CoverageTable, describe, failureReaches, Ordering, scanVariable, sortReports,
  type AccessDetail, type AccessRecord, type AnalysisContext, type AnalyzerOptions, type RaceReport,
  type TaskInfo, type UnitInfo,
} from './analyzer';
import { Findings } from './analyzer/detect';
import { failsNext, startsJob, type SplitTasks } from './analyzer/jobs';
import { idString } from './id-set';
import { EMPTY_LIST, FloatLists, IntLists, growInt } from './int-lists';
import { AccessColumns, ContextColumns, R_LOCATION, R_SERVICE, R_STRIDE, R_TASK, R_TRACE, R_UNIT, R_VARIABLE } from './index-columns';
import { ProcessEvents, sameList } from './process-events';
import { insertAscending, lowerBound } from './analyzer/sorted';
import { boundClockText, boundName, boundValueText } from './bounded-text';
import {
  ACCESS_CODES, A_STRIDE, CV_STRIDE, E_STRIDE, EC_STRIDE, ER_STRIDE, SP_STRIDE, StringTable, T_STRIDE, U_STRIDE, W_STRIDE, formatMicros, type IndexChunk,
} from './index-chunk';

// The chunk format lives in index-chunk.ts; these stay importable from here.
export { A_STRIDE, chunkOf, decodeChunk, encodeChunk, formatMicros, fromLegacy, type IndexChunk, type LegacyChunk } from './index-chunk';


export interface TraceAggregate {
  trace_id: string;
  count: number;
  first: number;
  last: number;
  /** Distinct (an array: nearly always one). */
  services: string[];
}

interface VarEntry {
  /** Seqs of the variable's accesses. */
  list: number[];
  sorted: boolean;
  reports: RaceReport[];
  suppressed: number;
}

/** A task or unit notes a variable it touched once among its latest this many. */
const NOTE_DEPTH = 16;

const sameNum = (a: number, b: number): boolean => a === b || (a !== a && b !== b);
/** Longest stretch of one sliced analysis run between two turns of the event loop, ms. */
export const ANALYSIS_SLICE_MS = 10;

/** Events of a process walked between two pauses of `updateSplits`. */
const SPLIT_STEP = 8192;

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const orNull = (x: number): number | null => (x !== x ? null : x);

export class LiveIndex {
  private readonly vars: VarEntry[] = [];
  /** Index into `vars` by the variable's string number (-1: none). */
  private varOf = new Int32Array(0);
  private readonly acc = new AccessColumns();
  private readonly cx = new ContextColumns();
  private readonly lists = new IntLists();
  private readonly awaitLists = new FloatLists();
  /** Traces by first appearance (string numbers). */
  private traceSyms = new Int32Array(1024);
  private traceN = 0;
  /** Services of a trace after its first (rare: one trace over several services). */
  private readonly moreServices = new Map<number, number[]>();
  /** Units of a trace's services after its first, by `${service},${trace}`. */
  private readonly moreUnits = new Map<string, number>();
  /** The string table: tasks, traces, variables, services, locations, each once. */
  private readonly table = new StringTable();
  private readonly interned = this.table.index;
  private readonly strs = this.table.strs;
  /** Variables (string numbers) to scan again. */
  private readonly dirty = new Set<number>();
  /** Tasks whose family (membership or time span) changed: their family's variables need a rescan. */
  private readonly dirtyFamilies = new Set<number>();
  private reports: RaceReport[] | null = [];
  /** Events by process (string number of `processKey`), and the processes with events since the last analysis. */
  private readonly procs = new Map<number, ProcessEvents>();
  private readonly dirtyProcs = new Set<number>();
  /** Each task's process (string number of its key; -1 unknown), and each process's Error timestamps, ascending. */
  private taskProc = new Int32Array(0);
  private readonly errors = new Map<number, number[]>();
  /** What clocks imply beyond their entries (retired tasks: see analyzer/coverage.ts). */
  private readonly coverage = new CoverageTable();
  /** Task and clock of each failure event, by `${process},${ts}` (whose job a failure belongs to). */
  private readonly failureClocks = new Map<string, [task: number, clock: string][]>();
  /** Each process's state-access timestamps, ascending (whether a failure came before the next access). */
  private readonly accessTimes = new Map<number, number[]>();
  /** Scratch for `updateSplits`: the update that last met a task. */
  private metStamp = new Int32Array(0);
  private stamp = 0;
  /** 1 for a task that has an entry in `splits` (by task string number). */
  private splitFlag = new Uint8Array(0);
  /** Job starts of tasks without AsyncAwait events (see analyzer/jobs.ts), by task string number. */
  private readonly splits = new Map<number, number[]>();
  /** Accesses scanned by the last analysis run (all of them on the first run). */
  lastScanned = 0;
  /** Races over the per-variable report cap, counted but not reported. */
  suppressed = 0;
  private analyzedOnce = false;
  /** Variables taken by the analysis run in progress and not yet scanned. */
  private readonly queue = new Set<number>();
  /** Accesses scanned by the run in progress. */
  private runScanned = 0;
  /** The start of the sliced run in progress while it is under way (the job walk pauses). */
  private starting: Generator<void, void, void> | null = null;
  /** The sliced analysis in progress (see analyzeSliced). */
  private running: Promise<RaceReport[]> | null = null;
  /** Chunks folded in so far, and the run's ordering with the value of `adds` it was made at. */
  private adds = 0;
  private runOrdering: Ordering | null = null;
  private runOrderingAt = -1;

  constructor(private readonly options: AnalyzerOptions = {}) {}

  /** The string's index in the string table. */
  private sym(s: string): number {
    return this.table.id(s);
  }

  private intern(s: string): string {
    return this.strs[this.sym(s)]!;
  }

  get accessCount(): number {
    return this.acc.n;
  }

  get traceCount(): number {
    return this.traceN;
  }

  /** Marks a task's variables (and its children's, whose first segment hangs off its segments) for re-analysis. */
  private touchTask(task: number, depth = 0): void {
    // Until the first analysis every variable is dirty anyway (start-up rebuild: skip the walk).
    if (!this.analyzedOnce) return;
    const { cx, lists, dirty } = this;
    lists.forEach(cx.tVars[task]!, (v) => dirty.add(v));
    if (depth < 8) lists.forEach(cx.tChildren[task]!, (c) => this.touchTask(c, depth + 1));
  }

  /** The unit of (service, trace), made when new. */
  private unitOf(svc: number, trace: number): number {
    const cx = this.cx;
    let u = cx.trUnit[trace]!;
    if (u < 0) return (cx.trUnit[trace] = cx.newUnit(svc, trace));
    if (cx.uSvc[u] === svc) return u;
    const key = `${svc},${trace}`;
    u = this.moreUnits.get(key) ?? -1;
    if (u < 0) this.moreUnits.set(key, (u = cx.newUnit(svc, trace)));
    return u;
  }

  /** Folds in a batch's chunk; `batch` is the store's seq of the batch (for `batchesOf`). */
  add(chunk: IndexChunk, batch = -1): void {
    this.adds++;
    const { s, n, c: [na, nw, nsp, nu, nt, ne = 0, ner = 0, nec = 0, ncv = 0] } = chunk;
    const { strs, cx, lists } = this;
    // Per-chunk cache of string numbers, by the chunk's string index: the string table (a map of
    // 100 000s, each lookup a cache miss on a loaded machine) is asked once per distinct string.
    const symOf = new Int32Array(s.length).fill(-1);
    const Y = (k: number): number => {
      const i = k | 0;
      let y = symOf[i]!;
      // Bounded again: chunks written before names were bounded still load (a no-op for the others).
      if (y < 0) symOf[i] = y = this.sym(boundName(s[i]!));
      return y;
    };
    const T = (k: number): number => {
      const y = Y(k);
      cx.tKnown[y] = 1;
      return y;
    };
    // Every string number of this chunk is below this: the columns by string number fit.
    cx.reserveSyms(strs.length + s.length);
    if (this.varOf.length < cx.tKnown.length) this.varOf = growInt(this.varOf, cx.tKnown.length, -1);
    const wOff = na * A_STRIDE;
    const spOff = wOff + nw * W_STRIDE;
    const uOff = spOff + nsp * SP_STRIDE;
    const tOff = uOff + nu * U_STRIDE;
    for (let o = uOff; o < tOff; o += U_STRIDE) {
      const svc = Y(n[o]!);
      const trace = Y(n[o + 1]!);
      const count = n[o + 2]!;
      const first = n[o + 3]!;
      const last = n[o + 4]!;
      const reqTs = n[o + 5]!;
      const respTs = n[o + 6]!;
      const u = this.unitOf(svc, trace);
      if (!(first >= cx.uFirst[u]!)) cx.uFirst[u] = first;
      if (!(last <= cx.uLast[u]!)) cx.uLast[u] = last;
      if (reqTs === reqTs && !(reqTs >= cx.uReq[u]!)) cx.uReq[u] = reqTs;
      if (respTs === respTs && !(respTs <= cx.uResp[u]!)) cx.uResp[u] = respTs;
      // The analyzer's interval (see unitInfo): a request spans HttpRequest..HttpResponse, a trace
      // without HTTP events its events.
      const req = cx.uReq[u]!;
      const http = req === req;
      const start = http ? req : cx.uFirst[u]!;
      const end = http ? cx.uResp[u]! : cx.uResp[u] === cx.uResp[u] ? cx.uResp[u]! : cx.uLast[u]!;
      const was = cx.uInfo[u]!;
      // Only a request's interval orders anything (code outside requests is bounded per access or
      // per task family), so a long-lived trace growing does not re-analyse all its variables.
      const moved = was === 0 || (was === 2) !== http || (http && (!sameNum(start, cx.uStart[u]!) || !sameNum(end, cx.uEnd[u]!)));
      cx.uStart[u] = start;
      cx.uEnd[u] = end;
      cx.uInfo[u] = http ? 2 : 1;
      if (moved && was !== 0 && this.analyzedOnce) lists.forEach(cx.uVars[u]!, (v) => this.dirty.add(v));
      if (cx.trFirst[trace] !== cx.trFirst[trace]) {
        if (this.traceN === this.traceSyms.length) this.traceSyms = growInt(this.traceSyms, this.traceN * 2, 0);
        this.traceSyms[this.traceN++] = trace;
        cx.trFirst[trace] = first;
        cx.trLast[trace] = last;
      }
      cx.trCount[trace] += count;
      if (first < cx.trFirst[trace]!) cx.trFirst[trace] = first;
      if (last > cx.trLast[trace]!) cx.trLast[trace] = last;
      if (cx.uSvc[cx.trUnit[trace]!] !== svc) {
        let more = this.moreServices.get(trace);
        if (!more) this.moreServices.set(trace, (more = []));
        if (!more.includes(svc)) more.push(svc);
      }
      if (batch >= 0 && !lists.hasNear(cx.trBatches[trace]!, batch, 1)) cx.trBatches[trace] = lists.push(cx.trBatches[trace]!, batch);
    }
    for (let o = wOff; o < spOff; o += W_STRIDE) {
      const task = T(n[o]!);
      cx.tAwaits[task] = this.awaitLists.push(cx.tAwaits[task]!, n[o + 1]!);
      this.touchTask(task);
    }
    for (let o = spOff; o < uOff; o += SP_STRIDE) {
      const parent = Y(n[o]!);
      const child = T(n[o + 1]!);
      cx.tParent[child] = parent;
      cx.tSpawnTs[child] = n[o + 2]!;
      cx.tChildren[parent] = lists.push(cx.tChildren[parent]!, child);
      this.touchTask(child);
      if (this.analyzedOnce) this.dirtyFamilies.add(child);
    }
    for (let o = tOff; o < tOff + nt * T_STRIDE; o += T_STRIDE) {
      const first = n[o + 1]!;
      const last = n[o + 2]!;
      const t = T(n[o]!);
      let changed = false;
      if (!(first >= cx.tFirst[t]!)) { cx.tFirst[t] = first; changed = true; }
      if (!(last <= cx.tLast[t]!)) { cx.tLast[t] = last; changed = true; }
      if (changed && this.analyzedOnce) this.dirtyFamilies.add(t);
    }
    const eOff = tOff + nt * T_STRIDE;
    let lastProc = -1;
    let procEvents: ProcessEvents | undefined;
    for (let o = eOff; o < eOff + ne * E_STRIDE; o += E_STRIDE) {
      const pk = n[o + 1]! | 0;
      if (pk !== lastProc) {
        const p = Y(pk);
        procEvents = this.procs.get(p);
        if (!procEvents) this.procs.set(p, (procEvents = new ProcessEvents()));
        this.dirtyProcs.add(p);
        lastProc = pk;
      }
      const task = T(n[o]!);
      procEvents!.push(task, n[o + 2]!);
      if (task >= this.taskProc.length) this.taskProc = growInt(this.taskProc, Math.max(task + 1, this.taskProc.length * 2, 4096), -1);
      this.taskProc[task] = Y(pk);
    }
    const erOff = eOff + ne * E_STRIDE;
    const ecOff = erOff + ner * ER_STRIDE;
    for (let o = erOff, k = 0; o < erOff + ner * ER_STRIDE; o += ER_STRIDE, k++) {
      const p = Y(n[o]!);
      let list = this.errors.get(p);
      if (!list) this.errors.set(p, (list = []));
      insertAscending(list, n[o + 1]!);
      if (k < nec) {
        // Chunks of earlier versions have no failure section: their failures count for their own task only.
        const key = `${p},${n[o + 1]!}`;
        const who: [number, string] = [Y(n[ecOff + k * EC_STRIDE]!), boundClockText(s[n[ecOff + k * EC_STRIDE + 1]! | 0]!)];
        const known = this.failureClocks.get(key);
        if (known) known.push(who);
        else this.failureClocks.set(key, [who]);
      }
      this.procs.get(p)!.errorsSince = Math.min(this.procs.get(p)!.errorsSince, n[o + 1]!);
    }
    // Coverage names are bounded again, as clocks are on load (chunks written before bounding).
    const cvOff = ecOff + nec * EC_STRIDE;
    for (let o = cvOff; o < cvOff + ncv * CV_STRIDE; o += CV_STRIDE) this.coverage.note(boundName(s[n[o]! | 0]!), n[o + 1]!, boundName(s[n[o + 2]! | 0]!), n[o + 3]!);
    const locksOf = new Map<number, string[]>();
    const entries: (VarEntry | undefined)[] = new Array(s.length);
    // The variable last noted for a task / unit (chunk indices + 1): runs of one task on one variable skip the note.
    const lastTaskVar = new Int32Array(s.length);
    const lastUnitVar = new Int32Array(s.length);
    const unitOfTrace = new Int32Array(s.length).fill(-1);
    const acc = this.acc;
    acc.reserve(na);
    const { ids, num, ref, access, clock, value, old } = acc;
    for (let o = 0; o < wOff; o += A_STRIDE) {
      const seq = acc.n++;
      const vi = n[o + 4]! | 0;
      const vy = Y(vi);
      const tk = n[o + 5]! | 0;
      const task = Y(tk);
      const svc = Y(n[o + 6]!);
      const ti = n[o + 7]! | 0;
      const trace = Y(ti);
      let unit = unitOfTrace[ti]!;
      if (unit < 0 || cx.uSvc[unit] !== svc) unitOfTrace[ti] = unit = this.unitOf(svc, trace);
      const r = seq * R_STRIDE;
      ref[r + R_VARIABLE] = vy;
      ref[r + R_TASK] = task;
      ref[r + R_UNIT] = unit;
      ref[r + R_LOCATION] = Y(n[o + 15]!);
      ref[r + R_SERVICE] = svc;
      ref[r + R_TRACE] = trace;
      const li = n[o + 12]!;
      if (li >= 0) {
        let locks = locksOf.get(li);
        if (!locks) locksOf.set(li, (locks = (JSON.parse(s[li]!) as string[]).map((l) => this.intern(boundName(l)))));
        acc.locks.set(seq, locks);
      }
      const ts = n[o + 9]!;
      const proc = task < this.taskProc.length ? this.taskProc[task]! : -1;
      if (proc >= 0) {
        let times = this.accessTimes.get(proc);
        if (!times) this.accessTimes.set(proc, (times = []));
        insertAscending(times, ts);
      }
      num[seq * 2] = ts;
      num[seq * 2 + 1] = n[o + 10]!;
      access[seq] = n[o + 8]!;
      if (Number.isNaN(n[o]!)) acc.oddIds.set(seq, s[n[o + 1]! | 0]!);
      else {
        ids[seq * 4] = n[o]!;
        ids[seq * 4 + 1] = n[o + 1]!;
        ids[seq * 4 + 2] = n[o + 2]!;
        ids[seq * 4 + 3] = n[o + 3]!;
      }
      const tsi = n[o + 16]!;
      if (tsi >= 0) acc.oddTimestamps.set(seq, s[tsi | 0]!);
      // Chunks written before values were bounded hold them whole: bounded here (a length check for the others).
      clock[seq] = boundClockText(s[n[o + 11]! | 0]!);
      value[seq] = boundValueText(s[n[o + 13]! | 0]!);
      old[seq] = boundValueText(s[n[o + 14]! | 0]!);
      let entry = entries[vi];
      if (!entry) {
        const k = this.varOf[vy]!;
        if (k >= 0) entry = this.vars[k]!;
        else {
          this.varOf[vy] = this.vars.length;
          this.vars.push((entry = { list: [], sorted: true, reports: [], suppressed: 0 }));
        }
        entries[vi] = entry;
        this.dirty.add(vy);
      }
      const list = entry.list;
      if (list.length && num[list[list.length - 1]! * 2]! > ts) entry.sorted = false;
      list.push(seq);
      if (lastTaskVar[tk] !== vi + 1) {
        lastTaskVar[tk] = vi + 1;
        if (!lists.hasNear(cx.tVars[task]!, vy, NOTE_DEPTH)) cx.tVars[task] = lists.push(cx.tVars[task]!, vy);
      }
      if (lastUnitVar[ti] !== vi + 1) {
        lastUnitVar[ti] = vi + 1;
        if (!lists.hasNear(cx.uVars[unit]!, vy, NOTE_DEPTH)) cx.uVars[unit] = lists.push(cx.uVars[unit]!, vy);
      }
    }
    if (this.dirty.size || this.dirtyFamilies.size || this.dirtyProcs.size) this.reports = null;
  }

  /**
   * Recomputes the job starts of tasks without AsyncAwait in the processes that got events, and
   * marks the variables of tasks whose jobs changed for a rescan. A generator that pauses every
   * `step` events (a sliced analysis yields to the event loop there); events that arrive
   * meanwhile leave their process dirty for the next run.
   */
  private *updateSplits(step: number): Generator<void, void, void> {
    if (this.dirtyProcs.size === 0) return;
    const { cx, awaitLists, splits } = this;
    const procs = [...this.dirtyProcs];
    this.dirtyProcs.clear();
    const awaits = new Map<number, number[]>();
    const awaitsOf = (t: number): number[] => {
      let a = awaits.get(t);
      if (!a) awaits.set(t, (a = t < cx.tAwaits.length ? awaitLists.sorted(cx.tAwaits[t]!) : []));
      return a;
    };
    const tasks: SplitTasks = {
      hasAwaits: (t: number) => t < cx.tAwaits.length && cx.tAwaits[t] !== EMPTY_LIST,
      parent: (t: number) => (t < cx.tParent.length ? cx.tParent[t]! : -1),
      awaitsBefore: (t: number, ts: number) => lowerBound(awaitsOf(t), ts),
    };
    // Tasks met since the recompute point, with their job starts before it (to tell real changes).
    const before = new Map<number, number[] | undefined>();
    for (const p of procs) {
      const ev = this.procs.get(p)!;
      ev.sort();
      // Only jobs that start at or after the earliest new event can change (a gap that contains a
      // new event, or ends at one, ends at or after it); the rest of the process is as it was.
      const since = ev.since;
      ev.since = Infinity;
      ev.touchSince = Math.min(ev.touchSince, since);
      const from = ev.lowerBound(since);
      const { ts, task, prev, n } = ev;
      if (this.metStamp.length < this.strs.length) this.metStamp = growInt(this.metStamp, Math.max(this.strs.length, this.metStamp.length * 2), 0);
      const stamp = ++this.stamp;
      const met = this.metStamp;
      if (this.splitFlag.length < met.length) {
        const f = new Uint8Array(met.length);
        f.set(this.splitFlag);
        this.splitFlag = f;
      }
      const flag = this.splitFlag;
      const heads = cx.tAwaits;
      for (let q = from; q < n; q++) {
        if ((q - from) % step === step - 1) yield;
        const t = task[q]!;
        const awaited = t < heads.length && heads[t] !== EMPTY_LIST;
        if (met[t] !== stamp) {
          met[t] = stamp;
          // Most tasks never had a job start: a flag, not a map lookup, says so.
          const list = flag[t] ? splits.get(t) : undefined;
          if (list) {
            if (this.analyzedOnce && !before.has(t)) before.set(t, list.slice());
            const keep = awaited ? 0 : lowerBound(list, since);
            if (keep === 0) {
              splits.delete(t);
              flag[t] = 0;
            } else list.length = keep;
          }
        }
        if (awaited || !startsJob(ts, task, prev[q]!, q, tasks)) continue;
        let list = flag[t] ? splits.get(t) : undefined;
        if (!list) {
          if (this.analyzedOnce && !before.has(t)) before.set(t, undefined);
          splits.set(t, (list = []));
          flag[t] = 1;
        }
        list.push(ts[q]!);
      }
    }
    if (this.analyzedOnce) {
      for (const [t, was] of before) {
        const now = splits.get(t);
        if (!sameList(was, now)) this.touchTask(t);
      }
    }
    // A process that got events meanwhile keeps its marks for the next run, which scans it again.
    for (const p of procs) if (!this.dirtyProcs.has(p)) this.touchBeforeErrors(p);
  }

  /**
   * Whether an access was followed by an Error depends on the events around the error: rescan
   * the variables of the tasks whose events came last before an error at or after the process's
   * earliest new event (a new event may also have come between a read and its error).
   */
  private touchBeforeErrors(p: number): void {
    const ev = this.procs.get(p)!;
    const list = this.errors.get(p);
    const since = Math.min(ev.touchSince, ev.errorsSince);
    ev.touchSince = Infinity;
    ev.errorsSince = Infinity;
    if (!list || !this.analyzedOnce) return;
    for (const err of list) {
      if (err < since) continue;
      const q = ev.lowerBound(err);
      for (let k = Math.max(0, q - 16); k < q; k++) this.touchTask(ev.task[k]!);
    }
  }

  /** The store seqs of the batches that hold events of a trace, ascending. */
  batchesOf(traceId: string): number[] {
    const t = this.interned.get(traceId);
    return t === undefined || t >= this.cx.trBatches.length ? [] : this.lists.toArray(this.cx.trBatches[t]!);
  }

  /** Every trace's figures (made on request: the index keeps them as columns). */
  traceAggregates(): TraceAggregate[] {
    const out: TraceAggregate[] = new Array(this.traceN);
    for (let i = 0; i < this.traceN; i++) out[i] = this.aggregateOf(this.traceSyms[i]!);
    return out;
  }

  private aggregateOf(t: number): TraceAggregate {
    const { cx, strs } = this;
    const services = [strs[cx.uSvc[cx.trUnit[t]!]!]!];
    for (const s of this.moreServices.get(t) ?? []) services.push(strs[s]!);
    return { trace_id: strs[t]!, count: cx.trCount[t]!, first: cx.trFirst[t]!, last: cx.trLast[t]!, services };
  }

  /**
   * The traces `offset`..`offset + limit` most recent first (by last event, then id), without
   * sorting them all: one pass keeps the best `offset + limit` in a heap.
   */
  recentTraces(offset: number, limit: number): TraceAggregate[] {
    const { cx, strs } = this;
    const k = Math.min(this.traceN, offset + limit);
    if (k <= offset) return [];
    // `a` ranks after `b` (older, or as old with a larger id).
    const after = (a: number, b: number): boolean => cx.trLast[a]! < cx.trLast[b]! || (cx.trLast[a] === cx.trLast[b] && strs[a]! > strs[b]!);
    // A heap whose root is the one that ranks last among those kept.
    const heap = new Int32Array(k);
    let size = 0;
    const down = (i: number): void => {
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < size && after(heap[l]!, heap[m]!)) m = l;
        if (r < size && after(heap[r]!, heap[m]!)) m = r;
        if (m === i) return;
        const x = heap[i]!;
        heap[i] = heap[m]!;
        heap[m] = x;
        i = m;
      }
    };
    for (let i = 0; i < this.traceN; i++) {
      const t = this.traceSyms[i]!;
      if (size < k) {
        let j = size++;
        heap[j] = t;
        while (j > 0) {
          const p = (j - 1) >> 1;
          if (!after(heap[j]!, heap[p]!)) break;
          const x = heap[j]!;
          heap[j] = heap[p]!;
          heap[p] = x;
          j = p;
        }
      } else if (after(heap[0]!, t)) {
        heap[0] = t;
        down(0);
      }
    }
    const best = Array.from(heap.subarray(0, size)).sort((a, b) => (after(a, b) ? 1 : after(b, a) ? -1 : 0));
    return best.slice(offset).map((t) => this.aggregateOf(t));
  }

  /**
   * The analyzer's view of tasks, units and children, read from the columns. What it reads is
   * kept for the run (an Ordering asks for the same task many times).
   */
  context(): AnalysisContext {
    const { cx, strs, lists, interned } = this;
    // By string / unit number (plain arrays: they stay fast at a million entries, and a lookup by
    // number is cheaper than one more Map keyed by task name).
    const tasks: (TaskInfo | undefined)[] = new Array(strs.length);
    const units: (UnitInfo | undefined)[] = new Array(cx.units);
    const children = new Map<string, string[]>();
    // The Ordering asks for one task twice in a row (its segment, then its job): remember the last.
    let lastName: string | undefined;
    let lastInfo: TaskInfo | undefined;
    return {
      tasks: {
        get: (name) => {
          if (name === lastName) return lastInfo;
          lastName = name;
          lastInfo = undefined;
          const t = interned.get(name);
          if (t === undefined || t >= cx.tKnown.length || !cx.tKnown[t]) return undefined;
          let info = tasks[t];
          if (!info) {
            // One shape for every task (absent fields undefined), so the analyzer's reads stay monomorphic.
            const p = cx.tParent[t]!;
            const first = cx.tFirst[t]!;
            tasks[t] = info = {
              awaits: this.awaitLists.sorted(cx.tAwaits[t]!), parent: p >= 0 ? strs[p]! : undefined, spawnTs: p >= 0 ? cx.tSpawnTs[t]! : undefined,
              first: first === first ? first : undefined, last: first === first ? cx.tLast[t]! : undefined,
              splits: this.splits.get(t),
            };
          }
          return (lastInfo = info);
        },
      },
      units: {
        get: (key) => {
          if (typeof key !== 'number' || !(key >= 0 && key < cx.units) || cx.uInfo[key] === 0) return undefined;
          let info = units[key];
          if (!info) {
            info = { service: strs[cx.uSvc[key]!]!, start: cx.uStart[key]!, end: orNull(cx.uEnd[key]!), http: cx.uInfo[key] === 2 };
            units[key] = info;
          }
          return info;
        },
      },
      coverage: this.coverage,
      throwsAfter: (name, ts, ownCounter) => {
        const t = interned.get(name);
        const p = t === undefined || t >= this.taskProc.length ? -1 : this.taskProc[t]!;
        const errs = p < 0 ? undefined : this.errors.get(p);
        if (!errs) return false;
        const ev = this.procs.get(p)!;
        ev.sort();
        const own = (f: number): boolean => {
          const known = this.failureClocks.get(`${p},${f}`);
          if (known) return known.some(([task, clock]) => failureReaches(strs[task]!, clock, name, ownCounter, this.coverage));
          for (let i = ev.lowerBound(f); i < ev.n && ev.ts[i] === f; i++) if (ev.task[i] === t) return true;
          return false;
        };
        return failsNext(ev.ts, ev.n, errs, this.accessTimes.get(p) ?? [], ts, own);
      },
      children: {
        get: (name) => {
          let list = children.get(name);
          if (!list) {
            const t = interned.get(name);
            list = [];
            if (t !== undefined && t < cx.tChildren.length) lists.forEach(cx.tChildren[t]!, (c) => list!.push(strs[c]!));
            children.set(name, list);
          }
          return list;
        },
      },
    };
  }

  /** Adds the variables of every task in the families of `dirtyFamilies` to `dirty`. */
  private expandFamilies(ordering: Ordering): void {
    const { cx, lists, strs, interned } = this;
    const roots = new Set<number>();
    for (const t of this.dirtyFamilies) roots.add(interned.get(ordering.familyRoot(strs[t]!))!);
    this.dirtyFamilies.clear();
    const seen = new Set<number>();
    const stack = [...roots];
    while (stack.length) {
      const t = stack.pop()!;
      if (seen.has(t)) continue;
      seen.add(t);
      lists.forEach(cx.tVars[t]!, (v) => this.dirty.add(v));
      lists.forEach(cx.tChildren[t]!, (c) => stack.push(c));
    }
  }

  detail(seq: number): AccessDetail | undefined {
    const acc = this.acc;
    if (!(seq >= 0 && seq < acc.n)) return undefined;
    const r = seq * R_STRIDE;
    const strs = this.strs;
    const ts = acc.num[seq * 2]!;
    return {
      seq, event_id: acc.oddIds.get(seq) ?? idString(acc.ids, seq * 4), trace_id: strs[acc.ref[r + R_TRACE]!]!, thread_id: strs[acc.ref[r + R_TASK]!]!,
      service_name: strs[acc.ref[r + R_SERVICE]!]!, access_type: ACCESS_CODES[acc.access[seq]!] ?? 'Read', location: strs[acc.ref[r + R_LOCATION]!]!,
      timestamp: acc.oddTimestamps.get(seq) ?? formatMicros(ts), old_value: JSON.parse(acc.old[seq]!) as JsonValue, new_value: JSON.parse(acc.value[seq]!) as JsonValue,
    };
  }

  /** The string number of a task's process key, or undefined (older chunks do not say). */
  private procOfTask(task: number): number | undefined {
    const p = task < this.taskProc.length ? this.taskProc[task]! : -1;
    return p < 0 ? undefined : p;
  }

  /** The analyzer's records of a variable's accesses (built for one scan). */
  private recordsOf(entry: VarEntry): AccessRecord[] {
    const { num, ref, access, clock, value, old, locks } = this.acc;
    const strs = this.strs;
    const list = entry.list;
    const out: AccessRecord[] = new Array(list.length);
    for (let i = 0; i < list.length; i++) {
      const seq = list[i]!;
      const r = seq * R_STRIDE;
      out[i] = {
        seq, variable: strs[ref[r + R_VARIABLE]!]!, task: strs[ref[r + R_TASK]!]!, unit: ref[r + R_UNIT]!, access: ACCESS_CODES[access[seq]!] ?? 'Read',
        ts: num[seq * 2]!, own: num[seq * 2 + 1]!, clock: clock[seq]!, locks: locks.get(seq) ?? null, value: value[seq]!, old: old[seq]!,
        proc: this.procOfTask(ref[r + R_TASK]!), site: ref[r + R_LOCATION]!,
      };
    }
    return out;
  }

  private sortEntry(entry: VarEntry): void {
    if (entry.sorted) return;
    const num = this.acc.num;
    entry.list.sort((a, b) => num[a * 2]! - num[b * 2]! || a - b);
    entry.sorted = true;
  }

  /** Nothing changed since the last finished analysis. */
  private get fresh(): boolean {
    return this.reports !== null && this.dirty.size === 0 && this.dirtyFamilies.size === 0 && this.dirtyProcs.size === 0 &&
      this.queue.size === 0 && this.starting === null;
  }

  /**
   * Starts an analysis run: folds in the ordering context that changed and moves the dirty
   * variables to the run's queue. Events ingested while the run goes on mark variables dirty for
   * the next run (a variable scanned before them is scanned again then).
   */
  private *beginRun(splitStep = SPLIT_STEP): Generator<void, void, void> {
    yield* this.updateSplits(splitStep);
    this.analyzedOnce = true;
    this.expandFamilies(new Ordering(this.context()));
    for (const v of this.dirty) this.queue.add(v);
    this.dirty.clear();
    this.runScanned = 0;
    this.runOrdering = null;
  }

  /**
   * Scans queued variables until the queue is empty or `deadline` (performance.now()) has passed;
   * true when the queue is empty. One variable is the smallest step. The context view is made
   * afresh for each call: between two calls ingest may have changed what it caches.
   */
  private scanQueued(deadline: number): boolean {
    // The context view caches what it read: made again only when ingest changed the index.
    if (!this.runOrdering || this.runOrderingAt !== this.adds) {
      this.runOrdering = new Ordering(this.context());
      this.runOrderingAt = this.adds;
    }
    const ordering = this.runOrdering;
    for (const v of this.queue) {
      this.queue.delete(v);
      const k = v < this.varOf.length ? this.varOf[v]! : -1;
      if (k < 0) continue;
      const entry = this.vars[k]!;
      this.sortEntry(entry);
      const out = new Findings();
      scanVariable(this.recordsOf(entry), ordering, out, this.options);
      entry.reports = [];
      this.suppressed += out.suppressed - entry.suppressed;
      entry.suppressed = out.suppressed;
      for (const f of out.list) {
        const r = describe(f, (s) => this.detail(s));
        if (r) entry.reports.push(r);
      }
      this.runScanned += entry.list.length;
      if (performance.now() >= deadline) break;
    }
    return this.queue.size === 0;
  }

  /** Ends a run whose queue is empty: the reports of every variable, sorted for display. */
  private finishRun(): RaceReport[] {
    this.lastScanned = this.runScanned;
    const reports: RaceReport[] = [];
    for (const entry of this.vars) for (const r of entry.reports) reports.push(r);
    this.reports = sortReports(reports);
    return this.reports;
  }

  /** Race reports over everything indexed, rescanning only the variables that changed (in one go). */
  analyze(): RaceReport[] {
    if (this.fresh) return this.reports!;
    // A sliced run in progress shares the queue: this finishes it (its start too, when it is in there).
    for (const _ of this.starting ?? this.beginRun());
    this.scanQueued(Infinity);
    return this.finishRun();
  }

  /**
   * `analyze()` in slices of about `sliceMs` that yield to the event loop between them, so that a
   * long analysis (a large store, a restart) never holds up ingest or `/health` for longer than
   * one slice (or one variable's scan, the smallest step). A caller that arrives during a run
   * waits for it, and gets an answer that covers everything ingested before its call.
   */
  async analyzeSliced(sliceMs = ANALYSIS_SLICE_MS, splitStep = SPLIT_STEP): Promise<RaceReport[]> {
    for (;;) {
      if (this.fresh) return this.reports!;
      if (!this.running) {
        this.running = this.runSliced(sliceMs, splitStep).finally(() => {
          this.running = null;
        });
        return this.running;
      }
      // A run that started before this call may not cover what was ingested before it: wait, look again.
      await this.running.catch(() => undefined);
    }
  }

  private async runSliced(sliceMs: number, splitStep: number): Promise<RaceReport[]> {
    // Events that keep arriving during a run mark more variables dirty: a second run takes them,
    // later ones are left to the next caller (whose answer then includes them).
    let result: RaceReport[] = this.reports ?? [];
    for (let round = 0; round < 2 && !this.fresh; round++) {
      let deadline = performance.now() + sliceMs;
      this.starting = this.beginRun(splitStep);
      try {
        for (const _ of this.starting) {
          if (performance.now() < deadline) continue;
          await yieldToEventLoop();
          deadline = performance.now() + sliceMs;
        }
      } finally {
        this.starting = null;
      }
      while (!this.scanQueued(deadline)) {
        await yieldToEventLoop();
        deadline = performance.now() + sliceMs;
      }
      result = this.finishRun();
      if (!this.fresh) await yieldToEventLoop();
    }
    return result;
  }

  /** The accesses of one variable in time order, `offset`..`offset + limit`. */
  variableAccesses(variable: string, limit = 2000, offset = 0): AccessDetail[] {
    const entry = this.entryOf(variable);
    if (!entry) return [];
    this.sortEntry(entry);
    return entry.list.slice(offset, offset + limit).map((seq) => this.detail(seq)!);
  }

  /** How many accesses a variable has. */
  variableAccessCount(variable: string): number {
    return this.entryOf(variable)?.list.length ?? 0;
  }

  private entryOf(variable: string): VarEntry | undefined {
    const v = this.interned.get(boundName(variable));
    const k = v !== undefined && v < this.varOf.length ? this.varOf[v]! : -1;
    return k < 0 ? undefined : this.vars[k];
  }

}
