// The checkout embedded in a merchant page, with two real origins — the sandbox's demo
// merchant page on http://localhost:<port> (MERCHANT_URL, started by global-setup.ts) framing the
// checkout on http://127.0.0.1:<port> (CHECKOUT_URL) through /embed.js. Third origins are
// Playwright-fulfilled pages (http://third.test), so nothing else needs to listen.
import type { BrowserContext, Frame, FrameLocator, Page } from '@playwright/test';
import { test, expect, HANDLE } from '../fixtures/test';
import type { Conomy, PaymentLink } from '../fixtures/conomy';

const MERCHANT = process.env.MERCHANT_URL ?? '';
const CHECKOUT = process.env.CHECKOUT_URL ?? '';
const THIRD = 'http://third.test';

const PAYER = { firstName: 'Zoraida', lastName: 'Quintanilha', email: 'zoraida.q@example.com' };
const VALID_CPF = '529.982.247-25';

test.skip(!MERCHANT, 'MERCHANT_URL unset: the server was started without the merchant demo page');

interface Seen { origin: string; fromCheckout: boolean; data: { source?: string; type?: string; payload?: Record<string, unknown> } }

/**
 * Records every message the merchant page receives (from before its own scripts run), with its
 * origin and whether it came from the checkout's frame. Kept on the test's side, so messages
 * survive the merchant page navigating away.
 */
async function recordMessages(page: Page): Promise<Seen[]> {
  const seen: Seen[] = [];
  await page.exposeFunction('e2eRecordMessage', (m: Seen) => { seen.push(m); });
  await page.addInitScript(() => {
    window.addEventListener('message', (e) => {
      const frame = document.querySelector('#checkout iframe') as HTMLIFrameElement | null;
      (window as unknown as { e2eRecordMessage: (m: unknown) => void })
        .e2eRecordMessage({ origin: e.origin, fromCheckout: !!frame && e.source === frame.contentWindow, data: e.data });
    });
  });
  return seen;
}

const types = (seen: Seen[]) => seen.map((m) => String(m.data?.type));

/** The merchant demo page's event log (what embed.js handed to onEvent). */
async function shopLog(page: Page): Promise<string[]> {
  return page.getByTestId('event-log').locator('li').evaluateAll((items) => items.map((li) => li.getAttribute('data-type') ?? ''));
}

/** The merchant demo page showing a link; resolves once the checkout inside shows its total. */
async function openShop(page: Page, token: string, query = ''): Promise<FrameLocator> {
  await page.goto(`${MERCHANT}/?token=${encodeURIComponent(token)}${query}`);
  const frame = page.frameLocator('#checkout iframe');
  await expect(frame.getByTestId('total')).toBeVisible();
  return frame;
}

/** The checkout frame as a Playwright Frame (for evaluate). */
function checkoutFrame(page: Page): Frame {
  const frame = page.frames().find((f) => f.url().startsWith(`${CHECKOUT}/`));
  if (!frame) throw new Error(`no frame from ${CHECKOUT} in ${page.frames().map((f) => f.url()).join(', ')}`);
  return frame;
}

async function fill(frame: FrameLocator, values: Record<string, string>): Promise<void> {
  for (const [id, value] of Object.entries(values)) {
    const field = frame.locator(`[id="${id}"]`);
    if ((await field.count()) === 0 || !(await field.isVisible())) continue;
    await field.fill(value);
    await field.blur();
  }
}

/** Frame element height vs. content height inside it, and whether the frame would scroll. */
async function sizes(page: Page): Promise<{ frame: number; content: number; scrolls: boolean }> {
  const frame = await page.locator('#checkout iframe').evaluate((f) => f.getBoundingClientRect().height);
  const inside = await checkoutFrame(page).evaluate(() => ({
    content: Math.ceil(document.body.getBoundingClientRect().height),
    scrolls: document.documentElement.scrollHeight > window.innerHeight,
  }));
  return { frame, ...inside };
}

/** Waits until the frame is exactly as tall as its content (no inner scrollbar); returns it. */
async function settledHeight(page: Page): Promise<number> {
  await expect.poll(async () => {
    const s = await sizes(page);
    return Math.abs(s.frame - s.content) <= 1 && !s.scrolls;
  }, { timeout: 10_000 }).toBe(true);
  return (await sizes(page)).frame;
}

/** A link of our own that the merchant page may frame, returning to the merchant's pages. */
async function shopLink(conomy: Conomy, demo: string): Promise<PaymentLink> {
  return conomy.createLinkLike(demo, {
    successUrl: `${MERCHANT}/success`,
    failedUrl: `${MERCHANT}/failed`,
    metadata: { frameAncestors: [MERCHANT] },
  });
}

/** Serves `html` as http://third.test/<path> in this browser context. */
async function thirdOriginPage(context: BrowserContext, path: string, html: string): Promise<string> {
  await context.route(`${THIRD}/${path}`, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: html }));
  return `${THIRD}/${path}`;
}

test('the checkout loads cross-origin in the merchant page, framed without chrome, and the frame follows its height',
  async ({ page }) => {
    const frame = await openShop(page, 'demo-clp', '&locale=en');
    expect(new URL(page.url()).origin).toBe(MERCHANT);
    expect(new URL(checkoutFrame(page).url()).origin).toBe(CHECKOUT);
    const iframe = page.locator('#checkout iframe');
    await expect(iframe).toHaveAttribute('title', /.+/);
    await expect(iframe).toHaveAttribute('allow', /clipboard-write/);
    // Compact: the page's own header and footer are gone, the summary and form stay.
    await expect(frame.locator('html.embedded')).toHaveCount(1);
    await expect(frame.locator('.topbar')).toBeHidden();
    await expect(frame.locator('.footer')).toBeHidden();

    const before = await settledHeight(page);
    // Form errors make the content taller: the frame follows, still without a scrollbar.
    await frame.getByTestId('pay-button').click();
    await expect(frame.getByTestId('field-error').first()).toBeVisible();
    await expect.poll(() => settledHeight(page)).toBeGreaterThan(before);

    // Narrower page, taller content: followed too.
    const wide = await settledHeight(page);
    await page.setViewportSize({ width: 360, height: 740 });
    await expect.poll(() => settledHeight(page)).toBeGreaterThan(wide);
  });

test('reloading only the frame resumes its session, even where the frame gets no storage',
  async ({ page }) => {
    const opened: string[] = [];
    page.on('request', (req) => {
      if (req.method() === 'POST' && /\/api\/payment-links\/token\/[^/]+\/checkout-sessions$/.test(new URL(req.url()).pathname)) {
        opened.push(req.url());
      }
    });
    const frame = await openShop(page, 'demo-clp', '&locale=en');
    // The frame's own URL names its session by its handle (third-party frames may have no
    // sessionStorage): `<session id>.<expiry>.<mac>`, the capability the server issued.
    await expect.poll(() => new URL(checkoutFrame(page).url()).searchParams.get('session')).toMatch(HANDLE);
    const session = new URL(checkoutFrame(page).url()).searchParams.get('session');
    expect(opened).toHaveLength(1);

    await checkoutFrame(page).evaluate(() => location.reload());
    await expect(frame.getByTestId('total')).toBeVisible();
    await expect(frame.getByTestId('pay-button')).toBeEnabled();
    expect(new URL(checkoutFrame(page).url()).searchParams.get('session')).toBe(session);
    expect(opened, 'no second session opened').toHaveLength(1);
  });

test('PIX inside the frame: the QR grows the frame, events reach the merchant from the checkout origin without payer data, and the top window ends on the successUrl',
  async ({ page, context, conomy }) => {
    const seen = await recordMessages(page);
    const link = await shopLink(conomy, 'demo-brl');
    const frame = await openShop(page, link.checkoutToken, '&locale=en');
    await expect.poll(() => types(seen)).toEqual(expect.arrayContaining(['ready', 'resize', 'status']));

    await frame.locator('input[type="radio"][value="PIX"]').first().check();
    await fill(frame, { ...PAYER, documentNumber: VALID_CPF });
    const before = await settledHeight(page);
    await frame.getByTestId('pay-button').click();
    await expect(frame.getByTestId('qr-image')).toBeVisible();
    await expect.poll(() => settledHeight(page)).toBeGreaterThan(before);

    // The payer approves in their bank's app (here: the sandbox provider page in another tab).
    // (The frame's own storage may be blocked as third-party: ask the merchant API instead.)
    const sessions = await conomy.sessions(link.id);
    expect(sessions).toHaveLength(1);
    const sessionId = sessions[0].id;
    const payment = await conomy.latestPayment(sessionId);
    await conomy.settleInNewTab(context, { sessionId, paymentId: payment.id }, 'approve');
    await expect(frame.getByTestId('state-success')).toBeVisible({ timeout: 30_000 });
    const goBack = frame.getByTestId('continue-button');
    await expect(goBack).toHaveAttribute('target', '_top');
    await expect(goBack).toHaveAttribute('href', `${MERCHANT}/success`);
    await expect.poll(() => types(seen)).toContain('completed');
    expect(await shopLog(page)).toEqual(expect.arrayContaining(['ready', 'status', 'completed']));

    // The countdown ends: the frame may not move the top window without a click, so it asks
    // the page (navigateParent) and embed.js goes to the successUrl.
    await page.waitForURL(`${MERCHANT}/success`, { timeout: 20_000 });
    await expect(page.getByTestId('merchant-success')).toBeVisible();

    for (const m of seen) {
      expect(m.origin, JSON.stringify(m.data)).toBe(CHECKOUT);
      expect(m.fromCheckout).toBe(true);
      expect(m.data).toMatchObject({ source: 'conomy-checkout', version: 1 });
    }
    const statuses = seen.filter((m) => m.data.type === 'status').map((m) => m.data.payload?.status);
    expect(statuses).toEqual(expect.arrayContaining(['ACTIVE', 'FINISHED']));
    const completed = seen.filter((m) => m.data.type === 'completed').map((m) => m.data.payload);
    // With the receipt's non-personal facts (no merchant name, nothing the payer typed).
    const receipt = { paymentId: payment.id, amount: payment.totalAmount, currency: payment.currency, method: 'PIX', paidAt: payment.createdAt };
    expect(completed).toEqual([
      { sessionId, redirectUrl: `${MERCHANT}/success`, navigateParent: false, receipt },
      { sessionId, redirectUrl: `${MERCHANT}/success`, navigateParent: true, receipt },
    ]);
    // Nothing the payer typed ever left the frame.
    const wire = JSON.stringify(seen);
    for (const typed of [PAYER.firstName, PAYER.lastName, PAYER.email, VALID_CPF, VALID_CPF.replace(/\D/g, '')]) {
      expect(wire).not.toContain(typed);
    }
  });

test('a provider page opens at the top (banks refuse frames) and its return resumes the same session in the standalone checkout',
  async ({ page, conomy }) => {
    const link = await shopLink(conomy, 'demo-clp');
    const frame = await openShop(page, link.checkoutToken, '&locale=en');
    await frame.locator('input[type="radio"][value="ETPAY"]').first().check();
    await fill(frame, PAYER);
    await frame.getByTestId('pay-button').click();

    // The top window, not the frame, is on the provider page.
    await page.waitForURL(/\/sandbox\/provider\//);
    expect(new URL(page.url()).origin).toBe(CHECKOUT);
    await page.locator('#approve').click();

    // Back on the checkout at the top level, which names the session in the return URL (the
    // frame's storage is partitioned away), then strips it from the address bar.
    await page.waitForURL(new RegExp(`^${CHECKOUT}/${link.checkoutToken}`));
    await expect(page.getByTestId('state-success')).toBeVisible();
    expect(new URL(page.url()).searchParams.get('session')).toBeNull();
    const sessions = await conomy.sessions(link.id);
    expect(sessions, 'no second session was opened').toHaveLength(1);
    expect(sessions[0].status).toBe('FINISHED');

    await page.waitForURL(`${MERCHANT}/success`, { timeout: 20_000 });
  });

test('messages from a third origin are ignored on both sides; the page itself is obeyed', async ({ page, context }) => {
  const seen = await recordMessages(page);
  const frame = await openShop(page, 'demo-clp', '&locale=en');
  await expect(frame.locator('html')).toHaveAttribute('lang', 'en');
  await expect.poll(() => types(seen)).toContain('ready');
  // The checkout's own record of the messages it receives: a listener added after the app's, so
  // it sees a message once the app has handled it.
  const checkoutReceived = () => checkoutFrame(page).evaluate(() => (window as unknown as { e2eReceived: string[] }).e2eReceived);
  await checkoutFrame(page).evaluate(() => {
    const w = window as unknown as { e2eReceived: string[] };
    w.e2eReceived = [];
    addEventListener('message', (e) => w.e2eReceived.push(e.origin));
  });

  // A third-origin window the merchant page opened: it can reach both windows, and tries.
  const attack = await thirdOriginPage(context, 'attack', `<!doctype html><title>attack</title><script>
    const shop = window.opener;
    shop[0].postMessage({ source: 'conomy-merchant', version: 1, type: 'setLocale', payload: { locale: 'pt-BR' } }, '*');
    shop.postMessage({ source: 'conomy-checkout', version: 1, type: 'completed',
      payload: { sessionId: 'cs_forged', redirectUrl: '${THIRD}/stolen', navigateParent: true } }, '*');
    document.title = 'posted';
  </script>`);
  const [popup] = await Promise.all([
    page.waitForEvent('popup'),
    page.evaluate((url) => { window.open(url); }, attack),
  ]);
  await expect(popup).toHaveTitle('posted');

  // The forged messages did arrive at both windows, from the third origin (each window's
  // handlers ran in the same dispatch as its record of it)...
  await expect.poll(() => seen.some((m) => m.origin === THIRD)).toBe(true);
  await expect.poll(checkoutReceived).toContain(THIRD);
  // ...and embed.js dropped it: not relayed, no navigation. The checkout kept its language.
  expect(await shopLog(page)).not.toContain('completed');
  expect(page.url()).toContain(MERCHANT);
  await expect(frame.locator('html')).toHaveAttribute('lang', 'en');

  // The same command from the page itself, through embed.js, is obeyed.
  await page.evaluate(() => (window as unknown as { demoCheckout: { setLocale(l: string): void } }).demoCheckout.setLocale('pt-BR'));
  await expect(frame.locator('html')).toHaveAttribute('lang', 'pt-BR');
});

test('a site not on the allow-list cannot display the checkout', async ({ page, context, conomy }) => {
  // A third origin framing a link that only allows the demo merchant.
  const clp = await conomy.demo('demo-clp');
  const url = await thirdOriginPage(context, 'shop', `<!doctype html><title>other shop</title>
    <iframe id="frame" src="${CHECKOUT}/${clp.token}?embed=1&parentOrigin=${encodeURIComponent(THIRD)}"></iframe>`);
  await page.goto(url);
  await expect.poll(() => page.frames().map((f) => f.url())).toContain('chrome-error://chromewebdata/');
  await expect(page.frameLocator('#frame').getByTestId('total')).toHaveCount(0);

  // The real merchant, with a link that does not list it: refused as well, and embed.js hears nothing.
  const seen = await recordMessages(page);
  await page.goto(`${MERCHANT}/?token=demo-mxn`);
  await expect.poll(() => page.frames().map((f) => f.url())).toContain('chrome-error://chromewebdata/');
  await expect(page.frameLocator('#checkout iframe').getByTestId('total')).toHaveCount(0);
  expect(seen).toEqual([]);
});

test('the standalone checkout is unchanged, even with ?embed=1 outside a frame', async ({ page }) => {
  for (const path of ['/demo-clp', '/demo-clp?embed=1']) {
    await page.goto(`${CHECKOUT}${path}`);
    await expect(page.getByTestId('total')).toBeVisible();
    await expect(page.locator('.topbar')).toBeVisible();
    await expect(page.locator('html.embedded')).toHaveCount(0);
  }
});
