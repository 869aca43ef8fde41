// Cold loads of a demo link in Debian's Chromium under mobile emulation (Playwright + CDP):
// when the order summary is first painted and when the pay button becomes usable.
import { chromium, devices } from 'playwright-core';
import { pageFunctions } from 'lighthouse/core/lib/page-functions.js';

export const CHROMIUM = '/usr/bin/chromium';
// Shared with Lighthouse: no sandbox (containers), no GPU, and nothing Chromium would fetch on
// its own (updates, sync, QUIC probes) competing with the page for the throttled link.
export const CHROME_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// The phones Chrome DevTools calibrates its CPU presets to (CalibrationController in its
// front end), on Lighthouse's benchmarkIndex (higher is faster).
export const PHONES = {
  midTier: { name: 'mid-tier phone (a Pixel 5)', index: 1000 },
  lowTier: { name: 'low-tier phone (a Moto G Power 2022)', index: 264 },
};

// The mobile profile the budgets are stated for: a mid-tier phone on slow 4G. A CPU slowdown is
// relative to the host, whose speed moves (on the 2-core hosts here, 4x emulated anything from
// an index of 279 to 447 within an hour), so the loads run at the rate that makes this host
// score the phone's index, calibrated before they start (`calibrate`). `fixedSlowdown` is
// Lighthouse's default 4x, for BENCH_CPU_INDEX=off.
export const PROFILE = {
  phone: PHONES.midTier,
  fixedSlowdown: 4,
  rttMs: 150,
  downloadBitsPerSecond: 1.6e6,
  uploadBitsPerSecond: 750e3,
};

// Runs in the page before any of its scripts: timestamps (performance.now(), i.e. ms since the
// navigation started) taken in the first animation frame in which each element is visible
// (and, for the button, enabled), which is the frame the browser is about to paint. Watching
// from inside the page avoids the polling and CDP round trips of waiting from Node.
const PROBE = () => {
  const marks = {};
  window.__bench = { marks, cls: 0 };
  const visible = (el) => el && (el.checkVisibility ? el.checkVisibility() : el.getClientRects().length > 0);
  const checks = {
    summary: () => visible(document.querySelector('[data-testid=total]')),
    payable: () => {
      const button = document.querySelector('[data-testid=pay-button]');
      return visible(button) && !button.disabled && button.getAttribute('aria-busy') !== 'true';
    },
  };
  let scheduled = false;
  const check = () => {
    scheduled = false;
    for (const [name, ready] of Object.entries(checks)) {
      if (!(name in marks) && ready()) marks[name] = performance.now();
    }
  };
  new MutationObserver(() => {
    if (!scheduled) { scheduled = true; requestAnimationFrame(check); }
  }).observe(document, { childList: true, subtree: true, attributes: true });
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__bench.cls += entry.value;
  }).observe({ type: 'layout-shift', buffered: true });
};

/** One cold load of `url` in a fresh context of `browser`, its CPU slowed `rate` times (also used by ab.mjs). */
export async function oneRun(browser, url, timeoutMs, rate) {
  const device = devices['Pixel 5'];
  const context = await browser.newContext({ ...device, locale: 'es-CL' });
  try {
    const page = await context.newPage();
    await page.addInitScript(PROBE);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate });
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: PROFILE.rttMs,
      downloadThroughput: PROFILE.downloadBitsPerSecond / 8,
      uploadThroughput: PROFILE.uploadBitsPerSecond / 8,
    });
    // Bytes as they crossed the (emulated) wire, per request: shows what compression the server
    // actually applied and how many requests the load took.
    // CDP timestamps are monotonic seconds; the first request (the document) is time zero.
    const requests = new Map();
    let t0 = null;
    cdp.on('Network.requestWillBeSent', (e) => {
      t0 ??= e.timestamp;
      requests.set(e.requestId, { url: e.request.url, method: e.request.method, startMs: (e.timestamp - t0) * 1000 });
    });
    cdp.on('Network.responseReceived', (e) => {
      const r = requests.get(e.requestId);
      if (r) Object.assign(r, { status: e.response.status, encoding: e.response.headers['content-encoding'] ?? e.response.headers['Content-Encoding'] ?? null });
    });
    cdp.on('Network.loadingFinished', (e) => {
      const r = requests.get(e.requestId);
      if (r) Object.assign(r, { bytes: e.encodedDataLength, endMs: (e.timestamp - t0) * 1000 });
    });

    await page.goto(url, { waitUntil: 'commit', timeout: timeoutMs });
    await page.locator('[data-testid=pay-button]:enabled').waitFor({ state: 'visible', timeout: timeoutMs });
    // Let the probe's pending animation frame run.
    await page.waitForFunction(() => 'payable' in window.__bench.marks && 'summary' in window.__bench.marks, null, { timeout: 5000 });
    const result = await page.evaluate(() => {
      const fcp = performance.getEntriesByName('first-contentful-paint')[0];
      // The app's wasm (not a post-payment chunk): its last byte, on the page's clock.
      const wasm = performance.getEntriesByType('resource').find((e) => /\/checkout-[0-9a-f]+_bg\.wasm$/.test(new URL(e.name).pathname));
      return { ...window.__bench.marks, cls: window.__bench.cls, fcp: fcp ? fcp.startTime : null, wasmEnd: wasm ? wasm.responseEnd : null };
    });
    const transferred = [...requests.values()].filter((r) => r.bytes !== undefined);
    return {
      summaryMs: result.summary,
      payableMs: result.payable,
      // What the page itself spends once the network is done: instantiating, V8's lazy compile
      // of the functions the first render calls, the render tasks and their frames.
      afterWasmMs: result.wasmEnd == null ? null : result.payable - result.wasmEnd,
      fcpMs: result.fcp,
      cls: result.cls,
      requests: transferred.length,
      transferredBytes: transferred.reduce((sum, r) => sum + r.bytes, 0),
      perRequest: transferred.map((r) => ({
        request: `${r.method} ${new URL(r.url).pathname}`, status: r.status, encoding: r.encoding, bytes: r.bytes, startMs: r.startMs, endMs: r.endMs,
      })),
    };
  } finally {
    await context.close();
  }
}

/**
 * How fast this host runs JavaScript now, unthrottled and slowed `rate` times: Lighthouse's own
 * `benchmarkIndex` (higher is faster), computed in a blank page of `browser`. The second figure
 * is the phone the loads actually emulate, read before and after them to show any drift.
 */
export async function hostSpeed(browser, rate) {
  return withBenchmark(browser, async (index) => ({ unthrottled: await index(1), emulated: await index(rate) }));
}

/**
 * The rate at which this host emulates a phone of `target` on the same index, the way Chrome
 * DevTools calibrates its presets: halve the interval of rates until the blank page's index
 * (median of 3) is within 5 % of the target (8 tries at most). `ok` is false when it ends
 * further than 10 % off (a host slower than the phone, or too unsteady to aim at).
 */
export async function calibrate(browser, target) {
  return withBenchmark(browser, async (one) => {
    // One reading moves by a third between runs at the same rate: the median of three.
    const index = async (rate) => median([await one(rate), await one(rate), await one(rate)]);
    let [low, high] = [1, 16];
    let rate = PROFILE.fixedSlowdown;
    let measured = await index(rate);
    for (let i = 0; i < 8 && Math.abs(measured - target) > target * 0.05; i++) {
      if (measured > target) low = rate;
      else high = rate;
      rate = (low + high) / 2;
      measured = await index(rate);
    }
    return { target, rate: Math.round(rate * 100) / 100, measured, ok: Math.abs(measured - target) <= target * 0.1 };
  });
}

/** Runs `use` with `index(rate)`: Lighthouse's benchmarkIndex in a blank page at that slowdown. */
async function withBenchmark(browser, use) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    const index = async (rate) => {
      await cdp.send('Emulation.setCPUThrottlingRate', { rate });
      return Math.round(await page.evaluate(`(${pageFunctions.computeBenchmarkIndex.toString()})()`));
    };
    await index(1); // V8 warms up on the first run
    return await use(index);
  } finally {
    await context.close();
  }
}

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/**
 * The CPU slowdown for loads on `browser`: calibrated to the phone of index `cpuIndex`, or the
 * fixed rate when `cpuIndex` is null. Logs what it found.
 */
export async function cpuRate(browser, cpuIndex, log = () => {}) {
  if (cpuIndex == null) return { rate: PROFILE.fixedSlowdown, calibrated: null };
  const calibrated = await calibrate(browser, cpuIndex);
  log(`  CPU calibrated to a benchmarkIndex of ${cpuIndex}: ${calibrated.rate}x (measured ${calibrated.measured}${calibrated.ok ? '' : ', too far off'})`);
  return { rate: calibrated.rate, calibrated };
}

/**
 * `runs` cold loads of `url` on the phone of index `cpuIndex` (null: the fixed slowdown); medians
 * plus every run. A failed run is recorded, not retried.
 */
export async function measureLoads(url, runs, { timeoutMs = 60_000, log = () => {}, cpuIndex = PROFILE.phone.index } = {}) {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROME_FLAGS, headless: true });
  const all = [];
  const failures = [];
  let speed = {};
  try {
    speed = await cpuRate(browser, cpuIndex, log);
    speed.before = await hostSpeed(browser, speed.rate);
    for (let i = 0; i < runs; i++) {
      try {
        const run = await oneRun(browser, url, timeoutMs, speed.rate);
        log(`  run ${i + 1}/${runs}: summary ${run.summaryMs.toFixed(0)} ms, usable ${run.payableMs.toFixed(0)} ms`);
        all.push(run);
      } catch (e) {
        log(`  run ${i + 1}/${runs} failed: ${String(e.message ?? e).split('\n')[0]}`);
        failures.push(String(e.message ?? e).split('\n')[0]);
      }
    }
    speed.after = await hostSpeed(browser, speed.rate);
    log(`  host's benchmarkIndex, unthrottled / at ${speed.rate}x: before ${speed.before.unthrottled} / ${speed.before.emulated}, after ${speed.after.unthrottled} / ${speed.after.emulated}`);
  } finally {
    await browser.close();
  }
  if (all.length === 0) return { runs: [], failures, median: null, hostSpeed: speed };
  const usable = median(all.map((r) => r.payableMs));
  return {
    runs: all,
    failures,
    median: {
      summaryMs: median(all.map((r) => r.summaryMs)),
      payableMs: usable,
      afterWasmMs: median(all.map((r) => r.afterWasmMs ?? NaN).filter((v) => !Number.isNaN(v))),
      fcpMs: median(all.map((r) => r.fcpMs ?? NaN).filter((v) => !Number.isNaN(v))),
      transferredBytes: median(all.map((r) => r.transferredBytes)),
      requests: median(all.map((r) => r.requests)),
    },
    maxCls: Math.max(...all.map((r) => r.cls)),
    hostSpeed: speed,
    // The run whose time to usable is the median: its request waterfall is the one printed.
    medianRun: all.reduce((best, r) => (Math.abs(r.payableMs - usable) < Math.abs(best.payableMs - usable) ? r : best)),
  };
}

/**
 * The fastest a cold load could be on PROFILE given the bytes, ignoring CPU entirely:
 *   round trips: TCP connect (1) + the HTML (1) + css/js/wasm fetched in parallel (1)
 *                + the session API call (1) = 4 RTT;
 *   transfer:    every first-load byte (brotli html+css+js+wasm) plus the session response,
 *                serialised over the 1.6 Mbit/s downlink (parallel fetches share it).
 * The real page also parses, compiles (on the emulated phone's CPU) and renders, so the ratio measured/bound says how
 * much is left beyond what the network forces.
 */
export function lowerBound(firstLoadBrotliBytes, apiResponseBytes) {
  const roundTrips = 4;
  const bytes = firstLoadBrotliBytes + apiResponseBytes;
  const transferMs = (bytes * 8 * 1000) / PROFILE.downloadBitsPerSecond;
  return { roundTrips, rttMs: PROFILE.rttMs, bytes, transferMs, totalMs: roundTrips * PROFILE.rttMs + transferMs };
}
