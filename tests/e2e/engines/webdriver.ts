// A minimal W3C WebDriver (classic) client for WebKitWebDriver: the dozen endpoints the engine
// specs use, over fetch, no dependency. Why not WebdriverIO: see docs/testing.md (it enables
// BiDi by default, which Debian's WebKitWebDriver refuses, and its packages carry driver
// downloaders we never want to run).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { freePort } from '../fixtures/free-port';

/** The W3C element reference key. */
const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';
export type ElementRef = { [ELEMENT]: string };

export class WebDriverError extends Error {
  constructor(readonly error: string, message: string, readonly what: string) {
    super(`${what}: ${error}: ${message}`);
  }
}

/** A WebDriver server process (here WebKitWebDriver) on a free loopback port. */
export class DriverServer {
  private constructor(readonly url: string, private readonly child: ChildProcess, private exited: () => string | null) {}

  static async start(binary: string, logFile: string): Promise<DriverServer> {
    const port = await freePort();
    const log = fs.openSync(logFile, 'a');
    // --replace-on-new-session: a session whose browser is still closing never blocks the next.
    const child = spawn(binary, [`--port=${port}`, '--replace-on-new-session'], { stdio: ['ignore', log, log] });
    let exit: string | null = null;
    child.on('exit', (code, signal) => { exit = `code ${code}, signal ${signal}`; });
    child.on('error', (e) => { exit = String(e); });
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (exit) throw new Error(`${binary} exited during start-up (${exit}); see ${logFile}`);
      try {
        const res = await fetch(`${url}/status`);
        if (res.ok && (await res.json()).value?.ready) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`${binary} did not answer /status within 15 s`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    return new DriverServer(url, child, () => exit);
  }

  async stop(): Promise<void> {
    if (this.exited()) return;
    const gone = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    await Promise.race([gone, new Promise((r) => setTimeout(r, 5_000))]);
    if (!this.exited()) this.child.kill('SIGKILL');
  }
}

/** One session: the endpoints of the W3C spec the specs need, each a method. */
export class WebDriverSession {
  private constructor(private readonly base: string) {}

  /** A new session, or an error after `timeoutMs` (a browser that never finished starting). */
  static async create(server: string, capabilities: Record<string, unknown>, timeoutMs: number): Promise<WebDriverSession> {
    const value = await call<{ sessionId: string }>('POST', `${server}/session`, { capabilities: { alwaysMatch: capabilities } },
      'new session', AbortSignal.timeout(timeoutMs));
    return new WebDriverSession(`${server}/session/${value.sessionId}`);
  }

  private cmd<T>(method: string, path: string, body?: unknown): Promise<T> {
    return call<T>(method, `${this.base}${path}`, body, `${method} ${path}`);
  }

  delete(): Promise<void> {
    return this.cmd('DELETE', '');
  }

  setTimeouts(t: { script?: number; pageLoad?: number; implicit?: number }): Promise<void> {
    return this.cmd('POST', '/timeouts', t);
  }

  navigate(url: string): Promise<void> {
    return this.cmd('POST', '/url', { url });
  }

  /** The top-level browsing context's URL. */
  url(): Promise<string> {
    return this.cmd('GET', '/url');
  }

  refresh(): Promise<void> {
    return this.cmd('POST', '/refresh', {});
  }

  /** Runs `script` (a function body; `arguments` are `args`) and awaits a returned promise. */
  execute<T>(script: string, args: unknown[] = []): Promise<T> {
    return this.cmd('POST', '/execute/sync', { script, args });
  }

  /** The first element matching `css` in the current browsing context, or null. */
  async find(css: string): Promise<ElementRef | null> {
    const found = await this.cmd<ElementRef[]>('POST', '/elements', { using: 'css selector', value: css });
    return found[0] ?? null;
  }

  click(element: ElementRef): Promise<void> {
    return this.cmd('POST', `/element/${element[ELEMENT]}/click`, {});
  }

  clear(element: ElementRef): Promise<void> {
    return this.cmd('POST', `/element/${element[ELEMENT]}/clear`, {});
  }

  sendKeys(element: ElementRef, text: string): Promise<void> {
    return this.cmd('POST', `/element/${element[ELEMENT]}/value`, { text });
  }

  /** Into a frame element of the current context, or back to the top (`null`). */
  switchToFrame(element: ElementRef | null): Promise<void> {
    return this.cmd('POST', '/frame', { id: element });
  }

  setWindowRect(rect: { width: number; height: number }): Promise<void> {
    return this.cmd('POST', '/window/rect', rect);
  }

  /** Presses and releases `keys` (WebDriver key codepoints) in order, modifiers held first. */
  async keys(keys: string[]): Promise<void> {
    const down = keys.map((value) => ({ type: 'keyDown', value }));
    const up = [...keys].reverse().map((value) => ({ type: 'keyUp', value }));
    await this.cmd('POST', '/actions', { actions: [{ type: 'key', id: 'keyboard', actions: [...down, ...up] }] });
    await this.cmd('DELETE', '/actions');
  }
}

async function call<T>(method: string, url: string, body: unknown, what: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(url, {
    method,
    signal,
    headers: body === undefined ? undefined : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: { value?: unknown } = {};
  try {
    parsed = text ? JSON.parse(text) : {};
  } catch {
    throw new WebDriverError('bad answer', `HTTP ${res.status}: ${text.slice(0, 200)}`, what);
  }
  const value = parsed.value as { error?: string; message?: string } | undefined;
  if (!res.ok || (value && typeof value === 'object' && typeof value.error === 'string')) {
    throw new WebDriverError(value?.error ?? `HTTP ${res.status}`, value?.message ?? text.slice(0, 200), what);
  }
  return parsed.value as T;
}

/** WebDriver's codepoints for the keys the specs press. */
export const KEY = {
  Tab: '\uE004',
  Enter: '\uE007',
  Shift: '\uE008',
  Space: '\uE00D',
  ArrowUp: '\uE013',
  ArrowDown: '\uE015',
} as const;
