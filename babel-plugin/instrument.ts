// The Babel front end of fixtures/SPEC.md: rewrites one Program so that function entries, awaits,
// reads and writes of shared state call the hooks of `raceway/runtime`.
//
// Design (see node20-toolchain.md, "Babel 7"):
// * Each top-level statement is rewritten before any other plugin of the merged traversal has
//   touched it (in the plugin's `Program: enter`, or as the traversal reaches the statement, see
//   plugin.ts), so preset-env / preset-typescript always see the original shapes and then lower
//   *our* output, in whatever order the user listed the presets.
// * Scope analysis is Babel's own: every binding's `referencePaths` / `constantViolations` decide
//   which identifiers are shared (SPEC §4.1). The rewrite itself is a single recursive pass over the
//   raw nodes with explicit roles (value / base / callee / target), so nothing is re-queued and no
//   generated node is ever visited again by us; generated nodes carry no `loc`.
// * Nothing is re-crawled afterwards (see plugin.ts): later plugins keep Babel's bindings, and the
//   blocks added around function bodies get their Scopes without a crawl (scopes.ts).
import type { NodePath } from '@babel/traverse';
import * as t from '@babel/types';
import type { NormalizedOptions } from './options';
import { adoptFrameBlocks } from './scopes';
import { containerCall, COUNTED_METHODS, KEYED_METHODS, READ_METHODS } from './containers';
import { Hook, strictnessVariant, type AnyHookName } from '../protocol/hooks';
import { ANONYMOUS, COMPUTED, hoistingConflict, memberHint, OTHER_EXPRESSION, qualifiedName, staticIndex, THIS, type BodyDeclarations } from '../protocol/names';
import { functionKind, SiteTableWriter } from '../protocol/sites';

type Node = t.Node;
type Expr = t.Expression;

/** How a shared binding is owned (SPEC §4.3 "owner"). */
interface Shared {
  name: string;
  /** 'module': __rw_m; 'frame': the declaring function's frame; 'block': a per-iteration __rw.blk handle. */
  owner: 'module' | 'frame' | 'block';
  fn: Node | null;
  block: Node | null;
}

interface ClassInfo {
  name: string;
  /** private name -> 'field' | 'method' (methods and accessors have no readable old value). */
  privates: Map<string, 'field' | 'method'>;
}

interface PostWrite {
  id: string;
  owner: Expr;
  tmp: string;
  site: t.NumericLiteral;
  s: Shared;
}

/** Per-function (or per isolated expression) rewriting context. */
interface Ctx {
  /** Frame variable name, or null when hooks must receive `undefined` (module level, params, class fields). */
  frame: string | null;
  /** Frame passed as the parent to nested functions' `enter`. */
  parentFrame: string | null;
  /** Declared temporaries of this context. */
  temps: string[];
  strict: boolean;
  /** Inside an async function or any generator: catch/finally get `__rw.at(f)`. */
  suspendable: boolean;
  depth: number;
  /** Class whose instance `this` refers to (for the baseName hint), or null. */
  thisClass: string | null;
  classes: ClassInfo[];
  /** Function nodes whose frame variable is not in scope here (their own parameter lists). */
  hidden: Set<Node> | null;
  /** The innermost function (or static block) this context belongs to. */
  fn: Node | null;
  /** Parameter lists: no temporaries can be declared, forms that need them are left plain. */
  noTemps: boolean;
  /**
   * Whether code here may call the module's hook aliases: they are set when the module token first
   * runs (the prologue's `mod`, or the first `enter` of a function of the module), so only code that
   * cannot run before either may use them (see `fn`).
   */
  alias: boolean;
}

export interface FileInfo {
  file: string;
  moduleId: string;
  code: string;
}

const LOOPS = new Set(['ForStatement', 'ForInStatement', 'ForOfStatement', 'WhileStatement', 'DoWhileStatement']);

function isTSWrapper(n: Node): n is t.TSAsExpression | t.TSSatisfiesExpression | t.TSNonNullExpression | t.TSTypeAssertion | t.TSInstantiationExpression | t.ParenthesizedExpression {
  return (
    n.type === 'TSAsExpression' ||
    n.type === 'TSSatisfiesExpression' ||
    n.type === 'TSNonNullExpression' ||
    n.type === 'TSTypeAssertion' ||
    n.type === 'TSInstantiationExpression' ||
    n.type === 'ParenthesizedExpression'
  );
}

function unwrap(n: Node): Node {
  while (isTSWrapper(n)) n = (n as any).expression;
  return n;
}

function isAnonymousFunctionDefinition(n: Node): boolean {
  n = unwrap(n);
  return (
    n.type === 'ArrowFunctionExpression' ||
    (n.type === 'FunctionExpression' && !n.id) ||
    (n.type === 'ClassExpression' && !n.id)
  );
}

/** Keeps the `name` a function/class would have got from its original position (NamedEvaluation). */
function keepName(value: Expr, name: string, original: Node): Expr {
  if (!isAnonymousFunctionDefinition(original)) return value;
  const key = t.stringLiteral(name);
  return t.memberExpression(t.objectExpression([t.objectProperty(key, value)]), t.cloneNode(key), true);
}

/** Member name for qualified names (the transformer's `Namer.propertyName`), or '<computed>'. */
function keyName(key: Node, computed: boolean, _code: string): string {
  const k = computed ? unwrap(key) : key;
  if (!computed && key.type === 'Identifier') return key.name;
  if (!computed && key.type === 'PrivateName') return '#' + key.id.name;
  if (k.type === 'StringLiteral') return k.value;
  if (k.type === 'NumericLiteral') return String(k.value);
  if (!computed && k.type === 'BigIntLiteral') return k.value;
  return COMPUTED;
}

/**
 * The name an identifier has in the source. Names in site records (hints, qualified names, binding
 * names) come from it rather than from `name`, which a plugin that renames bindings may have changed
 * before the rewrite reached the code (see plugin.ts: top-level statements are rewritten as the
 * traversal reaches them). The parser records it in `loc`; generated identifiers have no `loc`.
 */
function nameOf(id: t.Identifier): string {
  return id.loc?.identifierName ?? id.name;
}

function src(n: Node, code: string): string {
  if (n.start != null && n.end != null) return code.slice(n.start, n.end);
  return OTHER_EXPRESSION;
}


/**
 * Unvalidated node builders for the shapes this file emits on every access (the @babel/types
 * builders validate each field, which showed up as a large part of the plugin's own time). The
 * nodes are exactly what the validated builders would produce for these arguments.
 */
const F = {
  identifier: (name: string): t.Identifier => ({ type: 'Identifier', name }) as t.Identifier,
  stringLiteral: (value: string): t.StringLiteral => ({ type: 'StringLiteral', value }) as t.StringLiteral,
  numericLiteral: (value: number): t.NumericLiteral => ({ type: 'NumericLiteral', value }) as t.NumericLiteral,
  nullLiteral: (): t.NullLiteral => ({ type: 'NullLiteral' }) as t.NullLiteral,
  thisExpression: (): t.ThisExpression => ({ type: 'ThisExpression' }) as t.ThisExpression,
  callExpression: (callee: any, args: any[]): t.CallExpression => ({ type: 'CallExpression', callee, arguments: args }) as t.CallExpression,
  memberExpression: (object: any, property: any, computed = false): t.MemberExpression =>
    ({ type: 'MemberExpression', object, property, computed }) as t.MemberExpression,
  unaryExpression: (operator: any, argument: any, prefix = true): t.UnaryExpression => ({ type: 'UnaryExpression', operator, argument, prefix }) as t.UnaryExpression,
  assignmentExpression: (operator: string, left: any, right: any): t.AssignmentExpression => ({ type: 'AssignmentExpression', operator, left, right }) as t.AssignmentExpression,
  sequenceExpression: (expressions: any[]): t.SequenceExpression => ({ type: 'SequenceExpression', expressions }) as t.SequenceExpression,
  conditionalExpression: (test: any, consequent: any, alternate: any): t.ConditionalExpression =>
    ({ type: 'ConditionalExpression', test, consequent, alternate }) as t.ConditionalExpression,
  binaryExpression: (operator: any, left: any, right: any): t.BinaryExpression => ({ type: 'BinaryExpression', operator, left, right }) as t.BinaryExpression,
  logicalExpression: (operator: any, left: any, right: any): t.LogicalExpression => ({ type: 'LogicalExpression', operator, left, right }) as t.LogicalExpression,
  updateExpression: (operator: any, argument: any, prefix = false): t.UpdateExpression => ({ type: 'UpdateExpression', operator, argument, prefix }) as t.UpdateExpression,
  expressionStatement: (expression: any): t.ExpressionStatement => ({ type: 'ExpressionStatement', expression }) as t.ExpressionStatement,
  blockStatement: (body: any[], directives: any[] = []): t.BlockStatement => ({ type: 'BlockStatement', body, directives }) as t.BlockStatement,
  variableDeclaration: (kind: 'var' | 'const', declarations: any[]): t.VariableDeclaration => ({ type: 'VariableDeclaration', kind, declarations }) as t.VariableDeclaration,
  variableDeclarator: (id: any, init: any = null): t.VariableDeclarator => ({ type: 'VariableDeclarator', id, init }) as t.VariableDeclarator,
  tryStatement: (block: any, handler: any, finalizer: any): t.TryStatement => ({ type: 'TryStatement', block, handler, finalizer }) as t.TryStatement,
  returnStatement: (argument: any): t.ReturnStatement => ({ type: 'ReturnStatement', argument }) as t.ReturnStatement,
  throwStatement: (argument: any): t.ThrowStatement => ({ type: 'ThrowStatement', argument }) as t.ThrowStatement,
  catchClause: (param: any, body: any): t.CatchClause => ({ type: 'CatchClause', param, body }) as t.CatchClause,
  /** Shallow copies for the leaf nodes we duplicate (identifiers, literals, private names). */
  cloneNode: <T extends t.Node>(n: T): T => {
    switch (n.type) {
      case 'Identifier':
        return { type: 'Identifier', name: (n as any).name } as any;
      case 'StringLiteral':
        return { type: 'StringLiteral', value: (n as any).value } as any;
      case 'NumericLiteral':
        return { type: 'NumericLiteral', value: (n as any).value } as any;
      case 'PrivateName':
        return { type: 'PrivateName', id: { type: 'Identifier', name: (n as any).id.name } } as any;
      case 'ThisExpression':
      case 'NullLiteral':
        return { type: n.type } as any;
      case 'UnaryExpression':
      default:
        return t.cloneNode(n, true, true);
    }
  },
};

/** A function body's declarations as `hoistingConflict` (protocol/names.ts) reads them. */
function bodyDeclarations(stmts: t.Statement[], params: t.Node[]): BodyDeclarations {
  const functions: string[] = [];
  const top = new Set<t.Node>();
  for (let s of stmts) {
    while (s.type === 'LabeledStatement') s = s.body; // sloppy `l: function f() {}` is one too
    if (s.type === 'FunctionDeclaration' && s.id) { top.add(s); functions.push(s.id.name); }
  }
  return {
    functions,
    params: () => params.flatMap((p) => Object.keys(t.getBindingIdentifiers(p))),
    nested(found) {
      let stop = false;
      const visit = (n: Node | null | undefined): void => {
        if (stop || !n || typeof n.type !== 'string') return;
        if (n.type === 'FunctionDeclaration' && n.id && !top.has(n)) { stop = found('function', n.id.name); return; }
        if (t.isFunction(n) || t.isClass(n)) return;
        if (n.type === 'VariableDeclaration' && n.kind === 'var') {
          for (const d of n.declarations) for (const x of Object.keys(t.getBindingIdentifiers(d.id))) if ((stop = found('var', x))) return;
        }
        const record = n as unknown as Record<string, unknown>;
        for (const key of t.VISITOR_KEYS[n.type] ?? []) {
          const v = record[key];
          if (Array.isArray(v)) v.forEach(visit);
          else if (v && typeof v === 'object') visit(v as Node);
        }
      };
      stmts.forEach(visit);
    },
  };
}

const ESCAPES: Record<string, string> = { '\\': '\\\\', "'": "\\'", '\n': '\\n', '\r': '\\r', '\u2028': '\\u2028', '\u2029': '\\u2029' };

/** A member's static key (SPEC §2): the name of `a.b`, the string of `a["b"]`, the integer of `a[0]`. */
function staticKey(m: t.MemberExpression | t.OptionalMemberExpression): string | number | undefined {
  const p = m.property;
  if (!m.computed) return p.type === 'Identifier' ? p.name : undefined;
  if (p.type === 'StringLiteral') return p.value;
  return p.type === 'NumericLiteral' ? staticIndex(p.value) : undefined;
}

const VOID0 = () => F.unaryExpression('void', F.numericLiteral(0), true);

export class Instrumenter {
  private readonly o: NormalizedOptions;
  private readonly info: FileInfo;
  private readonly code: string;
  private readonly P: string;
  private readonly rw: t.Identifier;
  /** The module's site table (SPEC §2). */
  private readonly sites = new SiteTableWriter();
  /** Hooks called through module-local aliases (`__rw_rp`). */
  private readonly aliases = new Set<AnyHookName>();
  private readonly shared = new WeakMap<Node, Shared>();
  /** Identifiers that read a binding declared in the file, other than an import (container receivers, §4.5). */
  private readonly bound = new WeakSet<Node>();
  private readonly blockHandles = new Map<Node, string>();
  private readonly frameOf = new Map<Node, string>();
  private tempCounter = 0;
  private blockCounter = 0;
  private readonly moduleCtx: Ctx;

  constructor(opts: NormalizedOptions, info: FileInfo, prefix: string, rwId: t.Identifier, strict: boolean) {
    this.o = opts;
    this.info = info;
    this.code = info.code;
    this.P = prefix;
    this.rw = rwId;
    this.moduleCtx = {
      frame: null,
      parentFrame: null,
      temps: [],
      strict,
      suspendable: false,
      depth: 0,
      thisClass: null,
      classes: [],
      hidden: null,
      fn: null,
      noTemps: false,
      alias: true,
    };
  }

  // ---------------------------------------------------------------- scope analysis (Babel's own)

  /** Scopes whose bindings have been classified. */
  private readonly classified = new WeakSet<object>();
  /** Babel's node -> Scope cache (of the same @babel/traverse instance as @babel/core), or null. */
  private scopeCache: WeakMap<Node, any> | null = null;

  /**
   * Classifies bindings with Babel's scope information (SPEC §4.1). Fast path: the scopes Babel
   * built when it crawled the program are looked up lazily by node as the rewrite enters them
   * (no extra traversal). Fallback: one traversal visiting every scope.
   */
  analyze(program: NodePath<t.Program>, scopeCache: WeakMap<Node, any> | null): void {
    const s = scopeCache?.get(program.node);
    if (scopeCache && s && s === program.scope) {
      this.scopeCache = scopeCache;
      return;
    }
    const visit = (scope: any) => this.classifyScope(scope);
    visit(program.scope);
    program.traverse({
      Scopable(path: NodePath) {
        visit(path.scope);
      },
    } as any);
  }

  private classifyScope(scope: any): void {
    if (!scope || this.classified.has(scope)) return;
    this.classified.add(scope);
    for (const name of Object.keys(scope.bindings)) this.classify(scope, scope.bindings[name]);
  }

  /** Called as the rewrite enters a node that may own a scope. */
  private enterScope(node: Node): void {
    if (!this.scopeCache) return;
    const s = this.scopeCache.get(node);
    if (s && s.block === node) this.classifyScope(s);
  }

  /**
   * The "container" a reference runs in: the innermost function, class field initializer or static
   * block (they run later / per instance), or the program.
   */
  private container(path: NodePath): Node {
    let p: NodePath | null = path;
    while (p) {
      const n = p.node;
      if (p.isFunction() || n.type === 'StaticBlock' || n.type === 'Program' || n.type === 'TSModuleBlock') return n;
      const parent: NodePath | null = p.parentPath;
      if (parent && (parent.node.type === 'ClassProperty' || parent.node.type === 'ClassPrivateProperty' || parent.node.type === 'ClassAccessorProperty') && p.key === 'value') return parent.node;
      p = parent;
    }
    return path.node;
  }

  /** Is this block (transitively) the body of a loop of its own function? */
  private loopBody(path: NodePath): boolean {
    let p: NodePath = path;
    while (p.parentPath) {
      const parent: NodePath = p.parentPath;
      if (parent.isFunction() || parent.node.type === 'StaticBlock' || parent.isProgram()) return false;
      if (LOOPS.has(parent.node.type) && p.key === 'body') return true;
      p = parent;
    }
    return false;
  }

  private classify(scope: any, binding: any): void {
    const kind: string = binding.kind;
    if (kind !== 'module' && kind !== 'unknown') for (const p of binding.referencePaths as NodePath[]) this.bound.add(p.node);
    if (kind === 'const' || kind === 'module' || kind === 'local' || kind === 'unknown') return;
    // Written after the declaration: assignments, updates, for-in/of heads (not re-declarations).
    const writes = (binding.constantViolations as NodePath[]).filter((p) => {
      const ty = p.node.type;
      return ty === 'AssignmentExpression' || ty === 'UpdateExpression' || ty === 'ForInStatement' || ty === 'ForOfStatement';
    });
    if (writes.length === 0) return;
    const sb: Node = scope.block;
    const declContainer = sb.type === 'Program' || t.isFunction(sb) || sb.type === 'StaticBlock' ? sb : this.container(scope.path);
    if (declContainer.type === 'TSModuleBlock' || declContainer.type === 'StaticBlock' || declContainer.type === 'ClassProperty' || declContainer.type === 'ClassPrivateProperty' || declContainer.type === 'ClassAccessorProperty') return;
    // Declared directly in the module scope: shared when written. Anything else (function locals,
    // and block / loop-head bindings at top level) only when captured by a closure (or "all").
    if (scope.block.type !== 'Program') {
      let captured = false;
      for (const p of binding.referencePaths) if (this.container(p) !== declContainer) { captured = true; break; }
      if (!captured) for (const p of writes) if (this.container(p) !== declContainer) { captured = true; break; }
      if (!captured && this.o.instrument !== 'all') return;
    }
    let owner: Shared['owner'] = declContainer.type === 'Program' ? 'module' : 'frame';
    let block: Node | null = null;
    // A block that runs once per iteration of a loop gets its own `blk` handle (SPEC §4.3).
    if (scope.block.type === 'BlockStatement' && scope.block !== declContainer && this.loopBody(scope.path) && (this.o.reads || this.o.writes)) {
      owner = 'block';
      block = scope.block;
      if (!this.blockHandles.has(block!)) this.blockHandles.set(block!, this.P + 'b' + this.blockCounter++);
    }
    const info: Shared = { name: nameOf(binding.identifier), owner, fn: declContainer.type === 'Program' ? null : declContainer, block };
    for (const p of binding.referencePaths) {
      if (p.node.type === 'Identifier') this.shared.set(p.node, info);
    }
    for (const p of writes) {
      const n: any = p.node;
      const target: Node = n.type === 'AssignmentExpression' ? n.left : n.type === 'UpdateExpression' ? n.argument : n.left;
      const u = unwrap(target);
      if (u.type === 'Identifier') {
        if (u.name === binding.identifier.name) this.shared.set(u, info);
      } else if (u.type !== 'VariableDeclaration') {
        const ids: any = t.getBindingIdentifiers(u as any, true);
        for (const id of ([] as t.Identifier[]).concat(ids[binding.identifier.name] ?? [])) this.shared.set(id, info);
      }
    }
  }

  // ---------------------------------------------------------------- helpers

  /** A site id (SPEC §2) of node `n`: an access or binding with `text` (and a static `key`), else an await. */
  private site(n: Node, text?: string, key?: string | number): t.NumericLiteral {
    return F.numericLiteral(this.sites.site(n.loc ? n.loc.start.line : 0, text, key));
  }

  /**
   * An access's key argument and site (at node `at`, hint `h`): a static key (`a.b`, `a["b"]`,
   * `a[0]`) is part of the site and the hook takes the short form (`rp(f, o, S)` for `rp(f, o, "b", S)`),
   * `key` is then null; any other key is visited here (after the object, as evaluated).
   */
  private access(m: t.MemberExpression | t.OptionalMemberExpression, at: Node, h: string, ctx: Ctx): { key: Expr | null; site: t.NumericLiteral } {
    const sk = staticKey(m);
    if (sk !== undefined) return { key: null, site: this.site(at, h, sk) };
    return { key: this.x(m.property as Expr, ctx), site: this.site(at, h) };
  }

  /** The module token (a hoisted function returning the site table). */
  private token(): t.Identifier {
    return F.identifier(this.P + 'm');
  }

  /**
   * A hook call: `__rw_rp(…)` through the module's alias where the aliases are known to be set
   * (`ctx.alias`, see `fn`), else `__rw.rp(…)`.
   */
  private hook(ctx: Ctx | null, name: AnyHookName, args: Expr[]): t.CallExpression {
    if (ctx !== null && ctx.alias) {
      this.aliases.add(name);
      return F.callExpression(F.identifier(this.P + name), args);
    }
    return F.callExpression(F.memberExpression(F.cloneNode(this.rw), F.identifier(name)), args);
  }

  private frame(ctx: Ctx): Expr {
    return ctx.frame ? F.identifier(ctx.frame) : this.token();
  }

  private temp(ctx: Ctx): t.Identifier {
    const name = this.P + 't' + this.tempCounter++;
    ctx.temps.push(name);
    return F.identifier(name);
  }

  private assignTemp(id: t.Identifier, value: Expr, original: Node = value): t.AssignmentExpression {
    return F.assignmentExpression('=', F.cloneNode(id), keepName(value, '', original));
  }

  /** The `owner` argument, or null where it does not exist (then the access is not recorded). */
  private owner(s: Shared, ctx: Ctx): Expr | null {
    if (s.owner === 'module') return F.identifier(this.P + 'm');
    if (s.owner === 'block') {
      const h = this.blockHandles.get(s.block!);
      return h ? F.identifier(h) : null;
    }
    if (!s.fn || (ctx.hidden && ctx.hidden.has(s.fn))) return null;
    const f = this.frameOf.get(s.fn);
    return f ? F.identifier(f) : null;
  }

  /** baseName hint (SPEC §5), the same rendering as the transformer's `Namer.hint`. */
  private hint(n: Node, ctx: Ctx): string {
    n = unwrap(n);
    switch (n.type) {
      case 'Identifier':
        return nameOf(n);
      case 'ThisExpression':
        return ctx.thisClass ?? THIS;
      case 'Super':
        return 'super';
      case 'MemberExpression':
      case 'OptionalMemberExpression': {
        const base = this.hint(n.object, ctx);
        if (n.property.type === 'PrivateName') return base + '.#' + n.property.id.name;
        if (!n.computed && n.property.type === 'Identifier') return base + '.' + n.property.name;
        const k = unwrap(n.property);
        const str = k.type === 'StringLiteral' ? k.value : k.type === 'TemplateLiteral' && k.expressions.length === 0 ? k.quasis[0]!.value.cooked ?? '' : null;
        if (str !== null) return memberHint(base, str);
        if (k.type === 'NumericLiteral') return base + '[' + String(k.value) + ']';
        if (k.type === 'Identifier') return base + '[' + nameOf(k) + ']';
        return base + '[]';
      }
      case 'CallExpression':
      case 'OptionalCallExpression':
        return this.hint(n.callee, ctx) + '()';
      case 'NewExpression':
        return 'new ' + this.hint(n.callee, ctx) + '()';
      default:
        return OTHER_EXPRESSION;
    }
  }

  /** Dotted name of a simple assignment target (`a`, `a.b`, `module.exports`, `this.x`), else null. */
  private targetName(n: Node, ctx: Ctx): string | null {
    n = unwrap(n);
    if (n.type === 'Identifier') return nameOf(n);
    if (n.type === 'ThisExpression') return ctx.thisClass ?? THIS;
    if (n.type === 'MemberExpression') {
      let key: string | null = null;
      if (!n.computed) key = n.property.type === 'PrivateName' ? '#' + n.property.id.name : (n.property as t.Identifier).name;
      else if (n.property.type === 'StringLiteral') key = n.property.value;
      else if (n.property.type === 'NumericLiteral') key = String(n.property.value);
      if (key === null) return null;
      const base = this.targetName(n.object, ctx);
      return base === null ? null : base + '.' + key;
    }
    return null;
  }

  private newCtx(parent: Ctx, patch: Partial<Ctx>): Ctx {
    return { ...parent, temps: [], ...patch };
  }

  // ---------------------------------------------------------------- program

  /** The module token function; its body is written by `finish`, when every site is known. */
  private tokenFn: t.FunctionDeclaration | null = null;

  /**
   * Starts the module: returns the first statements of the module prologue, `__rw.mod(__rw_m)` and
   * the token function (a declaration, so it exists before any code of the module runs: an import
   * cycle can call into the module before its prologue). Then each top-level statement goes through
   * `statement`, and `finish` completes the prologue.
   */
  begin(program: t.Program): t.Statement[] {
    this.enterScope(program);
    this.tokenFn = t.functionDeclaration(this.token(), [], t.blockStatement([]));
    return [t.expressionStatement(this.hook(null, Hook.moduleStart, [this.token()])), this.tokenFn];
  }

  /**
   * Rewrites one top-level statement in place. (At module level there is no frame, so no statement
   * follows a loop, and `stmt` returns the statement itself.)
   */
  statement(s: t.Statement): void {
    this.stmt(s, this.moduleCtx);
  }

  /**
   * Completes the prologue: the token function sets the module's hook aliases and returns the site
   * table, and a `var` after it declares the aliases and the temporaries of module-level code.
   */
  finish(program: t.Program): void {
    const table = this.sites.text(this.info.file, this.info.moduleId);
    const tableLiteral = F.stringLiteral(table);
    (tableLiteral as any).extra = { rawValue: table, raw: "'" + table.replace(/[\\'\n\r\u2028\u2029]/g, (ch) => ESCAPES[ch]!) + "'" };
    const setAliases = [...this.aliases].map((h) => t.expressionStatement(F.assignmentExpression('=', F.identifier(this.P + h), F.memberExpression(F.cloneNode(this.rw), F.identifier(h)))));
    this.tokenFn!.body.body = [...setAliases, t.returnStatement(tableLiteral)];
    const vars = [...[...this.aliases].map((h) => this.P + h), ...this.moduleCtx.temps];
    if (!vars.length) return;
    // Where the token is (a plugin may have moved it; a `var` is hoisted from anywhere in the module).
    const at = program.body.indexOf(this.tokenFn!);
    program.body.splice(at < 0 ? program.body.length : at + 1, 0, t.variableDeclaration('var', vars.map((n) => t.variableDeclarator(F.identifier(n)))));
  }

  private statements(list: t.Statement[], ctx: Ctx): t.Statement[] {
    for (let i = 0; i < list.length; i++) {
      const s = list[i]!;
      list[i] = this.stmt(s, ctx);
      const after = this.afterLoop(s, ctx);
      if (after) list.splice(++i, 0, after);
    }
    return list;
  }

  // ---------------------------------------------------------------- statements

  /** A statement in a single-statement position (if/loop bodies). */
  private single(s: t.Statement, ctx: Ctx): t.Statement {
    const r = this.stmt(s, ctx);
    const after = this.afterLoop(s, ctx);
    return after ? t.blockStatement([r, after]) : r;
  }

  private stmt(s: t.Statement, ctx: Ctx): t.Statement {
    switch (s.type) {
      case 'ExpressionStatement':
        s.expression = this.x(s.expression, ctx);
        return s;
      case 'VariableDeclaration':
        this.varDecl(s, ctx);
        return s;
      case 'FunctionDeclaration':
        this.fn(s, ctx, s.id ? nameOf(s.id) : ANONYMOUS);
        return s;
      case 'ClassDeclaration':
        this.cls(s, ctx, s.id ? nameOf(s.id) : ANONYMOUS);
        return s;
      case 'ReturnStatement':
      case 'ThrowStatement':
        if (s.argument) s.argument = this.x(s.argument, ctx);
        return s;
      case 'IfStatement':
        s.test = this.x(s.test, ctx);
        s.consequent = this.single(s.consequent, ctx);
        if (s.alternate) s.alternate = this.single(s.alternate, ctx);
        return s;
      case 'BlockStatement':
        this.block(s, ctx);
        return s;
      case 'WhileStatement':
      case 'DoWhileStatement':
        s.test = this.x(s.test, ctx);
        s.body = this.single(s.body, ctx);
        return s;
      case 'ForStatement':
        this.enterScope(s);
        if (s.init) s.init = s.init.type === 'VariableDeclaration' ? (this.varDecl(s.init, ctx), s.init) : this.x(s.init, ctx);
        if (s.test) s.test = this.x(s.test, ctx);
        if (s.update) s.update = this.x(s.update, ctx);
        s.body = this.single(s.body, ctx);
        return s;
      case 'ForInStatement':
      case 'ForOfStatement': {
        this.enterScope(s);
        const post: PostWrite[] = [];
        if (s.left.type === 'VariableDeclaration') this.varDecl(s.left, ctx);
        else s.left = this.assignTarget(s.left as any, ctx, post) as any;
        s.right = this.x(s.right, ctx);
        if (s.type === 'ForOfStatement' && s.await && this.o.awaits) {
          s.right = this.hook(ctx, Hook.forAwait, [this.frame(ctx), s.right, this.site(s)]);
        }
        s.body = this.single(s.body, ctx);
        // Shared bindings as loop targets are written back first thing in the body; a `for await`
        // body starts with `__rw.at(f)` (SPEC §3).
        const pre: t.Statement[] = this.postWrites(post, ctx).map((x) => t.expressionStatement(x));
        const at = this.forAwaitAt(s, ctx);
        if (at) pre.unshift(at);
        if (pre.length) {
          s.body = s.body.type === 'BlockStatement' ? (s.body.body.unshift(...pre), s.body) : t.blockStatement([...pre, s.body]);
        }
        return s;
      }
      case 'LabeledStatement':
        s.body = this.single(s.body, ctx);
        return s;
      case 'SwitchStatement':
        this.enterScope(s);
        s.discriminant = this.x(s.discriminant, ctx);
        for (const c of s.cases) {
          if (c.test) c.test = this.x(c.test, ctx);
          this.statements(c.consequent, ctx);
        }
        return s;
      case 'TryStatement':
        this.block(s.block, ctx);
        if (s.handler) {
          this.enterScope(s.handler);
          if (s.handler.param) this.bindingPattern(s.handler.param, ctx);
          this.block(s.handler.body, ctx);
          this.atResume(s.handler.body, ctx);
        }
        if (s.finalizer) {
          this.block(s.finalizer, ctx);
          this.atResume(s.finalizer, ctx);
        }
        return s;
      case 'WithStatement':
        // Names inside `with` resolve through the object (a Proxy sees a `has` trap for each one):
        // the body stays as written, hook calls there would look up `__rw_*` names through it.
        s.object = this.x(s.object, ctx);
        return s;
      case 'ExportNamedDeclaration':
        if (s.declaration) s.declaration = this.stmt(s.declaration, ctx) as any;
        return s;
      case 'ExportDefaultDeclaration': {
        const d = s.declaration;
        if (d.type === 'FunctionDeclaration') this.fn(d, ctx, d.id ? nameOf(d.id) : ANONYMOUS);
        else if (d.type === 'ClassDeclaration') this.cls(d, ctx, d.id ? nameOf(d.id) : ANONYMOUS);
        else if (t.isExpression(d)) s.declaration = this.x(d, ctx);
        return s;
      }
      case 'TSExportAssignment':
        s.expression = this.x(s.expression, ctx);
        return s;
      default:
        // Imports, empty/debugger/break/continue, TS declarations, enums and namespaces.
        return s;
    }
  }

  /** `__rw.at(f);` for the top of a `for await` body and after the loop, where there is a frame. */
  private forAwaitAt(s: Node, ctx: Ctx): t.Statement | null {
    if (s.type !== 'ForOfStatement' || !s.await || !this.o.awaits || !ctx.frame) return null;
    return F.expressionStatement(this.hook(ctx, Hook.resumeAt, [F.identifier(ctx.frame)]));
  }

  /** Statements after which a `__rw.at(f);` follows (for-await loops, possibly labelled). */
  private afterLoop(s: t.Statement, ctx: Ctx): t.Statement | null {
    let inner: Node = s;
    while (inner.type === 'LabeledStatement') inner = inner.body;
    return this.forAwaitAt(inner, ctx);
  }

  private atResume(b: t.BlockStatement, ctx: Ctx): void {
    if (ctx.suspendable && this.o.awaits && ctx.frame) {
      b.body.unshift(F.expressionStatement(this.hook(ctx, Hook.resumeAt, [F.identifier(ctx.frame)])));
    }
  }

  private block(b: t.BlockStatement, ctx: Ctx): void {
    this.enterScope(b);
    this.statements(b.body, ctx);
    const h = this.blockHandles.get(b);
    if (h) {
      b.body.unshift(t.variableDeclaration('const', [t.variableDeclarator(F.identifier(h), this.hook(ctx, Hook.block, [this.frame(ctx)]))]));
    }
  }

  private varDecl(d: t.VariableDeclaration, ctx: Ctx): void {
    if (d.declare) return;
    for (const decl of d.declarations) {
      this.bindingPattern(decl.id, ctx);
      if (decl.init) {
        const name = decl.id.type === 'Identifier' ? nameOf(decl.id) : null;
        decl.init = this.x(decl.init, ctx, name);
      }
    }
  }

  // ---------------------------------------------------------------- patterns

  /** Declarations, parameters, catch params: only defaults and computed keys are expressions. */
  private bindingPattern(p: Node, ctx: Ctx): void {
    switch (p.type) {
      case 'ObjectPattern':
        for (const prop of p.properties) {
          if (prop.type === 'RestElement') this.bindingPattern(prop.argument, ctx);
          else {
            if (prop.computed) prop.key = this.x(prop.key as Expr, ctx);
            this.bindingPattern(prop.value, ctx);
          }
        }
        return;
      case 'ArrayPattern':
        for (const el of p.elements) if (el) this.bindingPattern(el, ctx);
        return;
      case 'AssignmentPattern':
        this.bindingPattern(p.left, ctx);
        p.right = this.x(p.right, ctx);
        return;
      case 'RestElement':
        this.bindingPattern(p.argument, ctx);
        return;
      case 'TSParameterProperty':
        this.bindingPattern(p.parameter, ctx);
        return;
      default:
        return;
    }
  }

  /**
   * Destructuring / for-in-of targets: member targets become `__rw.tp(...).v`; shared bindings in a
   * pattern a setter target, a shared binding as the whole for-in/of target a temporary written back
   * with `wv` first thing in the body (`post`), as the transformer does. `top`: the whole target.
   */
  private assignTarget(p: Node, ctx: Ctx, post: PostWrite[], rename?: (n: string) => void, top: Node = p): Node {
    const n = unwrap(p);
    switch (n.type) {
      case 'Identifier': {
        const s = this.o.writes ? this.shared.get(n) : undefined;
        const owner = s && !ctx.noTemps && n.name !== 'arguments' ? this.owner(s, ctx) : null;
        if (!s || !owner) return p;
        rename?.(nameOf(n));
        if (p !== top) {
          // Inside a pattern: `({ set v(t) { x = wv(f, owner, x, t, S); } }).v` writes the binding
          // when the original does (later targets, defaults and getters see it; a later throw
          // leaves it written).
          const v = F.identifier(this.P + 'v');
          const write = F.assignmentExpression('=', F.identifier(n.name), this.hook(ctx, Hook.writeVar, [this.frame(ctx), owner, F.identifier(n.name), F.cloneNode(v), this.site(n, s.name)]));
          return F.memberExpression(t.objectExpression([t.objectMethod('set', F.identifier('v'), [v], F.blockStatement([F.expressionStatement(write)]))]), F.identifier('v'));
        }
        // `for (x of xs)`: a temporary, and `x = wv(…)` first thing in the body.
        const tmp = this.temp(ctx);
        post.push({ id: n.name, owner, tmp: tmp.name, site: this.site(n, s.name), s });
        return tmp;
      }
      case 'MemberExpression': {
        if (n.object.type === 'Super' || n.property.type === 'PrivateName' || !this.o.writes || n.object.type === 'MetaProperty') {
          this.plainMember(n, ctx);
          return p;
        }
        const h = this.hint(n.object, ctx);
        const obj = this.base(n.object, ctx);
        const a = this.access(n, n, h, ctx);
        return F.memberExpression(this.hook(ctx, strictnessVariant(Hook.targetProperty, ctx.strict), this.accessArgs(ctx, obj, a.key, a.site)), F.identifier('v'));
      }
      case 'ObjectPattern':
        for (const prop of n.properties) {
          if (prop.type === 'RestElement') prop.argument = this.assignTarget(prop.argument, ctx, post, undefined, top) as any;
          else {
            if (prop.computed) prop.key = this.x(prop.key as Expr, ctx);
            const before = prop.value;
            prop.value = this.assignTarget(prop.value, ctx, post, undefined, top) as any;
            if (prop.value !== before || (prop.value.type === 'AssignmentPattern' && prop.value.left !== (before as any).left)) prop.shorthand = false;
          }
        }
        return n;
      case 'ArrayPattern':
        n.elements = n.elements.map((el) => (el ? (this.assignTarget(el, ctx, post, undefined, top) as any) : el));
        return n;
      case 'AssignmentPattern': {
        const origLeft = n.left;
        let renamed: string | null = null;
        n.left = this.assignTarget(n.left, ctx, post, (x) => (renamed = x), top) as any;
        const target = unwrap(origLeft);
        const origRight = n.right;
        n.right = this.x(n.right, ctx, this.targetName(target, ctx));
        if (renamed !== null) n.right = keepName(n.right, renamed, origRight);
        return n;
      }
      case 'RestElement':
        n.argument = this.assignTarget(n.argument, ctx, post, undefined, top) as any;
        return n;
      default:
        return p;
    }
  }

  private postWrites(post: PostWrite[], ctx: Ctx): Expr[] {
    return post.map((w) =>
      F.assignmentExpression('=', F.identifier(w.id), this.hook(ctx, Hook.writeVar, [this.frame(ctx), F.cloneNode(w.owner), F.identifier(w.id), F.identifier(w.tmp), w.site])),
    );
  }

  // ---------------------------------------------------------------- expressions

  /** An expression whose value is used. `name` is the name a function/object literal here takes. */
  x(e: Expr, ctx: Ctx, name: string | null = null): Expr {
    switch (e.type) {
      case 'Identifier':
        return this.ident(e, ctx);
      case 'MemberExpression':
        return this.member(e, ctx, true);
      case 'OptionalMemberExpression':
        return this.chain(e, ctx, true);
      case 'OptionalCallExpression':
        return this.containerCall(e, ctx) ?? this.chain(e, ctx, true);
      case 'CallExpression':
      case 'NewExpression':
        if (e.type === 'CallExpression') {
          const c = this.containerCall(e, ctx);
          if (c) return c;
        }
        if (e.callee.type !== 'V8IntrinsicIdentifier') e.callee = this.callee(e.callee as Expr, ctx);
        this.args(e.arguments as any[], ctx);
        return e;
      case 'TaggedTemplateExpression':
        e.tag = this.callee(e.tag, ctx);
        e.quasi.expressions = e.quasi.expressions.map((q) => this.x(q as Expr, ctx));
        return e;
      case 'AssignmentExpression':
        return this.assign(e, ctx);
      case 'UpdateExpression':
        return this.update(e, ctx);
      case 'UnaryExpression':
        return this.unary(e, ctx);
      case 'AwaitExpression': {
        const arg = this.x(e.argument, ctx);
        if (!this.o.awaits) {
          e.argument = arg;
          return e;
        }
        const f = this.frame(ctx);
        return this.hook(ctx, Hook.resume, [
          F.cloneNode(f),
          t.awaitExpression(this.hook(ctx, Hook.suspend, [f, arg, this.site(e)])),
        ]);
      }
      case 'YieldExpression': {
        const arg = e.argument ? this.x(e.argument, ctx) : VOID0();
        if (!this.o.awaits) {
          if (e.argument) e.argument = arg;
          return e;
        }
        const f = this.frame(ctx);
        return this.hook(ctx, Hook.yieldIn, [F.cloneNode(f), t.yieldExpression(this.hook(ctx, Hook.yieldOut, [f, arg]), e.delegate)]);
      }
      case 'FunctionExpression':
        this.fn(e, ctx, e.id ? nameOf(e.id) : name ?? ANONYMOUS);
        return e;
      case 'ArrowFunctionExpression':
        this.fn(e, ctx, name ?? ANONYMOUS);
        return e;
      case 'ClassExpression':
        this.cls(e, ctx, e.id ? nameOf(e.id) : name ?? ANONYMOUS);
        return e;
      case 'ObjectExpression':
        this.object(e, ctx, name);
        return e;
      case 'ArrayExpression':
        e.elements = e.elements.map((el) => (el ? (el.type === 'SpreadElement' ? ((el.argument = this.x(el.argument, ctx)), el) : this.x(el, ctx)) : el));
        return e;
      case 'SequenceExpression':
        e.expressions = e.expressions.map((q) => this.x(q, ctx));
        return e;
      case 'ConditionalExpression':
        e.test = this.x(e.test, ctx);
        e.consequent = this.x(e.consequent, ctx);
        e.alternate = this.x(e.alternate, ctx);
        return e;
      case 'LogicalExpression':
        e.left = this.x(e.left, ctx);
        e.right = this.x(e.right, ctx);
        return e;
      case 'BinaryExpression':
        if (e.left.type !== 'PrivateName') e.left = this.x(e.left, ctx);
        e.right = this.x(e.right, ctx);
        return e;
      case 'TemplateLiteral':
        e.expressions = e.expressions.map((q) => this.x(q as Expr, ctx));
        return e;
      case 'ParenthesizedExpression':
      case 'TSAsExpression':
      case 'TSSatisfiesExpression':
      case 'TSNonNullExpression':
      case 'TSTypeAssertion':
      case 'TSInstantiationExpression':
        (e as any).expression = this.x((e as any).expression, ctx, name);
        return e;
      case 'JSXElement':
      case 'JSXFragment':
        this.jsx(e, ctx);
        return e;
      case 'ImportExpression':
        e.source = this.x(e.source, ctx);
        if (e.options) e.options = this.x(e.options, ctx);
        return e;
      default:
        // Literals, this, super, meta properties, regexps, ...: nothing to record.
        return e;
    }
  }

  private args(list: any[], ctx: Ctx): void {
    for (let i = 0; i < list.length; i++) {
      const a = list[i];
      if (a.type === 'SpreadElement') a.argument = this.x(a.argument, ctx);
      else if (a.type !== 'ArgumentPlaceholder' && a.type !== 'JSXNamespacedName') list[i] = this.x(a, ctx);
    }
  }

  private jsx(n: any, ctx: Ctx): void {
    if (n.type === 'JSXElement') {
      for (const a of n.openingElement.attributes) {
        if (a.type === 'JSXSpreadAttribute') a.argument = this.x(a.argument, ctx);
        else if (a.value) {
          if (a.value.type === 'JSXExpressionContainer' && a.value.expression.type !== 'JSXEmptyExpression') a.value.expression = this.x(a.value.expression, ctx);
          else if (a.value.type === 'JSXElement' || a.value.type === 'JSXFragment') this.jsx(a.value, ctx);
        }
      }
    }
    for (const c of n.children) {
      if (c.type === 'JSXExpressionContainer' && c.expression.type !== 'JSXEmptyExpression') c.expression = this.x(c.expression, ctx);
      else if (c.type === 'JSXSpreadChild') c.expression = this.x(c.expression, ctx);
      else if (c.type === 'JSXElement' || c.type === 'JSXFragment') this.jsx(c, ctx);
    }
  }

  private ident(e: t.Identifier, ctx: Ctx): Expr {
    const s = this.shared.get(e);
    if (!s || !this.o.reads) return e;
    const owner = this.owner(s, ctx);
    if (!owner) return e;
    return this.hook(ctx, Hook.readVar, [this.frame(ctx), owner, e, this.site(e, s.name)]);
  }

  /** An expression used only as the object of a member access: members become `rb` (no event). */
  private base(e: Expr, ctx: Ctx): Expr {
    const n = unwrap(e);
    if (n !== e) {
      // Keep the TypeScript wrapper / parentheses, visit what is inside as a base.
      let w: any = e;
      while (w.expression !== n) w = w.expression;
      w.expression = this.base(n as Expr, ctx);
      return e;
    }
    if (e.type === 'MemberExpression') return this.member(e, ctx, false);
    if (e.type === 'OptionalCallExpression') return this.containerCall(e, ctx) ?? this.chain(e, ctx, false);
    if (e.type === 'OptionalMemberExpression') return this.chain(e, ctx, false);
    return this.x(e, ctx);
  }

  /** Callees are never rewritten; only their object and computed key are. */
  private callee(e: Expr, ctx: Ctx): Expr {
    const n = unwrap(e);
    if (n.type === 'MemberExpression') {
      if (n.object.type === 'MetaProperty') return e;
      if (n.object.type !== 'Super') n.object = this.base(n.object, ctx);
      if (n.computed) n.property = this.x(n.property as Expr, ctx);
      return e;
    }
    if (n.type === 'Identifier' || n.type === 'Super' || n.type === 'Import') return e;
    if (n.type === 'OptionalMemberExpression' || n.type === 'OptionalCallExpression') {
      this.rawChain(n, ctx);
      return e;
    }
    return this.x(e, ctx);
  }

  /**
   * A call of an Array/Map/Set method name (SPEC §4.5): `cc(f, t = o, cn(f, t, S), t.m(args), S)`,
   * `o?.m(args)` as `(t = o) == null ? void 0 : cc(f, t, …)`; keyed methods pass their first argument
   * through a temporary (`t.set(k = key, v)`, then `k` last). Null for any other call.
   */
  private containerCall(e: t.CallExpression | t.OptionalCallExpression, ctx: Ctx): Expr | null {
    const shape = containerCall(e);
    if (!shape || ctx.noTemps || !(READ_METHODS.has(shape.method) ? this.o.reads : this.o.writes)) return null;
    const { callee, receiver, method } = shape;
    const h = this.hint(receiver, ctx);
    const obj = this.base(receiver, ctx);
    // A receiver that is `this` or a declared binding read without a hook is evaluated again instead
    // of through a temporary (nothing can run in between): the call keeps its source text, which V8
    // quotes in "o.push is not a function".
    const again = obj === receiver && (receiver.type === 'ThisExpression' || (receiver.type === 'Identifier' && this.bound.has(receiver)));
    const tmp = again ? (receiver as t.Identifier | t.ThisExpression) : this.temp(ctx);
    const args = e.arguments as any[];
    const first = args[0];
    this.args(args, ctx);
    let key: Expr | null = null;
    if (KEYED_METHODS.has(method) && first !== undefined && first.type !== 'SpreadElement' && first.type !== 'ArgumentPlaceholder' && first.type !== 'JSXNamespacedName') {
      const k = this.temp(ctx);
      args[0] = this.assignTemp(k, args[0], first);
      key = k;
    } else if (COUNTED_METHODS.has(method) && !args.some((a) => a.type === 'SpreadElement' || a.type === 'ArgumentPlaceholder')) {
      key = F.numericLiteral(args.length);
    }
    const member = F.memberExpression(F.cloneNode(tmp), callee.property, callee.computed);
    const call: any = shape.optionalCall
      ? { type: 'OptionalCallExpression', callee: member, arguments: args, optional: true }
      : { type: 'CallExpression', callee: member, arguments: args };
    if ((e as any).typeParameters) call.typeParameters = (e as any).typeParameters;
    if ((e as any).typeArguments) call.typeArguments = (e as any).typeArguments;
    const hook = (recv: Expr) => this.hook(ctx, Hook.containerCall, [this.frame(ctx), recv,
      this.hook(ctx, Hook.containerBefore, [this.frame(ctx), F.cloneNode(tmp), this.site(e, h, method)]), call, this.site(e, h, method), ...(key ? [F.cloneNode(key)] : [])]);
    const receiverFirst = () => (again ? obj : this.assignTemp(tmp as t.Identifier, obj));
    if (!shape.optionalReceiver) return hook(receiverFirst());
    return F.conditionalExpression(F.binaryExpression("==", receiverFirst(), F.nullLiteral()), VOID0(), hook(F.cloneNode(tmp)));
  }

  /** A member access that is not recorded: only its object and computed key are visited. */
  private plainMember(e: t.MemberExpression, ctx: Ctx): Expr {
    if (e.object.type !== 'Super' && e.object.type !== 'MetaProperty') e.object = this.base(e.object, ctx);
    if (e.computed) e.property = this.x(e.property as Expr, ctx);
    return e;
  }

  private member(e: t.MemberExpression, ctx: Ctx, used: boolean): Expr {
    if (e.object.type === 'MetaProperty') return e;
    const f = this.frame(ctx);
    if (e.object.type === 'Super') {
      // super.x: the generic `read` hook with `this` as the object (SPEC §4.2).
      if (used && this.o.reads && !e.computed) {
        return this.hook(ctx, Hook.read, [f, F.thisExpression(), F.stringLiteral((e.property as t.Identifier).name), e, this.site(e, 'super')]);
      }
      return this.plainMember(e, ctx);
    }
    if (e.property.type === 'PrivateName') {
      const h = this.hint(e.object, ctx);
      const obj = this.base(e.object, ctx);
      if (used && this.o.reads && !ctx.noTemps) {
        const tmp = this.temp(ctx);
        return this.hook(ctx, Hook.read, [f, this.assignTemp(tmp, obj), F.stringLiteral('#' + e.property.id.name), F.memberExpression(F.cloneNode(tmp), e.property), this.site(e, h)]);
      }
      e.object = obj;
      return e;
    }
    if (!this.o.reads && !this.o.writes) return this.plainMember(e, ctx);
    if (used && !this.o.reads) return this.plainMember(e, ctx);
    const h = this.hint(e.object, ctx);
    const obj = this.base(e.object, ctx);
    const a = this.access(e, e, h, ctx);
    return this.hook(ctx, (used ? Hook.readProperty : Hook.readBase), this.accessArgs(ctx, obj, a.key, a.site));
  }

  /** Hook arguments `f, obj, [key,] …rest, S`. */
  private accessArgs(ctx: Ctx, obj: Expr, key: Expr | null, site: t.NumericLiteral, ...rest: Expr[]): Expr[] {
    return key === null ? [this.frame(ctx), obj, ...rest, site] : [this.frame(ctx), obj, key, ...rest, site];
  }

  // ---------------------------------------------------------------- optional chains

  /** Collects the links of an optional chain, innermost first. */
  private links(top: Node): { base: Expr; links: any[] } {
    const links: any[] = [];
    let n: any = top;
    while (n.type === 'OptionalMemberExpression' || n.type === 'OptionalCallExpression') {
      links.push(n);
      n = n.type === 'OptionalMemberExpression' ? n.object : n.callee;
    }
    links.reverse();
    return { base: n, links };
  }

  /** A chain that is not lowered: only its base, keys and arguments are instrumented. */
  private rawChain(top: Node, ctx: Ctx): void {
    const { base, links } = this.links(top);
    const first = links[0];
    if (first.type === 'OptionalMemberExpression') first.object = this.base(base, ctx);
    else first.callee = this.callee(base, ctx);
    for (const l of links) {
      if (l.type === 'OptionalMemberExpression') {
        if (l.computed) l.property = this.x(l.property, ctx);
      } else this.args(l.arguments, ctx);
    }
  }

  /**
   * `a?.b` -> `(t = a) == null ? undefined : __rw.rp(f, t, "b", loc, "a")`, keeping every
   * short-circuit of the chain (SPEC §4.2). Chains with calls or private names keep their shape.
   */
  private chain(top: t.OptionalMemberExpression | t.OptionalCallExpression, ctx: Ctx, used: boolean): Expr {
    const { base, links } = this.links(top);
    if (links.some((l) => l.type !== 'OptionalMemberExpression' || l.property.type === 'PrivateName') || (!this.o.reads && !this.o.writes) || ctx.noTemps) {
      this.rawChain(top, ctx);
      return top;
    }
    const hints: string[] = links.map((l) => this.hint(l.object, ctx));
    const build = (i: number, cur: Expr): Expr => {
      if (i === links.length) return cur;
      const l = links[i];
      const step = (o: Expr): Expr => {
        const a = this.access(l, l, hints[i]!, ctx);
        const read = this.hook(ctx, (i === links.length - 1 && used && this.o.reads ? Hook.readProperty : Hook.readBase), this.accessArgs(ctx, o, a.key, a.site));
        return build(i + 1, read);
      };
      if (!l.optional) return step(cur);
      const tmp = this.temp(ctx);
      const test = F.binaryExpression('==', this.assignTemp(tmp, cur), F.nullLiteral());
      return F.conditionalExpression(test, VOID0(), step(F.cloneNode(tmp)));
    };
    return build(0, this.base(base, ctx));
  }

  // ---------------------------------------------------------------- writes

  private assign(e: t.AssignmentExpression, ctx: Ctx): Expr {
    const op = e.operator;
    const left = unwrap(e.left);
    const name = this.targetName(left, ctx);
    if (left.type === 'Identifier') {
      const s = this.o.writes ? this.shared.get(left) : undefined;
      const owner = s && !ctx.noTemps ? this.owner(s, ctx) : null;
      const right = this.x(e.right, ctx, name);
      if (!s || !owner) {
        e.right = right;
        return e;
      }
      return this.writeVar(left, s, owner, op, right, e.right, e, ctx);
    }
    if (left.type === 'MemberExpression') return this.writeMember(e, left, ctx, name);
    if ((left.type === 'ObjectPattern' || left.type === 'ArrayPattern') && op === '=') {
      const post: PostWrite[] = [];
      e.left = this.assignTarget(left, ctx, post) as any;
      e.right = this.x(e.right, ctx);
      if (!post.length) return e;
      const r = this.temp(ctx);
      return F.sequenceExpression([F.assignmentExpression('=', F.cloneNode(r), e), ...this.postWrites(post, ctx), F.cloneNode(r)]);
    }
    e.right = this.x(e.right, ctx, name);
    return e;
  }

  /** `x = v`, `x op= v` on a shared binding (SPEC §4.3). */
  private writeVar(id: t.Identifier, s: Shared, owner: Expr, op: string, right: Expr, origRight: Node, at: Node, ctx: Ctx): Expr {
    const f = () => this.frame(ctx);
    const ow = () => F.cloneNode(owner);
    const target = () => F.identifier(id.name);
    const site = this.site(at, s.name);
    const tmp = this.temp(ctx);
    const wv = () => F.assignmentExpression('=', id, this.hook(ctx, Hook.writeVar, [f(), ow(), target(), F.cloneNode(tmp), F.cloneNode(site)]));
    // Compound and logical forms record a Read first (part of the reads family).
    const rv = () => (this.o.reads ? this.hook(ctx, Hook.readVar, [f(), ow(), target(), F.cloneNode(site)]) : target());
    if (op === '=') {
      // (t = v, x = __rw.wv(f, owner, "x", x, t, loc)): the old value is read after v is evaluated.
      return F.sequenceExpression([F.assignmentExpression('=', F.cloneNode(tmp), keepName(right, nameOf(id), origRight)), wv()]);
    }
    if (op === '&&=' || op === '||=' || op === '??=') {
      const lop = op.slice(0, -1) as '&&' | '||' | '??';
      return F.logicalExpression(lop, rv(), F.sequenceExpression([F.assignmentExpression('=', F.cloneNode(tmp), keepName(right, nameOf(id), origRight)), wv()]));
    }
    const bop = op.slice(0, -1) as any;
    return F.sequenceExpression([F.assignmentExpression('=', F.cloneNode(tmp), F.binaryExpression(bop, rv(), right)), wv()]);
  }

  private writeMember(e: t.AssignmentExpression, left: t.MemberExpression, ctx: Ctx, name: string | null): Expr {
    const op = e.operator;
    if (left.property.type === 'PrivateName' && this.o.writes) {
      const w = this.writePrivate(e, left, ctx);
      if (w) return w;
    }
    const plain = () => {
      this.plainMember(left, ctx);
      e.left = left;
      e.right = this.x(e.right, ctx, name);
      return e;
    };
    if (left.object.type === 'Super' || left.object.type === 'MetaProperty' || left.property.type === 'PrivateName' || !this.o.writes) return plain();
    const h = this.hint(left.object, ctx);
    if (op === '=') {
      const obj = this.base(left.object, ctx);
      const a = this.access(left, e, h, ctx);
      return this.hook(ctx, strictnessVariant(Hook.writeProperty, ctx.strict), this.accessArgs(ctx, obj, a.key, a.site, this.x(e.right, ctx, name)));
    }
    if (ctx.noTemps) return plain();
    const obj = this.base(left.object, ctx);
    const a = this.access(left, e, h, ctx);
    const site = a.site;
    const to = this.temp(ctx);
    const seq: Expr[] = [this.assignTemp(to, obj)];
    let k: Expr | null = a.key;
    if (k !== null && k.type !== 'StringLiteral' && k.type !== 'NumericLiteral') {
      const tk = this.temp(ctx);
      seq.push(this.assignTemp(tk, k));
      k = tk;
    }
    const right = this.x(e.right, ctx, name);
    const key = () => (k === null ? null : F.cloneNode(k));
    const rp = () => this.hook(ctx, (this.o.reads ? Hook.readProperty : Hook.readBase), this.accessArgs(ctx, F.cloneNode(to), key(), F.cloneNode(site)));
    const wp = (v: Expr) => this.hook(ctx, strictnessVariant(Hook.writeProperty, ctx.strict), this.accessArgs(ctx, F.cloneNode(to), key(), F.cloneNode(site), v));
    if (op === '&&=' || op === '||=' || op === '??=') seq.push(F.logicalExpression(op.slice(0, -1) as any, rp(), wp(right)));
    else seq.push(wp(F.binaryExpression(op.slice(0, -1) as any, rp(), right)));
    return F.sequenceExpression(seq);
  }

  private privateKind(ctx: Ctx, name: string): 'field' | 'method' {
    for (let i = ctx.classes.length - 1; i >= 0; i--) {
      const k = ctx.classes[i]!.privates.get(name);
      if (k) return k;
    }
    return 'method';
  }

  /**
   * The parts of a recorded private write `o.#p …` (SPEC §4.4): `first` is the base as the first
   * hook argument (`this`, or `t = o` so the base is evaluated once), `self()` the base afterwards.
   * The old value is read where the program reads it anyway (`op=`, `++`), else behind a brand
   * check; private accessors report `void 0` (reading them would call the getter an extra time).
   * null where no temporary can be declared (parameter lists): the write stays unrecorded.
   */
  private privateParts(left: t.MemberExpression, at: Node, ctx: Ctx, temps: number) {
    const priv = left.property as t.PrivateName;
    const isThis = left.object.type === 'ThisExpression';
    if (temps + (isThis ? 0 : 1) > 0 && ctx.noTemps) return null;
    const pname = '#' + priv.id.name;
    const site = this.site(at, this.hint(left.object, ctx));
    const o = isThis ? null : this.temp(ctx);
    const first: Expr = o ? this.assignTemp(o, this.base(left.object as Expr, ctx)) : F.thisExpression();
    const self = (): Expr => (o ? F.cloneNode(o) : F.thisExpression());
    const access = () => F.memberExpression(self(), F.cloneNode(priv));
    const f = () => this.frame(ctx);
    return {
      isField: this.privateKind(ctx, priv.id.name) === 'field', first, self, access,
      /** The program's own read of `o.#p` (it throws where the original throws), as a Read. */
      read: (): Expr => (this.o.reads
        ? this.hook(ctx, Hook.read, [f(), first, F.stringLiteral(pname), access(), F.cloneNode(site)])
        : F.memberExpression(first, F.cloneNode(priv))),
      write: (old: Expr, value: Expr, base: Expr = self()): Expr =>
        this.hook(ctx, Hook.write, [f(), base, F.stringLiteral(pname), old, F.assignmentExpression('=', access(), value), F.cloneNode(site)]),
    };
  }

  /**
   * `o.#p = v` / `o.#p op= v` -> `__rw.write(f, o, "#p", old, o.#p = v, loc)`, the read of `op=` first;
   * `o.#p &&= v` -> `(r = __rw.read(…)) && __rw.write(f, o, "#p", r, o.#p = v, loc)`.
   */
  private writePrivate(e: t.AssignmentExpression, left: t.MemberExpression, ctx: Ctx): Expr | null {
    const p = this.privateParts(left, e, ctx, e.operator === '=' ? 0 : 1);
    if (!p) return null;
    if (e.operator === '&&=' || e.operator === '||=' || e.operator === '??=') {
      const tv = this.temp(ctx);
      const write = p.write(p.isField ? F.cloneNode(tv) : VOID0(), this.x(e.right, ctx));
      return F.logicalExpression(e.operator.slice(0, -1) as '&&' | '||' | '??', F.assignmentExpression('=', F.cloneNode(tv), p.read()), write);
    }
    if (e.operator === '=') {
      // `#p in o` throws on primitives, where the original evaluates `v` first: isObj guards it.
      const priv = left.property as t.PrivateName;
      const old = p.isField
        ? F.conditionalExpression(F.logicalExpression('&&', this.hook(ctx, Hook.isObject, [p.self()]), F.binaryExpression('in', F.cloneNode(priv), p.self())), p.access(), VOID0())
        : VOID0();
      return p.write(old, this.x(e.right, ctx), p.first);
    }
    const tv = this.temp(ctx);
    const value = F.binaryExpression(e.operator.slice(0, -1) as any, F.cloneNode(tv), this.x(e.right, ctx));
    return F.sequenceExpression([F.assignmentExpression('=', F.cloneNode(tv), p.read()), p.write(p.isField ? F.cloneNode(tv) : VOID0(), value)]);
  }

  private update(e: t.UpdateExpression, ctx: Ctx): Expr {
    const arg = unwrap(e.argument);
    const f = () => this.frame(ctx);
    const bump = (id: t.Identifier) => F.updateExpression(e.operator, F.cloneNode(id), true);
    const post = (id: t.Identifier) => F.updateExpression(e.operator, F.cloneNode(id), false);
    if (arg.type === 'Identifier') {
      const s = this.o.writes ? this.shared.get(arg) : undefined;
      const owner = s && !ctx.noTemps ? this.owner(s, ctx) : null;
      if (!s || !owner) return e;
      const tv = this.temp(ctx);
      const loc = this.site(e, s.name);
      const read = this.o.reads ? this.hook(ctx, Hook.readVar, [f(), F.cloneNode(owner), F.identifier(arg.name), F.cloneNode(loc)]) : F.identifier(arg.name);
      if (e.prefix) {
        // ++x -> (t = rv(..), x = wv(f, o, "x", t, ++t, loc))
        return F.sequenceExpression([
          F.assignmentExpression('=', F.cloneNode(tv), read),
          F.assignmentExpression('=', arg, this.hook(ctx, Hook.writeVar, [f(), F.cloneNode(owner), F.cloneNode(tv), bump(tv), F.cloneNode(loc)])),
        ]);
      }
      // x++ -> (t = rv(..), x = wv(f, o, "x", t, (r = t++, t), loc), r): the value is ToNumeric(old).
      const tr = this.temp(ctx);
      return F.sequenceExpression([
        F.assignmentExpression('=', F.cloneNode(tv), read),
        F.assignmentExpression('=', arg, this.hook(ctx, Hook.writeVar, [f(), F.cloneNode(owner), F.cloneNode(tv), F.sequenceExpression([F.assignmentExpression('=', F.cloneNode(tr), post(tv)), F.cloneNode(tv)]), F.cloneNode(loc)])),
        F.cloneNode(tr),
      ]);
    }
    if (arg.type === 'MemberExpression' && arg.property.type === 'PrivateName' && this.o.writes) {
      // (t = read(f, o, "#p", o.#p, S), write(f, o, "#p", t, o.#p = ++t, S)); postfix: `(r = t++, t)`, then r
      const p = this.privateParts(arg, e, ctx, e.prefix ? 1 : 2);
      if (p) {
        const tv = this.temp(ctx);
        const old = () => (p.isField ? F.cloneNode(tv) : VOID0());
        const read = F.assignmentExpression('=', F.cloneNode(tv), p.read());
        if (e.prefix) return F.sequenceExpression([read, p.write(old(), bump(tv))]);
        const tr = this.temp(ctx);
        return F.sequenceExpression([read, p.write(old(), F.sequenceExpression([F.assignmentExpression('=', F.cloneNode(tr), post(tv)), F.cloneNode(tv)])), F.cloneNode(tr)]);
      }
    }
    if (arg.type === 'MemberExpression') {
      if (arg.object.type === 'Super' || arg.object.type === 'MetaProperty' || arg.property.type === 'PrivateName' || !this.o.writes || ctx.noTemps) {
        this.plainMember(arg, ctx);
        return e;
      }
      const h = this.hint(arg.object, ctx);
      const to = this.temp(ctx);
      const obj = this.base(arg.object, ctx);
      const a = this.access(arg, e, h, ctx);
      const loc = a.site;
      const seq: Expr[] = [this.assignTemp(to, obj)];
      let k: Expr | null = a.key;
      if (k !== null && k.type !== 'StringLiteral' && k.type !== 'NumericLiteral') {
        const tk = this.temp(ctx);
        seq.push(this.assignTemp(tk, k));
        k = tk;
      }
      const key = () => (k === null ? null : F.cloneNode(k));
      const tv = this.temp(ctx);
      const read = this.hook(ctx, (this.o.reads ? Hook.readProperty : Hook.readBase), this.accessArgs(ctx, F.cloneNode(to), key(), F.cloneNode(loc)));
      seq.push(F.assignmentExpression('=', F.cloneNode(tv), read));
      const wp = (v: Expr) => this.hook(ctx, strictnessVariant(Hook.writeProperty, ctx.strict), this.accessArgs(ctx, F.cloneNode(to), key(), F.cloneNode(loc), v));
      if (e.prefix) {
        seq.push(wp(bump(tv)));
      } else {
        const tr = this.temp(ctx);
        seq.push(F.assignmentExpression('=', F.cloneNode(tr), post(tv)), wp(F.cloneNode(tv)), F.cloneNode(tr));
      }
      return F.sequenceExpression(seq);
    }
    return e;
  }

  private unary(e: t.UnaryExpression, ctx: Ctx): Expr {
    if (e.operator === 'delete') {
      const arg = unwrap(e.argument);
      if (arg.type === 'MemberExpression') {
        if (arg.object.type === 'Super' || arg.object.type === 'MetaProperty' || arg.property.type === 'PrivateName' || !this.o.writes) {
          this.plainMember(arg, ctx);
          return e;
        }
        const h = this.hint(arg.object, ctx);
        const obj = this.base(arg.object, ctx);
        const a = this.access(arg, e, h, ctx);
        return this.hook(ctx, strictnessVariant(Hook.deleteProperty, ctx.strict), this.accessArgs(ctx, obj, a.key, a.site));
      }
      if (arg.type === 'OptionalMemberExpression' || arg.type === 'OptionalCallExpression') {
        this.rawChain(arg, ctx);
        return e;
      }
      if (arg.type === 'Identifier') return e;
      e.argument = this.x(e.argument, ctx);
      return e;
    }
    e.argument = this.x(e.argument, ctx);
    return e;
  }

  // ---------------------------------------------------------------- objects, classes, functions

  private object(e: t.ObjectExpression, ctx: Ctx, name: string | null): void {
    for (const p of e.properties) {
      if (p.type === 'SpreadElement') {
        p.argument = this.x(p.argument, ctx);
        continue;
      }
      const member = keyName(p.key, p.computed, this.code);
      if (p.computed) p.key = this.x(p.key as Expr, ctx);
      const qname = qualifiedName(name, member);
      if (p.type === 'ObjectMethod') {
        this.fn(p, ctx, qname, name ?? THIS);
        continue;
      }
      const before = p.value;
      p.value = this.x(p.value as Expr, ctx, qname);
      if (p.value !== before && p.shorthand) {
        p.shorthand = false;
        // `{ __proto__ }` defines an own property; `__proto__: v` would set the prototype.
        if (!p.computed && p.key.type === 'Identifier' && p.key.name === '__proto__') {
          p.key = F.stringLiteral('__proto__');
          p.computed = true;
        }
      }
    }
  }

  private cls(c: t.ClassDeclaration | t.ClassExpression, outer: Ctx, name: string): void {
    if ((c as any).declare) return;
    this.enterScope(c);
    const strictOuter = outer.strict ? outer : { ...outer, strict: true };
    // Decorators are not instrumented (SPEC §4.4).
    if (c.superClass) c.superClass = this.x(c.superClass, strictOuter);
    const info: ClassInfo = { name, privates: new Map() };
    for (const m of c.body.body) {
      if (m.type === 'ClassPrivateProperty') info.privates.set(m.key.id.name, 'field');
      else if (m.type === 'ClassPrivateMethod') info.privates.set(m.key.id.name, 'method');
      else if (m.type === 'ClassAccessorProperty' && m.key.type === 'PrivateName') info.privates.set(m.key.id.name, 'method');
    }
    const classes = [...outer.classes, info];
    const memberCtx: Ctx = { ...strictOuter, classes };
    for (const m of c.body.body) {
      if (m.type === 'ClassMethod' || m.type === 'ClassPrivateMethod') {
        if (m.computed) m.key = this.x(m.key as Expr, memberCtx);
        const member = m.kind === 'constructor' ? 'constructor' : keyName(m.key, !!m.computed, this.code);
        this.fn(m, { ...memberCtx, thisClass: name }, name + '.' + member);
      } else if (m.type === 'ClassProperty' || m.type === 'ClassPrivateProperty' || m.type === 'ClassAccessorProperty') {
        if ((m as any).computed) m.key = this.x(m.key as Expr, memberCtx) as any;
        if ((m as any).declare || (m as any).abstract || !m.value) continue;
        const member = keyName(m.key, (m as any).computed, this.code);
        const fieldCtx = this.newCtx(memberCtx, {
          frame: null,
          parentFrame: null,
          thisClass: name,
          suspendable: false,
          fn: outer.fn,
          noTemps: false,
        });
        const original = m.value;
        let value = this.x(m.value, fieldCtx, name + '.' + member);
        if (!(m as any).computed && this.o.writes && m.type !== 'ClassAccessorProperty') {
          value = this.hook(fieldCtx, Hook.fieldInit, [this.token(), F.thisExpression(), F.stringLiteral(member), keepName(value, member, original), this.site(m, name)]);
        }
        m.value = this.isolate(value, fieldCtx);
      } else if (m.type === 'StaticBlock') {
        this.enterScope(m);
        const blockCtx = this.newCtx(memberCtx, { frame: null, parentFrame: null, thisClass: name, suspendable: false, fn: m, noTemps: false });
        this.statements(m.body, blockCtx);
        if (blockCtx.temps.length) m.body.unshift(t.variableDeclaration('var', blockCtx.temps.map((n) => t.variableDeclarator(F.identifier(n)))));
      }
    }
  }

  /** Gives an expression evaluated outside any function body its own temporaries: `((t1) => e)()`. */
  private isolate(e: Expr, ctx: Ctx): Expr {
    if (!ctx.temps.length) return e;
    return F.callExpression(t.arrowFunctionExpression(ctx.temps.map((n) => F.identifier(n)), e), []);
  }

  private paramNames(params: Node[]): string[] {
    const out: string[] = [];
    const walk = (p: Node | null) => {
      if (!p) return;
      switch (p.type) {
        case 'Identifier':
          if (p.name !== 'this') out.push(p.name);
          return;
        case 'AssignmentPattern':
          return walk(p.left);
        case 'RestElement':
          return walk(p.argument);
        case 'ObjectPattern':
          for (const prop of p.properties) walk(prop.type === 'RestElement' ? prop.argument : prop.value);
          return;
        case 'ArrayPattern':
          for (const el of p.elements) walk(el);
          return;
        case 'TSParameterProperty':
          return walk(p.parameter);
        default:
          return;
      }
    };
    for (const p of params) walk(p);
    return out;
  }

  fn(node: t.Function | t.TSDeclareMethod, outer: Ctx, qname: string, objectThis?: string): void {
    if (node.type === 'TSDeclareMethod' || (node as any).declare || !(node as any).body) return;
    const fnode = node as t.Function;
    this.enterScope(fnode);
    const depth = outer.depth + 1;
    const frameName = this.P + 'f' + depth;
    const isArrow = fnode.type === 'ArrowFunctionExpression';
    const body = fnode.body;
    const strict =
      outer.strict || (body.type === 'BlockStatement' && body.directives.some((d) => d.value.value === 'use strict'));
    const kind = functionKind(!!fnode.async, !!fnode.generator);
    const isMethod = fnode.type === 'ClassMethod' || fnode.type === 'ClassPrivateMethod';
    const thisClass = isArrow || isMethod ? outer.thisClass : objectThis ?? null;
    const hidden = new Set(outer.hidden ?? []);
    hidden.add(fnode);
    // Hook aliases (see `hook`) are set by the module token's first run. A body with a frame runs
    // after its `enter`; parameters (which run before it) and a body without a frame are safe where
    // the function is defined, except for a module-level function declaration: it is callable
    // through an import cycle before the module's prologue.
    const alias = outer.alias && !(fnode.type === 'FunctionDeclaration' && outer.fn === null);
    // Parameters are evaluated before the body's frame exists and cannot see its variables.
    const paramCtx: Ctx = {
      ...outer,
      temps: [],
      frame: null,
      parentFrame: null,
      depth,
      strict,
      thisClass,
      hidden,
      suspendable: false,
      fn: fnode,
      noTemps: true,
      alias,
    };
    for (const p of fnode.params) this.bindingPattern(p, paramCtx);
    // Wrapping the body in `try {}` makes its top-level function declarations block-level: a
    // SyntaxError when the body also declares the name with `var`, or (strict) declares it twice.
    // Such functions get no frame (SPEC §4.4, as the transformer does).
    const functions = this.o.functions && !(body.type === 'BlockStatement' && hoistingConflict(bodyDeclarations(body.body, fnode.params), strict));
    const ctx: Ctx = {
      frame: functions ? frameName : null,
      parentFrame: functions ? frameName : null,
      temps: [],
      strict,
      suspendable: !!(fnode.async || fnode.generator) && functions,
      depth,
      thisClass,
      classes: outer.classes,
      hidden: outer.hidden,
      fn: fnode,
      noTemps: false,
      alias: functions || alias,
    };
    if (functions) this.frameOf.set(fnode, frameName);
    let stmts: t.Statement[];
    let directives: t.Directive[] = [];
    if (body.type === 'BlockStatement') {
      this.block(body, ctx);
      stmts = body.body;
      directives = body.directives;
    } else {
      stmts = [F.returnStatement(this.x(body, ctx))];
    }
    if (!functions) {
      const decl = ctx.temps.length ? [F.variableDeclaration('var', ctx.temps.map((n) => F.variableDeclarator(F.identifier(n))))] : [];
      if (body.type === 'BlockStatement') body.body = [...decl, ...stmts];
      else fnode.body = F.blockStatement([...decl, ...stmts]);
      return;
    }
    const line = fnode.loc ? fnode.loc.start.line : 0;
    const names = this.paramNames(fnode.params);
    const site = this.sites.functionSite(line, qname, kind, names);
    // `enter` goes through the alias where the parameter list may use them (the function cannot run
    // before the module token did); else through the namespace (`enter` is what runs the token then).
    const enter = this.hook(paramCtx, Hook.enter, [
      outer.parentFrame ? F.identifier(outer.parentFrame) : this.token(),
      F.numericLiteral(site),
      ...names.map((n) => F.identifier(n)),
    ]);
    const decls = [F.variableDeclarator(F.identifier(frameName), enter), ...ctx.temps.map((n) => F.variableDeclarator(F.identifier(n)))];
    // The original body node becomes the try block: its statements keep the paths Babel has cached
    // for them (see scopes.ts).
    let tryBlock: t.BlockStatement;
    if (body.type === 'BlockStatement') {
      body.directives = [];
      tryBlock = body;
    } else tryBlock = F.blockStatement(stmts);
    // `catch (e) { throw thrown(f, e); }`: an exception leaving the body is recorded and rethrown
    // as the same value (SPEC §3).
    const caught = F.identifier(this.P + 'e');
    const handler = F.catchClause(caught, F.blockStatement([F.throwStatement(this.hook(ctx, Hook.thrown, [F.identifier(frameName), F.identifier(caught.name)]))]));
    const tryStmt = F.tryStatement(tryBlock, handler, F.blockStatement([F.expressionStatement(this.hook(ctx, Hook.exit, [F.identifier(frameName)]))]));
    const wrapped = F.blockStatement([F.variableDeclaration('var', decls), tryStmt], directives);
    fnode.body = wrapped;
    if (isArrow) (fnode as t.ArrowFunctionExpression).expression = false;
    const scope = this.scopeCache?.get(fnode);
    if (scope && scope.block === fnode) adoptFrameBlocks(scope, wrapped, tryStmt);
  }
}
