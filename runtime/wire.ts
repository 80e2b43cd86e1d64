/**
 * How captured events travel from the app thread to the shipping thread with almost no work on the
 * app thread: each event is a fixed row of numbers in a shared ring (SharedArrayBuffer); strings are
 * interned once into a table both sides keep (new entries ride along with the next hand-off), and so
 * are clock bases and lock sets. Only values that are not numbers (strings, snapshots of objects)
 * are carried in the hand-off message. The shipping thread turns rows into wire JSON (`encode`).
 */
import type { Clock } from './clock';
import type { Task } from './context';
import { uuidV7 } from './ids';
import { K } from './record';
import { formatMicros } from './time';

// Columns of one event row.
const KIND = 0, SEQ = 1, TS = 2, TASK = 3, TRACE = 4, PSEQ = 5, PTS = 6, CLOCK = 7, OWN = 8, LOCKS = 9, DUR = 10, S0 = 11, S1 = 12, S2 = 13, V0 = 14, V1 = 15, TAGS = 16;
export const STRIDE = 17;
/** TAGS bits: the value column holds the number itself (else the value is the next entry of `vals`). */
const V0_NUM = 1, V1_NUM = 2;
/** Interned strings kept before both tables start over (bounds memory on both threads). */
const TABLE_MAX = 50_000;

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
  private clocks = new WeakMap<Clock, number>();
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
    }
    return i;
  }

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
    this.newStrings = [];
    this.clocks = new WeakMap();
    this.clockCount = 0;
    this.newClocks = [];
    this.locks = new Map();
    this.newLocks = [];
    this.reset = true;
    this.gen = nextGeneration++;
  }

  private clock(c: Clock): number {
    let i = this.clocks.get(c);
    if (i === undefined) {
      const flat: number[] = [];
      for (const [comp, n] of c.pairs) flat.push(this.str(comp), n);
      i = this.clockCount++;
      this.clocks.set(c, i);
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
    return this.strings.size >= TABLE_MAX;
  }

  private value(n: Float64Array, col: number, v: unknown): number {
    if (typeof v === 'number') {
      n[col] = v;
      return 1;
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
        tags = this.value(n, o + V0, b) * V0_NUM | this.value(n, o + V1, c) * V1_NUM;
        break;
      case K.FunctionCall:
        n[o + S0] = this.str(a as string);
        n[o + S1] = this.str(b as string);
        n[o + S2] = this.str(d as string);
        n[o + V1] = Number(e) >>> 0;
        this.vals.push(c);
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
    if (this.strings.size >= TABLE_MAX) this.startOver();
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

function j(v: unknown): string {
  return v === undefined ? 'null' : JSON.stringify(v);
}

/** Numbers as JSON: NaN and infinities are not JSON numbers (the runtime snapshots them as strings). */
function num(x: number): string {
  return Number.isFinite(x) ? (Object.is(x, -0) ? '0' : String(x)) : `"${x}"`;
}

/** Reads rows on the shipping thread and produces wire JSON. Keeps the reader's copy of the tables. */
export class RingReader {
  private readonly rows: Float64Array;
  private strings: string[] = [];
  /** JSON-quoted forms of `strings`, made once per string. */
  private quoted: string[] = [];
  private clockJson: string[] = [];
  private lockJson: string[] = [];

  constructor(buffer: SharedArrayBuffer | ArrayBuffer, readonly capacity: number, private readonly tail: string, private readonly newFutureId: () => string) {
    this.rows = new Float64Array(buffer);
  }

  /** Wire JSON of every event of a hand-off, in order. */
  encode(h: Handoff): string[] {
    if (h.reset) {
      this.strings = [];
      this.quoted = [];
      this.clockJson = [];
      this.lockJson = [];
    }
    for (const s of h.strings) {
      this.strings.push(s);
      this.quoted.push(JSON.stringify(s));
    }
    const sj = this.quoted;
    for (const flat of h.clocks) {
      const parts: string[] = [];
      for (let i = 0; i < flat.length; i += 2) parts.push(`[${sj[flat[i]!]},${flat[i + 1]}]`);
      this.clockJson.push(parts.length ? parts.join(',') + ',' : '');
    }
    for (const l of h.locks) this.lockJson.push(`[${l.map((i) => sj[i]).join(',')}]`);
    const out: string[] = [];
    const n = this.rows;
    const v = h.vals;
    let vi = 0;
    for (let r = h.from; r < h.to; r++) {
      const o = (r % this.capacity) * STRIDE;
      const k = n[o + KIND] as K;
      const ts = n[o + TS]!;
      const thread = sj[n[o + TASK]!]!;
      const pseq = n[o + PSEQ]!;
      const parent = pseq < 0 ? 'null' : `"${uuidV7(n[o + PTS]!, pseq)}"`;
      const li = n[o + LOCKS]!;
      const dur = n[o + DUR]!;
      const tags = n[o + TAGS]!;
      let kind: string;
      switch (k) {
        case K.StateChange: {
          const oldV = tags & V0_NUM ? num(n[o + V0]!) : j(v[vi++]);
          const newV = tags & V1_NUM ? num(n[o + V1]!) : j(v[vi++]);
          kind = `{"StateChange":{"variable":${sj[n[o + S0]!]},"old_value":${oldV},"new_value":${newV},"location":${sj[n[o + S1]!]},"access_type":"${ACCESS[n[o + S2]!] ?? 'Write'}"}}`;
          break;
        }
        case K.FunctionCall:
          kind = `{"FunctionCall":{"function_name":${sj[n[o + S0]!]},"module":${sj[n[o + S1]!]},"args":${j(v[vi++])},"file":${sj[n[o + S2]!]},"line":${n[o + V1]}}}`;
          break;
        case K.AsyncSpawn:
          kind = `{"AsyncSpawn":{"task_id":${sj[n[o + S0]!]},"spawned_by":${sj[n[o + S1]!]}}}`;
          break;
        case K.AsyncAwait:
          kind = `{"AsyncAwait":{"future_id":"${this.newFutureId()}","awaited_at":${sj[n[o + S1]!]}}}`;
          break;
        case K.LockAcquire:
        case K.LockRelease:
          kind = `{"${k === K.LockAcquire ? 'LockAcquire' : 'LockRelease'}":{"lock_id":${sj[n[o + S0]!]},"lock_type":${sj[n[o + S1]!]},"location":${sj[n[o + S2]!]}}}`;
          break;
        default:
          kind = otherKind(k, v[vi], v[vi + 1], v[vi + 2], v[vi + 3]);
          vi += 5;
      }
      out.push(
        `{"id":"${uuidV7(ts, n[o + SEQ]!)}","trace_id":${sj[n[o + TRACE]!]},"parent_id":${parent},"timestamp":"${formatMicros(ts)}","kind":${kind}` +
        `,"metadata":{"thread_id":${thread}${this.tail},"duration_ns":${dur < 0 ? 'null' : Math.round(dur)}}` +
        `,"causality_vector":[${this.clockJson[n[o + CLOCK]!]}[${thread},${n[o + OWN]}]],"lock_set":${li < 0 ? '[]' : this.lockJson[li]}}`,
      );
    }
    return out;
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
