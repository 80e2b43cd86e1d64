"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.ByteOut = void 0;
/**
 * A growable byte buffer that JSON is written into piece by piece. The shipping thread encodes
 * events straight to UTF-8 bytes: building them as strings made a concatenation tree per event that
 * joining, measuring and encoding the request body each walked again, and most of the thread's
 * garbage.
 */
class ByteOut {
    buf;
    pos = 0;
    constructor(size = 64 * 1024) {
        this.buf = Buffer.allocUnsafe(size);
    }
    /** Makes room for `n` more bytes. */
    reserve(n) {
        if (this.pos + n > this.buf.length) {
            const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
            this.buf.copy(bigger, 0, 0, this.pos);
            this.buf = bigger;
        }
    }
    /** Bytes already encoded (an interned JSON string, a constant piece). */
    bytes(src) {
        const n = src.length;
        this.reserve(n);
        const b = this.buf;
        const p = this.pos;
        // Most pieces are a few dozen bytes: a loop beats the call into a native copy.
        if (n < 48)
            for (let i = 0; i < n; i++)
                b[p + i] = src[i];
        else
            b.set(src, p);
        this.pos = p + n;
    }
    /** A string of JSON text, as UTF-8. */
    text(s) {
        const n = s.length;
        this.reserve(n * 3);
        const b = this.buf;
        let p = this.pos;
        for (let i = 0; i < n; i++) {
            const c = s.charCodeAt(i);
            if (c >= 0x80) {
                // The rest is written by the UTF-8 encoder (surrogate pairs included).
                this.pos = p + b.write(s.slice(i), p, 'utf8');
                return;
            }
            b[p++] = c;
        }
        this.pos = p;
    }
    /** One ASCII character by code. */
    byte(c) {
        this.reserve(1);
        this.buf[this.pos++] = c;
    }
    /** A non-negative integer below 2^53, in decimal. */
    uint(x) {
        this.reserve(16);
        const b = this.buf;
        if (x < 10) {
            b[this.pos++] = 48 + x;
            return;
        }
        let digits = 1;
        for (let t = x; t >= 10; t = Math.floor(t / 10))
            digits++;
        let p = this.pos + digits;
        this.pos = p;
        for (let t = x; digits-- > 0; t = Math.floor(t / 10))
            b[--p] = 48 + (t % 10);
    }
    /** `width` decimal digits of `x` (0 ≤ x < 10^width), zero-padded. */
    padded(x, width) {
        this.reserve(width);
        const b = this.buf;
        let p = this.pos + width;
        this.pos = p;
        for (let i = 0; i < width; i++, x = Math.floor(x / 10))
            b[--p] = 48 + (x % 10);
    }
    /** What has been written, copied out (the buffer is reused). */
    take() {
        return Buffer.from(this.buf.subarray(0, this.pos));
    }
}
exports.ByteOut = ByteOut;
//# sourceMappingURL=byte-out.js.map