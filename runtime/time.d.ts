import type { ByteOut } from './byte-out';
/** Strictly monotonic microseconds since the Unix epoch. */
export declare function nowMicros(): number;
/** `2025-10-18T14:32:10.123456Z` (the date part is cached per second). */
export declare function formatMicros(micros: number): string;
/** `formatMicros(micros)` written as ASCII bytes (the shipping thread's form). */
export declare function writeMicros(out: ByteOut, micros: number): void;
//# sourceMappingURL=time.d.ts.map