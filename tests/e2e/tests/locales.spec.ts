// Spanish, Brazilian Portuguese and English — each renders a whole flow with every text
// in its language (no raw keys, no unfilled {placeholders}, no English left in es/pt-BR), money
// formatted as Intl does for the locale the app uses, the switch keeps what was typed, and
// navigator.languages picks the language when the link does not.
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { test, expect } from '../fixtures/test';
import { stayOnResult } from '../fixtures/states';

type Tag = 'es' | 'pt-BR' | 'en';
const LOCALES: Tag[] = ['es', 'pt-BR', 'en'];

/** The catalogue itself (core/src/i18n.rs): key -> text, per locale, so the spec cannot drift. */
function catalogue(): Record<Tag, Record<string, string>> {
  const source = fs.readFileSync(path.resolve(__dirname, '../../../core/src/i18n.rs'), 'utf8');
  const block = (name: string) => {
    const start = source.indexOf(`\n${name}! {\n`);
    if (start < 0) throw new Error(`${name}! {..} not found in i18n.rs`);
    return source.slice(start, source.indexOf('\n}\n', start));
  };
  // `locales!`: each locale's column in the table, by tag.
  const columns: Record<string, string> = {};
  for (const m of block('locales').matchAll(/^\s+\w+ \{ column: (\w+), tag: "([^"]+)"/gm)) columns[m[1]] = m[2];
  // `texts!`: a row per key, `column: "text",` per locale.
  const texts: Record<string, Record<string, string>> = {};
  for (const row of block('texts').matchAll(/^ {4}(\w+) \{\n((?: {8}\w+: ".*",\n)+) {4}\}/gm)) {
    for (const m of row[2].matchAll(/^\s+(\w+): "((?:[^"\\]|\\.)*)",$/gm)) {
      (texts[columns[m[1]]] ??= {})[row[1]] = JSON.parse(`"${m[2]}"`);
    }
  }
  for (const tag of LOCALES) if (!texts[tag]) throw new Error(`no ${tag} texts in i18n.rs`);
  return texts as Record<Tag, Record<string, string>>;
}
const TEXT = catalogue();

/** Text the page shows, with Intl's no-break spaces made plain. */
async function pageText(page: Page): Promise<string> {
  return (await page.locator('body').innerText()).replace(/[\u00a0\u202f]/g, ' ');
}

/** What no page in `locale` may show: raw keys, unfilled placeholders, English in es/pt-BR. */
async function expectOnlyLocale(page: Page, locale: Tag, where: string): Promise<void> {
  const text = await pageText(page);
  expect(text, `${where}: unfilled placeholder`).not.toMatch(/\{[a-z]+\}/);
  // A catalogue key (PayButton, ErrorTitle...) shown instead of its text.
  const keys = Object.keys(TEXT.en).filter((k) => /[a-z][A-Z]/.test(k));
  expect(keys.filter((k) => text.includes(k)), `${where}: raw keys`).toEqual([]);
  if (locale === 'en') return;
  // English texts (their longest fixed part, when long enough to be unambiguous) that differ
  // from this locale's must not appear.
  const leaks = Object.entries(TEXT.en)
    .filter(([key, en]) => TEXT[locale][key] !== en)
    .map(([, en]) => en.split(/\{[a-z]+\}/).sort((a, b) => b.length - a.length)[0].trim())
    .filter((fragment) => fragment.length >= 8 && text.includes(fragment));
  expect(leaks, `${where}: English in ${locale}`).toEqual([]);
}

/** The texts of `keys` in `locale` must all be on the page. */
async function expectTexts(page: Page, locale: Tag, keys: string[], where: string): Promise<void> {
  const text = await pageText(page);
  const missing = keys.filter((k) => !text.includes(TEXT[locale][k].split(/\{[a-z]+\}/)[0].trim()));
  expect(missing, `${where}: missing ${locale} texts`).toEqual([]);
}

/** `checkout_core::money::intl_locale` for the currencies the demos use. */
function intlLocale(locale: Tag, currency: string): string {
  if (locale === 'pt-BR') return 'pt-BR';
  if (locale === 'en') return 'en-US';
  return ({ MXN: 'es-MX', CLP: 'es-CL', COP: 'es-CO' } as Record<string, string>)[currency] ?? 'es';
}

for (const locale of LOCALES) {
  test(`${locale}: a whole SPEI flow speaks ${locale} only, to the success screen`, async ({ page, context, checkout, conomy }) => {
    const link = await conomy.createLinkLike('demo-mxn');
    await stayOnResult(page);
    await page.goto(`/${link.checkoutToken}?locale=${locale}`);
    await expect(page.getByTestId('total')).toBeVisible();
    await expect(page.locator('html')).toHaveAttribute('lang', locale);
    await expect(page.locator('#language')).toHaveValue(locale);
    await checkout.choose('SPEI');
    await expectTexts(page, locale, ['PaymentMethodTitle', 'PayerTitle', 'SummaryTitle', 'TimeLeft', 'SecureFooter', 'LanguageLabel', 'PayButton'], 'form');
    await expectOnlyLocale(page, locale, 'form');

    await checkout.pay();
    await expect(page.getByTestId('field-error').first()).toBeVisible();
    await expectTexts(page, locale, ['FormHasErrors'], 'form errors');
    await expectOnlyLocale(page, locale, 'form errors');

    await checkout.fill({ firstName: 'Ana', lastName: 'Pérez', email: 'ana@example.com', phoneNumber: '5512345678' });
    await checkout.pay();
    await expect(page.getByTestId('next-transfer')).toBeVisible();
    await expectTexts(page, locale, ['WaitingTitle', 'TransferTitle', 'ClabeLabel', 'CopyButton', 'WaitingBody'], 'transfer');
    await expectOnlyLocale(page, locale, 'transfer');

    const sessionId = await checkout.sessionId(link.checkoutToken);
    const payment = await conomy.latestPayment(sessionId);
    await conomy.settleInNewTab(context, { sessionId, paymentId: payment.id }, 'approve');
    await expect(page.getByTestId('state-success')).toBeVisible({ timeout: 30_000 });
    await expectTexts(page, locale, ['SuccessTitle'], 'success');
    await expectOnlyLocale(page, locale, 'success');
  });

  test(`${locale}: amounts in CLP, MXN, BRL and COP are formatted as Intl does for ${locale}`, async ({ page, checkout, conomy }) => {
    for (const demo of ['demo-clp', 'demo-mxn', 'demo-brl', 'demo-cop']) {
      const { token } = await conomy.demo(demo);
      await page.goto(`/${token}?locale=${locale}`);
      await expect(page.getByTestId('total')).toBeVisible();
      const session = await checkout.session(token);
      const digits = ({ CLP: 0, COP: 0 } as Record<string, number>)[session.currency] ?? 2;
      // A page that shows more than one currency (demo-cop: COP and USD) writes every
      // amount with its ISO code (checkout_core::money::currency_display).
      const currencies = new Set([session.currency, ...session.paymentConfigs.map((c: { currency: string }) => c.currency)]);
      const display = currencies.size > 1 ? 'code' : 'symbol';
      const expected = await page.evaluate(({ amount, currency, tag, digits, display }) =>
        new Intl.NumberFormat(tag, { style: 'currency', currency, currencyDisplay: display, minimumFractionDigits: digits, maximumFractionDigits: digits })
          .format(amount as unknown as number), { amount: session.totalAmount, currency: session.currency, tag: intlLocale(locale, session.currency), digits, display });
      await expect(page.getByTestId('total'), `${demo} total in ${locale}`).toHaveText(expected);
      await expectOnlyLocale(page, locale, demo);
    }
  });
}

test('the switch changes every text and keeps what was typed and the chosen method', async ({ page, checkout, conomy }) => {
  const link = await conomy.createLinkLike('demo-cop');
  await page.goto(`/${link.checkoutToken}?locale=es`);
  await expect(page.getByTestId('total')).toBeVisible();
  await checkout.choose('PSE', 'COP');
  await checkout.field('firstName').fill('Ana María');
  await checkout.field('email').fill('ana@example.co');
  await checkout.field('documentNumber').fill('1020304050');
  await expect(page.locator('#options-title')).toHaveText(TEXT.es.PaymentMethodTitle);

  for (const next of ['pt-BR', 'en', 'es'] as Tag[]) {
    await page.locator('#language').selectOption(next);
    await expect(page.locator('html')).toHaveAttribute('lang', next);
    await expect(page.locator('#options-title')).toHaveText(TEXT[next].PaymentMethodTitle);
    await expect(checkout.field('firstName')).toHaveValue('Ana María');
    await expect(checkout.field('email')).toHaveValue('ana@example.co');
    await expect(checkout.field('documentNumber')).toHaveValue('1020304050');
    await expect(checkout.method('PSE')).toBeChecked();
    expect(new URL(page.url()).searchParams.get('locale')).toBe(next);
    await expectOnlyLocale(page, next, `switched to ${next}`);
  }
});

for (const [browser, expected] of [['es-CL', 'es'], ['pt-PT', 'pt-BR'], ['en-GB', 'en'], ['fr-FR', 'es']] as [string, Tag][]) {
  test.describe(`browser language ${browser}`, () => {
    test.use({ locale: browser });
    test(`without ?locale= the checkout speaks ${expected}`, async ({ page, conomy }) => {
      const { token } = await conomy.demo('demo-clp');
      await page.goto(`/${token}`);
      await expect(page.getByTestId('total')).toBeVisible();
      await expect(page.locator('html')).toHaveAttribute('lang', expected);
      await expect(page.locator('#options-title')).toHaveText(TEXT[expected].PaymentMethodTitle);
    });
  });
}

test('?locale= wins over the browser language and survives the trip to the provider', async ({ page, checkout, conomy }) => {
  const link = await conomy.createLinkLike('demo-clp');
  await stayOnResult(page);
  await page.goto(`/${link.checkoutToken}?locale=pt-BR`);
  await checkout.choose('ETPAY');
  await checkout.fill({ firstName: 'Ana', email: 'ana@example.com' });
  await checkout.pay();
  await page.waitForURL(/\/sandbox\/provider\//);
  // The sandbox provider speaks the payer's choice too.
  await expect(page.locator('html')).toHaveAttribute('lang', 'pt-BR');
  await expect(page.locator('#approve')).toHaveText('Aprovar');
  await page.locator('#approve').click();
  await expect(page.getByTestId('state-success')).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'pt-BR');
  await expectTexts(page, 'pt-BR', ['SuccessTitle'], 'success after the provider');
});
