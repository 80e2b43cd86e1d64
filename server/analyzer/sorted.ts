/** Ascending number lists: the analyzer's timestamps of awaits, job starts, events and errors. */

/** How many of the first `n` values of ascending `sorted` are below `x` (the first position not below it). */
export function lowerBound(sorted: ArrayLike<number>, x: number, n = sorted.length): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** How many of the first `n` values of ascending `sorted` are at most `x`. */
export function upperBound(sorted: ArrayLike<number>, x: number, n = sorted.length): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Inserts `x` into ascending `list`, after the values equal to it. */
export function insertAscending(list: number[], x: number): void {
  let i = list.length;
  list.push(x);
  while (i > 0 && list[i - 1]! > x) {
    list[i] = list[i - 1]!;
    i--;
  }
  list[i] = x;
}
