// The built SPA runs under the server's Content-Security-Policy with no violation on
// any screen. An init script records every `securitypolicyviolation` event of every document
// the page loads; console messages about the policy are collected too.
import type { Page } from '@playwright/test';
import { test, expect, type CheckoutPage } from '../fixtures/test';
import { forcePanic } from '../fixtures/crash';

const PAYER = { firstName: 'Ana', lastName: 'Pérez', email: 'ana.perez@example.com', phoneNumber: '3001234567' };
const VALID_CPF = '529.982.247-25';

interface Violation { directive: string; blocked: string; source: string; url: string }

/** Everything the policy blocked, across navigations, plus console errors about it. */
async function watchCsp(page: Page): Promise<{ violations: Violation[]; console: string[] }> {
  const seen = { violations: [] as Violation[], console: [] as string[] };
  await page.exposeFunction('__reportCspViolation', (v: Violation) => { seen.violations.push(v); });
  await page.addInitScript(() => {
    const w = window as unknown as { __cspViolations: unknown[]; __reportCspViolation?: (v: unknown) => void };
    w.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      const v = {
        directive: e.effectiveDirective || e.violatedDirective,
        blocked: e.blockedURI,
        source: `${e.sourceFile}:${e.lineNumber}`,
        url: location.href,
      };
      w.__cspViolations.push(v);
      w.__reportCspViolation?.(v);
    });
  });
  page.on('console', (m) => {
    if (/content security policy/i.test(m.text())) seen.console.push(m.text());
  });
  return seen;
}

/** The screen is up, the document has the policy, and nothing was blocked so far. */
async function expectClean(page: Page, seen: { violations: Violation[]; console: string[] }, testid: string): Promise<void> {
  await expect(page.getByTestId(testid).first()).toBeVisible({ timeout: 20_000 });
  // Let images, styles and late scripts of this screen load.
  await page.waitForTimeout(300);
  const inPage = await page.evaluate(() => (window as unknown as { __cspViolations?: unknown[] }).__cspViolations ?? []);
  expect(inPage, `violations on ${testid}`).toEqual([]);
  expect(seen.violations, `violations up to ${testid}`).toEqual([]);
  expect(seen.console, `console up to ${testid}`).toEqual([]);
}

async function payWith(checkout: CheckoutPage, token: string, rail: string, values: Record<string, string>): Promise<void> {
  await checkout.open(token);
  await checkout.choose(rail);
  await checkout.fill(values);
  await checkout.pay();
}

test('the SPA document is served with the strict policy', async ({ page }) => {
  const response = await page.goto('/');
  const csp = response?.headers()['content-security-policy'] ?? '';
  expect(csp).toContain("default-src 'none'");
  expect(csp).toMatch(/script-src 'self' 'wasm-unsafe-eval'/);
  expect(csp).toContain("style-src 'self'");
  expect(csp).not.toContain('unsafe-inline');
});

test('landing, not-found, expired, paid and inactive screens: no violation', async ({ page, conomy }) => {
  const seen = await watchCsp(page);
  await page.goto('/');
  await expectClean(page, seen, 'demo-link');
  await page.goto('/no-such-link-csp');
  await expectClean(page, seen, 'not-found');
  await page.goto('/some/deep/route');
  await expectClean(page, seen, 'not-found');
  for (const [demo, testid] of [['demo-expired', 'state-expired'], ['demo-paid', 'state-paid'], ['demo-inactive', 'state-inactive']]) {
    await page.goto(`/${(await conomy.demo(demo)).token}`);
    await expectClean(page, seen, testid);
  }
});

test('checkout form with errors, then the transfer screen: no violation', async ({ page, checkout, conomy }) => {
  const seen = await watchCsp(page);
  // PSE: the richest form (bank list, document selects, two currencies).
  await checkout.open((await conomy.demo('demo-cop')).token);
  await checkout.choose('PSE', 'COP');
  await expect(checkout.field('bankId')).toBeEnabled();
  await checkout.pay();
  await expectClean(page, seen, 'field-error');

  await payWith(checkout, (await conomy.demo('demo-mxn')).token, 'SPEI', PAYER);
  await expectClean(page, seen, 'next-transfer');
});

test('QR screen, then success after approval: no violation', async ({ page, context, checkout, conomy }) => {
  const seen = await watchCsp(page);
  const link = await conomy.createLinkLike('demo-brl');
  await payWith(checkout, link.checkoutToken, 'PIX', { ...PAYER, documentNumber: VALID_CPF });
  await expectClean(page, seen, 'qr-image');
  // The QR is an image the policy allows (a data: URL), and it really rendered.
  expect(await page.getByTestId('qr-image').evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);

  const sessionId = await checkout.sessionId(link.checkoutToken);
  const payment = await conomy.latestPayment(sessionId);
  await conomy.settleInNewTab(context, { sessionId, paymentId: payment.id }, 'approve');
  await expectClean(page, seen, 'state-success');
});

test('redirect rail: provider page, return, success with countdown: no violation', async ({ page, checkout, conomy }) => {
  const seen = await watchCsp(page);
  // Hold the merchant's page the countdown would go to: it is not the checkout's.
  // 204: the browser stays on the result (a held request would leave the page navigating).
  await page.route('**/sandbox/merchant/**', (route) => route.fulfill({ status: 204 }));
  await payWith(checkout, (await conomy.demo('demo-clp')).token, 'ETPAY', PAYER);
  await page.waitForURL(/\/sandbox\/provider\//);
  await expect(page.locator('#approve')).toBeVisible();
  await page.locator('#approve').click();
  await expectClean(page, seen, 'redirect-countdown');
});

test('loading error, offline banner and the crash screen: no violation', async ({ page, context, conomy }) => {
  const seen = await watchCsp(page);
  const token = (await conomy.demo('demo-clp')).token;
  await page.route('**/api/**', (route) => route.abort('failed'));
  await page.goto(`/${token}`);
  await expectClean(page, seen, 'state-error');
  await page.unroute('**/api/**');
  await page.getByTestId('retry').click();
  await expectClean(page, seen, 'total');

  await context.setOffline(true);
  await expectClean(page, seen, 'offline-banner');
  await context.setOffline(false);

  // The crash screen is built with raw DOM calls.
  await forcePanic(page);
  await expectClean(page, seen, 'state-crashed');
});
