/**
 * Where `raceway run`'s events go: an embedded server (in memory or `--db`) on a free loopback
 * port, or a running one (`--endpoint`). Either way: its races, and its event count for progress.
 */
import type { RaceReport } from '../analyzer';
import { allRaces, type RacesPage } from '../race-pages';

export interface Collector {
  /** The URL the command's processes send their events to (and the web view is served at). */
  endpoint: string;
  /** True when this process serves it (the web view lives as long as this process). */
  embedded: boolean;
  races(): Promise<{ races: RaceReport[]; suppressed: number }>;
  /** Events received so far. */
  events(): Promise<number>;
  close(): Promise<void>;
}

export async function embeddedCollector(db: string | undefined): Promise<Collector> {
  // Loaded here: only `run` without --endpoint needs the store (and its SQLite driver).
  const { Store } = require('../store') as typeof import('../store');
  const { createRacewayServer } = require('../http') as typeof import('../http');
  const store = new Store(db ?? ':memory:');
  const srv = createRacewayServer({ store });
  let addr;
  try {
    addr = await srv.listen(0, '127.0.0.1');
  } catch (err) {
    store.close();
    throw err;
  }
  return {
    endpoint: `http://127.0.0.1:${addr.port}`,
    embedded: true,
    races: async () => ({ races: srv.engine.analyze().reports, suppressed: store.index.suppressed }),
    events: async () => store.events,
    close: async () => {
      await srv.close();
      store.close();
    },
  };
}

async function getData<T>(endpoint: string, path: string): Promise<T | undefined> {
  const res = await fetch(new URL(path, endpoint), { signal: AbortSignal.timeout(60_000) });
  const body = (await res.json()) as { data?: T };
  return body.data;
}

export function remoteCollector(endpoint: string): Collector {
  const base = endpoint.endsWith('/') ? endpoint : endpoint + '/';
  return {
    endpoint,
    embedded: false,
    races: async () => {
      const { races, suppressed } = await allRaces((path) => getData<RacesPage>(base, path));
      return { races, suppressed };
    },
    events: async () => (await getData<{ events_captured?: number }>(base, 'status').catch(() => undefined))?.events_captured ?? 0,
    close: async () => undefined,
  };
}
