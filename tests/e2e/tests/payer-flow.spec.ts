// The payer flow end to end in the real browser against the sandbox — every rail kind,
// validation, resume, expiry, redirect safety and single submission.
import type { Page } from '@playwright/test';
import { test, expect } from '../fixtures/test';
import { stayOnResult } from '../fixtures/states';
import { installClock, PAST_EVERY_COUNTDOWN_MS, watchNavigationsStarted } from '../fixtures/time';

const PAYER = {
  firstName: 'Ana',
  lastName: 'Pérez',
  email: 'ana.perez@example.com',
  phoneNumber: '3001234567',
};
const VALID_CPF = '529.982.247-25';
const VALID_NIT = '900123456-8';

/** Counts the payment submissions (POST /api/checkout-sessions/<id>/payments) a page sends. */
function countPaymentPosts(page: Page): () => number {
  let count = 0;
  page.on('request', (req) => {
    if (req.method() === 'POST' && /\/api\/checkout-sessions\/[^/]+\/payments$/.test(new URL(req.url()).pathname)) count++;
  });
  return () => count;
}

test.describe('redirect rail (ETPAY on demo-clp)', () => {
  test('approve on the provider page -> success screen -> merchant successUrl', async ({ page, checkout, conomy }) => {
    const demo = await conomy.demo('demo-clp');
    await checkout.open(demo.token);
    await checkout.choose('ETPAY');
    await checkout.fill(PAYER);
    await checkout.pay();

    await page.waitForURL(/\/sandbox\/provider\//);
    await page.locator('#approve').click();

    // Back on the checkout, which confirms the outcome from the session before moving on.
    await expect(page.getByTestId('state-success')).toBeVisible();
    await expect(page.getByTestId('redirect-countdown')).toBeVisible();
    await expect(page.getByTestId('continue-button')).toBeVisible();
    await page.waitForURL(/\/sandbox\/merchant\/success/, { timeout: 20_000 });
  });

  test('decline -> failure screen offering another method (session still payable)', async ({ page, checkout, conomy }) => {
    const demo = await conomy.demo('demo-clp');
    await checkout.open(demo.token);
    await checkout.choose('ETPAY');
    await checkout.fill(PAYER);
    await checkout.pay();

    await page.waitForURL(/\/sandbox\/provider\//);
    await page.locator('#decline').click();

    const failed = page.getByTestId('state-failed');
    await expect(failed).toBeVisible();
    // The sandbox pins decline as: payment FAILED, session back to ACTIVE -> payable again.
    const session = await checkout.session(demo.token);
    expect(session.status).toBe('ACTIVE');
    expect((await conomy.latestPayment(session.id)).status).toBe('FAILED');
    await expect(page).toHaveURL(new RegExp(`/${demo.token}`));

    // "Offering another method": the options are there, or one button away.
    const webpay = checkout.method('WEBPAY');
    if (!(await webpay.first().isVisible())) await failed.getByRole('button').first().click();
    await expect(webpay.first()).toBeVisible();
    await expect(checkout.payButton()).toBeEnabled();
  });
});

test('PIX: QR and copy code shown, approval elsewhere turns the waiting page to success without a reload',
  async ({ page, context, checkout, conomy }) => {
    // On a slow machine the success countdown can run out while the other tab settles: stay.
    await stayOnResult(page);
    const demo = await conomy.demo('demo-brl');
    await checkout.open(demo.token);
    await checkout.choose('PIX');
    await checkout.fill({ ...PAYER, documentNumber: VALID_CPF });
    await checkout.pay();

    const qr = page.getByTestId('next-qr');
    await expect(qr).toBeVisible();
    await expect(qr.getByTestId('qr-image')).toBeVisible();
    // A PIX copy-paste code is an EMV payload: starts with the format indicator "000201".
    await expect(qr.getByTestId('copy-code')).toHaveText(/000201\S+/);
    await expect(qr.getByTestId('copy-button')).toBeVisible();

    // Mark this document: a reload would lose the marker.
    await page.evaluate(() => { (window as unknown as { e2eMarker: string }).e2eMarker = 'still-here'; });
    const sessionId = await checkout.sessionId(demo.token);
    const payment = await conomy.latestPayment(sessionId);
    await conomy.settleInNewTab(context, { sessionId, paymentId: payment.id }, 'approve');

    await expect(page.getByTestId('state-success')).toBeVisible({ timeout: 30_000 });
    expect(await page.evaluate(() => (window as unknown as { e2eMarker?: string }).e2eMarker)).toBe('still-here');
  });

test('SPEI: the CLABE is shown (18 digits) and the copy button copies it', async ({ page, context, checkout, conomy, baseURL }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseURL });
  const demo = await conomy.demo('demo-mxn');
  await checkout.open(demo.token);
  await checkout.choose('SPEI');
  await checkout.fill(PAYER);
  await checkout.pay();

  const transfer = page.getByTestId('next-transfer');
  await expect(transfer).toBeVisible();
  const clabe = (await transfer.getByTestId('clabe').innerText()).replace(/\D/g, '');
  expect(clabe).toMatch(/^\d{18}$/);

  // The copy button next to the CLABE (the first one when there are several).
  await page.evaluate(() => navigator.clipboard.writeText(''));
  await transfer.getByTestId('copy-button').first().click();
  await expect.poll(() => page.evaluate(() => navigator.clipboard.readText()).then((t) => t.replace(/\D/g, '')))
    .toBe(clabe);
});

test.describe('form validation', () => {
  test('PSE: bank and document are required; a wrong NIT check digit is rejected', async ({ page, checkout, conomy }) => {
    const demo = await conomy.demo('demo-cop');
    await checkout.open(demo.token);
    await checkout.choose('PSE', 'COP');
    const posts = countPaymentPosts(page);

    await checkout.pay();
    await expect(checkout.fieldError('bankId')).toBeVisible();
    await expect(checkout.fieldError('documentNumber')).toBeVisible();
    await expect(checkout.fieldError('documentNumber')).not.toBeEmpty();
    // Focus goes to the first field with an error (errors are in form order).
    const firstError = await page.getByTestId('field-error').first().getAttribute('id');
    await expect(checkout.field(String(firstError).replace(/-error$/, ''))).toBeFocused();
    expect(posts()).toBe(0);

    await checkout.fill({ ...PAYER, bankId: '', documentType: 'NIT', documentNumber: '900123456-7' });
    await expect(checkout.fieldError('bankId')).toHaveCount(0);
    await expect(checkout.fieldError('documentNumber')).toBeVisible();
    await expect(checkout.fieldError('documentNumber')).not.toBeEmpty();

    await checkout.fill({ documentNumber: VALID_NIT });
    await expect(checkout.fieldError('documentNumber')).toHaveCount(0);
    expect(posts()).toBe(0);
  });

  test('an invalid RUT is rejected (prefilled CLP payer)', async ({ checkout, conomy }) => {
    const demo = await conomy.demo('demo-prefilled');
    await checkout.open(demo.token);
    await checkout.choose('ETPAY');
    await expect(checkout.field('documentNumber')).toBeVisible();
    await checkout.fill({ documentType: 'RUT', documentNumber: '12.345.678-9' });
    await expect(checkout.fieldError('documentNumber')).toBeVisible();
    await expect(checkout.fieldError('documentNumber')).not.toBeEmpty();
    await checkout.fill({ documentNumber: '12.345.678-5' });
    await expect(checkout.fieldError('documentNumber')).toHaveCount(0);
  });

  test('an invalid CPF is rejected (PIX)', async ({ page, checkout, conomy }) => {
    const demo = await conomy.demo('demo-brl');
    await checkout.open(demo.token);
    await checkout.choose('PIX');
    const posts = countPaymentPosts(page);
    await checkout.fill({ ...PAYER, documentNumber: '123.456.789-00' });
    await expect(checkout.fieldError('documentNumber')).toBeVisible();
    await checkout.pay();
    await expect(checkout.fieldError('documentNumber')).toBeVisible();
    expect(posts()).toBe(0);
    await checkout.fill({ documentNumber: VALID_CPF });
    await expect(checkout.fieldError('documentNumber')).toHaveCount(0);
  });

  test('an invalid CURP is rejected (MXN link requiring a document)', async ({ checkout, conomy }) => {
    const link = await conomy.createLinkLike('demo-mxn', { customerRequirements: ['documentType', 'documentNumber'] });
    await checkout.open(link.checkoutToken);
    await checkout.choose('SPEI');
    await checkout.fill({ documentType: 'CURP', documentNumber: 'GODE561231HDFRRN05' });
    await expect(checkout.fieldError('documentNumber')).toBeVisible();
    await checkout.fill({ documentNumber: 'GODE561231HDFRRN00' });
    await expect(checkout.fieldError('documentNumber')).toHaveCount(0);
  });
});

test('a reload in the middle of the form keeps the typed values and the session', async ({ page, checkout, conomy }) => {
  const link = await conomy.createLinkLike('demo-clp');
  await checkout.open(link.checkoutToken);
  const sessionId = await checkout.sessionId(link.checkoutToken);
  await checkout.choose('ETPAY');
  await checkout.field('firstName').fill('María José');
  await checkout.field('email').fill('mj@example.cl');
  await checkout.field('email').blur();

  await page.reload();
  await expect(page.getByTestId('total')).toBeVisible();
  await expect(checkout.method('ETPAY')).toBeChecked();
  await expect(checkout.field('firstName')).toHaveValue('María José');
  await expect(checkout.field('email')).toHaveValue('mj@example.cl');
  expect(await checkout.sessionId(link.checkoutToken)).toBe(sessionId);
  expect((await conomy.sessions(link.id)).map((s) => s.id)).toEqual([sessionId]);
});

test.describe('expired sessions', () => {
  test('the demo link whose session is already expired shows the expired screen', async ({ page, conomy }) => {
    const demo = await conomy.demo('demo-expired');
    await page.goto(`/${demo.token}`);
    await expect(page.getByTestId('state-expired')).toBeVisible();
    await expect(page.getByTestId('pay-button')).toHaveCount(0);
  });

  test('a session expired while open shows the expired screen, and "start again" refreshes it', async ({ page, checkout, conomy }) => {
    const link = await conomy.createLinkLike('demo-clp');
    await checkout.open(link.checkoutToken);
    const sessionId = await checkout.sessionId(link.checkoutToken);
    await conomy.expireSession(sessionId);

    await page.reload();
    const expired = page.getByTestId('state-expired');
    await expect(expired).toBeVisible();
    await expect(page.getByTestId('pay-button')).toHaveCount(0);

    // The link is still active, so the session can be renewed.
    await page.getByTestId('refresh').click();
    await expect(checkout.method('ETPAY')).toBeVisible();
    expect((await checkout.session(link.checkoutToken)).status).toMatch(/^(ACTIVE|ATTEMPT)$/);
  });
});

test('under the page\'s clock, running past the countdown follows a safe successUrl', async ({ page, checkout, conomy }) => {
  // The control of the next test: the same steps with a URL the checkout may follow, so moving
  // the clock past the countdown and watching for navigations can see one.
  await installClock(page);
  const started = await watchNavigationsStarted(page);
  await stayOnResult(page);
  const link = await conomy.createLinkLike('demo-clp');
  await checkout.open(link.checkoutToken);
  await checkout.choose('ETPAY');
  await checkout.fill(PAYER);
  await checkout.pay();
  await page.waitForURL(/\/sandbox\/provider\//);
  await page.locator('#approve').click();
  await expect(page.getByTestId('state-success')).toBeVisible();
  await expect(page.getByTestId('redirect-countdown')).toBeVisible();
  expect(await started()).toEqual([]);

  await page.clock.runFor(PAST_EVERY_COUNTDOWN_MS);
  expect(await started()).toEqual([expect.stringMatching(/\/sandbox\/merchant\/success/)]);
});

test('a successUrl of javascript:alert(1) is never followed', async ({ page, checkout, conomy }) => {
  const link = await conomy.createLinkLike('demo-clp', {
    successUrl: 'javascript:alert(1)',
    failedUrl: 'javascript:alert(2)',
  });
  // The link really carries the unsafe URL (the server passes it on): the checkout must refuse it.
  expect((await conomy.api<{ successUrl?: string }>('GET', `/payment-links/${link.id}`)).successUrl)
    .toBe('javascript:alert(1)');
  const dialogs: string[] = [];
  page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
  await installClock(page);
  const started = await watchNavigationsStarted(page);

  await checkout.open(link.checkoutToken);
  await checkout.choose('ETPAY');
  await checkout.fill(PAYER);
  await checkout.pay();
  await page.waitForURL(/\/sandbox\/provider\//);
  await page.locator('#approve').click();

  const success = page.getByTestId('state-success');
  await expect(success).toBeVisible();
  expect((await checkout.session(link.checkoutToken)).status).toBe('FINISHED');
  const landed = page.url();
  const navigations: string[] = [];
  page.on('framenavigated', (f) => { if (f === page.mainFrame()) navigations.push(f.url()); });

  // Longer than any redirect countdown, in the page's own time; then even "continue" must not
  // follow the URL (a navigation it starts is recorded as it starts).
  await page.clock.runFor(PAST_EVERY_COUNTDOWN_MS);
  const cont = page.getByTestId('continue-button');
  if (await cont.isVisible()) await cont.click();

  await expect(success).toBeVisible();
  expect(await started()).toEqual([]);
  expect(page.url()).toBe(landed);
  expect(navigations).toEqual([]);
  expect(dialogs).toEqual([]);
});

test('a double click on pay sends exactly one payment', async ({ page, checkout, conomy }) => {
  const demo = await conomy.demo('demo-mxn');
  await checkout.open(demo.token);
  await checkout.choose('SPEI');
  await checkout.fill(PAYER);
  const posts = countPaymentPosts(page);

  // Hold the submission in flight so the second click lands while it is pending.
  let release!: () => void;
  const held = new Promise<void>((r) => { release = r; });
  await page.route('**/api/checkout-sessions/*/payments', async (route) => {
    if (route.request().method() === 'POST') await held;
    await route.continue();
  });

  await checkout.payButton().dblclick();
  await expect(checkout.payButton()).toHaveAttribute('aria-busy', 'true');
  await checkout.payButton().click({ force: true }).catch(() => { /* may be gone or disabled */ });
  release();

  await expect(page.getByTestId('next-transfer')).toBeVisible();
  expect(posts()).toBe(1);
  const sessionId = await checkout.sessionId(demo.token);
  expect(await conomy.payments(sessionId)).toHaveLength(1);
});
