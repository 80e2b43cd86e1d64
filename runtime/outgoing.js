"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.installOutgoing = installOutgoing;
/**
 * Outgoing HTTP calls: each call made by a recorded task carries the trace context headers
 * (`propagation.ts`) and is recorded as an HttpRequest / HttpResponse pair of that task. Everything
 * goes through Node's `diagnostics_channel`, nothing is patched:
 *
 * * `fetch` and undici (the global one and the npm package publish on the same channels):
 *   `undici:request:create` (runs synchronously in the caller; headers are added with the request's
 *   own `addHeader`), `undici:request:headers` (the response arrived), `undici:request:error`;
 * * `http.request` / `https.request`: `http.client.request.created` (Node 22.12 and later: the
 *   request's headers are not sent yet, so they are added), `http.client.request.start` (recorded
 *   there when `created` does not exist: on Node 20 the headers are already stored then, so the
 *   call is recorded but carries no headers — `client.propagationHeaders()` gives them to add by
 *   hand), `http.client.response.finish`, `http.client.request.error`.
 *
 * A callee that answers with `raceway-clock` (a Raceway-instrumented service) has its clock joined
 * into the calling task when the response arrives: what the caller does once it has the response
 * happens after the callee's work.
 *
 * Which calls: `propagation: 'requests'` (the default) only calls made inside a recorded request
 * (the middleware started its trace); `'always'` also calls made outside requests (scripts, timers,
 * start-up); `'off'` none. Calls to the Raceway server itself are never touched. The handlers read
 * data properties only, call no program code, and never throw.
 */
const node_diagnostics_channel_1 = __importDefault(require("node:diagnostics_channel"));
const node_http_1 = require("node:http");
const node_perf_hooks_1 = require("node:perf_hooks");
const context_1 = require("./context");
const errors_1 = require("./errors");
const peek_1 = require("./peek");
const propagation_1 = require("./propagation");
const text_1 = require("./text");
const KEY = Symbol.for('raceway.outgoing.v1');
const g = globalThis;
const setHeader = node_http_1.OutgoingMessage.prototype.setHeader;
const getHeader = node_http_1.OutgoingMessage.prototype.getHeader;
const headersSentDesc = Object.getOwnPropertyDescriptor(node_http_1.OutgoingMessage.prototype, 'headersSent');
/**
 * Subscribes the handlers (once per process, whatever the number of runtime copies): `host` gives
 * the client to record into. Later calls only replace `host`.
 */
function installOutgoing(host) {
    const existing = g[KEY];
    if (existing !== undefined) {
        existing.host = host;
        return;
    }
    const state = { host, calls: new WeakMap(), endpointOrigin: new Map() };
    g[KEY] = state;
    const on = (name, fn) => {
        try {
            node_diagnostics_channel_1.default.subscribe(name, (msg) => {
                try {
                    fn(msg, state);
                }
                catch { /* never into the app */ }
            });
        }
        catch { /* a Node without diagnostics_channel.subscribe: nothing is recorded */ }
    };
    on('undici:request:create', undiciCreate);
    on('undici:request:headers', undiciHeaders);
    on('undici:request:error', callError);
    on('http.client.request.created', httpCreated);
    on('http.client.request.start', httpStart);
    on('http.client.response.finish', httpFinish);
    on('http.client.request.error', callError);
}
/** The client and task a call made now is recorded in, or null when it is not recorded. */
function recorder(state, origin) {
    const host = state.host();
    if (host === undefined || !host.enabled)
        return null;
    const mode = host.config.propagation;
    if (mode === 'off')
        return null;
    if (origin !== '' && origin === endpointOrigin(state, host.config.endpoint))
        return null;
    const task = (0, context_1.currentTask)();
    if (!task.sampled || (mode === 'requests' && !task.inRequest))
        return null;
    return { host, task };
}
function endpointOrigin(state, endpoint) {
    let o = state.endpointOrigin.get(endpoint);
    if (o === undefined) {
        try {
            o = new URL(endpoint).origin;
        }
        catch {
            o = '';
        }
        if (state.endpointOrigin.size > 16)
            state.endpointOrigin.clear();
        state.endpointOrigin.set(endpoint, o);
    }
    return o;
}
function sender(host) {
    return (0, propagation_1.senderOf)(host.config);
}
function str(o, key) {
    const v = (0, peek_1.peekData)(o, key).value;
    return typeof v === 'string' ? v : '';
}
/** Headers as undici keeps them (an array of alternating names and values; a `name: value\r\n` string in undici 5) or Node's `rawHeaders`, with lower-cased names. */
function undiciHeaderMap(raw) {
    const out = {};
    if (Array.isArray(raw)) {
        for (let i = 0; i + 1 < raw.length && i < 512; i += 2) {
            const k = raw[i];
            const v = raw[i + 1];
            const name = typeof k === 'string' ? k : Buffer.isBuffer(k) ? k.toString('latin1') : null;
            const value = typeof v === 'string' ? v : Buffer.isBuffer(v) ? v.toString('latin1') : Array.isArray(v) ? v.filter((x) => typeof x === 'string').join(', ') : null;
            if (name !== null && value !== null) {
                const key = name.toLowerCase();
                out[key] = key in out ? `${out[key]}, ${value}` : value;
            }
        }
    }
    else if (typeof raw === 'string') {
        for (const line of raw.split('\r\n')) {
            const i = line.indexOf(':');
            if (i > 0)
                out[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
        }
    }
    return out;
}
/** The headers recorded on an event: credentials redacted, the (large) clock header left out. */
function recordedHeaders(h) {
    const out = (0, text_1.headerMap)(h);
    delete out[propagation_1.RACEWAY_CLOCK];
    return out;
}
/** Starts recording a call: its HttpRequest event, in `task`, without making it the task's current span (the task goes on meanwhile). */
function startCall(state, request, host, task, method, url, headers) {
    const span = (0, context_1.emitSpan)(host, task, 6 /* K.HttpRequest */, method, url, recordedHeaders(headers), null);
    state.calls.set(request, { task, span, startedAt: node_perf_hooks_1.performance.now() });
}
/** The response arrived: its HttpResponse event (child of the call's HttpRequest), and the callee's clock joined. */
function endCall(state, request, status, headers) {
    const call = state.calls.get(request);
    if (call === undefined)
        return;
    state.calls.delete(request);
    const host = state.host();
    if (host === undefined || !host.enabled)
        return;
    const task = call.task;
    const callee = (0, propagation_1.parseRacewayClock)(headers[propagation_1.RACEWAY_CLOCK] ?? null);
    if (callee !== null && callee.trace === task.trace)
        task.joinClock(callee.clock);
    const ms = node_perf_hooks_1.performance.now() - call.startedAt;
    const prev = task.span;
    task.span = call.span;
    try {
        (0, context_1.emit)(host, task, 7 /* K.HttpResponse */, Math.min(65535, Math.max(0, Math.floor(status))), recordedHeaders(headers), null, Math.max(0, Math.round(ms)), null, Math.round(ms * 1e6));
    }
    finally {
        task.span = prev;
    }
}
function callError(msg, state) {
    const request = msg.request;
    if (request === null || typeof request !== 'object')
        return;
    const call = state.calls.get(request);
    if (call === undefined)
        return;
    state.calls.delete(request);
    const host = state.host();
    if (host === undefined || !host.enabled)
        return;
    const prev = call.task.span;
    call.task.span = call.span;
    try {
        (0, errors_1.emitError)(host, call.task, msg.error);
    }
    finally {
        call.task.span = prev;
    }
}
// ---- undici / fetch -------------------------------------------------------------------------------
function undiciCreate(msg, state) {
    const request = msg.request;
    if (request === null || typeof request !== 'object')
        return;
    const origin = str(request, 'origin');
    const r = recorder(state, origin);
    if (r === null)
        return;
    const addHeader = (0, peek_1.peekData)(request, 'addHeader').value;
    const existing = undiciHeaderMap((0, peek_1.peekData)(request, 'headers').value);
    const spanId = (0, propagation_1.newSpanId)();
    // traceparent does not depend on the clock: known before the HttpRequest event, so recorded with it.
    const sent = { ...existing };
    if (sent[propagation_1.TRACEPARENT] === undefined)
        sent[propagation_1.TRACEPARENT] = (0, propagation_1.traceparentFor)(r.task, spanId);
    startCall(state, request, r.host, r.task, str(request, 'method') || 'GET', origin + str(request, 'path'), sent);
    if (typeof addHeader !== 'function')
        return;
    // The clock after the HttpRequest event: the callee happens after the call.
    const after = (0, propagation_1.outgoingHeaders)(r.task, sender(r.host), spanId);
    // An app (or an OpenTelemetry agent) that set its own trace context keeps it; undici would append a second value.
    if (existing[propagation_1.TRACEPARENT] === undefined)
        addHeader.call(request, propagation_1.TRACEPARENT, after[propagation_1.TRACEPARENT]);
    if (existing[propagation_1.TRACESTATE] === undefined && after[propagation_1.TRACESTATE] !== undefined)
        addHeader.call(request, propagation_1.TRACESTATE, after[propagation_1.TRACESTATE]);
    if (existing[propagation_1.RACEWAY_CLOCK] === undefined)
        addHeader.call(request, propagation_1.RACEWAY_CLOCK, after[propagation_1.RACEWAY_CLOCK]);
}
/** A channel message saying the response of a recorded call arrived: its headers are the response's `headersKey` (a flat name/value list). */
function responseArrived(msg, state, headersKey) {
    const request = msg.request;
    const response = msg.response;
    if (request === null || typeof request !== 'object' || response === null || typeof response !== 'object')
        return;
    if (!state.calls.has(request))
        return;
    const status = (0, peek_1.peekData)(response, 'statusCode').value;
    endCall(state, request, typeof status === 'number' ? status : 0, undiciHeaderMap((0, peek_1.peekData)(response, headersKey).value));
}
function undiciHeaders(msg, state) {
    responseArrived(msg, state, 'headers');
}
// ---- node:http / node:https -----------------------------------------------------------------------
function httpTarget(request) {
    const protocol = str(request, 'protocol') || 'http:';
    let host = '';
    try {
        const h = getHeader.call(request, 'host');
        if (typeof h === 'string')
            host = h;
    }
    catch { /* no header table yet */ }
    if (host === '')
        host = str(request, 'host');
    return { method: str(request, 'method') || 'GET', url: `${protocol}//${host}${str(request, 'path')}` };
}
/** The request's own `traceparent` (set by the app, `propagationHeaders()` or an OpenTelemetry agent), recorded with the call so the callee can be matched to it. */
function ownTraceparent(request) {
    try {
        const v = getHeader.call(request, propagation_1.TRACEPARENT);
        return typeof v === 'string' ? { [propagation_1.TRACEPARENT]: v } : {};
    }
    catch {
        return {};
    }
}
function headersSent(request) {
    try {
        return headersSentDesc?.get?.call(request) === true;
    }
    catch {
        return true;
    }
}
/** Node 22.12 and later: the request exists and its headers are not sent: add ours, record the call. */
function httpCreated(msg, state) {
    const request = msg.request;
    if (request === null || typeof request !== 'object' || state.calls.has(request))
        return;
    const target = httpTarget(request);
    const r = recorder(state, originOf(target.url));
    if (r === null)
        return;
    const spanId = (0, propagation_1.newSpanId)();
    const canAdd = !headersSent(request);
    const has = (name) => {
        try {
            return getHeader.call(request, name) !== undefined;
        }
        catch {
            return true;
        }
    };
    const traceparent = has(propagation_1.TRACEPARENT) ? null : (0, propagation_1.traceparentFor)(r.task, spanId);
    const recorded = traceparent !== null && canAdd ? { [propagation_1.TRACEPARENT]: traceparent } : ownTraceparent(request);
    startCall(state, request, r.host, r.task, target.method, target.url, recorded);
    if (!canAdd)
        return;
    const after = (0, propagation_1.outgoingHeaders)(r.task, sender(r.host), spanId);
    if (traceparent !== null)
        setHeader.call(request, propagation_1.TRACEPARENT, after[propagation_1.TRACEPARENT]);
    if (after[propagation_1.TRACESTATE] !== undefined && !has(propagation_1.TRACESTATE))
        setHeader.call(request, propagation_1.TRACESTATE, after[propagation_1.TRACESTATE]);
    if (!has(propagation_1.RACEWAY_CLOCK))
        setHeader.call(request, propagation_1.RACEWAY_CLOCK, after[propagation_1.RACEWAY_CLOCK]);
}
function originOf(url) {
    const m = /^([a-z][a-z\d+.-]*:\/\/[^/?#]*)/i.exec(url);
    return m ? m[1].toLowerCase() : '';
}
/** Where `created` does not exist (Node 20): the call is recorded, its headers are already stored. */
function httpStart(msg, state) {
    const request = msg.request;
    if (request === null || typeof request !== 'object' || state.calls.has(request))
        return;
    const target = httpTarget(request);
    const r = recorder(state, originOf(target.url));
    if (r === null)
        return;
    startCall(state, request, r.host, r.task, target.method, target.url, ownTraceparent(request));
}
function httpFinish(msg, state) {
    responseArrived(msg, state, 'rawHeaders');
}
//# sourceMappingURL=outgoing.js.map