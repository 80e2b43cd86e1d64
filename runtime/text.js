"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.text = text;
exports.headerMap = headerMap;
/**
 * Text from values the application hands to the capture API (variable names, locations, lock ids,
 * header maps) without running its code: `String(x)` would call a `toString` or a Proxy trap, and
 * `Object.entries` the getters of a header object. Strings and other primitives convert as
 * `String` would; an object becomes `[Tag]` (its class name, read safely).
 */
const node_util_1 = require("node:util");
const peek_1 = require("./peek");
function text(v) {
    if (typeof v === 'string')
        return v;
    if (v === null || (typeof v !== 'object' && typeof v !== 'function'))
        return String(v); // primitives: no program code
    if (node_util_1.types.isProxy(v))
        return '[Proxy]';
    return `[${(0, peek_1.tag)(v)}]`;
}
/** Headers kept from one map (Node itself keeps at most 2000 of a request's by default). */
const MAX_HEADERS = 256;
const REDACTED = new Set(['authorization', 'cookie', 'set-cookie', 'x-raceway-key', 'proxy-authorization']);
/** A header map as strings: own data properties only, credentials redacted, arrays joined. */
function headerMap(h) {
    const out = {};
    if (h === null || typeof h !== 'object' || node_util_1.types.isProxy(h))
        return out;
    const { keys } = (0, peek_1.ownKeys)(h); // a header map of any size costs a bounded amount (peek.ts)
    for (let i = 0; i < keys.length && i < MAX_HEADERS; i++) {
        const k = keys[i];
        const d = Object.getOwnPropertyDescriptor(h, k);
        if (d === undefined || !('value' in d) || d.value === undefined || d.value === null)
            continue;
        const v = d.value;
        out[k] = REDACTED.has(k.toLowerCase()) ? '[redacted]'
            : !node_util_1.types.isProxy(v) && Array.isArray(v) ? joined(v) : text(v);
    }
    return out;
}
/** The values of a repeated header, joined as Node joins them, the first MAX_HEADERS of them (data elements only). */
function joined(values) {
    const parts = [];
    for (let i = 0; i < values.length && i < MAX_HEADERS; i++) {
        const d = Object.getOwnPropertyDescriptor(values, i);
        if (d !== undefined && 'value' in d)
            parts.push(text(d.value));
    }
    return parts.join(', ');
}
//# sourceMappingURL=text.js.map