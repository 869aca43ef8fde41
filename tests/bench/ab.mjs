// Two builds, or two browsers, compared under ./bench's cold-load profile (the CPU calibrated
// once, to ./bench's phone, and the same rate for both sides). This host's speed
// moves a single load by 10-15 % within minutes, more than most single changes are worth; loads
// of A and B alternated in one browser see the same host, so their medians can be compared.
//
//   node tests/bench/ab.mjs <url A> <url B> [rounds=10]
//   AB_FLAGS_B='--js-flags=--no-wasm-lazy-compilation' node tests/bench/ab.mjs <url> <url>
//
// Each URL is a demo link on a running server (start one per dist/, on ports far apart: the
// sandbox also listens on the next ports). AB_FLAGS_B gives B's loads a browser of their own
// with these extra flags (what an engine setting would change). Prints, per side, the medians
// of summary painted, usable and the page's own time after the wasm's last byte.
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROME_FLAGS, PROFILE, cpuRate, median, oneRun } from './browser.mjs';

const [urlA, urlB, rounds = '10'] = process.argv.slice(2);
if (!urlA || !urlB) throw new Error('usage: ab.mjs <url A> <url B> [rounds]');
const launch = (extra = []) => chromium.launch({ executablePath: CHROMIUM, args: [...CHROME_FLAGS, ...extra], headless: true });
const browserA = await launch();
const flagsB = process.env.AB_FLAGS_B?.split(' ').filter(Boolean) ?? [];
const browserB = flagsB.length ? await launch(flagsB) : browserA;
const sides = { A: { url: urlA, browser: browserA, runs: [] }, B: { url: urlB, browser: browserB, runs: [] } };
try {
  const { rate } = await cpuRate(browserA, PROFILE.phone.index, console.log);
  // A first load per browser is slower (its own start-up): not counted.
  await oneRun(browserA, urlA, 60_000, rate);
  if (browserB !== browserA) await oneRun(browserB, urlB, 60_000, rate);
  for (let i = 0; i < Number(rounds); i++) {
    for (const name of i % 2 ? ['B', 'A'] : ['A', 'B']) {
      const side = sides[name];
      side.runs.push(await oneRun(side.browser, side.url, 60_000, rate));
    }
  }
} finally {
  await browserA.close();
  if (browserB !== browserA) await browserB.close();
}
for (const [name, { runs }] of Object.entries(sides)) {
  const m = (key) => Math.round(median(runs.map((r) => r[key])));
  console.log(`${name}: ${runs.length} loads; medians: summary ${m('summaryMs')} ms, usable ${m('payableMs')} ms, ` +
    `after the wasm's last byte ${m('afterWasmMs')} ms, ${m('transferredBytes')} B on the wire ` +
    `(usable: ${runs.map((r) => Math.round(r.payableMs)).join(' ')})`);
}
