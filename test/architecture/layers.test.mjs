// The import graph of the project's own TypeScript sources: no module imports itself through a
// cycle (type-only imports and lazy `require` calls count: a cycle is a cycle for the reader too),
// and the layers stay apart: protocol ← runtime, protocol ← front ends, protocol ← server.
import test from 'ava';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { readFileSync, existsSync } from 'node:fs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const LAYERS = ['protocol', 'runtime', 'transformer', 'babel-plugin', 'server'];
/** What each layer may import from the others. */
const ALLOWED = {
  protocol: [],
  runtime: ['protocol'],
  transformer: ['protocol'],
  'babel-plugin': ['protocol'],
  server: ['protocol'],
};

function sources(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (name === 'node_modules' || name === 'public') continue;
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (/\.m?ts$/.test(name) && !/\.d\.m?ts$/.test(name) && !/\.test\.m?ts$/.test(name)) out.push(p);
  }
  return out;
}

/** Relative specifiers a file imports: import/export declarations, `import x = require()`, `require()` and `import()` calls. */
function specifiers(file) {
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const out = [];
  const visit = (n) => {
    if ((ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) && n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier)) out.push(n.moduleSpecifier.text);
    else if (ts.isImportEqualsDeclaration(n) && ts.isExternalModuleReference(n.moduleReference) && ts.isStringLiteral(n.moduleReference.expression)) out.push(n.moduleReference.expression.text);
    else if (ts.isCallExpression(n) && (n.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(n.expression) && n.expression.text === 'require')) &&
      n.arguments.length === 1 && ts.isStringLiteral(n.arguments[0])) out.push(n.arguments[0].text);
    else if (ts.isImportTypeNode(n) && ts.isLiteralTypeNode(n.argument) && ts.isStringLiteral(n.argument.literal)) out.push(n.argument.literal.text);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out.filter((s) => s.startsWith('.'));
}

function resolveSpecifier(from, spec) {
  const base = resolve(dirname(from), spec).replace(/\.(m?js)$/, '');
  for (const candidate of [base + '.ts', base + '.mts', join(base, 'index.ts')]) if (existsSync(candidate)) return candidate;
  return undefined;
}

function importGraph() {
  const graph = new Map();
  for (const layer of LAYERS) {
    for (const file of sources(join(ROOT, layer))) {
      graph.set(file, specifiers(file).map((s) => resolveSpecifier(file, s)).filter((f) => f !== undefined));
    }
  }
  return graph;
}

/** Strongly connected components with more than one module, or a module importing itself (Tarjan). */
function cycles(graph) {
  let index = 0;
  const idx = new Map(), low = new Map(), stack = [], on = new Set(), out = [];
  const strong = (v) => {
    idx.set(v, index); low.set(v, index); index++;
    stack.push(v); on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) { strong(w); low.set(v, Math.min(low.get(v), low.get(w))); }
      else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const comp = [];
      let w;
      do { w = stack.pop(); on.delete(w); comp.push(w); } while (w !== v);
      if (comp.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(comp.map((f) => relative(ROOT, f)).sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) strong(v);
  return out;
}

const layerOf = (file) => relative(ROOT, file).split('/')[0];

test('no import cycle among the modules of protocol, runtime, the front ends and the server', (t) => {
  const graph = importGraph();
  t.true(graph.size > 50, 'the sources were found');
  t.deepEqual(cycles(graph), []);
});

test('each layer imports only the layers below it', (t) => {
  const crossings = [];
  for (const [file, deps] of importGraph()) {
    const from = layerOf(file);
    for (const dep of deps) {
      const to = layerOf(dep);
      if (to !== from && !ALLOWED[from].includes(to)) crossings.push(`${relative(ROOT, file)} -> ${relative(ROOT, dep)}`);
    }
  }
  t.deepEqual(crossings, []);
});

test('the cycle finder finds a cycle', (t) => {
  const a = join(ROOT, 'a.ts'), b = join(ROOT, 'b.ts'), c = join(ROOT, 'c.ts');
  t.deepEqual(cycles(new Map([[a, [b]], [b, [a, c]], [c, []]])), [['a.ts', 'b.ts']]);
  t.deepEqual(cycles(new Map([[a, [a]]])), [['a.ts']]);
  t.deepEqual(cycles(new Map([[a, [b]], [b, [c]], [c, []]])), []);
});
