// The engine specs drive a browser through this one small interface, so each spec is written
// once for both engines:
//   firefox  Debian's firefox-esr over WebDriver BiDi with puppeteer-core (no geckodriver: Debian
//            has none, and Firefox speaks BiDi itself);
//   webkit   Debian's WebKitGTK MiniBrowser through WebKitWebDriver (W3C WebDriver classic: the
//            driver Debian ships has no BiDi), run under xvfb-run.
// Nothing here downloads a browser or a driver. See docs/testing.md.
import fs from 'node:fs';
import path from 'node:path';
import puppeteer, { type Browser, type BrowserContext, type Frame, type Page, type KeyInput } from 'puppeteer-core';
import { DriverServer, KEY, WebDriverSession, WebDriverError } from './webdriver';

export type EngineName = 'firefox' | 'webkit';
export type Key = 'Tab' | 'Enter' | 'Space' | 'ArrowUp' | 'ArrowDown';

export const FIREFOX_BINARY = '/usr/bin/firefox-esr';
export const WEBKIT_DRIVER = '/usr/bin/WebKitWebDriver';
export const MINIBROWSER = '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';

/** How long an action waits for its element to be there and usable. */
const ACTION_TIMEOUT_MS = 15_000;

/** One browser window under test; `eval` and the actions work in the current frame. */
export interface Engine {
  readonly name: EngineName;
  /** Console errors, uncaught exceptions and refused resources seen so far, in any frame. */
  readonly errors: string[];
  goto(url: string): Promise<void>;
  reload(): Promise<void>;
  /** The top-level document's URL. */
  url(): Promise<string>;
  /** Runs a self-contained function in the current frame and returns its (awaited) result. */
  eval<R, A extends unknown[]>(fn: (...args: A) => R | Promise<R>, ...args: A): Promise<R>;
  /** A real click on the first element matching `css`, once it is visible and enabled. */
  click(css: string): Promise<void>;
  /** Replaces the value of the input matching `css` by typing `text`. */
  fill(css: string, text: string): Promise<void>;
  /** Presses one key (with Shift held when asked) wherever the focus is. */
  press(key: Key, shift?: boolean): Promise<void>;
  /** Types `text` wherever the focus is. */
  type(text: string): Promise<void>;
  /** Makes the iframe matching `css` (in the top document) the current frame. */
  enterFrame(css: string): Promise<void>;
  leaveFrame(): Promise<void>;
  setViewport(width: number, height: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Records what the engine's console would call an error, from inside the page: console.error,
 * uncaught exceptions and rejections, scripts and styles that failed to load, CSP violations. Installed
 * before the page's own scripts in Firefox (a BiDi preload script), and by every command in
 * WebKit (classic WebDriver cannot run anything earlier; see WebKitEngine).
 */
const ERROR_HOOK = `(function () {
  if (window.__engineErrors) return;
  var seen = window.__engineErrors = [];
  var text = function (v) { try { return v && v.stack ? String(v.stack) : String(v); } catch (e) { return '?'; } };
  var original = console.error;
  console.error = function () {
    seen.push('console.error: ' + Array.prototype.map.call(arguments, text).join(' '));
    return original.apply(console, arguments);
  };
  addEventListener('error', function (e) {
    var t = e.target;
    // A script or stylesheet that did not load; an image may fail (the checkout drops a
    // merchant logo that does not load: the sandbox's is on a host that does not exist).
    if (t && t !== window && t.tagName !== 'IMG') seen.push('failed to load: ' + (t.src || t.href || t.tagName));
    else if (t === window || !t) seen.push('uncaught: ' + (e.error ? text(e.error) : e.message));
  }, true);
  addEventListener('unhandledrejection', function (e) { seen.push('unhandled rejection: ' + text(e.reason)); });
  addEventListener('securitypolicyviolation', function (e) {
    seen.push('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI);
  });
})();`;

// ---------------------------------------------------------------------------------------------
// Firefox: puppeteer-core over WebDriver BiDi.

/** Firefox preferences for a quiet, deterministic test profile. */
const FIREFOX_PREFS: Record<string, unknown> = {
  'intl.accept_languages': 'en-US, en',
  // Firefox 153 has location.ancestorOrigins; ESR 140 and older did not, and the checkout then
  // verifies its embedding page by the referrer. That fallback is the path tested here.
  'dom.location.ancestorOrigins.enabled': false,
  // Lets the spec read what the copy button wrote (no paste prompt in a test profile).
  'dom.events.testing.asyncClipboard': true,
};

export class FirefoxEngine implements Engine {
  readonly name = 'firefox' as const;
  readonly errors: string[] = [];
  private frame: Frame;

  private constructor(private readonly context: BrowserContext, private readonly page: Page) {
    this.frame = page.mainFrame();
    page.on('console', (m) => {
      if (m.type() === 'error') this.errors.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => this.errors.push(`page error: ${String(e)}`));
  }

  static launch(): Promise<Browser> {
    return puppeteer.launch({
      browser: 'firefox',
      executablePath: FIREFOX_BINARY,
      headless: true,
      extraPrefsFirefox: FIREFOX_PREFS,
    });
  }

  /** A fresh window in its own user context (no storage shared with other tests). */
  static async open(browser: Browser): Promise<FirefoxEngine> {
    const context = await browser.createBrowserContext();
    const page = await context.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    await page.evaluateOnNewDocument(ERROR_HOOK);
    page.setDefaultTimeout(ACTION_TIMEOUT_MS);
    return new FirefoxEngine(context, page);
  }

  async goto(url: string): Promise<void> {
    this.frame = this.page.mainFrame();
    await this.page.goto(url, { waitUntil: 'load' });
  }

  async reload(): Promise<void> {
    this.frame = this.page.mainFrame();
    await this.page.reload({ waitUntil: 'load' });
  }

  async url(): Promise<string> {
    return this.page.url();
  }

  async eval<R, A extends unknown[]>(fn: (...args: A) => R | Promise<R>, ...args: A): Promise<R> {
    // One expression, evaluated by BiDi (not by the page, so the page's CSP does not apply):
    // the function's result, and what the in-page hook saw that BiDi does not report (failed
    // loads, CSP violations; console errors and exceptions come as BiDi events).
    const expression = `(async () => {
      const value = await (${fn.toString()}).apply(null, ${JSON.stringify(args)});
      const hook = window.__engineErrors;
      const seen = hook ? hook.splice(0).filter((e) => !/^(console\\.error|uncaught|unhandled)/.test(e)) : [];
      return [value, seen];
    })()`;
    const [value, seen] = (await this.frame.evaluate(expression)) as [R, string[]];
    this.errors.push(...seen);
    return value;
  }

  async click(css: string): Promise<void> {
    await this.frame.locator(css).setTimeout(ACTION_TIMEOUT_MS).click();
  }

  async fill(css: string, text: string): Promise<void> {
    await this.frame.locator(css).setTimeout(ACTION_TIMEOUT_MS).fill(text);
  }

  async press(key: Key, shift = false): Promise<void> {
    if (shift) await this.page.keyboard.down('Shift');
    // Puppeteer names the space bar by its character.
    await this.page.keyboard.press((key === 'Space' ? ' ' : key) as KeyInput);
    if (shift) await this.page.keyboard.up('Shift');
  }

  async type(text: string): Promise<void> {
    await this.page.keyboard.type(text);
  }

  async enterFrame(css: string): Promise<void> {
    const element = await this.page.mainFrame().waitForSelector(css, { timeout: ACTION_TIMEOUT_MS });
    const frame = await element?.contentFrame();
    if (!frame) throw new Error(`${css} has no frame`);
    this.frame = frame;
  }

  async leaveFrame(): Promise<void> {
    this.frame = this.page.mainFrame();
  }

  async setViewport(width: number, height: number): Promise<void> {
    await this.page.setViewport({ width, height });
  }

  async close(): Promise<void> {
    await this.context.close().catch(() => {});
  }
}

// ---------------------------------------------------------------------------------------------
// WebKit: MiniBrowser through WebKitWebDriver (classic WebDriver).

/**
 * WebKitGTK's MiniBrowser under WebKitWebDriver. Classic WebDriver has no console log and no
 * way to run a script before the page's own, and MiniBrowser's `--enable-write-console-messages-
 * to-stdout` stays silent in automation (its sessions are ephemeral), so console errors are
 * caught by ERROR_HOOK, installed by the first command that reaches each document and drained
 * by every command: an error thrown before that (during a document's parse) is not seen; a
 * panic still is, through the panic screen the specs look for.
 */
export class WebKitEngine implements Engine {
  readonly name = 'webkit' as const;
  readonly errors: string[] = [];
  private inFrame: string | null = null;

  private constructor(private readonly session: WebDriverSession) {}

  static startDriver(logDir: string): Promise<DriverServer> {
    fs.mkdirSync(logDir, { recursive: true });
    return DriverServer.start(WEBKIT_DRIVER, path.join(logDir, 'webkitwebdriver.log'));
  }

  /** A fresh MiniBrowser (its automation sessions are ephemeral: no storage carried over). */
  static async open(driver: DriverServer): Promise<WebKitEngine> {
    const capabilities = {
      browserName: 'MiniBrowser',
      'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] },
    };
    // Seen once in a few dozen sessions on a loaded machine: a MiniBrowser that never finishes
    // starting. A second one is asked for (the driver replaces the stuck session).
    const session = await WebDriverSession.create(driver.url, capabilities, 30_000)
      .catch(() => WebDriverSession.create(driver.url, capabilities, 30_000));
    await session.setTimeouts({ script: 30_000, pageLoad: 30_000, implicit: 0 });
    await session.setWindowRect({ width: 1280, height: 900 });
    return new WebKitEngine(session);
  }

  async goto(url: string): Promise<void> {
    this.inFrame = null;
    await this.session.navigate(url);
    await this.eval(() => true); // hooks the new document at once
  }

  async reload(): Promise<void> {
    this.inFrame = null;
    await this.session.refresh();
    await this.eval(() => true);
  }

  async url(): Promise<string> {
    try {
      return await this.session.url();
    } catch (e) {
      // The frame we were in went with its page (the top window navigated): back to the top.
      if (!(e instanceof WebDriverError) || !/^no such (frame|window)$/.test(e.error)) throw e;
      await this.leaveFrame();
      return this.session.url();
    }
  }

  async eval<R, A extends unknown[]>(fn: (...args: A) => R | Promise<R>, ...args: A): Promise<R> {
    const script = `${ERROR_HOOK}
      var seen = window.__engineErrors;
      return Promise.resolve((${fn.toString()}).apply(null, arguments))
        .then(function (v) { return [v, seen.splice(0)]; });`;
    const [value, seen] = await this.retry('eval', () => this.session.execute<[R, string[]]>(script, args));
    this.errors.push(...seen);
    return value;
  }

  async click(css: string): Promise<void> {
    await this.withElement(css, (el) => this.session.click(el));
  }

  async fill(css: string, text: string): Promise<void> {
    await this.withElement(css, async (el) => {
      await this.session.clear(el);
      await this.session.sendKeys(el, text);
    });
  }

  async press(key: Key, shift = false): Promise<void> {
    await this.session.keys(shift ? [KEY.Shift, KEY[key]] : [KEY[key]]);
  }

  async type(text: string): Promise<void> {
    for (const ch of text) await this.session.keys([ch]);
  }

  async enterFrame(css: string): Promise<void> {
    await this.leaveFrame();
    await this.withElement(css, (el) => this.session.switchToFrame(el));
    this.inFrame = css;
  }

  async leaveFrame(): Promise<void> {
    await this.session.switchToFrame(null);
    this.inFrame = null;
  }

  async setViewport(width: number, height: number): Promise<void> {
    // The window, not the viewport: MiniBrowser's toolbar takes some of the height.
    await this.session.setWindowRect({ width, height });
  }

  async close(): Promise<void> {
    await this.session.delete().catch(() => {});
  }

  /**
   * Runs `action` on the element matching `css` once it is there, visible and usable: retries
   * while it is missing, hidden, covered or replaced by a re-render, up to ACTION_TIMEOUT_MS.
   */
  private async withElement(css: string, action: (el: NonNullable<Awaited<ReturnType<WebDriverSession['find']>>>) => Promise<void>): Promise<void> {
    const deadline = Date.now() + ACTION_TIMEOUT_MS;
    let last = 'not found';
    for (;;) {
      try {
        const el = await this.session.find(css);
        if (el) {
          const shown = await this.eval((sel: string) => {
            const e = document.querySelector(sel) as HTMLElement | null;
            const usable = !!e && e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden' &&
              !(e as HTMLButtonElement).disabled;
            if (usable) e.scrollIntoView({ block: 'center', inline: 'nearest' });
            return usable ? e.getBoundingClientRect().top : null;
          }, css);
          if (shown !== null) {
            if (this.inFrame) await this.scrollTopTo(this.inFrame, shown);
            await action(el);
            return;
          }
          last = 'hidden or disabled';
        }
      } catch (e) {
        if (!(e instanceof WebDriverError) || !RETRYABLE.has(e.error)) throw e;
        last = e.message;
      }
      if (Date.now() > deadline) throw new Error(`webkit: ${css}: ${last} after ${ACTION_TIMEOUT_MS} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /**
   * Scrolls the top document so that `y` (a position inside the frame `frameCss`) is in the
   * middle of the window, then returns into the frame: WebKitWebDriver scrolls a frame's own
   * document to an element but not the page around the frame, and a click outside the window
   * reaches nothing.
   */
  private async scrollTopTo(frameCss: string, y: number): Promise<void> {
    await this.session.switchToFrame(null);
    await this.eval((sel: string, inside: number) => {
      const frame = document.querySelector(sel) as HTMLElement;
      window.scrollBy(0, frame.getBoundingClientRect().top + inside - window.innerHeight / 2);
    }, frameCss, y);
    const frame = await this.session.find(frameCss);
    if (!frame) throw new Error(`webkit: the frame ${frameCss} is gone`);
    await this.session.switchToFrame(frame);
  }

  /** A script run while the frame's document is being replaced: tried again, briefly. */
  private async retry<T>(what: string, run: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await run();
      } catch (e) {
        if (attempt >= 20 || !(e instanceof WebDriverError) || !RETRYABLE.has(e.error)) throw e;
        // A frame we were in was replaced (reload, navigation): find it again.
        if (e.error === 'no such frame' && this.inFrame) {
          await this.session.switchToFrame(null).catch(() => {});
          const el = await this.session.find(this.inFrame).catch(() => null);
          if (el) await this.session.switchToFrame(el).catch(() => {});
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }
}

const RETRYABLE = new Set([
  'stale element reference',
  'element not interactable',
  'element click intercepted',
  'no such element',
  'no such frame',
  'javascript error',
]);
