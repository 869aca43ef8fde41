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

test('the worker runs the start-up\'s pure paths on the early answer, so V8 compiles them there and not on the page', async ({ page, checkout, conomy }) => {
  const link = await conomy.createLinkLike('demo-clp');
  const warmed: unknown[] = [];
  await page.addInitScript(() => {
    const post = Worker.prototype.postMessage;
    Worker.prototype.postMessage = function (data, transfer) {
      if (data && typeof data === 'object' && 'warm' in data) ((window as any).__warmSent ??= []).push(data);
      return post.call(this, data, transfer);
    };
  });
  // V8's own record of every lazily compiled wasm function, per thread.
  const cdp = await page.context().newCDPSession(page);
  const events: any[] = [];
  cdp.on('Tracing.dataCollected', (e) => events.push(...e.value));
  const complete = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
  await cdp.send('Tracing.start', { categories: 'v8.wasm,__metadata', transferMode: 'ReportEvents' });
  const workers: { closed: boolean }[] = [];
  page.on('worker', (worker) => {
    const state = { closed: false };
    workers.push(state);
    worker.on('close', () => { state.closed = true; });
  });
  await checkout.open(link.checkoutToken);
  await expect(page.getByTestId('pay-button')).toBeEnabled();
  await expect.poll(() => workers[0]?.closed, { timeout: 5000 }).toBe(true);
  await cdp.send('Tracing.end');
  await complete;
  warmed.push(...(await page.evaluate(() => (window as any).__warmSent ?? [])));
  // The page handed the worker the session answer it decodes itself.
  expect(warmed).toHaveLength(1);
  const sent = warmed[0] as { warm: string; path: string };
  expect(JSON.parse(sent.warm).id).toBe(await checkout.sessionId(link.checkoutToken));
  expect(sent.path).toBe(`/${link.checkoutToken}`);
  const threads = new Map(events.filter((e) => e.name === 'thread_name').map((e) => [`${e.pid}:${e.tid}`, e.args.name]));
  const compiledIn = (name: string) => events.filter((e) => e.name === 'wasm.CompileLazy' && threads.get(`${e.pid}:${e.tid}`) === name).length;
  // About 350 of the ~1,400 functions the start-up calls (README Performance); far fewer
  // means `warm` stopped early (it reached an import or trapped).
  expect(compiledIn('DedicatedWorker thread')).toBeGreaterThan(150);
  expect(compiledIn('CrRendererMain')).toBeGreaterThan(0);
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
