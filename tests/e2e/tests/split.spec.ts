// The post-payment screens are a separate wasm chunk (src/chunk.rs, tools/split-wasm.mjs), so
// the first load carries only the pay screen. The chunk is fetched in idle time after the payer
// first touches the page, the screens render from it after paying, and a chunk that cannot be
// fetched leaves the screen's heading and text up and loads once the network is back.
import type { Page, Request } from '@playwright/test';
import { test, expect } from '../fixtures/test';
import { stayOnResult } from '../fixtures/states';
import { installClock, requestsSettled } from '../fixtures/time';

const PAYER = {
  firstName: 'Ana',
  lastName: 'Pérez',
  email: 'ana.perez@example.com',
  phoneNumber: '3001234567',
};
const VALID_CPF = '529.982.247-25';

/** A chunk of the split wasm (`split_<name>-<hash>.wasm`, `chunk_<n>-<hash>.wasm`). */
const CHUNK = /\/(split|chunk)_[A-Za-z0-9_]+-[0-9a-f]{12,16}\.wasm$/;

function chunkRequests(page: Page): Request[] {
  const seen: Request[] = [];
  page.on('request', (request) => {
    if (CHUNK.test(new URL(request.url()).pathname)) seen.push(request);
  });
  return seen;
}

test('the first load leaves the chunk out; it comes in idle time after the payer first touches the pay step', async ({ page, request, checkout, conomy }) => {
  // The page's clock is moved below; `page.clock.install()` replaces `window.performance` with
  // a fake without a resource timeline, so the real one is kept aside first (context init
  // scripts run in the order they were added, the clock's after this one).
  await page.context().addInitScript(() => {
    (window as unknown as { __realPerformance?: Performance }).__realPerformance = performance;
  });
  await installClock(page);
  // When the pay button first appears enabled, in the page's own timeline (a MutationObserver
  // runs right after the task that inserted it, before any idle callback).
  await page.addInitScript(() => {
    const w = window as unknown as { __usableAt?: number; __realPerformance: Performance };
    new MutationObserver((_, observer) => {
      const button = document.querySelector('[data-testid="pay-button"]') as HTMLButtonElement | null;
      if (button && !button.disabled) {
        w.__usableAt = w.__realPerformance.now();
        observer.disconnect();
      }
    }).observe(document, { childList: true, subtree: true, attributes: true });
  });
  const chunks = chunkRequests(page);
  const demo = await conomy.demo('demo-brl');

  // index.html names the main module only.
  const html = await (await request.get(`/${demo.token}`)).text();
  expect(html).not.toMatch(/(split|chunk)_[A-Za-z0-9_]+-[0-9a-f]+\.wasm/);

  await checkout.open(demo.token);
  await expect(checkout.payButton()).toBeEnabled();
  // Untouched, the page never fetches it (a first load spends no main-thread time on it): its
  // clock runs well past every timer and idle callback it may have set (idle callbacks wait at
  // most 3 s), then every request it started by then has been seen.
  await page.clock.runFor(10_000);
  await requestsSettled(page);
  expect(chunks.length, 'no chunk before the payer touches the page').toBe(0);
  // The payer's first touch (here: focusing a field) fetches it in the idle time after.
  await page.locator('.payer input').first().focus();
  await expect.poll(() => chunks.length, { message: 'the chunk is prefetched' }).toBeGreaterThan(0);
  const readTiming = () => page.evaluate(() => ({
    usableAt: (window as unknown as { __usableAt?: number }).__usableAt ?? null,
    chunkStarts: (window as unknown as { __realPerformance: Performance }).__realPerformance.getEntriesByType('resource')
      .filter((e) => /\/(split|chunk)_[A-Za-z0-9_]+-[0-9a-f]+\.wasm$/.test(new URL(e.name).pathname))
      .map((e) => e.startTime),
  }));
  // A resource timing entry is recorded when its response has ended, a while after the request.
  await expect.poll(async () => (await readTiming()).chunkStarts.length, { message: 'the chunk fetch ends' }).toBeGreaterThan(0);
  const timing = await readTiming();
  expect(timing.usableAt).not.toBeNull();
  for (const start of timing.chunkStarts) expect(start).toBeGreaterThan(timing.usableAt as number);

  // The chunk is a hashed asset like the others: immutable, precompressed, served as wasm.
  const url = chunks[0].url();
  const response = await request.get(url, { headers: { 'accept-encoding': 'br' } });
  expect(response.status()).toBe(200);
  expect(response.headers()['content-type']).toBe('application/wasm');
  expect(response.headers()['content-encoding']).toBe('br');
  expect(response.headers()['cache-control']).toBe('public, max-age=31536000, immutable');

  // After paying, the screens drawn from the chunk: the QR and its copy code, then success.
  await stayOnResult(page);
  await checkout.choose('PIX');
  await checkout.fill({ ...PAYER, documentNumber: VALID_CPF });
  await checkout.pay();
  const qr = page.getByTestId('next-qr');
  await expect(qr.getByTestId('qr-image')).toBeVisible();
  await expect(qr.getByTestId('copy-code')).toHaveText(/000201\S+/);
  const sessionId = await checkout.sessionId(demo.token);
  const payment = await conomy.latestPayment(sessionId);
  await conomy.settleInNewTab(page.context(), { sessionId, paymentId: payment.id }, 'approve');
  await expect(page.getByTestId('state-success')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('continue-button')).toBeVisible();
  // One fetch of it for the whole visit.
  expect(new Set(chunks.map((r) => r.url())).size).toBe(chunks.length);
});

test('a chunk that cannot be fetched keeps the screen\'s state up and loads once it can', async ({ page, checkout, conomy }) => {
  await stayOnResult(page);
  // A chunk that did not come is a state the page handles (retried, the fallback up), not an
  // error: nothing but the browser's own line for the failed request reaches the console.
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !/^Failed to load resource/.test(m.text())) errors.push(m.text());
  });
  let blocked = true;
  let aborted = 0;
  await page.route(CHUNK, (route) => {
    if (!blocked) return route.continue();
    aborted += 1;
    return route.abort('internetdisconnected');
  });
  const demo = await conomy.demo('demo-clp');
  await checkout.open(demo.token);
  await checkout.choose('ETPAY');
  await checkout.fill(PAYER);
  await checkout.pay();
  await page.waitForURL(/\/sandbox\/provider\//);
  await page.locator('#approve').click();

  // Back on the checkout (a new document): the success screen's frame, heading and text, no
  // receipt or countdown yet.
  const pending = page.getByTestId('chunk-pending');
  await expect(pending).toBeVisible();
  await expect(pending).toHaveAttribute('data-state', 'state-success');
  await expect(pending).toHaveClass(/\bresult\b.*\bsuccess\b/);
  await expect(pending.getByRole('heading', { level: 2 })).not.toBeEmpty();
  await expect(pending.locator('p').first()).not.toBeEmpty();
  await expect(page.getByTestId('state-success')).toHaveCount(0);
  // Retried, not given up on, and the state still says so.
  await expect.poll(() => aborted, { timeout: 15_000 }).toBeGreaterThan(1);
  await expect(pending).toBeVisible();

  blocked = false;
  await expect(page.getByTestId('state-success')).toBeVisible({ timeout: 20_000 });
  await expect(page.getByTestId('continue-button')).toBeVisible();
  await expect(page.getByTestId('redirect-countdown')).toBeVisible();
  await expect(page.getByTestId('chunk-pending')).toHaveCount(0);
  expect(errors).toEqual([]);
});
