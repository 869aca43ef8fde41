// The checkout under injected upstream faults. Every spec creates its own link with
// `metadata.faults` (the sandbox applies link rules to that link's calls only), so specs run in
// parallel without global rules. In every case the payer ends on the right screen, with what
// they typed intact and at most one payment created.
import type { Page, Request } from '@playwright/test';
import { test, expect, type CheckoutPage } from '../fixtures/test';
import type { Conomy, PaymentLink } from '../fixtures/conomy';
import { forcePanic } from '../fixtures/crash';
import { installClock, requestsSettled } from '../fixtures/time';

// SPEI on an MXN link: a non-redirect rail, so the payer stays on the checkout after paying.
const PAYER = {
  firstName: 'Lucía',
  lastName: 'Hernández',
  email: 'lucia.hernandez@example.mx',
  phoneNumber: '5512345678',
};

type Rule = Record<string, unknown>;

/**
 * A fresh MXN/SPEI link whose calls meet `faults` (and nobody else's do). It asks for every
 * field of PAYER, so there is something typed to lose.
 */
function faultyLink(conomy: Conomy, faults: Rule[] = []): Promise<PaymentLink> {
  return conomy.createLinkLike('demo-mxn', {
    customerRequirements: ['firstName', 'lastName', 'email', 'phoneNumberPrefix', 'phoneNumber'],
    ...(faults.length ? { metadata: { faults } } : {}),
  });
}

/** One `/api` call as the browser saw it. */
interface Call { method: string; path: string; status?: number; sentAt: number; answeredAt?: number }

/** Records the page's `/api` calls (status 0: no answer at all). */
function recordApi(page: Page): Call[] {
  const calls: Call[] = [];
  const byRequest = new Map<Request, Call>();
  page.on('request', (req) => {
    const url = new URL(req.url());
    if (!url.pathname.startsWith('/api/')) return;
    const call: Call = { method: req.method(), path: url.pathname + url.search, sentAt: Date.now() };
    byRequest.set(req, call);
    calls.push(call);
  });
  page.on('response', (res) => {
    const call = byRequest.get(res.request());
    if (call) Object.assign(call, { status: res.status(), answeredAt: Date.now() });
  });
  page.on('requestfailed', (req) => {
    const call = byRequest.get(req);
    if (call) Object.assign(call, { status: 0, answeredAt: Date.now() });
  });
  return calls;
}

const opens = (calls: Call[]) => calls.filter((c) => c.method === 'POST' && /\/checkout-sessions$/.test(c.path));
/** Statuses as a list, any 2xx shown as 'ok'. */
const outcomes = (calls: Call[]) => calls.map((c) => (c.status && c.status >= 200 && c.status < 300 ? 'ok' : c.status));
const submissions = (calls: Call[]) => calls.filter((c) => c.method === 'POST' && /\/checkout-sessions\/[^/]+\/payments$/.test(c.path));

async function typePayer(checkout: CheckoutPage): Promise<void> {
  await checkout.choose('SPEI');
  await checkout.fill(PAYER);
}

/** The form still shows the method and everything typed. */
async function expectFormIntact(checkout: CheckoutPage): Promise<void> {
  await expect(checkout.method('SPEI')).toBeChecked();
  for (const [id, value] of Object.entries(PAYER)) await expect(checkout.field(id)).toHaveValue(value);
  await expect(checkout.payButton()).toBeEnabled();
}

/** The tab still remembers what was typed (sessionStorage), e.g. once the form is off screen. */
async function expectSavedForm(page: Page, token: string): Promise<void> {
  const saved = await page.evaluate((t) => sessionStorage.getItem(`conomy.form.${t}`), token);
  const values = (JSON.parse(saved ?? '{}') as { values?: Record<string, string> }).values ?? {};
  for (const [id, value] of Object.entries(PAYER)) expect(values[id], `saved ${id}`).toBe(value);
}

/** The submit message, which must be there and say something. */
async function expectSubmitMessage(page: Page, pattern: RegExp): Promise<void> {
  await expect(page.getByTestId('submit-error')).toHaveText(pattern);
}

async function expectWaitingWithTransfer(page: Page): Promise<void> {
  await expect(page.getByTestId('state-waiting')).toBeVisible();
  await expect(page.getByTestId('next-transfer')).toBeVisible();
  await expect(page.getByTestId('pay-button')).toHaveCount(0);
}

test.describe('opening the checkout', () => {
  test('500 twice, then success: the checkout retries and opens one session', async ({ page, checkout, conomy }) => {
    const link = await faultyLink(conomy, [{ endpoint: 'createSession', status: 500, count: 2 }]);
    const calls = recordApi(page);
    await checkout.open(link.checkoutToken);
    expect(outcomes(opens(calls))).toEqual([502, 502, 'ok']);
    expect(await conomy.sessions(link.id)).toHaveLength(1);

    await typePayer(checkout);
    await checkout.pay();
    await expectWaitingWithTransfer(page);
    expect(await conomy.payments(await checkout.sessionId(link.checkoutToken))).toHaveLength(1);
  });

  test('a hung upstream: the gateway answers 504 after its timeout and the retry opens the checkout',
    async ({ page, checkout, conomy }) => {
      const link = await faultyLink(conomy, [{ endpoint: 'createSession', hang: true, count: 1 }]);
      const calls = recordApi(page);
      await page.goto(`/${link.checkoutToken}`);
      await expect(page.getByTestId('total')).toBeVisible({ timeout: 20_000 });
      const [first, second] = opens(calls);
      expect(first.status).toBe(504);
      expect(first.answeredAt! - first.sentAt).toBeGreaterThanOrEqual(2_500);
      expect(outcomes([second])).toEqual(['ok']);
      expect(await conomy.sessions(link.id)).toHaveLength(1);
    });

  test('a malformed (non-JSON) answer is retried, not shown as a blank page', async ({ page, checkout, conomy }) => {
    const link = await faultyLink(conomy, [{ endpoint: 'createSession', malformedBody: true, count: 1 }]);
    const calls = recordApi(page);
    await checkout.open(link.checkoutToken);
    expect(outcomes(opens(calls))).toEqual([502, 'ok']);
    expect(await conomy.sessions(link.id)).toHaveLength(1);
  });

  test('429 with Retry-After: the checkout waits as long as asked before trying again', async ({ page, checkout, conomy }) => {
    const link = await faultyLink(conomy, [{ endpoint: 'createSession', tooManyRequests: true, retryAfter: 3, count: 1 }]);
    const calls = recordApi(page);
    await page.goto(`/${link.checkoutToken}`);
    await expect(page.getByTestId('total')).toBeVisible({ timeout: 20_000 });
    const [limited, retry] = opens(calls);
    expect(limited.status).toBe(429);
    expect(outcomes([retry])).toEqual(['ok']);
    // The default first backoff is 1 s; Retry-After asked for 3. The gap is measured from
    // Playwright's 'response' event, which can reach the runner several hundred ms after the
    // browser had the answer (seen: 2.6 s gaps for a 3 s wait while the wasm was compiling), so
    // the bound sits between the two waits rather than at 3 s.
    expect(retry.sentAt - limited.answeredAt!).toBeGreaterThanOrEqual(2_000);
    expect(await conomy.sessions(link.id)).toHaveLength(1);
  });
});

test.describe('submitting the payment', () => {
  test('500 (nothing created): the payer is told, the form stays, paying again creates exactly one payment',
    async ({ page, checkout, conomy }) => {
      const link = await faultyLink(conomy, [{ endpoint: 'submitPayment', status: 500, count: 1 }]);
      await checkout.open(link.checkoutToken);
      const calls = recordApi(page);
      await typePayer(checkout);
      await checkout.pay();

      await expectSubmitMessage(page, /nothing was charged/i);
      await expectFormIntact(checkout);
      const sessionId = await checkout.sessionId(link.checkoutToken);
      expect(await conomy.payments(sessionId)).toHaveLength(0);

      await checkout.pay();
      await expectWaitingWithTransfer(page);
      expect(outcomes(submissions(calls))).toEqual([502, 'ok']);
      expect(await conomy.payments(sessionId)).toHaveLength(1);
      await expectSavedForm(page, link.checkoutToken);
    });

  test('timeout (hung submission, nothing created): told, form kept, second pay creates one payment',
    async ({ page, checkout, conomy }) => {
      const link = await faultyLink(conomy, [{ endpoint: 'submitPayment', hang: true, count: 1 }]);
      await checkout.open(link.checkoutToken);
      const calls = recordApi(page);
      await typePayer(checkout);
      await checkout.pay();
      await expect(checkout.payButton()).toHaveAttribute('aria-busy', 'true');

      await expectSubmitMessage(page, /nothing was charged/i);
      await expectFormIntact(checkout);
      const sessionId = await checkout.sessionId(link.checkoutToken);
      expect(await conomy.payments(sessionId)).toHaveLength(0);

      await checkout.pay();
      await expectWaitingWithTransfer(page);
      expect(outcomes(submissions(calls))).toEqual([504, 'ok']);
      expect(await conomy.payments(sessionId)).toHaveLength(1);
    });

  test('malformed answer (nothing created), then a truncated one (created): one payment, waiting screen',
    async ({ page, checkout, conomy }) => {
      const link = await faultyLink(conomy, [
        { endpoint: 'submitPayment', malformedBody: true, count: 1 },
        { endpoint: 'submitPayment', truncatedBody: true, count: 1 },
      ]);
      await checkout.open(link.checkoutToken);
      const calls = recordApi(page);
      await typePayer(checkout);
      await checkout.pay();
      await expectSubmitMessage(page, /nothing was charged/i);
      await expectFormIntact(checkout);
      const sessionId = await checkout.sessionId(link.checkoutToken);
      expect(await conomy.payments(sessionId)).toHaveLength(0);

      // The second answer is cut in half after the payment was made: the checkout reads the
      // session's payments, finds it and waits on it instead of offering another submit.
      await checkout.pay();
      await expectWaitingWithTransfer(page);
      expect(submissions(calls).map((c) => c.status)).toEqual([502, 502]);
      expect(await conomy.payments(sessionId)).toHaveLength(1);
      await expectSavedForm(page, link.checkoutToken);
    });

  test('429 with Retry-After: nothing created, the payer is asked to wait, the next pay works',
    async ({ page, checkout, conomy }) => {
      const link = await faultyLink(conomy, [{ endpoint: 'submitPayment', tooManyRequests: true, retryAfter: 2, count: 1 }]);
      await installClock(page);
      await checkout.open(link.checkoutToken);
      const calls = recordApi(page);
      await typePayer(checkout);
      await checkout.pay();
      await expectSubmitMessage(page, /too many attempts/i);
      await expectFormIntact(checkout);
      const sessionId = await checkout.sessionId(link.checkoutToken);
      expect(await conomy.payments(sessionId)).toHaveLength(0);
      // Never re-sent on its own: not after the 2 s it was asked to wait, nor after the longest
      // wait the checkout would ever honour (30 s) or its backoff, in the page's own time.
      await page.clock.runFor(31_000);
      await requestsSettled(page);
      expect(submissions(calls)).toHaveLength(1);

      await checkout.pay();
      await expectWaitingWithTransfer(page);
      expect(await conomy.payments(sessionId)).toHaveLength(1);
    });

  for (const mode of [true, 'hang'] as const) {
    test(`ambiguous failure (ambiguousPayment: ${JSON.stringify(mode)}): the checkout finds the created payment and waits on it`,
      async ({ page, checkout, conomy }) => {
        const link = await faultyLink(conomy, [{ endpoint: 'submitPayment', ambiguousPayment: mode, count: 1 }]);
        await checkout.open(link.checkoutToken);
        const calls = recordApi(page);
        await typePayer(checkout);
        await checkout.pay();

        await expectWaitingWithTransfer(page);
        await expect(page.getByTestId('submit-error')).toHaveCount(0);
        const sessionId = await checkout.sessionId(link.checkoutToken);
        const payments = await conomy.payments(sessionId);
        expect(payments).toHaveLength(1);
        expect(submissions(calls).map((c) => c.status)).toEqual([mode === 'hang' ? 504 : 502]);
        // It read the payments before deciding.
        const [submission] = submissions(calls);
        expect(calls.some((c) => c.method === 'GET' && c.path.startsWith('/api/payments?') && c.sentAt >= submission.answeredAt!))
          .toBeTruthy();
        await expectSavedForm(page, link.checkoutToken);
      });
  }

  test('ambiguous failure AND the payments cannot be read: no blind resubmission, the next pay finds the payment',
    async ({ page, checkout, conomy }) => {
      const link = await faultyLink(conomy, [
        { endpoint: 'submitPayment', ambiguousPayment: true, count: 1 },
        // The first read of the payments fails for good: the gateway tries it twice, and the
        // checkout does not repeat the 502 it answers.
        { endpoint: 'listPayments', status: 503, count: 2 },
      ]);
      await checkout.open(link.checkoutToken);
      const calls = recordApi(page);
      await typePayer(checkout);
      await checkout.pay();

      await expectSubmitMessage(page, /couldn.t confirm/i);
      // One read from the checkout: it does not repeat a 502 the gateway had already retried.
      await expect.poll(() => calls.filter((c) => c.method === 'GET' && c.path.startsWith('/api/payments?')).map((c) => c.status))
        .toEqual([502]);
      await expectFormIntact(checkout);
      const sessionId = await checkout.sessionId(link.checkoutToken);
      expect(await conomy.payments(sessionId)).toHaveLength(1);

      await checkout.pay();
      await expectWaitingWithTransfer(page);
      expect(submissions(calls)).toHaveLength(1);
      expect(await conomy.payments(sessionId)).toHaveLength(1);
    });
});

test.describe('offline', () => {
  test('offline mid-form: banner, a pay attempt keeps the form and says why, back online the payment goes through',
    async ({ page, context, checkout, conomy }) => {
      const link = await faultyLink(conomy);
      await checkout.open(link.checkoutToken);
      const calls = recordApi(page);
      await checkout.choose('SPEI');

      await context.setOffline(true);
      const banner = page.getByTestId('offline-banner');
      await expect(banner).toBeVisible();
      await expect(banner).toHaveText(/offline/i);
      await checkout.fill(PAYER);
      await checkout.pay();
      await expectSubmitMessage(page, /offline/i);
      await expectFormIntact(checkout);
      expect(submissions(calls)).toHaveLength(0);

      await context.setOffline(false);
      await expect(banner).toHaveCount(0);
      await expect(page.getByTestId('submit-error')).toHaveText('');
      await expectFormIntact(checkout);
      await checkout.pay();
      await expectWaitingWithTransfer(page);
      expect(submissions(calls)).toHaveLength(1);
      expect(await conomy.payments(await checkout.sessionId(link.checkoutToken))).toHaveLength(1);
    });

  test('opening while offline shows the connection problem, and the checkout opens by itself once back',
    async ({ page, context, conomy }) => {
      const link = await faultyLink(conomy);
      // Load the app first (offline, the page itself could not load), then open the link.
      await page.goto('/');
      await expect(page.getByTestId('landing')).toBeVisible();
      await context.setOffline(true);
      await page.evaluate((token) => {
        history.pushState(null, '', `/${token}`);
        dispatchEvent(new PopStateEvent('popstate'));
      }, link.checkoutToken);
      await expect(page.getByTestId('offline-banner')).toBeVisible();
      await expect(page.getByTestId('state-error')).toBeVisible();
      await expect(page.getByTestId('state-error')).toContainText(/connection/i);

      await context.setOffline(false);
      await expect(page.getByTestId('total')).toBeVisible();
      await expect(page.getByTestId('offline-banner')).toHaveCount(0);
      expect(await conomy.sessions(link.id)).toHaveLength(1);
    });

  test('a bank list that failed offline loads by itself once back online', async ({ page, context, checkout, conomy }) => {
    await checkout.open((await conomy.demo('demo-cop')).token);
    await checkout.choose('NEQUI', 'COP');
    await expect(checkout.field('bankId')).toHaveCount(0);
    await context.setOffline(true);
    // PSE needs the bank list, fetched when its field appears: now, while offline.
    await checkout.choose('PSE', 'COP');
    await expect(page.getByText(/couldn.t load the list of banks/i)).toBeVisible();

    await context.setOffline(false);
    await expect(checkout.field('bankId')).toBeEnabled();
    // The refetch after 'online' is asynchronous: wait for the options rather than read them once.
    await expect.poll(() => checkout.field('bankId').locator('option').count()).toBeGreaterThan(1);
  });

  test('polling pauses while offline and resumes at once when back', async ({ page, context, checkout, conomy, baseURL }) => {
    const link = await faultyLink(conomy);
    // The /api requests sent and not yet answered (or failed).
    const inFlight = new Set<Request>();
    page.on('request', (r) => { if (new URL(r.url()).pathname.startsWith('/api/')) inFlight.add(r); });
    page.on('requestfinished', (r) => inFlight.delete(r));
    page.on('requestfailed', (r) => inFlight.delete(r));
    await installClock(page);
    await checkout.open(link.checkoutToken);
    await typePayer(checkout);
    await checkout.pay();
    await expectWaitingWithTransfer(page);
    const sessionId = await checkout.sessionId(link.checkoutToken);
    const [payment] = await conomy.payments(sessionId);

    await context.setOffline(true);
    await expect(page.getByTestId('offline-banner')).toBeVisible();
    // A read already in flight may still fail; after that, nothing is sent while offline.
    await expect.poll(() => inFlight.size, { message: 'the reads in flight have ended' }).toBe(0);
    const calls = recordApi(page);
    // The payment is approved meanwhile (by the provider, not this tab).
    const approved = await fetch(new URL(`/sandbox/provider/${encodeURIComponent(payment.id)}/approve`, baseURL),
      { method: 'POST', redirect: 'manual' });
    expect(approved.status).toBeLessThan(400);
    // Past several polls at the longest interval (10 s), in the page's own time.
    await page.clock.runFor(30_000);
    await requestsSettled(page);
    expect(calls).toEqual([]);
    await expect(page.getByTestId('state-waiting')).toBeVisible();

    await context.setOffline(false);
    // Faster than the next scheduled poll would be.
    await expect(page.getByTestId('state-success')).toBeVisible({ timeout: 3_000 });
  });
});

test.describe('crash recovery', () => {
  test('a panic shows the crash screen; its reload brings back the method, everything typed, then the waiting step',
    async ({ page, checkout, conomy }) => {
      const link = await faultyLink(conomy);
      await checkout.open(link.checkoutToken);
      const sessionId = await checkout.sessionId(link.checkoutToken);
      await typePayer(checkout);

      await forcePanic(page);
      const crashed = page.getByTestId('state-crashed');
      await expect(crashed).toHaveAttribute('role', 'alert');
      await expect(checkout.payButton()).toHaveCount(0);
      await crashed.getByRole('link').click();

      await expect(page.getByTestId('total')).toBeVisible();
      await expectFormIntact(checkout);
      expect(await checkout.sessionId(link.checkoutToken)).toBe(sessionId);
      await checkout.pay();
      await expectWaitingWithTransfer(page);
      const clabe = await page.getByTestId('clabe').innerText();

      // Crash on the waiting step: the reload lands on the same payment, not a new form.
      await forcePanic(page);
      await page.getByTestId('state-crashed').getByRole('link').click();
      await expectWaitingWithTransfer(page);
      await expect(page.getByTestId('clabe')).toHaveText(clabe);
      expect(await conomy.sessions(link.id)).toHaveLength(1);
      expect(await conomy.payments(sessionId)).toHaveLength(1);
    });
});
