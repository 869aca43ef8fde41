// The checkout in the two other engines payers use, from Debian's packages (docs/testing.md):
// Firefox ESR over WebDriver BiDi (puppeteer-core) and WebKitGTK through WebKitWebDriver (under
// xvfb-run). Same server as the Chromium specs: global-setup.ts starts the release build on a
// free port. Run one engine with `engines/run firefox` or `engines/run webkit`.
import { defineConfig } from '@playwright/test';

// global-setup.ts's server log: test-results/engines-server.log, next to the Chromium run's.
process.env.E2E_SERVER_LOG ??= 'engines-server.log';

export default defineConfig({
  testDir: './engines',
  testMatch: '*.spec.ts',
  globalSetup: './global-setup.ts',
  globalTeardown: './global-teardown.ts',
  // One window at a time: the engines are heavier than headless Chromium on 2 shared cores.
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  forbidOnly: !!process.env.CI,
  reporter: 'list',
  timeout: 90_000,
  expect: { timeout: 10_000 },
  outputDir: './test-results/engines',
  projects: [
    { name: 'firefox', use: { engineName: 'firefox' } },
    { name: 'webkit', use: { engineName: 'webkit' } },
  ],
});
