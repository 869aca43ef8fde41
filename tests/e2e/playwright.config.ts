// Playwright against the release build: global-setup.ts starts target/release/checkout-server
// (sandbox mode) on a free port and publishes its URL as CHECKOUT_URL; the browser is Debian's
// Chromium, never a downloaded one.
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: './tests',
  globalSetup: './global-setup.ts',
  globalTeardown: './global-teardown.ts',
  // 2 cores shared with the server: two workers keep both busy without starving the server.
  workers: 2,
  // CI runs on the same 2 cores right after a session, sometimes still busy: one retry keeps a
  // load-induced timeout from failing the run, and the list reporter still prints the flaky test
  // (reported as "flaky"), so it is visible rather than hidden. Locally a failure is a failure.
  retries: process.env.CI ? 1 : 0,
  forbidOnly: !!process.env.CI,
  reporter: 'list',
  timeout: 90_000,
  expect: { timeout: 10_000 },
  outputDir: './test-results',
  use: {
    // Set by global-setup.ts before workers start (workers inherit the runner's environment).
    baseURL: process.env.CHECKOUT_URL,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    locale: 'en-US',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  projects: [{ name: 'chromium' }],
});
