#!/usr/bin/env node
/**
 * `raceway serve | races | traces`. Every failure is one line on stderr (no stack traces):
 * exit 2 for usage and connection errors, 1 for `races --fail-on-race` when races exist.
 */
import { join, resolve } from 'node:path';
import { allRaces, type RacesPage } from './race-pages';
import { formatRaces, formatTraces } from './format';
import { isLoopbackAddress } from './browser-guard';
import type { TraceSummary } from './store';
import type * as StoreModule from './store';
import type * as HttpModule from './http';
import type * as RunModule from './run';
import type * as PostgresLogModule from './postgres-log';
import type * as RetentionModule from './retention';

const USAGE = `Usage:
  raceway serve  [--port 8080] [--host 127.0.0.1] [--db PATH | --db postgres://USER:PASS@HOST/DB | --memory] [--api-key KEY]
                 [--max-body BYTES] [--ingest-workers N] [--cors ORIGIN] [--insecure-no-auth] [--retain 7d] [--max-events N]
  raceway races  [--endpoint URL] [--json] [--fail-on-race] [--api-key KEY]
  raceway traces [--endpoint URL] [--json] [--page N] [--page-size N] [--api-key KEY]
  raceway run    [--db PATH | --endpoint URL] [--include GLOBS] [--exclude GLOBS] [--json] [--report FILE] [--sarif FILE]
                 [--fail-on-race] [--open] -- COMMAND [ARGS...]
Defaults: --endpoint $RACEWAY_ENDPOINT or http://127.0.0.1:8080, --api-key $RACEWAY_API_KEY,
  database $RACEWAY_DATABASE_URL (a postgres:// URL or a SQLite file) or .raceway/raceway.db.`;

class CliError extends Error {}

type Flags = Record<string, string | boolean>;

const BOOLEAN_FLAGS = new Set(['json', 'fail-on-race', 'memory', 'help', 'insecure-no-auth', 'open']);

function parseArgs(argv: string[]): { command: string; flags: Flags; rest: string[] } {
  const flags: Flags = {};
  let command = '';
  let rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') { rest = argv.slice(i + 1); break; } // `run -- COMMAND ...`: the rest is the command's
    if (a === '-h') { flags.help = true; continue; }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
      if (BOOLEAN_FLAGS.has(name)) {
        flags[name] = true;
      } else if (eq > 0) {
        flags[name] = a.slice(eq + 1);
      } else {
        const v = argv[i + 1];
        if (v === undefined || v.startsWith('--')) throw new CliError(`option --${name} needs a value`);
        flags[name] = v;
        i++;
      }
    } else if (!command) command = a;
    else throw new CliError(`unexpected argument "${a}"`);
  }
  return { command, flags, rest };
}

function str(flags: Flags, name: string): string | undefined {
  const v = flags[name];
  return typeof v === 'string' ? v : undefined;
}

function int(flags: Flags, name: string, def: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const v = str(flags, name);
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new CliError(`--${name} must be an integer between ${min} and ${max}, got "${v}"`);
  return n;
}

function endpointOf(flags: Flags): URL {
  const raw = str(flags, 'endpoint') ?? process.env.RACEWAY_ENDPOINT ?? 'http://127.0.0.1:8080';
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new CliError(`invalid endpoint "${raw}": expected a URL such as http://127.0.0.1:8080`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new CliError(`invalid endpoint "${raw}": only http and https are supported`);
  return u;
}

interface Envelope<T> { success: boolean; data: T | null; error: string | null }

async function getJson<T>(flags: Flags, path: string): Promise<T> {
  const base = endpointOf(flags);
  const url = new URL(path, base.href.endsWith('/') ? base.href : base.href + '/');
  const key = str(flags, 'api-key') ?? process.env.RACEWAY_API_KEY;
  let res: Response;
  try {
    res = await fetch(url, { headers: key ? { authorization: `Bearer ${key}` } : {}, signal: AbortSignal.timeout(30_000) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code === 'ECONNREFUSED' ? 'connection refused'
      : (err as Error).name === 'TimeoutError' ? 'timed out after 30 s'
      : cause?.code ?? cause?.message ?? (err as Error).message;
    throw new CliError(`cannot reach the Raceway server at ${base.origin} (${why}); start it with "npx raceway serve" or pass --endpoint URL`);
  }
  let body: Envelope<T>;
  try {
    body = (await res.json()) as Envelope<T>;
  } catch {
    throw new CliError(`${url.href} answered HTTP ${res.status} with something that is not a Raceway JSON reply; is --endpoint right?`);
  }
  if (!res.ok || !body || body.success !== true || body.data === null || body.data === undefined) {
    throw new CliError(`the Raceway server answered HTTP ${res.status}: ${body?.error ?? 'no data'}`);
  }
  return body.data;
}

async function races(flags: Flags): Promise<number> {
  const { races: list, suppressed, total } = await allRaces((path) => getJson<RacesPage>(flags, path));
  process.stdout.write(flags.json ? JSON.stringify(list, null, 2) + '\n' : formatRaces(list, suppressed));
  if (!flags.json && total > list.length) process.stdout.write(`(${total - list.length} more races were found while the list was read)\n`);
  return flags['fail-on-race'] && total > 0 ? 1 : 0;
}

async function traces(flags: Flags): Promise<number> {
  const page = int(flags, 'page', 1, 1);
  const size = int(flags, 'page-size', 20, 1, 1000);
  const data = await getJson<{ traces: TraceSummary[]; total_traces: number; page: number; total_pages: number }>(flags, `api/traces?page=${page}&page_size=${size}`);
  process.stdout.write(flags.json ? JSON.stringify(data, null, 2) + '\n' : formatTraces(data.traces, data.total_traces, data.page, data.total_pages));
  return 0;
}

/** `--cors ORIGIN`: one web origin (`https://host[:port]`), as browsers send it in `Origin`. */
function originOf(raw: string | undefined): string | null {
  if (raw === undefined) return null;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new CliError(`invalid --cors "${raw}": expected an origin such as https://dashboard.example.com`);
  }
  if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.origin !== raw.replace(/\/$/, '')) {
    throw new CliError(`invalid --cors "${raw}": expected an origin (scheme, host and port only), such as ${u.origin}`);
  }
  return u.origin;
}

/** `--retain 7d` (s, m, h, d, w) and `--max-events N`: see retention.ts. */
function retentionOf(flags: Flags): { retainMs?: number; maxEvents?: number } {
  const { parseDuration } = require('./retention') as typeof RetentionModule;
  const out: { retainMs?: number; maxEvents?: number } = {};
  const retain = str(flags, 'retain');
  if (retain !== undefined) {
    const ms = parseDuration(retain);
    if (ms === null) throw new CliError(`--retain must be a duration such as 90s, 30m, 12h, 7d or 2w, got "${retain}"`);
    out.retainMs = ms;
  }
  if (str(flags, 'max-events') !== undefined) out.maxEvents = int(flags, 'max-events', 0, 1);
  return out;
}

/**
 * An empty key would silently mean "no key"; a server reachable from other machines without a key
 * lets anyone on the network read the recorded values and post events.
 */
function checkExposure(host: string, key: string | undefined, insecure: boolean): void {
  if (key !== undefined && key.trim() === '') throw new CliError('--api-key is empty; give a key, or leave the option out');
  if (!isLoopbackAddress(host) && !key && !insecure) {
    throw new CliError(`--host ${host} makes the server reachable from other machines: give --api-key KEY (or RACEWAY_API_KEY), or --insecure-no-auth to run without one`);
  }
}

async function serve(flags: Flags): Promise<number> {
  // Loaded lazily: `races` and `traces` must work where no SQLite driver is installed.
  const { Store } = require('./store') as typeof StoreModule;
  const { createRacewayServer, DEFAULT_MAX_BODY_BYTES } = require('./http') as typeof HttpModule;
  if (flags.memory && str(flags, 'db')) throw new CliError('use either --db PATH or --memory, not both');
  const port = int(flags, 'port', 8080, 0, 65535);
  const host = str(flags, 'host') ?? '127.0.0.1';
  const maxBody = int(flags, 'max-body', DEFAULT_MAX_BODY_BYTES, 1);
  const ingestWorkers = str(flags, 'ingest-workers') === undefined ? undefined : int(flags, 'ingest-workers', 1, 0, 64);
  const dbFlag = str(flags, 'db') ?? (flags.memory ? undefined : process.env.RACEWAY_DATABASE_URL || undefined);
  const { isPostgresUrl, redactUrl } = require('./postgres-log') as typeof PostgresLogModule;
  const postgres = dbFlag !== undefined && isPostgresUrl(dbFlag);
  const dbPath = flags.memory ? ':memory:' : postgres ? dbFlag! : resolve(dbFlag ?? join('.raceway', 'raceway.db'));
  const shownDb = postgres ? redactUrl(dbPath) : dbPath;
  const corsOrigin = originOf(str(flags, 'cors'));
  const retention = retentionOf(flags);
  // An empty RACEWAY_API_KEY is an unset one (`RACEWAY_API_KEY= npx raceway serve`); an empty --api-key is a mistake.
  const flagKey = str(flags, 'api-key');
  checkExposure(host, flagKey ?? (process.env.RACEWAY_API_KEY || undefined), flags['insecure-no-auth'] === true);
  let store;
  try {
    // Rebuilding the analysis index of a large database takes a while: say what is happening.
    if (dbPath !== ':memory:') process.stdout.write(`Opening ${shownDb} ...\n`);
    store = await Store.open(dbPath, {}, { backgroundCheckpoints: true, retention });
  } catch (err) {
    // No SQLite driver or no PostgreSQL client: the message already says what to install.
    const name = (err as Error).name;
    if (name === 'SqliteUnavailableError' || name === 'PostgresUnavailableError') throw new CliError((err as Error).message);
    throw new CliError(`cannot open the database ${shownDb}: ${(err as Error).message}`);
  }
  const apiKey = flagKey || process.env.RACEWAY_API_KEY || null;
  const srv = createRacewayServer({ store, apiKey, maxBodyBytes: maxBody, ingestWorkers, corsOrigin });
  let addr;
  try {
    addr = await srv.listen(port, host);
  } catch (err) {
    await srv.close().catch(() => undefined);
    await store.close();
    const code = (err as { code?: string }).code;
    throw new CliError(code === 'EADDRINUSE' ? `port ${port} on ${host} is already in use; pick another with --port` : `cannot listen on ${host}:${port}: ${(err as Error).message}`);
  }
  if (store.damaged.length > 0) {
    const seqs = store.damaged.slice(0, 10).join(', ') + (store.damaged.length > 10 ? ', …' : '');
    process.stderr.write(`raceway: ${store.damaged.length} stored batch(es) could not be read and are left out (batch seq ${seqs})\n`);
  }
  const shownHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const base = `http://${shownHost}:${addr.port}`;
  process.stdout.write(`Raceway server listening on ${base}\n  ingest:  POST ${base}/events\n  races:   ${base}/api/races\n  web view: ${base}/\n` +
    `  storage: ${dbPath === ':memory:' ? 'in memory' : shownDb}${apiKey ? '\n  API key required' : ''}\n`);
  await new Promise<void>((resolveStop) => {
    const stop = () => {
      srv.close().then(() => store.close()).then(() => resolveStop(), () => resolveStop());
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}

/** `raceway run -- COMMAND`: see run.ts. */
async function run(flags: Flags, command: string[]): Promise<number> {
  if (command.length === 0) throw new CliError('run needs a command after --, e.g. raceway run -- npm test');
  if (str(flags, 'db') && str(flags, 'endpoint')) throw new CliError('use either --db PATH or --endpoint URL, not both');
  const endpoint = str(flags, 'endpoint') === undefined ? undefined : endpointOf(flags).href;
  const globs = (name: string) => str(flags, name)?.split(',').map((g) => g.trim()).filter(Boolean);
  const { runCommand } = require('./run') as typeof RunModule;
  const db = str(flags, 'db');
  return runCommand({
    command, endpoint, db: db === undefined ? undefined : resolve(db), include: globs('include'), exclude: globs('exclude'),
    json: flags.json === true, report: str(flags, 'report'), sarif: str(flags, 'sarif'), failOnRace: flags['fail-on-race'] === true,
    open: flags.open === true,
  });
}

export async function main(argv: string[]): Promise<number> {
  const { command, flags, rest } = parseArgs(argv);
  if (flags.help || command === 'help' || command === '') {
    process.stdout.write(USAGE + '\n');
    return command === '' && !flags.help ? 2 : 0;
  }
  switch (command) {
    case 'serve': return serve(flags);
    case 'races': return races(flags);
    case 'traces': return traces(flags);
    case 'run': return run(flags, rest);
    default: throw new CliError(`unknown command "${command}" (expected serve, races, traces or run)`);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => { process.exitCode = code; },
    (err: unknown) => {
      process.stderr.write(`raceway: ${err instanceof CliError ? err.message : (err as Error)?.message ?? String(err)}\n`);
      process.exitCode = 2;
    },
  );
}
