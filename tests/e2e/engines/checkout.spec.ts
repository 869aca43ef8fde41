// The payer's checkout in Firefox ESR and WebKitGTK (the project picks the engine): a payment on
// every rail kind, a decline, expiry and "start again", a keyboard-only payment, the three
// languages' amounts, and which of the checkout's fallbacks the engine takes. The Chromium specs
// these follow: payer-flow, keyboard and locales in ../tests.
import { test, expect, PAYER, VALID_CC, VALID_CPF, settle, sessionIdOf, type Payer } from './fixtures';
import type { Engine } from './driver';
import { readFocus, type Focused } from '../fixtures/focus';

/** Opens `token`, picks `rail`, fills `values` and pays. */
async function payWith(payer: Payer, token: string, rail: string, values: Record<string, string>): Promise<void> {
  await payer.open(token);
  await payer.choose(rail);
  await payer.fill(values);
  await payer.pay();
}

test('redirect (ETPAY): provider page, approve, the receipt, then the merchant', async ({ engine, payer, conomy }) => {
  const demo = await conomy.demo('demo-clp');
  await payer.open(demo.token);
  await payer.choose('ETPAY');
  // The chosen method's card is marked by `.method:has(input:checked)` (style/components.css).
  const marked = await engine.eval(() => ['ETPAY', 'WEBPAY'].map((rail) =>
    getComputedStyle(document.querySelector(`input[type="radio"][value="${rail}"]`)!.closest('.method')!).boxShadow));
  expect(marked[0], ':has() marks the chosen method').not.toBe(marked[1]);
  await payer.fill(PAYER);
  await payer.pay();

  await payer.waitForUrl(/\/sandbox\/provider\//);
  await engine.click('#approve');

  // Back on the checkout, which confirms the outcome before sending the payer on.
  await payer.shows('state-success');
  expect(await payer.isVisible('[data-testid="continue-button"]')).toBe(true);
  expect(await payer.isVisible('[data-testid="redirect-countdown"]')).toBe(true);
  await payer.waitForUrl(/\/sandbox\/merchant\/success/, 30_000);
});

test('a decline offers another method, and the session stays payable', async ({ engine, payer, conomy }) => {
  const demo = await conomy.demo('demo-clp');
  await payWith(payer, demo.token, 'ETPAY', PAYER);
  await payer.waitForUrl(/\/sandbox\/provider\//);
  await engine.click('#decline');

  await payer.shows('state-failed');
  const sessionId = await sessionIdOf(engine, demo.token);
  expect((await conomy.session(sessionId)).status).toBe('ACTIVE');
  expect((await conomy.latestPayment(sessionId)).status).toBe('FAILED');

  // Another method: the options are there, or one button away.
  const webpay = payer.radio('WEBPAY');
  if (!(await payer.isVisible(webpay))) await engine.click('[data-testid="state-failed"] button');
  await expect.poll(() => payer.isVisible(webpay)).toBe(true);
  await payer.choose('WEBPAY');
  await payer.shows('pay-button');
});

test('QR (PIX): the image and the copy code, then paid elsewhere', async ({ engine, payer, conomy }) => {
  const demo = await conomy.demo('demo-brl');
  await payWith(payer, demo.token, 'PIX', { ...PAYER, documentNumber: VALID_CPF });

  await payer.shows('next-qr');
  await payer.shows('qr-image');
  // The QR is drawn: an image with real pixels, not a broken one.
  const drawn = await engine.eval(() => {
    const el = document.querySelector('[data-testid="qr-image"]') as HTMLElement;
    const img = el instanceof HTMLImageElement ? el : el.querySelector('img, svg, canvas');
    const box = el.getBoundingClientRect();
    if (img instanceof HTMLImageElement) return img.complete && img.naturalWidth > 0 && box.width > 50;
    return box.width > 50 && box.height > 50;
  });
  expect(drawn, 'the QR image is drawn').toBe(true);
  // A PIX copy-paste code is an EMV payload: it starts with the format indicator "000201".
  expect(await payer.text('[data-testid="next-qr"] [data-testid="copy-code"]')).toMatch(/^000201\S/);
  await expectCopies(engine, payer, '[data-testid="next-qr"]', await payer.text('[data-testid="copy-code"]'));

  const sessionId = await sessionIdOf(engine, demo.token);
  await settle((await conomy.latestPayment(sessionId)).id, 'approve');
  await payer.shows('state-success', 30_000);
});

test('transfer (SPEI): the CLABE and its copy button', async ({ engine, payer, conomy }) => {
  const demo = await conomy.demo('demo-mxn');
  await payWith(payer, demo.token, 'SPEI', PAYER);

  await payer.shows('next-transfer');
  const clabe = (await payer.text('[data-testid="next-transfer"] [data-testid="clabe"]')).replace(/\D/g, '');
  expect(clabe).toMatch(/^\d{18}$/);
  await expectCopies(engine, payer, '[data-testid="next-transfer"]', clabe);

  const sessionId = await sessionIdOf(engine, demo.token);
  await settle((await conomy.latestPayment(sessionId)).id, 'approve');
  await payer.shows('state-success', 30_000);
});

test('in-app approval (Nequi): waits for the app, then paid', async ({ engine, payer, conomy }) => {
  const demo = await conomy.demo('demo-cop');
  await payWith(payer, demo.token, 'NEQUI', { ...PAYER, documentType: 'CC', documentNumber: VALID_CC });

  await payer.shows('next-approve');
  const sessionId = await sessionIdOf(engine, demo.token);
  await settle((await conomy.latestPayment(sessionId)).id, 'approve');
  await payer.shows('state-success', 30_000);
});

/**
 * The first copy button in `scope` copies `expected`: the engine's clipboard has it (Firefox
 * lets the test read it), or the button says it copied; where the engine refuses the
 * Clipboard API the text is selected for the payer instead.
 */
async function expectCopies(engine: Engine, payer: Payer, scope: string, expected: string): Promise<void> {
  const digits = (s: string) => s.replace(/\s/g, '');
  await engine.click(`${scope} [data-testid="copy-button"]`);
  await expect.poll(() => payer.text(`${scope} .copy-status`)).not.toBe('');
  const outcome = await engine.eval(async (sel: string) => {
    const status = (document.querySelector(`${sel} .copy-status`) as HTMLElement).innerText;
    const selection = String(getSelection() ?? '');
    let clipboard: string | null = null;
    try {
      clipboard = await navigator.clipboard.readText();
    } catch {
      // Not readable from a script in this engine: the status says what happened.
    }
    return { status, selection, clipboard };
  }, scope);
  if (outcome.selection) {
    // The fallback: the code is selected for the payer to copy.
    expect(digits(outcome.selection), `selected (${outcome.status})`).toBe(digits(expected));
  } else {
    expect(outcome.status, 'copy status').not.toBe('');
    if (outcome.clipboard !== null) expect(digits(outcome.clipboard), 'clipboard').toBe(digits(expected));
  }
  if (engine.name === 'firefox') expect(outcome.clipboard, 'Firefox: the clipboard holds the code').not.toBeNull();
}

test('expired on the server: the expired screen, and "start again" keeps what was typed', async ({ engine, payer, conomy }) => {
  const link = await conomy.createLinkLike('demo-clp');
  await payer.open(link.checkoutToken);
  await payer.choose('ETPAY');
  await payer.fill({ firstName: 'María José', email: 'mj@example.cl' });
  const sessionId = await sessionIdOf(engine, link.checkoutToken);
  // The form is saved for the tab as it is typed; wait for that before leaving the page.
  await expect.poll(() => engine.eval(() => JSON.stringify(Object.entries(sessionStorage)))).toContain('mj@example.cl');

  await conomy.expireSession(sessionId);
  await engine.reload();
  await payer.shows('state-expired');
  expect(await payer.isVisible('[data-testid="pay-button"]')).toBe(false);

  await engine.click('[data-testid="refresh"]');
  await expect.poll(() => payer.isVisible(payer.radio('ETPAY')), { timeout: 20_000 }).toBe(true);
  expect(await engine.eval(() => (document.querySelector('input[type="radio"][value="ETPAY"]') as HTMLInputElement).checked))
    .toBe(true);
  expect(await payer.value('firstName')).toBe('María José');
  expect(await payer.value('email')).toBe('mj@example.cl');
  expect((await conomy.session(await sessionIdOf(engine, link.checkoutToken))).status).toMatch(/^(ACTIVE|ATTEMPT)$/);
});

function focused(engine: Engine): Promise<Focused> {
  return engine.eval(readFocus);
}

/** Presses Tab (or Shift+Tab) until `want` holds, with a visible focus indicator at every stop. */
async function tabTo(engine: Engine, want: (f: Focused) => boolean, back = false): Promise<Focused> {
  const stops: string[] = [];
  for (let i = 0; i < 40; i++) {
    await engine.press('Tab', back);
    const f = await focused(engine);
    stops.push(f.describe);
    expect(f.visible, `focus indicator on ${f.describe}`).toBe(true);
    if (want(f)) return f;
  }
  throw new Error(`never reached the wanted element; stops: ${stops.join(' | ')}`);
}

test('keyboard only: method by arrows, the form with a validation stop, the provider, success', async ({ engine, payer, conomy }) => {
  const link = await conomy.createLinkLike('demo-clp');
  await payer.open(link.checkoutToken);
  const checked = (rail: string) => engine.eval((r: string) =>
    (document.querySelector(`input[type="radio"][value="${r}"]`) as HTMLInputElement).checked, rail);

  // The method radios: one Tab stop for the group, arrows move the choice.
  const radio = await tabTo(engine, (f) => f.type === 'radio');
  expect(radio.value).toBe('ETPAY');
  await engine.press('ArrowDown');
  await expect.poll(() => checked('WEBPAY')).toBe(true);
  expect((await focused(engine)).value).toBe('WEBPAY');
  await engine.press('ArrowUp');
  await expect.poll(() => checked('ETPAY')).toBe(true);

  // Into the form; Enter submits, the empty required fields stop it, focus on the first.
  await tabTo(engine, (f) => f.tag === 'input' && f.type !== 'radio');
  await engine.press('Enter');
  await payer.shows('field-error');
  const firstInvalid = (await engine.eval(() => document.querySelector('[data-testid="field-error"]')!.id)).replace(/-error$/, '');
  await expect.poll(async () => (await focused(engine)).id).toBe(firstInvalid);

  const values: Record<string, string> = {
    firstName: 'Ana', lastName: 'Rojas', email: 'ana.rojas@example.cl', phoneNumber: '912345678', documentNumber: '12.345.678-5',
  };
  let f = await focused(engine);
  for (let i = 0; i < 20 && f.testid !== 'pay-button'; i++) {
    if (f.tag === 'input' && f.id in values && f.value === '') await engine.type(values[f.id]);
    f = await tabTo(engine, () => true);
  }
  expect(f.testid).toBe('pay-button');
  await expect.poll(() => engine.eval(() => document.querySelectorAll('[data-testid="field-error"]').length)).toBe(0);
  await engine.press('Space');

  // The provider page: Tab to Approve, Enter.
  await payer.waitForUrl(/\/sandbox\/provider\//);
  await tabTo(engine, (x) => x.id === 'approve');
  await engine.press('Enter');

  await payer.shows('state-success');
  await expect.poll(async () => (await focused(engine)).tag).toBe('h2');
  const next = await tabTo(engine, (x) => x.testid === 'continue-button');
  expect(next.visible).toBe(true);
  expect((await conomy.session(await sessionIdOf(engine, link.checkoutToken))).status).toBe('FINISHED');
});

type Tag = 'es' | 'pt-BR' | 'en';

/** `checkout_core::money::intl_locale` for the demos' currencies. */
function intlLocale(locale: Tag, currency: string): string {
  if (locale === 'pt-BR') return 'pt-BR';
  if (locale === 'en') return 'en-US';
  return ({ MXN: 'es-MX', CLP: 'es-CL', COP: 'es-CO', BRL: 'es' } as Record<string, string>)[currency] ?? 'es';
}

test('the three languages: every demo total as this engine\'s Intl writes it, switching without a reload', async ({ engine, payer, conomy }) => {
  for (const demo of ['demo-clp', 'demo-mxn', 'demo-brl', 'demo-cop']) {
    const { token } = await conomy.demo(demo);
    await payer.open(token, '?locale=es');
    const session = await conomy.session(await sessionIdOf(engine, token)) as unknown as
      { totalAmount: string; currency: string; paymentConfigs: { currency: string }[] };
    const digits = ({ CLP: 0, COP: 0 } as Record<string, number>)[session.currency] ?? 2;
    const currencies = new Set([session.currency, ...session.paymentConfigs.map((c) => c.currency)]);
    const display = currencies.size > 1 ? 'code' : 'symbol';
    await engine.eval(() => { (window as unknown as { e2eMarker: string }).e2eMarker = 'same document'; });
    for (const locale of ['es', 'pt-BR', 'en'] as Tag[]) {
      if (locale !== 'es') {
        await engine.eval((l: string) => {
          const select = document.getElementById('language') as HTMLSelectElement;
          select.value = l;
          select.dispatchEvent(new Event('change', { bubbles: true }));
        }, locale);
      }
      await expect.poll(() => engine.eval(() => document.documentElement.lang)).toBe(locale);
      const expected = await engine.eval((amount: string, currency: string, tag: string, d: number, disp: string) =>
        new Intl.NumberFormat(tag, { style: 'currency', currency, currencyDisplay: disp as 'code', minimumFractionDigits: d, maximumFractionDigits: d })
          .format(amount as unknown as number), session.totalAmount, session.currency, intlLocale(locale, session.currency), digits, display);
      await expect.poll(() => payer.text('[data-testid="total"]'), { message: `${demo} total in ${locale}` }).toBe(expected);
    }
    expect(await engine.eval(() => (window as unknown as { e2eMarker?: string }).e2eMarker)).toBe('same document');
  }
});

test('the wasm reaches the page whether or not this engine transfers a stream to a worker', async ({ engine, payer, conomy }) => {
  const demo = await conomy.demo('demo-clp');
  await payer.open(demo.token);
  await payer.shows('pay-button');
  const transfers = await engine.eval(() => {
    try {
      const stream = new ReadableStream();
      new MessageChannel().port1.postMessage(stream, [stream as unknown as Transferable]);
      return true;
    } catch {
      return false;
    }
  });
  // public/early.js hands the wasm's body to its worker where streams transfer, and compiles it
  // on the page otherwise: which path this run covers, per engine.
  expect(transfers, `${engine.name} transfers a ReadableStream`).toBe(engine.name === 'firefox');
});
