"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.noticeFlag = noticeFlag;
exports.noticeOnce = noticeOnce;
exports.unreachableNotice = unreachableNotice;
exports.droppedAtExitNotice = droppedAtExitNotice;
/**
 * The one line a user sees when events are not getting to the Raceway server: at most once per
 * process, whichever thread notices first (the app thread and the shipping thread share the flag
 * through a SharedArrayBuffer). It is written straight to stderr, synchronously, so that it shows
 * even when the process is ending in `process.exit()`, and it does not go through the app's
 * 'warning' listeners. With `debug` on, the transport's log keeps the details (each failure, each
 * dropped batch); this line only says what is wrong and what to do.
 */
const node_fs_1 = require("node:fs");
const KEY = Symbol.for('raceway.notice.v1');
function newFlag() {
    try {
        return new Int32Array(new SharedArrayBuffer(4));
    }
    catch {
        return new Int32Array(1); // no shared memory: the shipping thread then gets its own copy
    }
}
/** This process's flag (0 until the line is written), shared by every copy of the runtime; handed to the shipping thread. */
function noticeFlag() {
    const g = globalThis;
    return (g[KEY] ??= newFlag());
}
/** Writes `line` to stderr unless a notice was already written in this process. Never throws. */
function noticeOnce(flag, line) {
    try {
        if (Atomics.compareExchange(flag, 0, 0, 1) !== 0)
            return;
        (0, node_fs_1.writeSync)(2, line + '\n');
    }
    catch {
        // stderr closed or not writable: nothing else to do, and never into the app
    }
}
const HOW_TO_START = 'start it with `npx raceway serve`; RACEWAY_DEBUG=1 shows the details';
/** A delivery failed with a network error (nothing listening, DNS, refused, timeout). */
function unreachableNotice(endpoint) {
    return `[raceway] cannot reach the Raceway server at ${endpoint}, so events are being dropped: ${HOW_TO_START}`;
}
/** The process is ending and events could not be delivered in time. */
function droppedAtExitNotice(endpoint) {
    return `[raceway] events were dropped at exit: the Raceway server at ${endpoint} did not take them in time (is it running? ${HOW_TO_START})`;
}
//# sourceMappingURL=notice.js.map