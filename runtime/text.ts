/**
 * Text from values the application hands to the capture API (variable names, locations, lock ids,
 * header maps) without running its code: `String(x)` would call a `toString` or a Proxy trap, and
 * `Object.entries` the getters of a header object. Strings and other primitives convert as
 * `String` would; an object becomes `[Tag]` (its class name, read safely).
 */
import { types } from 'node:util';
import { ownKeys, tag } from './peek';

export function text(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return String(v); // primitives: no program code
  if (types.isProxy(v)) return '[Proxy]';
  return `[${tag(v as object)}]`;
}

/** Headers kept from one map (Node itself keeps at most 2000 of a request's by default). */
const MAX_HEADERS = 256;

const REDACTED = new Set(['authorization', 'cookie', 'set-cookie', 'x-raceway-key', 'proxy-authorization']);

/** A header map as strings: own data properties only, credentials redacted, arrays joined. */
export function headerMap(h: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (h === null || typeof h !== 'object' || types.isProxy(h)) return out;
  const { keys } = ownKeys(h); // a header map of any size costs a bounded amount (peek.ts)
  for (let i = 0; i < keys.length && i < MAX_HEADERS; i++) {
    const k = keys[i]!;
    const d = Object.getOwnPropertyDescriptor(h, k);
    if (d === undefined || !('value' in d) || d.value === undefined || d.value === null) continue;
    const v: unknown = d.value;
    out[k] = REDACTED.has(k.toLowerCase()) ? '[redacted]'
      : !types.isProxy(v) && Array.isArray(v) ? joined(v) : text(v);
  }
  return out;
}

/** The values of a repeated header, joined as Node joins them, the first MAX_HEADERS of them (data elements only). */
function joined(values: unknown[]): string {
  const parts: string[] = [];
  for (let i = 0; i < values.length && i < MAX_HEADERS; i++) {
    const d = Object.getOwnPropertyDescriptor(values, i);
    if (d !== undefined && 'value' in d) parts.push(text(d.value));
  }
  return parts.join(', ');
}
