// The libraries whose own test suites bench/libsuites runs instrumented: where to get them, how their
// suites are started (with a TAP reporter, so one parser reads every runner's totals) and how the
// Babel register hook is loaded into every process the runner starts.
//
// `hooks` go into NODE_OPTIONS, so the test runner's worker threads and child processes load them
// too. `raceway/register` resolves through the checkout's node_modules/raceway (see run.mjs);
// `preloads` (-r) and `imports` (--import, placed before `hooks`) are files of this directory, by
// absolute path. `skip` lists single tests left out of both runs, with the reason: run.mjs turns
// `call('title'` into `call.skip('title'` in the checkout for the runs and restores the file after.

/** @typedef {{ name: string, repo: string, module: 'esm' | 'cjs', command: string[], hooks: string[], imports?: string[], plainImports?: string[], preloads?: string[], skip?: { file: string, call: string, title: string, why: string }[] }} Library */

/** @type {Library[]} */
export const LIBRARIES = [
  {
    name: 'p-limit',
    repo: 'sindresorhus/p-limit',
    module: 'esm',
    command: ['node_modules/.bin/ava', '--tap'],
    hooks: ['--import raceway/register'],
  },
  {
    name: 'p-map',
    repo: 'sindresorhus/p-map',
    module: 'esm',
    // test-multiple-pmapskips-performance.js maps 111 000 items with unbounded concurrency and
    // asserts that ten times the items take 1.2 to 15 times as long. Instrumented it passes (clocks
    // stay bounded), but its 3 million events are far more than the runtime's default queue
    // delivers, and reports from the few delivered ones are no measure of false positives (see the
    // README), so it is run on its own: `ava --timeout 10m test-multiple-pmapskips-performance.js`.
    command: ['node_modules/.bin/ava', '--tap', 'test.js'],
    hooks: ['--import raceway/register'],
  },
  {
    name: 'p-queue',
    repo: 'sindresorhus/p-queue',
    module: 'esm',
    // The tests are TypeScript (the suite runs them through tsx). Types are stripped by
    // ts-hooks.mjs in both runs, keeping source lines; raceway's hook is registered after it, so
    // it instruments the JavaScript. (tsx's output starts with helper statements placed before
    // the imports, which raceway's Babel front end does not handle yet: its hooks are set up
    // after the imports, so those statements call them before they exist.)
    command: ['node', '--test', '--test-reporter=tap', '--test-concurrency=1', 'test/*.ts'],
    plainImports: ['ts-register.mjs'],
    imports: ['ts-register.mjs'],
    hooks: ['--import raceway/register'],
  },
  {
    name: 'async',
    repo: 'caolan/async',
    module: 'cjs',
    // The suite compiles lib/ (ES modules) with Babel 6's babel-register, which takes over
    // require('.js') before raceway's hook can see the file; compile-hook.cjs instruments the
    // CommonJS that babel-register produced, at Module#_compile.
    // mocha's 2 s per-test limit is raised in both runs: with capture on, the tests that iterate
    // over 100 000 items to prove there is no stack overflow take longer than that.
    command: ['node_modules/.bin/mocha', '--reporter', 'tap', '--timeout', '60000'],
    skip: [{
      file: 'test/forever.js', call: 'it', title: 'does not cause a stack overflow @nodeonly',
      why: 'with capture on, the process runs out of its 4 GB heap in this test (50 000 nested synchronous calls through async.forever)',
    }],
    hooks: [],
    preloads: ['compile-hook.cjs'],
  },
  {
    name: 'express',
    repo: 'expressjs/express',
    module: 'cjs',
    command: ['node_modules/.bin/mocha', '--require', 'test/support/env', '--reporter', 'tap', '--check-leaks', '--timeout', '60000', 'test/', 'test/acceptance/'],
    hooks: ['-r raceway/register'],
  },
  {
    name: 'koa',
    repo: 'koajs/koa',
    module: 'cjs',
    command: ['node', '--test', '--test-reporter=tap', '--test-concurrency=1'],
    hooks: ['-r raceway/register'],
  },
];
