// axe finds no WCAG 2.0/2.1/2.2 A or AA violation on any state of the checkout — in the
// light theme, the dark theme (system preference, and forced by ?theme=dark over a light system)
// and inside a merchant's iframe.
import AxeBuilder from '@axe-core/playwright';
import type { Frame, Page } from '@playwright/test';
import { test, expect } from '../fixtures/test';
import { reach, stayOnResult, STATES, type Where } from '../fixtures/states';

const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

interface Variant extends Where {
  name: string;
  scheme: 'light' | 'dark';
  /** The theme the checkout must end up showing. */
  expect: 'light' | 'dark';
}

const VARIANTS: Variant[] = [
  { name: 'light', scheme: 'light', expect: 'light' },
  { name: 'dark system', scheme: 'dark', expect: 'dark' },
  { name: '?theme=dark', scheme: 'light', query: 'theme=dark', expect: 'dark' },
  { name: 'framed', scheme: 'light', framed: true, expect: 'light' },
];

/** Whether the page's background is dark (relative luminance of the body's background). */
async function isDark(frame: Frame): Promise<boolean> {
  return frame.evaluate(() => {
    const [r, g, b] = getComputedStyle(document.body).backgroundColor.match(/\d+(\.\d+)?/g)!.map(Number);
    const lin = (c: number) => { const s = c / 255; return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b) < 0.2;
  });
}

async function violations(page: Page, framed: boolean): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  // axe walks into the iframe by itself: some checked node must be inside it (a target path
  // through a frame has more than one selector), or the framed variant proves nothing.
  if (framed) expect(results.passes.some((rule) => rule.nodes.some((n) => n.target.length > 1))).toBe(true);
  return results.violations.map((v) =>
    `${v.id} (${v.impact}): ${v.help}\n` +
    v.nodes.map((n) => `    ${n.target.join(' ')} — ${n.failureSummary?.replace(/\s+/g, ' ')}`).join('\n'));
}

for (const variant of VARIANTS) {
  test.describe(`axe, ${variant.name}`, () => {
    for (const state of STATES) {
      test(state, async ({ page }) => {
        // Measure settled colours, not a frame of an animation.
        await page.emulateMedia({ colorScheme: variant.scheme, reducedMotion: 'reduce' });
        const frame = await reach(page, state, variant);
        // The sandbox provider page is plain HTML outside the SPA: it has no theme to follow.
        if (state !== 'provider') expect(await isDark(frame), `${variant.expect} theme`).toBe(variant.expect === 'dark');
        // Framed, the provider and what follows it run in the whole tab (see fixtures/states.ts).
        expect(await violations(page, frame !== page.mainFrame())).toEqual([]);
      });
    }
  });
}

test.describe('announcements and focus', () => {
  const LIVE = '[aria-live],[role="status"],[role="alert"],[role="timer"],[role="log"]';

  test('the countdown is in no live region; a decline is announced politely, its heading takes focus, and "another method" moves focus to the options',
    async ({ page, checkout, conomy }) => {
      const link = await conomy.createLinkLike('demo-clp');
      await checkout.open(link.checkoutToken);
      const region = page.getByTestId('live-region');
      await expect(region).toHaveAttribute('aria-live', 'polite');
      await expect(region).toHaveAttribute('role', 'status');
      // Ticking every second, so it must never sit inside a live region.
      expect(await page.getByTestId('countdown').evaluate((el, live) => el.closest(live)?.outerHTML ?? null, LIVE)).toBeNull();
      // The first form is not news: nothing said yet.
      await expect(region).toHaveText('');

      await checkout.choose('ETPAY');
      await checkout.fill({ firstName: 'Ana', email: 'ana@example.com' });
      await checkout.pay();
      await page.waitForURL(/\/sandbox\/provider\//);
      await page.locator('#decline').click();

      const failed = page.getByTestId('state-failed');
      await expect(failed).toBeVisible();
      await expect(region).toHaveText("The payment didn't go through");
      await expect(failed.getByRole('heading', { level: 2 })).toBeFocused();

      await page.getByTestId('try-another').click();
      await expect(page.locator('#options-title')).toBeFocused();
    });

  test('waiting and success are announced once each as they happen, without a reload', async ({ page, context, checkout, conomy }) => {
    const link = await conomy.createLinkLike('demo-brl');
    await checkout.open(link.checkoutToken);
    await checkout.choose('PIX');
    await checkout.fill({ firstName: 'Ana', lastName: 'Souza', email: 'ana@example.com', documentNumber: '529.982.247-25' });
    await checkout.pay();

    const region = page.getByTestId('live-region');
    await expect(page.getByTestId('next-qr')).toBeVisible();
    await expect(region).toHaveText('Waiting for your payment to be confirmed');
    await expect(page.getByTestId('state-waiting').getByRole('heading', { level: 2 })).toBeFocused();
    // The QR's own countdown is not a live region either.
    const qrCountdown = page.getByTestId('qr-countdown');
    if (await qrCountdown.count()) expect(await qrCountdown.evaluate((el, live) => el.closest(live)?.outerHTML ?? null, LIVE)).toBeNull();

    const sessionId = await checkout.sessionId(link.checkoutToken);
    const payment = await conomy.latestPayment(sessionId);
    await stayOnResult(page);
    await conomy.settleInNewTab(context, { sessionId, paymentId: payment.id }, 'approve');
    const success = page.getByTestId('state-success');
    await expect(success).toBeVisible({ timeout: 30_000 });
    await expect(region).toHaveText('Payment received!');
    await expect(success.getByRole('heading', { level: 2 })).toBeFocused();
  });

  test('under two minutes left is said once, politely', async ({ page, checkout, conomy }) => {
    const link = await conomy.createLinkLike('demo-clp', { duration: 100 });
    await checkout.open(link.checkoutToken);
    await expect(page.getByTestId('countdown')).toBeVisible();
    await expect(page.getByTestId('live-region')).toHaveText('Less than 2 minutes left to pay.');
  });

  test('an opening error is announced and its heading focused', async ({ page }) => {
    await page.route('**/api/**', (route) => route.abort('failed'));
    await page.goto('/demo-clp');
    const error = page.getByTestId('state-error');
    await expect(error).toBeVisible({ timeout: 30_000 });
    await expect(page.getByTestId('live-region')).not.toHaveText('');
    await expect(error.getByRole('heading', { level: 1 })).toBeFocused();
  });
});

test.describe('branding', () => {
  /** Background and text colour of the pay button, as rgb() strings. */
  async function payButtonColours(frame: Frame): Promise<{ bg: string; fg: string }> {
    return frame.getByTestId('pay-button').evaluate((el) => {
      const s = getComputedStyle(el);
      return { bg: s.backgroundColor, fg: s.color };
    });
  }

  test('the link\'s accent (demo-brl, PIX teal) fills the button with dark text, in both themes, with no contrast violation',
    async ({ page, conomy }) => {
      const { token } = await conomy.demo('demo-brl');
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' });
        await page.goto(`/${token}`);
        await expect(page.getByTestId('pay-button')).toBeVisible();
        await expect.poll(() => payButtonColours(page.mainFrame())).toEqual({ bg: 'rgb(50, 188, 173)', fg: 'rgb(0, 0, 0)' });
        expect(await violations(page, false), scheme).toEqual([]);
      }
    });

  test('?accent= and ?theme= (embed options) win over the link; a pale accent stays readable as text', async ({ page, conomy }) => {
    const link = await conomy.createLinkLike('demo-clp', { metadata: { reusable: true, accentColor: '#7b2cbf', theme: 'dark' } });
    await page.emulateMedia({ colorScheme: 'light', reducedMotion: 'reduce' });
    // The link alone: its purple and its dark mode.
    await page.goto(`/${link.checkoutToken}`);
    await expect(page.getByTestId('pay-button')).toBeVisible();
    await expect.poll(() => isDark(page.mainFrame())).toBe(true);
    await expect.poll(() => payButtonColours(page.mainFrame())).toEqual({ bg: 'rgb(123, 44, 191)', fg: 'rgb(255, 255, 255)' });
    expect(await violations(page, false)).toEqual([]);

    // The URL's options over the link's: light theme, a yellow far too pale for text on white.
    await page.goto(`/${link.checkoutToken}?theme=light&accent=%23ffd500`);
    await expect(page.getByTestId('pay-button')).toBeVisible();
    await expect.poll(() => isDark(page.mainFrame())).toBe(false);
    await expect.poll(() => payButtonColours(page.mainFrame())).toEqual({ bg: 'rgb(255, 213, 0)', fg: 'rgb(0, 0, 0)' });
    expect(await violations(page, false)).toEqual([]);
  });

  test('anything but a #rgb/#rrggbb colour is ignored', async ({ page, conomy }) => {
    const { token } = await conomy.demo('demo-clp');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.goto(`/${token}`);
    await expect(page.getByTestId('pay-button')).toBeVisible();
    const standard = await payButtonColours(page.mainFrame());
    for (const bad of ['red', 'rgb(255,0,0)', '%23ff0000%3Bcolor%3Ared', 'url(x)', '%23ff00']) {
      await page.goto(`/${token}?accent=${bad}`);
      await expect(page.getByTestId('pay-button')).toBeVisible();
      expect(await payButtonColours(page.mainFrame()), bad).toEqual(standard);
    }
  });
});

test('prefers-reduced-motion stops the skeleton shimmer (which moves otherwise)', async ({ page }) => {
  await page.route('**/api/**', () => { /* held: stay loading */ });
  const duration = async () => page.locator('[data-testid="state-loading"] .skeleton').first()
    .evaluate((el) => parseFloat(getComputedStyle(el).animationDuration));
  await page.emulateMedia({ reducedMotion: 'no-preference' });
  await page.goto('/demo-clp');
  await expect(page.getByTestId('state-loading')).toBeVisible();
  expect(await duration()).toBeGreaterThan(0.5);
  await page.emulateMedia({ reducedMotion: 'reduce' });
  expect(await duration()).toBeLessThan(0.001);
});
