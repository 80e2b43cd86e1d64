// The demo page in real Chromium: click the race button, see the race Raceway found, keep a screenshot.
import test from 'ava';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { root, startStack } from './_stack.mjs';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let stack;
let browser;
test.before(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  stack = await startStack();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
});
test.after.always(async () => {
  await browser?.close();
  await stack?.stop();
});

test.serial('the race button shows the lost update Raceway detected, on the page', async (t) => {
  const page = await browser.newPage({ viewport: { width: 900, height: 1400 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(stack.base + '/');
  await page.locator('#balances [data-account="alice"]').waitFor();
  await page.locator('#status.ok').waitFor();
  t.regex(await page.locator('#status').innerText(), /connected/);
  await page.getByRole('button', { name: /Reset All Balances/ }).click();
  await page.locator('#log', { hasText: 'Balances reset' }).waitFor();
  await page.locator('#race-button').click();
  const card = page.locator('#race[data-state="race"]');
  await card.waitFor({ timeout: 15000 });
  t.regex(await page.locator('#race-title').innerText(), /accounts\.alice\.balance.*lost update/);
  t.is(await page.locator('#race .lost').innerText(), 'Lost: $100');
  t.regex(await page.locator('#race .accesses').innerText(), /src\/bank\.ts:\d+[\s\S]*src\/bank\.ts:\d+/);
  t.regex(await page.locator('#balances [data-account="alice"]').innerText(), /\$800/);
  mkdirSync(join(root, 'test-output'), { recursive: true });
  await page.screenshot({ path: join(root, 'test-output', 'demo-race.png'), fullPage: true });
  t.deepEqual(errors, []);
});

test.serial('the locked transfer shows that no race happened', async (t) => {
  const page = await browser.newPage();
  await page.goto(stack.base + '/');
  await page.locator('#balances [data-account="alice"]').waitFor();
  await page.getByRole('button', { name: /Reset All Balances/ }).click();
  await page.locator('#log', { hasText: 'Balances reset' }).waitFor();
  await page.locator('#safe-race-button').click();
  await page.locator('#race[data-state="none"]').waitFor({ timeout: 15000 });
  t.regex(await page.locator('#race-title').innerText(), /No race detected/);
  t.regex(await page.locator('#balances [data-account="alice"]').innerText(), /\$700/);
});
