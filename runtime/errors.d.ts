/**
 * Error events: what an exception that reached Raceway (a request that failed, an invocation a value
 * was thrown out of) is recorded as, read without running any of the application's code.
 */
import { type Task } from './context';
import { type Sink } from './record';
/**
 * Records an Error event for `error` (any thrown value) in `task`. Reads no getter and runs no Proxy
 * trap of the application's: name and message as data properties, the type from the class.
 */
export declare function emitError(sink: Sink, task: Task, error: unknown): void;
//# sourceMappingURL=errors.d.ts.map