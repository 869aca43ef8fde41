// A whole payment with the keyboard alone — Tab, Shift+Tab, Enter, Space and arrows, no
// mouse — from the link to the success screen, through the provider page, with a visible focus
// indicator on every stop.
import type { Page } from '@playwright/test';
import { test, expect } from '../fixtures/test';
import { stayOnResult } from '../fixtures/states';
import { readFocus, type Focused } from '../fixtures/focus';

function focused(page: Page): Promise<Focused> {
  return page.evaluate(readFocus);
}

/** Presses Tab (or Shift+Tab) until `want` holds, checking the focus is visible at every stop. */
async function tabTo(page: Page, want: (f: Focused) => boolean, back = false): Promise<Focused> {
  const stops: string[] = [];
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    const f = await focused(page);
    stops.push(f.describe);
    expect(f.visible, `focus indicator on ${f.describe}`).toBe(true);
    if (want(f)) return f;
  }
  throw new Error(`never reached the wanted element; stops: ${stops.join(' | ')}`);
}

const VALUES: Record<string, string> = {
  firstName: 'Ana',
  lastName: 'Rojas',
  email: 'ana.rojas@example.cl',
  phoneNumber: '912345678',
  documentNumber: '12.345.678-5',
};

test('keyboard only: link → method (arrows) → form (with a validation stop) → provider approve → success',
  async ({ page, checkout, conomy }) => {
    const link = await conomy.createLinkLike('demo-clp');
    // Stay on the success screen: its countdown would leave for the merchant.
    await stayOnResult(page);
    await page.goto(`/${link.checkoutToken}`);
    await expect(page.getByTestId('total')).toBeVisible();

    // The method radios: one Tab stop for the group, arrows move the choice.
    const radio = await tabTo(page, (f) => f.type === 'radio');
    expect(radio.value).toBe('ETPAY');
    await page.keyboard.press('ArrowDown');
    await expect(checkout.method('WEBPAY')).toBeChecked();
    await expect(checkout.method('WEBPAY')).toBeFocused();
    await page.keyboard.press('ArrowUp');
    await expect(checkout.method('ETPAY')).toBeChecked();

    // Into the form; Enter in a field submits, the empty required fields stop it and focus
    // goes to the first of them.
    await tabTo(page, (f) => f.tag === 'input' && f.type !== 'radio');
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('field-error').first()).toBeVisible();
    const firstError = await page.getByTestId('field-error').first().getAttribute('id');
    const firstInvalid = String(firstError).replace(/-error$/, '');
    await expect(checkout.field(firstInvalid)).toBeFocused();

    // Fill every field on the way to the pay button.
    let f = await focused(page);
    for (let i = 0; i < 20 && f.testid !== 'pay-button'; i++) {
      if (f.tag === 'input' && f.id in VALUES && f.value === '') await page.keyboard.type(VALUES[f.id]);
      f = await tabTo(page, () => true);
    }
    expect(f.testid).toBe('pay-button');
    await expect(page.getByTestId('field-error')).toHaveCount(0);

    // Shift+Tab back one field and forward again: still fine, then Space on the button.
    const previous = await tabTo(page, () => true, true);
    expect(previous.tag).not.toBe('button');
    await tabTo(page, (x) => x.testid === 'pay-button');
    await page.keyboard.press('Space');

    // The provider page: Tab to Approve, Enter.
    await page.waitForURL(/\/sandbox\/provider\//);
    await tabTo(page, (x) => x.id === 'approve');
    await page.keyboard.press('Enter');

    const success = page.getByTestId('state-success');
    await expect(success).toBeVisible();
    await expect(success.getByRole('heading', { level: 2 })).toBeFocused();
    // The way on to the merchant is the next stop, and visibly focused.
    const next = await tabTo(page, (x) => x.testid === 'continue-button');
    expect(next.visible).toBe(true);
    expect((await checkout.session(link.checkoutToken)).status).toBe('FINISHED');
  });

test('the language switch and the summary toggle work from the keyboard', async ({ page, conomy }) => {
  const demo = await conomy.demo('demo-mxn');
  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto(`/${demo.token}`);
  await expect(page.getByTestId('total')).toBeVisible();

  // Phones start with the items folded; Enter on the summary opens it.
  await tabTo(page, (f) => f.tag === 'summary');
  await expect(page.getByTestId('item').first()).toBeHidden();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('item').first()).toBeVisible();

  // Back up to the language switch; arrows change it (Chromium's closed select), and the page follows.
  await tabTo(page, (f) => f.id === 'language', true);
  // English (the browser's language) is the last option: up is Português.
  await page.keyboard.press('ArrowUp');
  await expect(page.locator('html')).toHaveAttribute('lang', 'pt-BR');
  await expect(page.locator('#options-title')).toHaveText('Como você quer pagar?');
});
