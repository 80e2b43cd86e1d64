/**
 * The in-memory analysis index: every access grouped by variable, task and unit context, kept up
 * to date by ingest and persisted by the store as per-batch chunks (so a restart rebuilds it
 * without re-parsing events). Analysis is incremental: only variables whose accesses or ordering
 * context changed since the last run are scanned again.
 */
import type { AccessType, JsonValue, RacewayEvent } from '../runtime/events';
import {
  CoverageTable, describe, failureReaches, kindName, micros, noteUnit, ownComponent, Ordering, scanVariable, sortReports,
  type AccessDetail, type AccessRecord, type AnalysisContext, type AnalyzerOptions, type RaceReport,
  type TaskInfo, type UnitInfo, type UnitStats,
} from './analyzer';
import { Findings } from './analyzer/detect';
import { failsNext, processKey, startsJob, type SplitTasks } from './analyzer/jobs';
import { isFailureEvent } from './analyzer/failures';
import { idString, idWords } from './id-set';
import { EMPTY_LIST, FloatLists, IntLists, growFloat, growInt } from './int-lists';
import { ProcessEvents, sameList } from './process-events';
import { insertAscending, lowerBound } from './analyzer/sorted';

/** `2025-10-18T14:32:10.123456Z` from microseconds since the epoch. */
export function formatMicros(us: number): string {
  const ms = Math.floor(us / 1000);
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return new Date(0).toISOString();
  return d.toISOString().slice(0, 23) + String(us - ms * 1000).padStart(3, '0') + 'Z';
}

const ACCESS_CODES: AccessType[] = ['Read', 'Write', 'AtomicRead', 'AtomicWrite', 'AtomicRMW'];

/**
 * What one ingested batch adds to the index, compact so that the ingest worker can hand it to the
 * main thread cheaply (a string array and one transferable Float64Array) and the store can persist
 * it: strings live once in `s`, and `n` holds fixed-stride numeric records whose string fields are
 * indices into `s`. `c` counts the records of each section, laid out one after the other in `n`:
 * accesses (A_STRIDE: the event id as four 32-bit words (see id-set.ts; NaN and a string index
 * when the id is not in canonical lower-case form), variable, task, service, trace, access code, ts,
 * own, clock, locks, new value, old value, location, timestamp; locks is -1 for none, else the index
 * of the lock set's JSON; timestamp is -1 when `formatMicros(ts)` gives it back, as it does for the
 * runtime's), awaits [task, ts], spawns [parent, child, ts], units [service, trace, count, first,
 * last, reqTs, respTs] (NaN for null), task spans [task, first, last] (root-task interval rule) and
 * every event as [task, process, ts] (process: `processKey`; jobs of tasks without AsyncAwait),
 * failure events (`analyzer/failures.ts`) as [process, ts] (a reset value read right before one was used)
 * and, in the same order, their [task, clock] (whose job each failure belongs to), and the batch's
 * clock coverage facts [component, value, task, own] (`analyzer/coverage.ts`: the first events per
 * task that carried each component's largest value in the batch).
 * Chunks of earlier versions have no event section (`c[5]` absent).
 * Clocks and values are kept as JSON text. Ids and timestamps are not strings in the index: an
 * access then costs the main thread's heap one string (its clock) instead of three.
 */
export interface IndexChunk {
  s: string[];
  n: Float64Array;
  c: [accesses: number, awaits: number, spawns: number, units: number, tasks: number, events?: number, errors?: number, failureClocks?: number, coverage?: number];
}

export const A_STRIDE = 17;
const W_STRIDE = 2;
const SP_STRIDE = 3;
const U_STRIDE = 7;
const T_STRIDE = 3;
const E_STRIDE = 3;
const ER_STRIDE = 2;
/** Per failure event, in the order of the failure section: its task and clock (JSON text). */
const EC_STRIDE = 2;
/** Clock coverage facts: [component, value, task, own] (see `CoverageTable`). */
const CV_STRIDE = 4;

/** The chunk format of earlier versions (JSON tuples), still read at start-up. */
export interface LegacyChunk {
  a: [string, string, string, string, string, number, number, number, string, string[] | 0, string, string, string, string][];
  w: [string, number][];
  s: [string, string, number][];
  u: [string, string, number, number, number, number | null, number | null][];
  t?: [string, number, number][];
}

/** Strings kept once each, numbered in order of first appearance. */
class StringTable {
  readonly strs: string[] = [];
  readonly index = new Map<string, number>();
  /** The string's number (added if new). */
  id(x: string): number {
    let k = this.index.get(x);
    if (k === undefined) {
      k = this.strs.length;
      this.strs.push(x);
      this.index.set(x, k);
    }
    return k;
  }
}

class ChunkBuilder extends StringTable {
  get s(): string[] { return this.strs; }
  /** Index of a string that repeats (deduplicated). */
  str(x: string): number {
    return this.id(x);
  }
  /** Index of a string that is (nearly always) unique: not looked up (and never found by `str`). */
  once(x: string): number {
    this.strs.push(x);
    return this.strs.length - 1;
  }
}

const scratch = new Int32Array(4);

/** Pushes an access's id (four words, or NaN and a string index) and the rest of its fields. */
function pushAccess(a: number[], b: ChunkBuilder, id: string, ts: number, timestamp: string, rest: number[]): void {
  if (idWords(id, scratch, 0)) a.push(scratch[0]!, scratch[1]!, scratch[2]!, scratch[3]!);
  else a.push(NaN, b.once(id), 0, 0);
  for (const x of rest) a.push(x);
  a.push(roundTrips(ts, timestamp) ? -1 : b.once(timestamp));
}

// The ISO text of the last millisecond formatted (events come in bursts within one).
let isoMs = NaN;
let iso = '';

/** `formatMicros(ts) === timestamp`, with toISOString asked once per millisecond. */
function roundTrips(ts: number, timestamp: string): boolean {
  const ms = Math.floor(ts / 1000);
  if (ms !== isoMs) {
    const d = new Date(ms);
    if (Number.isNaN(d.getTime())) return false;
    iso = d.toISOString().slice(0, 23);
    isoMs = ms;
  }
  if (timestamp.length !== 27 || !timestamp.startsWith(iso) || timestamp.charCodeAt(26) !== 90) return false;
  const us = ts - ms * 1000;
  return timestamp.charCodeAt(23) - 48 === Math.floor(us / 100) && timestamp.charCodeAt(24) - 48 === Math.floor(us / 10) % 10 && timestamp.charCodeAt(25) - 48 === us % 10;
}

function finish(b: ChunkBuilder, a: number[], w: number[], sp: number[], u: number[], t: number[], ev: number[] = [], er: number[] = [], ec: number[] = [], cv: number[] = []): IndexChunk {
  const n = new Float64Array(a.length + w.length + sp.length + u.length + t.length + ev.length + er.length + ec.length + cv.length);
  let o = 0;
  for (const part of [a, w, sp, u, t, ev, er, ec, cv]) {
    n.set(part, o);
    o += part.length;
  }
  return { s: b.s, n, c: [a.length / A_STRIDE, w.length / W_STRIDE, sp.length / SP_STRIDE, u.length / U_STRIDE, t.length / T_STRIDE, ev.length / E_STRIDE, er.length / ER_STRIDE, ec.length / EC_STRIDE, cv.length / CV_STRIDE] };
}

interface ChunkUnit { service: string; first: number; last: number; reqTs: number | null; respTs: number | null; count: number }

/**
 * Builds the chunk of a batch of valid, not yet stored events. `ts[i]`, when given, is
 * `micros(events[i].timestamp)` (the validator computed it already).
 */
export function chunkOf(events: readonly RacewayEvent[], ts?: Float64Array): IndexChunk {
  const b = new ChunkBuilder();
  const a: number[] = [];
  const w: number[] = [];
  const sp: number[] = [];
  // Units by trace, then service (nearly always one).
  const units = new Map<string, ChunkUnit[]>();
  const spans = new Map<string, [number, number]>();
  let lastUnit: ChunkUnit | undefined;
  let lastTrace = '';
  let lastService = '';
  let lastSpan: [number, number] | undefined;
  let lastTask = '';
  const ev: number[] = [];
  const er: number[] = [];
  const ec: number[] = [];
  let lastPid = NaN;
  let lastProcService = '';
  let proc = -1;
  let taskStr = -1;
  let taskStrOf = '';
  const coverage = new CoverageTable();
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    coverage.noteEvent(e.metadata.thread_id, e.causality_vector);
    const t = ts ? ts[i]! : micros(e.timestamp);
    const name = kindName(e);
    const task = e.metadata.thread_id;
    const service = e.metadata.service_name;
    if (name === 'StateChange') {
      const sc = (e.kind as { StateChange: { variable: string; access_type: AccessType; old_value: JsonValue; new_value: JsonValue; location: string } }).StateChange;
      pushAccess(a, b, e.id, t, e.timestamp, [b.str(sc.variable), b.str(task), b.str(service), b.str(e.trace_id), ACCESS_CODES.indexOf(sc.access_type), t,
        ownComponent(e.causality_vector, task), b.once(JSON.stringify(e.causality_vector)), e.lock_set.length ? b.str(JSON.stringify(e.lock_set)) : -1,
        b.str(JSON.stringify(sc.new_value ?? null)), b.str(JSON.stringify(sc.old_value ?? null)), b.str(sc.location)]);
    } else if (name === 'AsyncAwait') {
      w.push(b.str(task), t);
    } else if (name === 'AsyncSpawn') {
      sp.push(b.str(task), b.str((e.kind as { AsyncSpawn: { task_id: string } }).AsyncSpawn.task_id), t);
    }
    // Consecutive events mostly share the request and the task: compare with the last ones before
    // hashing the (freshly parsed) strings into the maps.
    let unit = lastUnit;
    if (!unit || e.trace_id !== lastTrace || service !== lastService) {
      let list = units.get(e.trace_id);
      if (!list) units.set(e.trace_id, (list = []));
      unit = undefined;
      for (const x of list) if (x.service === service) unit = x;
      if (!unit) list.push((unit = { service, first: t, last: t, reqTs: null, respTs: null, count: 0 }));
      lastUnit = unit;
      lastTrace = e.trace_id;
      lastService = service;
    }
    unit.count++;
    noteUnit(unit, name, t);
    let span = lastSpan;
    if (!span || task !== lastTask) {
      span = spans.get(task);
      if (!span) spans.set(task, (span = [t, t]));
      lastSpan = span;
      lastTask = task;
    }
    if (t < span[0]) span[0] = t;
    if (t > span[1]) span[1] = t;
    const pid = e.metadata.process_id;
    if (pid !== lastPid || service !== lastProcService) {
      proc = b.str(processKey(pid, service));
      lastPid = pid;
      lastProcService = service;
    }
    if (task !== taskStrOf) {
      taskStr = b.str(task);
      taskStrOf = task;
    }
    ev.push(taskStr, proc, t);
    if (isFailureEvent(e, name)) {
      er.push(proc, t);
      ec.push(taskStr, b.once(JSON.stringify(e.causality_vector)));
    }
  }
  const u: number[] = [];
  for (const [trace, list] of units) {
    for (const x of list) u.push(b.str(x.service), b.str(trace), x.count, x.first, x.last, x.reqTs ?? NaN, x.respTs ?? NaN);
  }
  const t: number[] = [];
  for (const [task, [first, last]] of spans) t.push(b.str(task), first, last);
  const cv: number[] = [];
  coverage.forEach((component, max, task, at) => cv.push(b.str(component), max, b.str(task), at));
  return finish(b, a, w, sp, u, t, ev, er, ec, cv);
}

/** The current form of a chunk persisted by an earlier version. */
export function fromLegacy(old: LegacyChunk): IndexChunk {
  const b = new ChunkBuilder();
  const a: number[] = [];
  for (const [eventId, variable, task, service, trace, acc, ts, own, clock, locks, value, oldValue, location, timestamp] of old.a) {
    pushAccess(a, b, eventId, ts, timestamp, [b.str(variable), b.str(task), b.str(service), b.str(trace), acc, ts, own, b.once(clock),
      locks === 0 ? -1 : b.str(JSON.stringify(locks)), b.str(value), b.str(oldValue), b.str(location)]);
  }
  const w: number[] = [];
  for (const [task, ts] of old.w) w.push(b.str(task), ts);
  const sp: number[] = [];
  for (const [parent, child, ts] of old.s) sp.push(b.str(parent), b.str(child), ts);
  const u: number[] = [];
  for (const [service, trace, count, first, last, reqTs, respTs] of old.u) u.push(b.str(service), b.str(trace), count, first, last, reqTs ?? NaN, respTs ?? NaN);
  const t: number[] = [];
  for (const [task, first, last] of old.t ?? []) t.push(b.str(task), first, last);
  return finish(b, a, w, sp, u, t);
}

const CHUNK_MAGIC = 0x32435752; // "RWC2" little-endian

/** The persisted form: magic, string-table length, the string table's JSON, padding, the numbers. */
export function encodeChunk(chunk: IndexChunk): Buffer {
  const json = Buffer.from(JSON.stringify([chunk.c, chunk.s]));
  const head = 8 + json.length;
  const pad = (8 - (head % 8)) % 8;
  const out = Buffer.allocUnsafe(head + pad + chunk.n.byteLength);
  out.writeUInt32LE(CHUNK_MAGIC, 0);
  out.writeUInt32LE(json.length, 4);
  json.copy(out, 8);
  out.fill(0, head, head + pad);
  Buffer.from(chunk.n.buffer, chunk.n.byteOffset, chunk.n.byteLength).copy(out, head + pad);
  return out;
}

/** Reads a persisted chunk (either form). */
export function decodeChunk(raw: Buffer): IndexChunk {
  if (raw.length >= 8 && raw.readUInt32LE(0) === CHUNK_MAGIC) {
    const len = raw.readUInt32LE(4);
    const [c, s] = JSON.parse(raw.toString('utf8', 8, 8 + len)) as [IndexChunk['c'], string[]];
    const head = 8 + len;
    const from = head + ((8 - (head % 8)) % 8);
    const n = new Float64Array((raw.length - from) / 8);
    Buffer.from(n.buffer).set(raw.subarray(from));
    return { s, n, c };
  }
  return fromLegacy(JSON.parse(raw.toString('utf8')) as LegacyChunk);
}

// Per-access reference columns (indices into LiveIndex's string table).
const R_VARIABLE = 0;
const R_TASK = 1;
const R_UNIT = 2;
const R_LOCATION = 3;
const R_SERVICE = 4;
const R_TRACE = 5;
const R_STRIDE = 6;

/**
 * The accesses, column by column (by seq): numbers in typed arrays, strings as indices into the
 * index's string table. An access then costs the heap no object of its own, only its clock text;
 * the analyzer's records are built when a variable is scanned, and die young.
 */
class AccessColumns {
  n = 0;
  ids = new Int32Array(4 * 4096);
  /** ts, own. */
  num = new Float64Array(2 * 4096);
  ref = new Int32Array(R_STRIDE * 4096);
  access = new Uint8Array(4096);
  readonly clock: string[] = [];
  readonly value: string[] = [];
  readonly old: string[] = [];
  readonly locks = new Map<number, string[]>();
  /** Ids not in canonical form (the others are words in `ids`). */
  readonly oddIds = new Map<number, string>();
  /** Timestamps that `formatMicros(ts)` does not give back. */
  readonly oddTimestamps = new Map<number, string>();

  reserve(more: number): void {
    const need = this.n + more;
    const cap = this.access.length;
    if (need <= cap) return;
    const next = Math.max(cap * 2, need);
    const grow = <T extends Int32Array | Float64Array | Uint8Array>(a: T, stride: number, make: (len: number) => T): T => {
      const b = make(next * stride);
      b.set(a);
      return b;
    };
    this.ids = grow(this.ids, 4, (l) => new Int32Array(l));
    this.num = grow(this.num, 2, (l) => new Float64Array(l));
    this.ref = grow(this.ref, R_STRIDE, (l) => new Int32Array(l));
    this.access = grow(this.access, 1, (l) => new Uint8Array(l));
  }
}

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
const orNull = (x: number): number | null => (x !== x ? null : x);

/**
 * Per-task, per-trace and per-unit figures live in typed columns indexed by the string table's
 * number of the task or trace (units have numbers of their own): one Map lookup per distinct
 * string of a chunk, then array reads, and no object per task or request for the collector to walk.
 */
class ContextColumns {
  // Tasks (by the task's string number). NaN / -1: unknown.
  tKnown = new Uint8Array(0);
  tParent = new Int32Array(0);
  tSpawnTs = new Float64Array(0);
  tFirst = new Float64Array(0);
  tLast = new Float64Array(0);
  tAwaits = new Int32Array(0);
  tVars = new Int32Array(0);
  tChildren = new Int32Array(0);
  // Traces (by the trace's string number).
  trUnit = new Int32Array(0);
  trCount = new Float64Array(0);
  trFirst = new Float64Array(0);
  trLast = new Float64Array(0);
  trBatches = new Int32Array(0);
  // Units (by unit number).
  uSvc = new Int32Array(0);
  uTrace = new Int32Array(0);
  uFirst = new Float64Array(0);
  uLast = new Float64Array(0);
  uReq = new Float64Array(0);
  uResp = new Float64Array(0);
  /** The interval the analyzer sees: 0 not yet set, 1 a trace's, 2 a request's. */
  uInfo = new Uint8Array(0);
  uStart = new Float64Array(0);
  uEnd = new Float64Array(0);
  uVars = new Int32Array(0);
  units = 0;

  /** Room for string numbers below `n`. */
  reserveSyms(n: number): void {
    const cap = this.tKnown.length;
    if (n <= cap) return;
    const len = Math.max(n, cap * 2, 4096);
    const k = new Uint8Array(len);
    k.set(this.tKnown);
    this.tKnown = k;
    this.tParent = growInt(this.tParent, len, -1);
    this.tSpawnTs = growFloat(this.tSpawnTs, len, NaN);
    this.tFirst = growFloat(this.tFirst, len, NaN);
    this.tLast = growFloat(this.tLast, len, NaN);
    this.tAwaits = growInt(this.tAwaits, len, EMPTY_LIST);
    this.tVars = growInt(this.tVars, len, EMPTY_LIST);
    this.tChildren = growInt(this.tChildren, len, EMPTY_LIST);
    this.trUnit = growInt(this.trUnit, len, -1);
    this.trCount = growFloat(this.trCount, len, 0);
    this.trFirst = growFloat(this.trFirst, len, NaN);
    this.trLast = growFloat(this.trLast, len, NaN);
    this.trBatches = growInt(this.trBatches, len, EMPTY_LIST);
  }

  /** A new unit's number. */
  newUnit(svc: number, trace: number): number {
    const u = this.units++;
    if (u >= this.uSvc.length) {
      const len = Math.max(u + 1, this.uSvc.length * 2, 4096);
      this.uSvc = growInt(this.uSvc, len, 0);
      this.uTrace = growInt(this.uTrace, len, 0);
      this.uFirst = growFloat(this.uFirst, len, NaN);
      this.uLast = growFloat(this.uLast, len, NaN);
      this.uReq = growFloat(this.uReq, len, NaN);
      this.uResp = growFloat(this.uResp, len, NaN);
      const info = new Uint8Array(len);
      info.set(this.uInfo);
      this.uInfo = info;
      this.uStart = growFloat(this.uStart, len, NaN);
      this.uEnd = growFloat(this.uEnd, len, NaN);
      this.uVars = growInt(this.uVars, len, EMPTY_LIST);
    }
    this.uSvc[u] = svc;
    this.uTrace[u] = trace;
    return u;
  }
}

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
    const { s, n, c: [na, nw, nsp, nu, nt, ne = 0, ner = 0, nec = 0, ncv = 0] } = chunk;
    const { strs, cx, lists } = this;
    // Per-chunk cache of string numbers, by the chunk's string index: the string table (a map of
    // 100 000s, each lookup a cache miss on a loaded machine) is asked once per distinct string.
    const symOf = new Int32Array(s.length).fill(-1);
    const Y = (k: number): number => {
      const i = k | 0;
      let y = symOf[i]!;
      if (y < 0) symOf[i] = y = this.sym(s[i]!);
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
        const who: [number, string] = [Y(n[ecOff + k * EC_STRIDE]!), s[n[ecOff + k * EC_STRIDE + 1]! | 0]!];
        const known = this.failureClocks.get(key);
        if (known) known.push(who);
        else this.failureClocks.set(key, [who]);
      }
      this.procs.get(p)!.errorsSince = Math.min(this.procs.get(p)!.errorsSince, n[o + 1]!);
    }
    const cvOff = ecOff + nec * EC_STRIDE;
    for (let o = cvOff; o < cvOff + ncv * CV_STRIDE; o += CV_STRIDE) this.coverage.note(s[n[o]! | 0]!, n[o + 1]!, s[n[o + 2]! | 0]!, n[o + 3]!);
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
        if (!locks) locksOf.set(li, (locks = (JSON.parse(s[li]!) as string[]).map((l) => this.intern(l))));
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
      clock[seq] = s[n[o + 11]! | 0]!;
      value[seq] = s[n[o + 13]! | 0]!;
      old[seq] = s[n[o + 14]! | 0]!;
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
   * marks the variables of tasks whose jobs changed for a rescan.
   */
  private updateSplits(): void {
    if (this.dirtyProcs.size === 0) return;
    const { cx, awaitLists, splits } = this;
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
    for (const p of this.dirtyProcs) {
      const ev = this.procs.get(p)!;
      ev.sort();
      // Only jobs that start at or after the earliest new event can change (a gap that contains a
      // new event, or ends at one, ends at or after it); the rest of the process is as it was.
      const since = ev.since;
      ev.since = Infinity;
      ev.touchSince = since;
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
    for (const p of this.dirtyProcs) this.touchBeforeErrors(p);
    this.dirtyProcs.clear();
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
    const { cx, strs } = this;
    const out: TraceAggregate[] = new Array(this.traceN);
    for (let i = 0; i < this.traceN; i++) {
      const t = this.traceSyms[i]!;
      const services = [strs[cx.uSvc[cx.trUnit[t]!]!]!];
      for (const s of this.moreServices.get(t) ?? []) services.push(strs[s]!);
      out[i] = { trace_id: strs[t]!, count: cx.trCount[t]!, first: cx.trFirst[t]!, last: cx.trLast[t]!, services };
    }
    return out;
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

  /** Race reports over everything indexed, rescanning only the variables that changed. */
  analyze(): RaceReport[] {
    if (this.reports && this.dirty.size === 0 && this.dirtyFamilies.size === 0 && this.dirtyProcs.size === 0) return this.reports;
    this.updateSplits();
    this.analyzedOnce = true;
    const ordering = new Ordering(this.context());
    this.expandFamilies(ordering);
    let scanned = 0;
    for (const v of this.dirty) {
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
      scanned += entry.list.length;
    }
    this.dirty.clear();
    this.lastScanned = scanned;
    const reports: RaceReport[] = [];
    for (const entry of this.vars) for (const r of entry.reports) reports.push(r);
    this.reports = sortReports(reports);
    return this.reports;
  }

  /** The accesses of one variable in time order (at most `limit`). */
  variableAccesses(variable: string, limit = 2000): AccessDetail[] {
    const v = this.interned.get(variable);
    const k = v !== undefined && v < this.varOf.length ? this.varOf[v]! : -1;
    if (k < 0) return [];
    const entry = this.vars[k]!;
    this.sortEntry(entry);
    return entry.list.slice(0, limit).map((seq) => this.detail(seq)!);
  }
}
