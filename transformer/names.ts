/**
 * Names the front end passes to the runtime (SPEC.md §3 qualified function names, §5 baseName
 * hints). Uses the parent map from the scope pass, so it does not depend on parent pointers.
 */
import type * as TS from 'typescript';
import { ANONYMOUS, COMPUTED, memberHint, OTHER_EXPRESSION, qualifiedName, THIS } from '../protocol/names';


export class Namer {
  constructor(private ts: typeof TS, private sf: TS.SourceFile, private parents: Map<TS.Node, TS.Node>) {}

  parent(n: TS.Node): TS.Node | undefined {
    return this.parents.size === 0 ? n.parent : this.parents.get(n) ?? n.parent;
  }

  /** Skips parentheses and TypeScript-only wrappers upwards. */
  private outerParent(n: TS.Node): { node: TS.Node; parent: TS.Node | undefined } {
    const ts = this.ts;
    let p = this.parent(n);
    while (p && (ts.isParenthesizedExpression(p) || ts.isAsExpression(p) || ts.isSatisfiesExpression(p) ||
      ts.isNonNullExpression(p) || ts.isTypeAssertionExpression(p))) { n = p; p = this.parent(n); }
    return { node: n, parent: p };
  }

  propertyName(name: TS.PropertyName | TS.BindingName | undefined): string | undefined {
    const ts = this.ts;
    if (!name) return undefined;
    if (ts.isIdentifier(name) || ts.isPrivateIdentifier(name)) return name.text;
    if (ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isNoSubstitutionTemplateLiteral(name)) return name.text;
    if (ts.isComputedPropertyName(name)) {
      const e = name.expression;
      if (ts.isStringLiteral(e) || ts.isNumericLiteral(e)) return e.text;
      return undefined;
    }
    return undefined;
  }

  /** Dotted source name of a simple target expression (`a`, `a.b`, `module.exports`, `this.x`). */
  targetName(e: TS.Expression): string | undefined {
    const ts = this.ts;
    e = this.skipOuter(e);
    if (ts.isIdentifier(e)) return e.text;
    if (e.kind === ts.SyntaxKind.ThisKeyword) return this.thisName(e);
    if (ts.isPropertyAccessExpression(e)) {
      const base = this.targetName(e.expression);
      return base === undefined ? undefined : base + '.' + e.name.text;
    }
    if (ts.isElementAccessExpression(e) && (ts.isStringLiteral(e.argumentExpression) || ts.isNumericLiteral(e.argumentExpression))) {
      const base = this.targetName(e.expression);
      return base === undefined ? undefined : base + '.' + e.argumentExpression.text;
    }
    return undefined;
  }

  skipOuter(e: TS.Expression): TS.Expression {
    const ts = this.ts;
    while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e) ||
      ts.isNonNullExpression(e) || ts.isTypeAssertionExpression(e)) e = e.expression;
    return e;
  }

  /** Name a value (function, class, object literal) gets from where it is defined. */
  contextName(n: TS.Node): string | undefined {
    const ts = this.ts;
    const { node, parent: p } = this.outerParent(n);
    if (!p) return undefined;
    if (ts.isVariableDeclaration(p) && p.initializer === node && ts.isIdentifier(p.name)) return p.name.text;
    if (ts.isBinaryExpression(p) && p.right === node && p.operatorToken.kind >= ts.SyntaxKind.FirstAssignment &&
      p.operatorToken.kind <= ts.SyntaxKind.LastAssignment) return this.targetName(p.left);
    if ((ts.isPropertyAssignment(p) && p.initializer === node)) {
      const obj = this.parent(p)!;
      return qualifiedName(this.objectName(obj as TS.ObjectLiteralExpression), this.propertyName(p.name) ?? COMPUTED);
    }
    if (ts.isPropertyDeclaration(p) && p.initializer === node) {
      const cls = this.parent(p) as TS.ClassLikeDeclaration;
      return qualifiedName(this.className(cls), this.propertyName(p.name) ?? COMPUTED);
    }
    return undefined;
  }

  objectName(obj: TS.ObjectLiteralExpression): string {
    return this.contextName(obj) ?? ANONYMOUS;
  }

  className(cls: TS.ClassLikeDeclaration): string {
    if (cls.name) return cls.name.text;
    return this.contextName(cls) ?? ANONYMOUS;
  }

  /** SPEC §3 qualified name of a function-like node. */
  qualifiedName(fn: TS.FunctionLikeDeclaration): string {
    const ts = this.ts;
    const p = this.parent(fn);
    if (ts.isConstructorDeclaration(fn)) return this.className(p as TS.ClassLikeDeclaration) + '.constructor';
    if (ts.isMethodDeclaration(fn) || ts.isGetAccessorDeclaration(fn) || ts.isSetAccessorDeclaration(fn)) {
      const member = this.propertyName(fn.name) ?? COMPUTED;
      if (p && ts.isObjectLiteralExpression(p)) return this.objectName(p) + '.' + member;
      if (p && (ts.isClassDeclaration(p) || ts.isClassExpression(p))) return this.className(p) + '.' + member;
      return member;
    }
    if ((ts.isFunctionDeclaration(fn) || ts.isFunctionExpression(fn)) && fn.name) return fn.name.text;
    return this.contextName(fn) ?? ANONYMOUS;
  }

  /** What `this` is called in hints: the enclosing class (or object literal) name, else "this". */
  thisName(n: TS.Node): string {
    const ts = this.ts;
    let cur: TS.Node | undefined = this.parent(n);
    let prev: TS.Node = n;
    while (cur) {
      if (ts.isArrowFunction(cur)) { prev = cur; cur = this.parent(cur); continue; }
      if (ts.isClassStaticBlockDeclaration(cur) || (ts.isPropertyDeclaration(cur) && cur.initializer === prev) ||
        ts.isConstructorDeclaration(cur) || ((ts.isMethodDeclaration(cur) || ts.isGetAccessorDeclaration(cur) || ts.isSetAccessorDeclaration(cur)))) {
        const owner = this.parent(cur)!;
        if (ts.isClassDeclaration(owner) || ts.isClassExpression(owner)) return this.className(owner);
        if (ts.isObjectLiteralExpression(owner)) { const o = this.objectName(owner); return o === ANONYMOUS ? THIS : o; }
        return THIS;
      }
      if (ts.isFunctionDeclaration(cur) || ts.isFunctionExpression(cur) || ts.isSourceFile(cur)) return THIS;
      if (ts.isClassDeclaration(cur) || ts.isClassExpression(cur)) return THIS; // computed keys etc.
      prev = cur;
      cur = this.parent(cur);
    }
    return THIS;
  }

  /** SPEC §5 baseName hint of an object expression. */
  hint(e: TS.Expression): string {
    const ts = this.ts;
    e = this.skipOuter(e);
    if (ts.isIdentifier(e)) return e.text;
    if (e.kind === ts.SyntaxKind.ThisKeyword) return this.thisName(e);
    if (e.kind === ts.SyntaxKind.SuperKeyword) return 'super';
    if (ts.isPropertyAccessExpression(e)) return this.hint(e.expression) + '.' + e.name.text;
    if (ts.isElementAccessExpression(e)) {
      const k = this.skipOuter(e.argumentExpression);
      if (ts.isStringLiteral(k) || ts.isNoSubstitutionTemplateLiteral(k)) {
        return memberHint(this.hint(e.expression), k.text);
      }
      if (ts.isNumericLiteral(k)) return this.hint(e.expression) + '[' + k.text + ']';
      if (ts.isIdentifier(k)) return this.hint(e.expression) + '[' + k.text + ']';
      return this.hint(e.expression) + '[]';
    }
    if (ts.isCallExpression(e)) return this.hint(e.expression) + '()';
    if (ts.isNewExpression(e)) return 'new ' + this.hint(e.expression) + '()';
    return OTHER_EXPRESSION;
  }

  line(n: TS.Node): number {
    return this.sf.getLineAndCharacterOfPosition(n.getStart(this.sf)).line + 1;
  }
}
