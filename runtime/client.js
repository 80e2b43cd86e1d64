"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.rootTask = exports.emitError = exports.RacewayClient = exports.DEFAULT_FLUSH_TIMEOUT_MS = void 0;
exports.init = init;
exports.getClient = getClient;
/**
 * The public client (the Raceway client API). Capture methods record into the calling task's context
 * (trace, span, vector clock, lock set) and return immediately; the transport ships later.
 */
const config_1 = require("./config");
const context_1 = require("./context");
Object.defineProperty(exports, "rootTask", { enumerable: true, get: function () { return context_1.rootTask; } });
const ids_1 = require("./ids");
const middleware_1 = require("./middleware");
const serialize_1 = require("./serialize");
const text_1 = require("./text");
const peek_1 = require("./peek");
const node_util_1 = require("node:util");
const sampler_1 = require("./sampler");
const errors_1 = require("./errors");
Object.defineProperty(exports, "emitError", { enumerable: true, get: function () { return errors_1.emitError; } });
const transport_1 = require("./transport");
const outgoing_1 = require("./outgoing");
const propagation_1 = require("./propagation");
function log(config, msg) {
    if (config.debug)
        process.stderr.write(`[raceway] ${msg}\n`);
}
/** How long `flush()` waits at most unless told otherwise. */
exports.DEFAULT_FLUSH_TIMEOUT_MS = 10_000;
class RacewayClient {
    config;
    transport = null;
    exitHooks = null;
    shutDown = false;
    /** Decides which requests are recorded (see `sampler.ts`). */
    sampler;
    /** Capture calls that recorded nothing (`stats().failed`). */
    failedCaptures = 0;
    constructor(config = {}) {
        this.config = (0, config_1.resolveConfig)(config);
        this.sampler = new sampler_1.Sampler(this.config);
        if (this.config.enabled) {
            const from = adopting?.transport ?? null;
            this.transport = new transport_1.Transport(this.config, (m) => log(this.config, m), from, creatingImplicit);
            if (this.config.handleExit)
                this.installExitHooks();
            if (this.config.propagation !== 'off')
                (0, outgoing_1.installOutgoing)(() => holder.c);
        }
    }
    /** `init()` replaces this implicit client: it stops without shipping if its events were taken over. */
    retire() {
        if (this.transport?.isDetached) {
            this.shutDown = true;
            syncRecordingOff();
            this.removeExitHooks();
            return;
        }
        void this.shutdown();
    }
    /** True when events are being captured and shipped. */
    get enabled() {
        return this.transport !== null && !this.shutDown;
    }
    write(k, seq, ts, task, a, b, c, d, e, dur) {
        this.transport?.write(k, seq, ts, task, a, b, c, d, e, dur);
    }
    // ---- client API -----------------------------------------------------------------------------
    /** Records a complete event kind as given (e.g. kinds this client has no helper for). */
    captureEvent(kind, task = (0, context_1.currentTask)()) {
        if (!this.transport)
            return;
        try {
            (0, context_1.emit)(this, task, 10 /* K.Raw */, (0, serialize_1.snapshotPlain)(kind), null, null, null, null);
        }
        catch {
            this.captureFailed();
        }
    }
    /** A read or write of `variable`. Values are snapshotted now; `undefined` is sent as null. */
    captureStateChange(variable, oldValue, newValue, location, accessType = 'Write') {
        if (!this.transport)
            return;
        try {
            (0, context_1.emit)(this, (0, context_1.currentTask)(), 0 /* K.StateChange */, (0, text_1.text)(variable), (0, serialize_1.snapshot)(oldValue), (0, serialize_1.snapshot)(newValue), (0, text_1.text)(location), accessTypeOf(accessType));
        }
        catch {
            this.captureFailed();
        }
    }
    /**
     * A function entry. It becomes the current span: events captured until the matching
     * `exitFunction()` have it as `parent_id`.
     */
    captureFunctionCall(functionName, args = {}, location = {}) {
        if (!this.transport)
            return;
        try {
            const task = (0, context_1.currentTask)();
            const name = (0, text_1.text)(functionName);
            // The location's fields as data properties (a getter or Proxy trap would run the app's code).
            const at = location !== null && typeof location === 'object' && !node_util_1.types.isProxy(location) ? location : {};
            const line = numberOf((0, peek_1.peekData)(at, 'line').value ?? 0);
            task.span = (0, context_1.emitSpan)(this, task, 1 /* K.FunctionCall */, name, (0, text_1.text)((0, peek_1.peekData)(at, 'module').value ?? ''), (0, serialize_1.snapshot)(args), (0, text_1.text)((0, peek_1.peekData)(at, 'file').value ?? ''), Math.max(0, Math.floor(line)));
            task.fn = name;
        }
        catch {
            this.captureFailed();
        }
    }
    /** The Raceway client API's context operation: same as `captureFunctionCall`. */
    enterFunction(functionName, args = {}, location = {}) {
        this.captureFunctionCall(functionName, args, location);
    }
    /** Closes the span opened by the latest `captureFunctionCall` / `enterFunction` in this task. */
    exitFunction() {
        const task = (0, context_1.currentTask)();
        const span = task.span;
        if (span)
            (0, context_1.exitSpan)(task, span.parent);
    }
    /** Id of the current span's event (its FunctionCall or HttpRequest), or null. */
    getCurrentSpan() {
        const span = (0, context_1.currentTask)().span;
        return span ? (0, ids_1.uuidV7)(span.ts, span.seq) : null;
    }
    /** A task spawned by the current one (for hand-instrumented code; instrumented code does this itself). */
    captureAsyncSpawn(taskId = (0, ids_1.randomId)(), spawnedBy) {
        if (!this.transport)
            return;
        try {
            const task = (0, context_1.currentTask)();
            (0, context_1.emit)(this, task, 2 /* K.AsyncSpawn */, (0, text_1.text)(taskId), spawnedBy === undefined ? task.fn : (0, text_1.text)(spawnedBy));
        }
        catch {
            this.captureFailed();
        }
    }
    /** An await of `futureId` at `location`. */
    captureAsyncAwait(futureId = (0, ids_1.randomId)(), location = '') {
        if (!this.transport)
            return;
        try {
            (0, context_1.emit)(this, (0, context_1.currentTask)(), 3 /* K.AsyncAwait */, (0, text_1.text)(futureId), (0, text_1.text)(location));
        }
        catch {
            this.captureFailed();
        }
    }
    /** Records a lock acquisition (use `Mutex`/`withLock` to get real exclusion and happens-before). */
    captureLockAcquire(lockId, lockType = 'Mutex', location = '') {
        if (!this.transport)
            return;
        try {
            (0, context_1.emit)(this, (0, context_1.currentTask)(), 4 /* K.LockAcquire */, (0, text_1.text)(lockId), (0, text_1.text)(lockType), (0, text_1.text)(location));
        }
        catch {
            this.captureFailed();
        }
    }
    captureLockRelease(lockId, lockType = 'Mutex', location = '') {
        if (!this.transport)
            return;
        try {
            (0, context_1.emit)(this, (0, context_1.currentTask)(), 5 /* K.LockRelease */, (0, text_1.text)(lockId), (0, text_1.text)(lockType), (0, text_1.text)(location));
        }
        catch {
            this.captureFailed();
        }
    }
    captureHttpRequest(method, url, headers = {}, body = null) {
        if (!this.transport)
            return;
        try {
            const task = (0, context_1.currentTask)();
            task.span = (0, context_1.emitSpan)(this, task, 6 /* K.HttpRequest */, (0, text_1.text)(method), (0, text_1.text)(url), (0, text_1.headerMap)(headers), (0, serialize_1.snapshot)(body));
        }
        catch {
            this.captureFailed();
        }
    }
    /** `duration` in milliseconds. */
    captureHttpResponse(status, headers = {}, body = null, duration = 0) {
        if (!this.transport)
            return;
        try {
            const ms = Math.max(0, Math.round(numberOf(duration)));
            (0, context_1.emit)(this, (0, context_1.currentTask)(), 7 /* K.HttpResponse */, Math.min(65535, Math.max(0, Math.floor(numberOf(status)))), (0, text_1.headerMap)(headers), (0, serialize_1.snapshot)(body), ms, null, ms * 1e6);
        }
        catch {
            this.captureFailed();
        }
    }
    captureError(error) {
        if (!this.transport)
            return;
        try {
            (0, errors_1.emitError)(this, (0, context_1.currentTask)(), error);
        }
        catch {
            this.captureFailed();
        }
    }
    captureCustom(name, data = null) {
        if (!this.transport)
            return;
        try {
            (0, context_1.emit)(this, (0, context_1.currentTask)(), 9 /* K.Custom */, (0, text_1.text)(name), (0, serialize_1.snapshot)(data));
        }
        catch {
            this.captureFailed();
        }
    }
    /**
     * Resolves when everything captured so far is delivered or definitively dropped, or after
     * `timeoutMs` (default 10 s) with the rest still queued: a server that accepts connections and
     * never answers cannot hold the caller for the transport's retries. Never rejects.
     */
    flush(timeoutMs = exports.DEFAULT_FLUSH_TIMEOUT_MS) {
        if (!this.transport)
            return Promise.resolve();
        const ms = typeof timeoutMs === 'number' && timeoutMs >= 0 ? Math.min(timeoutMs, 2 ** 31 - 1) : exports.DEFAULT_FLUSH_TIMEOUT_MS;
        return this.transport.flushFor(ms).catch(() => undefined);
    }
    /** Final flush (bounded by `shutdownTimeout`), then timers and sockets are released. */
    async shutdown() {
        if (this.shutDown)
            return;
        this.shutDown = true;
        syncRecordingOff();
        this.removeExitHooks();
        await this.transport?.close(this.config.shutdownTimeout).catch(() => undefined);
    }
    /** Counters (see `RacewayStats`); `captured = sent + dropped + rejected + queued` holds in every answer. */
    stats() {
        const t = this.transport ? this.transport.stats() : { captured: 0, sent: 0, dropped: 0, rejected: 0, queued: 0, failedRequests: 0 };
        return { ...t, failed: this.failedCaptures, requestsRecorded: this.sampler.recorded, requestsLeftOut: this.sampler.leftOut };
    }
    /** A capture call recorded nothing: its arguments could not be used (`stats().failed`). */
    captureFailed() {
        this.failedCaptures++;
    }
    /** For the instrumentation hooks: a capture of theirs failed and recorded nothing (`stats().failed`). */
    countFailedCapture() {
        this.failedCaptures++;
    }
    /** Events captured so far (what the sampling budget is measured against). */
    get capturedCount() {
        return this.transport ? this.transport.capturedCount : 0;
    }
    /**
     * The headers that carry the current task's trace and vector clock to another service
     * (`traceparent`, `tracestate` when the request received one, `raceway-clock`), for calls the
     * runtime does not see (a client other than fetch/undici/http, a message queue) or `http.request`
     * on Node versions before 22.12, whose headers cannot be added for it. `{}` when nothing is
     * recorded here.
     */
    propagationHeaders() {
        if (!this.transport)
            return {};
        try {
            const task = (0, context_1.currentTask)();
            if (!task.sampled)
                return {};
            return (0, propagation_1.outgoingHeaders)(task, (0, propagation_1.senderOf)(this.config));
        }
        catch {
            return {};
        }
    }
    /** Koa middleware: a trace per request. See `middleware.ts`. */
    koa() {
        return (0, middleware_1.koaMiddleware)(this);
    }
    /** Express/Connect middleware: a trace per request. */
    express() {
        return (0, middleware_1.expressMiddleware)(this);
    }
    /** Express error handler that records the error and passes it on; mount after your routes. */
    expressErrorHandler() {
        return (0, middleware_1.expressErrorHandler)(this);
    }
    // ---- exit -----------------------------------------------------------------------------------
    installExitHooks() {
        const transport = this.transport;
        const bound = this.config.shutdownTimeout;
        let flushingOnExit = false;
        // One time bound for the whole exit, however many times the loop empties and beforeExit fires
        // again (it does after every flush round): a slow or unreachable server cannot keep us alive.
        let exitBy = 0;
        const remaining = () => {
            if (exitBy === 0)
                exitBy = Date.now() + bound;
            return exitBy - Date.now();
        };
        const onBeforeExit = () => {
            if (flushingOnExit || transport.stats().queued === 0)
                return;
            const left = remaining();
            if (left <= 0)
                return;
            flushingOnExit = true;
            void transport.flushWithin(left).finally(() => { flushingOnExit = false; });
        };
        const onSignal = (signal) => {
            // Flush, then let the signal do what it would have done without us: if nobody else listens,
            // re-raise it so the default action (exit by signal) happens; otherwise the app decides.
            const othersListen = process.listenerCount(signal) > 1;
            void transport.flushWithin(othersListen ? bound : Math.max(0, remaining())).finally(() => {
                transport.noticeUndelivered();
                if (!othersListen) {
                    this.removeExitHooks();
                    process.kill(process.pid, signal);
                }
            });
        };
        // process.exit() skips beforeExit: block briefly while the shipping thread delivers the rest.
        const onExit = () => {
            try {
                const left = remaining();
                const delivered = left > 0 ? transport.flushSync(left) : transport.stats().queued === 0;
                if (!delivered)
                    transport.noticeUndelivered();
            }
            catch { /* never into the app */ }
        };
        // An uncaught exception ends the process after 'exit' listeners run: record it, then onExit delivers.
        const onUncaught = (err) => { try {
            (0, errors_1.emitError)(this, (0, context_1.currentTask)(), err);
        }
        catch { /* never into the app */ } };
        process.on('uncaughtExceptionMonitor', onUncaught);
        process.on('beforeExit', onBeforeExit);
        process.on('exit', onExit);
        process.on('SIGTERM', onSignal);
        process.on('SIGINT', onSignal);
        this.exitHooks = () => {
            process.removeListener('uncaughtExceptionMonitor', onUncaught);
            process.removeListener('beforeExit', onBeforeExit);
            process.removeListener('exit', onExit);
            process.removeListener('SIGTERM', onSignal);
            process.removeListener('SIGINT', onSignal);
        };
    }
    removeExitHooks() {
        this.exitHooks?.();
        this.exitHooks = null;
    }
}
exports.RacewayClient = RacewayClient;
/** Thrown inside a capture call for an argument it cannot use; the call counts as failed. */
class UnusableArgument extends Error {
}
const ACCESS_TYPES = new Set(['Read', 'Write', 'AtomicRead', 'AtomicWrite', 'AtomicRMW']);
/** One of the schema's access types, else the capture fails. */
function accessTypeOf(v) {
    if (!ACCESS_TYPES.has(v))
        throw new UnusableArgument('access type');
    return v;
}
/**
 * A number given as a number or numeric string (converted as `Number` does, which runs no program
 * code for primitives); an object is not converted (its `valueOf` is the app's code): the capture fails.
 */
function numberOf(v) {
    const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
    if (!Number.isFinite(n))
        throw new UnusableArgument('number');
    return n;
}
// ---- the process-wide client --------------------------------------------------------------------
// One holder object shared by every copy of the runtime in the process, found once: every hook asks
// for the client, and a plain property read is much cheaper than a symbol lookup on globalThis.
const KEY = Symbol.for('raceway.client.v2');
const holder = (globalThis[KEY] ??= { c: undefined });
/**
 * Creates (or replaces) the process-wide client that instrumented code reports to. Options override
 * the `RACEWAY_*` environment variables. Throws `RacewayConfigError` on invalid options.
 */
function init(config = {}) {
    const old = holder.c;
    // Events instrumented modules recorded while they loaded, before `init()` ran, went to a client
    // made from the environment; if it has not shipped anything yet, the new client takes them over,
    // so they go to this configuration's endpoint under its service name.
    adopting = old !== undefined && implicitClients.has(old) ? old : null;
    let client;
    try {
        client = new RacewayClient({ ...(0, config_1.configFromEnv)(), ...config });
    }
    finally {
        adopting = null;
    }
    holder.c = client;
    syncRecordingOff();
    if (old && old !== client) {
        if (implicitClients.has(old))
            old.retire();
        else
            void old.shutdown();
    }
    return client;
}
/** Clients `getClient()` made from the environment (no `init()` yet). */
const implicitClients = new WeakSet();
let adopting = null;
let creatingImplicit = false;
/** The process-wide client, created from environment variables on first use. */
function getClient() {
    let c = holder.c;
    if (!c) {
        try {
            creatingImplicit = true;
            c = new RacewayClient((0, config_1.configFromEnv)());
            implicitClients.add(c);
        }
        catch (err) {
            // A bad RACEWAY_* variable must not crash an instrumented app at import time.
            process.emitWarning(`${err.message}; Raceway is disabled`);
            c = new RacewayClient({ enabled: false });
        }
        finally {
            creatingImplicit = false;
        }
        holder.c = c;
        syncRecordingOff();
    }
    return c;
}
/** Tells the context whether the process-wide client can record (before one exists, it may: it is made on first use). */
function syncRecordingOff() {
    const c = holder.c;
    (0, context_1.setRecordingOff)(c !== undefined && !c.enabled);
}
//# sourceMappingURL=client.js.map