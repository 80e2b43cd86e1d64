/**
 * Many small lists of numbers (a task's awaits, its variables, its children; a trace's batches)
 * kept in a few typed arrays instead of one JS array each: the index holds one list per task and
 * per request, hundreds of thousands of them, and as JS arrays they were most of the heap the
 * garbage collector had to walk again and again. A list is known by the index of its newest node
 * (-1: empty); nodes link to older ones, so a list reads newest first.
 */

export const EMPTY_LIST = -1;

/** The nodes: values in a typed array of `V`, links to older nodes in `next`. */
class LinkedLists<V extends Int32Array | Float64Array> {
  protected val: V;
  protected next: Int32Array;
  private n = 0;

  constructor(private readonly make: (len: number) => V, capacity: number) {
    this.val = make(capacity);
    this.next = new Int32Array(capacity);
  }

  /** Adds `v` in front of the list that starts at `head`; returns the new head. */
  push(head: number, v: number): number {
    if (this.n === this.val.length) {
      const val = this.make(this.n * 2);
      val.set(this.val);
      this.val = val;
      this.next = growInt(this.next, this.n * 2, 0);
    }
    const i = this.n++;
    this.val[i] = v;
    this.next[i] = head;
    return i;
  }

  /** The values, newest first. */
  protected values(head: number): number[] {
    const out: number[] = [];
    for (let i = head; i >= 0; i = this.next[i]!) out.push(this.val[i]!);
    return out;
  }
}

export class IntLists extends LinkedLists<Int32Array> {
  constructor(capacity = 1024) {
    super((len) => new Int32Array(len), capacity);
  }

  /** True when one of the first `depth` values from `head` is `v`. */
  hasNear(head: number, v: number, depth: number): boolean {
    for (let i = head, d = 0; i >= 0 && d < depth; i = this.next[i]!, d++) if (this.val[i] === v) return true;
    return false;
  }

  /** Calls `f` with every value, newest first. */
  forEach(head: number, f: (v: number) => void): void {
    for (let i = head; i >= 0; i = this.next[i]!) f(this.val[i]!);
  }

  /** The values, oldest first. */
  toArray(head: number): number[] {
    return this.values(head).reverse();
  }
}

/** Lists of doubles (timestamps), the same way. */
export class FloatLists extends LinkedLists<Float64Array> {
  constructor(capacity = 1024) {
    super((len) => new Float64Array(len), capacity);
  }

  /** The values in ascending order. */
  sorted(head: number): number[] {
    // Newest first is nearly always descending already.
    const out = this.values(head).reverse();
    for (let i = 1; i < out.length; i++) {
      if (out[i - 1]! > out[i]!) {
        out.sort((a, b) => a - b);
        break;
      }
    }
    return out;
  }
}

/** A copy of `a` with room for `len` entries, the new ones set to `fill`. */
export function growInt(a: Int32Array, len: number, fill: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(len);
  b.set(a);
  if (fill !== 0) b.fill(fill, a.length);
  return b;
}

export function growFloat(a: Float64Array, len: number, fill: number): Float64Array<ArrayBuffer> {
  const b = new Float64Array(len);
  b.set(a);
  if (fill !== 0) b.fill(fill, a.length);
  return b;
}
