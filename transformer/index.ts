/**
 * raceway/transformer — TypeScript transformer that instruments programs for Raceway
 * (see fixtures/SPEC.md).
 *
 * - ts-patch: `"plugins": [{ "transform": "raceway/transformer", ...options }]` in tsconfig.json
 *   (default export, a program transformer).
 * - `ts.transpileModule(src, { transformers: { before: [createRacewayTransformer(options)] } })`,
 *   ts-loader `getCustomTransformers`, any `customTransformers.before`.
 * - ts-jest `astTransformers: { before: [{ path: "raceway/transformer", options }] }` (`factory`).
 */
import type * as TS from 'typescript';
import * as path from 'node:path';
import { resolveOptions, validateOptions, type NormalizedOptions, type RacewayTransformerOptions } from './options';
import { instrumentFile } from './instrument';

export type { RacewayTransformerOptions } from './options';

export interface TransformerExtras {
  ts?: typeof TS;
  addDiagnostic?: (diag: TS.Diagnostic) => number | void;
}

/** Diagnostic code for "this file could not be instrumented and was emitted unchanged". */
export const RACEWAY_DIAGNOSTIC_CODE = 990001;

function loadTs(ts?: typeof TS): typeof TS {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return assertTransformerApi(ts ?? (require('typescript') as typeof TS));
}

/**
 * TypeScript 7 (the native compiler) has no JavaScript transformer API: its `typescript` module
 * exports little more than `version`, and its `tsc` runs no plugins. A build through it would be
 * silently uninstrumented, so the factory refuses it with one line that says what to do instead.
 */
export class UnsupportedTypeScriptError extends Error {
  constructor(version: string) {
    super(`raceway/transformer: TypeScript ${version} has no transformer API, so it cannot instrument; ` +
      'type-check with tsc and build with Babel (presets: ["raceway/babel"]) or run with node --import raceway/register, ' +
      'or build with TypeScript 5.x/6.0 (see "TypeScript 7" in the raceway README)');
    this.name = 'UnsupportedTypeScriptError';
    // The message is the whole report: no stack trace into the compiler under it.
    this.stack = `${this.name}: ${this.message}`;
  }
}

export function assertTransformerApi(ts: typeof TS): typeof TS {
  const api = ts as Partial<typeof TS> | undefined;
  if (!api || typeof api.visitEachChild !== 'function' || typeof api.isSourceFile !== 'function' || typeof api.factory !== 'object') {
    throw new UnsupportedTypeScriptError(typeof api?.version === 'string' ? api.version : 'without a version');
  }
  return ts;
}

/** A `before` transformer factory, usable with transpileModule, ts-loader and customTransformers. */
export function createRacewayTransformer(options: RacewayTransformerOptions = {}, tsArg?: typeof TS, extras?: TransformerExtras): TS.TransformerFactory<TS.SourceFile> {
  const ts = loadTs(tsArg ?? extras?.ts);
  // TypeScript calls the factory once per emitted file: options (and their compiled globs) are
  // normalised once per project root.
  const valid = validateOptions(options);
  const normalized = new Map<string, NormalizedOptions>();
  return (tctx) => {
    const co = tctx.getCompilerOptions();
    const defaultRoot = typeof co.configFilePath === 'string' ? path.dirname(co.configFilePath) : process.cwd();
    let opts = normalized.get(defaultRoot);
    if (opts === undefined) normalized.set(defaultRoot, opts = resolveOptions(valid, defaultRoot));
    return (sf) => {
      if (!ts.isSourceFile(sf) || sf.isDeclarationFile || !opts.shouldInstrument(sf.fileName)) return sf;
      try {
        return instrumentFile(ts, tctx, sf, opts);
      } catch (err) {
        const message = `raceway: could not instrument ${opts.relative(sf.fileName)}; emitted it uninstrumented: ${err instanceof Error ? err.stack ?? err.message : String(err)}`;
        if (opts.onError) opts.onError(sf.fileName, err);
        if (extras?.addDiagnostic) {
          extras.addDiagnostic({ category: ts.DiagnosticCategory.Warning, code: RACEWAY_DIAGNOSTIC_CODE, file: sf, start: 0, length: 0, messageText: message });
        } else if (!opts.onError) {
          process.emitWarning(message);
        }
        return sf;
      }
    };
  };
}

/** Keys of a ts-patch plugin entry that configure ts-patch itself, not the transformer. */
const TS_PATCH_KEYS = ['transform', 'import', 'type', 'after', 'afterDeclarations', 'transformProgram', 'isEsm', 'resolvePathAliases', 'tsConfig', 'name'];

/** ts-patch program transformer: `{ "transform": "raceway/transformer" }`. */
export default function racewayTransformer(program: TS.Program | undefined, config?: RacewayTransformerOptions & Record<string, unknown>, extras?: TransformerExtras) {
  const ts = loadTs(extras?.ts);
  const co = program?.getCompilerOptions();
  const root = config?.root ?? (typeof co?.configFilePath === 'string' ? path.dirname(co.configFilePath) : program?.getCurrentDirectory() ?? process.cwd());
  const opts: Record<string, unknown> = { ...config };
  for (const key of TS_PATCH_KEYS) delete opts[key];
  return { before: [createRacewayTransformer({ ...(opts as RacewayTransformerOptions), root }, ts, extras)] };
}

export { racewayTransformer };

/** ts-jest AST transformer entry points. */
export const name = 'raceway-transformer';
export const version = 1;
export function factory(tsCompiler: { configSet?: { compilerModule?: typeof TS } } | undefined, options?: RacewayTransformerOptions) {
  return createRacewayTransformer(options, tsCompiler?.configSet?.compilerModule);
}
