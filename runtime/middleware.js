"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.REQUEST_TASK = void 0;
exports.traceFromHeader = traceFromHeader;
exports.koaMiddleware = koaMiddleware;
exports.expressMiddleware = expressMiddleware;
exports.expressErrorHandler = expressErrorHandler;
/**
 * HTTP server middleware: every request is a trace and a task of its own (continuing an incoming W3C
 * `traceparent`), bracketed by HttpRequest and HttpResponse events; thrown errors become Error events.
 */
const node_perf_hooks_1 = require("node:perf_hooks");
const context_1 = require("./context");
const ids_1 = require("./ids");
const errors_1 = require("./errors");
const text_1 = require("./text");
const node_http_1 = require("node:http");
const node_util_1 = require("node:util");
const peek_1 = require("./peek");
const propagation_1 = require("./propagation");
/** Where the request's task is kept on Koa's `ctx` and Express's `req`. */
exports.REQUEST_TASK = Symbol.for('raceway.requestTask');
const TRACEPARENT = /^[\da-f]{2}-([\da-f]{32})-([\da-f]{16})-[\da-f]{2}$/;
/** The trace id (UUID form) of a valid W3C traceparent header, else null. */
function traceFromHeader(header) {
    const v = Array.isArray(header) ? header[0] : header;
    if (typeof v !== 'string')
        return null;
    const m = TRACEPARENT.exec(v.trim().toLowerCase());
    if (!m || /^0+$/.test(m[1]))
        return null;
    return (0, ids_1.traceIdToUuid)(m[1]);
}
/**
 * Whether the request starting now is recorded (and whether requests are being left out). Decided
 * before anything is read from the request: one left out gets the shared quiet task and costs this
 * and nothing else.
 */
function admit(client) {
    const now = node_perf_hooks_1.performance.now();
    const sampler = client.sampler;
    const sampled = sampler.decide(now, client.capturedCount);
    updateThrottle(sampler, now);
    return sampled;
}
/**
 * A recorded request's task and its HttpRequest event. A request from another service continues
 * the caller's trace (`raceway-clock`'s or `traceparent`'s trace id) and joins the caller's vector
 * clock (`raceway-clock`), so what it does happens after what the caller did before the call.
 */
function startRequest(client, method, url, headers) {
    const remote = (0, propagation_1.parseIncoming)(headers);
    // Forked from the task the server runs in (the root, or an async `main()` that called listen()),
    // so handlers defined in that task's functions recognise the request as theirs.
    const task = (0, context_1.newTraceTask)((0, context_1.serverTask)(), `${method} ${url.split('?')[0]}`, remote?.trace ?? null);
    if (remote !== null) {
        if (remote.clock !== null)
            task.joinClock(remote.clock);
        (0, propagation_1.rememberRemote)(task, remote);
    }
    (0, context_1.recordedRequestStarted)();
    const recorded = (0, text_1.headerMap)(headers);
    delete recorded[propagation_1.RACEWAY_CLOCK]; // the caller's clock is in this event's clock; the header is large
    task.span = (0, context_1.emitSpan)(client, task, 6 /* K.HttpRequest */, method, url, recorded, null);
    return task;
}
const setResponseHeader = node_http_1.OutgoingMessage.prototype.setHeader;
const responseHeadersSent = Object.getOwnPropertyDescriptor(node_http_1.OutgoingMessage.prototype, 'headersSent')?.get;
/**
 * A caller that sent `raceway-clock` gets the request's final clock back in the same header (before
 * the response's headers are written), so what it does after the response happens after this
 * request's work. Only Node's own `setHeader` runs, on the response object Node made.
 */
function answerClock(client, res, task) {
    const remote = (0, propagation_1.remoteOf)(task);
    if (remote === undefined || !remote.racewayCaller || task.final === null)
        return;
    if (res === null || typeof res !== 'object' || node_util_1.types.isProxy(res) || !(res instanceof node_http_1.OutgoingMessage) || responseHeadersSent?.call(res) !== false)
        return;
    setResponseHeader.call(res, propagation_1.RACEWAY_CLOCK, (0, propagation_1.encodeRacewayClock)(task, task.final, remote.spanId ?? (0, propagation_1.newSpanId)(), null, (0, propagation_1.senderOf)(client.config)));
}
let throttleTimer = null;
/** Tells the context whether requests are being left out, and looks again once the hold has passed (a service that goes quiet must not stay throttled until its next request). */
function updateThrottle(sampler, now) {
    const on = sampler.throttling(now);
    (0, context_1.setThrottled)(on);
    if (on && throttleTimer === null) {
        throttleTimer = setTimeout(() => {
            throttleTimer = null;
            updateThrottle(sampler, node_perf_hooks_1.performance.now());
        }, Math.max(1, sampler.throttlingUntil - now + 1));
        throttleTimer.unref();
    }
}
function endRequest(sink, task, status, startedAt) {
    if (!task.sampled)
        return;
    task.resumeSegment(); // the handler's tasks have finished: the response happens after them
    const ms = node_perf_hooks_1.performance.now() - startedAt;
    (0, context_1.emit)(sink, task, 7 /* K.HttpResponse */, status, {}, null, Math.max(0, Math.round(ms)), null, Math.round(ms * 1e6));
    task.finish();
    (0, context_1.recordedRequestEnded)();
}
/**
 * Express writes a response's headers from inside the app's handler (`res.json()` ends in
 * `writeHead`), and Node has no channel just before that: for a caller that sent `raceway-clock`,
 * this one response's `writeHead` is wrapped to add the header — the clock of the task responding,
 * which has seen the request's work so far — and then call the method it replaced.
 */
function answerClockOnHeaders(client, res, task) {
    const remote = (0, propagation_1.remoteOf)(task);
    if (remote === undefined || !remote.racewayCaller)
        return;
    if (res === null || typeof res !== 'object' || node_util_1.types.isProxy(res) || !(res instanceof node_http_1.ServerResponse))
        return;
    const previous = (0, peek_1.peekData)(res, 'writeHead').value;
    if (typeof previous !== 'function')
        return;
    const sender = (0, propagation_1.senderOf)(client.config);
    Object.defineProperty(res, 'writeHead', {
        configurable: true,
        writable: true,
        value: function writeHead(...args) {
            try {
                if (responseHeadersSent?.call(this) === false) {
                    const now = (0, context_1.currentTask)();
                    const from = now.sampled && (0, propagation_1.remoteOf)(now) === remote ? now : task;
                    setResponseHeader.call(this, propagation_1.RACEWAY_CLOCK, (0, propagation_1.encodeRacewayClock)(from, from.clock(), remote.spanId ?? (0, propagation_1.newSpanId)(), null, sender));
                }
            }
            catch { /* never into the app */ }
            return previous.apply(this, args);
        },
    });
}
function koaMiddleware(client) {
    return function racewayKoa(ctx, next) {
        // Koa ignores what middleware promises resolve to: next()'s own promise is returned as is.
        if (!client.enabled)
            return next();
        let task;
        try {
            task = admit(client) ? startRequest(client, ctx.method, ctx.url, ctx.headers) : (0, context_1.quietTask)();
            ctx[exports.REQUEST_TASK] = task;
        }
        catch {
            return next();
        }
        // A request left out by sampling runs as if the middleware were not there: its code finds no
        // recorded task and records nothing (see `currentTask`).
        if (!task.sampled)
            return next();
        const startedAt = node_perf_hooks_1.performance.now();
        return (0, context_1.runInTask)(task, async () => {
            const prev = (0, context_1.ambientTask)();
            const prevStore = (0, context_1.storedSegment)();
            (0, context_1.enterTask)(task);
            let pending;
            try {
                pending = next();
            }
            catch (err) {
                (0, context_1.leaveTo)(prev, prevStore);
                try {
                    (0, errors_1.emitError)(client, task, err);
                    endRequest(client, task, statusOf(err), startedAt);
                }
                catch { /* never into the app */ }
                throw err;
            }
            (0, context_1.leaveTo)(prev, prevStore);
            try {
                await pending;
            }
            catch (err) {
                try {
                    (0, errors_1.emitError)(client, task, err);
                    endRequest(client, task, statusOf(err), startedAt);
                }
                catch { /* never into the app */ }
                throw err;
            }
            try {
                endRequest(client, task, ctx.status, startedAt);
                answerClock(client, (0, peek_1.peekData)(ctx, 'res').value, task);
            }
            catch { /* never into the app */ }
        });
    };
}
function statusOf(err) {
    const s = err?.status ?? err?.statusCode;
    return typeof s === 'number' && s >= 100 && s < 600 ? s : 500;
}
function expressMiddleware(client) {
    return function racewayExpress(req, res, next) {
        if (!client.enabled)
            return next();
        let startedAt = 0;
        let task;
        try {
            task = admit(client) ? startRequest(client, req.method ?? 'GET', req.originalUrl ?? req.url ?? '/', req.headers) : (0, context_1.quietTask)();
            req[exports.REQUEST_TASK] = task;
            let ended = false;
            const end = () => {
                if (ended)
                    return;
                ended = true;
                try {
                    endRequest(client, task, res.statusCode, startedAt);
                }
                catch { /* never into the app */ }
            };
            if (task.sampled) {
                startedAt = node_perf_hooks_1.performance.now();
                res.once('finish', end);
                res.once('close', end);
                answerClockOnHeaders(client, res, task);
            }
        }
        catch {
            return next();
        }
        if (!task.sampled)
            return next();
        (0, context_1.runInTask)(task, () => {
            const prev = (0, context_1.ambientTask)();
            const prevStore = (0, context_1.storedSegment)();
            (0, context_1.enterTask)(task);
            try {
                next();
            }
            finally {
                (0, context_1.leaveTo)(prev, prevStore);
            }
        });
    };
}
function expressErrorHandler(client) {
    return function racewayExpressErrors(err, req, _res, next) {
        try {
            const task = req[exports.REQUEST_TASK];
            if (client.enabled)
                (0, errors_1.emitError)(client, task ?? (0, context_1.rootTask)(), err);
        }
        catch { /* never into the app */ }
        next(err);
    };
}
//# sourceMappingURL=middleware.js.map