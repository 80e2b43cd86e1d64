/**
 * Scope analysis without a type checker (so `transpileModule` works): which identifier references
 * resolve to which binding, which bindings are written after their declaration, and which are
 * captured by a closure. From that, `isShared` decides what SPEC.md §4.1 records.
 */
import type * as TS from 'typescript';

export type BindingKind = 'var' | 'let' | 'const' | 'param' | 'function' | 'class' | 'catch' | 'import' | 'other';

export interface Binding {
  name: string;
  kind: BindingKind;
  /** Function-like node, SourceFile, or a class field / static block (a "container"). */
  container: TS.Node;
  written: boolean;
  captured: boolean;
  /** Declared directly in the module scope (not in a block or loop head at top level). */
  moduleScope: boolean;
  /** The block declaring it, when that block runs once per loop iteration (SPEC §4.3 `blk`). */
  loopBlock?: TS.Block;
}

export interface RefInfo {
  binding: Binding;
  write: boolean;
}

export interface ScopeInfo {
  refs: Map<TS.Identifier, RefInfo>;
  parents: Map<TS.Node, TS.Node>;
  /** Bindings declared by shorthand `{x}` assignment patterns are looked up by the shorthand node. */
  shorthandRefs: Map<TS.ShorthandPropertyAssignment, RefInfo>;
  isShared(ref: RefInfo | undefined, mode: 'shared' | 'all'): boolean;
}

interface Scope {
  parent: Scope | undefined;
  names: Map<string, Binding>;
  container: TS.Node;
  /** `with` bodies: lookups cannot be resolved statically. */
  dynamic?: boolean;
  functionScope: boolean;
  loopBlock?: TS.Block;
}

export function analyzeScopes(ts: typeof TS, sf: TS.SourceFile): ScopeInfo {
  const refs = new Map<TS.Identifier, RefInfo>();
  const shorthandRefs = new Map<TS.ShorthandPropertyAssignment, RefInfo>();
  const parents = new Map<TS.Node, TS.Node>();
  // A bound source file (any program emit, transpileModule) has correct parent pointers; the map only
  // records nodes whose pointer is missing or stale (nodes made or moved by an earlier transformer).
  const parentOf = (n: TS.Node): TS.Node | undefined => (parents.size === 0 ? n.parent : parents.get(n) ?? n.parent);
  const SK = ts.SyntaxKind;

  const moduleScope: Scope = { parent: undefined, names: new Map(), container: sf, functionScope: true };

  // ---- pass 1: parents, scopes and declarations --------------------------------------------
  const scopeOf = new Map<TS.Node, Scope>();
  const pending: { id: TS.Identifier; scope: Scope; container: TS.Node; write: boolean; shorthand: TS.ShorthandPropertyAssignment | undefined }[] = [];

  const { walk: WALK, parent: PARENT, outer: OUTER } = kindTables(ts);
  const isFunctionLike = (n: TS.Node): boolean => WALK[n.kind] === Walk.Function;

  function declare(scope: Scope, name: string, kind: BindingKind) {
    const existing = scope.names.get(name);
    if (existing) {
      if (existing.kind === 'param' || existing.kind === 'var' || existing.kind === 'function') return;
    }
    scope.names.set(name, { name, kind, container: scope.container, written: false, captured: false, moduleScope: scope === moduleScope, loopBlock: scope.loopBlock });
  }
  function functionScopeOf(scope: Scope): Scope {
    let s: Scope = scope;
    while (!s.functionScope && s.parent) s = s.parent;
    return s;
  }
  function declarePattern(scope: Scope, name: TS.BindingName, kind: BindingKind) {
    if (ts.isIdentifier(name)) declare(scope, name.text, kind);
    else for (const el of name.elements) if (!ts.isOmittedExpression(el)) declarePattern(scope, el.name, kind);
  }
  function hasDeclare(n: TS.Node): boolean {
    const mods = (n as any).modifiers as TS.NodeArray<TS.ModifierLike> | undefined;
    if (mods) for (let i = 0; i < mods.length; i++) if (mods[i]!.kind === SK.DeclareKeyword) return true;
    return false;
  }

  function isTypeOnly(n: TS.Node): boolean {
    if (ts.isExpressionWithTypeArguments(n)) {
      const p = parentOf(n);
      return !(p && ts.isHeritageClause(p) && p.token === SK.ExtendsKeyword && !ts.isInterfaceDeclaration(parentOf(p)!));
    }
    if (ts.isTypeNode(n)) return true;
    switch (n.kind) {
      case SK.InterfaceDeclaration: case SK.TypeAliasDeclaration: case SK.TypeParameter:
        return true;
      case SK.HeritageClause:
        return (n as TS.HeritageClause).token === SK.ImplementsKeyword;
      case SK.ImportDeclaration:
        return !!(n as TS.ImportDeclaration).importClause?.isTypeOnly;
      case SK.ExportDeclaration:
        return (n as TS.ExportDeclaration).isTypeOnly;
    }
    return hasDeclare(n);
  }

  /** Is `id` (with parent p) a value reference? Returns 'read' | 'write' | undefined. */
  function refKind(id: TS.Identifier, p: TS.Node): 'read' | 'write' | undefined {
    switch (PARENT[p.kind]) {
      case Parent.NotRef: return undefined;
      case Parent.Named: return (p as any).name === id || (p as any).propertyName === id ? undefined : 'read';
      case Parent.NamedMaybeWrite: if ((p as any).name === id) return undefined; break;
      case Parent.MaybeWrite: break;
      default: return 'read';
    }
    return isWriteTarget(id) ? 'write' : 'read';
  }

  function skipOuterUp(n: TS.Node): TS.Node {
    let p = parentOf(n);
    while (p && OUTER[p.kind]) { n = p; p = parentOf(n); }
    return n;
  }
  /** Is the expression n (an identifier or a pattern element) an assignment target? */
  function isWriteTarget(n: TS.Node): boolean {
    const top = skipOuterUp(n);
    const p = parentOf(top);
    if (!p) return false;
    if (ts.isBinaryExpression(p) && p.left === top && isAssignmentOp(p.operatorToken.kind)) return true;
    if ((ts.isPrefixUnaryExpression(p) || ts.isPostfixUnaryExpression(p)) &&
      (p.operator === SK.PlusPlusToken || p.operator === SK.MinusMinusToken)) return true;
    if ((ts.isForOfStatement(p) || ts.isForInStatement(p)) && p.initializer === top) return true;
    // pattern elements
    if (isPatternPart(top)) return true;
    return false;
  }
  /** Is n a target inside a destructuring assignment pattern? */
  function isPatternPart(n: TS.Node): boolean {
    const p = parentOf(n);
    if (!p) return false;
    if (ts.isArrayLiteralExpression(p)) return isPatternRoot(p);
    if (ts.isSpreadElement(p) || ts.isSpreadAssignment(p)) { const pp = parentOf(p)!; return (ts.isArrayLiteralExpression(pp) || ts.isObjectLiteralExpression(pp)) && isPatternRoot(pp); }
    if (ts.isPropertyAssignment(p) && p.initializer === n) return isPatternRoot(parentOf(p)!);
    if (ts.isShorthandPropertyAssignment(p) && p.name === n) return isPatternRoot(parentOf(p)!);
    if (ts.isBinaryExpression(p) && p.left === n && p.operatorToken.kind === SK.EqualsToken) {
      // default value inside a pattern: `[x = 1] = a`
      return isPatternPart(p);
    }
    return false;
  }
  function isPatternRoot(lit: TS.Node): boolean {
    const top = skipOuterUp(lit);
    const p = parentOf(top);
    if (!p) return false;
    if (ts.isBinaryExpression(p) && p.left === top && p.operatorToken.kind === SK.EqualsToken) return true;
    if ((ts.isForOfStatement(p) || ts.isForInStatement(p)) && p.initializer === top) return true;
    return isPatternPart(top);
  }
  const isAssignmentOp = (k: TS.SyntaxKind) => k >= SK.FirstAssignment && k <= SK.LastAssignment;

  /** Does block b run once per iteration of a loop of its own function? */
  function inLoop(b: TS.Node, container: TS.Node): boolean {
    let child: TS.Node = b;
    let p = parentOf(b);
    while (p && p !== container) {
      if ((ts.isForStatement(p) || ts.isForOfStatement(p) || ts.isForInStatement(p) || ts.isWhileStatement(p) || ts.isDoStatement(p)) && p.statement === child) return true;
      if (isFunctionLike(p) || ts.isClassStaticBlockDeclaration(p)) return false;
      child = p;
      p = parentOf(p);
    }
    return false;
  }

  // The walk runs once per file, so in a build mostly as cold code, where every `ts.isX` call and
  // `case SK.X` load counts: the frequent kinds (identifiers, tokens, pass-through expressions) are
  // told apart by one table lookup, the rest is walkOther.
  function walk(n: TS.Node, scope: Scope, container: TS.Node) {
    switch (WALK[n.kind]) {
      case Walk.Identifier: reference(n as TS.Identifier, scope, container); return;
      case Walk.Leaf: return;
      case Walk.Plain: walkChildren(n, scope, container); return;
    }
    walkOther(n, scope, container);
  }
  function reference(id: TS.Identifier, scope: Scope, container: TS.Node) {
    const p = parentOf(id);
    if (!p) return;
    const k = refKind(id, p);
    if (k) pending.push({ id, scope, container, write: k === 'write', shorthand: undefined });
  }
  function walkOther(n: TS.Node, scope: Scope, container: TS.Node) {
    if (isTypeOnly(n) && n.kind !== SK.SourceFile) return;
    if (ts.isModuleDeclaration(n)) { if (ts.isIdentifier(n.name)) declare(scope, n.name.text, 'other'); return; }
    if (ts.isEnumDeclaration(n)) { declare(scope, n.name.text, 'other'); return; }
    if (ts.isDecorator(n)) return;

    let inner = scope;
    let innerContainer = container;
    if (isFunctionLike(n)) {
      const fn = n as TS.FunctionLikeDeclaration;
      if (!fn.body) return; // overloads, abstract
      innerContainer = n;
      if (ts.isFunctionExpression(n) && n.name) {
        // the name of a named function expression lives in its own scope, immutable
        const nameScope: Scope = { parent: scope, names: new Map(), container: n, functionScope: false };
        declare(nameScope, n.name.text, 'const');
        inner = nameScope;
      }
      inner = { parent: inner, names: new Map(), container: n, functionScope: true };
      for (const p of fn.parameters) {
        if (ts.isIdentifier(p.name) && p.name.text === 'this') continue;
        declarePattern(inner, p.name, 'param');
      }
      scopeOf.set(n, inner);
    } else if (ts.isClassStaticBlockDeclaration(n)) {
      innerContainer = n;
      inner = { parent: scope, names: new Map(), container: n, functionScope: true };
    } else if (ts.isPropertyDeclaration(n) && n.initializer) {
      // class field initializers run later, per instance: a container of their own
      innerContainer = n;
      inner = { parent: scope, names: new Map(), container: n, functionScope: true };
    } else if (ts.isClassDeclaration(n) || ts.isClassExpression(n)) {
      if (n.name) {
        if (ts.isClassDeclaration(n)) declare(scope, n.name.text, 'class');
        inner = { parent: scope, names: new Map(), container, functionScope: false };
        declare(inner, n.name.text, 'const');
      }
    } else if (ts.isBlock(n) || ts.isForStatement(n) || ts.isForOfStatement(n) || ts.isForInStatement(n) ||
      ts.isCaseBlock(n) || ts.isCatchClause(n)) {
      if (!(ts.isBlock(n) && parentOf(n) && isFunctionLike(parentOf(n)!))) {
        inner = { parent: scope, names: new Map(), container, functionScope: false, loopBlock: ts.isBlock(n) && inLoop(n, container) ? n : undefined };
      }
      if (ts.isCatchClause(n) && n.variableDeclaration) declarePattern(inner, n.variableDeclaration.name, 'catch');
    } else if (ts.isWithStatement(n)) {
      walkChild(n.expression, scope, container, n);
      const dyn: Scope = { parent: scope, names: new Map(), container, dynamic: true, functionScope: false };
      walkChild(n.statement, dyn, container, n);
      return;
    }

    // declarations made by this node
    if (ts.isVariableDeclarationList(n)) {
      const flags = n.flags;
      const kind: BindingKind = flags & ts.NodeFlags.Const ? 'const' : flags & (ts.NodeFlags.Let | (ts.NodeFlags as any).Using | (ts.NodeFlags as any).AwaitUsing) ? (flags & ts.NodeFlags.Let ? 'let' : 'const') : 'var';
      const target = kind === 'var' ? functionScopeOf(scope) : scope;
      for (const d of n.declarations) declarePattern(target, d.name, kind);
    } else if (ts.isFunctionDeclaration(n) && n.name && n.body) {
      const p = parentOf(n);
      const target = p && (ts.isSourceFile(p) || (ts.isBlock(p) && parentOf(p) && isFunctionLike(parentOf(p)!)) || ts.isModuleBlock(p)) ? functionScopeOf(scope) : scope;
      declare(target, n.name.text, 'function');
    } else if (ts.isImportDeclaration(n) && n.importClause) {
      const c = n.importClause;
      if (c.name) declare(scope, c.name.text, 'import');
      if (c.namedBindings) {
        if (ts.isNamespaceImport(c.namedBindings)) declare(scope, c.namedBindings.name.text, 'import');
        else for (const s of c.namedBindings.elements) declare(scope, s.name.text, 'import');
      }
      return;
    } else if (ts.isImportEqualsDeclaration(n)) {
      declare(scope, n.name.text, 'import');
      return;
    }

    if (ts.isShorthandPropertyAssignment(n)) {
      const write = isPatternRoot(parentOf(n)!);
      pending.push({ id: n.name, scope, container, write, shorthand: n });
      if (n.name.parent !== n) parents.set(n.name, n);
      if (n.objectAssignmentInitializer) walkChild(n.objectAssignmentInitializer, scope, container, n);
      return;
    }
    walkChildren(n, inner, innerContainer);
  }
  function walkChild(c: TS.Node, scope: Scope, container: TS.Node, parent: TS.Node) {
    if (c.parent !== parent) parents.set(c, parent);
    walk(c, scope, container);
  }
  // One callback for every node's children (no closure per node): the walk's position lives in
  // these variables, saved and restored around each child.
  let curScope = moduleScope, curContainer: TS.Node = sf, curParent: TS.Node = sf;
  const onChild = (c: TS.Node): undefined => {
    const s = curScope, k = curContainer, p = curParent;
    if (c.parent !== p) parents.set(c, p);
    walk(c, s, k);
    curScope = s; curContainer = k; curParent = p;
    return undefined;
  };
  function walkChildren(n: TS.Node, scope: Scope, container: TS.Node) {
    curScope = scope; curContainer = container; curParent = n;
    ts.forEachChild(n, onChild);
  }

  // hoisting: declarations are collected in pass 1, references resolved afterwards
  walkChildren(sf, moduleScope, sf);

  // ---- pass 2: resolve -----------------------------------------------------------------------
  for (const r of pending) {
    let s: Scope | undefined = r.scope;
    let b: Binding | undefined;
    while (s) {
      if (s.dynamic) { b = undefined; break; }
      b = s.names.get(r.id.text);
      if (b) break;
      s = s.parent;
    }
    if (!b) continue;
    if (r.write) b.written = true;
    if (r.container !== b.container) b.captured = true;
    const info: RefInfo = { binding: b, write: r.write };
    if (r.shorthand) shorthandRefs.set(r.shorthand, info);
    else refs.set(r.id, info);
  }

  return {
    refs,
    parents,
    shorthandRefs,
    isShared(ref, mode) {
      if (!ref) return false;
      const b = ref.binding;
      if (b.kind === 'const' || b.kind === 'import' || b.kind === 'other') return false;
      if (!b.written) return false;
      if (ts.isPropertyDeclaration(b.container) || ts.isClassStaticBlockDeclaration(b.container)) return false;
      if (b.moduleScope) return true;
      return mode === 'all' || b.captured;
    },
  };
}

/** What the walk does with a node kind (other kinds: walkOther). */
const enum Walk { Other, Leaf, Plain, Identifier, Function }
/**
 * What an identifier's parent says about it: a read (most parents), not a reference, a reference
 * unless it is the parent's name; MaybeWrite parents are the only ones isWriteTarget can answer
 * yes for (wrappers skipOuterUp looks through, assignments, ++/--, for-in/of heads, pattern parts).
 */
const enum Parent { Read, NotRef, Named, NamedMaybeWrite, MaybeWrite }

interface KindTables { walk: Uint8Array; parent: Uint8Array; outer: Uint8Array }
const tablesByTs = new WeakMap<object, KindTables>();

/**
 * Kind tables of the walk, indexed by SyntaxKind (whose numbers differ between TypeScript versions,
 * hence one set per `ts`). Walk: Plain kinds neither declare, open a scope, nor carry modifiers, so
 * the walk only descends; Leaf kinds have nothing to walk (or nothing the walk would look at).
 * Parent: the cases of refKind. Outer: the wrappers skipOuterUp looks through.
 */
function kindTables(ts: typeof TS): KindTables {
  let t = tablesByTs.get(ts);
  if (t) return t;
  const SK = ts.SyntaxKind;
  const plainKinds = [SK.PropertyAccessExpression, SK.ElementAccessExpression, SK.CallExpression, SK.NewExpression,
    SK.BinaryExpression, SK.ExpressionStatement, SK.ReturnStatement, SK.IfStatement, SK.ParenthesizedExpression,
    SK.PrefixUnaryExpression, SK.PostfixUnaryExpression, SK.ConditionalExpression, SK.ArrayLiteralExpression,
    SK.ObjectLiteralExpression, SK.PropertyAssignment, SK.TemplateExpression, SK.TemplateSpan, SK.AwaitExpression,
    SK.YieldExpression, SK.SpreadElement, SK.SpreadAssignment, SK.ThrowStatement, SK.WhileStatement, SK.DoStatement,
    SK.SwitchStatement, SK.CaseClause, SK.DefaultClause, SK.VariableDeclaration, SK.ElementAccessExpression,
    SK.TypeOfExpression, SK.VoidExpression, SK.DeleteExpression, SK.TaggedTemplateExpression, SK.ArrayBindingPattern,
    SK.ObjectBindingPattern, SK.BindingElement, SK.Parameter, SK.LabeledStatement, SK.TryStatement, SK.NonNullExpression,
    SK.AsExpression, SK.SatisfiesExpression, SK.TypeAssertionExpression, SK.ComputedPropertyName];
  const leafKinds = [SK.StringLiteral, SK.NumericLiteral, SK.BigIntLiteral, SK.NoSubstitutionTemplateLiteral, SK.ThisKeyword,
    SK.SuperKeyword, SK.TrueKeyword, SK.FalseKeyword, SK.NullKeyword, SK.RegularExpressionLiteral, SK.PrivateIdentifier,
    SK.TemplateHead, SK.TemplateMiddle, SK.TemplateTail, SK.EmptyStatement, SK.BreakStatement, SK.ContinueStatement,
    SK.DebuggerStatement, SK.OmittedExpression, SK.DotDotDotToken, SK.QuestionDotToken, SK.QuestionToken];
  const walk = new Uint8Array(SK.Count), parent = new Uint8Array(SK.Count), outer = new Uint8Array(SK.Count);
  for (const k of plainKinds) walk[k] = Walk.Plain;
  for (const k of leafKinds) walk[k] = Walk.Leaf;
  // tokens (keywords, modifiers, punctuation) have no children; type syntax and type declarations
  // are never walked (isTypeOnly); heritage `extends` (ExpressionWithTypeArguments) is, though
  for (let k = 0; k <= SK.LastToken; k++) if (k !== SK.Identifier) walk[k] = Walk.Leaf;
  for (let k = 0; k < SK.Count; k++) if (ts.isTypeNode({ kind: k } as TS.Node) && k !== SK.ExpressionWithTypeArguments) walk[k] = Walk.Leaf;
  for (const k of [SK.InterfaceDeclaration, SK.TypeAliasDeclaration, SK.TypeParameter]) walk[k] = Walk.Leaf;
  walk[SK.Identifier] = Walk.Identifier;
  for (const k of [SK.FunctionDeclaration, SK.FunctionExpression, SK.ArrowFunction, SK.MethodDeclaration, SK.Constructor,
    SK.GetAccessor, SK.SetAccessor]) walk[k] = Walk.Function;

  for (const k of [SK.QualifiedName, SK.LabeledStatement, SK.BreakStatement, SK.ContinueStatement, SK.ImportSpecifier,
    SK.ExportSpecifier, SK.ImportClause, SK.NamespaceImport, SK.NamespaceExport, SK.ImportEqualsDeclaration, SK.MetaProperty,
    SK.JsxOpeningElement, SK.JsxClosingElement, SK.JsxSelfClosingElement, SK.JsxAttribute, SK.JsxNamespacedName]) parent[k] = Parent.NotRef;
  // (only binding names have a `propertyName`; for the others it is undefined)
  for (const k of [SK.PropertyAccessExpression, SK.PropertyDeclaration, SK.MethodDeclaration,
    SK.GetAccessor, SK.SetAccessor, SK.PropertySignature, SK.MethodSignature, SK.EnumMember, SK.VariableDeclaration,
    SK.Parameter, SK.FunctionDeclaration, SK.FunctionExpression, SK.ClassDeclaration, SK.ClassExpression,
    SK.BindingElement]) parent[k] = Parent.Named;
  parent[SK.PropertyAssignment] = Parent.NamedMaybeWrite;
  const outerKinds = [SK.ParenthesizedExpression, SK.AsExpression, SK.NonNullExpression, SK.SatisfiesExpression, SK.TypeAssertionExpression];
  for (const k of outerKinds) outer[k] = 1;
  for (const k of [...outerKinds, SK.BinaryExpression, SK.PrefixUnaryExpression, SK.PostfixUnaryExpression, SK.ForOfStatement,
    SK.ForInStatement, SK.ArrayLiteralExpression, SK.SpreadElement, SK.SpreadAssignment, SK.ShorthandPropertyAssignment]) parent[k] = Parent.MaybeWrite;
  t = { walk, parent, outer };
  tablesByTs.set(ts, t);
  return t;
}
