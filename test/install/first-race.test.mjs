// README "Your first race", followed as written: its shell blocks are run in order in one shell,
// its file blocks written to the files their first line names, the server block started in the
// background (it is the "second terminal"), and the output compared with what the README shows.
// The package comes from `npm pack` of this repository, given as $RACEWAY as the README says.
import test from 'ava';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { packInto, ROOT, scratchDir, userEnv } from './helpers.mjs';

/** The README section's fenced blocks: { lang, body }. */
function walkThrough() {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Your first race\n');
  if (start < 0) throw new Error('README has no "Your first race" section');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1], body: m[2] }));
}

const isServerBlock = (b) => b.lang === 'bash' && b.body.trim() === 'npx raceway serve';

/** The blocks as one bash script. */
function script(blocks) {
  const out = ['set -euo pipefail'];
  for (const b of blocks) {
    const file = /^\/\/ (\S+)\n/.exec(b.body)?.[1];
    if (isServerBlock(b)) {
      out.push(`${b.body.trim()} > "$SERVE_LOG" 2>&1 &`);
      out.push('for i in $(seq 300); do grep -q "listening on" "$SERVE_LOG" && break; sleep 0.1; done');
      out.push('grep -q "listening on" "$SERVE_LOG" || { cat "$SERVE_LOG" >&2; exit 9; }');
    } else if (b.lang === 'bash') {
      out.push(b.body);
      // The README's Node 20 step (`npm install better-sqlite3`), with the copy this repository's
      // install already built instead of compiling SQLite again.
      if (/npm install "\$RACEWAY"/.test(b.body)) {
        out.push(`node -e "require('node:sqlite')" 2>/dev/null || ln -s "$REPO/node_modules/better-sqlite3" node_modules/better-sqlite3`);
      }
    } else if (file) {
      out.push(`cat > '${file}' <<'RACEWAY_README_EOF'\n${b.body}RACEWAY_README_EOF`);
    }
  }
  return out.join('\n') + '\n';
}

/** A line of the README's sample output as a pattern: `[...]` stands for any bracketed text. */
function linePattern(line) {
  const escaped = line.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\\\[\\\.\\\.\\\.\\\]/g, '\\[[^\\]]*\\]');
  return new RegExp(`^${escaped}$`, 'm');
}

async function portIsFree(port) {
  const srv = createServer();
  return new Promise((resolve) => {
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

test('the README walk-through finds the lost update it promises', async (t) => {
  t.timeout(170_000);
  const blocks = walkThrough();
  t.true(blocks.some(isServerBlock), 'the walk-through starts the server');
  const sample = blocks.find((b) => b.lang === 'text');
  t.truthy(sample, 'the walk-through shows the report');
  t.true(await portIsFree(8080), 'the walk-through uses port 8080, which something else holds');

  const dir = scratchDir(t, 'raceway-first-race-');
  const tarball = await packInto(t, dir);
  const child = spawn('bash', ['-c', script(blocks)], {
    cwd: dir,
    detached: true, // its own process group: the server goes with it
    env: userEnv({ RACEWAY: tarball, REPO: ROOT, SERVE_LOG: join(dir, 'serve.log') }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => { try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  const code = await new Promise((resolve) => child.on('close', resolve));
  t.is(code, 0, `${stdout}\n${stderr}`);

  const printed = /# prints: (.+)$/m.exec(blocks.map((b) => b.body).join('\n'))?.[1];
  t.truthy(printed);
  t.true(stdout.includes(printed + '\n'), stdout);
  for (const line of sample.body.split('\n')) {
    if (line === '' || line === '...') continue;
    t.regex(stdout, linePattern(line));
  }
  t.false(stderr.includes('cannot reach the Raceway server'), stderr);
});
