/**
 * Prototypes looked at above an object. A longer chain (a program can build one of any length) is
 * treated as one with a Proxy on it: only the object's own properties are looked at, so a capture
 * never costs the length of the chain.
 */
export declare const MAX_PROTO_CHAIN = 100;
/**
 * Property `key` of `o` or its prototypes without running program code: data properties only (a
 * getter reads as `undefined`), and the walk stops at a Proxy. `found`: the property exists.
 */
export declare function peekData(o: object, key: PropertyKey): {
    found: boolean;
    value: unknown;
};
/** Own property `key` of `o` if it is a data property (`ok`); getters and missing keys are not. */
export declare function dataValue(o: object, key: string): {
    ok: boolean;
    value: unknown;
};
/**
 * Whether a Proxy is on the prototype chain of `o` (instanceof and `in` would run its traps), or the
 * chain is longer than MAX_PROTO_CHAIN (looked at as if it had one).
 */
export declare function protoProxy(o: object): boolean;
/**
 * `o instanceof Error` without running program code (`instanceof` would call an
 * `Error[Symbol.hasInstance]` a program defined): Error.prototype is on the prototype chain.
 */
export declare function inheritsError(o: object): boolean;
/** A function's own `name` if it is a data property (a class may define a static `name` getter). */
export declare function fnName(f: unknown): string;
/** The name of the object's class (`constructor.name` of its prototype, data properties only), else `Object`. */
export declare function tag(o: object): string;
/** `tag` of the objects whose prototype is `proto`. */
export declare function protoTag(proto: object | null): string;
/**
 * Objects that are whole frameworks' worth of state: a request context, sockets, streams. Looked up
 * without getters or Proxy traps (`r.on` would call an `on` getter, `in` a prototype Proxy's trap).
 */
export declare function isOpaque(o: object): boolean;
export declare function mapSize(m: object): number;
export declare function setSize(s: object): number;
/** Elements of a typed array (a Buffer included). */
export declare function typedLength(a: object): number;
/** Byte length of an ArrayBuffer or SharedArrayBuffer. */
export declare function bufferByteLength(b: object): number;
/** The bytes a typed array (a Buffer included) or an ArrayBuffer holds, as a view (no copy). */
export declare function bytesOf(o: object): Uint8Array;
/** The primitive a boxed primitive (`new Number(1)`, `Object(1n)`) holds. */
export declare function unbox(o: object): unknown;
/** `/source/flags` of a RegExp, as `String(re)` shows a plain one. */
export declare function regexpText(re: object): string;
/** Objects with at most this many own enumerable keys are listed afresh on every capture. */
export declare const LISTED_KEYS_MAX = 1024;
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
export declare function ownKeys(o: object): OwnKeys;
//# sourceMappingURL=peek.d.ts.map