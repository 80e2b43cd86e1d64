// A real `raceway serve` in its own process, on a loopback port of its choosing, storing into a
// SQLite file in a temporary directory (the default kind of store): what the fault tests attack.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../dist/server/cli.js', import.meta.url));

/** A temporary directory removed when the test ends. */
export function tempDir(t) {
  const dir = mkdtempSync(join(tmpdir(), 'raceway-faults-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Starts `raceway serve --db <db> --port 0 [args]`; resolves once it listens. `stop()` ends it with
 * SIGTERM and resolves with its exit code; `kill()` ends it with SIGKILL. Killed when the test ends.
 */
export function serve(t, { db, args = [] } = {}) {
  const path = db ?? join(tempDir(t), 'events.db');
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--db', path, ...args], { env: { ...process.env, RACEWAY_API_KEY: '' } });
    let out = '', err = '';
    let exited = null;
    const exit = new Promise((r) => p.on('close', (code, signal) => { exited = { code, signal }; r(exited); }));
    p.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        p.stdout.removeAllListeners('data');
        p.stdout.resume();
        resolve({
          base: m[1], db: path, process: p,
          get stderr() { return err; },
          /** Whether the process is still running. */
          get alive() { return exited === null; },
          stop: () => { if (exited === null) p.kill('SIGTERM'); return exit; },
          kill: () => { if (exited === null) p.kill('SIGKILL'); return exit; },
        });
      }
    });
    p.stderr.on('data', (d) => { err += d; });
    exit.then(({ code, signal }) => reject(new Error(`serve ended (${code ?? signal}) before listening: ${out}${err}`)));
    t.teardown(() => { if (exited === null) p.kill('SIGKILL'); return exit; });
  });
}

/** POST /events with a time bound (a hang fails the test instead of stalling it). */
export async function postEvents(base, body, headers = { 'content-type': 'application/json' }, ms = 30_000) {
  const res = await fetch(`${base}/events`, { method: 'POST', headers, body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body), signal: AbortSignal.timeout(ms) });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* callers check */ }
  return { status: res.status, json, text };
}

export async function getJson(base, path, ms = 30_000) {
  const res = await fetch(base + path, { signal: AbortSignal.timeout(ms) });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* callers check */ }
  return { status: res.status, json, text };
}

/** Events stored, as the server counts them. */
export async function storedCount(base) {
  return (await getJson(base, '/status')).json.data.events_captured;
}

/** The ids of the stored events of `trace`, all pages. */
export async function storedIds(base, trace) {
  const ids = [];
  let path = `/api/traces/${trace}`;
  for (let page = 0; page < 1000; page++) {
    const r = await getJson(base, path);
    if (r.status === 404) return ids;
    if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${r.text.slice(0, 200)}`);
    const data = r.json.data;
    for (const e of data.events) ids.push(e.id);
    const next = data.next_cursor ?? data.cursor ?? null;
    if (!next || data.events.length === 0) return ids;
    path = `/api/traces/${trace}?cursor=${encodeURIComponent(next)}`;
  }
  return ids;
}

/** Sends raw bytes on a fresh connection and resolves with everything the server wrote back. */
export async function rawRequest(base, bytes, { endAfterWrite = true, ms = 15_000 } = {}) {
  const net = await import('node:net');
  const { hostname, port } = new URL(base);
  return new Promise((resolve) => {
    const s = net.connect(Number(port), hostname, () => (endAfterWrite ? s.end(bytes) : s.write(bytes)));
    let data = '';
    const timer = setTimeout(() => { s.destroy(); resolve(data); }, ms);
    s.on('data', (d) => { data += d; });
    s.on('close', () => { clearTimeout(timer); resolve(data); });
    s.on('error', () => undefined);
  });
}
