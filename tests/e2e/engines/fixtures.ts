// The engine specs' `test`: an `engine` (a fresh window of the project's engine per test, see
// driver.ts), the sandbox merchant client of the Playwright specs (`conomy`), and `payer`, the
// checkout as a payer sees it, addressed by the same data-testids and form ids as those specs.
// After each test: no console error and no panic screen, in any engine.
import path from 'node:path';
import { test as base, expect } from '@playwright/test';
import type { Browser } from 'puppeteer-core';
import { Conomy } from '../fixtures/conomy';
import { FirefoxEngine, WebKitEngine, type Engine, type EngineName } from './driver';
import type { DriverServer } from './webdriver';

export { expect };

export const CHECKOUT = process.env.CHECKOUT_URL ?? '';
export const MERCHANT = process.env.MERCHANT_URL ?? '';

export { PAYER, VALID_CPF, VALID_CC } from '../fixtures/states';

/** How long a screen may take to show (the wasm compiles in the engine on a busy machine). */
const SCREEN_TIMEOUT_MS = 20_000;

/** The checkout page as a payer uses it, in whatever frame `engine` is in. */
export class Payer {
  constructor(readonly engine: Engine) {}

  /** Whether an element is rendered (has boxes and is not visibility:hidden). */
  isVisible(css: string): Promise<boolean> {
    return this.engine.eval((sel: string) => {
      const el = document.querySelector(sel) as HTMLElement | null;
      return !!el && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
    }, css);
  }

  /** Waits until `[data-testid=<testid>]` shows, failing early on the panic screen. */
  async shows(testid: string, timeout = SCREEN_TIMEOUT_MS): Promise<void> {
    await expect.poll(async () => {
      if (testid !== 'state-crashed' && (await this.isVisible('[data-testid="state-crashed"]'))) return 'panic screen';
      return (await this.isVisible(`[data-testid="${testid}"]`)) ? 'shown' : 'not shown';
    }, { timeout, message: `${this.engine.name}: ${testid} shows` }).toBe('shown');
  }

  async waitForUrl(pattern: RegExp, timeout = SCREEN_TIMEOUT_MS): Promise<string> {
    await expect.poll(() => this.engine.url(), { timeout, message: `${this.engine.name}: top URL matches ${pattern}` })
      .toMatch(pattern);
    return this.engine.url();
  }

  text(css: string): Promise<string> {
    return this.engine.eval((sel: string) => (document.querySelector(sel) as HTMLElement | null)?.innerText ?? '', css);
  }

  value(id: string): Promise<string> {
    return this.engine.eval((i: string) => (document.getElementById(i) as HTMLInputElement | null)?.value ?? '', id);
  }

  /** Opens /<token>(?query) at the top and waits for the summary's total. */
  async open(token: string, query = ''): Promise<void> {
    await this.engine.goto(`${CHECKOUT}/${encodeURIComponent(token)}${query}`);
    await this.shows('total');
  }

  radio(rail: string): string {
    return `input[type="radio"][value="${rail}"]`;
  }

  async choose(rail: string): Promise<void> {
    await this.engine.click(this.radio(rail));
    await expect.poll(() => this.engine.eval((sel: string) => (document.querySelector(sel) as HTMLInputElement).checked, this.radio(rail)))
      .toBe(true);
  }

  /**
   * Fills the fields the checkout shows, skipping those it does not ask for (which fields a rail
   * needs is the SPA's business): typed for real into inputs; selects set and announced with
   * input/change (`''` picks the first real option).
   */
  async fill(values: Record<string, string>): Promise<void> {
    for (const [id, value] of Object.entries(values)) {
      const css = `[id="${id}"]`;
      if (!(await this.isVisible(css))) continue;
      const tag = await this.engine.eval((sel: string) => document.querySelector(sel)!.tagName, css);
      if (tag === 'SELECT') {
        await expect.poll(() => this.engine.eval((sel: string) => {
          const el = document.querySelector(sel) as HTMLSelectElement;
          return !el.disabled && el.options.length > 1;
        }, css)).toBe(true);
        await this.engine.eval((sel: string, v: string) => {
          const el = document.querySelector(sel) as HTMLSelectElement;
          el.value = v || Array.from(el.options).map((o) => o.value).find((o) => o !== '') || '';
          el.dispatchEvent(new Event('input', { bubbles: true }));
          el.dispatchEvent(new Event('change', { bubbles: true }));
        }, css, value);
      } else {
        await this.engine.fill(css, value);
      }
      await this.engine.eval((sel: string) => (document.querySelector(sel) as HTMLElement).blur(), css);
    }
  }

  async pay(): Promise<void> {
    await this.engine.click('[data-testid="pay-button"]');
  }
}

/** Approves or declines a payment as the sandbox provider page's buttons do (their form POST). */
export async function settle(paymentId: string, action: 'approve' | 'decline'): Promise<void> {
  const res = await fetch(`${CHECKOUT}/sandbox/provider/${encodeURIComponent(paymentId)}/${action}`,
    { method: 'POST', redirect: 'manual' });
  expect(res.status, `${action} ${paymentId}`).toBeLessThan(400);
}

/** The session id in a tab's sessionStorage for `token` (`<id>.<expiry>.<mac>`). */
export async function sessionIdOf(engine: Engine, token: string): Promise<string> {
  const handle = await engine.eval((t: string) => sessionStorage.getItem(`conomy.session.${t}`), token);
  expect(handle, `sessionStorage conomy.session.${token}`).toBeTruthy();
  return String(handle).split('.')[0];
}

type WorkerFixtures = { engineName: EngineName; engineHost: Browser | DriverServer };
type TestFixtures = { engine: Engine; payer: Payer; conomy: Conomy };

export const test = base.extend<TestFixtures, WorkerFixtures>({
  engineName: ['firefox', { option: true, scope: 'worker' }],

  // One browser (Firefox) or one WebKitWebDriver (WebKit) per worker.
  engineHost: [async ({ engineName }, use, workerInfo) => {
    if (engineName === 'firefox') {
      const browser = await FirefoxEngine.launch();
      await use(browser);
      await browser.close();
    } else {
      const dir = path.join(workerInfo.project.outputDir, `webkit-worker-${workerInfo.workerIndex}`);
      const driver = await WebKitEngine.startDriver(dir);
      await use(driver);
      await driver.stop();
    }
  }, { scope: 'worker', timeout: 60_000 }],

  engine: async ({ engineName, engineHost }, use, testInfo) => {
    const engine = engineName === 'firefox'
      ? await FirefoxEngine.open(engineHost as Browser)
      : await WebKitEngine.open(engineHost as DriverServer);
    try {
      await use(engine);
      // Nothing on the console and no panic screen, in whatever the test ended on.
      if (testInfo.status === testInfo.expectedStatus) {
        await engine.leaveFrame();
        const crashed = await engine.eval(() => !!document.querySelector('[data-testid="state-crashed"]')).catch(() => false);
        expect(crashed, `${engineName}: the panic screen is showing`).toBe(false);
        expect(engine.errors.filter((e) => !allowed(testInfo.annotations, e)), `${engineName}: console errors`).toEqual([]);
      } else if (engine.errors.length) {
        testInfo.annotations.push({ type: 'console errors', description: engine.errors.join('\n') });
      }
    } finally {
      await engine.close();
    }
  },

  payer: async ({ engine }, use) => {
    await use(new Payer(engine));
  },

  conomy: async ({}, use) => {
    if (!CHECKOUT) throw new Error('no CHECKOUT_URL: global-setup.ts sets it');
    await use(new Conomy(CHECKOUT));
  },
});

/** A test may expect one error (e.g. a refused frame): `test.info().annotations` `allow-error`. */
function allowed(annotations: { type: string; description?: string }[], error: string): boolean {
  return annotations.some((a) => a.type === 'allow-error' && a.description && new RegExp(a.description).test(error));
}
