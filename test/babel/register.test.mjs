// Load-time instrumentation: `node -r raceway/register` (CommonJS) and `node --import
// raceway/register` (ES modules, Node 20 module hooks), with include/exclude options and the
// on-disk cache. Programs run plainly and through the hook must print the same; events are captured
// by a real loopback collector.
import test from 'ava';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { node, repoRoot } from './helpers/run.mjs';
import { installedApp, registerDist } from '../helpers/toolchain.mjs';
import { projectEvents, startCollector } from '../helpers/fixture-harness.mjs';

const dist = registerDist;
const appSrc = join(repoRoot, 'test', 'babel', 'register-app');

/** A copy of the sample app outside the repository (the runtime must resolve from anywhere). */
function appDir(t, parent = tmpdir()) {
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(join(parent, 'rw-register-'));
  cpSync(appSrc, dir, { recursive: true });
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function withCollector(fn) {
  const c = await startCollector();
  try {
    return await fn(c);
  } finally {
    await c.close();
  }
}

const enabled = (c, dir, extra = {}) => ({ RACEWAY_ENABLED: 'true', RACEWAY_ENDPOINT: c.endpoint, RACEWAY_CACHE_DIR: join(dir, '.cache'), ...extra });
const files = (events) => new Set(events.map((e) => e.kind.FunctionCall?.file ?? e.kind.StateChange?.location?.split(':')[0]).filter(Boolean));

test.serial('node -r register instruments CommonJS files at load time', async (t) => {
  const dir = appDir(t);
  const plain = await node(['app.js'], dir);
  t.is(plain.code, 0, plain.stderr);
  await withCollector(async (c) => {
    const r = await node(['-r', join(dist, 'register.js'), 'app.js'], dir, enabled(c, dir));
    t.is(r.stderr, '');
    t.is(r.stdout, plain.stdout);
    const p = projectEvents(c.events());
    t.true(p.some((e) => e[1] === 'Call' && e[2] === 'handle' && e[4] === 'app.js:3'), JSON.stringify(p));
    t.true(p.some((e) => e[1] === 'Write' && e[2] === 'hits' && e[5] === 'app.js:3'));
    t.true(p.some((e) => e[1] === 'Call' && e[2] === 'exports.bump' && e[4] === 'lib.cjs:2'));
    t.true(p.some((e) => e[1] === 'Write' && e[2] === 'exports.state.n'));
  });
});

test.serial('node --import register instruments ES modules (and the CommonJS they require)', async (t) => {
  const dir = appDir(t);
  const plain = await node(['app.mjs'], dir);
  t.is(plain.code, 0, plain.stderr);
  await withCollector(async (c) => {
    const r = await node(['--import', join(dist, 'register.mjs'), 'app.mjs'], dir, enabled(c, dir));
    t.is(r.stderr, '');
    t.is(r.stdout, plain.stdout);
    const p = projectEvents(c.events());
    t.true(p.some((e) => e[1] === 'Call' && e[2] === 'main' && e[4] === 'app.mjs:6'), JSON.stringify(p));
    t.true(p.some((e) => e[1] === 'Write' && e[2] === 'o.v' && e[5] === 'app.mjs:6'));
    t.true(p.some((e) => e[1] === 'Write' && e[2] === 'count' && e[5] === 'mod.mjs:2'));
    t.true(p.some((e) => e[1] === 'Await' && e[2] === 'app.mjs:6'));
    t.true(files(c.events()).has('lib.cjs'), 'CommonJS required from an ES module is instrumented too');
  });
});

test.serial('the package specifiers raceway/register resolve (-r and --import) inside the package', async (t) => {
  // inside a package that has raceway: this checkout (self-reference) or the installed app
  const dir = appDir(t, installedApp ?? join(repoRoot, '.tmp', 'babel-tests'));
  const plainCjs = await node(['app.js'], dir);
  const plainEsm = await node(['app.mjs'], dir);
  await withCollector(async (c) => {
    const cjs = await node(['-r', 'raceway/register', 'app.js'], dir, enabled(c, dir));
    const esm = await node(['--import', 'raceway/register', 'app.mjs'], dir, enabled(c, dir));
    t.is(cjs.stdout, plainCjs.stdout, cjs.stderr);
    t.is(esm.stdout, plainEsm.stdout, esm.stderr);
    t.true(files(c.events()).has('app.js'));
    t.true(files(c.events()).has('app.mjs'));
  });
});

test.serial('include/exclude options are honoured (env JSON and package.json "raceway")', async (t) => {
  const dir = appDir(t);
  await withCollector(async (c) => {
    await node(['--import', join(dist, 'register.mjs'), 'app.mjs'], dir, enabled(c, dir, { RACEWAY_BABEL_OPTIONS: JSON.stringify({ exclude: ['lib.cjs', 'mod.*'] }) }));
    const seen = files(c.events());
    t.true(seen.has('app.mjs'));
    t.false(seen.has('lib.cjs'));
    t.false(seen.has('mod.mjs'));
  });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'app', raceway: { include: ['lib.cjs'] } }));
  await withCollector(async (c) => {
    await node(['-r', join(dist, 'register.js'), 'app.js'], dir, enabled(c, dir));
    t.deepEqual([...files(c.events())], ['lib.cjs']);
  });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'app', raceway: { instrument: 'bogus' } }));
  const bad = await node(['-r', join(dist, 'register.js'), 'app.js'], dir);
  t.not(bad.code, 0);
  t.regex(bad.stderr, /option "instrument"/);
});

test.serial('a cached file is not reused once the runtime it imports has moved', async (t) => {
  // Two installs of raceway (a project moved, or reinstalled elsewhere) share one cache directory:
  // the second must not load output that imports the first one's runtime after it is gone.
  const dir = appDir(t);
  const cache = join(dir, '.cache');
  const installs = mkdtempSync(join(repoRoot, 'node_modules', '.rw-installs-'));
  t.teardown(() => rmSync(installs, { recursive: true, force: true }));
  const copy = (name) => {
    const root = join(installs, name);
    mkdirSync(root, { recursive: true });
    cpSync(join(repoRoot, 'dist'), join(root, 'dist'), { recursive: true });
    cpSync(join(repoRoot, 'package.json'), join(root, 'package.json'));
    return root;
  };
  const a = copy('a');
  const b = copy('b');
  const plain = await node(['app.js'], dir);
  const first = await node(['-r', join(a, 'dist', 'babel-plugin', 'register.js'), 'app.js'], dir, { RACEWAY_CACHE_DIR: cache });
  t.is(first.stdout, plain.stdout, first.stderr);
  rmSync(a, { recursive: true, force: true });
  const second = await node(['-r', join(b, 'dist', 'babel-plugin', 'register.js'), 'app.js'], dir, { RACEWAY_CACHE_DIR: cache });
  t.is(second.code, 0, second.stderr);
  t.is(second.stdout, plain.stdout);
});

test.serial('a cached file is not reused once any module of the front end or the protocol changed', async (t) => {
  // An upgrade of raceway changes the code shape compiled files carry: output cached by the old
  // front end must be compiled again, whichever of its modules changed.
  const dir = appDir(t);
  const cache = join(dir, '.cache');
  const installs = mkdtempSync(join(repoRoot, 'node_modules', '.rw-installs-'));
  t.teardown(() => rmSync(installs, { recursive: true, force: true }));
  const root = join(installs, 'a');
  mkdirSync(root, { recursive: true });
  cpSync(join(repoRoot, 'dist'), join(root, 'dist'), { recursive: true });
  cpSync(join(repoRoot, 'package.json'), join(root, 'package.json'));
  const hook = join(root, 'dist', 'babel-plugin', 'register.js');
  const cached = () => readdirSync(cache, { recursive: true }).filter((f) => String(f).endsWith('.js')).length;
  const first = await node(['-r', hook, 'app.js'], dir, { RACEWAY_CACHE_DIR: cache });
  t.is(first.code, 0, first.stderr);
  const entries = cached();
  t.true(entries > 0);
  for (const changed of [join('babel-plugin', 'builders.js'), join('protocol', 'hooks.js')]) {
    const file = join(root, 'dist', changed);
    writeFileSync(file, readFileSync(file, 'utf8') + '\n// changed\n');
    const again = await node(['-r', hook, 'app.js'], dir, { RACEWAY_CACHE_DIR: cache });
    t.is(again.stdout, first.stdout, again.stderr);
  }
  t.is(cached(), entries * 3, 'each change compiled every file again');
});

test.serial('compiled output is cached on disk and reused; a changed file is recompiled', async (t) => {
  const dir = appDir(t);
  const cache = join(dir, '.cache');
  const env = { RACEWAY_CACHE_DIR: cache };
  const first = await node(['-r', join(dist, 'register.js'), 'app.js'], dir, env);
  const entries = () => readdirSync(cache, { recursive: true }).filter((f) => String(f).endsWith('.js')).map((f) => join(cache, String(f)));
  t.is(entries().length, 2, 'app.js and lib.cjs');
  // Prove the second run reads the cache: mark every entry, then run again.
  for (const f of entries()) writeFileSync(f, readFileSync(f, 'utf8') + '\n;console.log("from cache");\n');
  const second = await node(['-r', join(dist, 'register.js'), 'app.js'], dir, env);
  t.is(second.stdout.replace(/from cache\n/g, ''), first.stdout);
  t.is((second.stdout.match(/from cache/g) ?? []).length, 2);
  // A changed source gets a new entry (the marked one is not used for it).
  writeFileSync(join(dir, 'lib.cjs'), readFileSync(join(dir, 'lib.cjs'), 'utf8') + '\n// changed\n');
  const third = await node(['-r', join(dist, 'register.js'), 'app.js'], dir, env);
  t.is((third.stdout.match(/from cache/g) ?? []).length, 1);
  t.is(entries().length, 3);
});
