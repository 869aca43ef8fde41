// Amounts nobody can misread, result screens that show results only, no empty
// sentences, a receipt to keep (and print), and continuing a desktop checkout on the phone.
import { devices, type Page } from '@playwright/test';
import { test, expect } from '../fixtures/test';
import { PAYER, VALID_CPF, stayOnResult } from '../fixtures/states';

type Tag = 'es' | 'pt-BR' | 'en';

/** `checkout_core::money::intl_locale` for a page whose own currency is `currency`. */
function intlLocale(locale: Tag, currency: string): string {
  if (locale === 'pt-BR') return 'pt-BR';
  if (locale === 'en') return 'en-US';
  return ({ MXN: 'es-MX', CLP: 'es-CL', COP: 'es-CO', ARS: 'es-AR', USD: 'es-US' } as Record<string, string>)[currency] ?? 'es';
}

/** What Intl writes for `amount` in `currency` on a page whose own currency is `pageCurrency`. */
async function intl(page: Page, amount: string, currency: string, locale: Tag, pageCurrency: string, display: 'symbol' | 'code'): Promise<string> {
  const digits = ({ CLP: 0, COP: 0 } as Record<string, number>)[currency] ?? 2;
  return page.evaluate(({ amount, currency, tag, digits, display }) =>
    new Intl.NumberFormat(tag, { style: 'currency', currency, currencyDisplay: display, minimumFractionDigits: digits, maximumFractionDigits: digits })
      .format(amount as unknown as number), { amount, currency, tag: intlLocale(locale, pageCurrency), digits, display });
}

const plain = (text: string) => text.replace(/[\u00a0\u202f]/g, ' ');

for (const locale of ['es', 'pt-BR', 'en'] as Tag[]) {
  test(`${locale}: pesos and dollars on one page each carry their code, everywhere an amount is shown`, async ({ page, checkout, conomy }) => {
    const { token } = await conomy.demo('demo-cop');
    await page.goto(`/${token}?locale=${locale}`);
    await expect(page.getByTestId('total')).toBeVisible();
    const session = await checkout.session(token);
    await expect(page.getByTestId('total')).toHaveText(await intl(page, session.totalAmount, 'COP', locale, 'COP', 'code'));
    const usd = session.paymentConfigs.find((c: { currency: string }) => c.currency === 'USD');
    const card = usd.paymentMethods.find((m: { type: string }) => m.type === 'CARD');
    const dollars = await intl(page, card.purchaseAmount, 'USD', locale, 'COP', 'code');
    await expect(checkout.config('USD').locator('.method-amount')).toHaveText(dollars);
    await checkout.choose('CARD', 'USD');
    await expect(checkout.payButton()).toContainText(dollars);
    // No amount anywhere (summary, items, options, button) is a bare "$".
    const amounts = await page.locator('[data-testid=total], [data-testid=subtotal], [data-testid=item-total], .method-amount, [data-testid=pay-button]').allInnerTexts();
    for (const text of amounts.map(plain)) expect(text, text).toMatch(/COP|USD/);
    expect(amounts.map(plain).filter((t) => /(^|[^A-Z])\$/.test(t))).toEqual([]);
  });
}

test('a page in one currency keeps its symbol (CLP in Spanish, BRL in Portuguese)', async ({ page, conomy }) => {
  for (const [demo, locale, currency] of [['demo-clp', 'es', 'CLP'], ['demo-brl', 'pt-BR', 'BRL']] as [string, Tag, string][]) {
    const { token } = await conomy.demo(demo);
    await page.goto(`/${token}?locale=${locale}`);
    const total = page.getByTestId('total');
    await expect(total).toBeVisible();
    const text = plain(await total.innerText());
    expect(text, demo).toMatch(currency === 'CLP' ? /^\$/ : /^R\$/);
  }
});

test('success: a receipt to keep, no time to pay, a pause while the payer reads, one clean printed page', async ({ page, checkout, conomy }) => {
  const link = await conomy.createLinkLike('demo-clp');
  await stayOnResult(page);
  await page.goto(`/${link.checkoutToken}?locale=en`);
  await expect(page.getByTestId('countdown')).toBeVisible();
  await checkout.choose('ETPAY');
  await checkout.fill(PAYER);
  await checkout.pay();
  await page.waitForURL(/\/sandbox\/provider\//);
  await page.locator('#approve').click();

  const success = page.getByTestId('state-success');
  await expect(success).toBeVisible();
  const session = await checkout.session(link.checkoutToken);
  const payment = await conomy.latestPayment(session.id);
  const receipt = page.getByTestId('receipt');
  await expect(receipt.getByRole('heading', { name: 'Payment receipt' })).toBeVisible();
  await expect(page.getByTestId('receipt-merchant')).toHaveText('Tienda Andes');
  await expect(page.getByTestId('receipt-amount')).toHaveText(await intl(page, payment.totalAmount, 'CLP', 'en', 'CLP', 'symbol'));
  await expect(page.getByTestId('receipt-method')).toHaveText('ETpay');
  await expect(page.getByTestId('receipt-reference')).toHaveText(payment.id);
  const when = await page.evaluate((at) => new Date(at).toLocaleString('en', { dateStyle: 'medium', timeStyle: 'short' }), payment.createdAt);
  await expect(page.getByTestId('receipt-date')).toHaveText(when);
  // Results only: no time to pay, nothing to pay with.
  await expect(page.getByTestId('countdown')).toBeHidden();
  await expect(page.getByTestId('pay-button')).toHaveCount(0);
  await expect(page.locator('.summary .paid-to')).toHaveText('You paid');
  await expect(page.locator('.summary .pay-to')).toBeHidden();

  // The payer moves to the receipt's button (Tab from the heading): the way back waits for
  // them; "continue now" stays.
  const countdown = page.getByTestId('redirect-countdown');
  await expect(countdown).toContainText(/in \d+ s/);
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('print-receipt')).toBeFocused();
  await expect(countdown).toHaveText("We'll wait: go back to the merchant when you're ready.");
  await expect(page.getByTestId('continue-button')).toBeVisible();

  // Printed: the result and its receipt, without the app's chrome, the summary or buttons.
  await page.emulateMedia({ media: 'print' });
  await expect(page.locator('.topbar')).toBeHidden();
  await expect(page.locator('.footer')).toBeHidden();
  await expect(page.locator('.summary')).toBeHidden();
  await expect(page.getByTestId('print-receipt')).toBeHidden();
  await expect(page.getByTestId('continue-button')).toBeHidden();
  await expect(receipt).toBeVisible();
  const pdf = (await page.pdf({ format: 'A4' })).toString('latin1');
  expect(pdf.match(/\/Type\s*\/Page\b/g) ?? [], 'printed pages').toHaveLength(1);
});

test('failed: says what was not charged, with the attempt\'s reference', async ({ page, checkout, conomy }) => {
  const link = await conomy.createLinkLike('demo-clp');
  await page.goto(`/${link.checkoutToken}?locale=en`);
  await expect(page.getByTestId('total')).toBeVisible();
  await checkout.choose('ETPAY');
  await checkout.fill(PAYER);
  await checkout.pay();
  await page.waitForURL(/\/sandbox\/provider\//);
  await page.locator('#decline').click();
  await expect(page.getByTestId('state-failed')).toBeVisible();
  const payment = await conomy.latestPayment((await checkout.session(link.checkoutToken)).id);
  await expect(page.getByTestId('not-charged')).toHaveText(await intl(page, payment.totalAmount, 'CLP', 'en', 'CLP', 'symbol'));
  await expect(page.getByTestId('attempt-reference')).toHaveText(payment.id);
  await expect(page.getByTestId('countdown')).toBeHidden();
});

test('a link without a merchant name, item description or tax name builds no empty sentence', async ({ page, conomy }) => {
  const link = await conomy.createLinkLike('demo-clp', {
    owner: { identityId: 'sbx-nameless' },
    items: [{ description: ' ', preTaxAmount: '1000', tax: { name: '', type: 'FIXED', value: '190' } }],
  });
  await page.goto(`/${link.checkoutToken}?locale=en`);
  await expect(page.getByTestId('total')).toBeVisible();
  await expect(page.getByTestId('merchant-name')).toHaveText('Your payment');
  await expect(page.locator('.summary')).not.toContainText("You're paying");
  await expect(page.getByTestId('item-description')).toHaveText('Item');
  await expect(page.getByTestId('item-tax').locator('dt')).toHaveText('Tax');
});

test('continue on your phone: the desktop shows a QR of this session, the phone pays, the desktop shows the outcome',
  async ({ page, browser, checkout, conomy, baseURL }) => {
    await page.setViewportSize({ width: 1280, height: 900 });
    const link = await conomy.createLinkLike('demo-brl');
    await page.goto(`/${link.checkoutToken}?locale=pt-BR`);
    await expect(page.getByTestId('total')).toBeVisible();
    await checkout.choose('PIX');
    await checkout.fill({ ...PAYER, documentNumber: VALID_CPF });
    await checkout.pay();
    await expect(page.getByTestId('next-qr')).toBeVisible();
    await expect(page.getByTestId('countdown')).toBeHidden();
    const handoff = page.getByTestId('phone-handoff');
    await expect(handoff).toBeVisible();
    const url = await page.getByTestId('phone-qr').getAttribute('data-url');
    const handle = await checkout.sessionHandle(link.checkoutToken);
    // The QR carries a one-time code for this session, never the desktop's own capability: what
    // the phone's history keeps of it must open nothing once the phone has used it.
    const code = new URL(url!).searchParams.get('session')!;
    expect(url).toBe(`${new URL(baseURL!).origin}/${link.checkoutToken}?session=${code}&locale=pt-BR`);
    expect(code, "the desktop's own capability").not.toBe(handle);
    expect(code.split('.')[0], 'a code for this session').toBe(handle.split('.')[0]);

    const phone = await browser.newContext({ ...devices['Pixel 5'], baseURL });
    try {
      const mobile = await phone.newPage();
      await mobile.goto(url!);
      // The same session, in the same language, waiting on the same PIX code; no phone QR on a phone.
      await expect(mobile.getByTestId('next-qr')).toBeVisible();
      await expect(mobile.locator('html')).toHaveAttribute('lang', 'pt-BR');
      await expect(mobile.getByTestId('copy-code')).toHaveText(await page.getByTestId('copy-code').innerText());
      await expect(mobile.getByTestId('phone-handoff')).toHaveCount(0);
      expect(await conomy.sessions(link.id), 'no second session').toHaveLength(1);
      const read = await mobile.request.get(`/api/checkout-sessions/${handle.split('.')[0]}`,
        { headers: { 'x-checkout-capability': code } });
      expect(read.status(), "the QR's code, once the phone used it").toBe(404);
      const desktop = await page.request.get(`/api/checkout-sessions/${handle.split('.')[0]}`,
        { headers: { 'x-checkout-capability': handle } });
      expect(desktop.status(), "the desktop's own capability").toBe(200);

      await stayOnResult(page);
      await stayOnResult(mobile);
      const sessionId = handle.split('.')[0];
      const payment = await conomy.latestPayment(sessionId);
      await conomy.settleInNewTab(phone, { sessionId, paymentId: payment.id }, 'approve');
      await expect(mobile.getByTestId('state-success')).toBeVisible({ timeout: 30_000 });
      await expect(page.getByTestId('state-success')).toBeVisible({ timeout: 30_000 });
      await expect(page.getByTestId('receipt-reference')).toHaveText(payment.id);
    } finally {
      await phone.close();
    }
  });

test('the phone QR comes once the desktop is back online, follows a language switch with the same code, and a reload',
  async ({ page, checkout, conomy }) => {
    await page.setViewportSize({ width: 1280, height: 900 });
    const link = await conomy.createLinkLike('demo-brl');
    // The network drops just as the waiting screen asks for the QR's code.
    let asked = 0;
    let dropping = true;
    await page.route('**/api/checkout-sessions/*/handoff', async (route) => {
      asked += 1;
      if (!dropping) return route.continue();
      await page.context().setOffline(true);
      return route.abort('internetdisconnected');
    });
    await page.goto(`/${link.checkoutToken}?locale=pt-BR`);
    await checkout.choose('PIX');
    await checkout.fill({ ...PAYER, documentNumber: VALID_CPF });
    await checkout.pay();
    await expect(page.getByTestId('next-qr')).toBeVisible();
    await expect.poll(() => page.evaluate(() => navigator.onLine)).toBe(false);
    expect(asked).toBe(1);
    // Offline the screen works without it.
    await expect(page.getByTestId('phone-handoff')).toHaveCount(0);

    dropping = false;
    await page.context().setOffline(false);
    const handoff = page.getByTestId('phone-handoff');
    await expect(handoff).toBeVisible();
    expect(asked, 'asked again once, when the connection came back').toBe(2);
    await expect(handoff.getByRole('heading')).toHaveText('Continue no celular');
    const before = new URL((await page.getByTestId('phone-qr').getAttribute('data-url'))!);
    expect(before.searchParams.get('locale')).toBe('pt-BR');

    // The payer switches to English: the phone opens in English, with the same one-time code.
    await page.locator('#language').selectOption('en');
    await expect(handoff.getByRole('heading')).toHaveText('Continue on your phone');
    await expect.poll(async () => new URL((await page.getByTestId('phone-qr').getAttribute('data-url'))!).searchParams.get('locale'))
      .toBe('en');
    const after = new URL((await page.getByTestId('phone-qr').getAttribute('data-url'))!);
    expect(after.searchParams.get('session')).toBe(before.searchParams.get('session'));
    expect(after.pathname).toBe(before.pathname);
    expect(asked, 'no new code for a language switch').toBe(2);

    // A reload draws the waiting screen afresh, in the language chosen, with a code of its own.
    await page.reload();
    await expect(page.getByTestId('next-qr')).toBeVisible();
    await expect(handoff.getByRole('heading')).toHaveText('Continue on your phone');
    const reloaded = new URL((await page.getByTestId('phone-qr').getAttribute('data-url'))!);
    expect(reloaded.searchParams.get('locale')).toBe('en');
    expect(reloaded.searchParams.get('session')).not.toBe(before.searchParams.get('session'));
    expect(asked).toBe(3);
  });

test('the phone QR is offered only for app rails on a desktop: not for a transfer, not on a phone', async ({ page, browser, checkout, conomy, baseURL }) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  const link = await conomy.createLinkLike('demo-mxn');
  await page.goto(`/${link.checkoutToken}`);
  await checkout.choose('SPEI');
  await checkout.fill(PAYER);
  await checkout.pay();
  await expect(page.getByTestId('next-transfer')).toBeVisible();
  await expect(page.getByTestId('phone-handoff')).toHaveCount(0);

  const phone = await browser.newContext({ ...devices['Pixel 5'], baseURL });
  try {
    const mobile = await phone.newPage();
    const brl = await conomy.createLinkLike('demo-brl');
    await mobile.goto(`/${brl.checkoutToken}`);
    await mobile.locator('input[type="radio"][value="PIX"]').first().check();
    for (const [id, value] of Object.entries({ ...PAYER, documentNumber: VALID_CPF })) {
      const field = mobile.locator(`[id="${id}"]`);
      if (await field.count()) await field.fill(value);
    }
    await mobile.getByTestId('pay-button').click();
    await expect(mobile.getByTestId('next-qr')).toBeVisible();
    await expect(mobile.getByTestId('phone-handoff')).toHaveCount(0);
  } finally {
    await phone.close();
  }
});
