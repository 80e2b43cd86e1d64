"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.MAX_SENT_COMPONENTS = exports.RACEWAY_CLOCK = exports.TRACESTATE = exports.TRACEPARENT = void 0;
exports.hexToUuid = hexToUuid;
exports.uuidToHex = uuidToHex;
exports.parseTraceparent = parseTraceparent;
exports.parseRacewayClock = parseRacewayClock;
exports.parseIncoming = parseIncoming;
exports.rememberRemote = rememberRemote;
exports.remoteOf = remoteOf;
exports.newSpanId = newSpanId;
exports.boundedPairs = boundedPairs;
exports.senderOf = senderOf;
exports.encodeRacewayClock = encodeRacewayClock;
exports.traceparentFor = traceparentFor;
exports.outgoingHeaders = outgoingHeaders;
/**
 * Trace context across services, in the headers the upstream Raceway SDKs use:
 *
 * * `traceparent` (W3C Trace Context): `00-<32 hex trace id>-<16 hex span id>-<2 hex flags>`, so an
 *   OpenTelemetry-instrumented caller or callee keeps one trace id with us;
 * * `tracestate` (W3C), passed on unchanged;
 * * `raceway-clock`: `v1;` + base64url of the JSON `{trace_id, span_id, parent_span_id, service,
 *   instance, clock}`, where `clock` is the sender's vector clock as `[component, counter]` pairs.
 *
 * A request that arrives with them continues the caller's trace and joins the caller's clock, so
 * everything the callee does happens after what the caller did before the call. A callee answers a
 * caller that sent `raceway-clock` with its own clock in the same response header, so what the
 * caller does after the response happens after the callee's work.
 *
 * Everything here reads header values as data (strings only) and never throws.
 */
const node_crypto_1 = require("node:crypto");
const clock_1 = require("./clock");
exports.TRACEPARENT = 'traceparent';
exports.TRACESTATE = 'tracestate';
exports.RACEWAY_CLOCK = 'raceway-clock';
/** Components a sent clock keeps at most: the task's own and its nearest ancestors' (about 2 KB encoded). */
exports.MAX_SENT_COMPONENTS = 32;
/** A received header longer than this is ignored (Node's default limit for all headers is 16 KB). */
const MAX_HEADER_CHARS = 16_384;
/** Components of a received clock that are kept at most. */
const MAX_RECEIVED_COMPONENTS = 256;
/** A component name longer than this is not a task id or `service#instance`: the pair is dropped. */
const MAX_COMPONENT_CHARS = 256;
const CLOCK_PREFIX = 'v1;';
const TRACEPARENT_RE = /^([\da-f]{2})-([\da-f]{32})-([\da-f]{16})-([\da-f]{2})$/;
const UUID_RE = /^[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}$/;
/** First value of a header in Node's incoming form (string, or array for repeated headers). */
function headerValue(headers, name) {
    if (headers === undefined || headers === null || typeof headers !== 'object')
        return null;
    const d = Object.getOwnPropertyDescriptor(headers, name);
    if (d === undefined || !('value' in d))
        return null;
    const v = Array.isArray(d.value) ? d.value[0] : d.value;
    return typeof v === 'string' && v.length <= MAX_HEADER_CHARS ? v : null;
}
/** 32 hex digits in the UUID form the Raceway event schema uses for trace ids. */
function hexToUuid(hex32) {
    return `${hex32.slice(0, 8)}-${hex32.slice(8, 12)}-${hex32.slice(12, 16)}-${hex32.slice(16, 20)}-${hex32.slice(20, 32)}`;
}
/** A trace id (UUID form, or any id) as traceparent's 32 hex digits; null when it has no such form. */
function uuidToHex(trace) {
    const hex = trace.replace(/-/g, '').toLowerCase();
    return /^[\da-f]{32}$/.test(hex) && !/^0+$/.test(hex) ? hex : null;
}
/** A parsed W3C traceparent, or null when the value is not a valid one (version ff and all-zero ids are invalid). */
function parseTraceparent(v) {
    if (v === null)
        return null;
    const m = TRACEPARENT_RE.exec(v.trim().toLowerCase());
    if (!m || m[1] === 'ff' || /^0+$/.test(m[2]) || /^0+$/.test(m[3]))
        return null;
    return { trace: hexToUuid(m[2]), spanId: m[3], flags: m[4] };
}
/** The pairs of a clock sent by another service, validated: string components, non-negative integer counters. */
function clockPairs(raw) {
    if (!Array.isArray(raw))
        return null;
    const out = [];
    for (const p of raw) {
        if (out.length >= MAX_RECEIVED_COMPONENTS)
            break;
        if (!Array.isArray(p) || p.length !== 2)
            continue;
        const [c, n] = p;
        if (typeof c !== 'string' || c.length === 0 || c.length > MAX_COMPONENT_CHARS)
            continue;
        if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0)
            continue;
        out.push([c, n]);
    }
    return out;
}
/** The payload of a `raceway-clock` header, or null when it is not a valid v1 one. */
function parseRacewayClock(v) {
    if (v === null || !v.startsWith(CLOCK_PREFIX))
        return null;
    let payload;
    try {
        payload = JSON.parse(Buffer.from(v.slice(CLOCK_PREFIX.length), 'base64url').toString('utf8'));
    }
    catch {
        return null;
    }
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload))
        return null;
    const p = payload;
    const pairs = clockPairs(p.clock);
    if (pairs === null)
        return null;
    const trace = typeof p.trace_id === 'string' && UUID_RE.test(p.trace_id.toLowerCase()) && !/^[0-]+$/.test(p.trace_id) ? p.trace_id.toLowerCase() : null;
    const spanId = typeof p.span_id === 'string' && p.span_id.length <= 64 ? p.span_id : null;
    return { trace, spanId, clock: new clock_1.Clock(pairs) };
}
/**
 * The trace context an incoming request carries. `raceway-clock`'s trace id wins over
 * `traceparent`'s (as upstream: an OpenTelemetry agent in the caller may have rewritten traceparent
 * to its own trace); a traceparent alone (an OpenTelemetry caller) gives its trace id.
 */
function parseIncoming(headers) {
    try {
        const tp = parseTraceparent(headerValue(headers, exports.TRACEPARENT));
        const rc = parseRacewayClock(headerValue(headers, exports.RACEWAY_CLOCK));
        if (tp === null && rc === null)
            return null;
        return {
            trace: rc?.trace ?? tp?.trace ?? null,
            spanId: tp?.spanId ?? (rc?.spanId !== null && rc?.spanId !== undefined && /^[\da-f]{16}$/.test(rc.spanId) ? rc.spanId : null),
            flags: tp?.flags ?? '01',
            tracestate: headerValue(headers, exports.TRACESTATE),
            clock: rc?.clock ?? null,
            racewayCaller: rc !== null,
        };
    }
    catch {
        return null;
    }
}
// ---- what a recorded request received, by task ----------------------------------------------------
const remotes = new WeakMap();
/** Notes what a request's task received from its caller. */
function rememberRemote(task, remote) {
    remotes.set(task, remote);
}
/** What the request that `task` works for received from its caller (walking up to the request's task). */
function remoteOf(task) {
    let t = task;
    for (let depth = 0; t !== null && depth < 256; depth++, t = t.parent) {
        const r = remotes.get(t);
        if (r !== undefined)
            return r;
    }
    return undefined;
}
// ---- what is sent ---------------------------------------------------------------------------------
/** A new span id: 16 hex digits, not all zero. */
function newSpanId() {
    const b = (0, node_crypto_1.randomBytes)(8);
    if (b.every((x) => x === 0))
        b[7] = 1;
    return b.toString('hex');
}
/**
 * A clock as sent: at most `MAX_SENT_COMPONENTS` pairs, `own` first, then the most recently learned
 * ones (a task's clock lists its nearest ancestors last). A component left out only makes the
 * receiver know less (fewer accesses ordered), never order what did not happen in that order.
 */
function boundedPairs(clock, own) {
    const pairs = clock.pairs;
    if (pairs.length <= exports.MAX_SENT_COMPONENTS)
        return pairs.map((p) => [p[0], p[1]]);
    const out = [];
    const mine = pairs.find((p) => p[0] === own);
    if (mine)
        out.push([mine[0], mine[1]]);
    for (let i = pairs.length - 1; i >= 0 && out.length < exports.MAX_SENT_COMPONENTS; i--) {
        const p = pairs[i];
        if (p[0] !== own)
            out.push([p[0], p[1]]);
    }
    return out;
}
/** The sender a client's configuration names (the instance: `instanceId`, else the process id). */
function senderOf(config) {
    return { service: config.serviceName, instance: config.instanceId ?? String(process.pid) };
}
/** A `raceway-clock` value for `clock`, sent by `task` in the call (or answer) with span id `spanId`. */
function encodeRacewayClock(task, clock, spanId, parentSpanId, sender) {
    const payload = {
        trace_id: task.trace,
        span_id: spanId,
        parent_span_id: parentSpanId,
        service: sender.service,
        instance: sender.instance,
        clock: boundedPairs(clock, task.id),
    };
    return CLOCK_PREFIX + Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
}
/** The traceparent of a call by `task` whose span id is `spanId` (flags as the request received them). */
function traceparentFor(task, spanId) {
    const hex = uuidToHex(task.trace) ?? (0, node_crypto_1.randomBytes)(16).toString('hex');
    return `00-${hex}-${spanId}-${remoteOf(task)?.flags ?? '01'}`;
}
/** The headers a call made now by `task` carries: traceparent (a new span), tracestate kept, raceway-clock. */
function outgoingHeaders(task, sender, spanId = newSpanId()) {
    const remote = remoteOf(task);
    const out = {
        [exports.TRACEPARENT]: traceparentFor(task, spanId),
        [exports.RACEWAY_CLOCK]: encodeRacewayClock(task, task.clock(), spanId, remote?.spanId ?? null, sender),
    };
    if (remote?.tracestate)
        out[exports.TRACESTATE] = remote.tracestate;
    return out;
}
//# sourceMappingURL=propagation.js.map