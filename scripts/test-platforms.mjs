// The front-end tests through the other supported toolchains: TypeScript 6.0 + ts-patch 4 and
// Babel 8 (both need Node >= 22.18 / 24.11), and the TypeScript 7 refusal. Installs them from the
// npm registry into a scratch directory, then runs the fixture corpus, the differential tests, the
// tspc build, raceway/register (from a copy of the package installed next to @babel/core 8) and the
// TypeScript 7 check under the given Node:
//
//   node scripts/test-platforms.mjs --node /path/to/node24/bin/node [--dir <scratch dir>] [--keep]
//
// Exits with ava's status (non-zero when a test fails) or 2 when the setup fails. `--dir` reuses
// the installs of an earlier run there; without it a temporary directory is made and removed.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** What each toolchain installs (npm specs). */
const TOOLCHAINS = {
  ts6: ['typescript@~6.0.0', 'ts-patch@^4.0.0'],
  ts7: ['typescript@^7.0.0'],
  babel8: ['@babel/core@^8.0.0', '@babel/preset-typescript@^8.0.0', '@babel/preset-env@^8.0.0',
    '@babel/plugin-transform-modules-commonjs@^8.0.0', '@babel/plugin-transform-react-jsx@^8.0.0'],
};

/** Test files that compile through the selected toolchains (see test/helpers/toolchain.mjs). */
const TESTS = [
  'test/fixtures-transformer.test.mjs',
  'test/fixtures-babel.test.mjs',
  'test/semantics-regressions.test.mjs',
  'test/container-semantics.test.mjs',
  'test/differential-fuzz.test.mjs',
  'test/transformer/tspc.test.mjs',
  'test/transformer/typescript7.test.mjs',
  'test/babel/register.test.mjs',
  'test/babel/register-node.test.mjs',
];

class SetupError extends Error {}
function fail(message) {
  throw new SetupError(message);
}

const { values: args } = parseArgs({ options: { node: { type: 'string' }, dir: { type: 'string' }, keep: { type: 'boolean' } } });
const node = args.node ? resolve(args.node) : process.execPath;
if (!existsSync(node)) {
  console.error(`test-platforms: no Node at ${node}`);
  process.exit(2);
}

const version = execFileSync(node, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim();
const [major, minor] = version.split('.').map(Number);
// Babel 8: ^22.18 || >= 24.11; ts-patch 4: >= 22.15.
if (!((major === 22 && minor >= 18) || (major === 24 && minor >= 11) || major >= 25)) {
  console.error(`test-platforms: Node ${version} cannot run Babel 8 (needs ^22.18 or >= 24.11); pass one with --node`);
  process.exit(2);
}

const scratch = args.dir ? resolve(args.dir) : mkdtempSync(join(tmpdir(), 'raceway-platforms-'));
mkdirSync(scratch, { recursive: true });

function npmInstall(dir, specs) {
  const marker = join(dir, '.installed.json');
  if (existsSync(marker) && readFileSync(marker, 'utf8') === JSON.stringify(specs)) return;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `raceway-platform-${dir.split(/[\\/]/).pop()}`, private: true }));
  console.log(`test-platforms: npm install ${specs.join(' ')} (in ${dir})`);
  const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', '--ignore-scripts', '--loglevel=error', ...specs], { cwd: dir, stdio: 'inherit' });
  if (r.status !== 0) fail(`npm install failed in ${dir}`);
  writeFileSync(marker, JSON.stringify(specs));
}

let status = 2;
try {
  // This checkout's dist/ is what is under test.
  const build = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) fail('build failed');

  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  // The Babel 8 directory doubles as an app that installed raceway: its dependencies (no native
  // ones: only the server needs those) and a copy of the package next to @babel/core 8.
  const appDeps = Object.entries(pkg.dependencies ?? {}).filter(([name]) => name !== 'better-sqlite3').map(([name, range]) => `${name}@${range}`);
  const dirs = { ts6: join(scratch, 'ts6'), ts7: join(scratch, 'ts7'), babel8: join(scratch, 'babel8') };
  npmInstall(dirs.ts6, TOOLCHAINS.ts6);
  npmInstall(dirs.ts7, TOOLCHAINS.ts7);
  npmInstall(dirs.babel8, [...TOOLCHAINS.babel8, ...appDeps]);
  const installed = join(dirs.babel8, 'node_modules', 'raceway');
  rmSync(installed, { recursive: true, force: true });
  mkdirSync(installed, { recursive: true });
  cpSync(join(root, 'package.json'), join(installed, 'package.json'));
  cpSync(join(root, 'dist'), join(installed, 'dist'), { recursive: true, filter: (f) => !f.endsWith('.tsbuildinfo') });

  const env = {
    ...process.env,
    RACEWAY_TEST_TYPESCRIPT: dirs.ts6,
    RACEWAY_TEST_BABEL: dirs.babel8,
    RACEWAY_TEST_INSTALLED: dirs.babel8,
    RACEWAY_TEST_TYPESCRIPT7: dirs.ts7,
    NODE_OPTIONS: '',
  };
  const ava = join(root, 'node_modules', 'ava', 'entrypoints', 'cli.mjs');
  const versionOf = (dir, name) => JSON.parse(readFileSync(join(dir, 'node_modules', name, 'package.json'), 'utf8')).version;
  console.log(`test-platforms: Node ${version}, typescript ${versionOf(dirs.ts6, 'typescript')} + ts-patch ${versionOf(dirs.ts6, 'ts-patch')}, ` +
    `@babel/core ${versionOf(dirs.babel8, '@babel/core')}, typescript ${versionOf(dirs.ts7, 'typescript')} (refusal only): ${TESTS.length} test files`);
  const r = spawnSync(node, [ava, ...TESTS], { cwd: root, env, stdio: 'inherit' });
  status = r.status ?? 1;
} catch (e) {
  if (!(e instanceof SetupError)) throw e;
  console.error(`test-platforms: ${e.message}`);
} finally {
  if (!args.dir && !args.keep) rmSync(scratch, { recursive: true, force: true });
  else console.log(`test-platforms: toolchains kept in ${scratch}`);
}
process.exit(status);
