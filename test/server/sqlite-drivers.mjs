// The SQLite drivers this Node can run the store on (node:sqlite from Node 22.13, better-sqlite3
// where installed and safe): tests of persistence, restarts and failed writes run once per driver.
import test from 'ava';
import { availableDrivers } from '../../dist/server/sqlite.js';

export const drivers = availableDrivers();

/** Registers `fn` as one test per available driver, the driver's name in the title. */
export function testEachDriver(title, fn) {
  for (const driver of drivers) test(`${title} [${driver}]`, (t) => fn(t, driver));
}
