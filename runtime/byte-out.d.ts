/**
 * A growable byte buffer that JSON is written into piece by piece. The shipping thread encodes
 * events straight to UTF-8 bytes: building them as strings made a concatenation tree per event that
 * joining, measuring and encoding the request body each walked again, and most of the thread's
 * garbage.
 */
export declare class ByteOut {
    buf: Buffer;
    pos: number;
    constructor(size?: number);
    /** Makes room for `n` more bytes. */
    reserve(n: number): void;
    /** Bytes already encoded (an interned JSON string, a constant piece). */
    bytes(src: Uint8Array): void;
    /** A string of JSON text, as UTF-8. */
    text(s: string): void;
    /** One ASCII character by code. */
    byte(c: number): void;
    /** A non-negative integer below 2^53, in decimal. */
    uint(x: number): void;
    /** `width` decimal digits of `x` (0 ≤ x < 10^width), zero-padded. */
    padded(x: number, width: number): void;
    /** What has been written, copied out (the buffer is reused). */
    take(): Buffer;
}
//# sourceMappingURL=byte-out.d.ts.map