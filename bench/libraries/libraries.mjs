// The libraries of the library cost benchmark: popular pure-JavaScript packages (pinned
// devDependencies, so `npm ci` provides them), each with the files the benchmark compiles and a
// deterministic workload. A workload returns a string: every build of a library must return the
// same one (instrumentation never changes what a program computes).
//
// Shapes were chosen to differ: a utility belt of small functions (lodash), a parser with a
// tokenizer state machine (acorn), a Markdown renderer (marked), a YAML parser/serialiser spread
// over many modules (yaml), arbitrary-precision arithmetic (decimal.js), a template engine
// (mustache).

/** One seeded pseudo-random sequence (mulberry32), so every run builds the same inputs. */
export function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const words = ['alpha', 'beta', 'gamma', 'delta', 'raceway', 'async', 'ledger', 'account', 'balance', 'transfer', 'queue', 'lock'];

function records(n, seed) {
  const r = random(seed);
  return Array.from({ length: n }, (_, i) => ({
    id: i,
    name: `${words[Math.floor(r() * words.length)]}-${i}`,
    group: words[Math.floor(r() * 5)],
    score: Math.floor(r() * 1000),
    tags: [words[Math.floor(r() * words.length)], words[Math.floor(r() * words.length)]],
    nested: { depth: { value: r().toFixed(6), flag: r() > 0.5 } },
  }));
}

function markdown(sections, seed) {
  const r = random(seed);
  const line = () => Array.from({ length: 12 }, () => words[Math.floor(r() * words.length)]).join(' ');
  let doc = '';
  for (let s = 0; s < sections; s++) {
    doc += `## Section ${s}\n\n${line()} *${line()}* and \`code ${s}\` with [a link](https://example.com/${s}).\n\n`;
    doc += `- ${line()}\n- **${line()}**\n  - nested ${s}\n\n> ${line()}\n\n\`\`\`js\nconst x${s} = ${s};\n\`\`\`\n\n| a | b |\n|---|---|\n| ${s} | ${line()} |\n\n`;
  }
  return doc;
}

/**
 * `reps`: how many times the workload runs for the plain ÷ disabled comparison (about 100 ms of
 * plain work on a 2-core VM, so the comparison is of warmed-up code); full capture runs it once and
 * is compared with one plain run.
 * @type {Array<{name: string, pkg: string, files: Record<string, string>, entry: string, input?: string, reps: number, workload: (lib: any, input?: string) => string}>}
 */
export const LIBRARIES = [
  {
    name: 'lodash',
    reps: 15,
    pkg: 'lodash',
    files: { 'lodash.js': 'lodash.js' },
    entry: 'lodash.js',
    workload(_) {
      const data = records(100, 1);
      let out = '';
      for (let k = 0; k < 1; k++) {
        const grouped = _.mapValues(_.groupBy(data, 'group'), (g) => _.sumBy(g, 'score'));
        const top = _.take(_.orderBy(data, ['score', 'id'], ['desc', 'asc']), 20).map((x) => x.name);
        const uniq = _.uniq(_.flatMap(data, 'tags')).sort();
        const merged = _.merge({}, ..._.chunk(data.slice(0, 60), 20).map((c) => _.keyBy(c, 'name')));
        const cloned = _.cloneDeep(data.slice(0, 50));
        const picked = cloned.map((x) => _.pick(x, ['id', 'nested.depth.value']));
        out = JSON.stringify([grouped, top, uniq, Object.keys(merged).length, _.isEqual(cloned, data.slice(0, 50)), picked.slice(0, 5), _.camelCase(top[0]), _.template('<%= a %>-<%= b %>')({ a: k, b: uniq[0] })]);
      }
      return out;
    },
  },
  {
    name: 'acorn',
    reps: 10,
    pkg: 'acorn',
    files: { 'dist/acorn.js': 'acorn.js' },
    entry: 'acorn.js',
    // parses mustache's source: 800 lines of ordinary JavaScript
    input: 'mustache/mustache.js',
    workload(acorn, source) {
      let nodes = 0;
      let last = null;
      for (let k = 0; k < 1; k++) {
        last = acorn.parse(source, { ecmaVersion: 'latest', sourceType: 'script', locations: true });
        nodes += JSON.stringify(last).length;
      }
      return `${nodes}:${last.body.length}`;
    },
  },
  {
    name: 'marked',
    reps: 10,
    pkg: 'marked',
    files: { 'lib/marked.esm.js': 'marked.mjs' },
    entry: 'marked.mjs',
    workload(lib) {
      const doc = markdown(15, 2);
      let html = '';
      for (let k = 0; k < 1; k++) html = lib.marked.parse(doc, { async: false });
      return html;
    },
  },
  {
    name: 'yaml',
    reps: 8,
    pkg: 'yaml',
    files: { dist: 'dist' },
    entry: 'dist/index.js',
    workload(YAML) {
      const doc = { records: records(15, 3), meta: { name: 'bench', list: words } };
      let text = '';
      let back = null;
      for (let k = 0; k < 1; k++) {
        text = YAML.stringify(doc);
        back = YAML.parse(text);
      }
      return `${text.length}:${JSON.stringify(back).length}:${back.records[7].name}`;
    },
  },
  {
    name: 'decimal.js',
    reps: 30,
    pkg: 'decimal.js',
    files: { 'decimal.js': 'decimal.js' },
    entry: 'decimal.js',
    workload(Decimal) {
      const D = Decimal.clone({ precision: 50 });
      // pi by Machin's formula, e and square roots: many small Decimal operations
      const arctanInv = (x) => {
        const x2 = new D(x).pow(2);
        let term = new D(1).div(x);
        let sum = term;
        for (let n = 1; n < 30; n++) {
          term = term.div(x2);
          const t = term.div(2 * n + 1);
          sum = n % 2 ? sum.minus(t) : sum.plus(t);
        }
        return sum;
      };
      const pi = arctanInv(5).times(16).minus(arctanInv(239).times(4));
      const roots = Array.from({ length: 5 }, (_, i) => new D(i + 2).sqrt().toFixed(40));
      return `${pi.toFixed(40)}:${D.exp(1).toFixed(40)}:${roots.join(',')}`;
    },
  },
  {
    name: 'mustache',
    reps: 30,
    pkg: 'mustache',
    files: { 'mustache.js': 'mustache.js' },
    entry: 'mustache.js',
    workload(Mustache) {
      const view = { title: 'Accounts', items: records(60, 4), hasItems: true };
      const template = '<h1>{{title}}</h1>{{#hasItems}}<ul>{{#items}}<li id="{{id}}">{{name}} {{score}} {{#tags}}<i>{{.}}</i>{{/tags}} {{nested.depth.value}}{{^nested.depth.flag}} off{{/nested.depth.flag}}</li>{{/items}}</ul>{{/hasItems}}';
      let html = '';
      for (let k = 0; k < 2; k++) {
        Mustache.clearCache();
        html = Mustache.render(template, view);
      }
      return html;
    },
  },
];
