// Fixture harness shared by both front ends (TypeScript transformer, Babel plugin).
//
// A fixture is a folder fixtures/<name>/ with
//   input.ts | input.mts   the program (prints to stdout); more .ts/.mts files may sit next to it
//   events.json            expected events, projected by `projectEvents` (optional)
//   fixture.json           optional: { "options": {...front-end options}, "skip": { "<front end>": "why" } }
//
// For every fixture and front end, `checkFixture` compiles the program plainly (tsc, no transformer)
// and through the front end, runs both with node, and requires identical stdout, exit code and
// uncaught error; the instrumented run's events (captured by a real loopback HTTP collector the
// runtime ships to via RACEWAY_ENDPOINT) must equal events.json.
//
// A front end is { name, compile({ fixture, outDir }) => absolute path of the entry .js/.mjs }.
// File paths in events are relative to the fixture folder (the front end's project root).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ts } from './toolchain.mjs';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const fixturesDir = join(repoRoot, 'fixtures');
/** Build outputs live under the repository so `raceway/runtime` resolves by package self-reference. */
export const tmpRoot = join(repoRoot, '.tmp', 'fixtures');

/** @returns {{ name: string, dir: string, entry: string, files: string[], config: any, eventsPath: string }[]} */
export function listFixtures(filter = process.env.RACEWAY_FIXTURE) {
  return readdirSync(fixturesDir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => loadFixture(d.name))
    .filter((f) => f && (!filter || f.name === filter || f.name.startsWith(filter)));
}

export function loadFixture(name) {
  const dir = join(fixturesDir, name);
  const entry = ['input.ts', 'input.tsx', 'input.mts', 'input.js', 'input.mjs'].find((f) => existsSync(join(dir, f)));
  if (!entry) return undefined;
  const files = readdirSync(dir).filter((f) => /\.(m|c)?[jt]sx?$/.test(f) && !f.endsWith('.d.ts'));
  const cfgPath = join(dir, 'fixture.json');
  const config = existsSync(cfgPath) ? JSON.parse(readFileSync(cfgPath, 'utf8')) : {};
  return { name, dir, entry, files, config, eventsPath: join(dir, 'events.json') };
}

/**
 * Compiler options used for every fixture, plain and instrumented (module format follows the file
 * extension). A `null` in the fixture's `compilerOptions` removes the option: the compiler's own
 * default applies (which differs between TypeScript versions, e.g. `alwaysStrict` in TypeScript 6).
 * Under TypeScript 6, `ignoreDeprecations: "6.0"` keeps options it deprecates (`alwaysStrict: false`)
 * usable, as a project that still needs them sets it.
 */
export function fixtureCompilerOptions(ts, fixture, fileName) {
  const esm = /\.m[jt]s$/.test(fileName);
  const options = {
    target: ts.ScriptTarget.ES2022,
    module: esm ? ts.ModuleKind.ESNext : ts.ModuleKind.CommonJS,
    strict: true,
    esModuleInterop: true,
    allowJs: true,
    jsx: ts.JsxEmit.React,
    sourceMap: true,
    ...(Number.parseInt(ts.versionMajorMinor, 10) === 6 ? { ignoreDeprecations: '6.0' } : {}),
  };
  for (const [key, value] of Object.entries(fixture.config.compilerOptions ?? {})) {
    if (value === null) delete options[key];
    else options[key] = value;
  }
  return options;
}

export function outputName(file) {
  return file.replace(/\.tsx?$/, '.js').replace(/\.mts$/, '.mjs').replace(/\.cts$/, '.cjs');
}

/**
 * Compiles each file of the fixture with TypeScript's single-file emit (`ts.transpileModule`, the
 * emit tsc performs per file), optionally with custom transformers. Fixtures are behaviour tests:
 * type errors do not matter, syntax errors and transformer diagnostics do.
 */
export function compileWithTs(fixture, outDir, transformers) {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  for (const f of fixture.files) {
    const fileName = join(fixture.dir, f);
    const out = ts.transpileModule(readFileSync(fileName, 'utf8'), {
      fileName,
      compilerOptions: fixtureCompilerOptions(ts, fixture, f),
      transformers,
      reportDiagnostics: true,
    });
    const errors = (out.diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
    if (errors.length) throw new Error(ts.formatDiagnostics(errors, { getCanonicalFileName: (x) => x, getCurrentDirectory: () => repoRoot, getNewLine: () => '\n' }));
    const outFile = outputName(f);
    writeFileSync(join(outDir, outFile), out.outputText);
    if (out.sourceMapText) writeFileSync(join(outDir, outFile + '.map'), out.sourceMapText);
  }
  return join(outDir, outputName(fixture.entry));
}

export function compilePlain(fixture) {
  return compileWithTs(fixture, join(tmpRoot, 'plain', fixture.name));
}

/** A real HTTP collector on a loopback port: POST /events {"events": [...]}. */
export async function startCollector() {
  const bodies = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      if (req.method === 'POST' && req.url?.endsWith('/events')) {
        try { bodies.push(JSON.parse(body).events ?? []); } catch { bodies.push([]); }
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"success":true}');
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    endpoint: `http://127.0.0.1:${server.address().port}`,
    events: () => bodies.flat(),
    close: () => new Promise((r) => { server.close(() => r()); server.closeAllConnections(); }),
  };
}

/** Runs `node file`; resolves with stdout, stderr, exit code and the uncaught error line, if any. */
export function runNode(file, env = {}, { killAfterMs = 180_000 } = {}) {
  return runNodeWith([file], { cwd: dirname(file), env, killAfterMs });
}

/**
 * `node ...args` with Raceway off unless `env` turns it on and no inherited NODE_OPTIONS: stdout,
 * stderr, exit code, signal and the first uncaught error line.
 */
export function runNodeWith(args, { cwd = repoRoot, env = {}, killAfterMs = 180_000 } = {}) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, {
      cwd,
      env: { ...process.env, RACEWAY_ENABLED: 'false', ...env, NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '', stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    // a safety net against a hung child, not a timing assertion
    const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code, signal, error: uncaughtError(stderr) });
    });
  });
}

export function uncaughtError(stderr) {
  const m = /^([A-Za-z]*Error|Uncaught [^\n]*)(?::[^\n]*)?$/m.exec(stderr);
  return m ? m[0] : null;
}

const KINDS = new Set(['StateChange', 'FunctionCall', 'AsyncAwait', 'AsyncSpawn', 'Error']);

/**
 * Projection of an event stream that fixtures assert on: ids and timestamps dropped, task ids
 * renamed T0, T1, … in order of first appearance.
 *   ["T0", "Write", variable, old, new, location]  /  ["T0", "Read", variable, value, location]
 *   ["T0", "Call", function_name, args, "file:line"]
 *   ["T0", "Spawn", "T1", spawned_by]
 *   ["T0", "Await", awaited_at]
 */
export function projectEvents(events) {
  const tasks = new Map();
  const task = (id) => {
    if (!tasks.has(id)) tasks.set(id, 'T' + tasks.size);
    return tasks.get(id);
  };
  const out = [];
  for (const e of events) {
    const k = Object.keys(e.kind)[0];
    if (!KINDS.has(k)) continue;
    const d = e.kind[k];
    const t = task(e.metadata.thread_id);
    if (k === 'StateChange') {
      if (d.access_type !== 'Read') out.push([t, d.access_type, d.variable, d.old_value, d.new_value, d.location]);
      // A keyed container read (`get`, `has`) carries the entry asked for as its old value.
      else if (JSON.stringify(d.old_value) !== JSON.stringify(d.new_value)) out.push([t, 'Read', d.variable, d.new_value, d.location, d.old_value]);
      else out.push([t, 'Read', d.variable, d.new_value, d.location]);
    } else if (k === 'FunctionCall') out.push([t, 'Call', d.function_name, d.args, `${d.file}:${d.line}`]);
    else if (k === 'AsyncSpawn') out.push([t, 'Spawn', task(d.task_id), d.spawned_by]);
    // Type and message only: the trace of an uncaught exception names compiled files.
    else if (k === 'Error') out.push([t, 'Error', d.error_type, d.message]);
    else out.push([t, 'Await', d.awaited_at]);
  }
  return out;
}

export function formatEvents(projected) {
  return '[\n' + projected.map((e) => '  ' + JSON.stringify(e)).join(',\n') + '\n]\n';
}

/**
 * Runs one fixture through a front end. Returns everything needed for assertions; `check` below
 * turns it into ava assertions.
 */
export async function runFixture(fixture, frontEnd) {
  const plainEntry = compilePlain(fixture);
  const outDir = join(tmpRoot, frontEnd.name, fixture.name);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const instEntry = await frontEnd.compile({ fixture, outDir });
  const collector = await startCollector();
  try {
    const [plain, inst] = await Promise.all([
      runNode(plainEntry),
      runNode(instEntry, { RACEWAY_ENABLED: 'true', RACEWAY_ENDPOINT: collector.endpoint, RACEWAY_SERVICE_NAME: `fixture-${fixture.name}` }),
    ]);
    return { plain, inst, events: collector.events(), projected: projectEvents(collector.events()), outDir, plainEntry };
  } finally {
    await collector.close();
  }
}

/**
 * Whether a build's entry runs as strict code: an ES module, or a script whose directive prologue
 * holds "use strict" (as tsc emits it), read from the emitted file.
 */
export function emittedStrict(file) {
  if (file.endsWith('.mjs')) return true;
  const m = /^(?:\s+|\/\/[^\n]*\n|\/\*[\s\S]*?\*\/)*(?:(["'])(?:(?!\1)[^\\\n]|\\.)*\1;?(?:\s+|\/\/[^\n]*\n)*)*/.exec(readFileSync(file, 'utf8'));
  return /(^|[\s;])(["'])use strict\2/.test(m[0]);
}

/**
 * events.json applies to every build, except for a fixture marked `eventsIfStrict` (its strictness
 * is the compiler's default, which differs between TypeScript versions): there it holds the stream
 * of a strict build and a sloppy build is compared on behaviour only (a failed sloppy write is
 * recorded, a strict one throws first).
 */
export function eventsApply(fixture, builtEntry) {
  return !fixture.config.eventsIfStrict || emittedStrict(builtEntry);
}

/** ava assertions for one fixture. Set RACEWAY_UPDATE_FIXTURES=1 to (re)write events.json. */
export async function checkFixture(t, fixture, frontEnd) {
  const r = await runFixture(fixture, frontEnd);
  t.is(r.inst.stdout, r.plain.stdout, 'stdout differs from the uninstrumented build');
  t.is(r.inst.code, r.plain.code, 'exit code differs');
  t.is(r.inst.error, r.plain.error, 'uncaught error differs');
  if (r.plain.code !== 0 && !fixture.config.expectFailure) t.log(r.plain.stderr);
  if (process.env.RACEWAY_UPDATE_FIXTURES && !fixture.config.noEvents) {
    writeFileSync(fixture.eventsPath, formatEvents(r.projected));
  }
  if (existsSync(fixture.eventsPath) && eventsApply(fixture, r.plainEntry)) {
    const expected = JSON.parse(readFileSync(fixture.eventsPath, 'utf8'));
    writeFileSync(join(r.outDir, 'events.actual.json'), formatEvents(r.projected));
    t.deepEqual(r.projected, expected, `events differ (actual: ${relative(repoRoot, join(r.outDir, 'events.actual.json'))})`);
  }
  return r;
}

/** Registers one ava test per fixture for a front end (serial: each spawns two node processes). */
export function registerFixtureTests(test, frontEnd) {
  for (const fixture of listFixtures()) {
    const skip = fixture.config.skip?.[frontEnd.name];
    (skip ? test.skip : test.serial)(`${frontEnd.name}: ${fixture.name}`, (t) => checkFixture(t, fixture, frontEnd));
  }
}
