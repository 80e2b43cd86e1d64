"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.trackPromiseIds = trackPromiseIds;
/**
 * Async ids for promises, which `noteReaction` (context.ts) needs to order a promise reaction after
 * the callback that settled its promise (`p.then(a).then(b)`: `b` after `a`). Node gives promises
 * async ids only while an async hook with an `init` callback is enabled. Where AsyncLocalStorage is
 * built on async hooks (Node 20 and 22) it enables one itself; where it is built on
 * AsyncContextFrame (Node 24 and later) it enables none, so this module enables an empty one for as
 * long as the runtime uses the storage.
 */
const node_async_hooks_1 = require("node:async_hooks");
/**
 * True when AsyncLocalStorage is the async-hooks implementation (it has `_propagate`, its init hook).
 * Anything else counts as not: an extra empty hook costs a little time, a missing one loses orderings.
 */
const storageGivesIds = typeof node_async_hooks_1.AsyncLocalStorage.prototype._propagate === 'function';
// One hook per process, shared by every copy of the runtime (they share the storage too).
const KEY = Symbol.for('raceway.promiseIds.v1');
function hook() {
    const g = globalThis;
    return (g[KEY] ??= (0, node_async_hooks_1.createHook)({ init() { } }));
}
/** The runtime starts (true) or stops (false) using AsyncLocalStorage. */
function trackPromiseIds(on) {
    if (storageGivesIds)
        return;
    if (on)
        hook().enable();
    else
        hook().disable();
}
//# sourceMappingURL=promise-ids.js.map