"use strict";
/**
 * Client configuration: defaults, environment variables, and validation that fails at init with a
 * message naming the field and what it accepts (a typo in an option name is an error, not a silently
 * ignored setting).
 */
Object.defineProperty(exports, "__esModule", { value: true });
exports.RacewayConfigError = exports.DEFAULTS = void 0;
exports.configFromEnv = configFromEnv;
exports.resolveConfig = resolveConfig;
const PROPAGATION = ['requests', 'always', 'off'];
exports.DEFAULTS = {
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
class RacewayConfigError extends Error {
    field;
    constructor(field, message) {
        super(`raceway: invalid option "${field}": ${message}`);
        this.field = field;
        this.name = 'RacewayConfigError';
    }
}
exports.RacewayConfigError = RacewayConfigError;
const KNOWN = Object.keys(exports.DEFAULTS);
function parseBool(field, raw) {
    const v = raw.trim().toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(v))
        return true;
    if (['0', 'false', 'no', 'off', ''].includes(v))
        return false;
    throw new RacewayConfigError(field, `got ${JSON.stringify(raw)}; accepted: true/false, 1/0, yes/no, on/off`);
}
/** Options from `RACEWAY_*` environment variables. */
function configFromEnv(env = process.env) {
    const c = {};
    if (env.RACEWAY_ENDPOINT)
        c.endpoint = env.RACEWAY_ENDPOINT;
    if (env.RACEWAY_SERVICE_NAME)
        c.serviceName = env.RACEWAY_SERVICE_NAME;
    if (env.RACEWAY_ENVIRONMENT)
        c.environment = env.RACEWAY_ENVIRONMENT;
    if (env.RACEWAY_ENABLED !== undefined)
        c.enabled = parseBool('RACEWAY_ENABLED', env.RACEWAY_ENABLED);
    if (env.RACEWAY_DEBUG !== undefined)
        c.debug = parseBool('RACEWAY_DEBUG', env.RACEWAY_DEBUG);
    if (env.RACEWAY_API_KEY)
        c.apiKey = env.RACEWAY_API_KEY;
    if (env.RACEWAY_SHUTDOWN_TIMEOUT) {
        const ms = Number(env.RACEWAY_SHUTDOWN_TIMEOUT);
        if (!Number.isInteger(ms) || ms <= 0)
            throw new RacewayConfigError('RACEWAY_SHUTDOWN_TIMEOUT', `got ${JSON.stringify(env.RACEWAY_SHUTDOWN_TIMEOUT)}; accepted: a positive number of milliseconds`);
        c.shutdownTimeout = ms;
    }
    if (env.RACEWAY_SAMPLE_RATE !== undefined && env.RACEWAY_SAMPLE_RATE !== '') {
        const r = Number(env.RACEWAY_SAMPLE_RATE);
        if (!(r >= 0 && r <= 1))
            throw new RacewayConfigError('RACEWAY_SAMPLE_RATE', `got ${JSON.stringify(env.RACEWAY_SAMPLE_RATE)}; accepted: a number from 0 to 1`);
        c.sampleRate = r;
    }
    const budget = env.RACEWAY_MAX_EVENTS_PER_SECOND?.trim();
    if (budget !== undefined && budget !== '') {
        const r = /^(unlimited|infinity)$/i.test(budget) ? Infinity : Number(budget);
        if (!(r > 0))
            throw new RacewayConfigError('RACEWAY_MAX_EVENTS_PER_SECOND', `got ${JSON.stringify(env.RACEWAY_MAX_EVENTS_PER_SECOND)}; accepted: a positive number, or "unlimited"`);
        c.maxEventsPerSecond = r;
    }
    const propagation = env.RACEWAY_PROPAGATION?.trim().toLowerCase();
    if (propagation !== undefined && propagation !== '') {
        if (!PROPAGATION.includes(propagation))
            throw new RacewayConfigError('RACEWAY_PROPAGATION', `got ${JSON.stringify(env.RACEWAY_PROPAGATION)}; accepted: ${PROPAGATION.join(', ')}`);
        c.propagation = propagation;
    }
    return c;
}
function positiveInt(field, v, max) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0 || v > max) {
        throw new RacewayConfigError(field, `got ${JSON.stringify(v)}; accepted: an integer from 1 to ${max}`);
    }
    return v;
}
function str(field, v, allowNull) {
    if (v === null && allowNull)
        return null;
    if (typeof v !== 'string' || v.length === 0) {
        throw new RacewayConfigError(field, `got ${JSON.stringify(v)}; accepted: a non-empty string${allowNull ? ' or null' : ''}`);
    }
    return v;
}
/** Applies defaults and validates; throws `RacewayConfigError` naming the first bad field. */
function resolveConfig(input = {}) {
    if (input === null || typeof input !== 'object')
        throw new RacewayConfigError('config', 'expected an options object');
    for (const key of Object.keys(input)) {
        if (!KNOWN.includes(key)) {
            throw new RacewayConfigError(key, `unknown option; accepted options: ${KNOWN.join(', ')}`);
        }
    }
    const c = { ...exports.DEFAULTS, tags: {} };
    const i = input;
    const has = (k) => i[k] !== undefined;
    if (has('endpoint')) {
        const e = str('endpoint', i.endpoint, false);
        let url;
        try {
            url = new URL(e);
        }
        catch {
            throw new RacewayConfigError('endpoint', `got ${JSON.stringify(e)}; accepted: an http:// or https:// URL such as http://localhost:8080`);
        }
        if (url.protocol !== 'http:' && url.protocol !== 'https:') {
            throw new RacewayConfigError('endpoint', `got ${JSON.stringify(e)}; accepted: an http:// or https:// URL such as http://localhost:8080`);
        }
        c.endpoint = e.replace(/\/+$/, '');
    }
    if (has('serviceName'))
        c.serviceName = str('serviceName', i.serviceName, false);
    if (has('environment'))
        c.environment = str('environment', i.environment, false);
    if (has('batchSize'))
        c.batchSize = positiveInt('batchSize', i.batchSize, 100000);
    if (has('flushInterval'))
        c.flushInterval = positiveInt('flushInterval', i.flushInterval, 3600000);
    if (has('maxQueueSize'))
        c.maxQueueSize = positiveInt('maxQueueSize', i.maxQueueSize, 10000000);
    if (has('shutdownTimeout'))
        c.shutdownTimeout = positiveInt('shutdownTimeout', i.shutdownTimeout, 600000);
    if (has('sampleRate')) {
        const r = i.sampleRate;
        if (typeof r !== 'number' || !(r >= 0 && r <= 1))
            throw new RacewayConfigError('sampleRate', `got ${JSON.stringify(r)}; accepted: a number from 0 to 1`);
        c.sampleRate = r;
    }
    if (has('maxEventsPerSecond')) {
        const r = i.maxEventsPerSecond;
        if (typeof r !== 'number' || !(r > 0))
            throw new RacewayConfigError('maxEventsPerSecond', `got ${JSON.stringify(r)}; accepted: a positive number, or Infinity for no budget`);
        c.maxEventsPerSecond = r;
    }
    for (const k of ['enabled', 'debug', 'handleExit']) {
        if (has(k)) {
            if (typeof i[k] !== 'boolean')
                throw new RacewayConfigError(k, `got ${JSON.stringify(i[k])}; accepted: true or false`);
            c[k] = i[k];
        }
    }
    if (has('propagation')) {
        if (!PROPAGATION.includes(i.propagation))
            throw new RacewayConfigError('propagation', `got ${JSON.stringify(i.propagation)}; accepted: ${PROPAGATION.map((p) => `"${p}"`).join(', ')}`);
        c.propagation = i.propagation;
    }
    if (has('apiKey'))
        c.apiKey = str('apiKey', i.apiKey, true);
    if (has('instanceId'))
        c.instanceId = str('instanceId', i.instanceId, true);
    if (has('tags')) {
        const t = i.tags;
        if (t === null || typeof t !== 'object' || Array.isArray(t) || !Object.values(t).every((v) => typeof v === 'string')) {
            throw new RacewayConfigError('tags', 'accepted: an object whose values are strings');
        }
        c.tags = { ...t };
    }
    if (c.batchSize > c.maxQueueSize) {
        throw new RacewayConfigError('batchSize', `${c.batchSize} exceeds maxQueueSize ${c.maxQueueSize}; accepted: at most maxQueueSize`);
    }
    return c;
}
//# sourceMappingURL=config.js.map