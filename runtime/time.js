"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.nowMicros = nowMicros;
exports.formatMicros = formatMicros;
exports.writeMicros = writeMicros;
/**
 * Event timestamps: microseconds since the epoch, strictly increasing within the process (two
 * events never share a timestamp, so time order is total), formatted as RFC 3339 UTC with
 * microsecond precision only when an event is encoded.
 */
const node_perf_hooks_1 = require("node:perf_hooks");
const origin = node_perf_hooks_1.performance.timeOrigin;
let last = 0;
/** Strictly monotonic microseconds since the Unix epoch. */
function nowMicros() {
    let t = Math.floor((origin + node_perf_hooks_1.performance.now()) * 1000);
    if (t <= last)
        t = last + 1;
    last = t;
    return t;
}
let lastSecond = -1;
let secondPrefix = '';
let secondBytes = Buffer.alloc(0);
function refresh(second) {
    if (second !== lastSecond) {
        secondPrefix = new Date(second * 1000).toISOString().slice(0, 20); // 2025-10-18T14:32:10.
        secondBytes = Buffer.from(secondPrefix, 'latin1');
        lastSecond = second;
    }
}
/** `2025-10-18T14:32:10.123456Z` (the date part is cached per second). */
function formatMicros(micros) {
    const second = Math.floor(micros / 1e6);
    refresh(second);
    const frac = String(micros - second * 1e6);
    return secondPrefix + '000000'.slice(frac.length) + frac + 'Z';
}
/** `formatMicros(micros)` written as ASCII bytes (the shipping thread's form). */
function writeMicros(out, micros) {
    const second = Math.floor(micros / 1e6);
    refresh(second);
    out.bytes(secondBytes);
    out.padded(micros - second * 1e6, 6);
    out.byte(0x5a); // Z
}
//# sourceMappingURL=time.js.map