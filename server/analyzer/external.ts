/**
 * Which variables name state outside the processes that access them. Processes share no memory: a
 * variable the instrumentation names (`accounts.alice.balance`, `ctx.body`, `Queue#2.size`) is an
 * object of one process, and the same name in another process, of the same service or another, is
 * another object. State that several processes or services really share — a database row, a cache
 * entry, a file — is reported through the manual API under a name with a store prefix:
 * `db:accounts.alice.balance`, `redis:session.42`. The prefix (a word followed by `:`) is never
 * the start of a name the instrumentation gives, which begins with the source text of an
 * expression.
 */
const EXTERNAL = /^[A-Za-z][\w-]*:/;

/** True when `variable` names state outside the processes (see above): accesses from different processes are compared. */
export function namesExternalState(variable: string): boolean {
  return EXTERNAL.test(variable);
}
