/**
 * raceway — race-condition detection and causal tracing for Node.js.
 *
 * ```ts
 * import { init, withLock } from 'raceway';
 * const raceway = init({ serviceName: 'banking-api' });
 * app.use(raceway.koa());
 * ```
 */
export { RacewayClient, init, getClient, emitError, type RacewayStats } from './client';
export { RacewayConfigError, DEFAULTS, resolveConfig, configFromEnv, type RacewayConfig, type ResolvedConfig, type Propagation } from './config';
export { Mutex, withLock, getMutex } from './lock';
export { REQUEST_TASK, traceFromHeader, type KoaMiddleware, type ExpressMiddleware, type ExpressErrorMiddleware, type KoaLikeContext, type ExpressLikeRequest, type ExpressLikeResponse } from './middleware';
export { snapshot, DEFAULT_LIMITS, type SnapshotLimits } from './serialize';
export { validateEvent, isValidEvent } from '../protocol/schema';
export { MAX_BODY_BYTES } from './transport';
export type * from '../protocol/events';
export { EVENT_KIND_NAMES } from '../protocol/events';

import { currentTask } from './context';

/** Id of the task running now (`metadata.thread_id` of events captured here). */
export function currentTaskId(): string {
  return currentTask().id;
}

/** Trace id of the task running now. */
export function currentTraceId(): string {
  return currentTask().trace;
}
