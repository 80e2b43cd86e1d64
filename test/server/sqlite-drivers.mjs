// The backends the store runs on: the SQLite drivers this Node has (node:sqlite from Node 22.13,
// better-sqlite3 where installed and safe) and PostgreSQL (a throwaway cluster, see
// test/helpers/postgres.mjs). Tests of persistence, restarts, duplicates and failed writes run
// once per backend; `driver` 'postgres' makes startServer use a database on that cluster.
import test from 'ava';
import { availableDrivers } from '../../dist/server/sqlite.js';
import { NO_POSTGRES, postgresTestable } from '../helpers/postgres.mjs';

export const drivers = availableDrivers();

function registerPostgres(title, fn) {
  if (postgresTestable()) test(`${title} [postgres]`, (t) => fn(t, 'postgres'));
  else test(`${title} [postgres: skipped]`, (t) => t.log(NO_POSTGRES) || t.pass());
}

/** Registers `fn` as one test per available SQLite driver (and PostgreSQL with `{ postgres: true }`), the driver's name in the title. */
export function testEachDriver(title, fn, { postgres = false } = {}) {
  for (const driver of drivers) test(`${title} [${driver}]`, (t) => fn(t, driver));
  if (postgres) registerPostgres(title, fn);
}

/** Registers `fn` once on SQLite (the default driver, `driver` undefined) and once on PostgreSQL. */
export function testEachBackend(title, fn) {
  test(`${title} [sqlite]`, (t) => fn(t, undefined));
  registerPostgres(title, fn);
}
