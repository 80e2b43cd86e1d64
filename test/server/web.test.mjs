import test from 'ava';
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { Sim } from './helpers.mjs';
import { get, post, bankingRace, startServer, useBeforeInit } from './server-helpers.mjs';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

let browser;
test.before(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
});
test.after.always(async () => { await browser?.close(); });

async function page(t, url) {
  const ctx = await browser.newContext();
  t.teardown(() => ctx.close());
  const p = await ctx.newPage();
  const errors = [];
  p.on('pageerror', (e) => errors.push(e.message));
  await p.goto(url);
  return { p, errors };
}

test('shows races with both accesses side by side and a per-variable timeline', async (t) => {
  const { base } = await startServer(t);
  const { events, traces } = bankingRace();
  await post(base, { events });
  const { p, errors } = await page(t, base + '/');
  const card = p.getByTestId('race');
  await card.waitFor();
  t.is(await card.count(), 1);
  t.regex(await card.locator('h2').innerText(), /CRITICAL\s*accounts\.alice\.balance\s*lost update/);
  t.is(await card.getByTestId('side-a').getByTestId('value').innerText(), '1000 → 900');
  t.is(await card.getByTestId('side-b').getByTestId('value').innerText(), '1000 → 800');
  t.regex(await card.getByTestId('side-a').innerText(), new RegExp(traces[0]));
  t.regex(await card.getByTestId('side-b').innerText(), new RegExp(traces[1]));
  t.regex(await p.getByTestId('status').innerText(), new RegExp(`${events.length} events · 2 traces`));

  await card.getByTestId('open-timeline').click();
  await p.getByTestId('timeline-row').first().waitFor();
  t.is(await p.getByTestId('timeline-variable').innerText(), 'accounts.alice.balance');
  t.is(await p.getByTestId('timeline-row').count(), 4);
  t.is(await p.locator('tr.racing').count(), 3); // stale read, interleaved write, overwrite
  t.is(await p.locator('.timeline thead th').count(), 3); // time + one lane per task

  await p.locator('#tab-traces').click();
  t.is(await p.getByTestId('trace-row').count(), 2);
  await p.getByTestId('trace-row').first().click();
  await p.getByTestId('trace-event').first().waitFor();
  const shown = await p.getByTestId('trace-event').count();
  const traceId = (await p.getByTestId('trace-id').innerText()).replace('trace ', '');
  t.is(shown, events.filter((e) => e.trace_id === traceId).length);
  t.deepEqual(errors, []);
});

test('shows an order violation with which access came first and the value it saw', async (t) => {
  const { base } = await startServer(t);
  await post(base, { events: useBeforeInit().events });
  const { p, errors } = await page(t, base + '/');
  const card = p.getByTestId('race');
  await card.waitFor();
  t.regex(await card.locator('h2').innerText(), /WARNING\s*app\.roleTemplate\s*use before init/);
  t.regex(await card.getByTestId('order').innerText(), /^First: Thread A read null at src\/app\.ts:9 .*Then: Thread B initialised it to \{"admin":\["\*"\]\} at src\/app\.ts:4/);
  t.regex(await card.getByTestId('side-a').innerText(), /read first/);
  t.is(await card.getByTestId('side-a').getByTestId('value').innerText(), 'null');
  t.is(await card.getByTestId('side-b').getByTestId('value').innerText(), 'null → {"admin":["*"]}');
  t.deepEqual(errors, []);
});

test('renders program-controlled text as text, not HTML', async (t) => {
  const { base } = await startServer(t);
  const sim = new Sim();
  const evil = '<img src=x onerror="window.__pwned=1">';
  const r1 = sim.request(); const a = r1.spawn('f');
  const r2 = sim.request(); const b = r2.spawn('f');
  a.await(); b.await();
  a.write(evil, null, evil); b.write(evil, null, '<b>2</b>');
  r1.join(a); r1.respond(); r2.join(b); r2.respond();
  await post(base, { events: sim.events });
  const { p } = await page(t, base + '/');
  await p.getByTestId('race').waitFor();
  t.regex(await p.getByTestId('race').locator('h2').innerText(), /<img src=x/);
  t.is(await p.locator('#view-races img').count(), 0);
  t.is(await p.evaluate(() => window.__pwned), undefined);
});

test('shows "no races" and uses the API key from the URL fragment', async (t) => {
  const { base } = await startServer(t, { apiKey: 'view-key' });
  const { p } = await page(t, base + '/#key=view-key');
  await p.getByTestId('no-races').waitFor();
  t.regex(await p.getByTestId('status').innerText(), /0 events/);
  const { p: p2 } = await page(t, base + '/');
  await p2.locator('#error:not([hidden])').waitFor();
  t.regex(await p2.locator('#error').innerText(), /Unauthorized/);
  t.is((await get(base, '/status')).status, 401);
});

test('a trace on show is redrawn when more of its events arrive (a callee reporting later)', async (t) => {
  const { base } = await startServer(t);
  const { randomUUID } = await import('node:crypto');
  const trace = randomUUID();
  const bank = new Sim({ service: 'banking-api' });
  const r = bank.request('POST', '/transfer', trace);
  r.read('db:accounts.alice.balance', 1000, 'src/bank.ts:10');
  r.respond();
  await post(base, { events: bank.events });
  const { p, errors } = await page(t, base + '/');
  await p.locator('#tab-traces').click();
  await p.getByTestId('root-request').getByText('POST /transfer', { exact: true }).click();
  await p.getByTestId('service-lane').first().waitFor();
  t.deepEqual(await p.getByTestId('service-lane').evaluateAll((els) => els.map((e) => e.dataset.service)), ['banking-api']);

  const ledger = new Sim({ service: 'ledger-service', start: Date.UTC(2026, 0, 1) * 1000 + 5 });
  ledger.request('POST', '/checks', trace).respond();
  await post(base, { events: ledger.events });
  await p.locator('[data-testid="service-lane"][data-service="ledger-service"]').waitFor({ timeout: 10_000 });
  t.is(await p.getByTestId('trace-title').innerText(), 'POST /transfer · banking-api');
  t.deepEqual(errors, []);
});

test('the icon: favicon.svg, also at /favicon.ico (asked for by API answers opened in a tab); the page has a strict CSP', async (t) => {
  const { base } = await startServer(t);
  for (const path of ['/favicon.svg', '/favicon.ico']) {
    const res = await fetch(base + path);
    t.is(res.status, 200, path);
    t.is(res.headers.get('content-type'), 'image/svg+xml', path);
    t.regex(await res.text(), /^<svg /, path);
  }
  const page = await fetch(base + '/');
  t.regex(page.headers.get('content-security-policy'), /script-src 'self'; style-src 'self'/);
});
