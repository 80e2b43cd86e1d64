"use strict";
/**
 * Vector clocks, one component per task. A task's clock is an immutable `Clock` of the components it
 * has learned from others (`base`) plus its own counter, kept apart so that an event only stores two
 * references and a number: no copy per event. New bases are made only on fork and join.
 */
Object.defineProperty(exports, "__esModule", { value: true });
exports.Clock = void 0;
class Clock {
    pairs;
    constructor(pairs) {
        this.pairs = pairs;
    }
    static EMPTY = new Clock([]);
    /** This clock with `component` set to `counter` (used to freeze a task's full clock). */
    with(component, counter) {
        const out = [];
        let found = false;
        for (const p of this.pairs) {
            if (p[0] === component) {
                out.push([component, Math.max(p[1], counter)]);
                found = true;
            }
            else
                out.push(p);
        }
        if (!found)
            out.push([component, counter]);
        return new Clock(out);
    }
    /** Component-wise maximum of this clock and `other`, without the component `except`. */
    join(other, except) {
        if (other.pairs.length === 0)
            return this;
        const m = new Map(this.pairs);
        let changed = false;
        for (const [c, n] of other.pairs) {
            if (c === except)
                continue;
            const cur = m.get(c);
            if (cur === undefined || n > cur) {
                m.set(c, n);
                changed = true;
            }
        }
        return changed ? new Clock([...m]) : this;
    }
}
exports.Clock = Clock;
//# sourceMappingURL=clock.js.map