// `raceway/babel-plugin`: the Babel front end of fixtures/SPEC.md.
//
//   plugins: [["raceway/babel-plugin", { include, exclude, instrument, reads, writes, awaits, functions, runtimeModule }]]
//
// All the work happens in `Program: enter` (see instrument.ts for why), so the plugin composes with
// @babel/preset-typescript and @babel/preset-env in either order.
import { declare } from '@babel/helper-plugin-utils';
import { addNamespace } from '@babel/helper-module-imports';
import type { NodePath, PluginObj, PluginPass } from '@babel/core';
import * as t from '@babel/types';
import { Instrumenter } from './instrument';
import { createFileFilter, normalizeOptions, relativeFile, type NormalizedOptions, type RacewayOptions } from './options';

const done = new WeakSet<t.Node>();

function choosePrefix(code: string): string {
  for (let i = 0; ; i++) {
    const p = i === 0 ? '__rw_' : `__rw${i}_`;
    if (!code.includes(p)) return p;
  }
}

/**
 * True when the program already carries a module prologue: `ns.mod(token)` with `token` a function
 * declared in the module (the site table, SPEC §2), as this plugin and the transformer emit it.
 */
function alreadyInstrumented(program: t.Program): boolean {
  let token: string | null = null;
  for (const s of program.body) {
    if (s.type !== 'ExpressionStatement') continue;
    const e = s.expression;
    if (
      e.type === 'CallExpression' &&
      e.callee.type === 'MemberExpression' &&
      !e.callee.computed &&
      e.callee.property.type === 'Identifier' &&
      e.callee.property.name === 'mod' &&
      e.arguments.length === 1 &&
      e.arguments[0]!.type === 'Identifier'
    ) {
      token = e.arguments[0].name;
      break;
    }
  }
  if (token === null) return false;
  return program.body.some((s) => s.type === 'FunctionDeclaration' && s.id?.name === token);
}

function moduleIdOf(file: string): string {
  const slash = file.lastIndexOf('/');
  const dot = file.lastIndexOf('.');
  return dot > slash + 1 ? file.slice(0, dot) : file;
}

/** Registers the injected runtime import as a referenced value binding (never elided as type-only). */
function keepRuntimeImport(program: NodePath<t.Program>, name: string): void {
  let binding = program.scope.getBinding(name);
  if (binding && binding.path.node !== undefined && binding.referencePaths.length > 0) return;
  // Only the declaration's own path: `program.get('body')` would make (and scope) a path for every
  // top-level statement, the new prologue function included.
  const index = program.node.body.findIndex((s) =>
    (s.type === 'ImportDeclaration' && s.specifiers.some((x) => x.local.name === name)) ||
    (s.type === 'VariableDeclaration' && s.declarations.some((d) => d.id.type === 'Identifier' && d.id.name === name)));
  if (index < 0) return;
  const body = program.node.body;
  const decl: NodePath = (program.constructor as any)
    .get({ parentPath: program, parent: program.node, container: body, listKey: 'body', key: index })
    .setContext(program.context);
  if (!binding || binding.path.node === undefined) {
    program.scope.registerDeclaration(decl);
    binding = program.scope.getBinding(name);
  }
  if (binding && binding.referencePaths.length === 0) {
    const target = decl.isImportDeclaration() ? (decl.get('specifiers') as NodePath[])[0]! : decl;
    binding.reference(target);
  }
}

export function instrumentProgram(path: NodePath<t.Program>, state: PluginPass, opts: NormalizedOptions, scopeCache: WeakMap<t.Node, any> | null = null): boolean {
  const program = path.node;
  if (done.has(program)) return false;
  done.add(program);
  const fileOpts = state.file.opts as any;
  const root: string = opts.root ?? fileOpts.root ?? fileOpts.cwd ?? process.cwd();
  const filename: string | undefined = fileOpts.filename ?? undefined;
  if (filename && !createFileFilter(opts, root)(filename)) return false;
  if (alreadyInstrumented(program)) return false;
  const code: string = state.file.code ?? '';
  const file = filename ? relativeFile(root, filename) : 'unknown';
  const strict = program.sourceType === 'module' || program.directives.some((d) => d.value.value === 'use strict');

  const rw: t.Identifier = addNamespace(path, opts.runtimeModule, { nameHint: '__rw', importedInterop: 'compiled' });
  const inst = new Instrumenter(opts, { file, moduleId: moduleIdOf(file), code }, choosePrefix(code), rw, strict);
  inst.analyze(path, process.env.RACEWAY_BABEL_SCOPE_WALK ? null : scopeCache);
  const prologue = inst.run(program);

  // The prologue goes after the imports and after the injected runtime require/import.
  let at = 0;
  program.body.forEach((s, i) => {
    if (s.type === 'ImportDeclaration') at = i + 1;
    else if (
      s.type === 'VariableDeclaration' &&
      s.declarations.length === 1 &&
      s.declarations[0]!.id.type === 'Identifier' &&
      s.declarations[0]!.id.name === rw.name
    ) {
      at = Math.max(at, i + 1);
    }
  });
  program.body.splice(at, 0, ...prologue);
  // No re-crawl of the program scope (it would cost more than the instrumentation: the AST has
  // doubled). Later plugins keep Babel's binding information for the program's own bindings (the
  // same nodes, only moved into hook calls), and every declaration we add is a `var` with a
  // prefix that occurs nowhere in the source, so no uid Babel generates can collide with it. The
  // runtime import gets a registered, referenced binding so TypeScript's import elision keeps it.
  keepRuntimeImport(path, rw.name);
  if (process.env.RACEWAY_BABEL_CRAWL) path.scope.crawl();
  (state.file.metadata as any).raceway = { instrumented: true, file };
  return true;
}

export type { RacewayOptions };

const plugin = declare((api: any, options: RacewayOptions): PluginObj<PluginPass> => {
  api.assertVersion(7);
  const opts = normalizeOptions(options);
  return {
    name: 'raceway',
    visitor: {
      Program: {
        enter(path: NodePath<t.Program>, state: PluginPass) {
          instrumentProgram(path, state, opts, api.traverse?.cache?.scope ?? null);
        },
      },
    },
  };
});

// CommonJS consumers (Babel's loader, `require`) get the function itself; ES module consumers and
// `require(...).default` get it too.
export default plugin;
module.exports = Object.assign(plugin, { default: plugin, instrumentProgram });
