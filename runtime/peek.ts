/**
 * Looking at program values without running program code: data properties only (a getter is never
 * called), no step through a Proxy (its traps would run), sizes and bytes through the built-in
 * getters captured at load time (a subclass or a later patch of a prototype cannot intervene).
 * Shared by the snapshot (serialize.ts) and the whole-value hash (value-hash.ts).
 */
import { types } from 'node:util';

/**
 * Prototypes looked at above an object. A longer chain (a program can build one of any length) is
 * treated as one with a Proxy on it: only the object's own properties are looked at, so a capture
 * never costs the length of the chain.
 */
export const MAX_PROTO_CHAIN = 100;

/**
 * Property `key` of `o` or its prototypes without running program code: data properties only (a
 * getter reads as `undefined`, unless it is `nodeGetter`: one of Node's own accessors, whose code is
 * not the program's), and the walk stops at a Proxy. `found`: the property exists.
 */
export function peekData(o: object, key: PropertyKey, nodeGetter?: () => unknown): { found: boolean; value: unknown } {
  const d = lookUp(o, key);
  if (d === undefined) return { found: false, value: undefined };
  return { found: true, value: 'value' in d ? d.value : d.get !== undefined && d.get === nodeGetter ? callGetter(d.get, o) : undefined };
}

/** The descriptor of property `key` on `o` or its prototypes (the walk stops at a Proxy), or undefined. */
function lookUp(o: object, key: PropertyKey): PropertyDescriptor | undefined {
  let n = 0;
  for (let p: object | null = o; p !== null && !types.isProxy(p) && n++ <= MAX_PROTO_CHAIN; p = Object.getPrototypeOf(p)) {
    const d = Object.getOwnPropertyDescriptor(p, key);
    if (d !== undefined) return d;
  }
  return undefined;
}

/** `peekData(o, key).value` is a function (a getter is not one). */
function isMethod(o: object, key: string): boolean {
  const d = lookUp(o, key);
  return d !== undefined && typeof d.value === 'function';
}

function callGetter(get: () => unknown, o: object): unknown {
  try {
    return get.call(o);
  } catch {
    return undefined;
  }
}

/** Own property `key` of `o` if it is a data property (`ok`); getters and missing keys are not. */
export function dataValue(o: object, key: string): { ok: boolean; value: unknown } {
  const d = Object.getOwnPropertyDescriptor(o, key);
  if (!d) return { ok: false, value: undefined };
  return 'value' in d ? { ok: true, value: d.value } : { ok: false, value: undefined };
}

/**
 * Whether a Proxy is on the prototype chain of `o` (instanceof and `in` would run its traps), or the
 * chain is longer than MAX_PROTO_CHAIN (looked at as if it had one).
 */
export function protoProxy(o: object): boolean {
  let n = 0;
  for (let p = Object.getPrototypeOf(o); p !== null; p = Object.getPrototypeOf(p)) if (types.isProxy(p) || ++n > MAX_PROTO_CHAIN) return true;
  return false;
}

const ERROR_PROTO = Error.prototype;

/**
 * `o instanceof Error` without running program code (`instanceof` would call an
 * `Error[Symbol.hasInstance]` a program defined): Error.prototype is on the prototype chain.
 */
export function inheritsError(o: object): boolean {
  let n = 0;
  for (let p = Object.getPrototypeOf(o) as object | null; p !== null && !types.isProxy(p) && n++ < MAX_PROTO_CHAIN; p = Object.getPrototypeOf(p) as object | null) {
    if (p === ERROR_PROTO) return true;
  }
  return false;
}

/** A function's own `name` if it is a data property (a class may define a static `name` getter). */
export function fnName(f: unknown): string {
  if (types.isProxy(f)) return '';
  const d = Object.getOwnPropertyDescriptor(f as object, 'name');
  return d !== undefined && typeof d.value === 'string' ? d.value : '';
}

/** The name of the object's class (`constructor.name` of its prototype, data properties only), else `Object`. */
export function tag(o: object): string {
  return protoTag(Object.getPrototypeOf(o) as object | null);
}

/** `tag` of the objects whose prototype is `proto`. */
export function protoTag(proto: object | null): string {
  const d = proto !== null && !types.isProxy(proto) ? Object.getOwnPropertyDescriptor(proto, 'constructor') : undefined;
  const ctor = d !== undefined ? d.value : undefined;
  return (typeof ctor === 'function' ? fnName(ctor) : '') || 'Object';
}

/**
 * Objects that are whole frameworks' worth of state: a request context, sockets, streams. Looked up
 * without getters or Proxy traps (`r.on` would call an `on` getter, `in` a prototype Proxy's trap).
 */
export function isOpaque(o: object): boolean {
  if (isMethod(o, 'on') && isMethod(o, 'emit')) return true; // req, res, sockets, streams
  return lookUp(o, 'req') !== undefined && lookUp(o, 'res') !== undefined; // Koa ctx / request / response
}

const hasOwn = Object.hasOwn;

/**
 * `isOpaque` for an object whose prototypes are `protos` (the built-in chain of plain objects or
 * arrays, no Proxy on it): an object with neither `on` nor `req` on its chain, as nearly every
 * such object, is told without reading a property.
 */
export function isOpaqueOn(o: object, protos: readonly object[]): boolean {
  let maybe = hasOwn(o, 'on') || hasOwn(o, 'req');
  for (let i = 0; !maybe && i < protos.length; i++) maybe = hasOwn(protos[i]!, 'on') || hasOwn(protos[i]!, 'req');
  return maybe && isOpaque(o);
}

// Sizes and bytes through the built-in getters (a subclass may override them with program code).
const getter = (proto: object, key: string) => Object.getOwnPropertyDescriptor(proto, key)!.get!;
const typedArrayProto = Object.getPrototypeOf(Uint8Array.prototype) as object;
const mapSizeGet = getter(Map.prototype, 'size'), setSizeGet = getter(Set.prototype, 'size');
const typedLengthGet = getter(typedArrayProto, 'length');
const typedBufferGet = getter(typedArrayProto, 'buffer'), typedOffsetGet = getter(typedArrayProto, 'byteOffset');
const typedByteLengthGet = getter(typedArrayProto, 'byteLength');
const arrayBufferLengthGet = getter(ArrayBuffer.prototype, 'byteLength');
const sharedBufferLengthGet = typeof SharedArrayBuffer === 'function' ? getter(SharedArrayBuffer.prototype, 'byteLength') : null;

export function mapSize(m: object): number { return mapSizeGet.call(m) as number; }
export function setSize(s: object): number { return setSizeGet.call(s) as number; }
/** Elements of a typed array (a Buffer included). */
export function typedLength(a: object): number { return typedLengthGet.call(a) as number; }

/** Byte length of an ArrayBuffer or SharedArrayBuffer. */
export function bufferByteLength(b: object): number {
  return (types.isSharedArrayBuffer(b) && sharedBufferLengthGet !== null ? sharedBufferLengthGet : arrayBufferLengthGet).call(b) as number;
}

/** The bytes a typed array (a Buffer included) or an ArrayBuffer holds, as a view (no copy). */
export function bytesOf(o: object): Uint8Array {
  if (types.isTypedArray(o)) {
    return new Uint8Array(typedBufferGet.call(o) as ArrayBuffer, typedOffsetGet.call(o) as number, typedByteLengthGet.call(o) as number);
  }
  return new Uint8Array(o as ArrayBuffer, 0, bufferByteLength(o));
}

// The primitive inside a boxed primitive, through the built-in `valueOf` of its own type.
const unboxers: [(o: unknown) => boolean, (this: unknown) => unknown][] = [
  [types.isNumberObject, Number.prototype.valueOf],
  [types.isStringObject, String.prototype.valueOf],
  [types.isBooleanObject, Boolean.prototype.valueOf],
  [types.isBigIntObject, BigInt.prototype.valueOf],
  [types.isSymbolObject, Symbol.prototype.valueOf],
];

/** The primitive a boxed primitive (`new Number(1)`, `Object(1n)`) holds. */
export function unbox(o: object): unknown {
  for (const [is, valueOf] of unboxers) if (is(o)) return valueOf.call(o);
  return undefined;
}

// A RegExp's source and flags through the built-in getters, which read its internal slots (the
// generic `flags` getter and `toString` read properties a subclass may override with getters).
const regexpSourceGet = getter(RegExp.prototype, 'source');
const regexpFlagGetters: [string, () => unknown][] = [
  ['d', 'hasIndices'], ['g', 'global'], ['i', 'ignoreCase'], ['m', 'multiline'], ['s', 'dotAll'],
  ['u', 'unicode'], ['v', 'unicodeSets'], ['y', 'sticky'],
].flatMap(([flag, name]) => {
  const d = Object.getOwnPropertyDescriptor(RegExp.prototype, name!);
  return d?.get !== undefined ? [[flag!, d.get] as [string, () => unknown]] : [];
});

/** `/source/flags` of a RegExp, as `String(re)` shows a plain one. */
export function regexpText(re: object): string {
  let flags = '';
  for (const [flag, get] of regexpFlagGetters) if (get.call(re) === true) flags += flag;
  return `/${String(regexpSourceGet.call(re))}/${flags}`;
}

// ---- own keys at a bounded cost ------------------------------------------------------------------
//
// V8 has no way to ask for "the first N own keys": `Object.keys`, `for…in` (even with a `break`) and
// `Object.getOwnPropertyNames` all collect every key of an object in dictionary mode before the first
// one is seen (bench/capture/keys.mjs: ~0.4 s for one million keys). So a large object is listed once
// and remembered: later captures take a sample of its keys from a WeakMap in constant time, and list
// it again only after as many look-ups as it had keys, so the listing costs about one key per look-up.

/** Objects with at most this many own enumerable keys are listed afresh on every capture. */
export const LISTED_KEYS_MAX = 1024;
/** Keys of a large object kept for its previews (more than any snapshot shows). */
const SAMPLE_KEYS = 64;
/**
 * A large object is listed again after as many look-ups as it had keys (so the listing's cost,
 * spread over them, is about one key's each): its sample follows later changes, slowly.
 */

interface LargeObject {
  /** The first keys at the last listing. */
  sample: string[];
  /** Own enumerable keys at the last listing. */
  count: number;
  /** Captures left before it is listed again. */
  left: number;
}

const largeObjects = new WeakMap<object, LargeObject>();

/** Own enumerable string keys of an object, whole or (for a large object) a sample. */
export interface OwnKeys {
  /** Every key in order (`complete`), or a sample of the first ones that are still own keys. */
  keys: string[];
  /** How many own enumerable keys there are (for a large object: at its last listing). */
  count: number;
  /** `keys` is the whole, current list. */
  complete: boolean;
}

/**
 * The own enumerable string keys of `o` (not a Proxy: the caller checks), in `Object.keys` order,
 * at a cost bounded per call for objects of up to LISTED_KEYS_MAX keys and amortised over calls for
 * larger ones (see above). Runs no program code (`Object.keys` of an ordinary object calls nothing).
 */
export function ownKeys(o: object): OwnKeys {
  const known = largeObjects.get(o);
  if (known !== undefined && --known.left > 0) {
    const keys = known.sample.filter((k) => Object.getOwnPropertyDescriptor(o, k)?.enumerable === true);
    return { keys, count: Math.max(known.count, keys.length), complete: false };
  }
  const keys = Object.keys(o);
  if (keys.length <= LISTED_KEYS_MAX) {
    if (known !== undefined) largeObjects.delete(o);
    return { keys, count: keys.length, complete: true };
  }
  const sample = keys.slice(0, SAMPLE_KEYS);
  largeObjects.set(o, { sample, count: keys.length, left: keys.length });
  return { keys: sample, count: keys.length, complete: false };
}

// ---- what a prototype chain tells ---------------------------------------------------------------

/** What the prototype chain above an object tells a snapshot (see `chainFacts`). */
export interface ChainFacts {
  /**
   * Only ordinary prototypes are on the chain: no Proxy, no built-in one whose instances have
   * internal slots (Date, RegExp, Map, Set, Error, Promise, buffers, boxed primitives, Array), and
   * it is at most MAX_PROTO_CHAIN long. Its instances are class instances or `Object.create`
   * objects, snapshotted through their own properties.
   */
  readonly ordinary: boolean;
  /** `tag` of its instances. */
  readonly tag: string;
  /** Inherited `on` and `emit` are functions; `req`, `res` are inherited (see `isOpaque`). */
  readonly on: boolean;
  readonly emit: boolean;
  readonly req: boolean;
  readonly res: boolean;
}

const typedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype) as object;
const SLOTTED = new Set<object>([Date.prototype, RegExp.prototype, Error.prototype, Promise.prototype, Map.prototype, Set.prototype,
  WeakMap.prototype, WeakSet.prototype, ArrayBuffer.prototype, typedArrayPrototype, DataView.prototype, Number.prototype,
  String.prototype, Boolean.prototype, Symbol.prototype, BigInt.prototype, Array.prototype, Function.prototype]);
if (typeof SharedArrayBuffer === 'function') SLOTTED.add(SharedArrayBuffer.prototype);

const chains = new WeakMap<object, ChainFacts>();
const NULL_CHAIN: ChainFacts = { ordinary: true, tag: 'Object', on: false, emit: false, req: false, res: false };

/**
 * The facts of the chain starting at `proto`, looked up once per prototype and kept (weakly): a
 * class's instances are recorded again and again, and what their chain tells would cost a dozen
 * lookups each time. A prototype changed after its first capture (a method added, another
 * prototype set) can leave its facts stale; a stale fact changes how its instances are shown, never
 * what a snapshot reads: each step that reads a property checks for a Proxy itself.
 */
export function chainFacts(proto: object | null): ChainFacts {
  if (proto === null) return NULL_CHAIN;
  let f = chains.get(proto);
  if (f === undefined) {
    f = lookUpChain(proto);
    chains.set(proto, f);
  }
  return f;
}

function lookUpChain(proto: object): ChainFacts {
  let ordinary = true, n = 0, req = false, res = false;
  let on: PropertyDescriptor | undefined, emit: PropertyDescriptor | undefined;
  for (let p: object | null = proto; p !== null; p = Object.getPrototypeOf(p) as object | null) {
    if (types.isProxy(p) || ++n > MAX_PROTO_CHAIN || SLOTTED.has(p)) {
      ordinary = false;
      break;
    }
    on ??= Object.getOwnPropertyDescriptor(p, 'on');
    emit ??= Object.getOwnPropertyDescriptor(p, 'emit');
    req ||= Object.getOwnPropertyDescriptor(p, 'req') !== undefined;
    res ||= Object.getOwnPropertyDescriptor(p, 'res') !== undefined;
  }
  return { ordinary, tag: ordinary ? protoTag(proto) : '', on: typeof on?.value === 'function', emit: typeof emit?.value === 'function', req, res };
}

/** `isOpaque` of an object on an ordinary chain, its inherited part from the chain's facts. */
export function isOpaqueWith(o: object, f: ChainFacts): boolean {
  const method = (key: string, inherited: boolean) => {
    if (!hasOwn(o, key)) return inherited;
    const d = Object.getOwnPropertyDescriptor(o, key);
    return d !== undefined && typeof d.value === 'function';
  };
  return (method('on', f.on) && method('emit', f.emit)) || ((f.req || hasOwn(o, 'req')) && (f.res || hasOwn(o, 'res')));
}
