// Events instrumented modules record while they load, before the app calls init(), go where init()
// says (its endpoint, its service name), not to the client the environment alone would make.
import test from 'ava';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runNode, startCollector } from '../helpers/fixture-harness.mjs';
import { scratchDir, transpile } from '../helpers/run-instrumented.mjs';

const LIB = `
export const config = { limit: 1 };
config.limit = config.limit + 1;
`;
const MAIN = `
import { config } from './lib';
import { init } from 'raceway';
const rw = init({ endpoint: process.env.TARGET, serviceName: 'adopted' });
config.limit = config.limit * 10;
rw.shutdown().then(() => console.log(JSON.stringify({ limit: config.limit, stats: rw.stats() })));
`;

function build(dir) {
  for (const [name, src] of [['lib', LIB], ['main', MAIN]]) {
    const out = transpile(src, { fileName: join(dir, `${name}.ts`), options: { root: dir } });
    writeFileSync(join(dir, `${name}.js`), out.outputText);
  }
}

test('events recorded before init() are shipped by the client init() makes', async (t) => {
  const dir = scratchDir('adopt');
  build(dir);
  const fromEnv = await startCollector();
  const target = await startCollector();
  try {
    const run = await runNode(join(dir, 'main.js'), { RACEWAY_ENABLED: 'true', RACEWAY_ENDPOINT: fromEnv.endpoint, TARGET: target.endpoint });
    t.is(run.code, 0, run.stderr);
    const out = JSON.parse(run.stdout.trim());
    t.is(out.limit, 20, 'the program behaves as written');
    const writes = target.events().filter((e) => e.kind.StateChange?.access_type === 'Write').map((e) => [e.kind.StateChange.variable, e.kind.StateChange.new_value, e.metadata.service_name]);
    t.deepEqual(writes, [['config.limit', 2, 'adopted'], ['config.limit', 20, 'adopted']]);
    t.deepEqual(fromEnv.events(), [], 'nothing went to the endpoint of the environment-made client');
    t.is(out.stats.captured, target.events().length, 'the new client counts the events it took over');
    t.is(out.stats.dropped, 0);
  } finally {
    await fromEnv.close();
    await target.close();
  }
});
