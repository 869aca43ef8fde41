// What a top-level URL carries is worth nothing once the page has used it. A provider's return
// (`/<token>?session=…&return=…`) is a top-level navigation, and Chromium's History database keeps
// the URL as it was, whatever the page does to its address bar afterwards; whoever later has the
// profile (a shared computer, a synced account) can read it. So the return carries a one-time
// code, which the page trades by POST for its own capability: here the History database of a
// real profile is read after a return, and every `session=` it kept is tried against /api.
// The same URL opened by another browser first (a bank's app) makes that browser the payer's;
// opened again anywhere, it shows nothing of the session.
import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, expect, CheckoutPage, sessionIdOf } from '../fixtures/test';
import type { Conomy } from '../fixtures/conomy';

const CHECKOUT = process.env.CHECKOUT_URL ?? '';
const PAYER = { firstName: 'Hilda', lastName: 'Historia', email: 'hilda.historia@example.cl' };

/** Every URL a profile's History database holds (read with python3's sqlite3, on a copy). */
function historyUrls(profile: string): string[] {
  const db = path.join(profile, 'Default', 'History');
  expect(fs.existsSync(db), `Chromium wrote ${db}`).toBeTruthy();
  const copy = path.join(profile, 'History.copy');
  fs.copyFileSync(db, copy);
  const read = 'import json, sqlite3, sys\n'
    + 'rows = sqlite3.connect(sys.argv[1]).execute("SELECT url FROM urls").fetchall()\n'
    + 'print(json.dumps([r[0] for r in rows]))';
  return JSON.parse(execFileSync('python3', ['-c', read, copy], { encoding: 'utf8' })) as string[];
}

/** The `session=` values of those URLs. */
function sessionParams(urls: string[]): string[] {
  return urls
    .map((u) => new URL(u).searchParams.get('session'))
    .filter((s): s is string => !!s);
}

/** Status of a read of the session, and of its payments, with `handle` as the capability. */
async function readWith(page: Page, handle: string): Promise<number[]> {
  const id = sessionIdOf(handle);
  const headers = { 'x-checkout-capability': handle };
  const session = await page.request.get(`${CHECKOUT}/api/checkout-sessions/${id}`, { headers });
  const payments = await page.request.get(`${CHECKOUT}/api/payments?checkoutSessionId=${id}`, { headers });
  return [session.status(), payments.status()];
}

/** Pays an ETPAY link in `page` up to the sandbox provider's page. */
async function payUpToTheProvider(page: Page, conomy: Conomy, token: string): Promise<string> {
  const checkout = new CheckoutPage(page, conomy);
  await checkout.open(token);
  const sessionId = await checkout.sessionId(token);
  await checkout.choose('ETPAY');
  await checkout.fill(PAYER);
  await checkout.pay();
  await page.waitForURL(/\/sandbox\/provider\//);
  return sessionId;
}

test('after a provider return, no capability in Chromium\'s History database opens the session', async ({ conomy }) => {
  const link = await conomy.createLinkLike('demo-clp');
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'checkout-history-'));
  const launch = test.info().project.use.launchOptions ?? {};
  let context: BrowserContext | undefined = await chromium.launchPersistentContext(profile, {
    ...launch,
    baseURL: CHECKOUT,
    locale: 'en-US',
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    // Stay on the result (the countdown would go on to the merchant's successUrl).
    await page.route('**/sandbox/merchant/**', (route) => route.fulfill({ status: 204 }));
    const sessionId = await payUpToTheProvider(page, conomy, link.checkoutToken);
    await page.locator('#approve').click();
    await expect(page.getByTestId('state-success')).toBeVisible();
    expect(new URL(page.url()).searchParams.get('session')).toBeNull();
    // Closing the profile's browser writes its History database out.
    await context.close();
    context = undefined;

    const urls = historyUrls(profile);
    const kept = sessionParams(urls);
    // The test looks at the right thing: Chromium did keep the return URL, capability and all.
    expect(kept.length, `History holds the return URL: ${urls.join('\n')}`).toBeGreaterThan(0);
    const probe = await chromium.launch(launch);
    try {
      const page = await probe.newPage();
      for (const handle of kept) {
        expect(sessionIdOf(handle)).toBe(sessionId);
        expect(await readWith(page, handle), `${handle} from History still opens the session`).toEqual([404, 404]);
      }
    } finally {
      await probe.close();
    }
  } finally {
    await context?.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
});

/** The return URL the sandbox provider sends the payer to after `decision`, without following it. */
async function returnUrl(page: Page, conomy: Conomy, sessionId: string, decision: 'approve' | 'decline'): Promise<string> {
  const payment = await conomy.latestPayment(sessionId);
  const answer = await page.request.post(`${CHECKOUT}/sandbox/provider/${payment.id}/${decision}`, { maxRedirects: 0 });
  expect(answer.status()).toBe(303);
  const location = answer.headers()['location'];
  expect(location, 'the provider returns into the checkout').toMatch(new RegExp(`^${CHECKOUT}/`));
  return location;
}

async function inFreshBrowser<T>(browser: Browser, run: (page: Page) => Promise<T>): Promise<T> {
  const context = await browser.newContext();
  try {
    return await run(await context.newPage());
  } finally {
    await context.close();
  }
}

test('a return opened first in another browser (a bank\'s app) makes that browser the payer\'s, and nobody after it', async ({ page, browser, conomy }) => {
  await page.route('**/sandbox/merchant/**', (route) => route.fulfill({ status: 204 }));
  const link = await conomy.createLinkLike('demo-clp');
  const sessionId = await payUpToTheProvider(page, conomy, link.checkoutToken);
  const back = await returnUrl(page, conomy, sessionId, 'approve');

  // The bank's app opens it in its own browser: the outcome shows, and that browser holds the session.
  await inFreshBrowser(browser, async (bank) => {
    await bank.route('**/sandbox/merchant/**', (route) => route.fulfill({ status: 204 }));
    await bank.goto(back);
    await expect(bank.getByTestId('state-success')).toBeVisible();
    const held = new CheckoutPage(bank, conomy);
    const handle = await held.sessionHandle(link.checkoutToken);
    expect(sessionIdOf(handle)).toBe(sessionId);
    expect(await readWith(bank, handle)).toEqual([200, 200]);
  });

  // The same URL again, anywhere: nothing of that session.
  await inFreshBrowser(browser, async (later) => {
    await later.goto(back);
    await expect(later.getByTestId('total')).toBeVisible();
    await expect(later.getByTestId('state-success')).toHaveCount(0);
    const own = await later.evaluate((t) => sessionStorage.getItem(`conomy.session.${t}`), link.checkoutToken);
    expect(own === null || sessionIdOf(own) !== sessionId, `the later browser holds ${own}`).toBeTruthy();
    const code = new URL(back).searchParams.get('session') ?? '';
    expect(await readWith(later, code)).toEqual([404, 404]);
  });
});
