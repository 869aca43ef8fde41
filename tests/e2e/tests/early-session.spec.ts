// public/early.js starts the session request before the wasm has loaded, and the app
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
  const create = `POST /api/payment-links/token/${link.checkoutToken}/checkout-sessions`;
  const createSeen = page.waitForRequest((r) => `${r.method()} ${new URL(r.url()).pathname}` === create);
  // Hold the wasm back until the session request is seen, so the app cannot have sent anything
  // itself meanwhile (were the request the app's, the wasm would never come, and this fails).
  await page.route('**/*_bg.wasm', async (route) => {
    wasmRequested = true;
    await createSeen;
    apiBeforeWasm = [...api];
    await route.continue();
  });
  await checkout.open(link.checkoutToken);
  expect(wasmRequested).toBe(true);
  expect(apiBeforeWasm).toEqual([create]);
  // The app awaited that answer: no second POST, and no resume GET of the session it created.
  expect(api).toEqual([create]);
  const id = await checkout.sessionId(link.checkoutToken);
  expect((await conomy.sessions(link.id)).map((s) => s.id)).toEqual([id]);
  expect(await page.evaluate(() => '__conomyEarly' in window)).toBe(false);
});

// Counts, on the page's main thread, every way of compiling the wasm and what `instantiate` gets.
async function watchWasmCompiles(page) {
  await page.addInitScript(() => {
    const seen = { compiledOnPage: 0, instantiatedModules: 0 };
    (window as any).__wasmSeen = seen;
    for (const name of ['compile', 'compileStreaming', 'instantiateStreaming']) {
      const original = (WebAssembly as any)[name];
      (WebAssembly as any)[name] = function (...args) {
        seen.compiledOnPage += 1;
        return original.apply(this, args);
      };
    }
    const instantiate = WebAssembly.instantiate;
    (WebAssembly as any).instantiate = function (source, imports) {
      if (source instanceof WebAssembly.Module) seen.instantiatedModules += 1;
      else seen.compiledOnPage += 1;
      return instantiate.call(this, source, imports);
    };
  });
  return () => page.evaluate(() => (window as any).__wasmSeen);
}

test('Intl\'s number data is loaded and the wasm compiled by a worker running early.js, which ends once it has handed the module over', async ({ page, checkout, conomy }) => {
  const link = await conomy.createLinkLike('demo-clp');
  const seen = await watchWasmCompiles(page);
  const workers: { url: string; closed: boolean }[] = [];
  page.on('worker', (worker) => {
    const state = { url: new URL(worker.url()).pathname, closed: false };
    workers.push(state);
    worker.on('close', () => { state.closed = true; });
  });
  let wasmRequests = 0;
  page.on('request', (r) => { if (r.url().endsWith('_bg.wasm')) wasmRequests += 1; });
  await checkout.open(link.checkoutToken);
  await expect(page.getByTestId('total')).toBeVisible();
  expect(workers.map((w) => w.url)).toEqual(['/early.js']);
  await expect.poll(() => workers[0].closed, { timeout: 5000 }).toBe(true);
  // The page only instantiated the module the worker compiled, from the one download.
  expect(await seen()).toEqual({ compiledOnPage: 0, instantiatedModules: 1 });
  expect(wasmRequests).toBe(1);
});

test('without workers the page compiles the wasm itself and the checkout works the same', async ({ page, checkout, conomy }) => {
  const link = await conomy.createLinkLike('demo-clp');
  await page.addInitScript(() => { (window as any).Worker = undefined; });
  const seen = await watchWasmCompiles(page);
  const workers: string[] = [];
  page.on('worker', (worker) => workers.push(worker.url()));
  await checkout.open(link.checkoutToken);
  await expect(page.getByTestId('total')).toBeVisible();
  await expect(page.getByTestId('pay-button')).toBeEnabled();
  expect(workers).toEqual([]);
  expect(await seen()).toEqual({ compiledOnPage: 1, instantiatedModules: 0 });
});

for (const failure of ['a stream it cannot take', 'bytes it cannot compile']) {
  test(`a worker handed ${failure} leaves the page to compile the wasm itself`, async ({ page, checkout, conomy }) => {
    const link = await conomy.createLinkLike('demo-clp');
    await page.addInitScript((refuse) => {
      const post = Worker.prototype.postMessage;
      Worker.prototype.postMessage = function (data, transfer) {
        if (!(data instanceof ReadableStream)) return post.call(this, data, transfer);
        // Like a browser whose streams are not transferable, or a corrupted download.
        if (refuse) throw new DOMException('ReadableStream could not be cloned.', 'DataCloneError');
        const junk = new Blob(['not a wasm module']).stream();
        return post.call(this, junk, [junk]);
      };
    }, failure === 'a stream it cannot take');
    const seen = await watchWasmCompiles(page);
    await checkout.open(link.checkoutToken);
    await expect(page.getByTestId('total')).toBeVisible();
    await expect(page.getByTestId('pay-button')).toBeEnabled();
    expect(await seen()).toEqual({ compiledOnPage: 1, instantiatedModules: 0 });
  });
}
