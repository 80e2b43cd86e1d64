// The Babel plugin's, the preset's and the register hooks' options: the shared schema, normaliser
// and file filter of protocol/options.ts (SPEC.md §6).
export {
  createFileFilter, DEFAULT_EXCLUDE, DEFAULT_INCLUDE, DEFAULT_RUNTIME, normalizeOptions, relativeFile, toPosix,
  type FileFilter, type NormalizedOptions, type RacewayOptions,
} from '../protocol/options';

/**
 * The @babel/core versions the plugin and the preset accept (`api.assertVersion`): Babel 7 and 8.
 * The plugin builds nodes with its own @babel/types and inserts the runtime import with
 * @babel/helper-module-imports; both produce the same AST shapes under Babel 7 and 8.
 */
export const BABEL_VERSIONS = '^7.20.0 || ^8.0.0';
