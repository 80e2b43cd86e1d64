/**
 * The index chunk: what one ingested batch adds to the in-memory index (live-index.ts), built by
 * the ingest worker and persisted by the store with the batch, so that a restart rebuilds the
 * index without parsing events again. Also the string table both sides number strings with.
 */
import type { AccessType, JsonValue, RacewayEvent } from '../protocol/events';
import { CoverageTable, kindName, micros, noteUnit, ownComponent } from './analyzer';
import { processKey } from './analyzer/jobs';
import { isFailureEvent } from './analyzer/failures';
import { idWords } from './id-set';
import { boundClockText, boundName, boundValueText } from './bounded-text';
/** `2025-10-18T14:32:10.123456Z` from microseconds since the epoch. */
export function formatMicros(us: number): string {
  const ms = Math.floor(us / 1000);
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return new Date(0).toISOString();
  return d.toISOString().slice(0, 23) + String(us - ms * 1000).padStart(3, '0') + 'Z';
}

export const ACCESS_CODES: AccessType[] = ['Read', 'Write', 'AtomicRead', 'AtomicWrite', 'AtomicRMW'];

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
export const W_STRIDE = 2;
export const SP_STRIDE = 3;
export const U_STRIDE = 7;
export const T_STRIDE = 3;
export const E_STRIDE = 3;
export const ER_STRIDE = 2;
/** Per failure event, in the order of the failure section: its task and clock (JSON text). */
export const EC_STRIDE = 2;
/** Clock coverage facts: [component, value, task, own] (see `CoverageTable`). */
export const CV_STRIDE = 4;

/** The chunk format of earlier versions (JSON tuples), still read at start-up. */
export interface LegacyChunk {
  a: [string, string, string, string, string, number, number, number, string, string[] | 0, string, string, string, string][];
  w: [string, number][];
  s: [string, string, number][];
  u: [string, string, number, number, number, number | null, number | null][];
  t?: [string, number, number][];
}

/** Strings kept once each, numbered in order of first appearance. */
export class StringTable {
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
    // Names and values are kept bounded (bounded-text.ts): the full text stays in the stored body.
    const task = boundName(e.metadata.thread_id);
    const service = boundName(e.metadata.service_name);
    if (name === 'StateChange') {
      const sc = (e.kind as { StateChange: { variable: string; access_type: AccessType; old_value: JsonValue; new_value: JsonValue; location: string } }).StateChange;
      pushAccess(a, b, e.id, t, e.timestamp, [b.str(boundName(sc.variable)), b.str(task), b.str(service), b.str(e.trace_id), ACCESS_CODES.indexOf(sc.access_type), t,
        ownComponent(e.causality_vector, e.metadata.thread_id), b.once(boundClockText(JSON.stringify(e.causality_vector))),
        e.lock_set.length ? b.str(JSON.stringify(e.lock_set.map(boundName))) : -1,
        b.str(boundValueText(JSON.stringify(sc.new_value ?? null), sc.new_value ?? null)), b.str(boundValueText(JSON.stringify(sc.old_value ?? null), sc.old_value ?? null)),
        b.str(boundName(sc.location))]);
    } else if (name === 'AsyncAwait') {
      w.push(b.str(task), t);
    } else if (name === 'AsyncSpawn') {
      sp.push(b.str(task), b.str(boundName((e.kind as { AsyncSpawn: { task_id: string } }).AsyncSpawn.task_id)), t);
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
      ec.push(taskStr, b.once(boundClockText(JSON.stringify(e.causality_vector))));
    }
  }
  const u: number[] = [];
  for (const [trace, list] of units) {
    for (const x of list) u.push(b.str(x.service), b.str(trace), x.count, x.first, x.last, x.reqTs ?? NaN, x.respTs ?? NaN);
  }
  const t: number[] = [];
  for (const [task, [first, last]] of spans) t.push(b.str(task), first, last);
  // Task names bounded as in the clocks' text (boundClockText), so the facts name what clocks do.
  const cv: number[] = [];
  coverage.forEach((component, max, task, at) => cv.push(b.str(boundName(component)), max, b.str(boundName(task)), at));
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
