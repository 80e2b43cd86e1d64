// Real third-party code: qs (the query-string parser Express uses; pure JavaScript, its test suite
// ships in the npm package and runs offline with tape). Its library source is compiled through the
// `raceway/babel` preset and the package's own tests run against the instrumented build with the
// real runtime recording to a loopback collector: every test must pass, exactly as against the
// original source.
import test from 'ava';
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { babel, presetPath, repoRoot } from './helpers/run.mjs';
import { startCollector } from '../helpers/fixture-harness.mjs';

const require = createRequire(import.meta.url);
const qsDir = dirname(require.resolve('qs/package.json'));
const tapeBin = join(dirname(require.resolve('tape/package.json')), 'bin', 'tape');
const work = join(repoRoot, '.tmp', 'thirdparty');

function copyPackage(to) {
  rmSync(to, { recursive: true, force: true });
  mkdirSync(to, { recursive: true });
  for (const entry of ['package.json', 'lib', 'test']) cpSync(join(qsDir, entry), join(to, entry), { recursive: true });
}

/** Compiles every .js file of lib/ through the preset, in place; returns how many were instrumented. */
function instrumentLib(dir, runtimeModule) {
  let instrumented = 0;
  for (const f of readdirSync(join(dir, 'lib'))) {
    if (!f.endsWith('.js')) continue;
    const file = join(dir, 'lib', f);
    const out = babel.transformSync(readFileSync(file, 'utf8'), {
      babelrc: false,
      configFile: false,
      filename: file,
      root: dir,
      cwd: dir,
      sourceType: 'unambiguous',
      // The copy has its own package.json (name "qs"), so the runtime is named by location.
      presets: [[presetPath, { runtimeModule }]],
    });
    if (out.metadata.raceway?.instrumented) instrumented++;
    writeFileSync(file, out.code);
  }
  return instrumented;
}

function tape(dir, env, hangGuardMs = 170_000) {
  return new Promise((resolve) => {
    const files = readdirSync(join(dir, 'test')).filter((f) => f.endsWith('.js') && f !== 'empty-keys-cases.js').map((f) => join('test', f));
    const child = spawn(process.execPath, [tapeBin, ...files], { cwd: dir, env: { ...process.env, NODE_OPTIONS: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), hangGuardMs); // hang guard only
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const count = (re) => Number((re.exec(stdout) ?? [])[1] ?? NaN);
      resolve({ code, signal, stdout, stderr, pass: count(/^# pass\s+(\d+)/m), fail: count(/^# fail\s+(\d+)/m) || 0, tests: count(/^# tests\s+(\d+)/m) });
    });
  });
}

let plainRun;
async function plain() {
  if (!plainRun) {
    const dir = join(work, 'qs-plain');
    copyPackage(dir);
    plainRun = tape(dir, { RACEWAY_ENABLED: 'false' });
  }
  return plainRun;
}

function sameResults(t, inst, base) {
  t.is(inst.fail, 0, inst.stdout.split('\n').filter((l) => l.startsWith('not ok')).slice(0, 20).join('\n'));
  t.is(inst.code, 0, `exit ${inst.code} ${inst.signal ?? ''} ${inst.stderr.slice(-2000)}`);
  t.is(inst.tests, base.tests, 'same number of assertions');
  t.is(inst.pass, base.pass);
}

async function instrumentedCopy(t, name, runtimeModule) {
  const dir = join(work, name);
  copyPackage(dir);
  t.is(instrumentLib(dir, runtimeModule), readdirSync(join(dir, 'lib')).filter((f) => f.endsWith('.js')).length);
  return dir;
}

test('qs: the uninstrumented suite passes here', async (t) => {
  const base = await plain();
  t.is(base.code, 0, base.stdout.slice(-2000) + base.stderr);
  t.true(base.tests > 1000, `suite ran ${base.tests} assertions`);
});

test('qs: its own suite passes against the build instrumented for the spec-faithful fake runtime', async (t) => {
  const dir = await instrumentedCopy(t, 'qs-fake-runtime', join(repoRoot, 'test', 'babel', 'helpers', 'fake-runtime.cjs'));
  sameResults(t, await tape(dir, {}), await plain());
});

test('qs: its own suite passes against the build instrumented for raceway/runtime (recording off)', async (t) => {
  const dir = await instrumentedCopy(t, 'qs-runtime-off', require.resolve('raceway/runtime'));
  sameResults(t, await tape(dir, { RACEWAY_ENABLED: 'false' }), await plain());
});

test.serial('qs: its own suite passes against the build instrumented for raceway/runtime, recording to a collector', async (t) => {
  const dir = await instrumentedCopy(t, 'qs-runtime-on', require.resolve('raceway/runtime'));
  const collector = await startCollector();
  try {
    const inst = await tape(dir, { RACEWAY_ENABLED: 'true', RACEWAY_ENDPOINT: collector.endpoint, RACEWAY_SERVICE_NAME: 'qs-tests' }, 120_000);
    sameResults(t, inst, await plain());
    const events = collector.events();
    t.true(events.some((e) => e.kind.FunctionCall?.file === 'lib/parse.js'), 'the instrumented library reported function calls');
    t.true(events.some((e) => e.kind.StateChange), 'and state changes');
  } finally {
    await collector.close();
  }
});
