/**
 * `raceway run -- <command…>`: race detection for whatever a command runs, in one step. An
 * embedded server (in memory, or `--db`) on a free loopback port — or `--endpoint` for a running
 * one — receives the events; the command runs with every Node.js process it starts instrumented
 * at load time (`NODE_OPTIONS=--import raceway/register`: ES modules, CommonJS and, where Node
 * strips types, `.ts` files of the project; code already instrumented by the transformer or the
 * preset is left as it is) and recording everything (no event budget). When the command ends,
 * processes it left running (detached children) get a bounded time to end and flush, the races
 * are printed as `raceway races` prints them, and optionally written as JSON and SARIF.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RaceReport } from './analyzer';
import { formatRaces } from './format';
import { embeddedCollector, remoteCollector, type Collector } from './run/collector';
import { ProcessRegistry, RUN_DIR_ENV } from './run/processes';
import { startProgress } from './run/progress';
import { toSarif } from './run/sarif';

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
  /** Also write the races as a SARIF 2.1.0 log to this file. */
  sarif?: string;
  /** Exit with RACES_FOUND_EXIT_CODE when races were found (and the command itself succeeded). */
  failOnRace?: boolean;
  /**
   * After the report, keep serving the web view until Ctrl-C (on a terminal; elsewhere, such as
   * CI, the URL is printed and the run ends as usual).
   */
  open?: boolean;
  /** How long to wait for processes the command left running, ms (default LATE_PROCESS_WAIT_MS). */
  lateWaitMs?: number;
  /** Where the report goes (stdout by default). */
  out?: (text: string) => void;
}

/** The exit code of `run --fail-on-race` when the command succeeded and races were found. */
export const RACES_FOUND_EXIT_CODE = 3;

/**
 * How long processes the command started and left running are waited for (their events arrive
 * when they end): long enough for a detached child finishing its work, short enough that a
 * daemon left behind does not hold the report back.
 */
export const LATE_PROCESS_WAIT_MS = 10_000;

/** The environment of the command: the register hook in NODE_OPTIONS (inherited by its children), full capture. */
export function runEnvironment(base: NodeJS.ProcessEnv, endpoint: string, opts: Pick<RunOptions, 'include' | 'exclude'>, runDir?: string): NodeJS.ProcessEnv {
  const hook = pathToFileURL(join(__dirname, '..', 'babel-plugin', 'register.mjs')).href;
  const env: NodeJS.ProcessEnv = {
    ...base,
    NODE_OPTIONS: `${base.NODE_OPTIONS ? base.NODE_OPTIONS + ' ' : ''}--import "${hook}"`,
    RACEWAY_ENABLED: 'true',
    RACEWAY_ENDPOINT: endpoint,
    RACEWAY_MAX_EVENTS_PER_SECOND: 'unlimited',
    RACEWAY_SHUTDOWN_TIMEOUT: base.RACEWAY_SHUTDOWN_TIMEOUT ?? '20000',
  };
  if (runDir) env[RUN_DIR_ENV] = runDir;
  if (opts.include || opts.exclude) {
    env.RACEWAY_BABEL_OPTIONS = JSON.stringify({ ...(opts.include ? { include: opts.include } : {}), ...(opts.exclude ? { exclude: opts.exclude } : {}) });
  }
  return env;
}

/** Runs the command; resolves with its exit code (128 + signal number when a signal ended it). */
function runChild(command: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [cmd, ...args] = command;
  return new Promise<number>((resolveCode, reject) => {
    const child = spawn(cmd!, args, { stdio: 'inherit', env });
    // Ctrl-C reaches the command too (one process group): it decides how to end, and the report
    // of what ran until then still follows. A SIGTERM sent to `run` alone is passed on.
    const onSigint = () => undefined;
    const onSigterm = () => child.kill('SIGTERM');
    process.on('SIGINT', onSigint);
    process.on('SIGTERM', onSigterm);
    const done = () => {
      process.removeListener('SIGINT', onSigint);
      process.removeListener('SIGTERM', onSigterm);
    };
    child.once('error', (err) => { done(); reject(new Error(`cannot run ${cmd}: ${err.message}`)); });
    child.once('exit', (c, signal) => { done(); resolveCode(c ?? (signal ? 128 + (signalNumber(signal) ?? 0) : 1)); });
  });
}

/**
 * Events still in flight when the last process ended (a shipping thread's final request) are
 * counted in by waiting until the count holds still for a moment, within a bound.
 */
async function settle(collector: Collector, quietMs = 300, boundMs = 2000): Promise<void> {
  const until = Date.now() + boundMs;
  let last = await collector.events().catch(() => 0);
  while (Date.now() < until) {
    await new Promise((r) => setTimeout(r, quietMs));
    const now = await collector.events().catch(() => last);
    if (now === last) return;
    last = now;
  }
}

/** Runs the command under Raceway; resolves with the exit code `raceway run` ends with. */
export async function runCommand(opts: RunOptions): Promise<number> {
  const out = opts.out ?? ((s: string) => process.stdout.write(s));
  const collector = opts.endpoint ? remoteCollector(opts.endpoint) : await embeddedCollector(opts.db);
  const registry = new ProcessRegistry();
  try {
    const progress = startProgress({
      processes: () => registry.pids().length,
      events: () => collector.events(),
      races: async () => (collector.embedded ? (await collector.races()).races.length : undefined),
    });
    let code: number;
    try {
      code = await runChild(opts.command, runEnvironment(process.env, collector.endpoint, opts, registry.dir));
      // Children the command started last may still be starting up: give them a moment to
      // announce themselves (and anything in flight to arrive) before looking for them.
      await settle(collector);
      const running = registry.running();
      if (running.length > 0) {
        const bound = opts.lateWaitMs ?? LATE_PROCESS_WAIT_MS;
        process.stderr.write(`raceway: waiting up to ${bound / 1000} s for ${running.length} process(es) the command left running (pid ${running.join(', ')})\n`);
        const left = await registry.waitForExit(bound);
        if (left.length > 0) process.stderr.write(`raceway: reporting without the events of pid ${left.join(', ')}, still running\n`);
        await settle(collector);
      }
    } finally {
      await progress.stop();
    }
    const { races, suppressed } = await collector.races();
    if (opts.report) writeFileSync(opts.report, JSON.stringify(races, null, 2) + '\n');
    if (opts.sarif) writeFileSync(opts.sarif, JSON.stringify(toSarif(races, resolve(process.env.RACEWAY_ROOT || process.cwd()), packageVersion()), null, 2) + '\n');
    out(opts.json ? JSON.stringify(races, null, 2) + '\n' : '\n' + formatRaces(races, suppressed));
    if (opts.open) await serveWebView(collector, races);
    if (code !== 0) return code;
    return opts.failOnRace && races.length > 0 ? RACES_FOUND_EXIT_CODE : 0;
  } finally {
    registry.remove();
    await collector.close();
  }
}

/**
 * `--open`: on a terminal, the embedded server stays up with the web view until Ctrl-C (and the
 * system browser is asked to show it). Elsewhere (CI, pipes) nobody is there to look: the URL is
 * printed and the run ends as usual. A running server (`--endpoint`) keeps serving by itself.
 */
async function serveWebView(collector: Collector, races: RaceReport[]): Promise<void> {
  const url = collector.endpoint.endsWith('/') ? collector.endpoint : collector.endpoint + '/';
  if (!collector.embedded) {
    process.stderr.write(`raceway: web view at ${url}\n`);
    return;
  }
  if (!process.stdout.isTTY || !process.stdin.isTTY || process.env.CI) {
    process.stderr.write(`raceway: --open: not a terminal, so the web view is not kept (it would have been at ${url}); use --db FILE and "raceway serve --db FILE" to look later\n`);
    return;
  }
  process.stderr.write(`raceway: web view of ${races.length} race(s) at ${url} — Ctrl-C to stop\n`);
  openBrowser(url);
  await new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
}

/** Best effort: the platform's opener, detached; nothing happens when there is none. */
function openBrowser(url: string): void {
  const [cmd, args] = process.platform === 'darwin' ? ['open', [url]]
    : process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', url]]
    : ['xdg-open', [url]];
  try {
    const p = spawn(cmd as string, args as string[], { stdio: 'ignore', detached: true });
    p.on('error', () => undefined);
    p.unref();
  } catch {
    /* no opener */
  }
}

function packageVersion(): string {
  try {
    return (require('../../package.json') as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

function signalNumber(signal: NodeJS.Signals): number | undefined {
  return (require('node:os') as typeof import('node:os')).constants.signals[signal];
}
