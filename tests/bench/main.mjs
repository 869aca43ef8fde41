// ./bench's measurements against a running release server: sizes, mobile-emulated loads,
// Lighthouse and loopback load; prints a table, writes JSON, exits 1 when a budget is missed.
// Configured by ./bench through the environment (BENCH_URL, BENCH_SERVER_PID, ...).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { measure, distSizes } from './sizes.mjs';
import { measureLoads, lowerBound, PHONES, PROFILE } from './browser.mjs';
import { measureLighthouse } from './lighthouse.mjs';
import { loadRun } from './load.mjs';

const env = (name, fallback) => process.env[name] ?? fallback;
const REPO = env('BENCH_REPO', path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..'));
const BASE = env('BENCH_URL', '');
const PID = Number(env('BENCH_SERVER_PID', '0'));
const OUT = env('BENCH_OUT', path.join(REPO, 'target', 'bench'));
const TOKEN = env('BENCH_TOKEN', 'demo-clp');
const RUNS = Number(env('BENCH_RUNS', '5'));
const LH_RUNS = Number(env('BENCH_LH_RUNS', '5'));
const LOAD_SECONDS = Number(env('BENCH_LOAD_SECONDS', '10'));
// The cold loads' CPU: a phone of this benchmarkIndex (browser.mjs `calibrate`), by default the
// profile's mid-tier phone the budget is stated for; `off` runs them at the fixed 4x instead, and
// the budgets table then says so.
const CPU_INDEX = env('BENCH_CPU_INDEX', '') === 'off' ? null : Number(env('BENCH_CPU_INDEX', '')) || PROFILE.phone.index;
// The same loads on a low-tier phone, reported beside the budget's (not gated): the payers with
// the slowest phones are the first to feel a heavier start-up. 0 skips them.
const LOW_TIER_RUNS = Number(env('BENCH_LOW_TIER_RUNS', '3'));
const cpuName = (index) => {
  if (index == null) return `${PROFILE.fixedSlowdown}x CPU`;
  const phone = Object.values(PHONES).find((p) => p.index === index);
  return `CPU of a benchmarkIndex of ${index}${phone ? `, a ${phone.name}` : ''}`;
};
if (!BASE || !PID) throw new Error('BENCH_URL and BENCH_SERVER_PID are set by ./bench');

// The budgets (1 KB = 1000 bytes, the stricter reading):
// * first load at most 200 KB brotli: lighter than BTCPay's 206 KB, the lightest peer checkout
//   measured;
// * time to usable at most 1.15x what the network alone forces (lowerBound in browser.mjs), as
//   the median of 5 cold loads on a mid-tier phone: what is left above it is the page's own CPU
//   time;
// * Lighthouse performance: the median of 5 runs at least 95 and no run below 90. A busy host
//   moves a single run by several points (its benchmarkIndex shows how fast the host ran), so no
//   single run decides; a run under 90 is more than that noise;
// * accessibility 100, CLS under 0.05 (Lighthouse and every emulated load), embed.js at most
//   4 KB gzip (merchants load it on their own pages), and no error in the loopback load runs.
const BUDGET = {
  firstLoadBrotliBytes: 200_000,
  embedGzipBytes: 4_000,
  loadRuns: 5,
  usableOverBound: 1.15,
  lighthouseRuns: 5,
  lighthousePerformanceMedian: 95,
  lighthousePerformanceFloor: 90,
  lighthouseAccessibility: 100,
  cls: 0.05,
};

const log = (line) => process.stderr.write(`${line}\n`);
const section = (title) => log(`\n\x1b[1;36m== ${title} ==\x1b[0m`);
fs.mkdirSync(OUT, { recursive: true });

const results = { date: new Date().toISOString(), machine: machine(), url: `${BASE}/${TOKEN}`, profile: PROFILE, budgets: BUDGET, errors: {} };

// Each step is independent: a failure is recorded and the others still run and print.
async function step(name, fn) {
  try {
    results[name] = await fn();
  } catch (e) {
    results[name] = null;
    results.errors[name] = String(e.message ?? e);
    log(`  ${name} FAILED: ${results.errors[name]}`);
  }
}

function machine() {
  const cpus = os.cpus();
  return { cpus: cpus.length, model: cpus[0]?.model ?? 'unknown', node: process.version, memGiB: +(os.totalmem() / 2 ** 30).toFixed(1) };
}

section('dist sizes');
await step('sizes', async () => distSizes(REPO));

section('session API response');
await step('api', async () => {
  const res = await fetch(`${BASE}/api/payment-links/token/${TOKEN}/checkout-sessions`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', signal: AbortSignal.timeout(10_000),
  });
  const body = Buffer.from(await res.arrayBuffer());
  if (!res.ok) throw new Error(`HTTP ${res.status}: ${body.toString().slice(0, 200)}`);
  return { status: res.status, ...measure(body) };
});

const coldLoads = (name, runs, cpuIndex) => {
  section(`mobile-emulated cold loads (${runs} runs, ${cpuName(cpuIndex)}, ${PROFILE.rttMs} ms RTT, ${PROFILE.downloadBitsPerSecond / 1e6} Mbit/s)`);
  return step(name, async () => {
    const loads = await measureLoads(`${BASE}/${TOKEN}`, runs, { log, cpuIndex });
    if (!loads.median) throw new Error(`every run failed: ${loads.failures[0]}`);
    return loads;
  });
};
await coldLoads('loads', RUNS, CPU_INDEX);
if (LOW_TIER_RUNS > 0) await coldLoads('lowTierLoads', LOW_TIER_RUNS, PHONES.lowTier.index);
if (results.sizes && results.api) results.lowerBound = lowerBound(results.sizes.firstLoad.brotli, results.api.brotli);
const ratioOf = (loads) => (loads && results.lowerBound ? loads.median.payableMs / results.lowerBound.totalMs : null);
if (results.lowerBound && results.loads) results.lowerBound.ratio = ratioOf(results.loads);
if (results.lowTierLoads) results.lowTierLoads.ratio = ratioOf(results.lowTierLoads);

section(`Lighthouse mobile (${LH_RUNS} runs)`);
await step('lighthouse', async () => {
  const lh = await measureLighthouse(`${BASE}/${TOKEN}`, LH_RUNS, OUT, { log });
  if (!lh.median) throw new Error(`every run failed: ${lh.failures[0]}`);
  return lh;
});

section(`loopback load (wrk, ${LOAD_SECONDS} s each)`);
await step('loadSessions', async () => loadRun('session creation', `${BASE}/api/payment-links/token/${TOKEN}/checkout-sessions`,
  { method: 'POST', body: '{}', headers: { 'Content-Type': 'application/json' } },
  { pid: PID, outDir: OUT, seconds: LOAD_SECONDS, log }));
await step('loadWasm', async () => {
  if (!results.sizes?.wasmPath) throw new Error('no wasm in dist');
  // Browsers always offer compression; without it the server would send the raw wasm.
  return loadRun('wasm asset', `${BASE}${results.sizes.wasmPath}`,
    { method: 'GET', headers: { 'Accept-Encoding': 'br, gzip' } },
    { pid: PID, outDir: OUT, seconds: LOAD_SECONDS, log });
});

// Session creation through nginx with 1 and with 3 gateways (upstream mode, limits in Redis,
// scripts/cluster.mjs): what the load balancer, the gateway's HTTP hop to Conomy (the sandbox
// server here) and a Redis check per request cost. Every process shares this machine's 2 cores
// with wrk, so 3 gateways cannot be faster than 1: the figure is overhead, not scaling.
await step('loadCluster', async () => {
  const { Cluster } = await import('../../scripts/cluster.mjs');
  const runs = [];
  for (const gateways of [1, 3]) {
    const cluster = new Cluster({
      gateways,
      out: path.join(REPO, 'target', 'bench', `cluster-${gateways}`),
      // Limits on (so each request runs the Redis script) but out of wrk's reach.
      gatewayEnv: { RUST_LOG: 'warn', RATE_LIMIT_SESSIONS_PER_MIN: '1000000000', RATE_LIMIT_SESSIONS_BURST: '1000000000' },
    });
    try {
      await cluster.start();
      runs.push({ gateways, ...await loadRun(`session creation via nginx, ${gateways} gateway(s)`,
        `${cluster.url}/api/payment-links/token/${TOKEN}/checkout-sessions`,
        { method: 'POST', body: '{}', headers: { 'Content-Type': 'application/json' } },
        { pid: cluster.gateways[0].proc.pid, outDir: OUT, seconds: LOAD_SECONDS, log }) });
    } finally {
      await cluster.stop();
    }
  }
  return { runs };
});

// ---- budgets ----------------------------------------------------------------------------
const checks = [];
const check = (name, measured, limit, ok) => checks.push({ name, measured, limit, status: measured == null ? 'FAIL (not measured)' : ok ? 'pass' : 'FAIL' });
const kb = (b) => (b == null ? null : `${(b / 1000).toFixed(1)} KB`);
check('first load (html+js+wasm+css), brotli', kb(results.sizes?.firstLoad.brotli), `<= ${kb(BUDGET.firstLoadBrotliBytes)}`,
  results.sizes?.firstLoad.brotli <= BUDGET.firstLoadBrotliBytes);
if (results.sizes && !results.sizes.embed) {
  checks.push({ name: 'embed.js, gzip', measured: 'absent', limit: `<= ${kb(BUDGET.embedGzipBytes)}`, status: 'skip' });
} else {
  check('embed.js, gzip', kb(results.sizes?.embed?.gzip), `<= ${kb(BUDGET.embedGzipBytes)}`, results.sizes?.embed?.gzip <= BUDGET.embedGzipBytes);
}
// A budget stated over N runs is not met by fewer: with BENCH_RUNS or BENCH_LH_RUNS below 5, or
// a run that failed, the check says so instead of passing on what it has.
const tooFew = (measured, wanted, failed) => (failed > 0 ? `FAIL (${failed} run(s) failed)`
  : measured < wanted ? `FAIL (${measured} of the ${wanted} runs it needs)` : null);
const checkRuns = (name, measured, limit, ok, shortfall) => {
  if (measured != null && shortfall) checks.push({ name, measured, limit, status: shortfall });
  else check(name, measured, limit, ok);
};
const ratio = results.lowerBound?.ratio;
const calibrated = results.loads?.hostSpeed?.calibrated;
// The budget is stated for the mid-tier phone: loads at another CPU, or on a host the
// calibration could not bring to it, measure something else and say so.
const offPhone = CPU_INDEX !== PROFILE.phone.index ? `FAIL (loads at ${cpuName(CPU_INDEX)}, not the budget's phone)`
  : calibrated && !calibrated.ok ? `FAIL (CPU not calibrated: an index of ${calibrated.measured} for ${calibrated.target})` : null;
checkRuns(`time to usable / lower bound, median of ${results.loads?.runs.length ?? 0}, ${PROFILE.phone.name}`, ratio == null ? null : `${ratio.toFixed(2)}x`,
  `<= ${BUDGET.usableOverBound}x`, ratio <= BUDGET.usableOverBound,
  offPhone ?? tooFew(results.loads?.runs.length ?? 0, BUDGET.loadRuns, results.loads?.failures.length ?? 0));
const lh = results.lighthouse?.median;
const lhRuns = results.lighthouse?.runs ?? [];
const lhScores = lhRuns.map((r) => r.performance);
const lhScored = lhScores.filter((p) => p != null);
const lhShortfall = tooFew(lhScored.length, BUDGET.lighthouseRuns,
  (results.lighthouse?.failures?.length ?? 0) + (lhScores.length - lhScored.length));
const lhMedian = results.lighthouse?.medianPerformance ?? null;
checkRuns(`Lighthouse performance, median of ${lhScored.length} (${lhScores.map((p) => p ?? '-').join(', ') || 'none'})`, lhMedian,
  `>= ${BUDGET.lighthousePerformanceMedian}`, lhMedian >= BUDGET.lighthousePerformanceMedian, lhShortfall);
const lhWorst = lhScored.length === 0 ? null : Math.min(...lhScored);
checkRuns('Lighthouse performance, worst run', lhWorst, `>= ${BUDGET.lighthousePerformanceFloor}`,
  lhWorst >= BUDGET.lighthousePerformanceFloor, lhShortfall);
check('Lighthouse accessibility', lh?.accessibility, `= ${BUDGET.lighthouseAccessibility}`, lh?.accessibility >= BUDGET.lighthouseAccessibility);
check('CLS (Lighthouse)', lh?.cls == null ? null : lh.cls.toFixed(3), `< ${BUDGET.cls}`, lh?.cls < BUDGET.cls);
check('CLS (emulated loads, worst run)', results.loads == null ? null : results.loads.maxCls.toFixed(3), `< ${BUDGET.cls}`, results.loads?.maxCls < BUDGET.cls);
for (const run of [results.loadSessions, results.loadWasm]) {
  if (!run) continue;
  const errors = run.non2xx + Object.values(run.socketErrors).reduce((a, b) => a + b, 0);
  check(`load: ${run.name} without errors`, `${errors} errors`, '0 errors', errors === 0);
}
results.checks = checks;

// ---- table ------------------------------------------------------------------------------
function table(title, header, rows) {
  const cells = [header, ...rows].map((row) => row.map((c) => (c == null ? '-' : String(c))));
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  const line = (row) => `| ${row.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  console.log(`\n${title}\n`);
  console.log(line(cells[0]));
  console.log(`|${widths.map((w, i) => (i === 0 ? ':' : '-') + '-'.repeat(w) + (i === 0 ? '-' : ':')).join('|')}|`);
  for (const row of cells.slice(1)) console.log(line(row));
}
const ms = (v) => (v == null ? null : `${Math.round(v)} ms`);
const n = (v) => (v == null ? null : v.toLocaleString('en-US'));

if (results.sizes) {
  const s = results.sizes;
  table('Release dist/ (bytes; gzip -9, brotli q11)', ['file', 'raw', 'gzip', 'brotli'], [
    ...s.files.filter((f) => f.firstLoad || f === s.embed).map((f) => [f.file, n(f.raw), n(f.gzip), n(f.brotli)]),
    ...(s.files.some((f) => !f.firstLoad && f !== s.embed)
      ? [[`(${s.files.filter((f) => !f.firstLoad && f !== s.embed).length} other files, not in the first load)`,
        ...['raw', 'gzip', 'brotli'].map((k) => n(s.files.filter((f) => !f.firstLoad && f !== s.embed).reduce((a, f) => a + f[k], 0)))]]
      : []),
    ['first load (html+js+wasm+css)', n(s.firstLoad.raw), n(s.firstLoad.gzip), n(s.firstLoad.brotli)],
  ]);
}
if (results.loads || results.lowerBound) {
  const b = results.lowerBound;
  // One column per phone: the budget's, and the low-tier one reported beside it.
  const sets = [['loads', CPU_INDEX], ['lowTierLoads', PHONES.lowTier.index]].filter(([name]) => results[name]);
  const row = (label, f) => [label, ...sets.map(([name]) => f(results[name], results[name].median))];
  table(`Cold load of /${TOKEN}, mobile emulation (medians; lower bound ${b ? `${Math.round(b.totalMs)} ms: 4 RTT + brotli bytes at 1.6 Mbit/s, ${b.roundTrips * b.rttMs} + ${Math.round(b.transferMs)}` : '-'})`,
    ['measure', ...sets.map(([name, index]) => `${name !== 'loads' ? 'reported: ' : offPhone ? 'measured: ' : 'budget: '}${index == null ? `${PROFILE.fixedSlowdown}x` : `index ${index}`}`)], [
      row('loads', (l) => l.runs.length),
      row('first contentful paint', (l, m) => ms(m.fcpMs)),
      row('order summary painted', (l, m) => ms(m.summaryMs)),
      row('pay button usable', (l, m) => ms(m.payableMs)),
      row("the page's own time after the wasm's last byte", (l, m) => ms(m.afterWasmMs)),
      row('usable / lower bound', (l) => (ratioOf(l) == null ? null : `${ratioOf(l).toFixed(2)}x`)),
      row('bytes on the wire, requests', (l, m) => `${n(m.transferredBytes)} B, ${m.requests}`),
      row('CPU slowdown (calibrated: the index it reached)', (l) => (l.hostSpeed.calibrated ? `${l.hostSpeed.rate}x (${n(l.hostSpeed.calibrated.measured)})` : `${l.hostSpeed.rate}x`)),
      row('benchmarkIndex at that slowdown, before / after the loads', (l) => l.hostSpeed.after && `${n(l.hostSpeed.before.emulated)} / ${n(l.hostSpeed.after.emulated)}`),
      row('benchmarkIndex unthrottled, before / after', (l) => l.hostSpeed.after && `${n(l.hostSpeed.before.unthrottled)} / ${n(l.hostSpeed.after.unthrottled)}`),
    ]);
}
if (results.loads?.medianRun) {
  const run = results.loads.medianRun;
  table(`Requests of the median run (times from the document request; usable at ${ms(run.payableMs)})`, ['request', 'status', 'encoding', 'bytes', 'start', 'end'],
    run.perRequest.map((r) => [r.request.length > 60 ? `${r.request.slice(0, 57)}...` : r.request, r.status, r.encoding ?? 'none', n(r.bytes), ms(r.startMs), ms(r.endMs)]));
}
if (lhRuns.length) {
  table(`Lighthouse mobile, every run (performance median ${lhMedian ?? '-'}; benchmarkIndex: the host's speed, higher is faster)`,
    ['run', 'performance', 'TBT', 'LCP', 'CLS', 'accessibility', 'benchmarkIndex'],
    [...lhRuns.map((r) => [`run ${r.run}`, r.performance, ms(r.tbtMs), ms(r.lcpMs), r.cls?.toFixed(3), r.accessibility,
      r.benchmarkIndex == null ? null : n(Math.round(r.benchmarkIndex))]),
    // A run that measured nothing is listed too: it counts against the budgets.
    ...(results.lighthouse.failures ?? []).map((f) => [f.slice(0, f.indexOf(':')), 'failed', null, null, null, null, null])]
      .sort((a, b) => Number(a[0].slice(4)) - Number(b[0].slice(4))));
}
if (lh) {
  table('Lighthouse mobile (the run closest to the median performance)', ['measure', 'value'], [
    ['performance', lh.performance], ['accessibility', lh.accessibility], ['best practices', lh.bestPractices],
    ['LCP', ms(lh.lcpMs)], ['TBT', ms(lh.tbtMs)], ['CLS', lh.cls?.toFixed(3)],
    ['benchmarkIndex', lh.benchmarkIndex == null ? null : n(Math.round(lh.benchmarkIndex))],
    ['runs again (trace unusable)', results.lighthouse.retried?.join(', ') || 'none'],
  ]);
}
const runs = [results.loadSessions, results.loadWasm].filter(Boolean);
if (runs.length) {
  table(`Loopback load (${runs[0].wrk}; session rate limit off: RATE_LIMIT_SESSIONS_PER_MIN=0)`, ['target', 'req/s', 'p50', 'p99', 'non-2xx', 'bytes/resp', 'RSS before -> after'],
    runs.map((r) => [`${r.method} ${r.name}`, n(Math.round(r.reqPerSec)), `${r.p50Ms.toFixed(2)} ms`, `${r.p99Ms.toFixed(2)} ms`, r.non2xx, n(Math.round(r.bytesPerResponse)),
      `${(r.rssBeforeKiB / 1024).toFixed(1)} -> ${(r.rssAfterKiB / 1024).toFixed(1)} MiB`]));
}
const clusterRuns = results.loadCluster?.runs;
if (clusterRuns?.length === 2) {
  const [one, three] = clusterRuns;
  const both = (f) => `${f(one)} / ${f(three)}`;
  table(`Through nginx (${one.wrk}; 1 / 3 upstream-mode gateways, limits in Redis; 2 cores shared by every process and wrk: overhead, not scaling)`,
    ['target', 'req/s', 'p50', 'p99', 'non-2xx', 'errors'],
    [['POST session creation, 1 / 3 gateways', both((r) => n(Math.round(r.reqPerSec))), both((r) => `${r.p50Ms.toFixed(2)} ms`),
      both((r) => `${r.p99Ms.toFixed(2)} ms`), both((r) => r.non2xx), both((r) => Object.values(r.socketErrors).reduce((a, b) => a + b, 0))]]);
}
table('Budgets', ['budget', 'measured', 'limit', 'status'], checks.map((c) => [c.name, c.measured, c.limit, c.status]));
for (const [name, error] of Object.entries(results.errors)) console.log(`\nstep ${name} failed: ${error}`);

const stamp = results.date.replace(/[:.]/g, '-');
fs.writeFileSync(path.join(OUT, `bench-${stamp}.json`), JSON.stringify(results, null, 2));
fs.writeFileSync(path.join(OUT, 'latest.json'), JSON.stringify(results, null, 2));
console.log(`\nJSON: ${path.relative(REPO, path.join(OUT, 'latest.json'))} (and bench-${stamp}.json)`);
const missed = checks.filter((c) => c.status.startsWith('FAIL'));
console.log(missed.length ? `budgets missed: ${missed.length} of ${checks.length}` : `all ${checks.length} budgets met`);
process.exit(missed.length ? 1 : 0);
