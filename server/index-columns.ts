/**
 * The live index's columns: accesses (AccessColumns) and tasks, traces and units
 * (ContextColumns), in typed arrays indexed by number, so that millions of them cost the heap no
 * object each.
 */
import { EMPTY_LIST, growFloat, growInt } from './int-lists';

// Per-access reference columns (indices into LiveIndex's string table).
export const R_VARIABLE = 0;
export const R_TASK = 1;
export const R_UNIT = 2;
export const R_LOCATION = 3;
export const R_SERVICE = 4;
export const R_TRACE = 5;
export const R_STRIDE = 6;

/**
 * The accesses, column by column (by seq): numbers in typed arrays, strings as indices into the
 * index's string table. An access then costs the heap no object of its own, only its clock text;
 * the analyzer's records are built when a variable is scanned, and die young.
 */
export class AccessColumns {
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


/**
 * Per-task, per-trace and per-unit figures live in typed columns indexed by the string table's
 * number of the task or trace (units have numbers of their own): one Map lookup per distinct
 * string of a chunk, then array reads, and no object per task or request for the collector to walk.
 */
export class ContextColumns {
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

