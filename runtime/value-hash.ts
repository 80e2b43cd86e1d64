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
 * Work is bounded: past `HASH_LIMITS` (values visited, string characters and bytes, nesting) the
 * hash is `UNHASHABLE`, which the analyzer never takes as equal to anything.
 */
import { createHash } from 'node:crypto';
import { types } from 'node:util';
import { bytesOf, dataValue, fnName, isOpaque, mapSize, protoProxy, regexpText, setSize, tag, unbox } from './peek';

export interface HashLimits {
  /** Values visited (every element, property value, Map key and value counts one). */
  maxNodes: number;
  /** Characters of strings (keys included) and bytes of buffers, all together. */
  maxChars: number;
  /** Nesting depth (keeps the walk's recursion far from the stack limit). */
  maxDepth: number;
}

export const HASH_LIMITS: HashLimits = { maxNodes: 10_000, maxChars: 1_000_000, maxDepth: 1_000 };

/** The hash of a value too large (or too odd) to hash within the limits. */
export const UNHASHABLE = '?';

/** Thrown inside the walk when a limit is reached. */
const OVER = Symbol('over the hash limits');

const getTime = Date.prototype.getTime;

/** Builds the canonical text of a value: every part prefixed by a tag, strings by their length. */
class Encoder {
  private readonly parts: string[] = [];
  private nodes: number;
  private chars: number;
  /** Objects on the current path, with their depth. */
  private readonly path = new Map<object, number>();

  constructor(private readonly limits: HashLimits) {
    this.nodes = limits.maxNodes;
    this.chars = limits.maxChars;
  }

  text(): string {
    return this.parts.join('');
  }

  private str(prefix: string, s: string): void {
    this.chars -= s.length;
    if (this.chars < 0) throw OVER;
    this.parts.push(prefix + s.length + ':' + s);
  }

  value(v: unknown, depth: number): void {
    if (--this.nodes < 0) throw OVER;
    switch (typeof v) {
      case 'string': return this.str('s', v);
      case 'number': this.parts.push('n' + String(v) + ';'); return; // -0 as 0, as snapshots show it
      case 'boolean': this.parts.push(v ? 'T' : 'F'); return;
      case 'undefined': this.parts.push('U'); return;
      case 'bigint': this.parts.push('b' + String(v) + ';'); return;
      case 'symbol': return this.str('y', String(v)); // the description, never a program's toString
      case 'function': return this.str('f', fnName(v));
    }
    if (v === null) {
      this.parts.push('N');
      return;
    }
    this.object(v as object, depth);
  }

  private object(o: object, depth: number): void {
    if (types.isProxy(o)) {
      this.parts.push('P');
      return;
    }
    const on = this.path.get(o);
    if (on !== undefined) {
      this.parts.push('c' + (depth - on) + ';');
      return;
    }
    if (depth >= this.limits.maxDepth) throw OVER;
    if (protoProxy(o)) {
      // Its own data properties can be read safely; its class cannot (the lookup would reach the Proxy).
      this.parts.push('Q');
      this.within(o, depth, () => this.props(o, depth));
      return;
    }
    if (types.isDate(o)) {
      this.parts.push('d' + String(getTime.call(o)) + ';');
      return;
    }
    if (types.isRegExp(o)) return this.str('r', regexpText(o));
    if (types.isBoxedPrimitive(o)) {
      this.str('B', tag(o));
      this.value(unbox(o), depth + 1);
      return;
    }
    if (Buffer.isBuffer(o) || types.isTypedArray(o) || types.isAnyArrayBuffer(o)) {
      const bytes = bytesOf(o);
      this.str('u', tag(o));
      if (bytes.length > this.chars) throw OVER;
      return this.str('', Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1'));
    }
    if (types.isNativeError(o) || o instanceof Error) {
      const name = dataValue(o, 'name').value, message = dataValue(o, 'message').value;
      this.str('E', tag(o));
      this.str('', typeof name === 'string' ? name : tag(o));
      return this.str('', typeof message === 'string' ? message : '');
    }
    if (types.isPromise(o)) {
      this.parts.push('p');
      return;
    }
    if (types.isWeakMap(o) || types.isWeakSet(o) || isOpaque(o)) return this.str('o', tag(o));
    this.within(o, depth, () => {
      if (Array.isArray(o)) return this.array(o, depth);
      if (types.isMap(o)) return this.map(o, depth);
      if (types.isSet(o)) return this.set(o, depth);
      this.str('O', tag(o));
      this.props(o, depth);
    });
  }

  /** Runs `walk` with `o` on the current path. */
  private within(o: object, depth: number, walk: () => void): void {
    this.path.set(o, depth);
    try {
      walk();
    } finally {
      this.path.delete(o);
    }
  }

  private array(a: unknown[], depth: number): void {
    const n = a.length;
    if (n > this.nodes) throw OVER;
    this.parts.push('A' + n + ';');
    for (let i = 0; i < n; i++) {
      const d = Object.getOwnPropertyDescriptor(a, String(i));
      if (d === undefined) {
        if (--this.nodes < 0) throw OVER;
        this.parts.push('h'); // a hole
      } else if (!('value' in d)) {
        if (--this.nodes < 0) throw OVER;
        this.parts.push('g'); // a getter, never called
      } else this.value(d.value, depth + 1);
    }
  }

  private map(m: object, depth: number): void {
    const n = mapSize(m);
    if (2 * n > this.nodes) throw OVER;
    this.parts.push('M' + n + ';');
    for (const [k, v] of Map.prototype.entries.call(m) as IterableIterator<[unknown, unknown]>) {
      this.value(k, depth + 1);
      this.value(v, depth + 1);
    }
  }

  private set(s: object, depth: number): void {
    const n = setSize(s);
    if (n > this.nodes) throw OVER;
    this.parts.push('S' + n + ';');
    for (const v of Set.prototype.values.call(s) as IterableIterator<unknown>) this.value(v, depth + 1);
  }

  /** Own enumerable string keys in order, each with its data value (a getter as a marker). */
  private props(o: object, depth: number): void {
    const keys = Object.keys(o);
    if (keys.length > this.nodes) throw OVER;
    this.parts.push(keys.length + ';');
    for (const k of keys) {
      this.str('k', k);
      const d = dataValue(o, k);
      if (d.ok) this.value(d.value, depth + 1);
      else {
        if (--this.nodes < 0) throw OVER;
        this.parts.push('g');
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
    // UTF-16 code units as they are: lone surrogates stay distinct (UTF-8 would merge them).
    return createHash('sha256').update(e.text(), 'utf16le').digest('hex').slice(0, 16);
  } catch {
    return UNHASHABLE; // a limit, or a value that cannot be walked (e.g. a module namespace in its TDZ)
  }
}
