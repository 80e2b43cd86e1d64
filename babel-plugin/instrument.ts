// The Babel front end of fixtures/SPEC.md: rewrites one Program so that function entries, awaits,
// reads and writes of shared state call the hooks of `raceway/runtime`.
//
// Design (see node20-toolchain.md, "Babel 7"):
// * Everything happens in the plugin's `Program: enter`, before any other plugin of the merged
//   traversal has touched a node, so preset-env / preset-typescript always see the original shapes
//   and then lower *our* output, in whatever order the user listed the presets.
// * Scope analysis is Babel's own: every binding's `referencePaths` / `constantViolations` decide
//   which identifiers are shared (SPEC §4.1). The rewrite itself is a single recursive pass over the
//   raw nodes with explicit roles (value / base / callee / target), so nothing is re-queued and no
//   generated node is ever visited again by us; generated nodes carry no `loc`.
// * Afterwards the program scope is re-crawled so later plugins see correct bindings for the
//   declarations we added (block-scoping, modules-commonjs, TypeScript import elision).
import type { NodePath } from '@babel/traverse';
import * as t from '@babel/types';
import type { NormalizedOptions } from './options';

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

function keyName(key: Node, computed: boolean, code: string): string {
  if (!computed) {
    if (key.type === 'Identifier') return key.name;
    if (key.type === 'StringLiteral') return key.value;
    if (key.type === 'NumericLiteral') return String(key.value);
    if (key.type === 'PrivateName') return '#' + key.id.name;
    if (key.type === 'BigIntLiteral') return key.value;
  }
  return '[' + src(key, code) + ']';
}

function src(n: Node, code: string): string {
  if (n.start != null && n.end != null) return code.slice(n.start, n.end);
  return '<expr>';
}

const VOID0 = () => t.unaryExpression('void', t.numericLiteral(0), true);

export class Instrumenter {
  private readonly o: NormalizedOptions;
  private readonly info: FileInfo;
  private readonly code: string;
  private readonly P: string;
  private readonly rw: t.Identifier;
  private readonly sites: t.VariableDeclarator[] = [];
  private readonly shared = new WeakMap<Node, Shared>();
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
    };
  }

  // ---------------------------------------------------------------- scope analysis (Babel's own)

  /** Classifies every binding of the program with Babel's scope information (SPEC §4.1). */
  analyze(program: NodePath<t.Program>): void {
    const seen = new Set<unknown>();
    const visit = (scope: any) => {
      if (seen.has(scope)) return;
      seen.add(scope);
      for (const name of Object.keys(scope.bindings)) this.classify(scope, scope.bindings[name]);
    };
    visit(program.scope);
    program.traverse({
      Scopable(path: NodePath) {
        visit(path.scope);
      },
    } as any);
  }

  private classify(scope: any, binding: any): void {
    const kind: string = binding.kind;
    if (kind === 'const' || kind === 'module' || kind === 'local' || kind === 'unknown') return;
    if (binding.constantViolations.length === 0) return;
    const fnScope = scope.getFunctionParent();
    const fn: Node | null = fnScope ? fnScope.block : null;
    if (fn && (fn.type === 'TSModuleBlock' || fn.type === 'TSModuleDeclaration')) return;
    let owner: Shared['owner'];
    let block: Node | null = null;
    if (scope.path.isProgram()) {
      owner = 'module';
    } else {
      let captured = false;
      const fnOf = (p: NodePath) => {
        const s = p.scope.getFunctionParent();
        return s ? s.block : null;
      };
      for (const p of binding.referencePaths) if (fnOf(p) !== fn) { captured = true; break; }
      if (!captured) for (const p of binding.constantViolations) if (fnOf(p) !== fn) { captured = true; break; }
      if (!captured && this.o.instrument !== 'all') return;
      owner = fn ? 'frame' : 'module';
      if (scope.block.type === 'BlockStatement' && this.inLoop(scope.path)) {
        owner = 'block';
        block = scope.block;
        if (!this.blockHandles.has(block!)) this.blockHandles.set(block!, this.P + 'b' + this.blockCounter++);
      }
    }
    const info: Shared = { name: binding.identifier.name, owner, fn, block };
    for (const p of binding.referencePaths) {
      if (p.node.type === 'Identifier') this.shared.set(p.node, info);
    }
    for (const p of binding.constantViolations) {
      const n = p.node;
      if (n.type === 'AssignmentExpression' && n.left.type === 'Identifier' && n.left.name === info.name) this.shared.set(n.left, info);
      else if (n.type === 'UpdateExpression' && n.argument.type === 'Identifier' && n.argument.name === info.name) this.shared.set(n.argument, info);
    }
  }

  private inLoop(path: NodePath): boolean {
    let p: NodePath | null = path.parentPath;
    while (p && !p.isFunction() && !p.isProgram() && !p.isStaticBlock()) {
      if (LOOPS.has(p.node.type)) return true;
      p = p.parentPath;
    }
    return false;
  }

  // ---------------------------------------------------------------- helpers

  private loc(n: Node): t.StringLiteral {
    return t.stringLiteral(this.info.file + ':' + (n.loc ? n.loc.start.line : 0));
  }

  private hook(name: string, args: Expr[]): t.CallExpression {
    return t.callExpression(t.memberExpression(t.cloneNode(this.rw), t.identifier(name)), args);
  }

  private frame(ctx: Ctx): Expr {
    return ctx.frame ? t.identifier(ctx.frame) : VOID0();
  }

  private temp(ctx: Ctx): t.Identifier {
    const name = this.P + 't' + this.tempCounter++;
    ctx.temps.push(name);
    return t.identifier(name);
  }

  private assignTemp(id: t.Identifier, value: Expr, original: Node = value): t.AssignmentExpression {
    return t.assignmentExpression('=', t.cloneNode(id), keepName(value, '', original));
  }

  private owner(s: Shared, ctx: Ctx): Expr {
    if (s.owner === 'module') return t.identifier(this.P + 'm');
    if (s.owner === 'block') {
      const h = this.blockHandles.get(s.block!);
      return h ? t.identifier(h) : VOID0();
    }
    if (!s.fn || (ctx.hidden && ctx.hidden.has(s.fn))) return VOID0();
    const f = this.frameOf.get(s.fn);
    return f ? t.identifier(f) : VOID0();
  }

  /** baseName hint (SPEC §5): source text of the base, `this` -> class name, calls -> `callee()`. */
  private hint(n: Node, ctx: Ctx): string {
    switch (n.type) {
      case 'Identifier':
        return n.name;
      case 'ThisExpression':
        return ctx.thisClass ?? 'this';
      case 'Super':
        return 'super';
      case 'MemberExpression':
      case 'OptionalMemberExpression': {
        const base = this.hint(n.object, ctx);
        if (n.property.type === 'PrivateName') return base + '.#' + n.property.id.name;
        if (!n.computed && n.property.type === 'Identifier') return base + '.' + n.property.name;
        return base + '[' + src(n.property, this.code) + ']';
      }
      case 'CallExpression':
      case 'OptionalCallExpression':
      case 'NewExpression':
        return this.hint(n.callee, ctx) + '()';
      default:
        if (isTSWrapper(n)) return this.hint((n as any).expression, ctx);
        return src(n, this.code);
    }
  }

  private newCtx(parent: Ctx, patch: Partial<Ctx>): Ctx {
    return { ...parent, temps: [], ...patch };
  }

  // ---------------------------------------------------------------- program

  /** Rewrites the program body; returns the statements of the module prologue. */
  run(program: t.Program): t.Statement[] {
    const ctx = this.moduleCtx;
    program.body = this.statements(program.body, ctx);
    const decls: t.VariableDeclarator[] = [
      t.variableDeclarator(
        t.identifier(this.P + 'm'),
        this.hook('mod', [t.stringLiteral(this.info.file), t.stringLiteral(this.info.moduleId)]),
      ),
      ...this.sites,
      ...ctx.temps.map((n) => t.variableDeclarator(t.identifier(n))),
    ];
    return [t.variableDeclaration('var', decls)];
  }

  private statements(list: t.Statement[], ctx: Ctx): t.Statement[] {
    for (let i = 0; i < list.length; i++) list[i] = this.stmt(list[i]!, ctx);
    return list;
  }

  // ---------------------------------------------------------------- statements

  private stmt(s: t.Statement, ctx: Ctx): t.Statement {
    switch (s.type) {
      case 'ExpressionStatement':
        s.expression = this.x(s.expression, ctx);
        return s;
      case 'VariableDeclaration':
        this.varDecl(s, ctx);
        return s;
      case 'FunctionDeclaration':
        this.fn(s, ctx, s.id ? s.id.name : '<anonymous>');
        return s;
      case 'ClassDeclaration':
        this.cls(s, ctx, s.id ? s.id.name : '<anonymous>');
        return s;
      case 'ReturnStatement':
      case 'ThrowStatement':
        if (s.argument) s.argument = this.x(s.argument, ctx);
        return s;
      case 'IfStatement':
        s.test = this.x(s.test, ctx);
        s.consequent = this.stmt(s.consequent, ctx);
        if (s.alternate) s.alternate = this.stmt(s.alternate, ctx);
        return s;
      case 'BlockStatement':
        this.block(s, ctx);
        return s;
      case 'WhileStatement':
      case 'DoWhileStatement':
        s.test = this.x(s.test, ctx);
        s.body = this.stmt(s.body, ctx);
        return s;
      case 'ForStatement':
        if (s.init) s.init = s.init.type === 'VariableDeclaration' ? (this.varDecl(s.init, ctx), s.init) : this.x(s.init, ctx);
        if (s.test) s.test = this.x(s.test, ctx);
        if (s.update) s.update = this.x(s.update, ctx);
        s.body = this.stmt(s.body, ctx);
        return s;
      case 'ForInStatement':
      case 'ForOfStatement': {
        if (s.left.type === 'VariableDeclaration') this.varDecl(s.left, ctx);
        else s.left = this.assignTarget(s.left as any, ctx) as any;
        s.right = this.x(s.right, ctx);
        if (s.type === 'ForOfStatement' && s.await && this.o.awaits) {
          s.right = this.hook('forAwait', [this.frame(ctx), s.right, this.loc(s)]);
        }
        s.body = this.stmt(s.body, ctx);
        return s;
      }
      case 'LabeledStatement':
        s.body = this.stmt(s.body, ctx);
        return s;
      case 'SwitchStatement':
        s.discriminant = this.x(s.discriminant, ctx);
        for (const c of s.cases) {
          if (c.test) c.test = this.x(c.test, ctx);
          this.statements(c.consequent, ctx);
        }
        return s;
      case 'TryStatement':
        this.block(s.block, ctx);
        if (s.handler) {
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
        s.object = this.x(s.object, ctx);
        s.body = this.stmt(s.body, ctx);
        return s;
      case 'ExportNamedDeclaration':
        if (s.declaration) s.declaration = this.stmt(s.declaration, ctx) as any;
        return s;
      case 'ExportDefaultDeclaration': {
        const d = s.declaration;
        if (d.type === 'FunctionDeclaration') this.fn(d, ctx, d.id ? d.id.name : '<anonymous>');
        else if (d.type === 'ClassDeclaration') this.cls(d, ctx, d.id ? d.id.name : '<anonymous>');
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

  private atResume(b: t.BlockStatement, ctx: Ctx): void {
    if (ctx.suspendable && this.o.awaits && ctx.frame) {
      b.body.unshift(t.expressionStatement(this.hook('at', [t.identifier(ctx.frame)])));
    }
  }

  private block(b: t.BlockStatement, ctx: Ctx): void {
    this.statements(b.body, ctx);
    const h = this.blockHandles.get(b);
    if (h) {
      b.body.unshift(t.variableDeclaration('const', [t.variableDeclarator(t.identifier(h), this.hook('blk', [this.frame(ctx)]))]));
    }
  }

  private varDecl(d: t.VariableDeclaration, ctx: Ctx): void {
    if (d.declare) return;
    for (const decl of d.declarations) {
      this.bindingPattern(decl.id, ctx);
      if (decl.init) {
        const name = decl.id.type === 'Identifier' ? decl.id.name : null;
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
        p.right = this.x(p.right, ctx, p.left.type === 'Identifier' ? p.left.name : null);
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

  /** Assignment / for-in-of targets: member targets become `__rw.tp(...).v`. */
  private assignTarget(p: Node, ctx: Ctx): Node {
    const n = unwrap(p);
    switch (n.type) {
      case 'Identifier':
        return n;
      case 'MemberExpression': {
        if (n.object.type === 'Super' || n.property.type === 'PrivateName' || !this.o.writes) {
          n.object = n.object.type === 'Super' ? n.object : this.base(n.object, ctx);
          if (n.computed) n.property = this.x(n.property as Expr, ctx);
          return n;
        }
        const h = this.hint(n.object, ctx);
        const obj = this.base(n.object, ctx);
        const key = n.computed ? this.x(n.property as Expr, ctx) : t.stringLiteral((n.property as t.Identifier).name);
        return t.memberExpression(this.hook('tp', [this.frame(ctx), obj, key, this.loc(n), t.stringLiteral(h)]), t.identifier('v'));
      }
      case 'ObjectPattern':
        for (const prop of n.properties) {
          if (prop.type === 'RestElement') prop.argument = this.assignTarget(prop.argument, ctx) as any;
          else {
            if (prop.computed) prop.key = this.x(prop.key as Expr, ctx);
            const before = prop.value;
            prop.value = this.assignTarget(prop.value, ctx) as any;
            if (prop.value !== before) prop.shorthand = false;
          }
        }
        return n;
      case 'ArrayPattern':
        n.elements = n.elements.map((el) => (el ? (this.assignTarget(el, ctx) as any) : el));
        return n;
      case 'AssignmentPattern': {
        n.left = this.assignTarget(n.left, ctx) as any;
        const target = unwrap(n.left);
        n.right = this.x(n.right, ctx, target.type === 'Identifier' ? target.name : null);
        return n;
      }
      case 'RestElement':
        n.argument = this.assignTarget(n.argument, ctx) as any;
        return n;
      default:
        return p;
    }
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
      case 'OptionalCallExpression':
        return this.chain(e, ctx, true);
      case 'CallExpression':
      case 'NewExpression':
        if (e.callee.type !== 'V8IntrinsicIdentifier') e.callee = this.callee(e.callee as Expr, ctx);
        this.args(e.arguments as any[], ctx);
        return e;
      case 'TaggedTemplateExpression':
        e.tag = this.callee(e.tag, ctx);
        e.quasi.expressions = e.quasi.expressions.map((q) => this.x(q as Expr, ctx));
        return e;
      case 'AssignmentExpression':
        return this.assign(e, ctx, name);
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
        return this.hook('resume', [
          t.cloneNode(f),
          t.awaitExpression(this.hook('suspend', [f, arg, this.loc(e)])),
        ]);
      }
      case 'YieldExpression': {
        const arg = e.argument ? this.x(e.argument, ctx) : VOID0();
        if (!this.o.awaits) {
          if (e.argument) e.argument = arg;
          return e;
        }
        const f = this.frame(ctx);
        return this.hook('yieldIn', [t.cloneNode(f), t.yieldExpression(this.hook('yieldOut', [f, arg]), e.delegate)]);
      }
      case 'FunctionExpression':
        this.fn(e, ctx, e.id ? e.id.name : name ?? '<anonymous>');
        return e;
      case 'ArrowFunctionExpression':
        this.fn(e, ctx, name ?? '<anonymous>');
        return e;
      case 'ClassExpression':
        this.cls(e, ctx, e.id ? e.id.name : name ?? '<anonymous>');
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
    return this.hook('rv', [this.frame(ctx), this.owner(s, ctx), t.stringLiteral(s.name), e, this.loc(e)]);
  }

  /** An expression used only as the object of a member access or of a callee. */
  private base(e: Expr, ctx: Ctx): Expr {
    if (e.type === 'MemberExpression') return this.member(e, ctx, false);
    if (e.type === 'OptionalMemberExpression' || e.type === 'OptionalCallExpression') return this.chain(e, ctx, false);
    return this.x(e, ctx);
  }

  /** Callees are never rewritten; only their inner parts are. */
  private callee(e: Expr, ctx: Ctx): Expr {
    const n = unwrap(e);
    if (n.type === 'MemberExpression') {
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

  private member(e: t.MemberExpression, ctx: Ctx, used: boolean): Expr {
    if (!this.o.reads) {
      if (e.object.type !== 'Super') e.object = this.base(e.object, ctx);
      if (e.computed) e.property = this.x(e.property as Expr, ctx);
      return e;
    }
    const f = this.frame(ctx);
    if (e.object.type === 'Super') {
      // super.x: the generic `read` hook with `this` as the object (SPEC §4.2).
      const h = ctx.thisClass ?? 'this';
      if (e.computed) {
        const k = this.temp(ctx);
        const key = this.x(e.property as Expr, ctx);
        return this.hook('read', [f, t.thisExpression(), this.assignTemp(k, key), t.memberExpression(e.object, t.cloneNode(k), true), this.loc(e), t.stringLiteral(h)]);
      }
      return this.hook('read', [f, t.thisExpression(), t.stringLiteral((e.property as t.Identifier).name), e, this.loc(e), t.stringLiteral(h)]);
    }
    const h = this.hint(e.object, ctx);
    if (e.property.type === 'PrivateName') {
      const tmp = this.temp(ctx);
      const obj = this.base(e.object, ctx);
      return this.hook('read', [
        f,
        this.assignTemp(tmp, obj),
        t.stringLiteral('#' + e.property.id.name),
        t.memberExpression(t.cloneNode(tmp), e.property),
        this.loc(e),
        t.stringLiteral(h),
      ]);
    }
    const obj = this.base(e.object, ctx);
    const key = e.computed ? this.x(e.property as Expr, ctx) : t.stringLiteral((e.property as t.Identifier).name);
    if (used) return this.hook('rp', [f, obj, key, this.loc(e), t.stringLiteral(h)]);
    return this.hook('rb', [f, obj, key, t.stringLiteral(h)]);
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
    const lowered = this.base(base, ctx);
    if (first.type === 'OptionalMemberExpression') first.object = lowered;
    else first.callee = lowered;
    for (const l of links) {
      if (l.type === 'OptionalMemberExpression') {
        if (l.computed) l.property = this.x(l.property, ctx);
      } else this.args(l.arguments, ctx);
    }
  }

  /**
   * `a?.b` -> `(t = a) == null ? undefined : __rw.rp(f, t, "b", loc, "a")`, keeping every
   * short-circuit of the chain (SPEC §4.2).
   */
  private chain(top: t.OptionalMemberExpression | t.OptionalCallExpression, ctx: Ctx, used: boolean): Expr {
    const { base, links } = this.links(top);
    const f = () => this.frame(ctx);
    let h = this.hint(base, ctx);
    const hints: string[] = [];
    for (const l of links) {
      hints.push(h);
      h = l.type === 'OptionalMemberExpression' ? this.hint(l, ctx) : h + '()';
    }
    const build = (i: number, cur: Expr): Expr => {
      if (i === links.length) return cur;
      const l = links[i];
      if (l.optional) {
        const tmp = this.temp(ctx);
        const test = t.binaryExpression('==', this.assignTemp(tmp, cur), t.nullLiteral());
        l.optional = false;
        return t.conditionalExpression(test, VOID0(), build(i, t.cloneNode(tmp)));
      }
      if (l.type === 'OptionalMemberExpression') {
        const next = links[i + 1];
        if (next && next.type === 'OptionalCallExpression') {
          // Callee of a call: kept as a plain member so `this` is the object.
          const prop = l.computed ? this.x(l.property, ctx) : l.property;
          const callee = t.memberExpression(cur, prop, l.computed);
          this.args(next.arguments, ctx);
          if (next.optional) {
            // `a.b?.()`: stays an optional call; what follows stays a plain (uninstrumented) chain.
            let rest: Expr = t.optionalCallExpression(callee, next.arguments, true);
            for (let j = i + 2; j < links.length; j++) {
              const r = links[j];
              if (r.type === 'OptionalMemberExpression') {
                rest = t.optionalMemberExpression(rest, r.computed ? this.x(r.property, ctx) : r.property, r.computed, r.optional);
              } else {
                this.args(r.arguments, ctx);
                rest = t.optionalCallExpression(rest, r.arguments, r.optional);
              }
            }
            return rest;
          }
          return build(i + 2, t.callExpression(callee, next.arguments));
        }
        const last = i === links.length - 1;
        if (!this.o.reads) {
          const prop = l.computed ? this.x(l.property, ctx) : l.property;
          return build(i + 1, t.memberExpression(cur, prop, l.computed));
        }
        if (l.property.type === 'PrivateName') {
          const tmp = this.temp(ctx);
          const read = this.hook('read', [f(), this.assignTemp(tmp, cur), t.stringLiteral('#' + l.property.id.name), t.memberExpression(t.cloneNode(tmp), l.property), this.loc(l), t.stringLiteral(hints[i]!)]);
          return build(i + 1, read);
        }
        const key = l.computed ? this.x(l.property, ctx) : t.stringLiteral(l.property.name);
        const read = last && used
          ? this.hook('rp', [f(), cur, key, this.loc(l), t.stringLiteral(hints[i]!)])
          : this.hook('rb', [f(), cur, key, t.stringLiteral(hints[i]!)]);
        return build(i + 1, read);
      }
      // A call whose callee is not a member of the chain (`f?.()`, `a?.()`).
      this.args(l.arguments, ctx);
      return build(i + 1, t.callExpression(cur, l.arguments));
    };
    return build(0, this.base(base, ctx));
  }

  // ---------------------------------------------------------------- writes

  private assign(e: t.AssignmentExpression, ctx: Ctx, _name: string | null): Expr {
    const op = e.operator;
    const left = unwrap(e.left);
    if (left.type === 'Identifier') {
      const s = this.shared.get(left);
      const right = this.x(e.right, ctx, left.name);
      if (!s || !this.o.writes) {
        e.right = right;
        return e;
      }
      return this.writeVar(left, s, op, right, e.right, e, ctx);
    }
    if (left.type === 'MemberExpression') return this.writeMember(e, left, ctx);
    if (left.type === 'ObjectPattern' || left.type === 'ArrayPattern') {
      e.left = this.assignTarget(left, ctx) as any;
      e.right = this.x(e.right, ctx);
      return e;
    }
    e.right = this.x(e.right, ctx);
    return e;
  }

  /** `x = v`, `x op= v` on a shared binding (SPEC §4.3). */
  private writeVar(id: t.Identifier, s: Shared, op: string, right: Expr, origRight: Node, at: Node, ctx: Ctx): Expr {
    const f = () => this.frame(ctx);
    const owner = () => this.owner(s, ctx);
    const name = () => t.stringLiteral(s.name);
    const target = () => t.identifier(id.name);
    const loc = this.loc(at);
    const value = keepName(right, id.name, origRight);
    const tmp = this.temp(ctx);
    const wv = () => this.hook('wv', [f(), owner(), name(), target(), t.cloneNode(tmp), t.cloneNode(loc)]);
    const rv = () => (this.o.reads ? this.hook('rv', [f(), owner(), name(), target(), t.cloneNode(loc)]) : target());
    if (op === '=') {
      // x = (t = v, __rw.wv(f, owner, "x", x, t, loc)): the old value is read after v is evaluated.
      return t.assignmentExpression('=', id, t.sequenceExpression([t.assignmentExpression('=', t.cloneNode(tmp), value), wv()]));
    }
    if (op === '&&=' || op === '||=' || op === '??=') {
      const lop = op.slice(0, -1) as '&&' | '||' | '??';
      return t.logicalExpression(lop, rv(), t.assignmentExpression('=', id, t.sequenceExpression([t.assignmentExpression('=', t.cloneNode(tmp), value), wv()])));
    }
    const bop = op.slice(0, -1) as any;
    return t.assignmentExpression('=', id, t.sequenceExpression([t.assignmentExpression('=', t.cloneNode(tmp), t.binaryExpression(bop, rv(), right)), wv()]));
  }

  private writeMember(e: t.AssignmentExpression, left: t.MemberExpression, ctx: Ctx): Expr {
    const op = e.operator;
    if (left.object.type === 'Super' || !this.o.writes) {
      // super.x writes are never recorded.
      if (left.object.type !== 'Super') left.object = this.base(left.object, ctx);
      if (left.computed) left.property = this.x(left.property as Expr, ctx);
      e.left = left;
      e.right = this.x(e.right, ctx, src(left, this.code));
      return e;
    }
    const f = () => this.frame(ctx);
    const h = this.hint(left.object, ctx);
    const loc = this.loc(e);
    const hs = () => t.stringLiteral(h);
    if (left.property.type === 'PrivateName') return this.writePrivate(e, left, ctx, h);
    const obj = this.base(left.object, ctx);
    const key = left.computed ? this.x(left.property as Expr, ctx) : t.stringLiteral((left.property as t.Identifier).name);
    const right = this.x(e.right, ctx, src(left, this.code));
    const wp = (o: Expr, k: Expr, v: Expr) => this.hook(ctx.strict ? 'wp' : 'wpSloppy', [f(), o, k, v, t.cloneNode(loc), hs()]);
    if (op === '=') return wp(obj, key, right);
    const to = this.temp(ctx);
    const seq: Expr[] = [this.assignTemp(to, obj)];
    let k: Expr = key;
    if (left.computed && !t.isLiteral(key)) {
      const tk = this.temp(ctx);
      seq.push(this.assignTemp(tk, key));
      k = tk;
    }
    const rp = () => (this.o.reads ? this.hook('rp', [f(), t.cloneNode(to), t.cloneNode(k), t.cloneNode(loc), hs()]) : t.memberExpression(t.cloneNode(to), t.cloneNode(k), true));
    if (op === '&&=' || op === '||=' || op === '??=') {
      seq.push(t.logicalExpression(op.slice(0, -1) as any, rp(), wp(t.cloneNode(to), t.cloneNode(k), right)));
    } else {
      seq.push(wp(t.cloneNode(to), t.cloneNode(k), t.binaryExpression(op.slice(0, -1) as any, rp(), right)));
    }
    return t.sequenceExpression(seq);
  }

  private privateKind(ctx: Ctx, name: string): 'field' | 'method' {
    for (let i = ctx.classes.length - 1; i >= 0; i--) {
      const k = ctx.classes[i]!.privates.get(name);
      if (k) return k;
    }
    return 'method';
  }

  /** `a.#p = v` -> `__rw.write(f, t, "#p", old, t.#p = v, loc, "a")` (old only for fields). */
  private writePrivate(e: t.AssignmentExpression, left: t.MemberExpression, ctx: Ctx, h: string): Expr {
    const priv = left.property as t.PrivateName;
    const pname = '#' + priv.id.name;
    const isField = this.privateKind(ctx, priv.id.name) === 'field';
    const f = () => this.frame(ctx);
    const loc = this.loc(e);
    const to = this.temp(ctx);
    const obj = this.base(left.object, ctx);
    const right = this.x(e.right, ctx);
    const pm = () => t.memberExpression(t.cloneNode(to), t.cloneNode(priv));
    const op = e.operator;
    if (op === '=') {
      return this.hook('write', [f(), this.assignTemp(to, obj), t.stringLiteral(pname), isField ? pm() : t.nullLiteral(), t.assignmentExpression('=', pm(), right), loc, t.stringLiteral(h)]);
    }
    // Compound: read (recorded), then write with the value read as the old value.
    const told = this.temp(ctx);
    const read = this.o.reads
      ? this.hook('read', [f(), t.cloneNode(to), t.stringLiteral(pname), pm(), t.cloneNode(loc), t.stringLiteral(h)])
      : pm();
    const write = (v: Expr) => this.hook('write', [f(), t.cloneNode(to), t.stringLiteral(pname), t.cloneNode(told), t.assignmentExpression('=', pm(), v), t.cloneNode(loc), t.stringLiteral(h)]);
    const seq: Expr[] = [this.assignTemp(to, obj), t.assignmentExpression('=', t.cloneNode(told), read)];
    if (op === '&&=' || op === '||=' || op === '??=') {
      seq.push(t.logicalExpression(op.slice(0, -1) as any, t.cloneNode(told), write(right)));
    } else {
      seq.push(write(t.binaryExpression(op.slice(0, -1) as any, t.cloneNode(told), right)));
    }
    return t.sequenceExpression(seq);
  }

  private update(e: t.UpdateExpression, ctx: Ctx): Expr {
    const arg = unwrap(e.argument);
    const f = () => this.frame(ctx);
    const loc = this.loc(e);
    const inc = (id: t.Identifier) => t.updateExpression(e.operator, t.cloneNode(id), true);
    const postInc = (id: t.Identifier) => t.updateExpression(e.operator, t.cloneNode(id), false);
    if (arg.type === 'Identifier') {
      const s = this.shared.get(arg);
      if (!s || !this.o.writes) return e;
      const owner = () => this.owner(s, ctx);
      const tv = this.temp(ctx);
      const read = this.o.reads ? this.hook('rv', [f(), owner(), t.stringLiteral(s.name), t.identifier(arg.name), t.cloneNode(loc)]) : t.identifier(arg.name);
      const wv = () => this.hook('wv', [f(), owner(), t.stringLiteral(s.name), t.identifier(arg.name), t.cloneNode(tv), t.cloneNode(loc)]);
      if (e.prefix) {
        // ++x -> x = (t = rv(..), ++t, wv(.., t, ..))
        return t.assignmentExpression('=', arg, t.sequenceExpression([t.assignmentExpression('=', t.cloneNode(tv), read), inc(tv), wv()]));
      }
      // x++ -> (t = rv(..), u = t++, x = wv(.., t, ..), u): the value is ToNumeric(old).
      const tu = this.temp(ctx);
      return t.sequenceExpression([
        t.assignmentExpression('=', t.cloneNode(tv), read),
        t.assignmentExpression('=', t.cloneNode(tu), postInc(tv)),
        t.assignmentExpression('=', arg, wv()),
        t.cloneNode(tu),
      ]);
    }
    if (arg.type === 'MemberExpression') {
      if (arg.object.type === 'Super' || !this.o.writes) {
        if (arg.object.type !== 'Super') arg.object = this.base(arg.object, ctx);
        if (arg.computed) arg.property = this.x(arg.property as Expr, ctx);
        e.argument = arg;
        return e;
      }
      const h = this.hint(arg.object, ctx);
      const to = this.temp(ctx);
      const tv = this.temp(ctx);
      const obj = this.base(arg.object, ctx);
      const seq: Expr[] = [this.assignTemp(to, obj)];
      if (arg.property.type === 'PrivateName') {
        const priv = arg.property;
        const pname = '#' + priv.id.name;
        const pm = () => t.memberExpression(t.cloneNode(to), t.cloneNode(priv));
        const read = this.o.reads ? this.hook('read', [f(), t.cloneNode(to), t.stringLiteral(pname), pm(), t.cloneNode(loc), t.stringLiteral(h)]) : pm();
        const told = this.temp(ctx);
        seq.push(t.assignmentExpression('=', t.cloneNode(told), read), t.assignmentExpression('=', t.cloneNode(tv), t.cloneNode(told)));
        const write = () => this.hook('write', [f(), t.cloneNode(to), t.stringLiteral(pname), t.cloneNode(told), t.assignmentExpression('=', pm(), t.cloneNode(tv)), t.cloneNode(loc), t.stringLiteral(h)]);
        if (e.prefix) {
          seq.push(inc(tv), write());
        } else {
          const tu = this.temp(ctx);
          seq.push(t.assignmentExpression('=', t.cloneNode(tu), postInc(tv)), write(), t.cloneNode(tu));
        }
        return t.sequenceExpression(seq);
      }
      let k: Expr = arg.computed ? this.x(arg.property as Expr, ctx) : t.stringLiteral((arg.property as t.Identifier).name);
      if (arg.computed && !t.isLiteral(k)) {
        const tk = this.temp(ctx);
        seq.push(this.assignTemp(tk, k));
        k = tk;
      }
      const read = this.o.reads
        ? this.hook('rp', [f(), t.cloneNode(to), t.cloneNode(k), t.cloneNode(loc), t.stringLiteral(h)])
        : t.memberExpression(t.cloneNode(to), t.cloneNode(k), true);
      seq.push(t.assignmentExpression('=', t.cloneNode(tv), read));
      const wp = () => this.hook(ctx.strict ? 'wp' : 'wpSloppy', [f(), t.cloneNode(to), t.cloneNode(k), t.cloneNode(tv), t.cloneNode(loc), t.stringLiteral(h)]);
      if (e.prefix) {
        seq.push(inc(tv), wp());
      } else {
        const tu = this.temp(ctx);
        seq.push(t.assignmentExpression('=', t.cloneNode(tu), postInc(tv)), wp(), t.cloneNode(tu));
      }
      return t.sequenceExpression(seq);
    }
    return e;
  }

  private unary(e: t.UnaryExpression, ctx: Ctx): Expr {
    if (e.operator === 'delete') {
      const arg = unwrap(e.argument);
      if (arg.type === 'MemberExpression' && arg.object.type !== 'Super' && arg.property.type !== 'PrivateName' && this.o.writes) {
        const h = this.hint(arg.object, ctx);
        const obj = this.base(arg.object, ctx);
        const key = arg.computed ? this.x(arg.property as Expr, ctx) : t.stringLiteral((arg.property as t.Identifier).name);
        return this.hook(ctx.strict ? 'dp' : 'dpSloppy', [this.frame(ctx), obj, key, this.loc(e), t.stringLiteral(h)]);
      }
      if (arg.type === 'MemberExpression') {
        if (arg.object.type !== 'Super') arg.object = this.base(arg.object, ctx);
        if (arg.computed) arg.property = this.x(arg.property as Expr, ctx);
        return e;
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
      const qname = name ? name + '.' + member : '<anonymous>';
      if (p.type === 'ObjectMethod') {
        this.fn(p, ctx, qname);
        continue;
      }
      const v = p.value as Expr;
      const inner = unwrap(v);
      if (inner.type === 'FunctionExpression' && !inner.id) this.fn(inner, ctx, qname);
      else if (inner.type === 'ArrowFunctionExpression') this.fn(inner, ctx, qname);
      else {
        const before = p.value;
        p.value = this.x(v, ctx);
        if (p.value !== before) p.shorthand = false;
      }
    }
  }

  private cls(c: t.ClassDeclaration | t.ClassExpression, outer: Ctx, name: string): void {
    if ((c as any).declare) return;
    const strictOuter = outer.strict ? outer : { ...outer, strict: true };
    if (c.decorators) for (const d of c.decorators) d.expression = this.x(d.expression, strictOuter);
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
        if ((m as any).decorators) for (const d of (m as any).decorators) d.expression = this.x(d.expression, memberCtx);
        if (m.computed) m.key = this.x(m.key as Expr, memberCtx);
        const member = m.kind === 'constructor' ? 'constructor' : keyName(m.key, !!m.computed, this.code);
        this.fn(m, { ...memberCtx, thisClass: name }, name + '.' + member);
      } else if (m.type === 'ClassProperty' || m.type === 'ClassPrivateProperty' || m.type === 'ClassAccessorProperty') {
        if ((m as any).decorators) for (const d of (m as any).decorators) d.expression = this.x(d.expression, memberCtx);
        if ((m as any).computed) m.key = this.x(m.key as Expr, memberCtx) as any;
        if ((m as any).declare || (m as any).abstract || !m.value) continue;
        const member = keyName(m.key, (m as any).computed, this.code);
        const fieldCtx = this.newCtx(memberCtx, {
          frame: null,
          parentFrame: null,
          thisClass: name,
          suspendable: false,
          fn: outer.fn,
        });
        const original = m.value;
        let value = this.x(m.value, fieldCtx, name + '.' + member);
        if (!(m as any).computed && this.o.writes && m.type !== 'ClassAccessorProperty') {
          value = this.hook('fi', [t.thisExpression(), t.stringLiteral(member), keepName(value, member, original), this.loc(m), t.stringLiteral(name)]);
        }
        m.value = this.isolate(value, fieldCtx);
      } else if (m.type === 'StaticBlock') {
        const blockCtx = this.newCtx(memberCtx, { frame: null, parentFrame: null, thisClass: name, suspendable: false, fn: m });
        this.statements(m.body, blockCtx);
        if (blockCtx.temps.length) m.body.unshift(t.variableDeclaration('var', blockCtx.temps.map((n) => t.variableDeclarator(t.identifier(n)))));
      }
    }
  }

  /** Gives an expression evaluated outside any function body its own temporaries: `((t1) => e)()`. */
  private isolate(e: Expr, ctx: Ctx): Expr {
    if (!ctx.temps.length) return e;
    return t.callExpression(t.arrowFunctionExpression(ctx.temps.map((n) => t.identifier(n)), e), []);
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

  fn(node: t.Function | t.TSDeclareMethod, outer: Ctx, qname: string): void {
    if (node.type === 'TSDeclareMethod' || (node as any).declare || !(node as any).body) return;
    const fnode = node as t.Function;
    const depth = outer.depth + 1;
    const frameName = this.P + 'f' + depth;
    const isArrow = fnode.type === 'ArrowFunctionExpression';
    const body = fnode.body;
    const strict =
      outer.strict || (body.type === 'BlockStatement' && body.directives.some((d) => d.value.value === 'use strict'));
    const kind = (fnode.async ? 1 : 0) + (fnode.generator ? 2 : 0);
    const isMethod = fnode.type === 'ClassMethod' || fnode.type === 'ClassPrivateMethod';
    const thisClass = isArrow || isMethod ? outer.thisClass : null;
    const hidden = new Set(outer.hidden ?? []);
    hidden.add(fnode);
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
    };
    for (let i = 0; i < fnode.params.length; i++) {
      const p = fnode.params[i]!;
      const pc = { ...paramCtx, temps: [] as string[] };
      this.bindingPattern(p, pc);
      if (pc.temps.length) {
        // Defaults that needed temporaries: give each its own arrow scope.
        const fix = (n: any) => {
          if (n.type === 'AssignmentPattern') n.right = this.isolate(n.right, pc);
          else if (n.type === 'TSParameterProperty') fix(n.parameter);
        };
        fix(p);
        if (p.type !== 'AssignmentPattern' && p.type !== 'TSParameterProperty') {
          // Temps inside nested patterns: fall back to declaring them in the enclosing function.
          outer.temps.push(...pc.temps);
        }
      }
    }
    const functions = this.o.functions;
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
    };
    this.frameOf.set(fnode, frameName);
    let stmts: t.Statement[];
    let directives: t.Directive[] = [];
    if (body.type === 'BlockStatement') {
      this.block(body, ctx);
      stmts = body.body;
      directives = body.directives;
    } else {
      stmts = [t.returnStatement(this.x(body, ctx))];
    }
    if (!functions) {
      const decl = ctx.temps.length ? [t.variableDeclaration('var', ctx.temps.map((n) => t.variableDeclarator(t.identifier(n))))] : [];
      if (body.type === 'BlockStatement') body.body = [...decl, ...stmts];
      else fnode.body = t.blockStatement([...decl, ...stmts]);
      return;
    }
    const site = this.P + 's' + this.sites.length;
    const line = fnode.loc ? fnode.loc.start.line : 0;
    const names = this.paramNames(fnode.params);
    this.sites.push(
      t.variableDeclarator(
        t.identifier(site),
        this.hook('fsite', [
          t.identifier(this.P + 'm'),
          t.stringLiteral(qname),
          t.numericLiteral(line),
          t.arrayExpression(names.map((n) => t.stringLiteral(n))),
          t.numericLiteral(kind),
        ]),
      ),
    );
    const enter = this.hook('enter', [
      t.identifier(site),
      outer.parentFrame ? t.identifier(outer.parentFrame) : VOID0(),
      ...names.map((n) => t.identifier(n)),
    ]);
    const decls = [t.variableDeclarator(t.identifier(frameName), enter), ...ctx.temps.map((n) => t.variableDeclarator(t.identifier(n)))];
    const wrapped = t.blockStatement(
      [
        t.variableDeclaration('var', decls),
        t.tryStatement(t.blockStatement(stmts), null, t.blockStatement([t.expressionStatement(this.hook('exit', [t.identifier(frameName)]))])),
      ],
      directives,
    );
    fnode.body = wrapped;
    if (isArrow) (fnode as t.ArrowFunctionExpression).expression = false;
  }
}
