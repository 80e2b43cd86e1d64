/**
 * How captured events travel from the app thread to the shipping thread with almost no work on the
 * app thread: each event is a fixed row of numbers in a shared ring (SharedArrayBuffer); strings are
 * interned once into a table both sides keep (new entries ride along with the next hand-off), and so
 * are clock bases and lock sets. Only values that are not numbers (strings, snapshots of objects)
 * are carried in the hand-off message. The shipping thread turns rows into wire JSON (`encode`).
 *
 * Why one module of this size: the row layout written on the app thread and the encoder that reads
 * it on the shipping thread are one format, changed together.
 */
import type { Clock } from './clock';
import type { Task } from './context';
import { ByteOut } from './byte-out';
import { writeUuidV7 } from './ids';
import { K } from './record';
import { SnapshotText } from './serialize';
import { writeMicros } from './time';

// Columns of one event row.
const KIND = 0, SEQ = 1, TS = 2, TASK = 3, TRACE = 4, PSEQ = 5, PTS = 6, CLOCK = 7, OWN = 8, LOCKS = 9, DUR = 10, S0 = 11, S1 = 12, S2 = 13, V0 = 14, V1 = 15, TAGS = 16;
export const STRIDE = 17;
/**
 * TAGS bits: the value column holds the number itself (else the value is the next entry of `vals`);
 * the entry of `vals` is a snapshot's JSON text (`SnapshotText`), copied into the event as it is.
 */
const V0_NUM = 1, V1_NUM = 2, V0_TEXT = 4, V1_TEXT = 8;
/** Interned strings kept before both tables start over (bounds memory on both threads). */
const TABLE_MAX = 50_000;
/** The string table also starts over past this many characters: a few huge names must not stay resident on both threads. */
const TABLE_MAX_CHARS = 4_000_000;

const ACCESS = ['Read', 'Write', 'AtomicRead', 'AtomicWrite', 'AtomicRMW'];

/** One hand-off: rows [from, to) of the ring plus what the reader needs to decode them. */
export interface Handoff {
  from: number;
  to: number;
  /** The tables were reset before these new entries (both sides start over). */
  reset: boolean;
  strings: string[];
  /** New clock bases, flattened [stringId, counter, …], ids continuing the table. */
  clocks: number[][];
  locks: number[][];
  vals: unknown[];
}

let nextGeneration = 0;

/** Writes rows into the shared ring on the app thread. */
export class RingWriter {
  readonly rows: Float64Array;
  /** Rows written since the start (row i lives at i % capacity). */
  written = 0;
  /** Rows the reader has finished with (advanced by its acknowledgements). */
  consumed = 0;
  private handedOff = 0;
  private reset = false;
  private strings = new Map<string, number>();
  private newStrings: string[] = [];
  private clockCount = 0;
  private newClocks: number[][] = [];
  private locks = new Map<readonly string[], number>();
  private newLocks: number[][] = [];
  private vals: unknown[] = [];
  /** Identifies the current tables across writers and resets (tasks cache their string ids per generation). */
  private gen = nextGeneration++;

  constructor(readonly capacity: number, readonly buffer: SharedArrayBuffer | ArrayBuffer = new SharedArrayBuffer(capacity * STRIDE * 8)) {
    this.rows = new Float64Array(buffer);
  }

  /** Rows written but not yet handed off. */
  get pending(): number {
    return this.written - this.handedOff;
  }

  get full(): boolean {
    return this.written - this.consumed >= this.capacity;
  }

  private str(s: string): number {
    let i = this.strings.get(s);
    if (i === undefined) {
      i = this.strings.size;
      this.strings.set(s, i);
      this.newStrings.push(s);
      this.stringChars += s.length;
    }
    return i;
  }

  /** Characters of the strings in the table (see TABLE_MAX_CHARS). */
  private stringChars = 0;

  /** Forgets rows not handed off yet (their reader is gone) and starts the tables over for a new reader. */
  abandon(): number {
    const lost = this.written - this.handedOff;
    this.handedOff = this.consumed = this.written;
    this.vals = [];
    this.startOver();
    return lost;
  }

  /** Drops every table (both sides), so ids stay bounded however many distinct names a program makes. */
  private startOver(): void {
    this.strings = new Map();
    this.stringChars = 0;
    this.newStrings = [];
    this.clockCount = 0;
    this.newClocks = [];
    this.locks = new Map();
    this.newLocks = [];
    this.reset = true;
    this.gen = nextGeneration++;
  }

  private clock(c: Clock): number {
    // The table id lives on the clock (valid for this writer's generation): no map to look it up in.
    let i = c.wireGen === this.gen ? c.wireId : undefined;
    if (i === undefined) {
      const flat: number[] = [];
      for (const [comp, n] of c.pairs) flat.push(this.str(comp.id), n);
      i = this.clockCount++;
      c.wireGen = this.gen;
      c.wireId = i;
      this.newClocks.push(flat);
    }
    return i;
  }

  private lockSet(l: readonly string[]): number {
    if (l.length === 0) return -1;
    let i = this.locks.get(l);
    if (i === undefined) {
      i = this.locks.size;
      this.locks.set(l, i);
      this.newLocks.push(l.map((s) => this.str(s)));
    }
    return i;
  }

  /** The tables have grown past their bound: hand off soon, they start over after that. */
  get tablesFull(): boolean {
    return this.strings.size >= TABLE_MAX || this.stringChars >= TABLE_MAX_CHARS;
  }

  /** Writes value `v` (tag bits `num`, `text`): a number into column `col`, anything else to `vals`. */
  private value(n: Float64Array, col: number, v: unknown, num: number, text: number): number {
    if (typeof v === 'number') {
      n[col] = v;
      return num;
    }
    if (v instanceof SnapshotText) {
      this.vals.push(v.json);
      return text;
    }
    this.vals.push(v);
    return 0;
  }

  /** Writes one event. The caller checks `full` first. */
  add(k: K, seq: number, ts: number, task: Task, a: unknown, b: unknown, c: unknown, d: unknown, e: unknown, dur: number | null): void {
    const n = this.rows;
    const o = (this.written % this.capacity) * STRIDE;
    n[o + SEQ] = seq;
    n[o + TS] = ts;
    if (task.wireGen !== this.gen) {
      task.wireId = this.str(task.id);
      task.wireTrace = this.str(task.trace);
      task.wireGen = this.gen;
      task.wireBase = null;
    }
    n[o + TASK] = task.wireId;
    n[o + TRACE] = task.wireTrace;
    if (task.wireBase !== task.base) {
      task.wireClock = this.clock(task.base);
      task.wireBase = task.base;
    }
    const span = task.span;
    n[o + PSEQ] = span === null ? -1 : span.seq;
    n[o + PTS] = span === null ? 0 : span.ts;
    n[o + CLOCK] = task.wireClock;
    n[o + OWN] = task.own;
    n[o + LOCKS] = this.lockSet(task.locks);
    n[o + DUR] = dur === null ? -1 : dur;
    n[o + KIND] = k;
    let tags = 0;
    switch (k) {
      case K.StateChange:
        n[o + S0] = this.str(a as string);
        n[o + S1] = this.str(d as string);
        n[o + S2] = ACCESS.indexOf(e as string);
        tags = this.value(n, o + V0, b, V0_NUM, V0_TEXT) | this.value(n, o + V1, c, V1_NUM, V1_TEXT);
        break;
      case K.FunctionCall:
        n[o + S0] = this.str(a as string);
        n[o + S1] = this.str(b as string);
        n[o + S2] = this.str(d as string);
        n[o + V1] = Number(e) >>> 0;
        tags = this.value(n, o + V0, c, V0_NUM, V0_TEXT);
        break;
      case K.AsyncSpawn:
        n[o + S0] = this.str(a as string);
        n[o + S1] = this.str(b as string);
        break;
      case K.AsyncAwait:
        n[o + S1] = this.str(b as string);
        break;
      case K.LockAcquire:
      case K.LockRelease:
        n[o + S0] = this.str(a as string);
        n[o + S1] = this.str(b as string);
        n[o + S2] = this.str(c as string);
        break;
      default:
        this.vals.push(a, b, c, d, e);
    }
    n[o + TAGS] = tags;
    this.written++;
  }

  /** What the reader needs for the rows written since the last hand-off. */
  handoff(): Handoff {
    const h: Handoff = { from: this.handedOff, to: this.written, reset: this.reset, strings: this.newStrings, clocks: this.newClocks, locks: this.newLocks, vals: this.vals };
    this.handedOff = this.written;
    this.reset = false;
    this.newStrings = [];
    this.newClocks = [];
    this.newLocks = [];
    this.vals = [];
    // Tables only start over between hand-offs, so every row is decoded with the tables it was written with.
    if (this.tablesFull) this.startOver();
    return h;
  }
}

/** Per-config constant parts of every event's metadata. */
export interface MetaConfig {
  serviceName: string;
  environment: string;
  tags: Record<string, string>;
  instanceId: string | null;
  pid: number;
}

export function metaTail(m: MetaConfig): string {
  const q = JSON.stringify;
  const extra = m.instanceId === null ? '' : `,"instance_id":${q(m.instanceId)}`;
  return `,"process_id":${m.pid},"service_name":${q(m.serviceName)},"environment":${q(m.environment)},"tags":${q(m.tags)}${extra}`;
}

/** JSON of a snapshot value; `null` for what JSON has no form for (undefined, functions). */
function j(v: unknown): string {
  return (v === undefined ? undefined : JSON.stringify(v)) ?? 'null';
}

/** Numbers as JSON: NaN and infinities are not JSON numbers (the runtime snapshots them as strings). */
function num(x: number): string {
  return Number.isFinite(x) ? (Object.is(x, -0) ? '0' : String(x)) : `"${x}"`;
}

/**
 * Wire JSON of a hand-off's events as UTF-8, back to back, each followed by a comma: event `i` is
 * `bytes[i === 0 ? 0 : ends[i - 1], ends[i] - 1)`.
 */
export interface EncodedEvents {
  bytes: Buffer;
  ends: number[];
}

const ascii = (s: string): Buffer => Buffer.from(s, 'latin1');
const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');
// The constant pieces of an event, in the order they are written.
const P_ID = ascii('{"id":"'), P_TRACE = ascii('","trace_id":'), P_PARENT = ascii(',"parent_id":'), P_NULL = ascii('null');
const P_TS = ascii(',"timestamp":"'), P_KIND = ascii('","kind":'), P_THREAD = ascii(',"metadata":{"thread_id":'), P_DUR = ascii(',"duration_ns":');
const P_CLOCK = ascii('},"causality_vector":['), P_LOCKS = ascii(']],"lock_set":'), P_NO_LOCKS = ascii('[]'), P_END = ascii('},');
const P_SC = ascii('{"StateChange":{"variable":'), P_OLD = ascii(',"old_value":'), P_NEW = ascii(',"new_value":'), P_LOC = ascii(',"location":'), P_ACCESS = ascii(',"access_type":"');
const P_FC = ascii('{"FunctionCall":{"function_name":'), P_MODULE = ascii(',"module":'), P_ARGS = ascii(',"args":'), P_FILE = ascii(',"file":'), P_LINE = ascii(',"line":');
const P_SPAWN = ascii('{"AsyncSpawn":{"task_id":'), P_BY = ascii(',"spawned_by":');
const P_AWAIT = ascii('{"AsyncAwait":{"future_id":"'), P_AT = ascii('","awaited_at":');
const P_ACQ = ascii('{"LockAcquire":{"lock_id":'), P_REL = ascii('{"LockRelease":{"lock_id":'), P_LTYPE = ascii(',"lock_type":');
const P_CLOSE2 = ascii('}}'), P_ACCESS_END = ascii('"}}');
const ACCESS_BYTES = ACCESS.map(ascii);

/** Reads rows on the shipping thread and produces wire JSON. Keeps the reader's copy of the tables. */
export class RingReader {
  private readonly rows: Float64Array;
  /** JSON-quoted forms of the interned strings, as UTF-8, made once per string. */
  private quoted: Buffer[] = [];
  private clockJson: Buffer[] = [];
  private lockJson: Buffer[] = [];
  private readonly tail: Buffer;
  private readonly out = new ByteOut();

  constructor(buffer: SharedArrayBuffer | ArrayBuffer, readonly capacity: number, tail: string, private readonly newFutureId: () => string) {
    this.rows = new Float64Array(buffer);
    this.tail = utf8(tail);
  }

  /** Wire JSON of every event of a hand-off, in order. */
  encode(h: Handoff): EncodedEvents {
    if (h.reset) {
      this.quoted = [];
      this.clockJson = [];
      this.lockJson = [];
    }
    for (const s of h.strings) this.quoted.push(utf8(JSON.stringify(s)));
    const sj = this.quoted;
    for (const flat of h.clocks) {
      const parts: string[] = [];
      for (let i = 0; i < flat.length; i += 2) parts.push(`[${sj[flat[i]!]!.toString()},${flat[i + 1]}]`);
      this.clockJson.push(utf8(parts.length ? parts.join(',') + ',' : ''));
    }
    for (const l of h.locks) this.lockJson.push(utf8(`[${l.map((i) => sj[i]!.toString()).join(',')}]`));
    const out = this.out;
    out.pos = 0;
    const ends: number[] = [];
    const n = this.rows;
    const v = h.vals;
    let vi = 0;
    for (let r = h.from; r < h.to; r++) {
      const o = (r % this.capacity) * STRIDE;
      const k = n[o + KIND] as K;
      const ts = n[o + TS]!;
      const thread = sj[n[o + TASK]!]!;
      const pseq = n[o + PSEQ]!;
      const li = n[o + LOCKS]!;
      const dur = n[o + DUR]!;
      const tags = n[o + TAGS]!;
      out.bytes(P_ID);
      writeUuidV7(out, ts, n[o + SEQ]!);
      out.bytes(P_TRACE);
      out.bytes(sj[n[o + TRACE]!]!);
      out.bytes(P_PARENT);
      if (pseq < 0) out.bytes(P_NULL);
      else {
        out.byte(0x22);
        writeUuidV7(out, n[o + PTS]!, pseq);
        out.byte(0x22);
      }
      out.bytes(P_TS);
      writeMicros(out, ts);
      out.bytes(P_KIND);
      switch (k) {
        case K.StateChange:
          out.bytes(P_SC);
          out.bytes(sj[n[o + S0]!]!);
          out.bytes(P_OLD);
          if (tags & V0_NUM) out.text(num(n[o + V0]!));
          else out.text(tags & V0_TEXT ? v[vi++] as string : j(v[vi++]));
          out.bytes(P_NEW);
          if (tags & V1_NUM) out.text(num(n[o + V1]!));
          else out.text(tags & V1_TEXT ? v[vi++] as string : j(v[vi++]));
          out.bytes(P_LOC);
          out.bytes(sj[n[o + S1]!]!);
          out.bytes(P_ACCESS);
          out.bytes(ACCESS_BYTES[n[o + S2]!] ?? ACCESS_BYTES[1]!);
          out.bytes(P_ACCESS_END);
          break;
        case K.FunctionCall:
          out.bytes(P_FC);
          out.bytes(sj[n[o + S0]!]!);
          out.bytes(P_MODULE);
          out.bytes(sj[n[o + S1]!]!);
          out.bytes(P_ARGS);
          if (tags & V0_NUM) out.text(num(n[o + V0]!));
          else out.text(tags & V0_TEXT ? v[vi++] as string : j(v[vi++]));
          out.bytes(P_FILE);
          out.bytes(sj[n[o + S2]!]!);
          out.bytes(P_LINE);
          out.uint(n[o + V1]!);
          out.bytes(P_CLOSE2);
          break;
        case K.AsyncSpawn:
          out.bytes(P_SPAWN);
          out.bytes(sj[n[o + S0]!]!);
          out.bytes(P_BY);
          out.bytes(sj[n[o + S1]!]!);
          out.bytes(P_CLOSE2);
          break;
        case K.AsyncAwait:
          out.bytes(P_AWAIT);
          out.text(this.newFutureId());
          out.bytes(P_AT);
          out.bytes(sj[n[o + S1]!]!);
          out.bytes(P_CLOSE2);
          break;
        case K.LockAcquire:
        case K.LockRelease:
          out.bytes(k === K.LockAcquire ? P_ACQ : P_REL);
          out.bytes(sj[n[o + S0]!]!);
          out.bytes(P_LTYPE);
          out.bytes(sj[n[o + S1]!]!);
          out.bytes(P_LOC);
          out.bytes(sj[n[o + S2]!]!);
          out.bytes(P_CLOSE2);
          break;
        default:
          out.text(otherKind(k, v[vi], v[vi + 1], v[vi + 2], v[vi + 3]));
          vi += 5;
      }
      out.bytes(P_THREAD);
      out.bytes(thread);
      out.bytes(this.tail);
      out.bytes(P_DUR);
      if (!(dur >= 0)) out.bytes(P_NULL);
      else out.uint(Math.round(dur));
      out.bytes(P_CLOCK);
      out.bytes(this.clockJson[n[o + CLOCK]!]!);
      out.byte(0x5b); // [
      out.bytes(thread);
      out.byte(0x2c); // ,
      out.uint(n[o + OWN]!);
      out.bytes(P_LOCKS);
      out.bytes(li < 0 ? P_NO_LOCKS : this.lockJson[li]!);
      out.bytes(P_END);
      ends.push(out.pos);
    }
    return { bytes: out.take(), ends };
  }
}

function otherKind(k: K, a: unknown, b: unknown, c: unknown, d: unknown): string {
  const q = JSON.stringify;
  switch (k) {
    case K.HttpRequest:
      return `{"HttpRequest":{"method":${q(a)},"url":${q(b)},"headers":${q(c)},"body":${j(d)}}}`;
    case K.HttpResponse:
      return `{"HttpResponse":{"status":${Number(a) >>> 0},"headers":${q(b)},"body":${j(c)},"duration_ms":${Math.max(0, Math.round(Number(d)))}}}`;
    case K.Error:
      return `{"Error":{"error_type":${q(a)},"message":${q(b)},"stack_trace":${q(c)}}}`;
    case K.Custom:
      return `{"Custom":{"name":${q(a)},"data":${j(b)}}}`;
    default:
      return q(a);
  }
}
