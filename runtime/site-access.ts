/**
 * Property accesses with a static key (`a.b = v`, `a.b`), compiled once per hot access site.
 *
 * A hook shared by every site of the program makes one megamorphic keyed access: V8 then misses its
 * inline caches and takes the runtime's generic path, which for an accessor property (Koa's
 * `ctx.body = …`, `ctx.status`, `ctx.request`) costs ~100 ns against ~15 ns for the same access in
 * the original code, whose access site had an inline cache of its own. A tiny function per site
 * gives the access its own inline cache again. Only sites used `HOT` times are compiled, so code run
 * once (module initialisation) costs no memory. Where code generation from strings is disallowed
 * (`--disallow-code-generation-from-strings`), every access stays generic.
 */

export type Getter = (o: unknown) => unknown;
export type Setter = (o: unknown, k: PropertyKey, v: unknown) => void;
export type Deleter = (o: unknown, k: PropertyKey) => boolean;

const enum Kind { Get = 0, Set = 1, SetSloppy = 2 }
const KINDS = 3;
/** Uses of a site before it gets its own function. */
const HOT = 8;
/** Marks a site whose function could not be made: it is never tried again. */
const NEVER = -Infinity;

let codegen = true;

function make(kind: Kind, key: string | number): Getter | Setter | null {
  if (!codegen) return null;
  // A JSON string literal is a JavaScript string literal; a number key is written as a number
  // literal, which names the same property (`o[1e+21]` is `o["1e+21"]`).
  const k = typeof key === 'number' ? (Object.is(key, -0) ? '0' : String(key)) : JSON.stringify(key);
  try {
    if (kind === Kind.Get) return new Function('o', `"use strict"; return o[${k}];`) as Getter;
    // The store runs in code of the program's strictness: a failed write throws only in strict code.
    if (kind === Kind.Set) return new Function('o', '_', 'v', `"use strict"; o[${k}] = v;`) as Setter;
    return new Function('o', '_', 'v', `o[${k}] = v;`) as Setter;
  } catch {
    codegen = false;
    return null;
  }
}

/** The compiled accessors of one module's access sites, by site id. */
export class SiteAccessors {
  /**
   * Per site and kind: a use count until the site is hot, then its function. Allocated for every
   * site up front, so that a module's high site ids do not make it a sparse (dictionary) array.
   */
  private readonly slots: (number | Getter | Setter | undefined)[];
  /** `keyOf(id)`: the static key of site `id`, asked for only when the site is compiled. */
  constructor(sites: number, private readonly keyOf: (id: number) => string | number) {
    this.slots = new Array<number | Getter | Setter | undefined>(Math.max(0, sites | 0) * KINDS).fill(0);
  }

  /** `o => o.key` for site `id`, or null while the site is cold (use the generic access). */
  getter(id: number): Getter | null {
    const s = this.slots[id * KINDS];
    return typeof s === 'function' ? s as Getter : this.warm(id, Kind.Get) as Getter | null;
  }

  /** `(o, _, v) => { o.key = v }` for site `id` in strict or sloppy code, or null while cold. */
  setter(id: number, sloppy: boolean): Setter | null {
    const s = this.slots[id * KINDS + (sloppy ? Kind.SetSloppy : Kind.Set)];
    return typeof s === 'function' ? s as Setter : this.warm(id, sloppy ? Kind.SetSloppy : Kind.Set) as Setter | null;
  }

  private warm(id: number, kind: Kind): Getter | Setter | null {
    const i = id * KINDS + kind;
    const s = this.slots[i];
    const n = (typeof s === 'number' ? s : 0) + 1;
    if (n < HOT) {
      this.slots[i] = n;
      return null;
    }
    const fn = make(kind, this.keyOf(id));
    this.slots[i] = fn ?? NEVER;
    return fn;
  }
}

// Generic accesses, for dynamic keys and cold sites. The store and delete run in code of the
// program's own strictness: a failed write or delete throws in strict code and is silently ignored
// in sloppy code, exactly as in the original.

export const strictSet: Setter = (o, k, v) => { (o as Record<PropertyKey, unknown>)[k] = v; };
export const strictDelete: Deleter = (o, k) => delete (o as Record<PropertyKey, unknown>)[k];

function sloppy<T>(source: () => T, fallback: T): T {
  try { return source(); } catch { return fallback; }
}

/** Sloppy `o[k] = v`: without code generation, `Reflect.set` (a failed write returns false, ignored). */
export const sloppySet: Setter = sloppy(
  () => new Function('o', 'k', 'v', 'o[k] = v;') as Setter,
  (o, k, v) => {
    if (o === null || o === undefined) return strictSet(o, k, v); // the TypeError sloppy code throws too
    Reflect.set(Object(o) as object, k, v, o);
  },
);

/** Sloppy `delete o[k]`: without code generation, `Reflect.deleteProperty` (false instead of a throw). */
export const sloppyDelete: Deleter = sloppy(
  () => new Function('o', 'k', 'return delete o[k];') as Deleter,
  (o, k) => (o === null || o === undefined ? strictDelete(o, k) : Reflect.deleteProperty(Object(o) as object, k)),
);
