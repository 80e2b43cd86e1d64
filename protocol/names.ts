/**
 * Naming rules both front ends apply (fixtures/SPEC.md §2, §3, §5): static keys, the baseName hints
 * of accessed objects, qualified function names, and when a wrapped value keeps its name.
 */

/** The name of a function, class or object literal that gets none from where it is defined. */
export const ANONYMOUS = '<anonymous>';
/** A member whose key is computed at run time (`{ [k]() {} }` is `obj.<computed>`). */
export const COMPUTED = '<computed>';
/** The hint of an object expression that is not a name, member, call or `new`. */
export const OTHER_EXPRESSION = '<expr>';
/** What `this` is called where no class or named object literal owns it. */
export const THIS = 'this';

/** A key written as a dotted member in hints (`a.b`); any other string key is bracketed (`a["b-c"]`). */
export const IDENTIFIER_NAME = /^[A-Za-z_$][\w$]*$/;

/** The canonical text of an array index (`0`, `12`; not `01` or `1.0`). */
export const ARRAY_INDEX = /^(0|[1-9]\d*)$/;

/**
 * The static key of a numeric member key (`a[0]`): canonical non-negative safe integers only, so the
 * key the runtime uses is the property the program accesses. Undefined for any other number.
 */
export function staticIndex(value: number): number | undefined {
  return Number.isSafeInteger(value) && ARRAY_INDEX.test(String(value)) ? value : undefined;
}

/** The hint of `base[key]` for a string key: `base.key`, or `base["key"]` when it is no identifier. */
export function memberHint(base: string, key: string): string {
  return base + (IDENTIFIER_NAME.test(key) ? '.' + key : '[' + JSON.stringify(key) + ']');
}

/** `owner.member`, where an owner without a name reads `<anonymous>`. */
export function qualifiedName(owner: string | null | undefined, member: string): string {
  return (owner ?? ANONYMOUS) + '.' + member;
}

/** What a function body's declarations look like to `hoistingConflict`; the front end walks its own AST. */
export interface BodyDeclarations {
  /** The body's own top-level function declarations (labelled ones too), one name per declaration. */
  functions: readonly string[];
  /** The names the parameter list binds. */
  params(): readonly string[];
  /**
   * Calls `found` for every nested function declaration (`'function'`, not the top-level ones) and
   * `var`-declared name (`'var'`) of the body outside nested functions and classes, until it returns true.
   */
  nested(found: (kind: 'function' | 'var', name: string) => boolean): void;
}

/**
 * Whether wrapping a function body in `try {}` (SPEC §3) breaks its top-level function declarations,
 * which become block-level there: a SyntaxError when the body also declares the name with `var` or
 * (strict code) declares the function twice; in sloppy code a same-named function of a nested block
 * would no longer replace it (Annex B.3.3), nor would it replace a same-named parameter's value
 * (which the mapped `arguments` object shows). Such functions get no frame rather than a broken body.
 */
export function hoistingConflict(body: BodyDeclarations, strict: boolean): boolean {
  if (body.functions.length === 0) return false;
  const names = new Set(body.functions);
  if (strict && names.size < body.functions.length) return true;
  if (!strict && body.params().some((p) => names.has(p))) return true;
  let conflict = false;
  body.nested((kind, name) => {
    if (names.has(name) && (kind === 'var' || !strict)) conflict = true;
    return conflict;
  });
  return conflict;
}
