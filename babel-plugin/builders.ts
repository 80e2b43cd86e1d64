// AST helpers of the Babel front end: unvalidated node builders for what the rewrite emits on every
// access, TypeScript wrappers, and NamedEvaluation.
import * as t from '@babel/types';

export type Node = t.Node;
export type Expr = t.Expression;

/** The wrappers an expression may sit in without changing what it evaluates: parentheses and TypeScript-only syntax. */
export type Wrapper = t.TSAsExpression | t.TSSatisfiesExpression | t.TSNonNullExpression | t.TSTypeAssertion | t.TSInstantiationExpression | t.ParenthesizedExpression;

export function isTSWrapper(n: Node): n is Wrapper {
  return (
    n.type === 'TSAsExpression' ||
    n.type === 'TSSatisfiesExpression' ||
    n.type === 'TSNonNullExpression' ||
    n.type === 'TSTypeAssertion' ||
    n.type === 'TSInstantiationExpression' ||
    n.type === 'ParenthesizedExpression'
  );
}

/** The expression inside any wrappers. */
export function unwrap(n: Node): Node {
  while (isTSWrapper(n)) n = n.expression;
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

/**
 * Keeps the `name` a function/class would have got from its original position (NamedEvaluation):
 * `x = () => {}` moved into a hook call becomes `{ "x": () => {} }["x"]`.
 */
export function keepName(value: Expr, name: string, original: Node): Expr {
  if (!isAnonymousFunctionDefinition(original)) return value;
  const key = t.stringLiteral(name);
  return t.memberExpression(t.objectExpression([t.objectProperty(key, value)]), t.cloneNode(key), true);
}

/**
 * The name an identifier has in the source. Names in site records (hints, qualified names, binding
 * names) come from it rather than from `name`, which a plugin that renames bindings may have changed
 * before the rewrite reached the code (see plugin.ts: top-level statements are rewritten as the
 * traversal reaches them). The parser records it in `loc`; generated identifiers have no `loc`.
 */
export function nameOf(id: t.Identifier): string {
  return id.loc?.identifierName ?? id.name;
}

type Operand = Expr | t.PrivateName;

/**
 * Unvalidated node builders for the shapes this front end emits on every access (the @babel/types
 * builders validate each field, which showed up as a large part of the plugin's own time). The
 * nodes are exactly what the validated builders would produce for these arguments.
 */
export const F = {
  identifier: (name: string): t.Identifier => ({ type: 'Identifier', name }) as t.Identifier,
  stringLiteral: (value: string): t.StringLiteral => ({ type: 'StringLiteral', value }) as t.StringLiteral,
  numericLiteral: (value: number): t.NumericLiteral => ({ type: 'NumericLiteral', value }) as t.NumericLiteral,
  nullLiteral: (): t.NullLiteral => ({ type: 'NullLiteral' }) as t.NullLiteral,
  thisExpression: (): t.ThisExpression => ({ type: 'ThisExpression' }) as t.ThisExpression,
  callExpression: (callee: Expr | t.V8IntrinsicIdentifier, args: t.CallExpression['arguments']): t.CallExpression => ({ type: 'CallExpression', callee, arguments: args }) as t.CallExpression,
  memberExpression: (object: Expr | t.Super, property: Expr | t.Identifier | t.PrivateName, computed = false): t.MemberExpression =>
    ({ type: 'MemberExpression', object, property, computed }) as t.MemberExpression,
  unaryExpression: (operator: t.UnaryExpression['operator'], argument: Expr, prefix = true): t.UnaryExpression => ({ type: 'UnaryExpression', operator, argument, prefix }) as t.UnaryExpression,
  assignmentExpression: (operator: string, left: t.LVal | t.OptionalMemberExpression, right: Expr): t.AssignmentExpression => ({ type: 'AssignmentExpression', operator, left, right }) as t.AssignmentExpression,
  sequenceExpression: (expressions: Expr[]): t.SequenceExpression => ({ type: 'SequenceExpression', expressions }) as t.SequenceExpression,
  conditionalExpression: (test: Expr, consequent: Expr, alternate: Expr): t.ConditionalExpression =>
    ({ type: 'ConditionalExpression', test, consequent, alternate }) as t.ConditionalExpression,
  binaryExpression: (operator: t.BinaryExpression['operator'], left: Operand, right: Expr): t.BinaryExpression => ({ type: 'BinaryExpression', operator, left, right }) as t.BinaryExpression,
  logicalExpression: (operator: t.LogicalExpression['operator'], left: Expr, right: Expr): t.LogicalExpression => ({ type: 'LogicalExpression', operator, left, right }) as t.LogicalExpression,
  updateExpression: (operator: t.UpdateExpression['operator'], argument: Expr, prefix = false): t.UpdateExpression => ({ type: 'UpdateExpression', operator, argument, prefix }) as t.UpdateExpression,
  expressionStatement: (expression: Expr): t.ExpressionStatement => ({ type: 'ExpressionStatement', expression }) as t.ExpressionStatement,
  blockStatement: (body: t.Statement[], directives: t.Directive[] = []): t.BlockStatement => ({ type: 'BlockStatement', body, directives }) as t.BlockStatement,
  variableDeclaration: (kind: 'var' | 'const', declarations: t.VariableDeclarator[]): t.VariableDeclaration => ({ type: 'VariableDeclaration', kind, declarations }) as t.VariableDeclaration,
  variableDeclarator: (id: t.LVal, init: Expr | null = null): t.VariableDeclarator => ({ type: 'VariableDeclarator', id, init }) as t.VariableDeclarator,
  tryStatement: (block: t.BlockStatement, handler: t.CatchClause | null, finalizer: t.BlockStatement | null): t.TryStatement => ({ type: 'TryStatement', block, handler, finalizer }) as t.TryStatement,
  returnStatement: (argument: Expr | null): t.ReturnStatement => ({ type: 'ReturnStatement', argument }) as t.ReturnStatement,
  throwStatement: (argument: Expr): t.ThrowStatement => ({ type: 'ThrowStatement', argument }) as t.ThrowStatement,
  catchClause: (param: t.Identifier, body: t.BlockStatement): t.CatchClause => ({ type: 'CatchClause', param, body }) as t.CatchClause,
  /** Shallow copies for the leaf nodes we duplicate (identifiers, literals, private names). */
  cloneNode: <T extends t.Node>(n: T): T => {
    switch (n.type) {
      case 'Identifier':
        return { type: 'Identifier', name: (n as t.Identifier).name } as t.Node as T;
      case 'StringLiteral':
        return { type: 'StringLiteral', value: (n as t.StringLiteral).value } as t.Node as T;
      case 'NumericLiteral':
        return { type: 'NumericLiteral', value: (n as t.NumericLiteral).value } as t.Node as T;
      case 'PrivateName':
        return { type: 'PrivateName', id: { type: 'Identifier', name: (n as t.PrivateName).id.name } } as t.Node as T;
      case 'ThisExpression':
      case 'NullLiteral':
        return { type: n.type } as t.Node as T;
      default:
        return t.cloneNode(n, true, true);
    }
  },
};

/** `void 0`. */
export const VOID0 = (): t.UnaryExpression => F.unaryExpression('void', F.numericLiteral(0), true);
