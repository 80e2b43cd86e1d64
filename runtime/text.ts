/**
 * Text from values the application hands to the capture API (variable names, locations, lock ids,
 * header maps) without running its code: `String(x)` would call a `toString` or a Proxy trap, and
 * `Object.entries` the getters of a header object. Strings and other primitives convert as
 * `String` would; an object becomes `[Tag]` (its class name, read safely).
 */
import { types } from 'node:util';
import { tag } from './peek';

export function text(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return String(v); // primitives: no program code
  if (types.isProxy(v)) return '[Proxy]';
  return `[${tag(v as object)}]`;
}

const REDACTED = new Set(['authorization', 'cookie', 'set-cookie', 'x-raceway-key', 'proxy-authorization']);

/** A header map as strings: own data properties only, credentials redacted, arrays joined. */
export function headerMap(h: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (h === null || typeof h !== 'object' || types.isProxy(h)) return out;
  const props = Object.getOwnPropertyDescriptors(h);
  for (const k of Object.keys(props)) {
    const d = props[k]!;
    if (!('value' in d) || d.value === undefined || d.value === null) continue;
    const v: unknown = d.value;
    out[k] = REDACTED.has(k.toLowerCase()) ? '[redacted]'
      : Array.isArray(v) && !types.isProxy(v) ? Array.prototype.map.call(v, text).join(', ') : text(v);
  }
  return out;
}
