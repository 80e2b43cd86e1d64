// Every fixture in fixtures/ through the TypeScript transformer: same behaviour as plain tsc,
// expected events (see test/helpers/fixture-harness.mjs).
import test from 'ava';
import { registerFixtureTests } from './helpers/fixture-harness.mjs';
import { transformerFrontEnd } from './helpers/compile-transformer.mjs';

registerFixtureTests(test, transformerFrontEnd);
