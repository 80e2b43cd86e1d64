/**
 * Stable, human-recognisable names for objects and bindings. An object is named the first time an
 * instrumented access touches it, after the path that reached it (`accounts.alice`); a different
 * object that would take a name already given gets `#2`, `#3`… so two objects are never reported as
 * one variable. Names live in a WeakMap: they cost nothing once the object is garbage.
 */
import { types } from 'node:util';
import { ARRAY_INDEX, IDENTIFIER_NAME } from '../protocol/names';

interface Meta {
  name: string;
  /** Per key: how many distinct objects have been read from this key (for `#n` on replacements). */
  kids: Map<PropertyKey, number> | null;
  /** Per key: the variable name `name + key`, built once (the same string every time is cheap to intern). */
  props: Map<PropertyKey, string> | null;
}

const metas = new WeakMap<object, Meta>();
/** Root names (source-text hints and binding names) handed out, with their use counts. Bounded by program text. */
const taken = new Map<string, number>();

function unique(base: string): string {
  const n = (taken.get(base) ?? 0) + 1;
  taken.set(base, n);
  return n === 1 ? base : `${base}#${n}`;
}

/** `.key`, `["a b"]`, `[3]`, `[Symbol(x)]`, `.#p` */
export function formatKey(key: PropertyKey): string {
  if (typeof key === 'string') {
    if (IDENTIFIER_NAME.test(key) || (key.charCodeAt(0) === 35 /* # */ && IDENTIFIER_NAME.test(key.slice(1)))) return '.' + key;
    if (ARRAY_INDEX.test(key)) return `[${key}]`;
    return `[${JSON.stringify(key)}]`;
  }
  if (typeof key === 'number') return `[${key}]`;
  return `[${String(key)}]`;
}

export function isObjectLike(v: unknown): v is object {
  return (typeof v === 'object' && v !== null) || typeof v === 'function';
}

/** The object's name, giving it `hint` (made unique) if it has none yet. */
export function nameOf(obj: object, hint: string): string {
  let m = metas.get(obj);
  if (m === undefined) {
    m = { name: unique(hint || '<object>'), kids: null, props: null };
    metas.set(obj, m);
  }
  return m.name;
}

/**
 * Whether `obj[key]` is part of a container's contents (SPEC §5): an index or the `length` of an
 * Array, the `size` of a Map or Set. Those accesses are accesses of the container itself, so an
 * element read `pool[0]` and a `pool.shift()` meet on one variable. Decided without running program
 * code (a Proxy is not looked through: it is not a container).
 */
export function isContentKey(obj: object, key: PropertyKey): boolean {
  if (typeof key === 'number') {
    if (!Number.isInteger(key) || key < 0) return false;
  } else if (typeof key === 'string') {
    if (key !== 'length' && key !== 'size' && !isIndex(key)) return false;
  } else {
    return false;
  }
  if (types.isProxy(obj)) return false;
  if (key === 'size') return types.isMap(obj) || types.isSet(obj);
  return Array.isArray(obj);
}

const INDEX = /^(0|[1-9]\d*)$/;
function isIndex(key: string): boolean {
  const c = key.charCodeAt(0);
  return c >= 48 && c <= 57 && INDEX.test(key);
}

/**
 * The variable name of property `key` of `obj` (naming `obj` from `hint` if it has no name yet): the
 * object's name and the key (`accounts.alice.balance`), or the container's own name for its contents
 * (`pool` for `pool[0]` and `pool.length`, see `isContentKey`).
 */
export function propertyName(obj: object, hint: string, key: PropertyKey): string {
  nameOf(obj, hint);
  const m = metas.get(obj)!;
  const props = m.props ?? (m.props = new Map());
  let v = props.get(key);
  if (v === undefined) {
    v = isContentKey(obj, key) ? m.name : m.name + formatKey(key);
    if (props.size < 1024) props.set(key, v); // objects used as dictionaries keep no unbounded cache
  }
  return v;
}

/** Names `value` after the path `parent` + key if it is an object that has no name yet. */
export function nameChild(parent: object, parentName: string, key: PropertyKey, value: unknown): void {
  nameAt(parent, key, parentName + formatKey(key), value);
}

/** The key under which a container counts the elements it names without an index or key. */
const NO_KEY = Symbol('element');

/**
 * Names `value` as an element of container `parent` that no index or key reaches (a Set's element,
 * a Map's key): `pool[]`, then `pool[]#2`… — counted per container, like `nameChild`, so the names
 * handed out stay bounded by the containers alive.
 */
export function nameElement(parent: object, parentName: string, value: unknown): void {
  nameAt(parent, NO_KEY, parentName + '[]', value);
}

function nameAt(parent: object, key: PropertyKey, path: string, value: unknown): void {
  if (!isObjectLike(value) || metas.has(value)) return;
  const pm = metas.get(parent);
  let n = 1;
  if (pm !== undefined) {
    const kids = pm.kids ?? (pm.kids = new Map());
    n = (kids.get(key) ?? 0) + 1;
    kids.set(key, n);
  }
  metas.set(value, { name: n === 1 ? path : `${path}#${n}`, kids: null, props: null });
}

/** A binding's name for an owner (a module or a frame): `counter`, `handler.total`, `#n` on repeats. */
export function bindingName(cache: Map<string, string>, prefix: string, name: string): string {
  let v = cache.get(name);
  if (v === undefined) {
    v = unique(prefix ? `${prefix}.${name}` : name);
    cache.set(name, v);
  }
  return v;
}
