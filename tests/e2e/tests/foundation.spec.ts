// The SPA skeleton against the real server — landing, summary with exact amounts,
// not-found pages, resume on reload without a second session, readable API errors.
import { test, expect, expectedDigits, digitsOf } from '../fixtures/test';

test('landing page lists every sandbox demo link', async ({ page, conomy }) => {
  const demos = await conomy.demoLinks();
  expect(demos.length).toBeGreaterThanOrEqual(8);

  await page.goto('/');
  await expect(page.getByTestId('landing')).toBeVisible();
  await expect(page.getByRole('heading').first()).toBeVisible();
  const links = page.getByTestId('demo-link');
  await expect(links).toHaveCount(demos.length);
  const hrefs = await links.evaluateAll((els) => els.map((a) => new URL((a as HTMLAnchorElement).href).pathname));
  for (const demo of demos) expect(hrefs).toContain(`/${demo.token}`);
});

test('a demo link shows the merchant, every item and the exact total', async ({ page, checkout }) => {
  const demo = await checkout.conomy.demo('demo-mxn');
  await checkout.open(demo.token);
  const session = await checkout.session(demo.token);
  expect(session.items.length).toBeGreaterThan(1);

  const owner = session.owner;
  const names = [owner.nickname, owner.name, [owner.name, owner.lastname].filter(Boolean).join(' ')]
    .filter((n): n is string => !!n);
  const merchant = (await page.getByTestId('merchant-name').innerText()).trim();
  expect(names.some((n) => merchant.includes(n)), `merchant "${merchant}" is one of ${names}`).toBeTruthy();

  const items = page.getByTestId('item');
  await expect(items).toHaveCount(session.items.length);
  for (const [i, item] of session.items.entries()) {
    const row = items.nth(i);
    await expect(row.getByTestId('item-description')).toHaveText(item.description);
    expect(digitsOf(await row.getByTestId('item-total').innerText()))
      .toBe(expectedDigits(item.totalAmount, session.currency));
  }

  // Every digit of the total, independent of the locale's separators...
  const total = (await page.getByTestId('total').innerText()).trim();
  expect(digitsOf(total)).toBe(expectedDigits(session.totalAmount, session.currency));
  // ...and the same string the browser's Intl gives for this currency (amounts here are small
  // enough for a double to hold them exactly).
  const intl = await page.evaluate(({ amount, currency }) => {
    const lang = document.documentElement.lang || navigator.language;
    return new Intl.NumberFormat(lang, { style: 'currency', currency }).format(Number(amount));
  }, { amount: session.totalAmount, currency: session.currency });
  expect(total.replace(/\s/g, ' ')).toBe(intl.replace(/\s/g, ' '));
});

test('an unknown token shows a clear not-found message', async ({ page }) => {
  await page.goto('/no-such-link-e2e-404');
  const notFound = page.getByTestId('not-found');
  await expect(notFound).toBeVisible();
  await expect(notFound.getByRole('heading')).toBeVisible();
  await expect(page.getByTestId('pay-button')).toHaveCount(0);
  await expect(page.getByTestId('state-error')).toHaveCount(0);
});

test('an unknown route shows the not-found page', async ({ page }) => {
  await page.goto('/some/deep/route');
  await expect(page.getByTestId('not-found')).toBeVisible();
});

test('reloading a checkout resumes the same session without creating another', async ({ page, checkout, conomy }) => {
  const link = await conomy.createLinkLike('demo-mxn');
  await checkout.open(link.checkoutToken);
  const first = await checkout.sessionId(link.checkoutToken);
  expect((await conomy.sessions(link.id)).map((s) => s.id)).toEqual([first]);

  await page.reload();
  await expect(page.getByTestId('total')).toBeVisible();
  expect(await checkout.sessionId(link.checkoutToken)).toBe(first);
  expect((await conomy.sessions(link.id)).map((s) => s.id)).toEqual([first]);
});

test('an API failure shows a readable error with a working retry', async ({ page, checkout, conomy }) => {
  const demo = await conomy.demo('demo-clp');
  await page.route('**/api/**', (route) => route.abort('connectionrefused'));
  await page.goto(`/${demo.token}`);
  // The client may retry with backoff (1 s, doubling) before giving up.
  const error = page.getByTestId('state-error');
  await expect(error).toBeVisible({ timeout: 40_000 });
  await expect(error).not.toBeEmpty();

  await page.unroute('**/api/**');
  await error.getByTestId('retry').click();
  await expect(page.getByTestId('total')).toBeVisible();
  await expect(page.getByTestId('state-error')).toHaveCount(0);
  await checkout.sessionId(demo.token);
});

test("the browser's bar colour follows a forced ?theme=, else each system scheme keeps its own", async ({ page, conomy }) => {
  const demo = await conomy.demo('demo-clp');
  const barColours = () => page.locator('meta[name="theme-color"]')
    .evaluateAll((metas) => metas.map((m) => `${m.getAttribute('media')} ${m.getAttribute('content')}`));
  const open = async (query: string) => {
    await page.goto(`/${demo.token}${query}`);
    await expect(page.getByTestId('state-pay')).toBeVisible();
  };
  await open('');
  expect(await barColours()).toEqual(['(prefers-color-scheme: light) #f4f5f7', '(prefers-color-scheme: dark) #0f1216']);
  await open('?theme=dark');
  expect(await barColours()).toEqual(['(prefers-color-scheme: light) #0f1216', '(prefers-color-scheme: dark) #0f1216']);
  await open('?theme=light');
  expect(await barColours()).toEqual(['(prefers-color-scheme: light) #f4f5f7', '(prefers-color-scheme: dark) #f4f5f7']);
});
