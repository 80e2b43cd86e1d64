/**
 * Safe snapshots of program values for events. A snapshot is taken at capture time (later mutation
 * of the object does not change what was recorded), always yields valid, bounded JSON, and never
 * runs program code: no getters, no Proxy traps, no toJSON/toString/valueOf calls (peek.ts).
 *
 * A snapshot that had to leave something out — below the depth limit, beyond the item, node or
 * string limits, a circular reference, a getter, the contents of a buffer or boxed primitive —
 * carries a structural hash of the whole value (value-hash.ts) at its top level, so that two
 * different values are never mistaken for one because their snapshots look alike:
 *   objects, Map, Set, Error   an extra key `"$hash": "<16 hex>"`
 *   arrays                     an extra last element `"$hash:<16 hex>"`
 *   strings, marker strings    ` $hash:<16 hex>` appended (`"[Object] $hash:…"`, `"abc…(600 more) $hash:…"`)
 * The hash is `?` when the value is too large to hash within its bound (never equal to anything).
 * A snapshot that left nothing out carries no hash, so equal JSON texts mean equal values.
 */
import { types } from 'node:util';
import type { JsonValue } from '../protocol/events';
import { dataValue, fnName, inheritsError, isOpaque, mapSize, ownKeys, protoProxy, regexpText, setSize, tag, typedLength, bufferByteLength } from './peek';
import { valueHash } from './value-hash';

export interface SnapshotLimits {
  /** Nesting depth below the top value that is expanded. */
  maxDepth: number;
  /** Properties per object / items per array, Map or Set. */
  maxItems: number;
  /** Characters per string. */
  maxString: number;
  /** Values expanded in one snapshot, all levels together. */
  maxNodes: number;
}

export const DEFAULT_LIMITS: SnapshotLimits = { maxDepth: 3, maxItems: 32, maxString: 512, maxNodes: 256 };

/** One snapshot's walk: the expansions left, and whether anything was left out so far. */
interface Walk {
  nodes: number;
  lost: boolean;
}

function truncate(s: string, max: number): string {
  return s.length <= max ? s : s.slice(0, max) + `…(${s.length - max} more)`;
}

/**
 * Snapshot any value into bounded JSON (`undefined` becomes `null`), with the whole-value hash when
 * the snapshot left something out (see above).
 */
export function snapshot(value: unknown, limits: SnapshotLimits = DEFAULT_LIMITS): JsonValue {
  if (typeof value === 'string') return value.length <= limits.maxString ? value : withHash(truncate(value, limits.maxString), value);
  if (typeof value !== 'object' || value === null) return primitive(value);
  const walk: Walk = { nodes: limits.maxNodes, lost: false };
  const snap = snapObject(value, limits, 0, new Set(), walk);
  return walk.lost ? withHash(snap, value) : snap;
}

/**
 * The snapshot without the whole-value hash, for JSON whose shape is fixed by the event schema (an
 * event kind passed as-is, where an extra key would make the event invalid).
 */
export function snapshotPlain(value: unknown, limits: SnapshotLimits = DEFAULT_LIMITS): JsonValue {
  return snapAny(value, limits, 0, new Set(), { nodes: limits.maxNodes, lost: false });
}

/** Adds the whole-value hash of `value` to its top-level snapshot `snap` (contract in the header). */
function withHash(snap: JsonValue, value: unknown): JsonValue {
  const h = valueHash(value);
  if (typeof snap === 'string') return `${snap} $hash:${h}`;
  if (Array.isArray(snap)) {
    snap.push(`$hash:${h}`);
    return snap;
  }
  if (snap !== null && typeof snap === 'object') {
    snap.$hash = h;
    return snap;
  }
  return snap; // numbers, booleans and null lose nothing
}

/** Values other than strings and objects. */
function primitive(value: unknown): JsonValue {
  switch (typeof value) {
    case 'number':
      return Number.isFinite(value) ? (Object.is(value, -0) ? 0 : value) : String(value);
    case 'boolean':
      return value;
    case 'bigint':
      return `${value}n`;
    case 'symbol':
      return String(value); // the description (a program may replace Symbol.prototype.toString)
    case 'function':
      return `[Function ${fnName(value) || 'anonymous'}]`;
    default:
      return null; // undefined, null
  }
}

function snapAny(v: unknown, limits: SnapshotLimits, depth: number, seen: Set<object>, walk: Walk): JsonValue {
  if (typeof v === 'string') {
    if (v.length <= limits.maxString) return v;
    walk.lost = true;
    return truncate(v, limits.maxString);
  }
  if (typeof v !== 'object' || v === null) return primitive(v);
  return snapObject(v, limits, depth, seen, walk);
}

function snapObject(o: object, limits: SnapshotLimits, depth: number, seen: Set<object>, walk: Walk): JsonValue {
  if (types.isProxy(o)) return '[Proxy]';
  // Below, instanceof and property lookups walk the prototype chain: not through a Proxy's traps.
  if (protoProxy(o)) {
    walk.lost = true;
    return '[Object]';
  }
  if (seen.has(o)) {
    walk.lost = true;
    return '[Circular]';
  }
  if (types.isDate(o)) {
    const t = Date.prototype.getTime.call(o);
    return Number.isNaN(t) ? 'Invalid Date' : new Date(t).toISOString();
  }
  if (types.isRegExp(o)) return regexpText(o);
  if (types.isBoxedPrimitive(o)) {
    walk.lost = true;
    return `[${tag(o)}]`;
  }
  if (types.isTypedArray(o)) { // Buffers included (`Buffer.isBuffer` is an `instanceof`)
    const length = typedLength(o);
    if (length > 0) walk.lost = true;
    return `[${tag(o)} length=${length}]`;
  }
  if (types.isAnyArrayBuffer(o)) {
    const byteLength = bufferByteLength(o);
    if (byteLength > 0) walk.lost = true;
    return `[${tag(o)} byteLength=${byteLength}]`;
  }
  if (types.isNativeError(o) || inheritsError(o)) {
    const name = dataValue(o, 'name').value, m = dataValue(o, 'message').value;
    const message = typeof m === 'string' ? m : '';
    if (message.length > limits.maxString) walk.lost = true;
    return { $type: tag(o), name: typeof name === 'string' ? name : tag(o), message: truncate(message, limits.maxString) };
  }
  if (types.isPromise(o)) return '[Promise]';
  if (types.isWeakMap(o) || types.isWeakSet(o)) return `[${tag(o)}]`;
  if (isOpaque(o)) return `[${tag(o)}]`;
  if (depth >= limits.maxDepth || walk.nodes <= 0) {
    walk.lost = true;
    if (Array.isArray(o)) return `[Array(${o.length})]`;
    if (types.isMap(o) || types.isSet(o)) return `[${tag(o)}(${types.isMap(o) ? mapSize(o) : setSize(o)})]`;
    return `[${tag(o)}]`;
  }
  seen.add(o);
  try {
    if (Array.isArray(o)) {
      const n = Math.min(o.length, limits.maxItems);
      const out: JsonValue[] = [];
      for (let i = 0; i < n; i++) {
        walk.nodes--;
        const d = dataValue(o, String(i));
        if (d.ok) out.push(snapAny(d.value, limits, depth + 1, seen, walk));
        else {
          walk.lost = true; // a hole or a getter: shown as null
          out.push(null);
        }
      }
      if (o.length > n) {
        walk.lost = true;
        out.push(`…(${o.length - n} more)`);
      }
      return out;
    }
    if (types.isMap(o)) {
      const entries: JsonValue[] = [];
      let i = 0;
      for (const [k, v] of Map.prototype.entries.call(o) as IterableIterator<[unknown, unknown]>) {
        if (i++ >= limits.maxItems) {
          walk.lost = true;
          break;
        }
        walk.nodes -= 2;
        entries.push([snapAny(k, limits, depth + 1, seen, walk), snapAny(v, limits, depth + 1, seen, walk)]);
      }
      return { $type: 'Map', size: mapSize(o), entries };
    }
    if (types.isSet(o)) {
      const values: JsonValue[] = [];
      let i = 0;
      for (const v of Set.prototype.values.call(o) as IterableIterator<unknown>) {
        if (i++ >= limits.maxItems) {
          walk.lost = true;
          break;
        }
        walk.nodes--;
        values.push(snapAny(v, limits, depth + 1, seen, walk));
      }
      return { $type: 'Set', size: setSize(o), values };
    }
    const out: { [k: string]: JsonValue } = {};
    const t = tag(o);
    if (t !== 'Object') out.$type = t;
    const { keys, count, complete } = ownKeys(o); // bounded for objects of any size (peek.ts)
    const n = Math.min(keys.length, limits.maxItems);
    if (!complete) walk.lost = true;
    for (let i = 0; i < n; i++) {
      const k = keys[i]!;
      walk.nodes--;
      const d = dataValue(o, k);
      if (d.ok) out[k] = snapAny(d.value, limits, depth + 1, seen, walk);
      else {
        walk.lost = true;
        out[k] = '[Getter]';
      }
    }
    if (count > n) {
      walk.lost = true;
      out['…'] = `${count - n} more keys`;
    }
    return out;
  } finally {
    seen.delete(o);
  }
}
