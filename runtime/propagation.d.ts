import { Clock, type ClockPair } from './clock';
import type { Task } from './context';
export declare const TRACEPARENT = "traceparent";
export declare const TRACESTATE = "tracestate";
export declare const RACEWAY_CLOCK = "raceway-clock";
/** Components a sent clock keeps at most: the task's own and its nearest ancestors' (about 2 KB encoded). */
export declare const MAX_SENT_COMPONENTS = 32;
/** What a request received from its caller (kept for the calls it makes in turn and for its answer). */
export interface RemoteParent {
    /** The caller's trace, in UUID form, or null when neither header named one. */
    trace: string | null;
    /** The span id of the caller's call (traceparent's parent-id), 16 hex digits, or null. */
    spanId: string | null;
    /** traceparent's flags (2 hex digits), passed on to our own calls. */
    flags: string;
    tracestate: string | null;
    /** The caller's clock (from `raceway-clock`), or null when it sent none. */
    clock: Clock | null;
    /** The caller speaks `raceway-clock`: it is answered with ours. */
    racewayCaller: boolean;
}
/** 32 hex digits in the UUID form the Raceway event schema uses for trace ids. */
export declare function hexToUuid(hex32: string): string;
/** A trace id (UUID form, or any id) as traceparent's 32 hex digits; null when it has no such form. */
export declare function uuidToHex(trace: string): string | null;
/** A parsed W3C traceparent, or null when the value is not a valid one (version ff and all-zero ids are invalid). */
export declare function parseTraceparent(v: string | null): {
    trace: string;
    spanId: string;
    flags: string;
} | null;
/** The payload of a `raceway-clock` header, or null when it is not a valid v1 one. */
export declare function parseRacewayClock(v: string | null): {
    trace: string | null;
    spanId: string | null;
    clock: Clock;
} | null;
/**
 * The trace context an incoming request carries. `raceway-clock`'s trace id wins over
 * `traceparent`'s (as upstream: an OpenTelemetry agent in the caller may have rewritten traceparent
 * to its own trace); a traceparent alone (an OpenTelemetry caller) gives its trace id.
 */
export declare function parseIncoming(headers: Record<string, unknown> | undefined): RemoteParent | null;
/** Notes what a request's task received from its caller. */
export declare function rememberRemote(task: Task, remote: RemoteParent): void;
/** What the request that `task` works for received from its caller (walking up to the request's task). */
export declare function remoteOf(task: Task): RemoteParent | undefined;
/** A new span id: 16 hex digits, not all zero. */
export declare function newSpanId(): string;
/**
 * A clock as sent: at most `MAX_SENT_COMPONENTS` pairs, `own` first, then the most recently learned
 * ones (a task's clock lists its nearest ancestors last). A component left out only makes the
 * receiver know less (fewer accesses ordered), never order what did not happen in that order.
 */
export declare function boundedPairs(clock: Clock, own: string): ClockPair[];
/** Who sends a header: the service and instance named in `raceway-clock`. */
export interface Sender {
    service: string;
    instance: string;
}
/** The sender a client's configuration names (the instance: `instanceId`, else the process id). */
export declare function senderOf(config: {
    serviceName: string;
    instanceId: string | null;
}): Sender;
/** A `raceway-clock` value for `clock`, sent by `task` in the call (or answer) with span id `spanId`. */
export declare function encodeRacewayClock(task: Task, clock: Clock, spanId: string, parentSpanId: string | null, sender: Sender): string;
/** The traceparent of a call by `task` whose span id is `spanId` (flags as the request received them). */
export declare function traceparentFor(task: Task, spanId: string): string;
/** The headers a call made now by `task` carries: traceparent (a new span), tracestate kept, raceway-clock. */
export declare function outgoingHeaders(task: Task, sender: Sender, spanId?: string): Record<string, string>;
//# sourceMappingURL=propagation.d.ts.map