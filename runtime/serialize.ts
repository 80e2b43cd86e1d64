/**
 * Safe snapshots of program values for events. A snapshot is taken at capture time (later mutation
 * of the object does not change what was recorded), always yields valid, bounded JSON, and never
 * runs program code: no getters, no Proxy traps, no toJSON/toString/valueOf calls.
 */
import { types } from 'node:util';
import type { JsonValue } from './events';

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

function truncate(s: string, max: number): string {
  return s.length <= max ? s : s.slice(0, max) + `…(${s.length - max} more)`;
}

function tag(o: object): string {
  const proto = Object.getPrototypeOf(o);
  const ctor = proto && Object.prototype.hasOwnProperty.call(proto, 'constructor') ? proto.constructor : undefined;
  return typeof ctor === 'function' && typeof ctor.name === 'string' && ctor.name ? ctor.name : 'Object';
}

/** Objects that are whole frameworks' worth of state: a request context, sockets, streams. */
function isOpaque(o: object): boolean {
  const r = o as Record<string, unknown>;
  // `in` and reading methods off EventEmitter.prototype call no program getters.
  if (typeof r.on === 'function' && typeof r.emit === 'function') return true; // req, res, sockets, streams
  return 'req' in o && 'res' in o; // Koa ctx / request / response
}

function dataValue(o: object, key: string): { ok: boolean; value: unknown } {
  const d = Object.getOwnPropertyDescriptor(o, key);
  if (!d) return { ok: false, value: undefined };
  return 'value' in d ? { ok: true, value: d.value } : { ok: false, value: undefined };
}

/** Snapshot any value into bounded JSON. `undefined` becomes `null`. */
export function snapshot(value: unknown, limits: SnapshotLimits = DEFAULT_LIMITS): JsonValue {
  switch (typeof value) {
    case 'number':
      return Number.isFinite(value) ? (Object.is(value, -0) ? 0 : value) : String(value);
    case 'string':
      return value.length <= limits.maxString ? value : truncate(value, limits.maxString);
    case 'boolean':
      return value;
    case 'undefined':
      return null;
    case 'bigint':
      return `${value}n`;
    case 'symbol':
      return value.toString();
    case 'function':
      return `[Function ${(value as { name?: string }).name || 'anonymous'}]`;
  }
  if (value === null) return null;
  const budget = { nodes: limits.maxNodes };
  return snapObject(value as object, limits, 0, new Set(), budget);
}

function snapAny(v: unknown, limits: SnapshotLimits, depth: number, seen: Set<object>, budget: { nodes: number }): JsonValue {
  if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return snapshot(v, limits);
  if (typeof v === 'function') return snapshot(v, limits);
  return snapObject(v as object, limits, depth, seen, budget);
}

function snapObject(o: object, limits: SnapshotLimits, depth: number, seen: Set<object>, budget: { nodes: number }): JsonValue {
  if (types.isProxy(o)) return '[Proxy]';
  if (seen.has(o)) return '[Circular]';
  if (types.isDate(o)) {
    const t = Date.prototype.getTime.call(o);
    return Number.isNaN(t) ? 'Invalid Date' : new Date(t).toISOString();
  }
  if (types.isRegExp(o)) return RegExp.prototype.toString.call(o);
  if (types.isBoxedPrimitive(o)) return `[${tag(o)}]`;
  if (Buffer.isBuffer(o) || types.isTypedArray(o)) {
    const a = o as Uint8Array;
    return `[${tag(o)} length=${a.length}]`;
  }
  if (types.isAnyArrayBuffer(o)) return `[${tag(o)} byteLength=${(o as ArrayBuffer).byteLength}]`;
  if (types.isNativeError(o) || o instanceof Error) {
    const name = dataValue(o, 'name');
    const message = dataValue(o, 'message');
    return { $type: tag(o), name: typeof name.value === 'string' ? name.value : tag(o), message: typeof message.value === 'string' ? truncate(message.value, limits.maxString) : '' };
  }
  if (types.isPromise(o)) return '[Promise]';
  if (types.isWeakMap(o) || types.isWeakSet(o)) return `[${tag(o)}]`;
  if (isOpaque(o)) return `[${tag(o)}]`;
  if (depth >= limits.maxDepth || budget.nodes <= 0) {
    if (Array.isArray(o)) return `[Array(${o.length})]`;
    if (types.isMap(o) || types.isSet(o)) return `[${tag(o)}(${(o as Map<unknown, unknown>).size})]`;
    return `[${tag(o)}]`;
  }
  seen.add(o);
  try {
    if (Array.isArray(o)) {
      const n = Math.min(o.length, limits.maxItems);
      const out: JsonValue[] = [];
      for (let i = 0; i < n; i++) {
        budget.nodes--;
        const d = dataValue(o, String(i));
        out.push(d.ok ? snapAny(d.value, limits, depth + 1, seen, budget) : null);
      }
      if (o.length > n) out.push(`…(${o.length - n} more)`);
      return out;
    }
    if (types.isMap(o)) {
      const entries: JsonValue[] = [];
      let i = 0;
      for (const [k, v] of Map.prototype.entries.call(o) as IterableIterator<[unknown, unknown]>) {
        if (i++ >= limits.maxItems) break;
        budget.nodes -= 2;
        entries.push([snapAny(k, limits, depth + 1, seen, budget), snapAny(v, limits, depth + 1, seen, budget)]);
      }
      return { $type: 'Map', size: (o as Map<unknown, unknown>).size, entries };
    }
    if (types.isSet(o)) {
      const values: JsonValue[] = [];
      let i = 0;
      for (const v of Set.prototype.values.call(o) as IterableIterator<unknown>) {
        if (i++ >= limits.maxItems) break;
        budget.nodes--;
        values.push(snapAny(v, limits, depth + 1, seen, budget));
      }
      return { $type: 'Set', size: (o as Set<unknown>).size, values };
    }
    const out: { [k: string]: JsonValue } = {};
    const t = tag(o);
    if (t !== 'Object') out.$type = t;
    const keys = Object.keys(o);
    const n = Math.min(keys.length, limits.maxItems);
    for (let i = 0; i < n; i++) {
      const k = keys[i]!;
      budget.nodes--;
      const d = dataValue(o, k);
      out[k] = d.ok ? snapAny(d.value, limits, depth + 1, seen, budget) : '[Getter]';
    }
    if (keys.length > n) out['…'] = `${keys.length - n} more keys`;
    return out;
  } finally {
    seen.delete(o);
  }
}
