"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.Shipper = exports.MAX_BODY_BYTES = void 0;
const notice_1 = require("./notice");
/**
 * undici, loaded where events are shipped (the shipping thread, or inline without one), not when an
 * app imports the runtime: it is most of the runtime's load time, which an app with Raceway disabled,
 * or whose main thread never ships, should not pay.
 */
function undiciPool() {
    return require('undici').Pool;
}
/** Largest request body; bigger batches are split. */
exports.MAX_BODY_BYTES = 1024 * 1024;
const EMPTY = Buffer.alloc(0);
const OPEN = Buffer.from('{"events":[', 'latin1');
const CLOSE = Buffer.from('}', 'latin1');
/** Events merged into one request when a backlog has built up. */
const MAX_EVENTS_PER_REQUEST = 5000;
const MAX_ATTEMPTS = 6;
const BASE_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 5000;
const USED_UP = { bytes: Buffer.alloc(0), ends: [], next: 0 };
/** Byte offset where event `i` of a segment starts. */
function startOf(s, i) {
    return i === 0 ? 0 : s.ends[i - 1];
}
class Shipper {
    config;
    log;
    warn;
    onProgress;
    notice;
    segs = [];
    segHead = 0;
    /** Events in the queue (the segments from `segHead` on, less what they have sent). */
    queued = 0;
    enqueued = 0;
    s = { sent: 0, dropped: 0, rejected: 0, failedRequests: 0, queued: 0 };
    pool;
    path;
    headers;
    sending = false;
    waiters = [];
    closed = false;
    /** Past this time (ms since epoch) failures are not retried: we are shutting down. */
    deadline = Infinity;
    warned4xx = false;
    /** False after a batch exhausted its retries: later batches get one attempt until one succeeds. */
    reachable = true;
    /**
     * `log`: details, for `debug`. `warn`: a problem worth a process warning. `onProgress`: counters
     * changed. `notice`: the one line telling the user that events are not reaching the server
     * (see notice.ts; it is shown at most once per process).
     */
    constructor(config, log, warn, onProgress = () => { }, notice = () => { }) {
        this.config = config;
        this.log = log;
        this.warn = warn;
        this.onProgress = onProgress;
        this.notice = notice;
        const url = new URL(config.endpoint);
        this.path = url.pathname.replace(/\/+$/, '') + '/events';
        this.pool = new (undiciPool())(url.origin, { connections: 1, keepAliveTimeout: 10_000, headersTimeout: 10_000, bodyTimeout: 10_000 });
        this.headers = { 'content-type': 'application/json' };
        if (config.apiKey) {
            this.headers.authorization = `Bearer ${config.apiKey}`;
            this.headers['x-raceway-key'] = config.apiKey;
        }
    }
    stats() {
        return { ...this.s, queued: this.queued };
    }
    /** Counts events lost before they reached the queue (e.g. a batch that could not be encoded). */
    dropUpstream(n) {
        this.enqueued += n;
        this.s.dropped += n;
        this.settle();
    }
    enqueue(events) {
        const n = events.ends.length;
        this.enqueued += n;
        if (this.closed) {
            this.s.dropped += n;
            this.settle();
            return;
        }
        if (n === 0)
            return;
        this.segs.push({ bytes: events.bytes, ends: events.ends, next: 0 });
        this.queued += n;
        const over = this.queued - this.config.maxQueueSize;
        if (over > 0) {
            this.discard(over); // recent events matter most when the server comes back
            this.s.dropped += over;
            this.settle();
        }
        this.pump();
    }
    /** The head segment is used up: drop it from the queue now, not at the next compaction (its bytes can be megabytes). */
    release() {
        this.segs[this.segHead++] = USED_UP;
    }
    /** Takes the oldest `count` queued events off the queue. */
    discard(count) {
        while (count > 0 && this.segHead < this.segs.length) {
            const s = this.segs[this.segHead];
            const take = Math.min(count, s.ends.length - s.next);
            s.next += take;
            this.queued -= take;
            count -= take;
            if (s.next === s.ends.length)
                this.release();
        }
        this.compact();
    }
    /** Resolves once every event enqueued so far is delivered or definitively dropped. */
    flush() {
        const target = this.enqueued;
        if (this.settled() >= target)
            return Promise.resolve();
        return new Promise((resolve) => {
            this.waiters.push({ target, resolve });
            this.pump();
        });
    }
    /** From now on, failures are not retried past `atMs` (epoch ms). */
    setDeadline(atMs) {
        this.deadline = Math.min(this.deadline, atMs);
    }
    async close() {
        if (this.closed)
            return;
        this.closed = true;
        if (this.queued > 0) {
            this.s.dropped += this.queued;
            this.segs = [];
            this.segHead = 0;
            this.queued = 0;
            this.notice((0, notice_1.droppedAtExitNotice)(this.config.endpoint));
        }
        this.settle();
        await this.pool.close().catch(() => undefined);
    }
    compact() {
        if (this.segHead > 256 && this.segHead * 2 > this.segs.length) {
            this.segs = this.segs.slice(this.segHead);
            this.segHead = 0;
        }
    }
    /** Events delivered or definitively not: sent, dropped or rejected. */
    settled() {
        return this.s.sent + this.s.dropped + this.s.rejected;
    }
    settle() {
        this.onProgress();
        if (this.waiters.length === 0)
            return;
        const done = this.settled();
        const still = [];
        for (const w of this.waiters)
            (done >= w.target ? w.resolve() : still.push(w));
        this.waiters = still;
    }
    pump() {
        if (this.sending || this.closed || this.queued === 0)
            return;
        this.sending = true;
        void this.drain().finally(() => {
            this.sending = false;
            if (this.queued > 0)
                this.pump();
        });
    }
    async drain() {
        while (this.queued > 0 && !this.closed) {
            const [body, count] = this.nextBody();
            if (count > 0)
                await this.deliver(body, count);
            this.settle();
        }
    }
    /**
     * The next request body: up to a backlog's worth of the oldest events under MAX_BODY_BYTES, as the
     * bytes they were encoded to (each event is followed by a comma there; the last one becomes `]`).
     */
    nextBody() {
        const limit = Math.max(this.config.batchSize, MAX_EVENTS_PER_REQUEST);
        const pieces = [OPEN];
        let size = OPEN.length + CLOSE.length;
        let count = 0;
        while (this.segHead < this.segs.length && count < limit) {
            const s = this.segs[this.segHead];
            const from = s.next;
            let e = from;
            while (e < s.ends.length && count < limit) {
                const len = s.ends[e] - startOf(s, e); // with its comma
                if (size + len > exports.MAX_BODY_BYTES)
                    break;
                size += len;
                e++;
                count++;
            }
            if (e > from)
                pieces.push(s.bytes.subarray(startOf(s, from), s.ends[e - 1]));
            s.next = e;
            this.queued -= e - from;
            if (e < s.ends.length) {
                if (count === 0) {
                    // One event alone is over the limit: it can never be sent.
                    const bytes = s.ends[e] - startOf(s, e) - 1;
                    s.next++;
                    this.queued--;
                    if (s.next === s.ends.length)
                        this.release();
                    this.s.dropped++;
                    this.log(`dropped an event of ${bytes} bytes (over the body limit)`);
                    this.compact();
                    return [EMPTY, 0];
                }
                break;
            }
            this.release();
        }
        this.compact();
        pieces.push(CLOSE);
        const body = Buffer.concat(pieces, size);
        body[size - 2] = 0x5d; // the last event's comma: `]`
        return [body, count];
    }
    async deliver(body, count) {
        for (let attempt = 1;; attempt++) {
            try {
                const res = await this.pool.request({ path: this.path, method: 'POST', headers: this.headers, body });
                // 206: the server stored the valid events and says how many it rejected (counted apart).
                const rejected = res.statusCode === 206 ? await rejectedCount(res.body, count) : 0;
                if (res.statusCode !== 206)
                    await res.body.dump().catch(() => undefined);
                if (res.statusCode >= 200 && res.statusCode < 300) {
                    this.s.sent += count - rejected;
                    this.s.rejected += rejected;
                    this.reachable = true;
                    return;
                }
                this.s.failedRequests++;
                if (res.statusCode < 500 && res.statusCode !== 429) {
                    // A batch the server refuses will be refused again: drop it so it cannot jam the queue.
                    this.s.dropped += count;
                    if (!this.warned4xx) {
                        this.warned4xx = true;
                        this.warn(`raceway: server rejected a batch of ${count} events with HTTP ${res.statusCode}; dropped (further rejections are counted in stats())`);
                    }
                    return;
                }
                this.log(`HTTP ${res.statusCode} from ${this.config.endpoint}; will retry`);
            }
            catch (err) {
                this.s.failedRequests++;
                this.log(`cannot reach ${this.config.endpoint}: ${err.message}`);
                this.notice((0, notice_1.unreachableNotice)(this.config.endpoint));
            }
            const delay = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
            if (attempt >= (this.reachable ? MAX_ATTEMPTS : 1) || this.closed || Date.now() + delay > this.deadline) {
                // While the server stays down, do not spend a full retry schedule on every batch.
                this.reachable = false;
                this.s.dropped += count;
                this.log(`gave up on a batch of ${count} events after ${attempt} attempt(s)`);
                if (this.deadline !== Infinity || this.closed)
                    this.notice((0, notice_1.droppedAtExitNotice)(this.config.endpoint));
                return;
            }
            await new Promise((resolve) => {
                const t = setTimeout(resolve, delay);
                if (this.waiters.length === 0)
                    t.unref(); // keep a process alive for retries only while a flush waits
            });
        }
    }
}
exports.Shipper = Shipper;
/** `rejected_count` of a 206 answer (our server's and the upstream envelope's extra field), within 0..count; 0 if unreadable. */
async function rejectedCount(body, count) {
    try {
        const text = await body.text();
        if (text.length > 1_000_000)
            return 0;
        const n = JSON.parse(text).rejected_count;
        return typeof n === 'number' && Number.isFinite(n) ? Math.max(0, Math.min(count, Math.floor(n))) : 0;
    }
    catch {
        return 0;
    }
}
//# sourceMappingURL=shipper.js.map