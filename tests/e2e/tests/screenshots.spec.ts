// Every main state fits a 320 px phone without horizontal scrolling, and is written as
// screenshots (360×740 and 1280×800, light and dark) under tests/e2e/screenshots/ (ignored by
// git) for people to review.
import fs from 'node:fs';
import path from 'node:path';
import type { Frame, Page } from '@playwright/test';
import { test, expect } from '../fixtures/test';
import { reach, STATES } from '../fixtures/states';

const OUT = path.resolve(__dirname, '..', 'screenshots');

async function horizontalOverflow(frame: Frame): Promise<string | null> {
  return frame.evaluate(() => {
    const root = document.documentElement;
    if (root.scrollWidth <= window.innerWidth) return null;
    // Name the widest culprits, to make the failure actionable.
    const wide = [...document.querySelectorAll('body *')]
      .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5)
      .slice(0, 5)
      .map((el) => `${el.tagName.toLowerCase()}.${(el as HTMLElement).className}`);
    return `scrollWidth ${root.scrollWidth} > ${window.innerWidth}: ${wide.join(', ')}`;
  });
}

async function shoot(page: Page, name: string): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' });
    const { width, height } = page.viewportSize()!;
    await page.screenshot({ path: path.join(OUT, `${name}-${width}x${height}-${scheme}.png`), fullPage: true, animations: 'disabled' });
  }
}

test.beforeAll(() => fs.mkdirSync(OUT, { recursive: true }));

for (const state of STATES) {
  test(`${state}: no horizontal scroll at 320 px; screenshots at 360×740`, async ({ page }) => {
    await page.setViewportSize({ width: 320, height: 740 });
    await page.emulateMedia({ reducedMotion: 'reduce' });
    const frame = await reach(page, state);
    expect(await horizontalOverflow(frame)).toBeNull();
    await page.setViewportSize({ width: 360, height: 740 });
    expect(await horizontalOverflow(frame)).toBeNull();
    await shoot(page, state);
  });

  test(`${state}: screenshots at 1280×800`, async ({ page }) => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.emulateMedia({ reducedMotion: 'reduce' });
    await reach(page, state);
    await shoot(page, state);
  });
}

for (const [width, height] of [[360, 740], [1280, 800]]) {
  test(`${width} px: the payment card appears where the skeletons were (index.html's, then the app's)`, async ({ page }) => {
    await page.setViewportSize({ width, height });
    const gate = () => { let open!: () => void; const held = new Promise<void>((r) => { open = r; }); return { held, open }; };
    const [wasm, api] = [gate(), gate()];
    await page.route('**/*.wasm', async (route) => { await wasm.held; await route.continue(); });
    await page.route('**/api/**', async (route) => { await api.held; await route.continue(); });
    await page.goto('/demo-clp');
    const boot = page.locator('#boot .skeleton-pay');
    await expect(boot).toBeVisible();
    const tops = [(await boot.boundingBox())!];
    wasm.open();
    const skeleton = page.locator('[data-testid="state-loading"] .skeleton-pay');
    await expect(skeleton).toBeVisible();
    tops.push((await skeleton.boundingBox())!);
    api.open();
    const card = page.getByTestId('state-pay');
    await expect(card).toBeVisible();
    tops.push((await card.boundingBox())!);
    const [first, second, loaded] = tops;
    expect(second.y, 'app skeleton vs index.html skeleton').toBe(first.y);
    expect(Math.abs(loaded.y - second.y), `card top ${loaded.y} vs skeleton ${second.y}`).toBeLessThanOrEqual(8);
    expect(Math.abs(loaded.x - second.x)).toBeLessThanOrEqual(1);
  });
}
