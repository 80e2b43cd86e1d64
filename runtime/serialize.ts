/**
 * Safe snapshots of program values for events. A snapshot is taken at capture time (later mutation
 * of the object does not change what was recorded), always yields valid, bounded JSON, and never
 * runs program code: no getters, no Proxy traps, no toJSON/toString/valueOf calls (peek.ts).
 *
 * A snapshot is a short preview: at most `maxNodes` values below the top one, so its cost does not
 * depend on the size of the program's object graph. A value that fits is recorded exactly, and
 * equal JSON texts mean structurally equal values. A snapshot that had to leave something out —
 * below the depth limit, beyond the item, node or string limits, a circular reference, a getter,
 * the contents of a buffer or boxed primitive — carries at its top level what tells it apart from
 * other values whose previews look alike:
 *   objects, Map, Set, Error   an extra key `"$id": "<identity>"`
 *   arrays                     an extra last element `"$id:<identity>"`
 *   markers                    ` $id:<identity>` appended (`"[Object] $id:…"`)
 *   strings                    ` $hash:<16 hex>` appended (`"abc…(600 more) $hash:…"`), a hash of
 *                              the whole string (value-hash.ts), `?` past its bound
 * The identity names the object (unique within the process and across processes), so equal texts
 * of a lossy snapshot mean the same object with the same preview: the program's reference to one
 * object, as a read that sees what a write stored. Two distinct objects whose previews are alike
 * never read as one value, whatever their contents; nothing beyond the preview is walked.
 */
import { randomBytes } from 'node:crypto';
import { types } from 'node:util';
import type { JsonValue } from '../protocol/events';
import { chainFacts, dataValue, fnName, inheritsError, isOpaque, isOpaqueOn, isOpaqueWith, mapSize, ownKeys, protoProxy, regexpText, setSize, tag, typedLength, bufferByteLength } from './peek';
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

export const DEFAULT_LIMITS: SnapshotLimits = { maxDepth: 3, maxItems: 32, maxString: 512, maxNodes: 16 };

/** One snapshot's walk: the expansions left, and whether anything was left out so far. */
interface Walk {
  nodes: number;
  lost: boolean;
}

function truncate(s: string, max: number): string {
  return s.length <= max ? s : s.slice(0, max) + `…(${s.length - max} more)`;
}

/**
 * Snapshot any value into bounded JSON (`undefined` becomes `null`), with the object's identity
 * (or the long string's hash) when the snapshot left something out (see above).
 */
export function snapshot(value: unknown, limits: SnapshotLimits = DEFAULT_LIMITS): JsonValue {
  if (typeof value === 'string') return value.length <= limits.maxString ? value : longString(value, limits);
  if (typeof value !== 'object' || value === null) return primitive(value);
  return JSON.parse(objectText(value, limits, true)) as JsonValue;
}

/**
 * The snapshot without identity or hash, for JSON whose shape is fixed by the event schema (an
 * event kind passed as-is, where an extra key would make the event invalid).
 */
export function snapshotPlain(value: unknown, limits: SnapshotLimits = DEFAULT_LIMITS): JsonValue {
  if (typeof value === 'string') return truncate(value, limits.maxString);
  if (typeof value !== 'object' || value === null) return primitive(value);
  return JSON.parse(objectText(value, limits, false)) as JsonValue;
}

/**
 * A snapshot already written as JSON text, as events carry it: the shipping thread copies the text
 * into the event (wire.ts) instead of walking and stringifying a tree of JSON values.
 */
export class SnapshotText {
  constructor(readonly json: string) {}
}

/**
 * A value as an event carries it (`old_value`, `new_value`): primitives as JSON values (numbers
 * travel in the event row, strings are quoted on the shipping thread), objects as `SnapshotText`.
 * The same JSON as `snapshot`, made without building a tree of JSON values first.
 */
export function captureValue(value: unknown, limits: SnapshotLimits = DEFAULT_LIMITS): JsonValue | SnapshotText {
  if (typeof value === 'string') return value.length <= limits.maxString ? value : longString(value, limits);
  if (typeof value !== 'object' || value === null) return primitive(value);
  return new SnapshotText(objectText(value, limits, true));
}

/**
 * A function's arguments as a FunctionCall event carries them: `{"<param>": <snapshot>, …}` for the
 * declared parameters, each argument its own snapshot.
 */
export function captureArgs(params: readonly string[], args: ArrayLike<unknown>, limits: SnapshotLimits = DEFAULT_LIMITS): SnapshotText {
  let out = '{';
  for (let i = 0; i < params.length; i++) {
    if (i > 0) out += ',';
    const v = args[i];
    out += JSON.stringify(params[i]!) + ':' + (typeof v === 'string' ? JSON.stringify(v.length <= limits.maxString ? v : longString(v, limits))
      : typeof v !== 'object' || v === null ? primitiveText(v) : objectText(v, limits, true));
  }
  return new SnapshotText(out + '}');
}

function longString(s: string, limits: SnapshotLimits): string {
  return `${truncate(s, limits.maxString)} $hash:${stringHash(s)}`;
}

/** The JSON text of an object's snapshot; `mark`: with its identity if something was left out. */
function objectText(o: object, limits: SnapshotLimits, mark: boolean): string {
  const walk: Walk = { nodes: limits.maxNodes, lost: false };
  const text = objectJson(o, limits, 0, null, walk);
  return mark && walk.lost ? withIdentity(text, o) : text;
}

// ---- identity -----------------------------------------------------------------------------------

/** Tells this process's identities from every other process's (a snapshot may meet another service's). */
const PROCESS_TAG = randomBytes(6).toString('hex');
const identities = new WeakMap<object, string>();
let nextIdentity = 0;

/**
 * The identity of an object: the same text for as long as the object lives, different for every
 * other object of any process. Held weakly (an object recorded once is not kept alive by it).
 */
export function identity(o: object): string {
  let id = identities.get(o);
  if (id === undefined) {
    id = `${PROCESS_TAG}.${(nextIdentity++).toString(36)}`;
    identities.set(o, id);
  }
  return id;
}

/** Adds the identity of `o` to the JSON text of its top-level snapshot (contract in the header). */
function withIdentity(text: string, o: object): string {
  const id = identity(o);
  const body = text.slice(0, -1);
  switch (text.charCodeAt(text.length - 1)) {
    case 0x7d /* } */: return `${body}${text.length > 2 ? ',' : ''}"$id":"${id}"}`;
    case 0x5d /* ] */: return `${body}${text.length > 2 ? ',' : ''}"$id:${id}"]`;
    case 0x22 /* " */: return `${body} $id:${id}"`;
    default: return text; // numbers, booleans and null lose nothing
  }
}

// ---- long strings -------------------------------------------------------------------------------

/**
 * Hashes of long strings recorded lately. A program reads one long string (a parser's source, a
 * body) again and again; a string is its own Map key (V8 keeps its hash), so a repeat costs a lookup
 * instead of reading up to HASH_LIMITS.maxChars characters again.
 */
const stringHashes = new Map<string, string>();
const STRING_HASHES_MAX = 256;

function stringHash(s: string): string {
  let h = stringHashes.get(s);
  if (h === undefined) {
    if (stringHashes.size >= STRING_HASHES_MAX) stringHashes.clear();
    h = valueHash(s);
    stringHashes.set(s, h);
  }
  return h;
}

// ---- the walk -----------------------------------------------------------------------------------

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

/** `primitive` as JSON text. */
function primitiveText(value: unknown): string {
  switch (typeof value) {
    case 'number':
      return Number.isFinite(value) ? (Object.is(value, -0) ? '0' : String(value)) : `"${String(value)}"`;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
      return 'null';
    default:
      return value === null ? 'null' : JSON.stringify(primitive(value));
  }
}

/**
 * Objects on the path from the top value to the one being expanded (a circular reference is one
 * of them). A short linked list: the path is at most `maxDepth` long, so no Set per snapshot.
 */
interface Path {
  readonly o: object;
  readonly up: Path | null;
}

function onPath(o: object, path: Path | null): boolean {
  for (let p = path; p !== null; p = p.up) if (p.o === o) return true;
  return false;
}

/** JSON text of any value below the top one. */
function json(v: unknown, limits: SnapshotLimits, depth: number, path: Path | null, walk: Walk): string {
  if (typeof v === 'string') {
    if (v.length <= limits.maxString) return JSON.stringify(v);
    walk.lost = true;
    return JSON.stringify(truncate(v, limits.maxString));
  }
  if (typeof v !== 'object' || v === null) return primitiveText(v);
  return objectJson(v, limits, depth, path, walk);
}

const quote = (s: string): string => JSON.stringify(s);

/** Property names quoted lately: objects of one shape are recorded again and again. */
const quotedKeys = new Map<string, string>();
const QUOTED_KEYS_MAX = 4096;

function quoteKey(k: string): string {
  let q = quotedKeys.get(k);
  if (q === undefined) {
    if (quotedKeys.size >= QUOTED_KEYS_MAX) quotedKeys.clear();
    q = JSON.stringify(k);
    quotedKeys.set(k, q);
  }
  return q;
}
const OBJECT_PROTO = Object.prototype, ARRAY_PROTO = Array.prototype;
const OBJECT_CHAIN = [OBJECT_PROTO], ARRAY_CHAIN = [ARRAY_PROTO, OBJECT_PROTO];
const OBJECT_MARKER = '"[Object]"';

/** What `expand` has been told about an object, so that it need not ask again: Plain is neither an array, a Map nor a Set. */
const enum Kind { Plain, Array, Other }

function objectJson(o: object, limits: SnapshotLimits, depth: number, path: Path | null, walk: Walk): string {
  if (types.isProxy(o)) return '"[Proxy]"';
  if (path !== null && onPath(o, path)) {
    walk.lost = true;
    return '"[Circular]"';
  }
  // Plain objects and arrays, most of what programs store, skip the checks for other kinds (their
  // prototype is a built-in one, so no Proxy is on the chain and they are no Date, Error, …).
  const proto = Object.getPrototypeOf(o) as object | null;
  if (proto === OBJECT_PROTO) {
    // Past the budget, once the snapshot is marked, a plain object is `[Object]` whatever it holds.
    if (walk.lost && (walk.nodes <= 0 || depth >= limits.maxDepth)) return OBJECT_MARKER;
    return isOpaqueOn(o, OBJECT_CHAIN) ? OBJECT_MARKER : expand(o, limits, depth, path, walk, 'Object', Kind.Plain);
  }
  if (proto === ARRAY_PROTO && Array.isArray(o)) return isOpaqueOn(o, ARRAY_CHAIN) ? '"[Array]"' : expand(o, limits, depth, path, walk, 'Array', Kind.Array);
  // Class instances: their chain's facts are known after the first one (peek.ts `chainFacts`).
  const facts = chainFacts(proto);
  if (facts.ordinary && !Array.isArray(o)) return isOpaqueWith(o, facts) ? quote(`[${facts.tag}]`) : expand(o, limits, depth, path, walk, facts.tag, Kind.Plain);
  // Below, instanceof and property lookups walk the prototype chain: not through a Proxy's traps.
  if (protoProxy(o)) {
    walk.lost = true;
    return '"[Object]"';
  }
  if (types.isDate(o)) {
    const t = Date.prototype.getTime.call(o);
    return Number.isNaN(t) ? '"Invalid Date"' : `"${new Date(t).toISOString()}"`;
  }
  if (types.isRegExp(o)) return quote(regexpText(o));
  if (types.isBoxedPrimitive(o)) {
    walk.lost = true;
    return quote(`[${tag(o)}]`);
  }
  if (types.isTypedArray(o)) { // Buffers included (`Buffer.isBuffer` is an `instanceof`)
    const length = typedLength(o);
    if (length > 0) walk.lost = true;
    return quote(`[${tag(o)} length=${length}]`);
  }
  if (types.isAnyArrayBuffer(o)) {
    const byteLength = bufferByteLength(o);
    if (byteLength > 0) walk.lost = true;
    return quote(`[${tag(o)} byteLength=${byteLength}]`);
  }
  if (types.isNativeError(o) || inheritsError(o)) {
    const name = dataValue(o, 'name').value, m = dataValue(o, 'message').value;
    const message = typeof m === 'string' ? m : '';
    if (message.length > limits.maxString) walk.lost = true;
    return `{"$type":${quote(tag(o))},"name":${quote(typeof name === 'string' ? name : tag(o))},"message":${quote(truncate(message, limits.maxString))}}`;
  }
  if (types.isPromise(o)) return '"[Promise]"';
  if (types.isWeakMap(o) || types.isWeakSet(o)) return quote(`[${tag(o)}]`);
  if (isOpaque(o)) return quote(`[${tag(o)}]`);
  return expand(o, limits, depth, path, walk, tag(o), Array.isArray(o) ? Kind.Array : Kind.Other);
}

/**
 * An array, Map, Set or other object (of class `t`, see `tag`) expanded into its items, or a marker
 * once the depth or node budget is spent.
 */
function expand(o: object, limits: SnapshotLimits, depth: number, up: Path | null, walk: Walk, t: string, kind: Kind): string {
  if (depth >= limits.maxDepth || walk.nodes <= 0) {
    walk.lost = true;
    if (kind === Kind.Array) return `"[Array(${(o as unknown[]).length})]"`;
    if (kind === Kind.Other && (types.isMap(o) || types.isSet(o))) return quote(`[${t}(${types.isMap(o) ? mapSize(o) : setSize(o)})]`);
    return t === 'Object' ? OBJECT_MARKER : quote(`[${t}]`);
  }
  const path: Path = { o, up };
  if (kind === Kind.Array) {
    const a = o as unknown[];
    const n = Math.min(a.length, limits.maxItems);
    let out = '[';
    for (let i = 0; i < n; i++) {
      if (i > 0) out += ',';
      walk.nodes--;
      const d = Object.getOwnPropertyDescriptor(a, i);
      if (d !== undefined && 'value' in d) out += json(d.value, limits, depth + 1, path, walk);
      else {
        walk.lost = true; // a hole or a getter: shown as null
        out += 'null';
      }
    }
    if (a.length > n) {
      walk.lost = true;
      out += `${n > 0 ? ',' : ''}"…(${a.length - n} more)"`;
    }
    return out + ']';
  }
  if (kind === Kind.Other && types.isMap(o)) {
    let out = `{"$type":"Map","size":${mapSize(o)},"entries":[`;
    let i = 0;
    for (const [k, v] of Map.prototype.entries.call(o) as IterableIterator<[unknown, unknown]>) {
      if (i >= limits.maxItems) {
        walk.lost = true;
        break;
      }
      walk.nodes -= 2;
      out += `${i++ > 0 ? ',' : ''}[${json(k, limits, depth + 1, path, walk)},${json(v, limits, depth + 1, path, walk)}]`;
    }
    return out + ']}';
  }
  if (kind === Kind.Other && types.isSet(o)) {
    let out = `{"$type":"Set","size":${setSize(o)},"values":[`;
    let i = 0;
    for (const v of Set.prototype.values.call(o) as IterableIterator<unknown>) {
      if (i >= limits.maxItems) {
        walk.lost = true;
        break;
      }
      walk.nodes--;
      out += (i++ > 0 ? ',' : '') + json(v, limits, depth + 1, path, walk);
    }
    return out + ']}';
  }
  let out = t !== 'Object' ? `{"$type":${quote(t)}` : '{';
  let first = t === 'Object';
  const { keys, count, complete } = ownKeys(o); // bounded for objects of any size (peek.ts)
  const n = Math.min(keys.length, limits.maxItems);
  if (!complete) walk.lost = true;
  for (let i = 0; i < n; i++) {
    const k = keys[i]!;
    walk.nodes--;
    const d = Object.getOwnPropertyDescriptor(o, k);
    out += `${first ? '' : ','}${quoteKey(k)}:`;
    first = false;
    if (d !== undefined && 'value' in d) out += json(d.value, limits, depth + 1, path, walk);
    else {
      walk.lost = true;
      out += '"[Getter]"';
    }
  }
  if (count > n) {
    walk.lost = true;
    out += `${first ? '' : ','}"…":"${count - n} more keys"`;
  }
  return out + '}';
}
