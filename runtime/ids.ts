/**
 * Event ids: UUID version 7 (RFC 9562) built from the event's own millisecond timestamp, a random
 * per-process prefix and a per-process counter ("fixed-length dedicated counter" method), so ids
 * are unique without a random draw per event and sort by time.
 */
import { randomBytes, randomUUID } from 'node:crypto';

const HEX: string[] = [];
for (let i = 0; i < 256; i++) HEX.push((i + 0x100).toString(16).slice(1));

const processRandom = randomBytes(4);
/** 12 bits of rand_a + 6 variant-adjacent bits come from the process prefix; 42 bits from the counter. */
const prefixA = ((processRandom[0]! << 4) | (processRandom[1]! >> 4)) & 0xfff;
const prefixB = processRandom[2]! & 0x3f;
const prefixC = processRandom[3]!;
let counter = Math.floor(Math.random() * 0x100000000);

function hex2(n: number): string {
  return HEX[n & 0xff]!;
}

/** A UUIDv7 string for an event that happened at `epochMicros` (microseconds since the epoch). */
export function uuidV7(epochMicros: number): string {
  const ms = Math.floor(epochMicros / 1000);
  counter = (counter + 1) % 0x40000000000; // 42 bits
  const c = counter;
  const hi = Math.floor(ms / 0x10000); // top 32 bits of the 48-bit timestamp
  const lo = ms % 0x10000;
  const cHi = Math.floor(c / 0x100000000); // top 10 bits of the counter
  const cLo = c >>> 0;
  return (
    hex2(hi >>> 24) + hex2(hi >>> 16) + hex2(hi >>> 8) + hex2(hi) + '-' +
    hex2(lo >>> 8) + hex2(lo) + '-' +
    hex2(0x70 | (prefixA >>> 8)) + hex2(prefixA) + '-' +
    hex2(0x80 | prefixB) + hex2(prefixC) + '-' +
    hex2(cHi >>> 2) + hex2(((cHi & 3) << 6) | (cLo >>> 26)) + hex2(cLo >>> 18) + hex2(cLo >>> 10) + hex2(cLo >>> 2) + hex2(cLo << 6)
  );
}

/** A random UUID (v4) for trace ids and future ids that name no event. */
export function randomId(): string {
  return randomUUID();
}

/** 32 lowercase hex digits (a W3C trace id) written in UUID form, as the upstream server stores trace ids. */
export function traceIdToUuid(hex32: string): string {
  return `${hex32.slice(0, 8)}-${hex32.slice(8, 12)}-${hex32.slice(12, 16)}-${hex32.slice(16, 20)}-${hex32.slice(20, 32)}`;
}

/** The UUID form of a trace id back to the 32 hex digits of a W3C traceparent. */
export function uuidToTraceId(uuid: string): string {
  return uuid.replace(/-/g, '').toLowerCase();
}
