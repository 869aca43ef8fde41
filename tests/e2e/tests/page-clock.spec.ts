// Time running out by the page's own clock. A payer who leaves the tab open past the session's
// end meets two clocks at once: the page's countdown reaches zero and the server has expired the
// session. The other specs expire sessions on the server only and let polling find out; here
// Playwright's fake clock (`page.clock`) moves the page's `Date` and timers as well, so the
// countdown itself reaches zero, on every screen a payer can be on when it happens.
import type { BrowserContext, Page } from '@playwright/test';
import { test, expect, type CheckoutPage } from '../fixtures/test';
import type { Conomy } from '../fixtures/conomy';
import { PAYER, VALID_CPF } from '../fixtures/states';
import { installClock } from '../fixtures/time';

/** Uncaught errors and console errors of the app (a panic logs one, then draws the crash screen). */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    // The browser's own line for a failed resource (a logo host that never resolves, an /api
    // answer the page handles) is not the app's error.
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text());
  });
  return errors;
}

async function expectNoPanic(page: Page, errors: string[]): Promise<void> {
  await expect(page.getByTestId('state-crashed')).toHaveCount(0);
  expect(errors).toEqual([]);
}

/** Both clocks agree that time is up: the server expires the session, the page's clock passes its end. */
async function timeRunsOut(page: Page, conomy: Conomy, sessionId: string): Promise<void> {
  await conomy.expireSession(sessionId);
  // The sessions last an hour (createLinkLike); 61 minutes pass every due timer once.
  await page.clock.fastForward('01:01:00');
}

test.beforeEach(async ({ page }) => {
  // Before the page loads, so its countdown and timers run on the fake clock (which still flows).
  await installClock(page);
});

test('the form open when time runs out: the expired screen, and "start again" keeps what was typed',
  async ({ page, checkout, conomy }) => {
    const errors = watchErrors(page);
    const link = await conomy.createLinkLike('demo-clp');
    await checkout.open(link.checkoutToken);
    await checkout.choose('ETPAY');
    await checkout.field('firstName').fill('María José');
    const sessionId = await checkout.sessionId(link.checkoutToken);

    await timeRunsOut(page, conomy, sessionId);

    const expired = page.getByTestId('state-expired');
    await expect(expired).toBeVisible();
    await expect(checkout.payButton()).toHaveCount(0);
    // Nothing counts down beside a result.
    await expect(page.getByTestId('countdown')).toHaveCount(0);
    await expectNoPanic(page, errors);

    await page.getByTestId('refresh').click();
    await expect(checkout.method('ETPAY')).toBeChecked();
    await expect(checkout.field('firstName')).toHaveValue('María José');
    expect(await checkout.sessionId(link.checkoutToken)).not.toBe(sessionId);
    // Payable again (its countdown is not checked: this page's clock now runs an hour ahead of
    // the server that opened the fresh session).
    await expect(checkout.payButton()).toBeEnabled();
    await expectNoPanic(page, errors);
  });

test('the page\'s clock alone at zero: the page asks the server, and the form stays while the session is open',
  async ({ page, checkout, conomy }) => {
    const errors = watchErrors(page);
    const link = await conomy.createLinkLike('demo-clp');
    await checkout.open(link.checkoutToken);
    await checkout.choose('ETPAY');
    await checkout.field('firstName').fill('Ana');
    const sessionId = await checkout.sessionId(link.checkoutToken);
    const reads = countSessionReads(page, sessionId);

    // A payer whose device clock runs ahead: the server still has the session open.
    await page.clock.fastForward('01:01:00');
    await expect.poll(reads).toBeGreaterThan(0);
    await page.clock.runFor(2_000);
    await expect(checkout.payButton()).toBeEnabled();
    await expect(checkout.field('firstName')).toHaveValue('Ana');
    await expectNoPanic(page, errors);
  });

/** Pays with `rail` on a fresh link shaped like `demo`, and waits for the waiting screen's action. */
async function payAndWait(checkout: CheckoutPage, conomy: Conomy, demo: string, rail: string,
  values: Record<string, string>, action: string): Promise<{ token: string; sessionId: string }> {
  const link = await conomy.createLinkLike(demo);
  await checkout.open(link.checkoutToken);
  await checkout.choose(rail);
  await checkout.fill(values);
  await checkout.pay();
  await expect(checkout.page.getByTestId(action)).toBeVisible();
  return { token: link.checkoutToken, sessionId: await checkout.sessionId(link.checkoutToken) };
}

for (const [rail, demo, values, action] of [
  ['PIX', 'demo-brl', { ...PAYER, documentNumber: VALID_CPF }, 'next-qr'],
  ['SPEI', 'demo-mxn', PAYER, 'next-transfer'],
] as const) {
  test(`waiting for a ${rail} payment when time runs out: the expired screen says nothing was charged`,
    async ({ page, checkout, conomy }) => {
      const errors = watchErrors(page);
      const { sessionId } = await payAndWait(checkout, conomy, demo, rail, values, action);

      await timeRunsOut(page, conomy, sessionId);

      await expect(page.getByTestId('state-expired')).toBeVisible();
      await expect(page.getByTestId(action)).toHaveCount(0);
      await expectNoPanic(page, errors);
    });
}

test('a result on screen when the session\'s time passes: the result stays, nothing counts down',
  async ({ page, context, checkout, conomy }) => {
    const errors = watchErrors(page);
    const { sessionId } = await payAndWait(checkout, conomy, 'demo-brl', 'PIX',
      { ...PAYER, documentNumber: VALID_CPF }, 'next-qr');
    await settle(context, conomy, sessionId, 'decline');
    // The waiting page polls on the fake clock: let it read the outcome.
    await page.clock.runFor(15_000);
    const failed = page.getByTestId('state-failed');
    await expect(failed).toBeVisible();
    await expect(page.getByTestId('countdown')).toHaveCount(0);
    const reads = countSessionReads(page, sessionId);

    await page.clock.fastForward('01:01:00');
    await page.clock.runFor(2_000);

    await expect(failed).toBeVisible();
    // No countdown runs behind the result: nothing asks whether the session expired.
    expect(reads()).toBe(0);
    await expectNoPanic(page, errors);
  });

test('offline when time runs out: the form and what was typed stay, and back online the expired screen shows',
  async ({ page, context, checkout, conomy }) => {
    const errors = watchErrors(page);
    const link = await conomy.createLinkLike('demo-clp');
    await checkout.open(link.checkoutToken);
    // The first touch fetches the post-payment chunk. Cut in the middle of that download, the
    // fetch fails and the wasm loader logs it before trying again online (split.spec.ts covers
    // a chunk that cannot load); here the network goes away once the page has what it fetches.
    const chunk = page.waitForResponse((r) => r.url().includes('split_post_payment'));
    await checkout.choose('ETPAY');
    await checkout.field('firstName').fill('María José');
    const sessionId = await checkout.sessionId(link.checkoutToken);
    await (await chunk).finished();

    await context.setOffline(true);
    await expect(page.getByTestId('offline-banner')).toBeVisible();
    await timeRunsOut(page, conomy, sessionId);
    await page.clock.runFor(5_000);
    await expect(checkout.field('firstName')).toHaveValue('María José');
    await expectNoPanic(page, errors);

    await context.setOffline(false);
    await page.clock.runFor(2_000);
    await expect(page.getByTestId('state-expired')).toBeVisible();
    await page.getByTestId('refresh').click();
    await expect(checkout.field('firstName')).toHaveValue('María José');
    await expectNoPanic(page, errors);
  });

/** Counts the page's reads of the session (`GET /api/checkout-sessions/<id>`) from now on. */
function countSessionReads(page: Page, sessionId: string): () => number {
  let count = 0;
  page.on('request', (req) => {
    if (req.method() === 'GET' && new URL(req.url()).pathname === `/api/checkout-sessions/${sessionId}`) count++;
  });
  return () => count;
}

async function settle(context: BrowserContext, conomy: Conomy, sessionId: string,
  action: 'approve' | 'decline'): Promise<void> {
  const payment = await conomy.latestPayment(sessionId);
  await conomy.settleInNewTab(context, { sessionId, paymentId: payment.id }, action);
}
