// Lighthouse (mobile preset: simulated slow 4G and 4x CPU) on a demo link in Debian's Chromium.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM, CHROME_FLAGS, median } from './browser.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CLI = path.join(HERE, 'node_modules', 'lighthouse', 'cli', 'index.js');

function runCli(url, outFile, timeoutMs) {
  const args = [
    CLI, url,
    '--quiet',
    '--output=json',
    `--output-path=${outFile}`,
    '--only-categories=performance,accessibility,best-practices',
    `--chrome-flags=${CHROME_FLAGS.join(' ')}`,
    '--max-wait-for-load=45000',
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      env: { ...process.env, CHROME_PATH: CHROMIUM },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`lighthouse exited ${code ?? signal}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`));
    });
  });
}

function summarise(report) {
  const score = (id) => (report.categories[id]?.score == null ? null : Math.round(report.categories[id].score * 100));
  const audit = (id) => report.audits[id]?.numericValue ?? null;
  // Failing audits of the two scored categories we budget, so a miss says what to fix.
  const failing = (category) => (report.categories[category]?.auditRefs ?? [])
    .filter((ref) => ref.weight > 0 && report.audits[ref.id]?.score !== null && report.audits[ref.id]?.score < 1)
    .map((ref) => ref.id);
  return {
    performance: score('performance'),
    accessibility: score('accessibility'),
    bestPractices: score('best-practices'),
    lcpMs: audit('largest-contentful-paint'),
    tbtMs: audit('total-blocking-time'),
    cls: audit('cumulative-layout-shift'),
    fcpMs: audit('first-contentful-paint'),
    // Lighthouse's own measure of how fast the host ran during the run (a fixed JS workload;
    // higher is faster): a low score beside a low index says the host, not the page, was slow.
    benchmarkIndex: report.environment?.benchmarkIndex ?? null,
    runtimeError: report.runtimeError?.message ?? null,
    failingAudits: {
      accessibility: failing('accessibility'),
      bestPractices: failing('best-practices'),
    },
  };
}

// Lighthouse errors about its own recording, not the page: the trace it took over the load has
// no navigation start (with Chromium 156 headless, the failed traces lack the main frame's
// `navigationStart` and `domLoading` while its later events are all there; why is not known).
// Such a run measured nothing, so it is run again, at most twice, and reported as retried.
const RECORDING_ERRORS = ['NO_NAVSTART', 'NO_TRACING_STARTED'];
const MAX_RETRIES = 2;

/**
 * `runs` Lighthouse runs: every run's figures, the median performance score of the runs that
 * scored, and the run closest to that median (the one whose details are reported).
 */
export async function measureLighthouse(url, runs, outDir, { timeoutMs = 120_000, log = () => {} } = {}) {
  const results = [];
  const failures = [];
  const retried = [];
  for (let i = 0; i < runs; i++) {
    const outFile = path.join(outDir, `lighthouse-${i + 1}.json`);
    for (let attempt = 0; ; attempt++) {
      try {
        await runCli(url, outFile, timeoutMs);
        const result = summarise(JSON.parse(fs.readFileSync(outFile, 'utf8')));
        log(`  run ${i + 1}/${runs}: performance ${result.performance}, accessibility ${result.accessibility}, `
          + `LCP ${Math.round(result.lcpMs)} ms, TBT ${Math.round(result.tbtMs)} ms, benchmarkIndex ${result.benchmarkIndex ?? '-'}`);
        results.push({ run: i + 1, ...result, report: path.relative(process.cwd(), outFile) });
      } catch (e) {
        const recording = RECORDING_ERRORS.find((code) => e.message.includes(`(${code})`));
        if (recording && attempt < MAX_RETRIES) {
          log(`  run ${i + 1}/${runs}: Lighthouse's trace is unusable (${recording}), running it again`);
          retried.push(`run ${i + 1}: ${recording}`);
          continue;
        }
        log(`  run ${i + 1}/${runs} failed: ${e.message}`);
        failures.push(`run ${i + 1}: ${e.message}`);
      }
      break;
    }
  }
  if (results.length === 0) return { median: null, medianPerformance: null, runs: [], failures, retried };
  const scored = results.map((r) => r.performance).filter((p) => p != null);
  const perf = scored.length ? median(scored) : null;
  const chosen = results.reduce((best, r) => (Math.abs((r.performance ?? 0) - (perf ?? 0)) < Math.abs((best.performance ?? 0) - (perf ?? 0)) ? r : best));
  return { median: chosen, medianPerformance: perf, runs: results, failures, retried };
}
