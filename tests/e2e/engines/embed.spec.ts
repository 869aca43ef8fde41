// The checkout embedded in the sandbox's demo merchant page (http://localhost:<port>, framing
// the checkout on http://127.0.0.1:<port> through /embed.js), in Firefox ESR and WebKitGTK. The
// Chromium spec these follow: ../tests/embed.spec.ts.
import { test, expect, CHECKOUT, MERCHANT, PAYER, VALID_CPF, settle, type Payer } from './fixtures';
import type { Engine } from './driver';
import type { Conomy, PaymentLink } from '../fixtures/conomy';

test.skip(!MERCHANT, 'MERCHANT_URL unset: the server was started without the merchant demo page');

const FRAME = '#checkout iframe';

/** A link of our own that the merchant page may frame, returning to the merchant's pages. */
function shopLink(conomy: Conomy, demo: string): Promise<PaymentLink> {
  return conomy.createLinkLike(demo, {
    successUrl: `${MERCHANT}/success`,
    failedUrl: `${MERCHANT}/failed`,
    metadata: { frameAncestors: [MERCHANT] },
  });
}

/** The event types the merchant page's log shows (what embed.js handed to onEvent). */
async function shopLog(engine: Engine): Promise<string[]> {
  await engine.leaveFrame();
  return engine.eval(() => Array.from(document.querySelectorAll('#events li')).map((li) => li.getAttribute('data-type') ?? ''));
}

/** The merchant page showing `token`; leaves the engine inside the checkout frame, total shown. */
async function openShop(engine: Engine, payer: Payer, token: string): Promise<void> {
  await engine.goto(`${MERCHANT}/?token=${encodeURIComponent(token)}&locale=en`);
  await engine.enterFrame(FRAME);
  await payer.shows('total');
}

/** Frame element height, its content's height, and whether the frame scrolls inside. */
async function sizes(engine: Engine): Promise<{ frame: number; content: number; scrolls: boolean }> {
  await engine.leaveFrame();
  const frame = await engine.eval((sel: string) => document.querySelector(sel)!.getBoundingClientRect().height, FRAME);
  await engine.enterFrame(FRAME);
  const inside = await engine.eval(() => ({
    content: Math.ceil(document.body.getBoundingClientRect().height),
    scrolls: document.documentElement.scrollHeight > window.innerHeight,
  }));
  return { frame, ...inside };
}

/** Waits until the frame is exactly as tall as its content (no inner scrollbar); returns it. */
async function settledHeight(engine: Engine): Promise<number> {
  let last = { frame: 0, content: 0, scrolls: true };
  await expect.poll(async () => {
    last = await sizes(engine);
    return Math.abs(last.frame - last.content) <= 1 && !last.scrolls;
  }, { timeout: 15_000, message: `${engine.name}: the frame follows its content` }).toBe(true);
  return last.frame;
}

test('PIX inside the frame: ready and resize reach the page, the frame follows its content, completed ends on the merchant\'s page',
  async ({ engine, payer, conomy }) => {
    const link = await shopLink(conomy, 'demo-brl');
    await openShop(engine, payer, link.checkoutToken);
    expect(await engine.eval(() => document.documentElement.classList.contains('embedded'))).toBe(true);
    // How the frame confirms its page: location.ancestorOrigins where the engine has it (WebKit),
    // the referrer where not (Firefox here: see FIREFOX_PREFS in driver.ts).
    const ancestors = await engine.eval(() => {
      const list = (location as unknown as { ancestorOrigins?: DOMStringList }).ancestorOrigins;
      return list ? Array.from(list) : null;
    });
    if (engine.name === 'firefox') {
      expect(ancestors, 'Firefox: no ancestorOrigins, the referrer fallback is what runs').toBeNull();
      expect(await engine.eval(() => document.referrer)).toBe(`${MERCHANT}/`);
    } else {
      expect(ancestors).toEqual([MERCHANT]);
    }
    await expect.poll(() => shopLog(engine)).toEqual(expect.arrayContaining(['ready', 'resize', 'status']));

    // Form errors make the content taller: the frame follows, without a scrollbar.
    const before = await settledHeight(engine);
    await engine.click('[data-testid="pay-button"]');
    await payer.shows('field-error');
    await expect.poll(() => settledHeight(engine)).toBeGreaterThan(before);

    await payer.choose('PIX');
    await payer.fill({ ...PAYER, documentNumber: VALID_CPF });
    const form = await settledHeight(engine);
    await payer.pay();
    await payer.shows('qr-image');
    await expect.poll(() => settledHeight(engine)).not.toBe(form);

    // Approved in the payer's bank app (the sandbox provider's approve, over HTTP).
    const sessions = await conomy.sessions(link.id);
    expect(sessions).toHaveLength(1);
    await settle((await conomy.latestPayment(sessions[0].id)).id, 'approve');
    await engine.enterFrame(FRAME);
    await payer.shows('state-success', 30_000);
    const back = await engine.eval(() => {
      const a = document.querySelector('[data-testid="continue-button"]') as HTMLAnchorElement;
      return { target: a.target, href: a.href };
    });
    expect(back).toEqual({ target: '_top', href: `${MERCHANT}/success` });
    await expect.poll(() => shopLog(engine)).toContain('completed');

    // The countdown ends: the frame asks the page (navigateParent) and embed.js leaves for the successUrl.
    await payer.waitForUrl(new RegExp(`^${MERCHANT}/success$`), 30_000);
    await engine.leaveFrame();
    await payer.shows('merchant-success');
  });

test('paying inside the frame leaves for the provider in the top window and comes back to the same session',
  async ({ engine, payer, conomy }) => {
    const link = await shopLink(conomy, 'demo-clp');
    await openShop(engine, payer, link.checkoutToken);
    await payer.choose('ETPAY');
    await payer.fill(PAYER);
    await payer.pay();

    // The top window, not the frame, is on the provider page.
    await engine.leaveFrame();
    await payer.waitForUrl(new RegExp(`^${CHECKOUT}/sandbox/provider/`));
    await engine.click('#approve');

    await payer.waitForUrl(new RegExp(`^${CHECKOUT}/${link.checkoutToken}`));
    await payer.shows('state-success');
    const sessions = await conomy.sessions(link.id);
    expect(sessions, 'no second session was opened').toHaveLength(1);
    expect(sessions[0].status).toBe('FINISHED');
    await payer.waitForUrl(new RegExp(`^${MERCHANT}/success$`), 30_000);
  });

test('a page the link does not allow gets no checkout in its frame', async ({ engine, conomy }) => {
  // The engine reports the refused frame (frame-ancestors) on its console: that one is expected.
  test.info().annotations.push({ type: 'allow-error', description: 'frame-ancestors|Content.Security.Policy|CSP' });
  const mxn = await conomy.demo('demo-mxn');
  await engine.goto(`${MERCHANT}/?token=${mxn.token}&locale=en`);
  // embed.js gives up on a frame that never said `ready` (its 20 s load timeout)...
  await expect.poll(() => shopLog(engine), { timeout: 40_000 }).toContain('error');
  expect(await shopLog(engine)).toEqual(['error']);
  // ...and the frame holds no checkout.
  const shown = await engine.eval((sel: string) => {
    const frame = document.querySelector(sel) as HTMLIFrameElement;
    try {
      return !!frame.contentDocument?.querySelector('[data-testid="total"]');
    } catch {
      return false;
    }
  }, FRAME);
  expect(shown).toBe(false);
  await engine.enterFrame(FRAME);
  const inside = await engine.eval(() => ({ url: location.href, total: !!document.querySelector('[data-testid="total"]') }))
    .catch((e: unknown) => ({ url: `unreachable: ${String(e).slice(0, 80)}`, total: false }));
  expect(inside.total, `the refused frame (${inside.url})`).toBe(false);
});
