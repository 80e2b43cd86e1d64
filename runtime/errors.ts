/**
 * Error events: what an exception that reached Raceway (a request that failed, an invocation a value
 * was thrown out of) is recorded as, read without running any of the application's code.
 */
import { emit, type Task } from './context';
import { K, type Sink } from './record';
import { snapshot } from './serialize';
import { MAX_PROTO_CHAIN, peekData, tag } from './peek';
import { types } from 'node:util';

/** V8's own `stack` accessor (Node 21+ installs it on each error): calling it runs no program code but `Error.prepareStackTrace`. */
const V8_STACK_GETTER = Object.getOwnPropertyDescriptor(new Error(), 'stack')?.get;

/** An accessor for `key` on `o` or its prototypes (V8 reads `name` and `message` through them when it formats a stack). */
function hasAccessor(o: object, key: string): boolean {
  let n = 0;
  for (let p: object | null = o; p !== null && !types.isProxy(p); p = Object.getPrototypeOf(p) as object | null) {
    if (n++ > MAX_PROTO_CHAIN) return true; // too long to look at: taken as one that may run code
    const d = Object.getOwnPropertyDescriptor(p, key);
    if (d !== undefined) return !('value' in d);
  }
  return false;
}

/**
 * The stack text of an error, read as a data property or through V8's own accessor only, and only
 * when formatting it runs none of the application's code: no `Error.prepareStackTrace` installed,
 * `name` and `message` data properties (V8's formatting reads both).
 */
function stackOf(e: object): string | undefined {
  if (typeof (Error as { prepareStackTrace?: unknown }).prepareStackTrace === 'function' || hasAccessor(e, 'name') || hasAccessor(e, 'message')) return undefined;
  const d = Object.getOwnPropertyDescriptor(e, 'stack');
  if (d === undefined) return undefined;
  const v: unknown = 'value' in d ? d.value : d.get !== undefined && d.get === V8_STACK_GETTER ? d.get.call(e) : undefined;
  return typeof v === 'string' ? v : undefined;
}

/**
 * Records an Error event for `error` (any thrown value) in `task`. Reads no getter and runs no Proxy
 * trap of the application's: name and message as data properties, the type from the class.
 */
export function emitError(sink: Sink, task: Task, error: unknown): void {
  let type: string = typeof error;
  let message = '';
  let stack: string[] = [];
  if (error !== null && typeof error === 'object' && !types.isProxy(error)) {
    const name = peekData(error, 'name').value;
    const m = peekData(error, 'message').value;
    type = typeof name === 'string' && name !== '' ? name : tag(error);
    message = typeof m === 'string' ? m : '';
    const st = stackOf(error);
    if (st !== undefined) stack = st.split('\n').slice(1, 51).map((l) => l.trim());
  } else {
    message = String(snapshot(error));
  }
  emit(sink, task, K.Error, type, message, stack);
}
