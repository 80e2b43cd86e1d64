"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.emitError = emitError;
/**
 * Error events: what an exception that reached Raceway (a request that failed, an invocation a value
 * was thrown out of) is recorded as, read without running any of the application's code.
 */
const context_1 = require("./context");
const serialize_1 = require("./serialize");
const peek_1 = require("./peek");
const node_util_1 = require("node:util");
/** V8's own `stack` accessor (Node 21+ installs it on each error): calling it runs no program code but `Error.prepareStackTrace`. */
const V8_STACK_GETTER = Object.getOwnPropertyDescriptor(new Error(), 'stack')?.get;
/** An accessor for `key` on `o` or its prototypes (V8 reads `name` and `message` through them when it formats a stack). */
function hasAccessor(o, key) {
    let n = 0;
    for (let p = o; p !== null && !node_util_1.types.isProxy(p); p = Object.getPrototypeOf(p)) {
        if (n++ > peek_1.MAX_PROTO_CHAIN)
            return true; // too long to look at: taken as one that may run code
        const d = Object.getOwnPropertyDescriptor(p, key);
        if (d !== undefined)
            return !('value' in d);
    }
    return false;
}
/**
 * The stack text of an error, read as a data property or through V8's own accessor only, and only
 * when formatting it runs none of the application's code: no `Error.prepareStackTrace` installed,
 * `name` and `message` data properties (V8's formatting reads both).
 */
function stackOf(e) {
    if (typeof Error.prepareStackTrace === 'function' || hasAccessor(e, 'name') || hasAccessor(e, 'message'))
        return undefined;
    const d = Object.getOwnPropertyDescriptor(e, 'stack');
    if (d === undefined)
        return undefined;
    const v = 'value' in d ? d.value : d.get !== undefined && d.get === V8_STACK_GETTER ? d.get.call(e) : undefined;
    return typeof v === 'string' ? v : undefined;
}
/**
 * Records an Error event for `error` (any thrown value) in `task`. Reads no getter and runs no Proxy
 * trap of the application's: name and message as data properties, the type from the class.
 */
function emitError(sink, task, error) {
    let type = typeof error;
    let message = '';
    let stack = [];
    if (error !== null && typeof error === 'object' && !node_util_1.types.isProxy(error)) {
        const name = (0, peek_1.peekData)(error, 'name').value;
        const m = (0, peek_1.peekData)(error, 'message').value;
        type = typeof name === 'string' && name !== '' ? name : (0, peek_1.tag)(error);
        message = typeof m === 'string' ? m : '';
        const st = stackOf(error);
        if (st !== undefined)
            stack = st.split('\n').slice(1, 51).map((l) => l.trim());
    }
    else {
        message = String((0, serialize_1.snapshot)(error));
    }
    (0, context_1.emit)(sink, task, 8 /* K.Error */, type, message, stack);
}
//# sourceMappingURL=errors.js.map