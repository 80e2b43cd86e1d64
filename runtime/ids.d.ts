import type { ByteOut } from './byte-out';
export declare function processPrefix(): Uint8Array;
/** Used by the shipping thread to mint the same ids as the app thread. */
export declare function setProcessPrefix(p: Uint8Array): void;
/** The UUIDv7 of the event with sequence number `seq` that happened at `epochMicros`. */
export declare function uuidV7(epochMicros: number, seq: number): string;
/** `uuidV7(epochMicros, seq)` written as ASCII bytes (the shipping thread's form). */
export declare function writeUuidV7(out: ByteOut, epochMicros: number, seq: number): void;
/** A random UUID (v4) for task ids, trace ids, future ids and lock ids. */
export declare function randomId(): string;
/** 32 hex digits of a W3C trace id, in the UUID form the upstream server stores. */
export declare function traceIdToUuid(hex32: string): string;
//# sourceMappingURL=ids.d.ts.map