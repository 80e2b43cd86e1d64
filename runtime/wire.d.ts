import type { Task } from './context';
import { K } from './record';
export declare const STRIDE = 17;
/** One hand-off: rows [from, to) of the ring plus what the reader needs to decode them. */
export interface Handoff {
    from: number;
    to: number;
    /** The tables were reset before these new entries (both sides start over). */
    reset: boolean;
    strings: string[];
    /** New clock bases, flattened [stringId, counter, …], ids continuing the table. */
    clocks: number[][];
    locks: number[][];
    vals: unknown[];
}
/** Writes rows into the shared ring on the app thread. */
export declare class RingWriter {
    readonly capacity: number;
    readonly buffer: SharedArrayBuffer | ArrayBuffer;
    readonly rows: Float64Array;
    /** Rows written since the start (row i lives at i % capacity). */
    written: number;
    /** Rows the reader has finished with (advanced by its acknowledgements). */
    consumed: number;
    private handedOff;
    private reset;
    private strings;
    private newStrings;
    private clocks;
    private clockCount;
    private newClocks;
    private locks;
    private newLocks;
    private vals;
    /** Identifies the current tables across writers and resets (tasks cache their string ids per generation). */
    private gen;
    constructor(capacity: number, buffer?: SharedArrayBuffer | ArrayBuffer);
    /** Rows written but not yet handed off. */
    get pending(): number;
    get full(): boolean;
    private str;
    /** Characters of the strings in the table (see TABLE_MAX_CHARS). */
    private stringChars;
    /** Forgets rows not handed off yet (their reader is gone) and starts the tables over for a new reader. */
    abandon(): number;
    /** Drops every table (both sides), so ids stay bounded however many distinct names a program makes. */
    private startOver;
    private clock;
    private lockSet;
    /** The tables have grown past their bound: hand off soon, they start over after that. */
    get tablesFull(): boolean;
    private value;
    /** Writes one event. The caller checks `full` first. */
    add(k: K, seq: number, ts: number, task: Task, a: unknown, b: unknown, c: unknown, d: unknown, e: unknown, dur: number | null): void;
    /** What the reader needs for the rows written since the last hand-off. */
    handoff(): Handoff;
}
/** Per-config constant parts of every event's metadata. */
export interface MetaConfig {
    serviceName: string;
    environment: string;
    tags: Record<string, string>;
    instanceId: string | null;
    pid: number;
}
export declare function metaTail(m: MetaConfig): string;
/**
 * Wire JSON of a hand-off's events as UTF-8, back to back, each followed by a comma: event `i` is
 * `bytes[i === 0 ? 0 : ends[i - 1], ends[i] - 1)`.
 */
export interface EncodedEvents {
    bytes: Buffer;
    ends: number[];
}
/** Reads rows on the shipping thread and produces wire JSON. Keeps the reader's copy of the tables. */
export declare class RingReader {
    readonly capacity: number;
    private readonly newFutureId;
    private readonly rows;
    /** JSON-quoted forms of the interned strings, as UTF-8, made once per string. */
    private quoted;
    private clockJson;
    private lockJson;
    private readonly tail;
    private readonly out;
    constructor(buffer: SharedArrayBuffer | ArrayBuffer, capacity: number, tail: string, newFutureId: () => string);
    /** Wire JSON of every event of a hand-off, in order. */
    encode(h: Handoff): EncodedEvents;
}
//# sourceMappingURL=wire.d.ts.map