/**
 * What capture produces. An event is written straight into a packed batch (`wire.ts`): no object per
 * event on the app thread. Only events that open a span keep a small `Span` so later events can name
 * them as parent.
 */

import type { AccessType } from '../protocol/events';

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

/** An event that is the parent of later ones (FunctionCall, HttpRequest): enough to compute its id. */
export interface Span {
  readonly seq: number;
  readonly ts: number;
  /** The span that was open when this one started (for `exitFunction`). */
  readonly parent: Span | null;
}

/**
 * The task an event belongs to, as far as this module needs to name it: a `Task` of context.ts,
 * which the sinks (transport.ts, client.ts) take in full. Declared here so that recording does not
 * depend on the context module that depends on it.
 */
export interface EventTask {
  readonly id: string;
  readonly trace: string;
}

/**
 * The arguments of each kind of event, in the order `emit` (context.ts) and `Sink.write` take them
 * (`a` … `e`), named after the fields of the event's `kind` in the Raceway event schema that wire.ts
 * writes them to. Positional on purpose: an event costs no object on the app thread.
 */
export interface EventArgs {
  [K.StateChange]: [variable: string, oldValue: unknown, newValue: unknown, location: string, accessType: AccessType];
  [K.FunctionCall]: [functionName: string, module: string, args: unknown, file: string, line: number];
  [K.AsyncSpawn]: [taskId: string, spawnedBy: string];
  /** The future id is made by the shipping thread (one per await); the caller's is not kept. */
  [K.AsyncAwait]: [futureId: string | null, location: string];
  [K.LockAcquire]: [lockId: string, lockType: string, location: string];
  [K.LockRelease]: [lockId: string, lockType: string, location: string];
  [K.HttpRequest]: [method: string, url: string, headers: Record<string, string>, body: unknown];
  [K.HttpResponse]: [status: number, headers: Record<string, string>, body: unknown, durationMs: number];
  [K.Error]: [errorType: string, message: string, stackTrace: string[]];
  [K.Custom]: [name: string, data: unknown];
  /** Any event kind of the schema, as the caller gave it (`captureEvent`). */
  [K.Raw]: [kind: unknown];
}

/** Where captured events go (a client's transport). `a` … `e` are the kind's `EventArgs`, then nulls. */
export interface Sink {
  write(k: K, seq: number, ts: number, task: EventTask, a: unknown, b: unknown, c: unknown, d: unknown, e: unknown, dur: number | null): void;
}
