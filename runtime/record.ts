/**
 * The in-memory form of a captured event. Capture only fills this object (references and numbers);
 * ids, timestamps and JSON are produced later by `encode.ts`, off the capture path.
 */
import type { Clock } from './clock';
import type { Task } from './context';

export const enum K {
  StateChange,
  FunctionCall,
  AsyncSpawn,
  AsyncAwait,
  LockAcquire,
  LockRelease,
  HttpRequest,
  HttpResponse,
  Error,
  Custom,
  Raw,
}

export class Rec {
  /** Assigned when the event is encoded (or earlier if a child needs it as parent_id). */
  id: string | null = null;
  constructor(
    readonly k: K,
    readonly task: Task,
    readonly parent: Rec | null,
    readonly ts: number,
    readonly base: Clock,
    readonly own: number,
    readonly locks: readonly string[],
    readonly a: unknown,
    readonly b: unknown,
    readonly c: unknown,
    readonly d: unknown,
    readonly e: unknown,
    readonly dur: number | null,
  ) {}
}

/** Where captured records go: a client's queue. */
export interface Sink {
  accept(r: Rec): void;
}
