// Issue 5: axe finds no WCAG 2.0/2.1/2.2 A or AA violation on any state of the checkout — in the
// light theme, the dark theme (system preference, and forced by ?theme=dark over a light system)
// and inside a merchant's iframe.
import AxeBuilder from '@axe-core/playwright';
import type { Frame, Page } from '@playwright/test';
import { test, expect } from '../fixtures/test';
import { reach, STATES, type Where } from '../fixtures/states';

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
        expect(await violations(page, !!variant.framed)).toEqual([]);
      });
    }
  });
}
