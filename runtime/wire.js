"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.RingReader = exports.RingWriter = exports.STRIDE = void 0;
exports.metaTail = metaTail;
const byte_out_1 = require("./byte-out");
const ids_1 = require("./ids");
const time_1 = require("./time");
// Columns of one event row.
const KIND = 0, SEQ = 1, TS = 2, TASK = 3, TRACE = 4, PSEQ = 5, PTS = 6, CLOCK = 7, OWN = 8, LOCKS = 9, DUR = 10, S0 = 11, S1 = 12, S2 = 13, V0 = 14, V1 = 15, TAGS = 16;
exports.STRIDE = 17;
/** TAGS bits: the value column holds the number itself (else the value is the next entry of `vals`). */
const V0_NUM = 1, V1_NUM = 2;
/** Interned strings kept before both tables start over (bounds memory on both threads). */
const TABLE_MAX = 50_000;
/** The string table also starts over past this many characters: a few huge names must not stay resident on both threads. */
const TABLE_MAX_CHARS = 4_000_000;
const ACCESS = ['Read', 'Write', 'AtomicRead', 'AtomicWrite', 'AtomicRMW'];
let nextGeneration = 0;
/** Writes rows into the shared ring on the app thread. */
class RingWriter {
    capacity;
    buffer;
    rows;
    /** Rows written since the start (row i lives at i % capacity). */
    written = 0;
    /** Rows the reader has finished with (advanced by its acknowledgements). */
    consumed = 0;
    handedOff = 0;
    reset = false;
    strings = new Map();
    newStrings = [];
    clocks = new WeakMap();
    clockCount = 0;
    newClocks = [];
    locks = new Map();
    newLocks = [];
    vals = [];
    /** Identifies the current tables across writers and resets (tasks cache their string ids per generation). */
    gen = nextGeneration++;
    constructor(capacity, buffer = new SharedArrayBuffer(capacity * exports.STRIDE * 8)) {
        this.capacity = capacity;
        this.buffer = buffer;
        this.rows = new Float64Array(buffer);
    }
    /** Rows written but not yet handed off. */
    get pending() {
        return this.written - this.handedOff;
    }
    get full() {
        return this.written - this.consumed >= this.capacity;
    }
    str(s) {
        let i = this.strings.get(s);
        if (i === undefined) {
            i = this.strings.size;
            this.strings.set(s, i);
            this.newStrings.push(s);
            this.stringChars += s.length;
        }
        return i;
    }
    /** Characters of the strings in the table (see TABLE_MAX_CHARS). */
    stringChars = 0;
    /** Forgets rows not handed off yet (their reader is gone) and starts the tables over for a new reader. */
    abandon() {
        const lost = this.written - this.handedOff;
        this.handedOff = this.consumed = this.written;
        this.vals = [];
        this.startOver();
        return lost;
    }
    /** Drops every table (both sides), so ids stay bounded however many distinct names a program makes. */
    startOver() {
        this.strings = new Map();
        this.stringChars = 0;
        this.newStrings = [];
        this.clocks = new WeakMap();
        this.clockCount = 0;
        this.newClocks = [];
        this.locks = new Map();
        this.newLocks = [];
        this.reset = true;
        this.gen = nextGeneration++;
    }
    clock(c) {
        let i = this.clocks.get(c);
        if (i === undefined) {
            const flat = [];
            for (const [comp, n] of c.pairs)
                flat.push(this.str(comp), n);
            i = this.clockCount++;
            this.clocks.set(c, i);
            this.newClocks.push(flat);
        }
        return i;
    }
    lockSet(l) {
        if (l.length === 0)
            return -1;
        let i = this.locks.get(l);
        if (i === undefined) {
            i = this.locks.size;
            this.locks.set(l, i);
            this.newLocks.push(l.map((s) => this.str(s)));
        }
        return i;
    }
    /** The tables have grown past their bound: hand off soon, they start over after that. */
    get tablesFull() {
        return this.strings.size >= TABLE_MAX || this.stringChars >= TABLE_MAX_CHARS;
    }
    value(n, col, v) {
        if (typeof v === 'number') {
            n[col] = v;
            return 1;
        }
        this.vals.push(v);
        return 0;
    }
    /** Writes one event. The caller checks `full` first. */
    add(k, seq, ts, task, a, b, c, d, e, dur) {
        const n = this.rows;
        const o = (this.written % this.capacity) * exports.STRIDE;
        n[o + SEQ] = seq;
        n[o + TS] = ts;
        if (task.wireGen !== this.gen) {
            task.wireId = this.str(task.id);
            task.wireTrace = this.str(task.trace);
            task.wireGen = this.gen;
            task.wireBase = null;
        }
        n[o + TASK] = task.wireId;
        n[o + TRACE] = task.wireTrace;
        if (task.wireBase !== task.base) {
            task.wireClock = this.clock(task.base);
            task.wireBase = task.base;
        }
        const span = task.span;
        n[o + PSEQ] = span === null ? -1 : span.seq;
        n[o + PTS] = span === null ? 0 : span.ts;
        n[o + CLOCK] = task.wireClock;
        n[o + OWN] = task.own;
        n[o + LOCKS] = this.lockSet(task.locks);
        n[o + DUR] = dur === null ? -1 : dur;
        n[o + KIND] = k;
        let tags = 0;
        switch (k) {
            case 0 /* K.StateChange */:
                n[o + S0] = this.str(a);
                n[o + S1] = this.str(d);
                n[o + S2] = ACCESS.indexOf(e);
                tags = this.value(n, o + V0, b) * V0_NUM | this.value(n, o + V1, c) * V1_NUM;
                break;
            case 1 /* K.FunctionCall */:
                n[o + S0] = this.str(a);
                n[o + S1] = this.str(b);
                n[o + S2] = this.str(d);
                n[o + V1] = Number(e) >>> 0;
                this.vals.push(c);
                break;
            case 2 /* K.AsyncSpawn */:
                n[o + S0] = this.str(a);
                n[o + S1] = this.str(b);
                break;
            case 3 /* K.AsyncAwait */:
                n[o + S1] = this.str(b);
                break;
            case 4 /* K.LockAcquire */:
            case 5 /* K.LockRelease */:
                n[o + S0] = this.str(a);
                n[o + S1] = this.str(b);
                n[o + S2] = this.str(c);
                break;
            default:
                this.vals.push(a, b, c, d, e);
        }
        n[o + TAGS] = tags;
        this.written++;
    }
    /** What the reader needs for the rows written since the last hand-off. */
    handoff() {
        const h = { from: this.handedOff, to: this.written, reset: this.reset, strings: this.newStrings, clocks: this.newClocks, locks: this.newLocks, vals: this.vals };
        this.handedOff = this.written;
        this.reset = false;
        this.newStrings = [];
        this.newClocks = [];
        this.newLocks = [];
        this.vals = [];
        // Tables only start over between hand-offs, so every row is decoded with the tables it was written with.
        if (this.tablesFull)
            this.startOver();
        return h;
    }
}
exports.RingWriter = RingWriter;
function metaTail(m) {
    const q = JSON.stringify;
    const extra = m.instanceId === null ? '' : `,"instance_id":${q(m.instanceId)}`;
    return `,"process_id":${m.pid},"service_name":${q(m.serviceName)},"environment":${q(m.environment)},"tags":${q(m.tags)}${extra}`;
}
/** JSON of a snapshot value; `null` for what JSON has no form for (undefined, functions). */
function j(v) {
    return (v === undefined ? undefined : JSON.stringify(v)) ?? 'null';
}
/** Numbers as JSON: NaN and infinities are not JSON numbers (the runtime snapshots them as strings). */
function num(x) {
    return Number.isFinite(x) ? (Object.is(x, -0) ? '0' : String(x)) : `"${x}"`;
}
const ascii = (s) => Buffer.from(s, 'latin1');
const utf8 = (s) => Buffer.from(s, 'utf8');
// The constant pieces of an event, in the order they are written.
const P_ID = ascii('{"id":"'), P_TRACE = ascii('","trace_id":'), P_PARENT = ascii(',"parent_id":'), P_NULL = ascii('null');
const P_TS = ascii(',"timestamp":"'), P_KIND = ascii('","kind":'), P_THREAD = ascii(',"metadata":{"thread_id":'), P_DUR = ascii(',"duration_ns":');
const P_CLOCK = ascii('},"causality_vector":['), P_LOCKS = ascii(']],"lock_set":'), P_NO_LOCKS = ascii('[]'), P_END = ascii('},');
const P_SC = ascii('{"StateChange":{"variable":'), P_OLD = ascii(',"old_value":'), P_NEW = ascii(',"new_value":'), P_LOC = ascii(',"location":'), P_ACCESS = ascii(',"access_type":"');
const P_FC = ascii('{"FunctionCall":{"function_name":'), P_MODULE = ascii(',"module":'), P_ARGS = ascii(',"args":'), P_FILE = ascii(',"file":'), P_LINE = ascii(',"line":');
const P_SPAWN = ascii('{"AsyncSpawn":{"task_id":'), P_BY = ascii(',"spawned_by":');
const P_AWAIT = ascii('{"AsyncAwait":{"future_id":"'), P_AT = ascii('","awaited_at":');
const P_ACQ = ascii('{"LockAcquire":{"lock_id":'), P_REL = ascii('{"LockRelease":{"lock_id":'), P_LTYPE = ascii(',"lock_type":');
const P_CLOSE2 = ascii('}}'), P_ACCESS_END = ascii('"}}');
const ACCESS_BYTES = ACCESS.map(ascii);
/** Reads rows on the shipping thread and produces wire JSON. Keeps the reader's copy of the tables. */
class RingReader {
    capacity;
    newFutureId;
    rows;
    /** JSON-quoted forms of the interned strings, as UTF-8, made once per string. */
    quoted = [];
    clockJson = [];
    lockJson = [];
    tail;
    out = new byte_out_1.ByteOut();
    constructor(buffer, capacity, tail, newFutureId) {
        this.capacity = capacity;
        this.newFutureId = newFutureId;
        this.rows = new Float64Array(buffer);
        this.tail = utf8(tail);
    }
    /** Wire JSON of every event of a hand-off, in order. */
    encode(h) {
        if (h.reset) {
            this.quoted = [];
            this.clockJson = [];
            this.lockJson = [];
        }
        for (const s of h.strings)
            this.quoted.push(utf8(JSON.stringify(s)));
        const sj = this.quoted;
        for (const flat of h.clocks) {
            const parts = [];
            for (let i = 0; i < flat.length; i += 2)
                parts.push(`[${sj[flat[i]].toString()},${flat[i + 1]}]`);
            this.clockJson.push(utf8(parts.length ? parts.join(',') + ',' : ''));
        }
        for (const l of h.locks)
            this.lockJson.push(utf8(`[${l.map((i) => sj[i].toString()).join(',')}]`));
        const out = this.out;
        out.pos = 0;
        const ends = [];
        const n = this.rows;
        const v = h.vals;
        let vi = 0;
        for (let r = h.from; r < h.to; r++) {
            const o = (r % this.capacity) * exports.STRIDE;
            const k = n[o + KIND];
            const ts = n[o + TS];
            const thread = sj[n[o + TASK]];
            const pseq = n[o + PSEQ];
            const li = n[o + LOCKS];
            const dur = n[o + DUR];
            const tags = n[o + TAGS];
            out.bytes(P_ID);
            (0, ids_1.writeUuidV7)(out, ts, n[o + SEQ]);
            out.bytes(P_TRACE);
            out.bytes(sj[n[o + TRACE]]);
            out.bytes(P_PARENT);
            if (pseq < 0)
                out.bytes(P_NULL);
            else {
                out.byte(0x22);
                (0, ids_1.writeUuidV7)(out, n[o + PTS], pseq);
                out.byte(0x22);
            }
            out.bytes(P_TS);
            (0, time_1.writeMicros)(out, ts);
            out.bytes(P_KIND);
            switch (k) {
                case 0 /* K.StateChange */:
                    out.bytes(P_SC);
                    out.bytes(sj[n[o + S0]]);
                    out.bytes(P_OLD);
                    if (tags & V0_NUM)
                        out.text(num(n[o + V0]));
                    else
                        out.text(j(v[vi++]));
                    out.bytes(P_NEW);
                    if (tags & V1_NUM)
                        out.text(num(n[o + V1]));
                    else
                        out.text(j(v[vi++]));
                    out.bytes(P_LOC);
                    out.bytes(sj[n[o + S1]]);
                    out.bytes(P_ACCESS);
                    out.bytes(ACCESS_BYTES[n[o + S2]] ?? ACCESS_BYTES[1]);
                    out.bytes(P_ACCESS_END);
                    break;
                case 1 /* K.FunctionCall */:
                    out.bytes(P_FC);
                    out.bytes(sj[n[o + S0]]);
                    out.bytes(P_MODULE);
                    out.bytes(sj[n[o + S1]]);
                    out.bytes(P_ARGS);
                    out.text(j(v[vi++]));
                    out.bytes(P_FILE);
                    out.bytes(sj[n[o + S2]]);
                    out.bytes(P_LINE);
                    out.uint(n[o + V1]);
                    out.bytes(P_CLOSE2);
                    break;
                case 2 /* K.AsyncSpawn */:
                    out.bytes(P_SPAWN);
                    out.bytes(sj[n[o + S0]]);
                    out.bytes(P_BY);
                    out.bytes(sj[n[o + S1]]);
                    out.bytes(P_CLOSE2);
                    break;
                case 3 /* K.AsyncAwait */:
                    out.bytes(P_AWAIT);
                    out.text(this.newFutureId());
                    out.bytes(P_AT);
                    out.bytes(sj[n[o + S1]]);
                    out.bytes(P_CLOSE2);
                    break;
                case 4 /* K.LockAcquire */:
                case 5 /* K.LockRelease */:
                    out.bytes(k === 4 /* K.LockAcquire */ ? P_ACQ : P_REL);
                    out.bytes(sj[n[o + S0]]);
                    out.bytes(P_LTYPE);
                    out.bytes(sj[n[o + S1]]);
                    out.bytes(P_LOC);
                    out.bytes(sj[n[o + S2]]);
                    out.bytes(P_CLOSE2);
                    break;
                default:
                    out.text(otherKind(k, v[vi], v[vi + 1], v[vi + 2], v[vi + 3]));
                    vi += 5;
            }
            out.bytes(P_THREAD);
            out.bytes(thread);
            out.bytes(this.tail);
            out.bytes(P_DUR);
            if (!(dur >= 0))
                out.bytes(P_NULL);
            else
                out.uint(Math.round(dur));
            out.bytes(P_CLOCK);
            out.bytes(this.clockJson[n[o + CLOCK]]);
            out.byte(0x5b); // [
            out.bytes(thread);
            out.byte(0x2c); // ,
            out.uint(n[o + OWN]);
            out.bytes(P_LOCKS);
            out.bytes(li < 0 ? P_NO_LOCKS : this.lockJson[li]);
            out.bytes(P_END);
            ends.push(out.pos);
        }
        return { bytes: out.take(), ends };
    }
}
exports.RingReader = RingReader;
function otherKind(k, a, b, c, d) {
    const q = JSON.stringify;
    switch (k) {
        case 6 /* K.HttpRequest */:
            return `{"HttpRequest":{"method":${q(a)},"url":${q(b)},"headers":${q(c)},"body":${j(d)}}}`;
        case 7 /* K.HttpResponse */:
            return `{"HttpResponse":{"status":${Number(a) >>> 0},"headers":${q(b)},"body":${j(c)},"duration_ms":${Math.max(0, Math.round(Number(d)))}}}`;
        case 8 /* K.Error */:
            return `{"Error":{"error_type":${q(a)},"message":${q(b)},"stack_trace":${q(c)}}}`;
        case 9 /* K.Custom */:
            return `{"Custom":{"name":${q(a)},"data":${j(b)}}}`;
        default:
            return q(a);
    }
}
//# sourceMappingURL=wire.js.map