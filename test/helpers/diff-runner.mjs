// Child-process runner of the differential fuzzer (test/differential-fuzz.test.mjs): loads each
// program file given on the command line, one after the other, in this process's own realm (so
// errors thrown inside the runtime are the same intrinsics the program sees), waits for the promise
// the program leaves in `globalThis.__done` and for the event loop to settle, and prints one JSON
// array: the transcript each program wrote to `globalThis.__out`, or the error that escaped it.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const settle = () => new Promise((r) => setImmediate(r));

// A rejection nobody handles is part of the transcript (it would otherwise end the whole batch).
process.on('unhandledRejection', (e) => { globalThis.__out.push(`unhandled ${e?.constructor?.name}: ${e?.message}`); });

const results = [];
for (const file of process.argv.slice(2)) {
  globalThis.__out = [];
  globalThis.__done = undefined;
  let escaped = null;
  try {
    if (file.endsWith('.mjs')) await import(pathToFileURL(file).href);
    else require(file);
    await globalThis.__done;
  } catch (e) {
    escaped = `escaped ${e?.constructor?.name}: ${e?.message}`;
  }
  await settle();
  results.push(escaped ? [...globalThis.__out, escaped] : globalThis.__out);
}
process.stdout.write(JSON.stringify(results));
