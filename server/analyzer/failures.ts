/**
 * Which events show that the program failed at that point: what makes a read that saw another
 * task's reset "used" (`use_after_reset`). An Error event (a throw the runtime or the application
 * recorded), or a call whose arguments carry an error object: Node's error-first callbacks hand a
 * failure on as `done(err)` instead of throwing it (`done(new Error('socket hang up'))`).
 */
import type { RacewayEvent } from '../../protocol/events';

/** A recorded value that is an error object (the runtime snapshots errors as `{$type, name, message}`). */
export function isErrorValue(v: unknown): boolean {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const o = v as { $type?: unknown; name?: unknown; message?: unknown };
  if (typeof o.message !== 'string') return false;
  return (typeof o.$type === 'string' && o.$type.endsWith('Error')) || (typeof o.name === 'string' && o.name.endsWith('Error'));
}

/** The event marks a failure of the job it ran in (see the module comment). */
export function isFailureEvent(e: RacewayEvent, kind: string): boolean {
  if (kind === 'Error') return true;
  if (kind !== 'FunctionCall') return false;
  const args = (e.kind as { FunctionCall: { args?: unknown } }).FunctionCall.args;
  if (args === null || typeof args !== 'object') return false;
  for (const k in args as Record<string, unknown>) if (isErrorValue((args as Record<string, unknown>)[k])) return true;
  return false;
}
