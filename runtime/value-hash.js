"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.UNHASHABLE = exports.HASH_LIMITS = void 0;
exports.valueHash = valueHash;
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
const node_util_1 = require("node:util");
const peek_1 = require("./peek");
exports.HASH_LIMITS = { maxNodes: 1_000, maxChars: 16_384, maxDepth: 100 };
/** The hash of a value too large (or too odd) to hash within the limits. */
exports.UNHASHABLE = '?';
/** Thrown inside the walk when a limit is reached. */
const OVER = Symbol('over the hash limits');
const getTime = Date.prototype.getTime;
const OBJECT_PROTO = Object.prototype, ARRAY_PROTO = Array.prototype;
const f64 = new Float64Array(1);
const f64words = new Uint32Array(f64.buffer);
/**
 * A 64-bit hash of a stream of 32-bit words: two MurmurHash3-style lanes with different constants,
 * mixed together at the end. Not cryptographic: it tells values apart, it does not resist forgery.
 */
class Hash64 {
    h1 = 0x9747b28c | 0;
    h2 = 0x5bd1e995 | 0;
    n = 0;
    word(k) {
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
    digest() {
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
function fmix(h) {
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    return h ^ (h >>> 16);
}
function hex8(h) {
    return (h >>> 0).toString(16).padStart(8, '0');
}
/** Walks a value and feeds its canonical form to the hash: tags, lengths, then the contents. */
class Encoder {
    limits;
    hash = new Hash64();
    nodes;
    chars;
    /** Objects on the current path, with their depth. */
    path = new Map();
    /** Facts of the prototype chains met so far. */
    protos = new Map();
    constructor(limits) {
        this.limits = limits;
        this.nodes = limits.maxNodes;
        this.chars = limits.maxChars;
    }
    tagged(t, s) {
        this.hash.word(t);
        this.str(s);
    }
    /** A string: its length, then its UTF-16 code units two by two. */
    str(s) {
        const n = s.length;
        this.chars -= n;
        if (this.chars < 0)
            throw OVER;
        const h = this.hash;
        h.word(n);
        let i = 0;
        for (; i + 1 < n; i += 2)
            h.word(s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16));
        if (i < n)
            h.word(s.charCodeAt(i));
    }
    num(v) {
        const h = this.hash;
        if ((v | 0) === v) { // -0 as 0, as snapshots show it
            h.word(2 /* T.Int */);
            h.word(v);
        }
        else if (v !== v) {
            h.word(4 /* T.NaN */); // every NaN alike, whatever its bits
        }
        else {
            f64[0] = v;
            h.word(3 /* T.Float */);
            h.word(f64words[0]);
            h.word(f64words[1]);
        }
    }
    bytes(b) {
        const n = b.length;
        this.chars -= n;
        if (this.chars < 0)
            throw OVER;
        const h = this.hash;
        h.word(n);
        let i = 0;
        for (; i + 3 < n; i += 4)
            h.word(b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24));
        let last = 0;
        for (let s = 0; i < n; i++, s += 8)
            last |= b[i] << s;
        if (n % 4 !== 0)
            h.word(last);
    }
    /** Counts one value against the node bound. */
    node() {
        if (--this.nodes < 0)
            throw OVER;
    }
    value(v, depth) {
        this.node();
        switch (typeof v) {
            case 'string': return this.tagged(1 /* T.Str */, v);
            case 'number': return this.num(v);
            case 'boolean': return this.hash.word(v ? 5 /* T.True */ : 6 /* T.False */);
            case 'undefined': return this.hash.word(7 /* T.Undef */);
            case 'bigint': return this.tagged(9 /* T.BigInt */, String(v));
            case 'symbol': return this.tagged(10 /* T.Sym */, String(v)); // the description, never a program's toString
            case 'function': return this.tagged(11 /* T.Fn */, (0, peek_1.fnName)(v));
        }
        if (v === null)
            return this.hash.word(8 /* T.Null */);
        this.object(v, depth);
    }
    /**
     * What the prototype chain starting at `proto` tells: looked up once per prototype and walk (no
     * program code runs during the walk, so no chain changes meanwhile).
     */
    facts(proto) {
        let f = this.protos.get(proto);
        if (f !== undefined)
            return f;
        f = { proxied: false, tag: (0, peek_1.protoTag)(proto), on: false, emit: false, req: false, res: false };
        let on, emit;
        let n = 0;
        for (let p = proto; p !== null; p = Object.getPrototypeOf(p)) {
            if (node_util_1.types.isProxy(p) || ++n > peek_1.MAX_PROTO_CHAIN) { // a chain too long to look at is treated as one with a Proxy (peek.ts)
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
    opaque(o, f) {
        const fn = (key, inherited) => {
            const d = Object.getOwnPropertyDescriptor(o, key);
            return d !== undefined ? typeof d.value === 'function' : inherited;
        };
        const has = (key, inherited) => inherited || Object.getOwnPropertyDescriptor(o, key) !== undefined;
        return (fn('on', f.on) && fn('emit', f.emit)) || (has('req', f.req) && has('res', f.res));
    }
    object(o, depth) {
        const h = this.hash;
        if (node_util_1.types.isProxy(o))
            return h.word(12 /* T.Proxy */);
        const on = this.path.get(o);
        if (on !== undefined) {
            h.word(13 /* T.Cycle */);
            h.word(depth - on);
            return;
        }
        if (depth >= this.limits.maxDepth)
            throw OVER;
        const proto = Object.getPrototypeOf(o);
        this.path.set(o, depth);
        try {
            // Plain objects and arrays first, without the checks for other kinds of objects (a value
            // with the internal slots of a Date or Map whose prototype was set to Object.prototype is
            // hashed as the plain object it claims to be: still deterministic, still no program code).
            if (proto === OBJECT_PROTO || proto === null)
                return this.props(27 /* T.Obj */, this.facts(proto).tag, o, depth);
            if (proto === ARRAY_PROTO && Array.isArray(o))
                return this.array(o, depth);
            this.other(o, this.facts(proto), depth);
        }
        finally {
            this.path.delete(o);
        }
    }
    /** Any object but a plain object or array, with the facts of its prototype chain. */
    other(o, f, depth) {
        const h = this.hash;
        // Its own data properties can be read safely; its class cannot (the lookup would reach the Proxy).
        if (f.proxied)
            return this.props(14 /* T.ProtoProxy */, '', o, depth);
        if (node_util_1.types.isDate(o)) {
            h.word(15 /* T.Date */);
            return this.num(getTime.call(o));
        }
        if (node_util_1.types.isRegExp(o))
            return this.tagged(16 /* T.RegExp */, (0, peek_1.regexpText)(o));
        if (node_util_1.types.isBoxedPrimitive(o)) {
            this.tagged(17 /* T.Boxed */, f.tag);
            return this.value((0, peek_1.unbox)(o), depth + 1);
        }
        if (node_util_1.types.isTypedArray(o) || node_util_1.types.isAnyArrayBuffer(o)) { // Buffers included
            this.tagged(18 /* T.Bytes */, f.tag);
            return this.bytes((0, peek_1.bytesOf)(o));
        }
        if (node_util_1.types.isNativeError(o) || (0, peek_1.inheritsError)(o)) {
            const name = (0, peek_1.dataValue)(o, 'name').value, message = (0, peek_1.dataValue)(o, 'message').value;
            this.tagged(19 /* T.Error */, f.tag);
            this.str(typeof name === 'string' ? name : f.tag);
            return this.str(typeof message === 'string' ? message : '');
        }
        if (node_util_1.types.isPromise(o))
            return h.word(20 /* T.Promise */);
        if (node_util_1.types.isWeakMap(o) || node_util_1.types.isWeakSet(o) || this.opaque(o, f))
            return this.tagged(21 /* T.Opaque */, f.tag);
        if (Array.isArray(o))
            return this.array(o, depth);
        if (node_util_1.types.isMap(o))
            return this.map(o, depth);
        if (node_util_1.types.isSet(o))
            return this.set(o, depth);
        this.props(27 /* T.Obj */, f.tag, o, depth);
    }
    array(a, depth) {
        const n = a.length;
        if (n > this.nodes)
            throw OVER;
        const h = this.hash;
        h.word(22 /* T.Array */);
        h.word(n);
        for (let i = 0; i < n; i++) {
            const d = Object.getOwnPropertyDescriptor(a, i);
            if (d === undefined) {
                this.node();
                h.word(23 /* T.Hole */);
            }
            else if (!('value' in d)) {
                this.node();
                h.word(24 /* T.Getter */); // never called
            }
            else
                this.value(d.value, depth + 1);
        }
    }
    map(m, depth) {
        const n = (0, peek_1.mapSize)(m);
        if (2 * n > this.nodes)
            throw OVER;
        this.hash.word(25 /* T.Map */);
        this.hash.word(n);
        for (const [k, v] of Map.prototype.entries.call(m)) {
            this.value(k, depth + 1);
            this.value(v, depth + 1);
        }
    }
    set(s, depth) {
        const n = (0, peek_1.setSize)(s);
        if (n > this.nodes)
            throw OVER;
        this.hash.word(26 /* T.Set */);
        this.hash.word(n);
        for (const v of Set.prototype.values.call(s))
            this.value(v, depth + 1);
    }
    /** An object as its kind and class, then its own enumerable string keys in order, each with its data value (a getter as a marker). */
    props(kind, cls, o, depth) {
        this.tagged(kind, cls);
        const { keys, complete } = (0, peek_1.ownKeys)(o); // a large object's keys are not listed again (peek.ts)
        if (!complete || keys.length > this.nodes)
            throw OVER;
        this.hash.word(keys.length);
        for (const k of keys) {
            this.str(k);
            const d = Object.getOwnPropertyDescriptor(o, k);
            if (d !== undefined && 'value' in d)
                this.value(d.value, depth + 1);
            else {
                this.node();
                this.hash.word(24 /* T.Getter */);
            }
        }
    }
}
/**
 * The structural hash of `value`: 16 lowercase hex digits, or `UNHASHABLE` when the value is too
 * large to hash within `limits` (or cannot be walked at all).
 */
function valueHash(value, limits = exports.HASH_LIMITS) {
    try {
        const e = new Encoder(limits);
        e.value(value, 0);
        return e.hash.digest();
    }
    catch {
        return exports.UNHASHABLE; // a limit, or a value that cannot be walked (e.g. a module namespace in its TDZ)
    }
}
//# sourceMappingURL=value-hash.js.map