/**
 * A strict validator for the wire schema in `events.ts`, mirroring what the upstream server's serde
 * derive accepts: every required key present with the right JSON type, unsigned integers where Rust
 * has `u16`/`u32`/`u64`, UUIDs where Rust has `Uuid`, RFC 3339 timestamps, string-only maps.
 * Used by the server to reject bad events and by tests to prove the runtime's output.
 */
import type { RacewayEvent } from './events';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const ACCESS_TYPES = new Set(['Read', 'Write', 'AtomicRead', 'AtomicWrite', 'AtomicRMW']);
const ORDERINGS = new Set(['Relaxed', 'Acquire', 'Release', 'AcqRel', 'SeqCst']);

type FieldType = 'string' | 'uuid' | 'u16' | 'u32' | 'u64' | 'json' | 'json?' | 'strmap' | 'strings' | 'access' | 'ordering';

const KIND_FIELDS: Record<string, Record<string, FieldType>> = {
  StateChange: { variable: 'string', old_value: 'json?', new_value: 'json', location: 'string', access_type: 'access' },
  FunctionCall: { function_name: 'string', module: 'string', args: 'json', file: 'string', line: 'u32' },
  AsyncSpawn: { task_id: 'uuid', spawned_by: 'string' },
  AsyncAwait: { future_id: 'uuid', awaited_at: 'string' },
  LockAcquire: { lock_id: 'string', lock_type: 'string', location: 'string' },
  LockRelease: { lock_id: 'string', lock_type: 'string', location: 'string' },
  MemoryFence: { ordering: 'ordering', location: 'string' },
  HttpRequest: { method: 'string', url: 'string', headers: 'strmap', body: 'json?' },
  HttpResponse: { status: 'u16', headers: 'strmap', body: 'json?', duration_ms: 'u64' },
  DatabaseQuery: { query: 'string', database: 'string', duration_ms: 'u64' },
  DatabaseResult: { rows_affected: 'u64' },
  Error: { error_type: 'string', message: 'string', stack_trace: 'strings' },
  Custom: { name: 'string', data: 'json' },
};

function isUint(v: unknown, max: number): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;
}

function checkField(v: unknown, t: FieldType): boolean {
  switch (t) {
    case 'string': return typeof v === 'string';
    case 'uuid': return typeof v === 'string' && UUID.test(v);
    case 'u16': return isUint(v, 0xffff);
    case 'u32': return isUint(v, 0xffffffff);
    case 'u64': return isUint(v, Number.MAX_SAFE_INTEGER);
    // serde_json::Value accepts null, but the key itself must be present (checked by the caller).
    case 'json': case 'json?': return v !== undefined;
    case 'strmap': return v !== null && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');
    case 'strings': return Array.isArray(v) && v.every((x) => typeof x === 'string');
    case 'access': return typeof v === 'string' && ACCESS_TYPES.has(v);
    case 'ordering': return typeof v === 'string' && ORDERINGS.has(v);
  }
}

/** Returns the list of problems with `e` (empty when it is a valid event). */
export function validateEvent(e: unknown): string[] {
  const errors: string[] = [];
  if (e === null || typeof e !== 'object' || Array.isArray(e)) return ['event must be a JSON object'];
  const ev = e as Record<string, unknown>;
  const need = (key: string, ok: boolean, what: string) => {
    if (!(key in ev)) errors.push(`missing field "${key}"`);
    else if (!ok) errors.push(`field "${key}" must be ${what}`);
  };
  need('id', checkField(ev.id, 'uuid'), 'a UUID string');
  need('trace_id', checkField(ev.trace_id, 'uuid'), 'a UUID string');
  need('parent_id', ev.parent_id === null || checkField(ev.parent_id, 'uuid'), 'a UUID string or null');
  need('timestamp', typeof ev.timestamp === 'string' && RFC3339.test(ev.timestamp) && !Number.isNaN(Date.parse(ev.timestamp)), 'an RFC 3339 timestamp');
  need('causality_vector', Array.isArray(ev.causality_vector) && ev.causality_vector.every(
    (p) => Array.isArray(p) && p.length === 2 && typeof p[0] === 'string' && isUint(p[1], Number.MAX_SAFE_INTEGER)),
  'an array of [string, unsigned integer] pairs');
  need('lock_set', checkField(ev.lock_set, 'strings'), 'an array of strings');

  if (!('metadata' in ev)) errors.push('missing field "metadata"');
  else if (ev.metadata === null || typeof ev.metadata !== 'object' || Array.isArray(ev.metadata)) errors.push('field "metadata" must be an object');
  else {
    const m = ev.metadata as Record<string, unknown>;
    const fields: [string, (v: unknown) => boolean, string][] = [
      ['thread_id', (v) => typeof v === 'string', 'a string'],
      ['process_id', (v) => isUint(v, 0xffffffff), 'an unsigned 32-bit integer'],
      ['service_name', (v) => typeof v === 'string', 'a string'],
      ['environment', (v) => typeof v === 'string', 'a string'],
      ['tags', (v) => checkField(v, 'strmap'), 'an object of string values'],
      ['duration_ns', (v) => v === null || isUint(v, Number.MAX_SAFE_INTEGER), 'an unsigned integer or null'],
    ];
    for (const [k, ok, what] of fields) {
      if (!(k in m)) errors.push(`missing field "metadata.${k}"`);
      else if (!ok(m[k])) errors.push(`field "metadata.${k}" must be ${what}`);
    }
    for (const k of ['instance_id', 'distributed_span_id', 'upstream_span_id']) {
      if (k in m && m[k] !== null && typeof m[k] !== 'string') errors.push(`field "metadata.${k}" must be a string or null`);
    }
  }

  if (!('kind' in ev)) errors.push('missing field "kind"');
  else if (ev.kind === null || typeof ev.kind !== 'object' || Array.isArray(ev.kind)) errors.push('field "kind" must be an object with one key');
  else {
    const keys = Object.keys(ev.kind);
    const name = keys[0];
    if (keys.length !== 1 || name === undefined || !Object.hasOwn(KIND_FIELDS, name)) {
      errors.push(`field "kind" must have exactly one key among ${Object.keys(KIND_FIELDS).join(', ')}`);
    } else {
      const body = (ev.kind as Record<string, unknown>)[name];
      if (body === null || typeof body !== 'object' || Array.isArray(body)) errors.push(`field "kind.${name}" must be an object`);
      else {
        const b = body as Record<string, unknown>;
        for (const [k, t] of Object.entries(KIND_FIELDS[name]!)) {
          if (!(k in b)) errors.push(`missing field "kind.${name}.${k}"`);
          else if (!checkField(b[k], t)) errors.push(`field "kind.${name}.${k}" has the wrong type (expected ${t})`);
        }
      }
    }
  }
  return errors;
}

/** Type guard form of `validateEvent`. */
export function isValidEvent(e: unknown): e is RacewayEvent {
  return validateEvent(e).length === 0;
}
