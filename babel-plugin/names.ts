// Names in site records as the Babel front end reads them from the AST (SPEC §3 qualified names,
// §5 baseName hints); the rules themselves (anonymous/computed names, key rendering, static keys)
// are protocol/names.ts, shared with the transformer's names.ts.
import type * as t from '@babel/types';
import { COMPUTED, memberHint, OTHER_EXPRESSION, staticIndex, THIS } from '../protocol/names';
import { nameOf, unwrap, type Node } from './builders';
import type { Ctx } from './context';

/** A member's static key (SPEC §2): the name of `a.b`, the string of `a["b"]`, the integer of `a[0]`. */
export function staticKey(m: t.MemberExpression | t.OptionalMemberExpression): string | number | undefined {
  const p = m.property;
  if (!m.computed) return p.type === 'Identifier' ? p.name : undefined;
  if (p.type === 'StringLiteral') return p.value;
  return p.type === 'NumericLiteral' ? staticIndex(p.value) : undefined;
}

/** Member name for qualified names (the transformer's `Namer.propertyName`), or `<computed>`. */
export function keyName(key: Node, computed: boolean): string {
  const k = computed ? unwrap(key) : key;
  if (!computed && key.type === 'Identifier') return key.name;
  if (!computed && key.type === 'PrivateName') return '#' + key.id.name;
  if (k.type === 'StringLiteral') return k.value;
  if (k.type === 'NumericLiteral') return String(k.value);
  if (!computed && k.type === 'BigIntLiteral') return k.value;
  return COMPUTED;
}

/** baseName hint (SPEC §5), the same rendering as the transformer's `Namer.hint`. */
export function hint(n: Node, ctx: Ctx): string {
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
      const base = hint(n.object, ctx);
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
      return hint(n.callee, ctx) + '()';
    case 'NewExpression':
      return 'new ' + hint(n.callee, ctx) + '()';
    default:
      return OTHER_EXPRESSION;
  }
}

/** Dotted name of a simple assignment target (`a`, `a.b`, `module.exports`, `I.x`), else null. */
export function targetName(n: Node, ctx: Ctx): string | null {
  n = unwrap(n);
  if (n.type === 'Identifier') return nameOf(n);
  if (n.type === 'ThisExpression') return ctx.thisClass ?? THIS;
  if (n.type === 'MemberExpression') {
    let key: string | null = null;
    if (!n.computed) key = n.property.type === 'PrivateName' ? '#' + n.property.id.name : (n.property as t.Identifier).name;
    else if (n.property.type === 'StringLiteral') key = n.property.value;
    else if (n.property.type === 'NumericLiteral') key = String(n.property.value);
    if (key === null) return null;
    const base = targetName(n.object, ctx);
    return base === null ? null : base + '.' + key;
  }
  return null;
}
