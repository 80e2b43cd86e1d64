// The shared protocol: the hook table matches what the runtime exports, site tables written by the
// front ends' writer decode to what was written, and both front ends validate options the same way.
import test from 'ava';
import { createRequire } from 'node:module';
import ts from 'typescript';
import { transformSync } from '@babel/core';

const require = createRequire(import.meta.url);
const { Hook, HOOK_ARGUMENTS, HOOK_NAMES, strictnessVariant } = require('../../dist/protocol/hooks.js');
const { SiteTableWriter, parseSiteTable, siteRecord, decodeSite, decodeKey, decodeFunctionSite, tableFile, tableModule, functionKind, moduleIdOf } = require('../../dist/protocol/sites.js');
const { normalizeOptions, createFileFilter, DEFAULT_EXCLUDE } = require('../../dist/protocol/options.js');
const runtime = require('../../dist/runtime/instrument.js');
const { createRacewayTransformer } = require('../../dist/transformer/index.js');
const babelPlugin = require('../../dist/babel-plugin/plugin.js').default;

test('every hook of the table is a function the runtime exports with the arguments the table lists', (t) => {
  for (const name of HOOK_NAMES) t.is(typeof runtime[name], 'function', name);
  t.is(new Set(Object.values(Hook)).size, Object.keys(Hook).length);
  t.is(strictnessVariant(Hook.writeProperty, true), 'wp');
  t.is(strictnessVariant(Hook.writeProperty, false), 'wpSloppy');
  // The runtime declares the arguments the table lists (a rest parameter is not counted by `length`).
  for (const [key, name] of Object.entries(Hook)) {
    t.is(runtime[name].length, HOOK_ARGUMENTS[key].filter((a) => !a.startsWith('...')).length, name);
  }
});

test('a written site table decodes to the sites written; identical sites share an id', (t) => {
  const w = new SiteTableWriter();
  const access = w.site(3, 'a.b');
  const keyed = w.site(4, 'o', 'k"ey');
  const index = w.site(4, 'o', 7);
  const awaitSite = w.site(9);
  const fn = w.functionSite(3, 'f', functionKind(true, true), ['x', 'y']);
  const asAccess = w.site(3, 'f', 0);
  t.is(w.site(3, 'a.b'), access);
  t.not(w.functionSite(3, 'f', 0, []), asAccess, 'function sites are deduplicated apart');
  const table = parseSiteTable(w.text('src/a.ts', moduleIdOf('src/a.ts')));
  t.is(tableFile(table), 'src/a.ts');
  t.is(tableModule(table), 'src/a');
  t.deepEqual(decodeSite(siteRecord(table, access)), { line: 3, text: 'a.b' });
  t.is(decodeKey(siteRecord(table, keyed)), 'k"ey');
  t.is(decodeKey(siteRecord(table, index)), 7);
  t.deepEqual(decodeSite(siteRecord(table, awaitSite)), { line: 9, text: '' });
  t.deepEqual(decodeFunctionSite(siteRecord(table, fn)), { line: 3, name: 'f', kind: 3, params: ['x', 'y'] });
  t.deepEqual(parseSiteTable('not json'), []);
  t.is(decodeKey(undefined), 'undefined');
});

test('options: one normaliser with one-line errors for unknown keys and bad values', (t) => {
  t.deepEqual(normalizeOptions(undefined).exclude, []);
  t.deepEqual(normalizeOptions({ exclude: 'x/**' }).exclude, ['x/**']);
  t.true(DEFAULT_EXCLUDE.includes('**/node_modules/**'));
  for (const [bad, message] of [
    [{ instrument: 'foo' }, /option "instrument" must be "shared" or "all"/],
    [{ inclde: ['a'] }, /unknown option "inclde"/],
    [{ reads: 'no' }, /option "reads" must be a boolean/],
    [{ include: [1] }, /option "include" must be a glob/],
    [[], /options must be an object/],
  ]) {
    const e = t.throws(() => normalizeOptions(bad));
    t.regex(e.message, message);
    t.false(e.message.includes('\n'));
  }
});

test('both front ends reject the same bad options', (t) => {
  for (const bad of [{ instrument: 'foo' }, { bogus: true }]) {
    const fromTransformer = t.throws(() => createRacewayTransformer(bad, ts)).message.replace(/ \(known: .*/, '');
    const fromBabel = t.throws(() => transformSync('x = 1', { babelrc: false, configFile: false, plugins: [[babelPlugin, bad]] })).message;
    t.true(fromBabel.includes(fromTransformer), `${fromBabel} / ${fromTransformer}`);
  }
  t.throws(() => createRacewayTransformer({ onError: 'log' }, ts), { message: /option "onError" must be a function/ });
  t.notThrows(() => createRacewayTransformer({ onError: () => {} }, ts));
});

test('the file filter: globs match the root-relative path, or the absolute path outside the root', (t) => {
  const f = createFileFilter(normalizeOptions({}), '/app');
  t.true(f('/app/src/a.ts'));
  t.false(f('/app/node_modules/x/a.js'));
  t.false(f('/app/types/a.d.ts'));
  t.false(f('/elsewhere/node_modules/x/a.js'));
  t.true(f('/elsewhere/b.ts'));
  const narrow = createFileFilter(normalizeOptions({ include: 'src/**', exclude: ['**/*.test.ts'] }), '/app');
  t.true(narrow('/app/src/a.ts'));
  t.false(narrow('/app/lib/a.ts'));
  t.false(narrow('/app/src/a.test.ts'));
  t.false(narrow('/app/src/node_modules/a.ts'), 'an exclude list given adds to the defaults');
  const inModules = createFileFilter(normalizeOptions({}), '/app/node_modules/pkg');
  t.true(inModules('/app/node_modules/pkg/index.js'), 'a root inside node_modules: its own files are relative to it');
});
