/**
 * The instrumentation protocol: what the front ends emit, the runtime executes and the server
 * receives. Hooks (hooks.ts), site tables (sites.ts), naming rules (names.ts), front-end options
 * (options.ts), and the Raceway event schema (events.ts, schema.ts).
 */
export * from './hooks';
export * from './sites';
export * from './names';
export * from './options';
export type * from './events';
export { EVENT_KIND_NAMES } from './events';
export { validateEvent, isValidEvent } from './schema';
