/**
 * The set of stored event ids, for duplicate filtering. Ids in lower-case canonical UUID form (all
 * the runtime sends) are kept as four 32-bit words in an open-addressing table: no string is
 * allocated or hashed per id, and an id costs 16 bytes (plus slack) instead of a heap string. Any
 * other id string (upper-case hex digits) goes to a plain Set, so ids are compared exactly as
 * strings, as before: "A..." and "a..." stay different ids.
 */

const HEXVAL = new Int8Array(128).fill(-1);
for (let c = 48; c <= 57; c++) HEXVAL[c] = c - 48;
for (let c = 97; c <= 102; c++) HEXVAL[c] = c - 87;

/**
 * Writes the four words of a lower-case canonical UUID (`8-4-4-4-12` hex digits) to `out[at..at+3]`;
 * false (and `out` unspecified) for any other string.
 */
export function idWords(id: string, out: Int32Array, at: number): boolean {
  if (id.length !== 36) return false;
  let word = 0;
  let digits = 0;
  for (let i = 0; i < 36; i++) {
    const c = id.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 45) return false;
      continue;
    }
    const v = c < 128 ? HEXVAL[c]! : -1;
    if (v < 0) return false;
    word = (word << 4) | v;
    if (++digits === 8) {
      out[at++] = word;
      word = 0;
      digits = 0;
    }
  }
  return true;
}

const hex = (w: number): string => (w >>> 0).toString(16).padStart(8, '0');

/** The canonical string of four id words. */
export function idString(w: Int32Array, at: number): string {
  const a = hex(w[at]!);
  const b = hex(w[at + 1]!);
  const c = hex(w[at + 2]!);
  return `${a}-${b.slice(0, 4)}-${b.slice(4)}-${c.slice(0, 4)}-${c.slice(4)}${hex(w[at + 3]!)}`;
}

const EMPTY = 0;
const USED = 1;
const DELETED = 2;

export class IdSet {
  private keys = new Int32Array(4 * 65536);
  private state = new Uint8Array(65536);
  private mask = 65535;
  /** Slots not EMPTY (used or deleted): the table grows when they pass 1/2. */
  private filled = 0;
  private words = 0;
  private readonly odd = new Set<string>();
  private readonly scratch = new Int32Array(4);

  get size(): number {
    return this.words + this.odd.size;
  }

  private slot(w: Int32Array, at: number): number {
    let h = Math.imul(w[at + 3]! ^ Math.imul(w[at + 2]!, 0x9e3779b1) ^ Math.imul(w[at + 1]!, 0x85ebca6b) ^ Math.imul(w[at]!, 0xc2b2ae35), 0x27d4eb2f);
    h ^= h >>> 15;
    let i = h & this.mask;
    const { keys, state } = this;
    for (;;) {
      const st = state[i]!;
      if (st === EMPTY) return i;
      if (st === USED) {
        const k = i * 4;
        if (keys[k] === w[at] && keys[k + 1] === w[at + 1] && keys[k + 2] === w[at + 2] && keys[k + 3] === w[at + 3]) return i;
      }
      i = (i + 1) & this.mask;
    }
  }

  /** Rehashes into a table twice the size (or the same size when mostly tombstones). */
  private grow(): void {
    const { keys, state } = this;
    const cap = (this.mask + 1) * (this.words * 4 > this.mask ? 2 : 1);
    this.keys = new Int32Array(cap * 4);
    this.state = new Uint8Array(cap);
    this.mask = cap - 1;
    this.filled = this.words;
    const next = this.keys;
    for (let i = 0; i < state.length; i++) {
      if (state[i] !== USED) continue;
      const k = i * 4;
      const j = this.slot(keys, k) * 4;
      next[j] = keys[k]!;
      next[j + 1] = keys[k + 1]!;
      next[j + 2] = keys[k + 2]!;
      next[j + 3] = keys[k + 3]!;
      this.state[j / 4] = USED;
    }
  }

  /** Adds one id given as words; false when it was there already. */
  private addWordsAt(w: Int32Array, at: number): boolean {
    if ((this.filled + 1) * 2 > this.mask + 1) this.grow();
    const i = this.slot(w, at);
    if (this.state[i] === USED) return false;
    const k = i * 4;
    this.keys[k] = w[at]!;
    this.keys[k + 1] = w[at + 1]!;
    this.keys[k + 2] = w[at + 2]!;
    this.keys[k + 3] = w[at + 3]!;
    this.state[i] = USED;
    this.filled++;
    this.words++;
    return true;
  }

  private deleteWordsAt(w: Int32Array, at: number): void {
    const i = this.slot(w, at);
    if (this.state[i] !== USED) return;
    // A tombstone keeps the probe chains of later keys intact.
    this.state[i] = DELETED;
    this.words--;
  }

  has(id: string): boolean {
    return idWords(id, this.scratch, 0) ? this.state[this.slot(this.scratch, 0)] === USED : this.odd.has(id);
  }

  /** Adds one id; false when it was there already. */
  add(id: string): boolean {
    if (idWords(id, this.scratch, 0)) return this.addWordsAt(this.scratch, 0);
    if (this.odd.has(id)) return false;
    this.odd.add(id);
    return true;
  }

  delete(id: string): void {
    if (idWords(id, this.scratch, 0)) this.deleteWordsAt(this.scratch, 0);
    else this.odd.delete(id);
  }

  /**
   * Adds a batch's ids (as prepared: words plus odd strings) all or nothing: false, adding none,
   * when any is already stored or repeated within the batch.
   */
  addBatch(words: Int32Array, odd: readonly string[]): boolean {
    const n = words.length / 4;
    for (let i = 0; i < n; i++) {
      if (!this.addWordsAt(words, i * 4)) {
        for (let j = 0; j < i; j++) this.deleteWordsAt(words, j * 4);
        return false;
      }
    }
    for (let i = 0; i < odd.length; i++) {
      if (this.odd.has(odd[i]!)) {
        for (let j = 0; j < i; j++) this.odd.delete(odd[j]!);
        for (let j = 0; j < n; j++) this.deleteWordsAt(words, j * 4);
        return false;
      }
      this.odd.add(odd[i]!);
    }
    return true;
  }

  /** Removes a batch's ids again (its write failed). */
  deleteBatch(words: Int32Array, odd: readonly string[]): void {
    for (let i = 0; i < words.length; i += 4) this.deleteWordsAt(words, i);
    for (const id of odd) this.odd.delete(id);
  }

  /** Adds the ids of a stored batch at start-up (no duplicate check needed). */
  addStored(words: Int32Array): void {
    for (let i = 0; i < words.length; i += 4) this.addWordsAt(words, i);
  }
}
