// One measured run of one library build, in a fresh process:
//   node child.mjs <plain|babel|transformer> <library> <plain|disabled|full> [reps]
// Loads the build (untimed), runs the workload `reps` times (default 1; timed — with full capture
// the time includes delivering every event to the server: flush), and prints one JSON line:
// milliseconds, a hash of the workload's output, and the runtime's counters.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LIBRARIES } from './libraries.mjs';
import { outRoot, repoRoot } from './prepare.mjs';

const [build, name, mode, repsArg] = process.argv.slice(2);
const reps = Number(repsArg ?? 1);
const lib = LIBRARIES.find((l) => l.name === name);
const require = createRequire(import.meta.url);

let client = null;
if (mode === 'full') {
  // a queue deep enough for the whole run: full capture keeps every event
  const { init } = require(join(repoRoot, 'dist', 'runtime', 'index.js'));
  client = init({ maxQueueSize: 5_000_000, batchSize: 1000, maxEventsPerSecond: Infinity, handleExit: false });
}

const entry = join(outRoot, build, lib.name, lib.entry);
const loaded = entry.endsWith('.mjs') ? await import(pathToFileURL(entry).href) : require(entry);
const input = lib.input ? readFileSync(require.resolve(lib.input), 'utf8') : undefined;

const started = performance.now();
let output = '';
for (let i = 0; i < reps; i++) output = lib.workload(loaded, input);
if (client) await client.flush(600_000);
const ms = performance.now() - started;

const stats = client?.stats() ?? null;
console.log(JSON.stringify({ build, library: name, mode, reps, ms, output: createHash('sha256').update(output).digest('hex').slice(0, 16), stats }));
if (client) await client.shutdown();
