// `npm run demo`: compiles the Koa banking demo through raceway/transformer, starts the Raceway
// server (8080) and the demo (3000), prints both URLs, and stops both on Ctrl-C.
import { spawn, execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const racewayPort = Number(process.env.RACEWAY_PORT ?? 8080);
const demoPort = Number(process.env.PORT ?? 3000);
const endpoint = `http://localhost:${racewayPort}`;

console.log('Compiling examples/koa-banking with tspc + raceway/transformer…');
try {
  execFileSync(process.execPath, [require.resolve('ts-patch/bin/tspc'), '-p', join(root, 'examples/koa-banking')], { stdio: 'inherit', cwd: root });
} catch {
  console.error('demo: the example did not compile (see above)');
  process.exit(1);
}

const children = [];
function start(name, args, env) {
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  child.stdout.on('data', (d) => process.stdout.write(d));
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`demo: ${name} stopped (${signal ?? `exit code ${code}`}); stopping the demo`);
      stop(1);
    }
  });
  children.push(child);
  return child;
}

function waitFor(child, text) {
  return new Promise((resolve, reject) => {
    let seen = '';
    child.stdout.on('data', (d) => { seen += d; if (seen.includes(text)) resolve(); });
    child.once('exit', () => reject(new Error('exited before it was ready')));
  });
}

let stopping = false;
function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  for (const c of children) c.kill('SIGTERM');
  setTimeout(() => process.exit(code), 500).unref();
  Promise.all(children.map((c) => (c.exitCode !== null || c.signalCode !== null ? null : new Promise((r) => c.once('exit', r))))).then(() => process.exit(code));
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

const server = start('Raceway server', [join(root, 'dist/server/cli.js'), 'serve', '--port', String(racewayPort), '--memory'], {});
try {
  await waitFor(server, 'listening');
} catch {
  console.error(`demo: the Raceway server did not start (is port ${racewayPort} free? set RACEWAY_PORT to use another)`);
  stop(1);
}
const demo = start('banking demo', [join(root, 'examples/koa-banking/dist/server.js')], { PORT: String(demoPort), RACEWAY_ENDPOINT: endpoint });
try {
  await waitFor(demo, 'listening');
} catch {
  console.error(`demo: the banking app did not start (is port ${demoPort} free? set PORT to use another)`);
  stop(1);
}

console.log(`
  Banking demo:   http://localhost:${demoPort}
  Raceway server: ${endpoint}   (web view: ${endpoint}/)

  Click "Trigger Race" in the demo, then in another terminal:  npx raceway races
  Ctrl-C stops both.
`);
