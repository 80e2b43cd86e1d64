/**
 * Bounded stand-ins for the program-controlled text the in-memory index keeps: values, variable
 * and task names, locations, clocks. A sender may put megabytes into any of them; the index (and
 * every race report built from it) keeps at most a few kilobytes per value and half a kilobyte per
 * name, while the full events stay in the store (`GET /api/traces/:id`).
 *
 * The analyzer only compares these texts and looks at their shape (`analyzer/values.ts`), so a
 * stand-in must keep both:
 * - equality: each part of the original that is left out is replaced by a marker carrying a hash
 *   of exactly that part (`$hash:<16 hex>`, the runtime's own form for lossy snapshots), so two
 *   stand-ins are equal exactly when their originals are (up to a 64-bit hash collision);
 * - shape: the first keys and elements, the last key of an object (a container's `size` or
 *   `length`), the first characters of a string (a state name starts with `"`), and the key of a
 *   `Map#set` are kept;
 * - "cannot compare": an original that holds the runtime's `$hash:?` marker keeps it.
 * Text at or under the limits is kept as is, so everything the runtime sends in the usual case
 * (its snapshots are capped at 32 keys and 500-character strings) is untouched.
 */
import { createHash } from 'node:crypto';
import type { JsonValue } from '../protocol/events';

/** Names (variables, tasks, services, locations, locks) longer than this are bounded. */
export const MAX_NAME_CHARS = 512;
/** Value texts (JSON) longer than this are replaced by a preview. */
export const MAX_VALUE_CHARS = 8192;
/** Characters of a long string kept in a preview or a bounded name. */
const KEEP_CHARS = 200;
/** Elements / keys of one array / object kept in a preview (budget permitting). */
const KEEP_ITEMS = 32;
/** Containers nested deeper than this become markers. */
const KEEP_DEPTH = 8;
/** Once a preview is this long, what is left of each open container becomes its marker. */
const PREVIEW_BUDGET = 3072;

const UNCOMPARABLE = ['$hash:?', '"$hash":"?"'];

/** `$hash:<16 hex>` of a text, or `$hash:?` when the text itself holds a hash that cannot be compared. */
function hashMark(text: string): string {
  if (text.includes('$hash') && UNCOMPARABLE.some((u) => text.includes(u))) return '$hash:?';
  return '$hash:' + createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** A long string cut to its first characters, with the count of the rest and its hash. */
function cutString(s: string): string {
  return `${s.slice(0, KEEP_CHARS)}…(${s.length - KEEP_CHARS} more) ${hashMark(s)}`;
}

/** A name (variable, task, service, location, lock) the index may keep: itself when short. */
export function boundName(name: string): string {
  return name.length > MAX_NAME_CHARS ? cutString(name) : name;
}

/**
 * JSON text of a preview of `value` (a parsed JSON value). Deterministic: equal values give equal
 * previews, and different values different ones (see the module comment).
 */
export function previewValue(value: JsonValue): string {
  const out: string[] = [];
  let size = 0;
  const emit = (s: string): void => {
    out.push(s);
    size += s.length;
  };
  const marker = (what: string, rest: string): string => JSON.stringify(`${what} ${hashMark(rest)}`);
  const walk = (v: JsonValue, depth: number): void => {
    if (v === null || typeof v !== 'object') {
      emit(typeof v === 'string' && v.length > KEEP_CHARS ? JSON.stringify(cutString(v)) : JSON.stringify(v ?? null));
      return;
    }
    if (depth >= KEEP_DEPTH || size >= PREVIEW_BUDGET) {
      emit(marker(Array.isArray(v) ? `[Array(${v.length})]` : '[Object]', JSON.stringify(v)));
      return;
    }
    if (Array.isArray(v)) {
      emit('[');
      let i = 0;
      for (; i < v.length && i < KEEP_ITEMS - 1 && (i === 0 || size < PREVIEW_BUDGET); i++) {
        if (i > 0) emit(',');
        walk(v[i]!, depth + 1);
      }
      if (i < v.length) {
        if (i > 0) emit(',');
        emit(marker(`…(${v.length - i} more)`, JSON.stringify(v.slice(i))));
      }
      emit(']');
      return;
    }
    const keys = Object.keys(v);
    // The last key stays (a container's size or length ends its value, see analyzer/values.ts).
    const last = keys.length > 1 ? keys.length - 1 : -1;
    emit('{');
    let i = 0;
    const member = (k: string): void => {
      emit(JSON.stringify(boundName(k)));
      emit(':');
      walk(v[k]!, depth + 1);
    };
    for (; i < keys.length && i !== last && i < KEEP_ITEMS - 2 && (i === 0 || size < PREVIEW_BUDGET); i++) {
      if (i > 0) emit(',');
      member(keys[i]!);
    }
    const skipped = (last >= 0 ? last : keys.length) - i;
    if (skipped > 0) {
      const rest: Record<string, JsonValue> = {};
      for (let k = i; k < i + skipped; k++) rest[keys[k]!] = v[keys[k]!]!;
      if (i > 0) emit(',');
      emit(JSON.stringify(`…(${skipped} more)`));
      emit(':');
      emit(marker('', JSON.stringify(rest)));
      i += skipped;
    }
    if (last >= 0 && i === last) {
      if (i > 0) emit(',');
      member(keys[last]!);
    }
    emit('}');
  };
  walk(value, 0);
  return out.join('');
}

/** A value's JSON text as the index keeps it: itself when short, else its preview. */
export function boundValueText(text: string, value?: JsonValue): string {
  if (text.length <= MAX_VALUE_CHARS) return text;
  let parsed: JsonValue;
  try {
    parsed = value !== undefined ? value : (JSON.parse(text) as JsonValue);
  } catch {
    return JSON.stringify(cutString(text));
  }
  return previewValue(parsed);
}

/** A vector clock's JSON text with its task names bounded like the tasks' own (see boundName). */
export function boundClockText(text: string): string {
  if (text.length <= MAX_NAME_CHARS) return text;
  let clock: [string, number][];
  try {
    clock = JSON.parse(text) as [string, number][];
  } catch {
    return text;
  }
  if (!Array.isArray(clock) || !clock.some((p) => Array.isArray(p) && typeof p[0] === 'string' && p[0].length > MAX_NAME_CHARS)) return text;
  return JSON.stringify(clock.map((p) => (Array.isArray(p) && typeof p[0] === 'string' ? [boundName(p[0]), p[1]] : p)));
}
