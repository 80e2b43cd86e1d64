/**
 * Vector clocks, one component per task. A task's clock is an immutable `Clock` of the components it
 * has learned from others (`base`) plus its own counter, kept apart so that an event only stores two
 * references and a number: no copy per event. New bases are made only on fork and join.
 */
export type ClockPair = readonly [component: string, counter: number];
export declare class Clock {
    readonly pairs: readonly ClockPair[];
    constructor(pairs: readonly ClockPair[]);
    static readonly EMPTY: Clock;
    /** This clock with `component` set to `counter` (used to freeze a task's full clock). */
    with(component: string, counter: number): Clock;
    /** Component-wise maximum of this clock and `other`, without the component `except`. */
    join(other: Clock, except: string): Clock;
}
//# sourceMappingURL=clock.d.ts.map