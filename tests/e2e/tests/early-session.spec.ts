// Issue 7: public/early.js starts the session request before the wasm has loaded, and the app
// takes that answer instead of sending its own: one request, one session, with the wasm slowed.
import { test, expect } from '../fixtures/test';

test('the first open sends one session request, started before the wasm arrives', async ({ page, checkout, conomy }) => {
  const link = await conomy.createLinkLike('demo-mxn');
  const api: string[] = [];
  page.on('request', (r) => {
    if (new URL(r.url()).pathname.startsWith('/api/')) api.push(`${r.method()} ${new URL(r.url()).pathname}`);
  });
  let wasmRequested = false;
  let apiBeforeWasm: string[] = [];
  // Hold the wasm back, so the app cannot have sent anything itself meanwhile.
  await page.route('**/*_bg.wasm', async (route) => {
    wasmRequested = true;
    await new Promise((resolve) => setTimeout(resolve, 800));
    apiBeforeWasm = [...api];
    await route.continue();
  });
  await checkout.open(link.checkoutToken);
  expect(wasmRequested).toBe(true);
  const create = `POST /api/payment-links/token/${link.checkoutToken}/checkout-sessions`;
  expect(apiBeforeWasm).toEqual([create]);
  // The app awaited that answer: no second POST, and no resume GET of the session it created.
  expect(api).toEqual([create]);
  const id = await checkout.sessionId(link.checkoutToken);
  expect((await conomy.sessions(link.id)).map((s) => s.id)).toEqual([id]);
  expect(await page.evaluate(() => '__conomyEarly' in window)).toBe(false);
});

test('Intl\'s number data is loaded by a worker running early.js, which ends by itself before the wasm arrives', async ({ page, checkout, conomy }) => {
  const link = await conomy.createLinkLike('demo-clp');
  const workers: { url: string; closed: boolean }[] = [];
  page.on('worker', (worker) => {
    const seen = { url: new URL(worker.url()).pathname, closed: false };
    workers.push(seen);
    worker.on('close', () => { seen.closed = true; });
  });
  let closedBeforeWasm: boolean[] = [];
  await page.route('**/*_bg.wasm', async (route) => {
    await expect.poll(() => workers.some((w) => w.closed), { timeout: 5000 }).toBe(true);
    closedBeforeWasm = workers.map((w) => w.closed);
    await route.continue();
  });
  await checkout.open(link.checkoutToken);
  expect(workers.map((w) => w.url)).toEqual(['/early.js']);
  expect(closedBeforeWasm).toEqual([true]);
  // The worker's run of the file sends nothing: one session request in all (the test above).
  await expect(page.getByTestId('total')).toBeVisible();
});
