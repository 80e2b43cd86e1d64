// The web view in real Chromium against a real `raceway serve`, while the two-service example
// (examples/two-services) runs its scenario: the page is opened first and never reloaded or
// clicked to refresh; the race must appear by itself, naming both services and both requests, and
// the transfer's trace must show a lane per service, its critical path and the call between them.
import test from 'ava';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { compile } from '../../examples/two-services/stack.mjs';
import { exampleServices, root, serveRaceway } from '../examples/_two-services.mjs';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];
const ROW = 'db:accounts.alice.balance';

/** A page that records every failed response, console error (CSP violations among them) and page error. */
async function watchedPage(t, browser, viewport) {
  const ctx = await browser.newContext({ viewport });
  t.teardown(() => ctx.close());
  const page = await ctx.newPage();
  const problems = [];
  const loaded = [];
  page.on('response', (r) => { loaded.push(new URL(r.url()).pathname); if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`); });
  page.on('requestfailed', (r) => problems.push(`failed ${r.url()}: ${r.failure()?.errorText}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  return { page, problems, loaded };
}

/** Elements (outside a scrolling container) that stick out of the viewport, and the page's own overflow. */
function overflow(page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const wide = [];
    for (const el of document.querySelectorAll('body *')) {
      if (el.closest('.scroll') && !el.classList.contains('scroll')) continue;
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.right > width + 1) wide.push(`${el.tagName.toLowerCase()}.${el.className} right=${Math.round(r.right)}`);
    }
    return { page: document.documentElement.scrollWidth - width, wide: wide.slice(0, 5) };
  });
}

let browser;
test.before(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  compile();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
});
test.after.always(async () => { await browser?.close(); });

test.serial('the two-service race appears by itself, and the transfer\'s trace shows both services, its critical path and the call', async (t) => {
  const endpoint = await serveRaceway(t);
  const shots = mkdtempSync(join(tmpdir(), 'raceway-web-view-'));
  const { page, problems, loaded } = await watchedPage(t, browser, { width: 1100, height: 900 });
  await page.goto(endpoint + '/');
  await page.getByTestId('no-races').waitFor();

  // Traffic starts only now, with the page open.
  // A long check and a late deposit keep the interleaving the same on a loaded machine.
  const { run } = await exampleServices(t, endpoint, { CHECK_MS: '1000' });
  t.deepEqual((await run()).balances, { alice: 900, bob: 600 }, 'the scenario lost the deposit');

  // The race card, with no click and no reload.
  const card = page.locator('#view-races').getByTestId('race');
  await card.waitFor({ timeout: 20_000 });
  t.is(await card.count(), 1);
  t.regex(await card.locator('h2').innerText(), new RegExp(`${ROW.replace(/\./g, '\\.')}\\s*lost update.*across banking-api and ledger-service`));
  const sides = [await card.getByTestId('side-a'), await card.getByTestId('side-b')];
  const named = [];
  for (const side of sides) named.push(`${await side.getByTestId('side-service').innerText()} ${await side.getByTestId('side-request').innerText()}`);
  t.deepEqual(named.sort(), ['banking-api POST /transfer', 'ledger-service POST /deposits']);
  await page.screenshot({ path: join(shots, 'races.png') });

  // The trace list names each trace's root request and services.
  await page.locator('#tab-traces').click();
  const transferRow = page.getByTestId('trace-row').filter({ has: page.getByTestId('root-request').getByText('POST /transfer', { exact: true }) });
  await transferRow.waitFor();
  t.is(await transferRow.getByTestId('trace-services').innerText(), 'banking-api, ledger-service');
  t.true(await page.getByTestId('root-request').getByText('POST /deposits', { exact: true }).count() >= 1);
  await page.screenshot({ path: join(shots, 'traces.png'), fullPage: true });

  // The transfer's trace: a lane group per service, the critical path marked, the service map's call.
  await transferRow.click();
  await page.getByTestId('service-map').waitFor();
  t.is(await page.getByTestId('trace-title').innerText(), 'POST /transfer · banking-api');
  t.deepEqual(await page.getByTestId('service-lane').evaluateAll((els) => els.map((e) => e.dataset.service)), ['banking-api', 'ledger-service']);
  t.true(await page.getByTestId('service-lane').nth(1).getByTestId('task-lane').count() >= 1);
  const onPath = await page.locator('.ev.crit').count();
  t.true(onPath >= 2, `critical path ticks: ${onPath}`);
  t.true(await page.getByTestId('service-lane').filter({ has: page.locator('.ev.crit') }).count() === 2, 'the critical path goes through both services');
  t.regex(await page.getByTestId('critical-path').innerText(), /Critical path\s*\d+ events/);
  const edge = page.locator('[data-testid="dep-edge"][data-from="banking-api"][data-to="ledger-service"]');
  t.is(await edge.count(), 1);
  t.regex(await edge.textContent(), /^2 calls/); // the fraud check and the journal entry
  t.is(await page.getByTestId('service-node').count(), 2);
  t.deepEqual(await overflow(page), { page: 0, wide: [] });
  await page.screenshot({ path: join(shots, 'trace.png'), fullPage: true });
  await page.screenshot({ path: join(shots, 'trace-top.png') });
  await page.getByTestId('critical-path').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(shots, 'trace-path.png') });

  // The row's audit trail from the trace view.
  await page.getByTestId('audit-variable').filter({ hasText: ROW }).click();
  await page.getByTestId('timeline-row').first().waitFor();
  t.is(await page.getByTestId('timeline-variable').innerText(), ROW);
  t.true(await page.locator('tr.racing').count() >= 2);

  // The fixed variant: the lists update by themselves, and no race is added.
  await page.locator('#tab-races').click();
  const before = await page.getByTestId('status').innerText();
  await run('--safe');
  await page.waitForFunction((text) => document.getElementById('status').textContent !== text, before);
  await page.locator('#tab-traces').click();
  await page.getByTestId('root-request').getByText('POST /transfer-safe', { exact: true }).first().waitFor();
  await page.locator('#tab-races').click();
  t.is(await page.locator('#view-races').getByTestId('race').count(), 1, 'the fixed transfer adds no race');

  t.true(loaded.includes('/favicon.svg'), 'the favicon is loaded');
  t.deepEqual(problems, []);
  t.log(`screenshots in ${shots}`);
  mkdirSync(join(root, 'test-output'), { recursive: true });
  await page.screenshot({ path: join(root, 'test-output', 'web-view-races.png'), fullPage: true });
});

test.serial('a narrow window: wide event tables and the service map scroll inside their cards', async (t) => {
  const endpoint = await serveRaceway(t);
  const { run } = await exampleServices(t, endpoint, { CHECK_MS: '1000' });
  await run();
  const { page, problems } = await watchedPage(t, browser, { width: 420, height: 800 });
  await page.goto(endpoint + '/');
  await page.getByTestId('race').first().waitFor({ timeout: 20_000 });
  t.deepEqual(await overflow(page), { page: 0, wide: [] }, 'race cards');
  const shots = mkdtempSync(join(tmpdir(), 'raceway-web-view-narrow-'));
  await page.screenshot({ path: join(shots, 'narrow-races.png') });
  await page.locator('#tab-traces').click();
  const row = page.getByTestId('trace-row').filter({ has: page.getByTestId('root-request').getByText('POST /transfer', { exact: true }) });
  await row.waitFor();
  t.deepEqual(await overflow(page), { page: 0, wide: [] }, 'trace list');
  await row.click();
  await page.getByTestId('trace-event').first().waitFor();
  t.deepEqual(await overflow(page), { page: 0, wide: [] }, 'trace view');
  await page.screenshot({ path: join(shots, 'narrow-trace.png') });
  await page.getByTestId('audit-variable').first().click();
  await page.getByTestId('timeline-row').first().waitFor();
  t.deepEqual(await overflow(page), { page: 0, wide: [] }, 'audit trail');
  await page.screenshot({ path: join(shots, 'narrow-timeline.png'), fullPage: true });
  t.log(`screenshots in ${shots}`);
  t.deepEqual(problems, []);
});
