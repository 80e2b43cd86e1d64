// Browser safety of a Raceway server on a developer's machine: a page of another origin can neither
// read the API nor post events (no wildcard CORS, JSON-only ingest, Origin checked), a DNS-rebinding
// Host is refused on a loopback-bound server, and only the origin given with --cors is let in.
// Driven through a real Chromium, with real servers on loopback ports.
import test from 'ava';
import http from 'node:http';
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { post, bankingRace, startServer } from './server-helpers.mjs';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];
const CLI = join(import.meta.dirname, '..', '..', 'dist', 'server', 'cli.js');

let browser;
test.before(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
});
test.after.always(async () => { await browser?.close(); });

/** A page of another origin (another loopback port): what a site the developer visits could run. */
async function foreignPage(t) {
  const site = http.createServer((req, res) => { res.writeHead(200, { 'content-type': 'text/html' }); res.end('<!doctype html><title>elsewhere</title>'); });
  await new Promise((r) => site.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise((r) => site.close(r)));
  const origin = `http://127.0.0.1:${site.address().port}`;
  const ctx = await browser.newContext();
  t.teardown(() => ctx.close());
  const p = await ctx.newPage();
  await p.goto(origin + '/');
  return { p, origin };
}

/** From the page: read /api/races, then post events the ways a page can without a preflight. */
function attack(p, api, events) {
  return p.evaluate(async ({ api, events }) => {
    const out = {};
    try {
      const r = await fetch(api + '/api/races');
      const body = await r.json();
      out.read = `read ${body.data.total_races} races`;
    } catch { out.read = 'blocked'; }
    const body = JSON.stringify({ events });
    await fetch(api + '/events', { method: 'POST', mode: 'no-cors', body }).catch(() => undefined);
    await fetch(api + '/events', { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body }).catch(() => undefined);
    // A form post (application/x-www-form-urlencoded), the oldest cross-site write.
    const form = document.createElement('form');
    form.method = 'POST'; form.action = api + '/events'; form.target = 'sink';
    const input = document.createElement('input'); input.name = body; form.appendChild(input);
    const frame = document.createElement('iframe'); frame.name = 'sink'; document.body.append(frame, form);
    const loaded = new Promise((r) => { frame.onload = r; setTimeout(r, 3000); });
    form.submit();
    await loaded;
    return out;
  }, { api, events });
}

test('a page of another origin can neither read the API nor post events', async (t) => {
  const { base, store } = await startServer(t);
  const seeded = bankingRace();
  t.is((await post(base, { events: seeded.events })).status, 200);
  const stored = store.events;
  const { p } = await foreignPage(t);
  const more = bankingRace().events;
  const out = await attack(p, base, more);
  t.is(out.read, 'blocked');
  t.is(store.events, stored, 'no event of the page was stored');
});

test('--cors lets exactly one origin read the API', async (t) => {
  const { p, origin } = await foreignPage(t);
  const { base, store } = await startServer(t, { corsOrigin: origin });
  t.is((await post(base, { events: bankingRace().events })).status, 200);
  const stored = store.events;
  const out = await attack(p, base, bankingRace().events);
  t.is(out.read, 'read 1 races');
  t.is(store.events, stored, 'still JSON only: the no-cors and form posts of the allowed origin are refused too');
  const other = await fetch(base + '/api/races', { headers: { origin: 'http://127.0.0.1:1' } });
  t.is(other.status, 403);
  t.is(other.headers.get('access-control-allow-origin'), null);
});

function rawGet(port, path, headers) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d) => { body += d; }).on('end', () => resolve({ status: res.statusCode, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('a loopback-bound server refuses a Host that is not a loopback name (DNS rebinding)', async (t) => {
  const { base } = await startServer(t);
  const port = Number(new URL(base).port);
  const rebound = await rawGet(port, '/api/races', { host: `attacker.example:${port}` });
  t.is(rebound.status, 403);
  t.regex(JSON.parse(rebound.body).error, /host "attacker\.example:\d+" not allowed/);
  for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, 'localhost']) {
    t.is((await rawGet(port, '/api/races', { host })).status, 200, host);
  }
  t.is((await rawGet(port, '/', { host: `attacker.example:${port}` })).status, 403, 'the web view too');
});

test('ingest takes JSON only; answers carry no wildcard CORS; a malformed %-escape is a 400', async (t) => {
  const { base } = await startServer(t);
  const body = JSON.stringify({ events: bankingRace().events });
  const plain = await fetch(base + '/events', { method: 'POST', body }); // fetch sends text/plain for a string
  t.is(plain.status, 415);
  t.regex((await plain.json()).error, /content-type: application\/json/);
  const json = await post(base, body);
  t.is(json.status, 200);
  const races = await fetch(base + '/api/races');
  t.is(races.headers.get('access-control-allow-origin'), null);
  for (const path of ['/%E0%A4%A', '/api/traces/%E0%A4%A']) {
    const r = await fetch(base + path);
    t.is(r.status, 400, path);
  }
});

test('serve refuses an empty key, and a non-loopback address without a key unless told', (t) => {
  const run = (...args) => spawnSync(process.execPath, [CLI, 'serve', '--memory', '--port', '0', ...args], { encoding: 'utf8', timeout: 10_000 });
  const empty = run('--api-key', '');
  t.is(empty.status, 2);
  t.regex(empty.stderr, /--api-key is empty/);
  const open = run('--host', '0.0.0.0');
  t.is(open.status, 2);
  t.regex(open.stderr, /reachable from other machines: give --api-key KEY .* or --insecure-no-auth/);
  const badCors = run('--cors', 'https://example.com/path');
  t.is(badCors.status, 2);
  t.regex(badCors.stderr, /invalid --cors/);
});
