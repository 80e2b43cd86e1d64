// Every fixture in fixtures/ through the Babel front end (`raceway/babel` with preset-typescript):
// same stdout / exit code / uncaught error as the plain tsc build, and the expected events
// (fixtures/<name>/events.json, which the transformer's stream must equal too).
import test from 'ava';
import { registerFixtureTests } from './helpers/fixture-harness.mjs';
import { babelFrontEnd } from './babel/helpers/compile-babel.mjs';

registerFixtureTests(test, babelFrontEnd);
