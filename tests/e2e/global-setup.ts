// Starts the release checkout-server in sandbox mode on a free port for the whole run and waits
// for /healthz. With CHECKOUT_URL already set (e.g. a server from ./run), that server is used.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort } from './fixtures/free-port';

const REPO = path.resolve(__dirname, '..', '..');

/** The server's log under test-results/: E2E_SERVER_LOG, so the engine runs keep the Chromium run's. */
function serverLog(): string {
  return process.env.E2E_SERVER_LOG ?? 'server.log';
}

async function waitHealthy(url: string, exited: () => string | null, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const exit = exited();
    if (exit) throw new Error(`checkout-server exited during start-up (${exit}); see test-results/${serverLog()}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (e) {
      last = String(e);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url}/healthz did not answer within ${timeoutMs} ms (${last})`);
}

export default async function globalSetup(): Promise<void> {
  if (process.env.CHECKOUT_URL) {
    await waitHealthy(process.env.CHECKOUT_URL, () => null, 10_000);
    return;
  }
  const bin = path.join(REPO, 'target', 'release', 'checkout-server');
  // E2E_DIST_DIR: another build of the SPA (e.g. one not shared with a running ./run).
  const dist = process.env.E2E_DIST_DIR ? path.resolve(process.env.E2E_DIST_DIR) : path.join(REPO, 'dist');
  for (const [what, p] of [['server binary', bin], ['SPA build', path.join(dist, 'index.html')]]) {
    if (!fs.existsSync(p)) throw new Error(`${what} missing at ${p}: run ./test (it builds both) first`);
  }

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // The sandbox's demo merchant page: a second real origin that embeds the checkout (embed.spec.ts).
  const merchantPort = await freePort();
  fs.mkdirSync(path.join(__dirname, 'test-results'), { recursive: true });
  const log = fs.openSync(path.join(__dirname, 'test-results', serverLog()), 'w');

  // Sandbox mode: no upstream variables may leak in from the caller's environment.
  // Every spec opens sessions from 127.0.0.1: the per-client rate limits (tested natively in
  // server/tests) would turn a full run into 429s, so they are off here.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PUBLIC_URL: url,
    RUST_LOG: process.env.RUST_LOG ?? 'info',
    RATE_LIMIT_SESSIONS_PER_MIN: '0',
    RATE_LIMIT_PAYMENTS_PER_MIN: '0',
    RATE_LIMIT_READS_PER_MIN: '0',
    // A hung upstream answers 504 after this (default 10 s), so the timeout specs stay short.
    UPSTREAM_TIMEOUT_MS: '3000',
  };
  // No injected faults or proxy trust either: specs that want faults install them themselves.
  for (const key of ['CONOMY_API_BASE', 'CONOMY_API_KEY', 'CONOMY_CLIENT_ID', 'CONOMY_CLIENT_SECRET',
    'PORT', 'BIND_ADDRESS', 'DIST_DIR', 'SANDBOX_FAULTS', 'TRUST_PROXY',
    'SANDBOX_PUBLIC', 'SANDBOX_CONTROL_TOKEN', 'CHECKOUT_SESSION_SECRET', 'CHECKOUT_SESSION_SECRET_PREVIOUS']) {
    delete env[key];
  }
  const args = ['--port', String(port), '--dist', dist, '--merchant-demo-port', String(merchantPort)];
  const server = spawn(bin, args, { env, stdio: ['ignore', log, log] });
  let exit: string | null = null;
  server.on('exit', (code, signal) => { exit = `code ${code}, signal ${signal}`; });
  server.on('error', (e) => { exit = String(e); });

  process.env.CHECKOUT_URL = url;
  process.env.MERCHANT_URL = `http://localhost:${merchantPort}`;
  process.env.CHECKOUT_SERVER_PID = String(server.pid);
  try {
    await waitHealthy(url, () => exit, 30_000);
  } catch (e) {
    server.kill('SIGKILL');
    throw e;
  }
}
