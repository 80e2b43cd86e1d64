// TypeScript 7 (the native compiler) has no transformer API: `require('typescript')` gives an object
// with little more than `version`. Every entry point of raceway/transformer must refuse it with one
// line that says what to do, instead of producing an uninstrumented build.
// RACEWAY_TEST_TYPESCRIPT7 may name a directory whose node_modules holds the real typescript@7
// (scripts/test-platforms.mjs installs one); without it the real-package test is skipped.
import test from 'ava';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { loadTransformer } from '../helpers/compile-transformer.mjs';

const fakeTs7 = Object.freeze({ version: '7.0.2', versionMajorMinor: '7.0' });

function assertRefusal(t, fn, version) {
  const err = t.throws(fn, { name: 'UnsupportedTypeScriptError' });
  t.false(err.message.includes('\n'), 'one line');
  t.true(err.message.includes(`TypeScript ${version}`));
  t.regex(err.message, /raceway\/babel/);
  t.regex(err.message, /raceway\/register/);
  t.is(err.stack, `UnsupportedTypeScriptError: ${err.message}`, 'no stack trace under the message');
}

test('createRacewayTransformer refuses a TypeScript without the transformer API', (t) => {
  const { createRacewayTransformer } = loadTransformer();
  assertRefusal(t, () => createRacewayTransformer({}, fakeTs7), '7.0.2');
  assertRefusal(t, () => createRacewayTransformer({}, undefined, { ts: fakeTs7 }), '7.0.2');
});

test('the ts-patch entry and the ts-jest factory refuse it too', (t) => {
  const transformer = loadTransformer();
  assertRefusal(t, () => transformer.default(undefined, {}, { ts: fakeTs7 }), '7.0.2');
  assertRefusal(t, () => transformer.factory({ configSet: { compilerModule: fakeTs7 } }, {}), '7.0.2');
});

test('a TypeScript 5/6 module passes the check', (t) => {
  const { createRacewayTransformer } = loadTransformer();
  t.is(typeof createRacewayTransformer({}), 'function');
});

const ts7Dir = process.env.RACEWAY_TEST_TYPESCRIPT7;
(ts7Dir ? test : test.skip)('the real typescript@7 package is refused with the same line', (t) => {
  const ts7 = createRequire(join(resolve(ts7Dir ?? '.'), 'node_modules', '.toolchain.js'))('typescript');
  t.log(`typescript ${ts7.version}`);
  t.true(ts7.version.startsWith('7.'));
  const { createRacewayTransformer } = loadTransformer();
  assertRefusal(t, () => createRacewayTransformer({}, ts7), ts7.version);
});
