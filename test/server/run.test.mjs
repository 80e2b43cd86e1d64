// `raceway run -- COMMAND`: an embedded server, the command's Node processes instrumented at load
// time through NODE_OPTIONS (node --test runs each test file in a child process), the races
// printed at the end, and the exit code: the command's, or 3 with --fail-on-race when races were found.
import test from 'ava';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { BANK, CLI, NODE_MODULES, project, raceway, transfers } from './run-helpers.mjs';

const suite = (sequential) => `import test from 'node:test';
import assert from 'node:assert';

${BANK}
test('transfers', async () => {
  ${transfers(sequential)}
  assert.ok(accounts.alice.balance < 1000);
});
`;

test('a lost update in a node --test suite is reported; --fail-on-race exits 3', async (t) => {
  const dir = project(t, { 'bank.test.mjs': suite(false) });
  const r = await raceway(['run', '--fail-on-race', '--', process.execPath, '--test', 'bank.test.mjs'], dir);
  t.is(r.code, 3, r.stderr);
  t.regex(r.stdout, /[#ℹ] pass 1/, 'the suite ran as it would'); // TAP (Node 20) or the spec reporter
  t.regex(r.stdout, /RACE DETECTED: accounts\.alice\.balance {2}\[lost update\]/);
  t.regex(r.stdout, /Location: bank\.test\.mjs:10/);
  t.regex(r.stdout, /1 race \(1 critical, 0 warnings\)/);
});

test('the fixed suite reports nothing and exits 0; --json and --report give the races as JSON', async (t) => {
  const dir = project(t, { 'bank.test.mjs': suite(true) });
  const r = await raceway(['run', '--fail-on-race', '--', process.execPath, '--test', 'bank.test.mjs'], dir);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /No races detected/);
  const racy = project(t, { 'bank.test.mjs': suite(false) });
  const report = join(racy, 'races.json');
  const j = await raceway(['run', '--json', '--report', report, '--', process.execPath, '--test', 'bank.test.mjs'], racy);
  t.is(j.code, 0, 'without --fail-on-race the command\'s own exit code');
  const printed = JSON.parse(j.stdout.slice(j.stdout.lastIndexOf('\n[')));
  t.deepEqual(printed.map((x) => `${x.kind} ${x.variable}`), ['lost_update accounts.alice.balance']);
  t.deepEqual(JSON.parse(readFileSync(report, 'utf8')), printed);
});

test('a failing command\'s exit code wins; a missing command or none is one clear line', async (t) => {
  const dir = project(t, { 'fail.mjs': 'process.exitCode = 7;\n' });
  const r = await raceway(['run', '--fail-on-race', '--', process.execPath, 'fail.mjs'], dir);
  t.is(r.code, 7);
  const none = await raceway(['run'], dir);
  t.is(none.code, 2);
  t.regex(none.stderr, /run needs a command after --/);
  const missing = await raceway(['run', '--', 'no-such-command-raceway'], dir);
  t.is(missing.code, 2);
  t.regex(missing.stderr, /cannot run no-such-command-raceway/);
});

test('ava, whose test files run in worker threads, is covered the same way', async (t) => {
  const dir = project(t, {
    // ava's own 10 s timeout also counts the worker's final flush, which a loaded machine can stretch.
    'package.json': JSON.stringify({ name: 'bank', type: 'module', ava: { files: ['bank.test.js'], timeout: '2m' } }),
    'bank.test.js': `import test from 'ava';

${BANK}
test('transfers', async (t) => {
  await Promise.all([transfer(100), transfer(200)]);
  t.true(accounts.alice.balance < 1000);
});
`,
  });
  symlinkSync(NODE_MODULES, join(dir, 'node_modules'), 'dir');
  const r = await raceway(['run', '--fail-on-race', '--', process.execPath, join('node_modules', 'ava', 'entrypoints', 'cli.mjs')], dir);
  t.is(r.code, 3, r.stdout + r.stderr);
  t.regex(r.stdout, /1 test passed/);
  t.regex(r.stdout, /RACE DETECTED: accounts\.alice\.balance {2}\[lost update\]/);
  t.regex(r.stdout, /Location: bank\.test\.js:9/);
});

test('--sarif writes a SARIF 2.1.0 log: each race a result at its source lines', async (t) => {
  const dir = project(t, { 'bank.test.mjs': suite(false) });
  const r = await raceway(['run', '--sarif', 'races.sarif', '--', process.execPath, '--test', 'bank.test.mjs'], dir);
  t.is(r.code, 0, r.stderr);
  const log = JSON.parse(readFileSync(join(dir, 'races.sarif'), 'utf8'));
  // The properties SARIF 2.1.0 requires (sarifLog, run, tool, toolComponent, result, message,
  // physicalLocation, region), and the references between them.
  t.is(log.version, '2.1.0');
  t.is(log.runs.length, 1);
  const [run] = log.runs;
  t.is(run.tool.driver.name, 'Raceway');
  const rules = run.tool.driver.rules;
  t.true(rules.every((rule) => typeof rule.id === 'string'));
  t.regex(run.originalUriBaseIds['%SRCROOT%'].uri, /^file:\/\/\/.*\/$/, 'an absolute URI ending in a slash');
  t.is(run.results.length, 1);
  const [result] = run.results;
  t.is(result.ruleId, 'lost_update');
  t.is(rules[result.ruleIndex].id, result.ruleId);
  t.true(['error', 'warning', 'note', 'none'].includes(result.level));
  t.regex(result.message.text, /^Lost update on accounts\.alice\.balance/);
  const at = (loc) => `${loc.physicalLocation.artifactLocation.uriBaseId} ${loc.physicalLocation.artifactLocation.uri}:${loc.physicalLocation.region.startLine}`;
  t.deepEqual(result.locations.map(at), ['%SRCROOT% bank.test.mjs:10'], 'the overwriting write');
  t.deepEqual(result.relatedLocations.map(at), ['%SRCROOT% bank.test.mjs:8', '%SRCROOT% bank.test.mjs:10'], 'the stale read and the write it missed');
  t.deepEqual(result.relatedLocations.map((l) => l.id), [0, 1]);
  t.true(result.relatedLocations.every((l) => typeof l.message.text === 'string'));
  t.is(typeof result.partialFingerprints.racewayRace, 'string');
});

test('a warm run loads no Babel: every file comes from the register hook\'s cache', async (t) => {
  // Three test files, so three processes under node --test; each reports whether @babel/core is
  // among its loaded modules (the in-thread hooks of Node 22.15+ and the -r hook load it there).
  const probe = `import { createRequire } from 'node:module';
const loaded = Object.keys(createRequire(import.meta.url).cache).filter((f) => f.includes('@babel/core')).length;
console.log('babel modules loaded: ' + loaded);
`;
  const files = {};
  for (const n of [1, 2, 3]) files[`bank${n}.test.mjs`] = probe + suite(true);
  const dir = project(t, files);
  const env = { RACEWAY_CACHE: 'true', RACEWAY_CACHE_DIR: join(dir, '.cache'), RACEWAY_REGISTER_DEBUG: '1' };
  const args = ['run', '--', process.execPath, '--test', '--test-reporter=tap', 'bank1.test.mjs', 'bank2.test.mjs', 'bank3.test.mjs'];
  const cold = await raceway(args, dir, env);
  t.is(cold.code, 0, cold.stderr);
  // node --test passes on what its child processes write to stderr in its own report (stdout).
  t.is((cold.stdout + cold.stderr).match(/raceway\/register: loading @babel\/core to compile .*bank\d\.test\.mjs/g)?.length, 3, cold.stdout + cold.stderr);
  const warm = await raceway(args, dir, env);
  t.is(warm.code, 0, warm.stderr);
  t.notRegex(warm.stdout + warm.stderr, /loading @babel\/core/, 'no process loaded Babel');
  t.is(warm.stdout.match(/babel modules loaded: 0/g)?.length, 3, warm.stdout);
  t.regex(warm.stdout, /No races detected/);
});

test('a detached child that outlives the command is waited for and its race reported; no progress line off a terminal', async (t) => {
  const dir = project(t, {
    'parent.mjs': `import { spawn } from 'node:child_process';
spawn(process.execPath, ['child.mjs', String(process.pid)], { detached: true, stdio: 'ignore' }).unref();
`,
    // It races seconds after the command ended (whatever the machine's load): only waiting for
    // the process brings its events in.
    'child.mjs': `${BANK}const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };
while (alive(Number(process.argv[2]))) await sleep(50);
await sleep(2500);
await Promise.all([transfer(100), transfer(200)]);
`,
  });
  const r = await raceway(['run', '--fail-on-race', '--', process.execPath, 'parent.mjs'], dir);
  t.is(r.code, 3, r.stdout + r.stderr);
  t.regex(r.stderr, /waiting up to 10 s for 1 process\(es\) the command left running/, r.stdout + r.stderr);
  t.regex(r.stdout, /Location: child\.mjs:7/);
  t.regex(r.stdout, /1 race \(1 critical/);
  t.notRegex(r.stderr, /so far/, 'progress is for terminals only');
});

test('--open off a terminal prints where the web view would be and ends as usual', async (t) => {
  const dir = project(t, { 'ok.mjs': 'console.log("ran");\n' });
  const r = await raceway(['run', '--open', '--', process.execPath, 'ok.mjs'], dir);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stderr, /--open: not a terminal, so the web view is not kept \(it would have been at http:\/\/127\.0\.0\.1:\d+\/\)/);
});

test('on a terminal: a progress line, and --open serves the web view until Ctrl-C', async (t) => {
  // A pseudo-terminal from util-linux's script(1); elsewhere the test has nothing to run in.
  if (process.platform !== 'linux' || spawnSync('script', ['--version']).status !== 0) return t.pass('no script(1) here');
  const dir = project(t, { 'bank.mjs': `${BANK}await Promise.all([transfer(100), transfer(200)]);\nawait sleep(1500);\n` });
  // `exec`: script(1) runs the line through $SHELL, and a shell such as dash (CI has no $SHELL)
  // would itself die of the Ctrl-C meant for raceway.
  const line = 'exec ' + [process.execPath, CLI, 'run', '--fail-on-race', '--open', '--', process.execPath, 'bank.mjs'].map((a) => `'${a}'`).join(' ');
  const env = { ...process.env, RACEWAY_CACHE: 'false' };
  delete env.NODE_OPTIONS;
  delete env.CI; // --open keeps the view only outside CI
  const p = spawn('script', ['-qfec', line, '/dev/null'], { cwd: dir, env });
  let output = '';
  p.stdout.on('data', (d) => { output += d; });
  const guard = setTimeout(() => p.kill('SIGKILL'), 120_000); // hang guard only
  const closed = new Promise((resolve) => p.on('close', (code) => { clearTimeout(guard); resolve(code); }));
  while (!/Ctrl-C to stop/.test(output) && p.exitCode === null) await new Promise((r) => setTimeout(r, 100));
  const url = /web view of 1 race\(s\) at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(output)?.[1];
  t.truthy(url, output);
  t.regex(await (await fetch(url)).text(), /<title>Raceway<\/title>/, 'the web view is served after the run');
  p.stdin.write('\x03'); // Ctrl-C, through the terminal
  t.is(await closed, 3, output);
  t.regex(output, /raceway: 1 process, \d+ events?, \d+ races? so far/, 'the progress line was drawn');
});
