/**
 * A structural hash of a whole program value, for snapshots that had to leave something out
 * (serialize.ts): two values whose snapshots cut them short are still told apart by the analyzer
 * when they differ anywhere — below the depth limit, beyond the item or string limits.
 *
 * The hash covers what a snapshot without limits would show: type tags, keys in order, primitive
 * values, array order (holes and getters marked), Map and Set entries, the bytes of buffers, the
 * value inside boxed primitives. A reference back to an object on the current path is encoded as
 * its distance, so cycles end; a subobject reached twice is hashed twice (the value is hashed as the
 * tree the program would see). It never runs program code (peek.ts): a getter hashes as a marker,
 * a Proxy as an opaque tag, and so do promises, weak collections, functions (by name) and framework
 * objects (sockets, requests) that snapshots show as a tag.
 *
 * The hash is 64 bits (16 hex digits) from two 32-bit lanes fed during the walk (no text is built).
 *
 * Work is bounded: past `HASH_LIMITS` (values visited, string characters and bytes, nesting) the
 * hash is `UNHASHABLE`, which the analyzer never takes as equal to anything.
 */
import { types } from 'node:util';
import { bytesOf, dataValue, fnName, inheritsError, mapSize, MAX_PROTO_CHAIN, ownKeys, protoTag, regexpText, setSize, unbox } from './peek';

export interface HashLimits {
  /** Values visited (every element, property value, Map key and value counts one). */
  maxNodes: number;
  /** Characters of strings (keys included) and bytes of buffers, all together. */
  maxChars: number;
  /** Nesting depth (keeps the walk's recursion far from the stack limit). */
  maxDepth: number;
}

export const HASH_LIMITS: HashLimits = { maxNodes: 1_000, maxChars: 16_384, maxDepth: 100 };

/** The hash of a value too large (or too odd) to hash within the limits. */
export const UNHASHABLE = '?';

/** Thrown inside the walk when a limit is reached. */
const OVER = Symbol('over the hash limits');

const getTime = Date.prototype.getTime;
const OBJECT_PROTO = Object.prototype, ARRAY_PROTO = Array.prototype;

/** What each part of the value starts with, so that different shapes never read alike. */
const enum T { Str = 1, Int, Float, NaN, True, False, Undef, Null, BigInt, Sym, Fn, Proxy, Cycle, ProtoProxy,
  Date, RegExp, Boxed, Bytes, Error, Promise, Opaque, Array, Hole, Getter, Map, Set, Obj }

const f64 = new Float64Array(1);
const f64words = new Uint32Array(f64.buffer);

/**
 * A 64-bit hash of a stream of 32-bit words: two MurmurHash3-style lanes with different constants,
 * mixed together at the end. Not cryptographic: it tells values apart, it does not resist forgery.
 */
class Hash64 {
  private h1 = 0x9747b28c | 0;
  private h2 = 0x5bd1e995 | 0;
  private n = 0;

  word(k: number): void {
    let a = Math.imul(k, 0xcc9e2d51);
    a = Math.imul((a << 15) | (a >>> 17), 0x1b873593);
    let h1 = this.h1 ^ a;
    h1 = (h1 << 13) | (h1 >>> 19);
    this.h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
    let b = Math.imul(k, 0x85ebca6b);
    b = Math.imul((b << 16) | (b >>> 16), 0xc2b2ae35);
    let h2 = this.h2 ^ b;
    h2 = (h2 << 17) | (h2 >>> 15);
    this.h2 = (Math.imul(h2, 5) + 0x52dce729) | 0;
    this.n++;
  }

  /** 16 lowercase hex digits. */
  digest(): string {
    let h1 = this.h1 ^ this.n, h2 = this.h2 ^ this.n;
    h1 = (h1 + h2) | 0;
    h2 = (h2 + h1) | 0;
    h1 = fmix(h1);
    h2 = fmix(h2);
    h1 = (h1 + h2) | 0;
    h2 = (h2 + h1) | 0;
    return hex8(h1) + hex8(h2);
  }
}

function fmix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

function hex8(h: number): string {
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** What an object's prototype chain tells (see `Encoder.facts`). */
interface ProtoFacts {
  /** A Proxy is on the chain: only the object's own properties may be looked at. */
  proxied: boolean;
  /** The class name (`tag` in peek.ts). */
  tag: string;
  /** Inherited `on` and `emit` are functions; `req` and `res` exist (`isOpaque` in peek.ts). */
  on: boolean;
  emit: boolean;
  req: boolean;
  res: boolean;
}

/** Walks a value and feeds its canonical form to the hash: tags, lengths, then the contents. */
class Encoder {
  readonly hash = new Hash64();
  private nodes: number;
  private chars: number;
  /** Objects on the current path, with their depth. */
  private readonly path = new Map<object, number>();
  /** Facts of the prototype chains met so far. */
  private readonly protos = new Map<object | null, ProtoFacts>();

  constructor(private readonly limits: HashLimits) {
    this.nodes = limits.maxNodes;
    this.chars = limits.maxChars;
  }

  private tagged(t: T, s: string): void {
    this.hash.word(t);
    this.str(s);
  }

  /** A string: its length, then its UTF-16 code units two by two. */
  private str(s: string): void {
    const n = s.length;
    this.chars -= n;
    if (this.chars < 0) throw OVER;
    const h = this.hash;
    h.word(n);
    let i = 0;
    for (; i + 1 < n; i += 2) h.word(s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16));
    if (i < n) h.word(s.charCodeAt(i));
  }

  private num(v: number): void {
    const h = this.hash;
    if ((v | 0) === v) { // -0 as 0, as snapshots show it
      h.word(T.Int);
      h.word(v);
    } else if (v !== v) {
      h.word(T.NaN); // every NaN alike, whatever its bits
    } else {
      f64[0] = v;
      h.word(T.Float);
      h.word(f64words[0]!);
      h.word(f64words[1]!);
    }
  }

  private bytes(b: Uint8Array): void {
    const n = b.length;
    this.chars -= n;
    if (this.chars < 0) throw OVER;
    const h = this.hash;
    h.word(n);
    let i = 0;
    for (; i + 3 < n; i += 4) h.word(b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24));
    let last = 0;
    for (let s = 0; i < n; i++, s += 8) last |= b[i]! << s;
    if (n % 4 !== 0) h.word(last);
  }

  /** Counts one value against the node bound. */
  private node(): void {
    if (--this.nodes < 0) throw OVER;
  }

  value(v: unknown, depth: number): void {
    this.node();
    switch (typeof v) {
      case 'string': return this.tagged(T.Str, v);
      case 'number': return this.num(v);
      case 'boolean': return this.hash.word(v ? T.True : T.False);
      case 'undefined': return this.hash.word(T.Undef);
      case 'bigint': return this.tagged(T.BigInt, String(v));
      case 'symbol': return this.tagged(T.Sym, String(v)); // the description, never a program's toString
      case 'function': return this.tagged(T.Fn, fnName(v));
    }
    if (v === null) return this.hash.word(T.Null);
    this.object(v as object, depth);
  }

  /**
   * What the prototype chain starting at `proto` tells: looked up once per prototype and walk (no
   * program code runs during the walk, so no chain changes meanwhile).
   */
  private facts(proto: object | null): ProtoFacts {
    let f = this.protos.get(proto);
    if (f !== undefined) return f;
    f = { proxied: false, tag: protoTag(proto), on: false, emit: false, req: false, res: false };
    let on: PropertyDescriptor | undefined, emit: PropertyDescriptor | undefined;
    let n = 0;
    for (let p = proto; p !== null; p = Object.getPrototypeOf(p) as object | null) {
      if (types.isProxy(p) || ++n > MAX_PROTO_CHAIN) { // a chain too long to look at is treated as one with a Proxy (peek.ts)
        f.proxied = true;
        break;
      }
      on ??= Object.getOwnPropertyDescriptor(p, 'on');
      emit ??= Object.getOwnPropertyDescriptor(p, 'emit');
      f.req ||= Object.getOwnPropertyDescriptor(p, 'req') !== undefined;
      f.res ||= Object.getOwnPropertyDescriptor(p, 'res') !== undefined;
    }
    f.on = typeof on?.value === 'function';
    f.emit = typeof emit?.value === 'function';
    this.protos.set(proto, f);
    return f;
  }

  /** `isOpaque` (peek.ts) with the inherited part from the prototype's facts. */
  private opaque(o: object, f: ProtoFacts): boolean {
    const fn = (key: string, inherited: boolean) => {
      const d = Object.getOwnPropertyDescriptor(o, key);
      return d !== undefined ? typeof d.value === 'function' : inherited;
    };
    const has = (key: string, inherited: boolean) => inherited || Object.getOwnPropertyDescriptor(o, key) !== undefined;
    return (fn('on', f.on) && fn('emit', f.emit)) || (has('req', f.req) && has('res', f.res));
  }

  private object(o: object, depth: number): void {
    const h = this.hash;
    if (types.isProxy(o)) return h.word(T.Proxy);
    const on = this.path.get(o);
    if (on !== undefined) {
      h.word(T.Cycle);
      h.word(depth - on);
      return;
    }
    if (depth >= this.limits.maxDepth) throw OVER;
    const proto = Object.getPrototypeOf(o) as object | null;
    this.path.set(o, depth);
    try {
      // Plain objects and arrays first, without the checks for other kinds of objects (a value
      // with the internal slots of a Date or Map whose prototype was set to Object.prototype is
      // hashed as the plain object it claims to be: still deterministic, still no program code).
      if (proto === OBJECT_PROTO || proto === null) return this.props(T.Obj, this.facts(proto).tag, o, depth);
      if (proto === ARRAY_PROTO && Array.isArray(o)) return this.array(o, depth);
      this.other(o, this.facts(proto), depth);
    } finally {
      this.path.delete(o);
    }
  }

  /** Any object but a plain object or array, with the facts of its prototype chain. */
  private other(o: object, f: ProtoFacts, depth: number): void {
    const h = this.hash;
    // Its own data properties can be read safely; its class cannot (the lookup would reach the Proxy).
    if (f.proxied) return this.props(T.ProtoProxy, '', o, depth);
    if (types.isDate(o)) {
      h.word(T.Date);
      return this.num(getTime.call(o));
    }
    if (types.isRegExp(o)) return this.tagged(T.RegExp, regexpText(o));
    if (types.isBoxedPrimitive(o)) {
      this.tagged(T.Boxed, f.tag);
      return this.value(unbox(o), depth + 1);
    }
    if (types.isTypedArray(o) || types.isAnyArrayBuffer(o)) { // Buffers included
      this.tagged(T.Bytes, f.tag);
      return this.bytes(bytesOf(o));
    }
    if (types.isNativeError(o) || inheritsError(o)) {
      const name = dataValue(o, 'name').value, message = dataValue(o, 'message').value;
      this.tagged(T.Error, f.tag);
      this.str(typeof name === 'string' ? name : f.tag);
      return this.str(typeof message === 'string' ? message : '');
    }
    if (types.isPromise(o)) return h.word(T.Promise);
    if (types.isWeakMap(o) || types.isWeakSet(o) || this.opaque(o, f)) return this.tagged(T.Opaque, f.tag);
    if (Array.isArray(o)) return this.array(o, depth);
    if (types.isMap(o)) return this.map(o, depth);
    if (types.isSet(o)) return this.set(o, depth);
    this.props(T.Obj, f.tag, o, depth);
  }

  private array(a: unknown[], depth: number): void {
    const n = a.length;
    if (n > this.nodes) throw OVER;
    const h = this.hash;
    h.word(T.Array);
    h.word(n);
    for (let i = 0; i < n; i++) {
      const d = Object.getOwnPropertyDescriptor(a, i);
      if (d === undefined) {
        this.node();
        h.word(T.Hole);
      } else if (!('value' in d)) {
        this.node();
        h.word(T.Getter); // never called
      } else this.value(d.value, depth + 1);
    }
  }

  private map(m: object, depth: number): void {
    const n = mapSize(m);
    if (2 * n > this.nodes) throw OVER;
    this.hash.word(T.Map);
    this.hash.word(n);
    for (const [k, v] of Map.prototype.entries.call(m) as IterableIterator<[unknown, unknown]>) {
      this.value(k, depth + 1);
      this.value(v, depth + 1);
    }
  }

  private set(s: object, depth: number): void {
    const n = setSize(s);
    if (n > this.nodes) throw OVER;
    this.hash.word(T.Set);
    this.hash.word(n);
    for (const v of Set.prototype.values.call(s) as IterableIterator<unknown>) this.value(v, depth + 1);
  }

  /** An object as its kind and class, then its own enumerable string keys in order, each with its data value (a getter as a marker). */
  private props(kind: T, cls: string, o: object, depth: number): void {
    this.tagged(kind, cls);
    const { keys, complete } = ownKeys(o); // a large object's keys are not listed again (peek.ts)
    if (!complete || keys.length > this.nodes) throw OVER;
    this.hash.word(keys.length);
    for (const k of keys) {
      this.str(k);
      const d = Object.getOwnPropertyDescriptor(o, k);
      if (d !== undefined && 'value' in d) this.value(d.value, depth + 1);
      else {
        this.node();
        this.hash.word(T.Getter);
      }
    }
  }
}

/**
 * The structural hash of `value`: 16 lowercase hex digits, or `UNHASHABLE` when the value is too
 * large to hash within `limits` (or cannot be walked at all).
 */
export function valueHash(value: unknown, limits: HashLimits = HASH_LIMITS): string {
  try {
    const e = new Encoder(limits);
    e.value(value, 0);
    return e.hash.digest();
  } catch {
    return UNHASHABLE; // a limit, or a value that cannot be walked (e.g. a module namespace in its TDZ)
  }
}
