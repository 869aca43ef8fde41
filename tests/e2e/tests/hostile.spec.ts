// Hostile data is inert. Merchant-controlled text is shown as text, unsafe logo and
// return URLs are never used, malformed tokens never reach the API, and malformed, partial or
// unexpected API answers end on a clear message or a safe default, never a blank or dead page.
import type { Page, Route } from '@playwright/test';
import { test, expect } from '../fixtures/test';
import { installClock, PAST_EVERY_COUNTDOWN_MS, watchNavigationsStarted } from '../fixtures/time';

/** Markup that would set `window.__pwned` (and open a dialog) if it ever became DOM. */
const IMG = '<img src=x onerror="window.__pwned=1;alert(1)" data-pwned="img">';
const SCRIPT = '<script data-pwned="script">window.__pwned=2;alert(2)</script>';

/** Dialogs, uncaught errors and the panic screen: none may appear. */
function watchForTrouble(page: Page): { dialogs: string[]; errors: string[] } {
  const trouble = { dialogs: [] as string[], errors: [] as string[] };
  page.on('dialog', (d) => { trouble.dialogs.push(d.message()); void d.dismiss(); });
  page.on('pageerror', (e) => trouble.errors.push(String(e)));
  return trouble;
}

async function expectInert(page: Page, trouble: { dialogs: string[]; errors: string[] }): Promise<void> {
  // An injected image's onerror would run when the image fails: wait until every image of the
  // page has finished, loaded or failed (a script set as text never runs; one made DOM would be
  // found below).
  await page.waitForFunction(() => Array.from(document.images).every((img) => img.complete));
  expect(await page.locator('[data-pwned]').count()).toBe(0);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  expect(trouble.dialogs).toEqual([]);
  expect(trouble.errors).toEqual([]);
  await expect(page.getByTestId('state-crashed')).toHaveCount(0);
}

/** Counts the page's /api requests. */
function countApi(page: Page): () => number {
  let count = 0;
  page.on('request', (req) => { if (new URL(req.url()).pathname.startsWith('/api/')) count++; });
  return () => count;
}

test.describe('merchant data', () => {
  test('HTML in item descriptions, the merchant name and the payer prefill is shown as text',
    async ({ page, checkout, conomy }) => {
      const link = await conomy.createLinkLike('demo-clp', {
        items: [
          { description: `Café ${IMG}`, preTaxAmount: '1000', totalAmount: '1000' },
          { description: SCRIPT, preTaxAmount: '500', totalAmount: '500' },
        ],
        owner: { identityId: 'hostile-merchant', name: IMG, nickname: `Shop ${SCRIPT}` },
        customer: { firstName: IMG, lastName: SCRIPT, email: 'ana@example.cl' },
        customerRequirements: ['firstName', 'lastName', 'email'],
      });
      const trouble = watchForTrouble(page);
      await checkout.open(link.checkoutToken);

      await expect(page.getByTestId('merchant-name')).toHaveText(`Shop ${SCRIPT}`);
      const descriptions = page.getByTestId('item-description');
      await expect(descriptions).toHaveCount(2);
      // Collapsed on narrow screens: the text is there either way.
      expect(await descriptions.allTextContents()).toEqual([`Café ${IMG}`, SCRIPT]);
      await checkout.choose('ETPAY');
      await expect(checkout.field('firstName')).toHaveValue(IMG);
      await expect(checkout.field('lastName')).toHaveValue(SCRIPT);
      // The page title and the document are untouched as well.
      expect(await page.title()).not.toContain('<');
      await expectInert(page, trouble);
    });

  for (const [what, image, shown] of [
    ['javascript:', 'javascript:alert(1)', false],
    ['http:', 'http://example.com/logo.png', false],
    ['data:', 'data:image/svg+xml,<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', false],
    // The control: an https logo is shown, so the assertions above can fail.
    ['https:', 'https://checkout.conomy.test/logo.png', true],
  ] as const) {
    test(`a ${what} logo URL ${shown ? 'is' : 'is never'} rendered`, async ({ page, checkout, conomy }) => {
      const source = await conomy.linkByToken((await conomy.demo('demo-clp')).token);
      const destinations = (source.destinations as Record<string, unknown>[]).map((d) => ({
        ...d,
        metadata: { ...(d.metadata as object), image },
      }));
      const link = await conomy.createLinkLike('demo-clp', { destinations });
      // The logo host does not exist: answer the https control locally so it really loads.
      await page.route('https://checkout.conomy.test/**', (route) => route.fulfill({
        contentType: 'image/svg+xml',
        body: '<svg xmlns="http://www.w3.org/2000/svg" width="48" height="48"><rect width="48" height="48" fill="#08c"/></svg>',
      }));
      const trouble = watchForTrouble(page);
      await checkout.open(link.checkoutToken);
      await expect(page.getByTestId('merchant-name')).toBeVisible();
      if (shown) {
        await expect(page.getByTestId('merchant-logo')).toHaveAttribute('src', image);
      } else {
        await page.waitForTimeout(300);
        await expect(page.getByTestId('merchant-logo')).toHaveCount(0);
        expect(await page.locator(`img[src^="${image.slice(0, 8)}"]`).count()).toBe(0);
      }
      await expectInert(page, trouble);
    });
  }

  test('a data: successUrl is never followed', async ({ page, checkout, conomy }) => {
    const link = await conomy.createLinkLike('demo-clp', { successUrl: 'data:text/html,<script>alert(1)</script>' });
    const trouble = watchForTrouble(page);
    await installClock(page);
    const started = await watchNavigationsStarted(page);
    await checkout.open(link.checkoutToken);
    await checkout.choose('ETPAY');
    await checkout.fill({ firstName: 'Ana', lastName: 'Pérez', email: 'ana@example.cl' });
    await checkout.pay();
    await page.waitForURL(/\/sandbox\/provider\//);
    await page.locator('#approve').click();

    const success = page.getByTestId('state-success');
    await expect(success).toBeVisible();
    const landed = page.url();
    const navigations: string[] = [];
    page.on('framenavigated', (f) => { if (f === page.mainFrame()) navigations.push(f.url()); });
    // Longer than the redirect countdown, in the page's own time; with no safe target there is
    // nothing to continue to.
    await page.clock.runFor(PAST_EVERY_COUNTDOWN_MS);
    await expect(page.getByTestId('continue-button')).toHaveCount(0);
    expect(await page.locator('a[href^="data:"], a[href^="javascript:"]').count()).toBe(0);
    expect(await started()).toEqual([]);
    expect(page.url()).toBe(landed);
    expect(navigations).toEqual([]);
    await expectInert(page, trouble);
  });

  test('a javascript: failedUrl is never followed after a final failure', async ({ page, checkout, conomy }) => {
    const link = await conomy.createLinkLike('demo-clp', {
      failedUrl: 'javascript:alert(1)',
      metadata: { singleAttempt: true },
    });
    const trouble = watchForTrouble(page);
    await installClock(page);
    const started = await watchNavigationsStarted(page);
    await checkout.open(link.checkoutToken);
    await checkout.choose('ETPAY');
    await checkout.fill({ firstName: 'Ana', lastName: 'Pérez', email: 'ana@example.cl' });
    await checkout.pay();
    await page.waitForURL(/\/sandbox\/provider\//);
    await page.locator('#decline').click();

    const failed = page.getByTestId('state-failed');
    await expect(failed).toBeVisible();
    await expect(page.getByTestId('try-another')).toHaveCount(0);
    const landed = page.url();
    await page.clock.runFor(PAST_EVERY_COUNTDOWN_MS);
    await expect(page.getByTestId('continue-button')).toHaveCount(0);
    expect(await page.locator('a[href^="javascript:"]').count()).toBe(0);
    expect(await started()).toEqual([]);
    expect(page.url()).toBe(landed);
    await expectInert(page, trouble);
  });
});

test.describe('malformed tokens in the URL', () => {
  const LONG = 'a'.repeat(2048);

  test('encoded NULs and traversal are refused by the server before any page or /api call', async ({ page }) => {
    const api = countApi(page);
    // (`/%2e%2e` is not here: the browser itself turns it into `/` before asking.)
    for (const path of ['/%00', '/..%2f..', '/a%2Fb', '/x%5C..']) {
      const response = await page.goto(path);
      expect(response?.status(), path).toBe(400);
    }
    expect(api()).toBe(0);
  });

  test('a 2 KB token shows not-found without any /api request', async ({ page }) => {
    const api = countApi(page);
    await page.goto(`/${LONG}`);
    await expect(page.getByTestId('not-found')).toBeVisible();
    expect(api()).toBe(0);
  });

  test('inside the app, malformed tokens show not-found without any /api request', async ({ page }) => {
    await page.goto('/');
    await expect(page.getByTestId('landing')).toBeVisible();
    const api = countApi(page);
    for (const path of ['/%00', '/..%2f..', '/%3Cscript%3E', '/tok%20en', '/%D1%82%D0%BE%D0%BA%D0%B5%D0%BD', `/${LONG}`]) {
      await page.evaluate((p) => {
        history.pushState(null, '', p);
        dispatchEvent(new PopStateEvent('popstate'));
      }, path);
      await expect(page.getByTestId('not-found'), path).toBeVisible();
      await page.evaluate(() => {
        history.pushState(null, '', '/');
        dispatchEvent(new PopStateEvent('popstate'));
      });
      await expect(page.getByTestId('landing')).toBeVisible();
    }
    expect(api()).toBe(0);
  });
});

// ---- hostile API answers, served by page.route in place of the server ----------------------

const TOKEN = 'hostile-answers';

/**
 * A well-formed capability for a faked session (the gateway adds one to the open answer of a
 * payable session; without it the page may show the session but never read or pay on it).
 */
function fakeCapability(id: string): string {
  return `${id}.9999999999.${'A'.repeat(43)}`;
}

/** A complete, valid session (MXN, SPEI), as the contract describes it, as the gateway opens it. */
function session(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Date.now();
  return {
    id: 'cs_hostile_1',
    capability: fakeCapability('cs_hostile_1'),
    checkoutToken: TOKEN,
    status: 'ACTIVE',
    createdAt: new Date(now).toISOString(),
    expiresAt: new Date(now + 30 * 60_000).toISOString(),
    currency: 'MXN',
    preTaxAmount: '100.00',
    totalAmount: '116.00',
    items: [{
      description: 'Audífonos',
      preTaxAmount: '100.00',
      totalAmount: '116.00',
      tax: { name: 'IVA', type: 'PERCENTAGE', value: '16', amount: '16.00' },
    }],
    paymentConfigs: [{
      currency: 'MXN',
      product: 'MXN:MXN',
      exchangeRate: '1',
      paymentMethods: [{ id: 'pm_1', type: 'SPEI', enabled: true, requiredFields: ['spei.customer.firstName'], purchaseAmount: '116.00' }],
    }],
    paymentMethodsAllowed: ['SPEI'],
    customer: null,
    destinations: [{ name: 'Mercado', type: 'ACCOUNT', amount: '116.00', metadata: { image: '', description: '', category: '' } }],
    owner: { name: 'Mercado Azteca', nickname: 'Mercado Azteca' },
    url: `https://checkout.example/${TOKEN}`,
    ...overrides,
  };
}

/** Answers every /api call of the page: opening with `open`, payments with `payments`. */
async function serveApi(page: Page, answers: {
  open: string | object;
  payments?: object[];
  submit?: string | object;
  contentType?: string;
}): Promise<void> {
  const body = (value: string | object) => (typeof value === 'string' ? value : JSON.stringify(value));
  await page.route('**/api/**', (route: Route) => {
    const { pathname } = new URL(route.request().url());
    const method = route.request().method();
    const json = (value: string | object, status = 200) =>
      route.fulfill({ status, contentType: answers.contentType ?? 'application/json', body: body(value) });
    if (method === 'POST' && pathname.endsWith('/checkout-sessions')) return json(answers.open, 201);
    if (method === 'GET' && pathname.startsWith('/api/checkout-sessions/')) return json(answers.open);
    if (method === 'GET' && pathname === '/api/payments') return json({ results: answers.payments ?? [] });
    if (method === 'POST' && pathname.endsWith('/payments')) return json(answers.submit ?? '{}', 201);
    return json({ status: 404, type: 'notFound', message: 'not here' }, 404);
  });
}

test.describe('malformed or partial API answers', () => {
  for (const [what, open] of [
    ['an empty body', ''],
    ['truncated JSON', JSON.stringify(session()).slice(0, 120)],
    ['HTML instead of JSON', '<html><body><h1>502 Bad Gateway</h1></body></html>'],
    ['null', 'null'],
    ['an array', '[]'],
    ['an empty object', '{}'],
    ['amounts as numbers', session({ totalAmount: 116, preTaxAmount: 100 })],
    ['items as an object', session({ items: { description: 'x' } })],
  ] as const) {
    test(`a session answered with ${what} ends on a clear error with a working retry`, async ({ page }) => {
      const trouble = watchForTrouble(page);
      await serveApi(page, { open });
      await page.goto(`/${TOKEN}`);
      const error = page.getByTestId('state-error');
      await expect(error).toBeVisible({ timeout: 20_000 });
      await expect(error.getByRole('heading')).not.toBeEmpty();
      await expect(error).toContainText(/couldn.t read/i);
      expect(trouble.errors).toEqual([]);

      await page.unroute('**/api/**');
      await serveApi(page, { open: session() });
      await error.getByTestId('retry').click();
      await expect(page.getByTestId('total')).toBeVisible();
      await expectInert(page, trouble);
    });
  }

  test('only the required fields: the summary shows with safe defaults', async ({ page }) => {
    const trouble = watchForTrouble(page);
    await serveApi(page, { open: { id: 'cs_min', status: 'ACTIVE', currency: 'MXN', totalAmount: '116.00' } });
    await page.goto(`/${TOKEN}`);
    await expect(page.getByTestId('total')).toContainText('116');
    await expect(page.getByTestId('nothing-payable')).toBeVisible();
    await expect(page.getByTestId('countdown')).toHaveCount(0);
    await expect(page.getByTestId('merchant-logo')).toHaveCount(0);
    await expectInert(page, trouble);
  });

  test('an unknown session status: a calm "checking" screen, not a blank page', async ({ page }) => {
    const trouble = watchForTrouble(page);
    await serveApi(page, { open: session({ status: 'ON_HOLD_FOR_REVIEW' }) });
    await page.goto(`/${TOKEN}`);
    await expect(page.getByTestId('state-checking')).toBeVisible();
    await expect(page.getByTestId('total')).toBeVisible();
    await expectInert(page, trouble);
  });

  test('unknown rails, tax types and currencies get safe defaults and stay payable', async ({ page }) => {
    const trouble = watchForTrouble(page);
    await serveApi(page, {
      open: session({
        currency: 'XQX',
        items: [
          { description: 'Mystery tax', preTaxAmount: '100.00', totalAmount: '116.00', tax: { name: 'Eco', type: 'PER_GRAM', value: '?', amount: '16.00' } },
          { description: 'Odd amount', preTaxAmount: 'lots', totalAmount: '1e309', tax: null },
        ],
        totalAmount: '99999999999999999999999999999999999999999.99',
        paymentMethodsAllowed: ['SPEI', 'TELEPATHY'],
        paymentConfigs: [{
          currency: 'XQX',
          exchangeRate: 'one',
          paymentMethods: [
            { id: 'pm_t', type: 'TELEPATHY', enabled: true, requiredFields: ['telepathy.mind.frequency'], purchaseAmount: '116.00' },
            { id: 'pm_s', type: 'SPEI', enabled: true, requiredFields: [], purchaseAmount: 'abc' },
          ],
        }],
        expiresAt: 'tomorrow-ish',
        destinations: [{ name: 'Mercado', type: 'ACCOUNT', metadata: { image: 'https://' } }],
      }),
    });
    await page.goto(`/${TOKEN}`);
    await expect(page.getByTestId('total')).toContainText('99999');
    await expect(page.getByTestId('item')).toHaveCount(2);
    await expect(page.getByTestId('item-tax').first()).toContainText('Eco');
    await expect(page.locator('input[type="radio"][value="TELEPATHY"]')).toBeVisible();
    await page.locator('input[type="radio"][value="TELEPATHY"]').check();
    await expect(page.getByTestId('pay-button')).toBeVisible();
    await expect(page.getByTestId('countdown')).toHaveCount(0);
    await expectInert(page, trouble);
  });

  test('hostile payment data: unknown statuses and rails, unsafe next actions stay inert', async ({ page }) => {
    const trouble = watchForTrouble(page);
    await serveApi(page, {
      open: session({ status: 'PROCESSING_PAYMENT' }),
      payments: [{
        id: 'pay_1',
        status: 'SOMETHING_NEW',
        createdAt: new Date().toISOString(),
        currency: 'MXN',
        totalAmount: '116.00',
        origins: [{ type: 'TELEPATHY', currency: 'MXN', telepathy: { url: 'javascript:alert(1)', clabe: SCRIPT } }],
      }],
    });
    await page.goto(`/${TOKEN}`);
    await expect(page.getByTestId('state-checking').or(page.getByTestId('state-waiting'))).toBeVisible();
    expect(await page.locator('a[href^="javascript:"]').count()).toBe(0);
    await expectInert(page, trouble);
  });

  for (const url of ['javascript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'http://evil.example/pay']) {
    test(`a redirect next action to ${url.split(':')[0]}: is never followed nor linked`, async ({ page }) => {
      const trouble = watchForTrouble(page);
      const payment = {
        id: 'pay_2',
        status: 'CREATED',
        createdAt: new Date().toISOString(),
        currency: 'MXN',
        totalAmount: '116.00',
        origins: [{ type: 'ETPAY', currency: 'MXN', etpay: { url } }],
      };
      await serveApi(page, {
        open: session({
          paymentMethodsAllowed: ['ETPAY'],
          paymentConfigs: [{ currency: 'MXN', exchangeRate: '1', paymentMethods: [{ id: 'pm_e', type: 'ETPAY', enabled: true, requiredFields: [], purchaseAmount: '116.00' }] }],
        }),
        submit: payment,
        payments: [payment],
      });
      const navigations: string[] = [];
      page.on('framenavigated', (f) => { if (f === page.mainFrame()) navigations.push(f.url()); });
      const started = await watchNavigationsStarted(page);
      await page.goto(`/${TOKEN}`);
      await page.locator('input[type="radio"][value="ETPAY"]').check();
      await page.getByTestId('pay-button').click();
      // Without a safe provider URL the payer waits on the checkout, which keeps polling: its
      // next read of the session comes, and no navigation was started before or after it.
      await expect(page.getByTestId('state-waiting')).toBeVisible();
      await page.waitForRequest((r) => r.method() === 'GET' && new URL(r.url()).pathname === '/api/checkout-sessions/cs_hostile_1');
      await expect(page.getByTestId('state-waiting')).toBeVisible();
      expect(await started()).toEqual([]);
      expect(new URL(page.url()).pathname).toBe(`/${TOKEN}`);
      expect(navigations.map((u) => new URL(u).pathname)).toEqual([`/${TOKEN}`]);
      expect(await page.locator('a[href^="javascript:"], a[href^="data:"], a[href^="http:"]').count()).toBe(0);
      await expectInert(page, trouble);
    });
  }

  test('a submission answered with a malformed payment: told, nothing lost, no second request', async ({ page }) => {
    const trouble = watchForTrouble(page);
    let submissions = 0;
    page.on('request', (r) => { if (r.method() === 'POST' && r.url().endsWith('/payments')) submissions++; });
    await serveApi(page, { open: session(), submit: '{"id": 42, "status": ' });
    await page.goto(`/${TOKEN}`);
    await page.locator('input[type="radio"][value="SPEI"]').check();
    await page.locator('#firstName').fill('Lucía');
    await page.getByTestId('pay-button').click();
    // The answer was unreadable: the checkout looked at the payments (none) before saying so.
    await expect(page.getByTestId('submit-error')).toHaveText(/nothing was charged/i);
    await expect(page.locator('#firstName')).toHaveValue('Lucía');
    expect(submissions).toBe(1);
    await expectInert(page, trouble);
  });
});
