/**
 * Turns records into the wire JSON of `events.ts`. Every required key is always written; values the
 * program gave us are already snapshots (valid JSON), so encoding never runs program code.
 */
import type { ResolvedConfig } from './config';
import { uuidV7 } from './ids';
import { K, type Rec } from './record';
import { formatMicros } from './time';

const q = JSON.stringify;

/** JSON of a value that may be `undefined` (written as null). */
function j(v: unknown): string {
  return v === undefined ? 'null' : q(v);
}

export function idOf(r: Rec): string {
  return r.id ?? (r.id = uuidV7(r.ts));
}

function kindJson(r: Rec): string {
  switch (r.k) {
    case K.StateChange:
      return `{"StateChange":{"variable":${q(r.a)},"old_value":${j(r.b)},"new_value":${j(r.c)},"location":${q(r.d)},"access_type":${q(r.e)}}}`;
    case K.FunctionCall:
      return `{"FunctionCall":{"function_name":${q(r.a)},"module":${q(r.b)},"args":${j(r.c)},"file":${q(r.d)},"line":${r.e as number}}}`;
    case K.AsyncSpawn:
      return `{"AsyncSpawn":{"task_id":${q(r.a)},"spawned_by":${q(r.b)}}}`;
    case K.AsyncAwait:
      // The hooks leave the future id to be minted here, off the capture path.
      return `{"AsyncAwait":{"future_id":${q(r.a ?? uuidV7(r.ts))},"awaited_at":${q(r.b)}}}`;
    case K.LockAcquire:
      return `{"LockAcquire":{"lock_id":${q(r.a)},"lock_type":${q(r.b)},"location":${q(r.c)}}}`;
    case K.LockRelease:
      return `{"LockRelease":{"lock_id":${q(r.a)},"lock_type":${q(r.b)},"location":${q(r.c)}}}`;
    case K.HttpRequest:
      return `{"HttpRequest":{"method":${q(r.a)},"url":${q(r.b)},"headers":${q(r.c)},"body":${j(r.d)}}}`;
    case K.HttpResponse:
      return `{"HttpResponse":{"status":${r.a as number},"headers":${q(r.b)},"body":${j(r.c)},"duration_ms":${r.d as number}}}`;
    case K.Error:
      return `{"Error":{"error_type":${q(r.a)},"message":${q(r.b)},"stack_trace":${q(r.c)}}}`;
    case K.Custom:
      return `{"Custom":{"name":${q(r.a)},"data":${j(r.b)}}}`;
    case K.Raw:
      return q(r.a);
  }
}

/** Encodes records for one client configuration; the metadata tail is built once per config. */
export class Encoder {
  private readonly metaTail: string;
  private readonly pid = process.pid;

  constructor(config: ResolvedConfig) {
    const extra = config.instanceId === null ? '' : `,"instance_id":${q(config.instanceId)}`;
    this.metaTail = `,"process_id":${this.pid},"service_name":${q(config.serviceName)},"environment":${q(config.environment)},"tags":${q(config.tags)}${extra}`;
  }

  encode(r: Rec): string {
    const task = r.task;
    return (
      `{"id":"${idOf(r)}","trace_id":"${task.trace}","parent_id":${r.parent === null ? 'null' : `"${idOf(r.parent)}"`}` +
      `,"timestamp":"${formatMicros(r.ts)}","kind":${kindJson(r)}` +
      `,"metadata":{"thread_id":"${task.id}"${this.metaTail},"duration_ns":${r.dur === null ? 'null' : Math.max(0, Math.round(r.dur))}}` +
      `,"causality_vector":${r.base.toJson(task.id, r.own)},"lock_set":${r.locks.length === 0 ? '[]' : q(r.locks)}}`
    );
  }
}
