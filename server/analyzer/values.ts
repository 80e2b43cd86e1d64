/**
 * What the JSON text of an access's value says about the update it made. The analyzer has no data
 * flow, so the shape of the value is what tells a commuting update (a counter, a push, a flag)
 * from a choice between states or a replacement of a map entry, whose order decides the outcome.
 */
import type { AccessRecord } from './types';

/**
 * Same value: equal JSON text. A lossy snapshot carries the object's identity (`$id`) or the long
 * string's hash, so equal texts mean the same value; a hash the sender could not compute
 * (`$hash:?`) never compares equal.
 */
export function sameValue(a: AccessRecord, b: AccessRecord): boolean {
  const v = a.value;
  if (v === undefined || v !== b.value) return false;
  return v.indexOf('$hash') < 0 || (v.indexOf('$hash:?') < 0 && v.indexOf('"$hash":"?"') < 0);
}

/** `undefined` and `null` (both snapshot as null): the value of state not yet initialised, or reset. */
export function isEmpty(value: string | undefined): boolean {
  return value === 'null';
}

/**
 * A string stored as state is the name of one of several states (`'closed'`, `'opening'`,
 * `'open'`): a transition to it chooses a path, unlike a two-valued flag or a counter.
 */
export function isStateName(value: string | undefined): boolean {
  return value !== undefined && value.charCodeAt(0) === 34 /* " */;
}

const MAP_SET_PREFIX = '{"set":[';

/**
 * The key of a recorded `Map#set` (`{"set": [k, v], "size": n}`, SPEC §4.5) as JSON text, or
 * undefined for any other value.
 */
export function mapSetKey(value: string | undefined): string | undefined {
  if (value === undefined || !value.startsWith(MAP_SET_PREFIX)) return undefined;
  try {
    const parsed = JSON.parse(value) as { set?: unknown };
    return Array.isArray(parsed.set) && parsed.set.length > 0 ? JSON.stringify(parsed.set[0]) : undefined;
  } catch {
    return undefined;
  }
}

/** Container values end with the length or size (SPEC §4.5). */
const SIZE = /"(?:size|length)":(\d+)\}$/;

/** The length or size a container access saw or left (`{"length": n}`, `{"push": …, "length": n}`), if any. */
function containerSize(value: string): string | undefined {
  if (value.charCodeAt(0) !== 123 /* { */) return undefined;
  return SIZE.exec(value)?.[1];
}

/**
 * The read shows the state `write` left: the same value, or, for a container, the same length or
 * size (a mutator records the container's state before the call as its read, not the operation).
 */
export function readShows(read: AccessRecord, write: AccessRecord): boolean {
  const r = read.value;
  const w = write.value;
  if (r === undefined || w === undefined) return false;
  if (r === w) return true;
  const rs = containerSize(r);
  return rs !== undefined && rs === containerSize(w);
}

/** The state a container mutator saw (its recorded read and `old_value`, SPEC §4.5). */
const CONTAINER_BEFORE = /^\{"(?:length|size)":(\d+)\}$/;

/** A container mutator's write (`{"push": …, "length": n}` after a read of `{"length": n0}`): its own read is part of the call. */
export function isContainerCall(write: AccessRecord): boolean {
  return write.old !== undefined && CONTAINER_BEFORE.test(write.old) && write.value !== undefined &&
    write.value.charCodeAt(0) === 123 && containerSize(write.value) !== undefined;
}

/** The write put the first element into an empty container (`push` onto `[]`, `set` on an empty Map). */
export function isFirstInsertion(write: AccessRecord): boolean {
  if (!isContainerCall(write)) return false;
  const before = CONTAINER_BEFORE.exec(write.old!)![1];
  const after = containerSize(write.value!);
  return before === '0' && after !== undefined && after !== '0';
}

const EMPTY_SNAPSHOT = /^\{"\$type":"(?:Map|Set)","size":0,/;

/**
 * A read of an empty container: its length or size 0 (`items.length`, the state a mutator saw),
 * or an empty array, Map or Set read whole. Only meaningful next to a write that is a container call.
 */
export function isEmptyContainer(value: string | undefined): boolean {
  return value === '0' || value === '[]' || value === '{"length":0}' || value === '{"size":0}' ||
    (value !== undefined && EMPTY_SNAPSHOT.test(value));
}

/** A two-valued flag (`true` / `false`). */
export function isFlag(value: string | undefined): boolean {
  return value === 'true' || value === 'false';
}

/**
 * The write reset the state: replaced a value with null/undefined (`this.conn = null`), or flipped a
 * flag (`destroyed = true`, `open = false`).
 */
export function isReset(write: AccessRecord): boolean {
  const { old, value } = write;
  if (old === undefined || value === undefined || old === value) return false;
  return (isEmpty(value) && !isEmpty(old)) || (isFlag(old) && isFlag(value));
}

/**
 * A container removal that took nothing out where the program expected an element: `shift()` /
 * `pop()` on an empty array, a `splice` that took no element and inserted none. A `delete(k)`
 * that found no entry is not one: removing what is already gone is what a cleanup does (a failing
 * keyed act is the container-entry check-then-act, see `keyedAccess`).
 */
export function removedNothing(write: AccessRecord): boolean {
  if (!isContainerCall(write)) return false;
  const v = write.value!;
  if (v.startsWith('{"shift":null,') || v.startsWith('{"pop":null,')) return true;
  return v.startsWith('{"splice":[],"inserted":0,');
}

/**
 * What a keyed container access found for its entry (SPEC §4.5): the key (JSON text) and whether
 * the entry was there when the access ran. `get(k)` / `has(k)` Reads carry `{"get": k}` /
 * `{"has": k}` as `old_value` and the result as value; `delete(k)` found the entry if the size
 * dropped, `add(k)` / `set(k, v)` if it did not grow. `changed`: the access added or removed it.
 */
export interface KeyedAccess {
  key: string;
  present: boolean;
  changed: boolean;
}

const KEYED_READ = /^\{"(?:get|has)":/;
const KEYED_WRITE = /^\{"(?:delete|add|set)":/;

export function keyedAccess(rec: AccessRecord): KeyedAccess | undefined {
  const old = rec.old;
  const value = rec.value;
  if (old === undefined || value === undefined) return undefined;
  try {
    if (rec.access === 'Read' && KEYED_READ.test(old)) {
      const q = JSON.parse(old) as { get?: unknown; has?: unknown };
      const has = 'has' in q;
      const key = JSON.stringify(has ? q.has : q.get);
      return { key, present: has ? value === 'true' : value !== 'null', changed: false };
    }
    if (KEYED_WRITE.test(value) && isContainerCall(rec)) {
      const w = JSON.parse(value) as { delete?: unknown; add?: unknown; set?: unknown[] };
      const before = Number(CONTAINER_BEFORE.exec(old)![1]);
      const after = Number(containerSize(value));
      if ('delete' in w) return { key: JSON.stringify(w.delete), present: after < before, changed: after < before };
      const key = JSON.stringify('add' in w ? w.add : Array.isArray(w.set) ? w.set[0] : undefined);
      return { key, present: after === before, changed: after > before };
    }
  } catch { /* not a keyed access */ }
  return undefined;
}
