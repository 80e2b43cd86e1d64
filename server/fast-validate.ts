/**
 * The ingest fast path of `protocol/schema.ts`'s `validateEvent`: one specialised check per event
 * kind, no allocation. It is sound, not complete: `true` only for events `validateEvent` accepts.
 * `false` means "not sure": the caller then asks `validateEvent`, which also names the problems,
 * so answers (and the oddities of the full validator) stay exactly those of `validateEvent`.
 * `test/server/validate.test.mjs` checks the two against each other on mutated events.
 */

// Hex digit table: 1 for 0-9a-fA-F.
const HEX = new Uint8Array(128);
for (let c = 48; c <= 57; c++) HEX[c] = 1;
for (let c = 65; c <= 70; c++) HEX[c] = 1;
for (let c = 97; c <= 102; c++) HEX[c] = 1;

/** `/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i`. */
export function isUuid(v: unknown): boolean {
  if (typeof v !== 'string' || v.length !== 36) return false;
  for (let i = 0; i < 36; i++) {
    const c = v.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 45) return false;
    } else if (c > 127 || HEX[c] === 0) return false;
  }
  return true;
}

const isUint = (v: unknown, max: number): boolean => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;

function isStrMap(v: unknown): boolean {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  for (const k in o) if (Object.hasOwn(o, k) && typeof o[k] !== 'string') return false;
  return true;
}

function isStrings(v: unknown): boolean {
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'string') return false;
  return true;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

const d = (s: string, i: number): number => s.charCodeAt(i) - 48;
const isDigit = (s: string, i: number): boolean => {
  const c = s.charCodeAt(i);
  return c >= 48 && c <= 57;
};

/**
 * Microseconds since the epoch of an RFC 3339 timestamp as `micros()` computes it, or NaN when
 * `validateEvent` would not accept it. Only the runtime's form `YYYY-MM-DDTHH:MM:SS.ffffffZ` is
 * handled here (validity is still Date.parse's word); anything else returns NaN ("not sure").
 */
export function fastMicros(s: string): number {
  if (s.length !== 27 || s.charCodeAt(26) !== 90 /* Z */ || s.charCodeAt(19) !== 46 /* . */ || s.charCodeAt(10) !== 84 /* T */ ||
    s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return NaN;
  for (const i of DIGITS) if (!isDigit(s, i)) return NaN;
  // Events come in bursts within one millisecond: Date.parse's answer depends only on the first
  // 23 characters here (the last three digits are microseconds), so it is asked once per prefix.
  let same = lastPrefix.length === 27;
  for (let i = 22; same && i >= 0; i--) if (s.charCodeAt(i) !== lastPrefix.charCodeAt(i)) same = false;
  if (!same) {
    lastMs = Date.parse(s);
    lastPrefix = s;
  }
  if (Number.isNaN(lastMs)) return NaN;
  return lastMs * 1000 + d(s, 23) * 100 + d(s, 24) * 10 + d(s, 25);
}
let lastPrefix = '';
let lastMs = NaN;
const DIGITS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 22, 23, 24, 25];

function kindOk(name: string, b: Record<string, unknown>): boolean {
  switch (name) {
    case 'StateChange': {
      const a = b.access_type;
      return typeof b.variable === 'string' && 'old_value' in b && 'new_value' in b && typeof b.location === 'string' &&
        (a === 'Read' || a === 'Write' || a === 'AtomicRead' || a === 'AtomicWrite' || a === 'AtomicRMW');
    }
    case 'AsyncAwait': return isUuid(b.future_id) && typeof b.awaited_at === 'string';
    case 'AsyncSpawn': return isUuid(b.task_id) && typeof b.spawned_by === 'string';
    case 'FunctionCall': return typeof b.function_name === 'string' && typeof b.module === 'string' && 'args' in b && typeof b.file === 'string' && isUint(b.line, 0xffffffff);
    case 'HttpRequest': return typeof b.method === 'string' && typeof b.url === 'string' && isStrMap(b.headers) && 'body' in b;
    case 'HttpResponse': return isUint(b.status, 0xffff) && isStrMap(b.headers) && 'body' in b && isUint(b.duration_ms, Number.MAX_SAFE_INTEGER);
    case 'LockAcquire': case 'LockRelease': return typeof b.lock_id === 'string' && typeof b.lock_type === 'string' && typeof b.location === 'string';
    case 'Error': return typeof b.error_type === 'string' && typeof b.message === 'string' && isStrings(b.stack_trace);
    case 'Custom': return typeof b.name === 'string' && 'data' in b;
    default: return false; // the rarer kinds: the full validator decides
  }
}

/** True only when `validateEvent(e)` is empty; then `tsOut[at]` is `micros(e.timestamp)`. False: ask `validateEvent`. */
export function fastValid(e: unknown, tsOut: Float64Array, at: number): boolean {
  if (!isObject(e)) return false;
  if (!isUuid(e.id) || !isUuid(e.trace_id)) return false;
  const p = e.parent_id;
  if (p !== null && !isUuid(p)) return false;
  const ts = e.timestamp;
  if (typeof ts !== 'string') return false;
  const us = fastMicros(ts);
  if (Number.isNaN(us)) return false;
  const cv = e.causality_vector;
  if (!Array.isArray(cv)) return false;
  for (let i = 0; i < cv.length; i++) {
    const pair: unknown = cv[i];
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string' || !isUint(pair[1], Number.MAX_SAFE_INTEGER)) return false;
  }
  if (!isStrings(e.lock_set)) return false;
  const m = e.metadata;
  if (!isObject(m)) return false;
  if (typeof m.thread_id !== 'string' || !isUint(m.process_id, 0xffffffff) || typeof m.service_name !== 'string' ||
    typeof m.environment !== 'string' || !isStrMap(m.tags)) return false;
  const dn = m.duration_ns;
  if (dn !== null && !isUint(dn, Number.MAX_SAFE_INTEGER)) return false;
  for (const k of OPTIONAL_META) {
    const v = m[k];
    if (v !== undefined && v !== null && typeof v !== 'string') return false;
  }
  const kind = e.kind;
  if (!isObject(kind)) return false;
  let name: string | undefined;
  for (const k in kind) {
    if (name !== undefined || !Object.hasOwn(kind, k)) return false;
    name = k;
  }
  if (name === undefined) return false;
  const body = kind[name];
  if (!isObject(body) || !kindOk(name, body)) return false;
  tsOut[at] = us;
  return true;
}
const OPTIONAL_META = ['instance_id', 'distributed_span_id', 'upstream_span_id'] as const;
