// What `npm pack` ships, and what installing that tarball into an app brings with it.
import test from 'ava';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packInto, ROOT, run, scratchDir } from './helpers.mjs';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

test('the tarball holds dist/ and the docs, and nothing a user does not need', async (t) => {
  const r = await run('npm', ['pack', '--dry-run', '--ignore-scripts', '--json'], { cwd: ROOT });
  t.is(r.code, 0, r.stderr);
  const files = JSON.parse(r.stdout)[0].files.map((f) => f.path);
  const outside = files.filter((f) => !f.startsWith('dist/'));
  t.deepEqual(outside.sort(), ['CHANGELOG.md', 'LICENSE', 'README.md', 'package.json']);
  t.deepEqual(files.filter((f) => /\.tsbuildinfo$|\.d\.ts\.map$|\.test\.|(^|\/)test\/|(^|\/)fixtures\/|(^|\/)bench\//.test(f)), []);
  // TypeScript sources stay home; only declarations ship.
  t.deepEqual(files.filter((f) => /\.[cm]?ts$/.test(f) && !/\.d\.[cm]?ts$/.test(f)), []);
  // Every entry point package.json names is in it, and the files loaded by path at run time.
  const targets = new Set([pkg.main, pkg.types, ...Object.values(pkg.bin)]);
  for (const entry of Object.values(pkg.exports)) {
    if (typeof entry === 'string') targets.add(entry);
    else for (const target of Object.values(entry)) targets.add(target);
  }
  for (const target of [...targets, 'dist/runtime/worker.js', 'dist/server/checkpoint-worker.js', 'dist/server/ingest-worker.js', 'dist/server/public/index.html', 'dist/babel-plugin/vitest-setup.mjs', 'dist/babel-plugin/register-hooks.mjs']) {
    const path = target.replace(/^\.\//, '');
    if (path === 'package.json') continue;
    t.true(files.includes(path), `${path} is not in the tarball`);
  }
});

test('an app that installs the tarball gets no SQLite and nothing native, and the runtime loads', async (t) => {
  const dir = scratchDir(t, 'raceway-app-');
  const tarball = await packInto(t, dir);
  const app = join(dir, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
  const install = await run('npm', ['install', tarball], { cwd: app });
  t.is(install.code, 0, install.stderr);
  const modules = join(app, 'node_modules');
  t.false(existsSync(join(modules, 'better-sqlite3')));
  const native = [];
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.node') || name === 'binding.gyp') native.push(p);
    }
  };
  walk(modules);
  t.deepEqual(native, []);
  const load = await run(process.execPath, ['-e', "const r = require('raceway'); require('raceway/runtime'); process.stdout.write(typeof r.init + ' ' + typeof r.withLock)"], { cwd: app });
  t.is(load.code, 0, load.stderr);
  t.is(load.stdout, 'function function');
});
