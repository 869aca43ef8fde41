// A session belongs to the browser that opened it. A planted `?session=` (a bare id, a
// forged handle, another link's handle) gets the victim a session of their own; the embedded frame (third-party
// storage blocked) still reloads into its session and the provider return still shows the
// outcome, because the URLs carry the handle the server issued; a paid link opened by a new
// visitor shows "already paid" and nothing anybody typed.
import type { Browser, Frame, Page, Response } from '@playwright/test';
import { test, expect, HANDLE, sessionIdOf, CheckoutPage } from '../fixtures/test';
import type { Conomy, PaymentLink } from '../fixtures/conomy';
import { installClock, PAST_EVERY_COUNTDOWN_MS, requestsSettled } from '../fixtures/time';

const CHECKOUT = process.env.CHECKOUT_URL ?? '';
const MERCHANT = process.env.MERCHANT_URL ?? '';

// SPEI on an MXN link: the payer stays on the checkout after paying.
const VICTIM = { firstName: 'Veridiana', lastName: 'Okonkwo-Saldaña', email: 'veridiana.okonkwo@example.mx' };

/** Every /api answer a page received, with its body (read as it arrives). */
function recordApi(page: Page): { calls: { method: string; path: string; status: number; body: Promise<string> }[] } {
  const record = { calls: [] as { method: string; path: string; status: number; body: Promise<string> }[] };
  page.on('response', (res: Response) => {
    const url = new URL(res.url());
    if (!url.pathname.startsWith('/api/')) return;
    record.calls.push({
      method: res.request().method(),
      path: url.pathname + url.search,
      status: res.status(),
      body: res.text().catch(() => ''),
    });
  });
  return record;
}

/** A session someone else opened: its id and the handle the server gave their browser. */
type Planted = { id: string; handle: string };

/** Opens `token` in a browser context of its own (the attacker's). */
async function attackerSession(browser: Browser, conomy: Conomy, token: string): Promise<Planted> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const attacker = new CheckoutPage(page, conomy);
    await page.goto(`${CHECKOUT}/${token}`);
    await expect(page.getByTestId('total')).toBeVisible();
    const handle = await attacker.sessionHandle(token);
    return { id: sessionIdOf(handle), handle };
  } finally {
    await context.close();
  }
}

/** The same handle with its MAC changed (still the server's shape, so the page does send it). */
function tampered(handle: string): string {
  const [id, expiry, mac] = handle.split('.');
  const flipped = (mac[0] === 'A' ? 'B' : 'A') + mac.slice(1);
  return `${id}.${expiry}.${flipped}`;
}

test.describe('a planted ?session= is ignored: the victim pays on a session of their own', () => {
  for (const [what, plant, asked] of [
    // Not a handle at all: the page drops it without asking.
    ['a bare session id', (s: Planted) => s.id, 'never'],
    // A handle's shape: the page asks, the server refuses it like an unknown session.
    ['a tampered handle (wrong MAC)', (s: Planted) => tampered(s.handle), 'refused'],
    // A genuine handle, but for a session of another link: the page sees it is not this checkout's.
    ['a genuine handle of another link\'s session', (s: Planted) => s.handle, 'other link'],
  ] as const) {
    test(what, async ({ page, browser, checkout, conomy }) => {
      const link = await conomy.createLinkLike('demo-mxn');
      const token = link.checkoutToken;
      const planted = asked === 'other link'
        ? await attackerSession(browser, conomy, (await conomy.createLinkLike('demo-mxn')).checkoutToken)
        : await attackerSession(browser, conomy, token);
      const api = recordApi(page);

      // The victim follows the attacker's link, dressed up as a provider's return.
      await page.goto(`/${token}?return=success&session=${encodeURIComponent(plant(planted))}`);
      await expect(page.getByTestId('total')).toBeVisible();
      await expect(page.getByTestId('state-success')).toHaveCount(0);
      const own = await checkout.sessionId(token);
      expect(own).not.toBe(planted.id);
      // The planted value left the address bar (it must not be reloaded or shared on).
      expect(new URL(page.url()).searchParams.get('session')).toBeNull();
      // What the page asked about the planted session, and what it was told.
      const aboutPlanted = api.calls.filter((c) => c.path.includes(planted.id)).map((c) => `${c.method} ${c.path} ${c.status}`);
      expect(aboutPlanted).toEqual({
        never: [],
        refused: [`GET /api/checkout-sessions/${planted.id} 404`],
        // Read once to learn whose it is, and its payments never.
        'other link': [`GET /api/checkout-sessions/${planted.id} 200`],
      }[asked]);
      expect((await conomy.sessions(link.id)).map((s) => s.id)).toContain(own);

      // The victim pays: on their own session, nothing on the planted one.
      await checkout.choose('SPEI');
      await checkout.fill(VICTIM);
      await checkout.pay();
      await expect(page.getByTestId('next-transfer')).toBeVisible();
      expect(await conomy.payments(own)).toHaveLength(1);
      expect(await conomy.payments(planted.id)).toEqual([]);
      const submitted = api.calls.filter((c) => c.method === 'POST' && c.path.endsWith('/payments'));
      expect(submitted.map((c) => c.path)).toEqual([`/api/checkout-sessions/${own}/payments`]);

      // And the attacker, holding the planted session's own handle, cannot read the victim's.
      const read = await page.request.get(`/api/checkout-sessions/${own}`,
        { headers: { 'x-checkout-capability': planted.handle } });
      expect(read.status()).toBe(404);
      const list = await page.request.get(`/api/payments?checkoutSessionId=${own}`,
        { headers: { 'x-checkout-capability': planted.handle } });
      expect(list.status()).toBe(404);
      expect(await list.text()).not.toContain(VICTIM.email);
    });
  }
});

// ---- the embedded frame and the provider return ---------------------------------------------

/** A link the merchant demo page (another site) may frame, returning to the merchant's pages. */
function shopLink(conomy: Conomy, demo: string): Promise<PaymentLink> {
  return conomy.createLinkLike(demo, {
    successUrl: `${MERCHANT}/success`,
    failedUrl: `${MERCHANT}/failed`,
    metadata: { frameAncestors: [MERCHANT] },
  });
}

/** The checkout's frame inside the merchant page. */
function checkoutFrame(page: Page): Frame {
  const frame = page.frames().find((f) => f.url().startsWith(`${CHECKOUT}/`));
  if (!frame) throw new Error(`no frame from ${CHECKOUT} in ${page.frames().map((f) => f.url()).join(', ')}`);
  return frame;
}

/** The frame's `?session=`: the handle it keeps for a reload. */
function frameHandle(page: Page): string | null {
  return new URL(checkoutFrame(page).url()).searchParams.get('session');
}

/**
 * Third-party storage is blocked for the frame (cookies and, with them, sessionStorage: a
 * Playwright context blocks third-party cookies like an incognito window), so the frame's URL
 * is all it has.
 */
async function expectNoFrameStorage(page: Page): Promise<void> {
  const storage = await checkoutFrame(page).evaluate(() => {
    try {
      window.sessionStorage.setItem('e2e.probe', '1');
      return 'available';
    } catch (e) {
      return `blocked (${(e as Error).name})`;
    }
  });
  expect(storage).toMatch(/^blocked/);
}

/** The provider's return navigations into the checkout at the top level, as the tab made them. */
function returnsTo(page: Page, token: string): string[] {
  const seen: string[] = [];
  page.on('request', (req) => {
    const url = new URL(req.url());
    if (req.isNavigationRequest() && req.frame() === page.mainFrame() && url.origin === CHECKOUT
      && url.pathname === `/${token}`) seen.push(req.url());
  });
  return seen;
}

/** The session a return URL carries: its `?session=` must be a handle the server issued. */
function expectReturnFor(urls: string[], sessionId: string, outcome: 'success' | 'failed'): void {
  expect(urls, 'the provider sent the payer back into the checkout').toHaveLength(1);
  const back = new URL(urls[0]);
  expect(back.searchParams.get('return')).toBe(outcome);
  const handle = back.searchParams.get('session') ?? '';
  expect(handle).toMatch(HANDLE);
  expect(sessionIdOf(handle)).toBe(sessionId);
}

test.describe('embedded, third-party storage blocked', () => {
  test.skip(!MERCHANT, 'MERCHANT_URL unset: the server was started without the merchant demo page');

  test('reloading only the frame resumes its session, which it can still pay on', async ({ page, conomy }) => {
    const link = await shopLink(conomy, 'demo-mxn');
    const opened: string[] = [];
    page.on('request', (req) => {
      if (req.method() === 'POST' && new URL(req.url()).pathname.endsWith(`/${link.checkoutToken}/checkout-sessions`)) {
        opened.push(req.url());
      }
    });
    await page.goto(`${MERCHANT}/?token=${encodeURIComponent(link.checkoutToken)}&locale=en`);
    const frame = page.frameLocator('#checkout iframe');
    await expect(frame.getByTestId('total')).toBeVisible();
    expect(new URL(page.url()).origin).toBe(MERCHANT);
    await expectNoFrameStorage(page);

    // The frame's URL names its session by the handle the server issued for it.
    await expect.poll(() => frameHandle(page)).toMatch(HANDLE);
    const handle = frameHandle(page) as string;
    const sessions = await conomy.sessions(link.id);
    expect(sessions.map((s) => s.id)).toEqual([sessionIdOf(handle)]);

    await checkoutFrame(page).evaluate(() => location.reload());
    await expect(frame.getByTestId('total')).toBeVisible();
    await expect(frame.getByTestId('pay-button')).toBeEnabled();
    expect(frameHandle(page)).toBe(handle);
    expect(opened, 'no second session opened').toHaveLength(1);
    expect((await conomy.sessions(link.id)).map((s) => s.id)).toEqual([sessionIdOf(handle)]);

    // The reloaded frame still holds the session's capability: its payment lands on it.
    await frame.locator('input[type="radio"][value="SPEI"]').first().check();
    for (const [id, value] of Object.entries(VICTIM)) {
      const field = frame.locator(`[id="${id}"]`);
      if ((await field.count()) && (await field.isVisible())) await field.fill(value);
    }
    await frame.getByTestId('pay-button').click();
    await expect(frame.getByTestId('next-transfer')).toBeVisible();
    expect(await conomy.payments(sessionIdOf(handle))).toHaveLength(1);
  });

  test('the provider opens at the top and its return shows the outcome in the top-level tab', async ({ page, conomy }) => {
    const link = await shopLink(conomy, 'demo-clp');
    // Stay on the result (the countdown would go on to the merchant's successUrl).
    await page.route(`${MERCHANT}/success`, (route) => route.fulfill({ status: 204 }));
    await page.goto(`${MERCHANT}/?token=${encodeURIComponent(link.checkoutToken)}&locale=en`);
    const frame = page.frameLocator('#checkout iframe');
    await expect(frame.getByTestId('total')).toBeVisible();
    await expectNoFrameStorage(page);
    await expect.poll(() => frameHandle(page)).toMatch(HANDLE);
    const sessionId = sessionIdOf(frameHandle(page) as string);

    const back = returnsTo(page, link.checkoutToken);
    await frame.locator('input[type="radio"][value="ETPAY"]').first().check();
    for (const [id, value] of Object.entries(VICTIM)) {
      const field = frame.locator(`[id="${id}"]`);
      if ((await field.count()) && (await field.isVisible())) await field.fill(value);
    }
    await frame.getByTestId('pay-button').click();
    await page.waitForURL(/\/sandbox\/provider\//);
    expect(new URL(page.url()).origin).toBe(CHECKOUT);
    await page.locator('#approve').click();

    // The top-level tab cannot read the frame's storage (it had none): the return URL carries
    // the session's handle, and the checkout shows the outcome of that same session.
    await page.waitForURL(new RegExp(`^${CHECKOUT}/${link.checkoutToken}`));
    await expect(page.getByTestId('state-success')).toBeVisible();
    expectReturnFor(back, sessionId, 'success');
    expect(new URL(page.url()).searchParams.get('session')).toBeNull();
    const top = new CheckoutPage(page, conomy);
    expect(await top.sessionId(link.checkoutToken)).toBe(sessionId);
    const sessions = await conomy.sessions(link.id);
    expect(sessions.map((s) => [s.id, s.status])).toEqual([[sessionId, 'FINISHED']]);
  });
});

test('standalone, the provider return shows the outcome of the tab\'s session', async ({ page, checkout, conomy }) => {
  const link = await conomy.createLinkLike('demo-clp');
  await page.route('**/sandbox/merchant/**', (route) => route.fulfill({ status: 204 }));
  await checkout.open(link.checkoutToken);
  const sessionId = await checkout.sessionId(link.checkoutToken);
  const back = returnsTo(page, link.checkoutToken);
  await checkout.choose('ETPAY');
  await checkout.fill(VICTIM);
  await checkout.pay();
  await page.waitForURL(/\/sandbox\/provider\//);
  await page.locator('#approve').click();

  await expect(page.getByTestId('state-success')).toBeVisible();
  expectReturnFor(back, sessionId, 'success');
  expect(new URL(page.url()).searchParams.get('session')).toBeNull();
  expect(await checkout.sessionId(link.checkoutToken)).toBe(sessionId);
  expect((await conomy.sessions(link.id)).map((s) => [s.id, s.status])).toEqual([[sessionId, 'FINISHED']]);
});

// ---- a paid link, opened by somebody else -----------------------------------------------------

/** Opens `token` in a fresh browser context and checks it shows "already paid" and none of `secrets`. */
async function expectPaidAndBlank(browser: Browser, token: string, secrets: string[]): Promise<void> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const api = recordApi(page);
    let asked = 0;
    page.on('request', (req) => { if (new URL(req.url()).pathname.startsWith('/api/')) asked++; });
    await installClock(page);
    // The countdown back to the merchant (the sandbox's merchant pages) leaves this page in place.
    await page.route('**/sandbox/merchant/**', (route) => route.fulfill({ status: 204 }));
    await page.goto(`${CHECKOUT}/${token}`);
    await expect(page.getByTestId('state-paid')).toBeVisible();
    await expect(page.getByTestId('pay-button')).toHaveCount(0);
    // Any late read would come from a timer (there must be none): the page's clock runs past
    // every timer of the screen, its countdown included, then every request started is seen.
    await page.clock.runFor(PAST_EVERY_COUNTDOWN_MS);
    await requestsSettled(page);
    await expect.poll(() => api.calls.length, { message: 'every /api request asked has its answer recorded' }).toBe(asked);

    const dom = await page.evaluate(() => `${document.documentElement.innerText}\n${document.documentElement.outerHTML}`);
    const bodies = await Promise.all(api.calls.map(async (c) => `${c.method} ${c.path} ${c.status}\n${await c.body}`));
    for (const secret of secrets) {
      expect(dom, `page DOM contains ${secret}`).not.toContain(secret);
      for (const body of bodies) expect(body, `an /api answer contains ${secret}`).not.toContain(secret);
    }
    // Nor the merchant's secrets (the sandbox's payments carry them; answers are an allow-list).
    for (const key of ['accountNumber', 'accountHolder', 'identityId', 'documentNumber', 'fees']) {
      for (const body of bodies) expect(body, `an /api answer has ${key}`).not.toContain(`"${key}"`);
    }
    // The earlier session was shown, never read: no capability, no customer, no payments.
    expect(api.calls.map((c) => `${c.method} ${c.path.split('?')[0]}`))
      .toEqual([`POST /api/payment-links/token/${token}/checkout-sessions`]);
    const opened = JSON.parse(await api.calls[0].body) as Record<string, unknown>;
    expect(opened.status).toBe('FINISHED');
    expect(opened.capability).toBeUndefined();
    expect(opened.customer ?? null).toBeNull();
    expect(await page.evaluate((t) => sessionStorage.getItem(`conomy.session.${t}`), token)).toBeNull();
  } finally {
    await context.close();
  }
}

test.describe('a paid link opened in a fresh browser shows "already paid" and nothing typed by anyone', () => {
  test('the demo-paid link (paid by Diego)', async ({ browser, conomy }) => {
    const demo = await conomy.demo('demo-paid');
    // The control: the sandbox really holds that payer's details for this link.
    const [session] = await conomy.sessions((await conomy.linkByToken(demo.token)).id);
    expect(JSON.stringify(await conomy.payments(session.id))).toContain('diego@example.cl');
    await expectPaidAndBlank(browser, demo.token, ['Diego', 'diego@example.cl']);
  });

  test('a single-use link another payer just paid', async ({ page, checkout, conomy, browser }) => {
    const link = await conomy.createLinkLike('demo-clp');
    const payer = { firstName: 'Ottoline', lastName: 'Vandersloot', email: 'ottoline.v@example.cl', phoneNumber: '987654321' };
    await page.route('**/sandbox/merchant/**', (route) => route.fulfill({ status: 204 }));
    await checkout.open(link.checkoutToken);
    await checkout.choose('ETPAY');
    await checkout.fill(payer);
    await checkout.pay();
    await page.waitForURL(/\/sandbox\/provider\//);
    await page.locator('#approve').click();
    await expect(page.getByTestId('state-success')).toBeVisible();
    const paidBy = await checkout.sessionId(link.checkoutToken);
    // The control: what the payer typed reached the sandbox.
    const typed = JSON.stringify(await conomy.payments(paidBy));
    const secrets = Object.values(payer).filter((v) => typed.includes(v));
    expect(secrets).toEqual(expect.arrayContaining([payer.firstName, payer.email]));

    await expectPaidAndBlank(browser, link.checkoutToken, secrets);
  });
});
