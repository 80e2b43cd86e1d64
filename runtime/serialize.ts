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

/**
 * Property `key` of `o` or its prototypes without running program code: data properties only (a
 * getter reads as `undefined`), and the walk stops at a Proxy. `found`: the property exists.
 */
function peekData(o: object, key: string): { found: boolean; value: unknown } {
  for (let p: object | null = o; p !== null && !types.isProxy(p); p = Object.getPrototypeOf(p)) {
    const d = Object.getOwnPropertyDescriptor(p, key);
    if (d !== undefined) return { found: true, value: 'value' in d ? d.value : undefined };
  }
  return { found: false, value: undefined };
}

/** Whether a Proxy is on the prototype chain of `o` (instanceof and `in` would run its traps). */
function protoProxy(o: object): boolean {
  for (let p = Object.getPrototypeOf(o); p !== null; p = Object.getPrototypeOf(p)) if (types.isProxy(p)) return true;
  return false;
}

/** A function's own `name` if it is a data property (a class may define a static `name` getter). */
function fnName(f: unknown): string {
  if (types.isProxy(f)) return '';
  const d = Object.getOwnPropertyDescriptor(f as object, 'name');
  return d !== undefined && typeof d.value === 'string' ? d.value : '';
}

function tag(o: object): string {
  const proto = Object.getPrototypeOf(o);
  const d = proto !== null && !types.isProxy(proto) ? Object.getOwnPropertyDescriptor(proto, 'constructor') : undefined;
  const ctor = d !== undefined ? d.value : undefined;
  return (typeof ctor === 'function' ? fnName(ctor) : '') || 'Object';
}

/**
 * Objects that are whole frameworks' worth of state: a request context, sockets, streams. Looked up
 * without getters or Proxy traps (`r.on` would call an `on` getter, `in` a prototype Proxy's trap).
 */
function isOpaque(o: object): boolean {
  if (typeof peekData(o, 'on').value === 'function' && typeof peekData(o, 'emit').value === 'function') return true; // req, res, sockets, streams
  return peekData(o, 'req').found && peekData(o, 'res').found; // Koa ctx / request / response
}

// Sizes through the built-in getters (a subclass may override them with program code).
const getter = (proto: object, key: string) => Object.getOwnPropertyDescriptor(proto, key)!.get!;
const mapSize = getter(Map.prototype, 'size'), setSize = getter(Set.prototype, 'size');
const typedLength = getter(Object.getPrototypeOf(Uint8Array.prototype), 'length');

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
      return `[Function ${fnName(value) || 'anonymous'}]`;
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
  // Below, instanceof and property lookups walk the prototype chain: not through a Proxy's traps.
  if (protoProxy(o)) return '[Object]';
  if (seen.has(o)) return '[Circular]';
  if (types.isDate(o)) {
    const t = Date.prototype.getTime.call(o);
    return Number.isNaN(t) ? 'Invalid Date' : new Date(t).toISOString();
  }
  if (types.isRegExp(o)) return RegExp.prototype.toString.call(o);
  if (types.isBoxedPrimitive(o)) return `[${tag(o)}]`;
  if (Buffer.isBuffer(o) || types.isTypedArray(o)) {
    return `[${tag(o)} length=${types.isTypedArray(o) ? typedLength.call(o) : (o as Uint8Array).length}]`;
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
    if (types.isMap(o) || types.isSet(o)) return `[${tag(o)}(${(types.isMap(o) ? mapSize : setSize).call(o)})]`;
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
      return { $type: 'Map', size: mapSize.call(o) as number, entries };
    }
    if (types.isSet(o)) {
      const values: JsonValue[] = [];
      let i = 0;
      for (const v of Set.prototype.values.call(o) as IterableIterator<unknown>) {
        if (i++ >= limits.maxItems) break;
        budget.nodes--;
        values.push(snapAny(v, limits, depth + 1, seen, budget));
      }
      return { $type: 'Set', size: setSize.call(o) as number, values };
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
