// `raceway/babel-plugin`: the Babel front end of fixtures/SPEC.md.
//
//   plugins: [["raceway/babel-plugin", { include, exclude, instrument, reads, writes, awaits, functions, runtimeModule }]]
//
// Every top-level statement is rewritten before any other plugin sees it (see instrument.ts for
// why): all of them in `Program: enter`, or, where no other plugin could see one first (`mayDefer`),
// each as Babel's traversal reaches it. So the plugin composes with @babel/preset-typescript and
// @babel/preset-env in either order.
import { declare } from '@babel/helper-plugin-utils';
import { addNamespace } from '@babel/helper-module-imports';
import type { NodePath, PluginObj, PluginPass } from '@babel/core';
import * as t from '@babel/types';
import { Instrumenter } from './instrument';
import { GENERATED_PREFIX, Hook } from '../protocol/hooks';
import { moduleIdOf } from '../protocol/sites';
import { BABEL_VERSIONS, createFileFilter, normalizeOptions, relativeFile, type NormalizedOptions, type RacewayOptions } from './options';

const done = new WeakSet<t.Node>();

function choosePrefix(code: string): string {
  for (let i = 0; ; i++) {
    const p = i === 0 ? GENERATED_PREFIX : `__rw${i}_`;
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
      e.callee.property.name === Hook.moduleStart &&
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

/** One program being instrumented (see `begin`). */
interface Session {
  inst: Instrumenter;
  program: t.Program;
  /** Top-level statements not yet rewritten. */
  pending: Set<t.Statement>;
}

/**
 * Starts instrumenting a program: the runtime import, scope analysis and the module prologue.
 * Returns null when the file is not instrumented (filtered out, or instrumented already).
 */
function begin(path: NodePath<t.Program>, state: PluginPass, opts: NormalizedOptions, scopeCache: WeakMap<t.Node, any> | null): Session | null {
  const program = path.node;
  if (done.has(program)) return null;
  done.add(program);
  const fileOpts = state.file.opts as any;
  const root: string = opts.root ?? fileOpts.root ?? fileOpts.cwd ?? process.cwd();
  const filename: string | undefined = fileOpts.filename ?? undefined;
  if (filename && !createFileFilter(opts, root)(filename)) return null;
  if (alreadyInstrumented(program)) return null;
  const code: string = state.file.code ?? '';
  const file = filename ? relativeFile(root, filename) : 'unknown';
  const strict = program.sourceType === 'module' || program.directives.some((d) => d.value.value === 'use strict');

  const original = new Set(program.body);
  const rw: t.Identifier = addNamespace(path, opts.runtimeModule, { nameHint: '__rw', importedInterop: 'compiled' });
  const inst = new Instrumenter(opts, { file, moduleId: moduleIdOf(file), code }, choosePrefix(code), rw, strict);
  inst.analyze(path, process.env.RACEWAY_BABEL_SCOPE_WALK ? null : scopeCache);

  // The prologue goes after the leading imports and the injected runtime require/import, before
  // the first other statement: that statement may already use the hooks, and an import written
  // after it is hoisted anyway (`var keys = Object.keys; import y from "./y"`).
  const isRuntime = (s: t.Statement) =>
    s.type === 'VariableDeclaration' && s.declarations.length === 1 &&
    s.declarations[0]!.id.type === 'Identifier' && s.declarations[0]!.id.name === rw.name;
  let at = 0;
  while (at < program.body.length && (program.body[at]!.type === 'ImportDeclaration' || isRuntime(program.body[at]!))) at++;
  const runtimeAt = program.body.findIndex(isRuntime);
  if (runtimeAt >= at) at = runtimeAt + 1;
  program.body.splice(at, 0, ...inst.begin(program));
  // No re-crawl of the program scope (it would cost more than the instrumentation: the AST has
  // doubled). Later plugins keep Babel's binding information for the program's own bindings (the
  // same nodes, only moved into hook calls), and every declaration we add is a `var` with a
  // prefix that occurs nowhere in the source, so no uid Babel generates can collide with it. The
  // runtime import gets a registered, referenced binding so TypeScript's import elision keeps it.
  keepRuntimeImport(path, rw.name);
  (state.file.metadata as any).raceway = { instrumented: true, file };
  return { inst, program, pending: original };
}

/** Rewrites the statements still pending and completes the prologue. */
function finish(path: NodePath<t.Program>, session: Session): void {
  for (const s of session.pending) session.inst.statement(s);
  session.pending.clear();
  session.inst.finish(session.program);
  if (process.env.RACEWAY_BABEL_CRAWL) path.scope.crawl();
}

export function instrumentProgram(path: NodePath<t.Program>, state: PluginPass, opts: NormalizedOptions, scopeCache: WeakMap<t.Node, any> | null = null): boolean {
  const session = begin(path, state, opts, scopeCache);
  if (!session) return false;
  finish(path, session);
  return true;
}

/**
 * Plugins whose `Program` enter visitor may run after ours while top-level statements are still
 * pending, known not to rewrite those statements: TypeScript (removes imports and declarations
 * that are never instrumented), explicit resource management (moves top-level statements into a
 * block: they stay pending by identity), typeof-symbol (renames a `Symbol` binding: names in site
 * records come from the source, see `nameOf`), dynamic import (checks only) and the async-generator
 * pass, whose rewrites `asyncIteration` finds beforehand.
 */
const KNOWN_PROGRAM_ENTER = new Set([
  'transform-typescript',
  'transform-explicit-resource-management',
  'transform-typeof-symbol',
  'transform-dynamic-import',
  'transform-async-generator-functions',
]);

const STATEMENTS = new Set<string>(t.FLIPPED_ALIAS_KEYS.Statement);

/**
 * Whether top-level statements may be rewritten as Babel's traversal reaches them rather than all
 * in `Program` enter: only when no other plugin of the pass can see one of them before us. Plugins
 * before ours (user plugins run before presets) would see a statement first if they visit
 * statements or `Program` on enter; plugins after ours only in their `Program` enter, as the
 * merged visitor calls ours first on every node. (What preset-env's plugins do while visiting a
 * statement reaches into later ones only by renaming a binding, see `nameOf` in instrument.ts, or
 * by making an assignment to a `const`, which is never recorded, throw.)
 */
function mayDefer(state: PluginPass): boolean {
  const plugins: any[] = (state.file.opts as any).plugins ?? [];
  const self = plugins.findIndex((p) => p.key === (state as any).key);
  if (self < 0) return false;
  return plugins.every((p, i) => {
    if (i === self) return true;
    const v = p.visitor ?? {};
    if (v.enter || v.exit) return false; // a visitor for every node
    const programEnter = !!v.Program?.enter?.length;
    if (i > self) return !programEnter || KNOWN_PROGRAM_ENTER.has(p.key);
    return !programEnter && !Object.keys(v).some((k) => STATEMENTS.has(k) && v[k].enter?.length);
  });
}

/** Does this statement contain what preset-env's async-generator pass rewrites in its `Program` enter? */
function asyncIteration(s: t.Statement, code: string): boolean {
  if (s.start != null && s.end != null && !code.slice(s.start, s.end).includes('async')) return false;
  let found = false;
  const visit = (n: any, inAsync: boolean): void => {
    if (found || !n || typeof n.type !== 'string') return;
    if (t.isFunction(n)) {
      if (n.async && n.generator) {
        found = true;
        return;
      }
      inAsync = !!n.async;
    } else if (n.type === 'ForOfStatement' && n.await && inAsync) {
      found = true;
      return;
    }
    for (const key of t.VISITOR_KEYS[n.type] ?? []) {
      const v = n[key];
      if (Array.isArray(v)) for (const x of v) visit(x, inAsync);
      else if (v && typeof v === 'object') visit(v, inAsync);
    }
  };
  visit(s, false);
  return found;
}

export type { RacewayOptions };

const SESSION = Symbol('raceway session');

const plugin = declare((api: any, options: RacewayOptions): PluginObj<PluginPass> => {
  api.assertVersion(BABEL_VERSIONS);
  const opts = normalizeOptions(options);
  return {
    name: 'raceway',
    visitor: {
      Program: {
        enter(path: NodePath<t.Program>, state: PluginPass) {
          const session = begin(path, state, opts, api.traverse?.cache?.scope ?? null);
          if (!session) return;
          if (!mayDefer(state)) return finish(path, session);
          (state.file.metadata as any).raceway.deferred = true;
          // Rewriting a statement when the traversal reaches it, rather than all of them now, keeps
          // the program small while the plugins lower the statements before it: preset-env's
          // destructuring pass re-crawls the whole program for every top-level destructuring
          // declaration (`const { a } = require(…)`), and each crawl visits every node it holds.
          const code: string = state.file.code ?? '';
          for (const s of session.pending) {
            if (asyncIteration(s, code)) {
              session.inst.statement(s);
              session.pending.delete(s);
            }
          }
          (state as any)[SESSION] = session;
        },
        exit(path: NodePath<t.Program>, state: PluginPass) {
          const session: Session | undefined = (state as any)[SESSION];
          if (!session) return;
          (state as any)[SESSION] = undefined;
          finish(path, session); // statements the traversal did not reach (removed, skipped) included
        },
      },
      Statement(path: NodePath<t.Statement>, state: PluginPass) {
        const session: Session | undefined = (state as any)[SESSION];
        // Ours is the first visitor called on the statement (see `mayDefer`).
        if (session !== undefined && session.pending.delete(path.node)) session.inst.statement(path.node);
      },
    },
  };
});

// CommonJS consumers (Babel's loader, `require`) get the function itself; ES module consumers and
// `require(...).default` get it too.
export default plugin;
module.exports = Object.assign(plugin, { default: plugin, instrumentProgram });
