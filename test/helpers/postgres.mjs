/**
 * A throwaway PostgreSQL cluster for tests: `initdb` into a temp directory, `pg_ctl start` on a free
 * loopback port with its socket in that directory, dropped when the process ends. Run as root (CI),
 * the server runs as the `postgres` user (PostgreSQL refuses root) through runuser/su.
 *
 * `startPostgres()` resolves with `{ url, bin, dir, port, restart, stop }`, or with null when no
 * PostgreSQL is installed outside CI (the caller skips, saying why); under `CI=true` a missing
 * PostgreSQL is an error.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const inCi = () => process.env.CI === 'true' || process.env.CI === '1';

/** The directory holding initdb and pg_ctl: newest /usr/lib/postgresql/N/bin, else whatever PATH has. */
export function postgresBin() {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'pg_ctl'))).sort((a, b) => Number(b) - Number(a));
    if (versions.length > 0) return join(root, versions[0], 'bin');
  }
  const found = spawnSync('sh', ['-c', 'command -v pg_ctl'], { encoding: 'utf8' });
  const path = found.status === 0 ? found.stdout.trim() : '';
  return path ? path.replace(/\/pg_ctl$/, '') : null;
}

export const NO_POSTGRES = 'PostgreSQL is not installed (no initdb/pg_ctl under /usr/lib/postgresql or on PATH): the PostgreSQL store tests are skipped; `apt-get install postgresql` runs them';

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** Runs a PostgreSQL binary, as `postgres` when this process is root. */
function runPg(bin, tool, args) {
  const argv = [join(bin, tool), ...args];
  if (!asRoot) return execFileSync(argv[0], argv.slice(1), { stdio: 'pipe', encoding: 'utf8' });
  const quoted = argv.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const runuser = existsSync('/sbin/runuser') || existsSync('/usr/sbin/runuser') ? ['runuser', ['-u', 'postgres', '--', ...argv]] : ['su', ['postgres', '-s', '/bin/sh', '-c', quoted]];
  return execFileSync(runuser[0], runuser[1], { stdio: 'pipe', encoding: 'utf8' });
}

const clusters = new Set();
process.once('exit', () => {
  for (const c of clusters) c.stopSync();
});

/** Starts a cluster; null (skip) when PostgreSQL is missing outside CI. */
export async function startPostgres() {
  const bin = postgresBin();
  if (!bin) {
    if (inCi()) throw new Error('CI=true but PostgreSQL is not installed: .ci/run installs the Debian postgresql package');
    return null;
  }
  const dir = mkdtempSync(join(tmpdir(), 'raceway-pg-'));
  const data = join(dir, 'data');
  chmodSync(dir, 0o777); // the postgres user writes the cluster and its socket here
  const pwFile = join(dir, 'pw');
  writeFileSync(pwFile, 'raceway\n');
  chmodSync(pwFile, 0o644);
  runPg(bin, 'initdb', ['-D', data, '-U', 'raceway', '--pwfile', pwFile, '-A', 'md5', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  const log = join(dir, 'log');
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=60`;
  const start = () => runPg(bin, 'pg_ctl', ['-D', data, '-l', log, '-o', options, '-w', '-t', '60', 'start']);
  const stop = (mode = 'fast') => runPg(bin, 'pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '60', 'stop']);
  start();
  const cluster = {
    bin, dir, port,
    url: `postgres://raceway:raceway@127.0.0.1:${port}/postgres`,
    running: true,
    /** A new empty database on this cluster; its URL. */
    createDatabase(name) {
      runPg(bin, 'psql', ['-h', dir, '-p', String(port), '-U', 'raceway', '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', '-q', '-c', `CREATE DATABASE "${name}"`]);
      return `postgres://raceway:raceway@127.0.0.1:${port}/${name}`;
    },
    stop(mode) {
      stop(mode);
      cluster.running = false;
    },
    start() {
      start();
      cluster.running = true;
    },
    stopSync() {
      try {
        if (cluster.running) stop('immediate');
      } catch { /* already down */ }
      cluster.running = false;
      rmSync(dir, { recursive: true, force: true });
    },
  };
  // psql authenticates with the password file's password.
  process.env.PGPASSWORD = 'raceway';
  clusters.add(cluster);
  return cluster;
}

let databases = 0;

let shared;
const named = new Map();

/** The cluster this test process shares (started on first use). */
export function sharedPostgres() {
  shared ??= startPostgres().then((pg) => {
    if (!pg) throw new Error(NO_POSTGRES);
    return pg;
  });
  return shared;
}

/**
 * A database on the shared cluster for `key`: the same one each time for a key (a server restarted
 * on "the same database"), a new one each time for ':memory:'.
 */
export async function databaseFor(key = ':memory:') {
  const pg = await sharedPostgres();
  if (key !== ':memory:' && named.has(key)) return named.get(key);
  const url = pg.createDatabase(`t${process.pid}_${++databases}`);
  if (key !== ':memory:') named.set(key, url);
  return url;
}

/** Whether the PostgreSQL variant of a test should be registered (a missing PostgreSQL fails under CI). */
export function postgresTestable() {
  return postgresBin() !== null || inCi();
}

/** Runs one statement (or several, without parameters) on the database at `url`; its rows. */
export async function sqlOn(url, text, params) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, params)).rows;
  } finally {
    await client.end();
  }
}
