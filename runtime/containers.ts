/**
 * Container hooks (fixtures/SPEC.md §4.5): calls of the built-in mutators and lookups of Arrays, Maps
 * and Sets, recorded as accesses of one variable per container object (the container's name, SPEC §5).
 *
 * A call site `o.m(args)` whose method name is one of `CONTAINER_METHODS` becomes
 * `cc(f, t = o, cn(f, t, S), t.m(args), S)`: `cn` runs before the method lookup and decides, without
 * running program code, whether `t` is a real Array/Map/Set whose `m` is the built-in one (returning
 * the container's length or size before the call, or -1); the program's own call then runs exactly as
 * written, and `cc` records it from its result. Anything else (a user class with its own `push`, a
 * Proxy, an overridden method, capture off) costs one check in `cn` and one comparison in `cc`.
 */
import { getClient, type RacewayClient } from './client';
import { currentTask, emitAccess, type Task } from './context';
import { noteWrite } from './epoch';
import { Frame, moduleOf, type FrameArg, type ModuleHandle } from './frames';
import { isObjectLike, nameChild, nameElement, nameOf } from './names';
import { snapshot } from './serialize';
import type { JsonValue } from '../protocol/events';
import { types } from 'node:util';
import { mapSize, peekData, setSize } from './peek';

/** Every method name a front end rewrites as a container call site (the union over Array, Map, Set). */
export const CONTAINER_METHODS: readonly string[] = [
  'push', 'pop', 'shift', 'unshift', 'splice', 'sort', 'reverse', 'fill', 'copyWithin',
  'set', 'get', 'has', 'add', 'delete', 'clear',
];

const ARRAY_WRITES = new Set(['push', 'pop', 'shift', 'unshift', 'splice', 'sort', 'reverse', 'fill', 'copyWithin']);
const MAP_METHODS = new Set(['set', 'delete', 'clear', 'get', 'has']);
const SET_METHODS = new Set(['add', 'delete', 'clear', 'has']);

// The built-ins, saved at load: a program that later replaces `Map.prototype.get` does not reach them.
const arrayProto = Array.prototype as unknown as Record<string, unknown>;
const mapProto = Map.prototype as unknown as Record<string, unknown>;
const setProto = Set.prototype as unknown as Record<string, unknown>;
const builtins = {
  array: new Map([...ARRAY_WRITES].map((m) => [m, arrayProto[m]])),
  map: new Map([...MAP_METHODS].map((m) => [m, mapProto[m]])),
  set: new Map([...SET_METHODS].map((m) => [m, setProto[m]])),
};
const mapGet = Map.prototype.get as (this: unknown, k: unknown) => unknown;

/** What a call site's receiver is, once `cn` has recognised it. */
const enum Kind { Array, Map, Set }

/** Length (arrays) or size (Maps, Sets) of a recognised container, read through the built-ins. */
function sizeOf(o: object, kind: Kind): number {
  return kind === Kind.Array ? (o as unknown[]).length : kind === Kind.Map ? mapSize(o) : setSize(o);
}

/**
 * What `cn` hands to `cc` through the program's call: the container's kind and its size before the
 * call in one non-negative number (no object per call), -1 for "not a container".
 */
function encodeBefore(kind: Kind, size: number): number {
  return size * 3 + kind;
}
function decodeBefore(before: number): { kind: Kind; size: number } {
  const kind = (before % 3) as Kind;
  return { kind, size: (before - kind) / 3 };
}

/**
 * The kind of container `o` is for a call of method `name`, or -1. The checks a method name can need
 * come first (`Array.isArray` is cheap; the `util.types` checks cross into C++), the Proxy check only
 * once a kind matched (`Array.isArray` looks through a Proxy, `isMap`/`isSet` do not).
 */
function kindOf(o: object, name: string): Kind | -1 {
  let kind: Kind | -1 = -1;
  if (ARRAY_WRITES.has(name)) {
    if (Array.isArray(o)) kind = Kind.Array;
  } else if (MAP_METHODS.has(name) && types.isMap(o)) {
    kind = Kind.Map;
  } else if (SET_METHODS.has(name) && types.isSet(o)) {
    kind = Kind.Set;
  }
  if (kind === -1 || types.isProxy(o)) return -1;
  const builtin = (kind === Kind.Array ? builtins.array : kind === Kind.Map ? builtins.map : builtins.set).get(name);
  // The method the language's lookup finds, on data properties only (an accessor or a Proxy on the
  // chain: not the built-in).
  return peekData(o, name).value === builtin ? kind : -1;
}

/**
 * Before the method lookup of container call site `S` (`[line, "receiver hint", "method"]`): the
 * receiver's length or size if it is a real Array/Map/Set whose method of that name is the built-in
 * one and the call is to be recorded, else -1. Runs no program code (no getters, no Proxy traps).
 */
export function cn(f: FrameArg, obj: unknown, site: number): number {
  if (typeof obj !== 'object' || obj === null) return -1;
  let m: ModuleHandle | undefined;
  if (f instanceof Frame) {
    if (!f.task.sampled) return -1;
    m = f.mod;
  } else {
    m = moduleOf(f);
  }
  if (m === undefined || !getClient().enabled) return -1;
  try {
    const name = m.key(site);
    if (typeof name !== 'string') return -1;
    const kind = kindOf(obj, name);
    return kind === -1 ? -1 : encodeBefore(kind, sizeOf(obj, kind));
  } catch { return -1; }
}

/**
 * After the program's own call `t.m(args)` of container call site `S`: records it if `cn` recognised
 * the receiver (`before` ≥ 0) and returns the call's result. `key` is the call's first argument where
 * the front end captured it (`set`, `get`, `has`, `add`, `delete`: which entry), or for `push`,
 * `unshift` and `splice` without spread arguments the number of arguments.
 */
export function cc<T>(f: FrameArg, obj: unknown, before: number, result: T, site: number, key?: unknown): T {
  if (before < 0) return result;
  try {
    const c = getClient();
    if (c.enabled) try { recordCall(c, f, obj as object, before, result, site, key); } catch { c.countFailedCapture?.(); }
  } catch { /* never into the app */ }
  return result;
}

function recordCall(c: RacewayClient, f: FrameArg, obj: object, before: number, result: unknown, site: number, key: unknown): void {
  const task: Task = f instanceof Frame ? f.task : currentTask();
  if (!task.sampled) return;
  const m = moduleOf(f);
  if (m === undefined) return;
  const s = m.site(site);
  const method = m.key(site) as string;
  const { kind, size: sizeBefore } = decodeBefore(before);
  const name = nameOf(obj, s.text);
  const n1 = sizeOf(obj, kind);
  // `cn` ran before the arguments: one that awaited lets other tasks change the container meanwhile.
  // Where the number of arguments is known, the length before the call is computed from the result.
  const argc = typeof key === 'number' ? key : -1;
  const n0 = kind !== Kind.Array ? sizeBefore : lengthBefore(method, argc, n1, result, sizeBefore);
  // The values are built as JSON here (only elements go through `snapshot`): the wrappers are ours.
  let oldV: JsonValue, newV: JsonValue, access: 'Read' | 'Write' = 'Write';
  const el = (at: string | number | null) => (v: unknown) => element(obj, name, at, v);
  if (kind === Kind.Array) {
    const a = obj as unknown[];
    oldV = { length: n0 };
    switch (method) {
      case 'push': newV = { push: slice(a, n0, n1, obj, name), length: n1 }; break;
      case 'unshift': newV = { unshift: slice(a, 0, n1 - n0, obj, name), length: n1 }; break;
      case 'pop': newV = { pop: el(n1)(result), length: n1 }; break;
      case 'shift': newV = { shift: el(0)(result), length: n1 }; break;
      case 'splice': {
        const removed = Array.isArray(result) && !types.isProxy(result) ? slice(result, 0, result.length, obj, name, false) : [];
        newV = { splice: removed, inserted: argc >= 0 ? Math.max(0, argc - 2) : n1 - n0 + removed.length, length: n1 };
        break;
      }
      default: newV = { [method]: snapshot(obj), length: n1 }; // sort, reverse, fill, copyWithin: the new order
    }
  } else {
    oldV = { size: n0 };
    switch (method) {
      case 'get': case 'has':
        // The entry asked for travels as `old_value` (a Read's own value is the result): a `has`
        // that found a key and a later one that did not are about the same entry only if the keys match.
        access = 'Read';
        oldV = { [method]: el(null)(key) };
        newV = snapshot(result);
        if (method === 'get' && isObjectLike(result) && isKey(key)) nameChild(obj, name, key, result);
        break;
      case 'set': newV = { set: [el(null)(key), el(isKey(key) ? key : null)(mapGet.call(obj, key))], size: n1 }; break;
      case 'add': newV = { add: el(null)(key), size: n1 }; break;
      case 'delete': newV = { delete: el(null)(key), size: n1 }; break;
      default: newV = { clear: true, size: n1 };
    }
  }
  // A mutator reads the container and writes it in one synchronous step, like `n++`: a Read of what
  // it saw, then the Write. The analyzer then treats two mutations as commuting read-modify-writes
  // (two pushes from unordered requests are no race), and a check made before an await (`if
  // (pool.length)`, `if (!cache.has(k))`) followed by a mutation after it as a check-then-act.
  // Container calls are never left out (epoch.ts): their values are what the container rules read.
  noteWrite(name);
  if (access === 'Write') emitAccess(c, task, name, oldV, oldV, s.loc, 'Read', false);
  emitAccess(c, task, name, oldV, newV, s.loc, access, false);
}

/** An array's length before a call of `method`, from its result where the arguments are counted. */
function lengthBefore(method: string, argc: number, n1: number, result: unknown, measured: number): number {
  switch (method) {
    case 'push': case 'unshift': return argc >= 0 ? n1 - argc : measured;
    case 'pop': case 'shift': return n1 === 0 && measured === 0 ? 0 : n1 + 1;
    case 'splice': {
      const removed = Array.isArray(result) && !types.isProxy(result) ? result.length : 0;
      return argc >= 0 ? n1 - Math.max(0, argc - 2) + removed : measured;
    }
    default: return n1; // sort, reverse, fill, copyWithin keep the length
  }
}

/** A Map key that names the value stored under it (`cache.alice`), as a property key would. */
function isKey(k: unknown): k is string | number {
  return typeof k === 'string' || typeof k === 'number';
}

const MAX_ELEMENTS = 32;

/**
 * Elements `from`..`to` of real array `a` as recorded values (see `element`), read as data properties
 * (a getter reads as undefined); `indexed`: they are elements of the container at those indices.
 */
function slice(a: unknown[], from: number, to: number, container: object, name: string, indexed = true): JsonValue[] {
  const out: JsonValue[] = [];
  for (let i = Math.max(0, from); i < to && out.length < MAX_ELEMENTS; i++) {
    const d = Object.getOwnPropertyDescriptor(a, i);
    out.push(element(container, name, indexed ? i : null, d !== undefined && 'value' in d ? d.value : undefined));
  }
  return out;
}

/**
 * An element put into or taken out of container `obj` as recorded in a value: primitives as they are,
 * objects as `{"$ref": name}`, so two writes that move different objects never read as the same value
 * and the name is the one the object's own variables carry. An object without a name yet is named
 * after the path it was reached by (`pool[3]`, `cache.alice`), or `pool[]` where there is no index or key (Map
 * keys, Set elements, elements removed by `splice`).
 */
function element(obj: object, containerName: string, at: string | number | null, v: unknown): JsonValue {
  if (!isObjectLike(v)) return snapshot(v);
  if (at !== null) nameChild(obj, containerName, at, v);
  else nameElement(obj, containerName, v);
  return { $ref: nameOf(v, containerName + '[]') };
}
