/**
 * Event timestamps: microseconds since the epoch, strictly increasing within the process (two
 * events never share a timestamp, so time order is total), formatted as RFC 3339 UTC with
 * microsecond precision only when an event is encoded.
 */
import { performance } from 'node:perf_hooks';

const origin = performance.timeOrigin;
let last = 0;

/** Strictly monotonic microseconds since the Unix epoch. */
export function nowMicros(): number {
  let t = Math.floor((origin + performance.now()) * 1000);
  if (t <= last) t = last + 1;
  last = t;
  return t;
}

/** `2025-10-18T14:32:10.123456Z` */
export function formatMicros(micros: number): string {
  const ms = Math.floor(micros / 1000);
  const iso = new Date(ms).toISOString(); // 2025-10-18T14:32:10.123Z
  const extra = String(micros - ms * 1000).padStart(3, '0');
  return iso.slice(0, 23) + extra + 'Z';
}
