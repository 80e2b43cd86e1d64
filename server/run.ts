/**
 * `raceway run -- <command…>`: race detection for whatever a command runs, in one step. An
 * embedded server (in memory, or `--db`) on a free loopback port — or `--endpoint` for a running
 * one — receives the events; the command runs with every Node.js process it starts instrumented
 * at load time (`NODE_OPTIONS=--import raceway/register`: ES modules, CommonJS and, where Node
 * strips types, `.ts` files of the project; code already instrumented by the transformer or the
 * preset is left as it is) and recording everything (no event budget). When the command ends, each
 * process has flushed its events on exit; the races are printed as `raceway races` prints them.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RaceReport } from './analyzer';
import { formatRaces } from './format';

export interface RunOptions {
  /** The command and its arguments. */
  command: string[];
  /** A Raceway server already running; else an embedded one. */
  endpoint?: string;
  /** The embedded server's database file (default: in memory). */
  db?: string;
  /** Globs of the files to instrument (default: the project's own files, not node_modules). */
  include?: string[];
  exclude?: string[];
  /** Print the races as JSON instead of the report. */
  json?: boolean;
  /** Also write the races as JSON to this file. */
  report?: string;
  /** Exit with RACES_FOUND_EXIT_CODE when races were found (and the command itself succeeded). */
  failOnRace?: boolean;
  /** Where the report goes (stdout by default). */
  out?: (text: string) => void;
}

/** The exit code of `run --fail-on-race` when the command succeeded and races were found. */
export const RACES_FOUND_EXIT_CODE = 3;

interface Collector {
  endpoint: string;
  races(): Promise<{ races: RaceReport[]; suppressed: number }>;
  close(): Promise<void>;
}

async function embedded(db: string | undefined): Promise<Collector> {
  // Loaded here: only `run` without --endpoint needs the store (and its SQLite driver).
  const { Store } = require('./store') as typeof import('./store');
  const { createRacewayServer } = require('./http') as typeof import('./http');
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
    races: async () => ({ races: srv.engine.analyze().reports, suppressed: store.index.suppressed }),
    close: async () => {
      await srv.close();
      store.close();
    },
  };
}

function remote(endpoint: string): Collector {
  return {
    endpoint,
    races: async () => {
      const res = await fetch(new URL('api/races?limit=10000', endpoint.endsWith('/') ? endpoint : endpoint + '/'), { signal: AbortSignal.timeout(60_000) });
      const body = (await res.json()) as { data?: { races?: RaceReport[]; suppressed_races?: number } };
      return { races: body.data?.races ?? [], suppressed: body.data?.suppressed_races ?? 0 };
    },
    close: async () => undefined,
  };
}

/** The environment of the command: the register hook in NODE_OPTIONS (inherited by its children), full capture. */
export function runEnvironment(base: NodeJS.ProcessEnv, endpoint: string, opts: Pick<RunOptions, 'include' | 'exclude'>): NodeJS.ProcessEnv {
  const hook = pathToFileURL(join(__dirname, '..', 'babel-plugin', 'register.mjs')).href;
  const env: NodeJS.ProcessEnv = {
    ...base,
    NODE_OPTIONS: `${base.NODE_OPTIONS ? base.NODE_OPTIONS + ' ' : ''}--import "${hook}"`,
    RACEWAY_ENABLED: 'true',
    RACEWAY_ENDPOINT: endpoint,
    RACEWAY_MAX_EVENTS_PER_SECOND: 'unlimited',
    RACEWAY_SHUTDOWN_TIMEOUT: base.RACEWAY_SHUTDOWN_TIMEOUT ?? '20000',
  };
  if (opts.include || opts.exclude) {
    env.RACEWAY_BABEL_OPTIONS = JSON.stringify({ ...(opts.include ? { include: opts.include } : {}), ...(opts.exclude ? { exclude: opts.exclude } : {}) });
  }
  return env;
}

/** Runs the command under Raceway; resolves with the exit code `raceway run` ends with. */
export async function runCommand(opts: RunOptions): Promise<number> {
  const out = opts.out ?? ((s: string) => process.stdout.write(s));
  const collector = opts.endpoint ? remote(opts.endpoint) : await embedded(opts.db);
  try {
    const [cmd, ...args] = opts.command;
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn(cmd!, args, { stdio: 'inherit', env: runEnvironment(process.env, collector.endpoint, opts) });
      child.once('error', (err) => reject(new Error(`cannot run ${cmd}: ${err.message}`)));
      child.once('exit', (c, signal) => resolve(c ?? (signal ? 128 + (signalNumber(signal) ?? 0) : 1)));
    });
    const { races, suppressed } = await collector.races();
    if (opts.report) writeFileSync(opts.report, JSON.stringify(races, null, 2) + '\n');
    out(opts.json ? JSON.stringify(races, null, 2) + '\n' : '\n' + formatRaces(races, suppressed));
    if (code !== 0) return code;
    return opts.failOnRace && races.length > 0 ? RACES_FOUND_EXIT_CODE : 0;
  } finally {
    await collector.close();
  }
}

function signalNumber(signal: NodeJS.Signals): number | undefined {
  return (require('node:os') as typeof import('node:os')).constants.signals[signal];
}
