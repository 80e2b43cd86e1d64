/**
 * Whether the code TypeScript emits for a source file runs in strict mode, decided the way the
 * compiler decides whether to emit `"use strict"` (or an ES module, which is strict by itself):
 * the file is a module (imports/exports, `.mts`/`.cts`, `moduleDetection: "force"`), the
 * `alwaysStrict` option is on as this TypeScript version computes it, or the file starts with a
 * `"use strict"` directive. The write, delete and assignment-target hooks have a sloppy-mode form
 * (`wpSloppy`, …) that must be used exactly where the emitted code is sloppy: a strict-mode failed
 * write throws, a sloppy one is ignored.
 */
import type * as TS from 'typescript';

/** TypeScript's internal option helpers; present on the `ts` object though not in its typings. */
interface TsOptionInternals {
  getAlwaysStrict?: (options: TS.CompilerOptions) => boolean;
  getStrictOptionValue?: (options: TS.CompilerOptions, flag: string) => boolean;
}

/**
 * The effective `alwaysStrict`: TypeScript 5 takes it from `strict` when unset (default off);
 * TypeScript 6 makes it on unless set to `false` (`strict` no longer matters for it). The
 * compiler's own helper is used when this version has one, so the answer follows the compiler.
 */
export function alwaysStrictOption(ts: typeof TS, options: TS.CompilerOptions): boolean {
  const internals = ts as unknown as TsOptionInternals;
  if (typeof internals.getAlwaysStrict === 'function') return !!internals.getAlwaysStrict(options);
  const major = Number.parseInt(ts.versionMajorMinor, 10);
  if (major >= 6) return options.alwaysStrict !== false;
  if (typeof internals.getStrictOptionValue === 'function') return !!internals.getStrictOptionValue(options, 'alwaysStrict');
  return !!(options.alwaysStrict ?? options.strict);
}

/** `directives`: the file's leading string-literal expression statements (its directive prologue). */
export function emitsStrictCode(ts: typeof TS, sf: TS.SourceFile, options: TS.CompilerOptions, directives: readonly TS.Statement[]): boolean {
  return ts.isExternalModule(sf) || alwaysStrictOption(ts, options) || hasUseStrictDirective(ts, sf, directives);
}

/**
 * Whether a directive prologue (the leading string-literal statements of a file or function body)
 * holds `"use strict"`. Only the exact text counts, as in the language: `"use\x20strict"` is a
 * directive that does not make the code strict.
 */
export function hasUseStrictDirective(ts: typeof TS, sf: TS.SourceFile, stmts: readonly TS.Statement[]): boolean {
  for (const s of stmts) {
    if (!ts.isExpressionStatement(s) || !ts.isStringLiteral(s.expression)) return false;
    const lit = s.expression;
    const raw = lit.pos >= 0 && lit.end <= sf.text.length ? sf.text.slice(lit.getStart(sf) + 1, lit.end - 1) : lit.text;
    if (raw === 'use strict') return true;
  }
  return false;
}
