/**
 * Client configuration: defaults, environment variables, and validation that fails at init with a
 * message naming the field and what it accepts (a typo in an option name is an error, not a silently
 * ignored setting).
 */

export interface RacewayConfig {
  /** Raceway server base URL. Default `http://localhost:8080` (env `RACEWAY_ENDPOINT`). */
  endpoint?: string;
  /** Application identifier. Default `unknown-service` (env `RACEWAY_SERVICE_NAME`). */
  serviceName?: string;
  /** dev / staging / prod… Default `development` (env `RACEWAY_ENVIRONMENT`). */
  environment?: string;
  /** Events per HTTP batch; a full batch is sent without waiting for the timer. Default 100. */
  batchSize?: number;
  /** Milliseconds between automatic flushes. Default 1000. */
  flushInterval?: number;
  /** Master switch. `false`: no timers, no sockets, near-zero cost per call (env `RACEWAY_ENABLED`). */
  enabled?: boolean;
  /** Log transport activity and problems to stderr (env `RACEWAY_DEBUG`). Default false. */
  debug?: boolean;
  /** Sent as `Authorization: Bearer <key>` and `x-raceway-key` (env `RACEWAY_API_KEY`). */
  apiKey?: string | null;
  /** Identifies this process among instances of one service (metadata.instance_id). */
  instanceId?: string | null;
  /** Added to every event's metadata.tags; values must be strings. */
  tags?: Record<string, string>;
  /**
   * Events kept in memory while the server is slow or down; beyond it the oldest are dropped (and
   * counted). The app thread's hand-off ring holds up to as many again while the shipping thread
   * catches up; when it is full, new events are dropped (and counted). Default 10000.
   */
  maxQueueSize?: number;
  /**
   * Fraction of requests (traces started by the Koa/Express middleware) that are recorded, from 0
   * to 1, decided per request (env `RACEWAY_SAMPLE_RATE`). Default 1. Races are found only between
   * recorded requests, so a lower rate trades detection for overhead (see the README's production
   * notes).
   */
  sampleRate?: number;
  /**
   * Event budget of recorded requests, on average per second (env `RACEWAY_MAX_EVENTS_PER_SECOND`;
   * `Infinity` or `unlimited`: record every request). Default 200. Under light load every request
   * is recorded; under heavy load requests are recorded in short windows (all requests that start in
   * a window, so concurrent requests are recorded together) as often as the budget allows, and the
   * rest cost almost nothing. Ten seconds' worth may be saved up for bursts.
   */
  maxEventsPerSecond?: number;
  /** Longest time `flush()` on exit (beforeExit, SIGTERM, SIGINT) may take, in ms. Default 5000 (a loaded machine can take seconds to start the shipping thread and deliver). */
  shutdownTimeout?: number;
  /** Install exit handlers that flush on beforeExit / SIGTERM / SIGINT. Default true. */
  handleExit?: boolean;
  /**
   * Outgoing HTTP calls (`fetch`/undici, `http.request`) that carry the trace context headers
   * (`traceparent`, `tracestate`, `raceway-clock`) and are recorded (env `RACEWAY_PROPAGATION`):
   * `'requests'` (default) only calls made while handling a recorded request, `'always'` also calls
   * made outside requests (scripts, timers), `'off'` none.
   */
  propagation?: Propagation;
}

/** See `RacewayConfig.propagation`. */
export type Propagation = 'requests' | 'always' | 'off';
const PROPAGATION: readonly Propagation[] = ['requests', 'always', 'off'];

/** The configuration after defaults and validation. */
export interface ResolvedConfig {
  endpoint: string;
  serviceName: string;
  environment: string;
  batchSize: number;
  flushInterval: number;
  enabled: boolean;
  debug: boolean;
  apiKey: string | null;
  instanceId: string | null;
  tags: Record<string, string>;
  maxQueueSize: number;
  sampleRate: number;
  maxEventsPerSecond: number;
  shutdownTimeout: number;
  handleExit: boolean;
  propagation: Propagation;
}

export const DEFAULTS: ResolvedConfig = {
  endpoint: 'http://localhost:8080',
  serviceName: 'unknown-service',
  environment: 'development',
  batchSize: 100,
  flushInterval: 1000,
  enabled: true,
  debug: false,
  apiKey: null,
  instanceId: null,
  tags: {},
  maxQueueSize: 10000,
  sampleRate: 1,
  maxEventsPerSecond: 200,
  shutdownTimeout: 5000,
  handleExit: true,
  propagation: 'requests',
};

/** Thrown by `new RacewayClient()` / `init()` for an invalid configuration. */
export class RacewayConfigError extends Error {
  constructor(readonly field: string, message: string) {
    super(`raceway: invalid option "${field}": ${message}`);
    this.name = 'RacewayConfigError';
  }
}

const KNOWN = Object.keys(DEFAULTS) as (keyof ResolvedConfig)[];

function parseBool(field: string, raw: string): boolean {
  const v = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(v)) return false;
  throw new RacewayConfigError(field, `got ${JSON.stringify(raw)}; accepted: true/false, 1/0, yes/no, on/off`);
}

/** Options from `RACEWAY_*` environment variables. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): RacewayConfig {
  const c: RacewayConfig = {};
  if (env.RACEWAY_ENDPOINT) c.endpoint = env.RACEWAY_ENDPOINT;
  if (env.RACEWAY_SERVICE_NAME) c.serviceName = env.RACEWAY_SERVICE_NAME;
  if (env.RACEWAY_ENVIRONMENT) c.environment = env.RACEWAY_ENVIRONMENT;
  if (env.RACEWAY_ENABLED !== undefined) c.enabled = parseBool('RACEWAY_ENABLED', env.RACEWAY_ENABLED);
  if (env.RACEWAY_DEBUG !== undefined) c.debug = parseBool('RACEWAY_DEBUG', env.RACEWAY_DEBUG);
  if (env.RACEWAY_API_KEY) c.apiKey = env.RACEWAY_API_KEY;
  if (env.RACEWAY_SHUTDOWN_TIMEOUT) {
    const ms = Number(env.RACEWAY_SHUTDOWN_TIMEOUT);
    if (!Number.isInteger(ms) || ms <= 0) throw new RacewayConfigError('RACEWAY_SHUTDOWN_TIMEOUT', `got ${JSON.stringify(env.RACEWAY_SHUTDOWN_TIMEOUT)}; accepted: a positive number of milliseconds`);
    c.shutdownTimeout = ms;
  }
  if (env.RACEWAY_SAMPLE_RATE !== undefined && env.RACEWAY_SAMPLE_RATE !== '') {
    const r = Number(env.RACEWAY_SAMPLE_RATE);
    if (!(r >= 0 && r <= 1)) throw new RacewayConfigError('RACEWAY_SAMPLE_RATE', `got ${JSON.stringify(env.RACEWAY_SAMPLE_RATE)}; accepted: a number from 0 to 1`);
    c.sampleRate = r;
  }
  const budget = env.RACEWAY_MAX_EVENTS_PER_SECOND?.trim();
  if (budget !== undefined && budget !== '') {
    const r = /^(unlimited|infinity)$/i.test(budget) ? Infinity : Number(budget);
    if (!(r > 0)) throw new RacewayConfigError('RACEWAY_MAX_EVENTS_PER_SECOND', `got ${JSON.stringify(env.RACEWAY_MAX_EVENTS_PER_SECOND)}; accepted: a positive number, or "unlimited"`);
    c.maxEventsPerSecond = r;
  }
  const propagation = env.RACEWAY_PROPAGATION?.trim().toLowerCase();
  if (propagation !== undefined && propagation !== '') {
    if (!(PROPAGATION as string[]).includes(propagation)) throw new RacewayConfigError('RACEWAY_PROPAGATION', `got ${JSON.stringify(env.RACEWAY_PROPAGATION)}; accepted: ${PROPAGATION.join(', ')}`);
    c.propagation = propagation as Propagation;
  }
  return c;
}

function positiveInt(field: string, v: unknown, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0 || v > max) {
    throw new RacewayConfigError(field, `got ${JSON.stringify(v)}; accepted: an integer from 1 to ${max}`);
  }
  return v;
}

function str(field: string, v: unknown, allowNull: boolean): string | null {
  if (v === null && allowNull) return null;
  if (typeof v !== 'string' || v.length === 0) {
    throw new RacewayConfigError(field, `got ${JSON.stringify(v)}; accepted: a non-empty string${allowNull ? ' or null' : ''}`);
  }
  return v;
}

/** Applies defaults and validates; throws `RacewayConfigError` naming the first bad field. */
export function resolveConfig(input: RacewayConfig = {}): ResolvedConfig {
  if (input === null || typeof input !== 'object') throw new RacewayConfigError('config', 'expected an options object');
  for (const key of Object.keys(input)) {
    if (!(KNOWN as string[]).includes(key)) {
      throw new RacewayConfigError(key, `unknown option; accepted options: ${KNOWN.join(', ')}`);
    }
  }
  const c: ResolvedConfig = { ...DEFAULTS, tags: {} };
  const i = input as Record<string, unknown>;
  const has = (k: string) => i[k] !== undefined;
  if (has('endpoint')) {
    const e = str('endpoint', i.endpoint, false)!;
    let url: URL;
    try { url = new URL(e); } catch { throw new RacewayConfigError('endpoint', `got ${JSON.stringify(e)}; accepted: an http:// or https:// URL such as http://localhost:8080`); }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new RacewayConfigError('endpoint', `got ${JSON.stringify(e)}; accepted: an http:// or https:// URL such as http://localhost:8080`);
    }
    c.endpoint = e.replace(/\/+$/, '');
  }
  if (has('serviceName')) c.serviceName = str('serviceName', i.serviceName, false)!;
  if (has('environment')) c.environment = str('environment', i.environment, false)!;
  if (has('batchSize')) c.batchSize = positiveInt('batchSize', i.batchSize, 100000);
  if (has('flushInterval')) c.flushInterval = positiveInt('flushInterval', i.flushInterval, 3600000);
  if (has('maxQueueSize')) c.maxQueueSize = positiveInt('maxQueueSize', i.maxQueueSize, 10000000);
  if (has('shutdownTimeout')) c.shutdownTimeout = positiveInt('shutdownTimeout', i.shutdownTimeout, 600000);
  if (has('sampleRate')) {
    const r = i.sampleRate;
    if (typeof r !== 'number' || !(r >= 0 && r <= 1)) throw new RacewayConfigError('sampleRate', `got ${JSON.stringify(r)}; accepted: a number from 0 to 1`);
    c.sampleRate = r;
  }
  if (has('maxEventsPerSecond')) {
    const r = i.maxEventsPerSecond;
    if (typeof r !== 'number' || !(r > 0)) throw new RacewayConfigError('maxEventsPerSecond', `got ${JSON.stringify(r)}; accepted: a positive number, or Infinity for no budget`);
    c.maxEventsPerSecond = r;
  }
  for (const k of ['enabled', 'debug', 'handleExit'] as const) {
    if (has(k)) {
      if (typeof i[k] !== 'boolean') throw new RacewayConfigError(k, `got ${JSON.stringify(i[k])}; accepted: true or false`);
      c[k] = i[k] as boolean;
    }
  }
  if (has('propagation')) {
    if (!(PROPAGATION as unknown[]).includes(i.propagation)) throw new RacewayConfigError('propagation', `got ${JSON.stringify(i.propagation)}; accepted: ${PROPAGATION.map((p) => `"${p}"`).join(', ')}`);
    c.propagation = i.propagation as Propagation;
  }
  if (has('apiKey')) c.apiKey = str('apiKey', i.apiKey, true);
  if (has('instanceId')) c.instanceId = str('instanceId', i.instanceId, true);
  if (has('tags')) {
    const t = i.tags;
    if (t === null || typeof t !== 'object' || Array.isArray(t) || !Object.values(t).every((v) => typeof v === 'string')) {
      throw new RacewayConfigError('tags', 'accepted: an object whose values are strings');
    }
    c.tags = { ...(t as Record<string, string>) };
  }
  if (c.batchSize > c.maxQueueSize) {
    throw new RacewayConfigError('batchSize', `${c.batchSize} exceeds maxQueueSize ${c.maxQueueSize}; accepted: at most maxQueueSize`);
  }
  return c;
}
