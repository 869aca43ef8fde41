// Loopback load runs with wrk (bounded in time): session creation and the wasm asset, with the
// server's resident memory before and after each run.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPORT_LUA = fs.readFileSync(path.join(HERE, 'wrk-report.lua'), 'utf8');

/** Resident set size of `pid` in KiB, from /proc (Linux). */
export function rssKiB(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = status.match(/^VmRSS:\s+(\d+)\s+kB/m);
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]);
}

const luaString = (s) => JSON.stringify(s); // JSON string escapes are valid Lua escapes for ASCII.

function wrk(url, { method, body, headers, threads, connections, seconds }, scriptFile) {
  const settings = [`wrk.method = ${luaString(method)}`];
  if (body !== undefined) settings.push(`wrk.body = ${luaString(body)}`);
  for (const [name, value] of Object.entries(headers)) settings.push(`wrk.headers[${luaString(name)}] = ${luaString(value)}`);
  fs.writeFileSync(scriptFile, `${settings.join('\n')}\n${REPORT_LUA}`);
  const args = [`-t${threads}`, `-c${connections}`, `-d${seconds}s`, '--timeout', '5s', '-s', scriptFile, url];
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    // wrk stops itself after -d; the timer only guards against a hung run.
    const timer = setTimeout(() => child.kill('SIGKILL'), (seconds + 30) * 1000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const line = out.split('\n').find((l) => l.startsWith('BENCH_JSON '));
      if (code !== 0 || !line) return reject(new Error(`wrk exited ${code}: ${out.trim().slice(-300)}`));
      resolve(JSON.parse(line.slice('BENCH_JSON '.length)));
    });
  });
}

/**
 * One bounded run against `url`: a short warm-up (so lazily allocated buffers and the first
 * caches are not counted as growth), RSS, the measured run, RSS again.
 */
export async function loadRun(name, url, request, { pid, outDir, threads = 2, connections = 32, seconds = 10, log = () => {} }) {
  const scriptFile = path.join(outDir, `wrk-${name.replace(/\W+/g, '-')}.lua`);
  const shape = { headers: {}, ...request, threads, connections };
  await wrk(url, { ...shape, seconds: 2 }, scriptFile);
  const rssBefore = rssKiB(pid);
  const r = await wrk(url, { ...shape, seconds }, scriptFile);
  const rssAfter = rssKiB(pid);
  const seconds_ = r.duration_us / 1e6;
  const result = {
    name,
    url: new URL(url).pathname,
    method: request.method,
    wrk: `wrk -t${threads} -c${connections} -d${seconds}s`,
    requests: r.requests,
    reqPerSec: r.requests / seconds_,
    mbPerSec: r.bytes / seconds_ / 1e6,
    // Shows whether the server answered compressed (wrk offers what the headers say, nothing more).
    bytesPerResponse: r.requests ? r.bytes / r.requests : 0,
    p50Ms: r.latency_us.p50 / 1000,
    p99Ms: r.latency_us.p99 / 1000,
    maxMs: r.latency_us.max / 1000,
    non2xx: r.non2xx,
    socketErrors: r.socket_errors,
    rssBeforeKiB: rssBefore,
    rssAfterKiB: rssAfter,
  };
  log(`  ${name}: ${Math.round(result.reqPerSec)} req/s, p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms, non-2xx ${r.non2xx}, RSS ${rssBefore} -> ${rssAfter} KiB`);
  return result;
}
