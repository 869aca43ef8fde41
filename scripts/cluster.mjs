// A local cluster of the checkout, on loopback only, as an operator would run it:
// one sandbox-mode checkout-server playing Conomy, Debian's redis-server, N upstream-mode
// gateways sharing CHECKOUT_SESSION_SECRET and Redis (each with its own admin listener), and
// Debian's nginx in front with deploy/nginx/*.conf, round-robin. Everything it writes (configs,
// pid, temp files, logs) goes under target/cluster/.
//
// `scripts/cluster [N]` runs it in the foreground (built by that script); the cluster tests
// (tests/cluster/) import `Cluster` to kill, restart and drain its parts.

import { spawn, execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/// The sandbox's demo merchant credentials (server/src/sandbox/mod.rs): the gateways use them
/// as their "Conomy" credentials.
const SANDBOX_CREDENTIALS = {
  CONOMY_API_KEY: 'sandbox-api-key',
  CONOMY_CLIENT_ID: 'sandbox-client',
  CONOMY_CLIENT_SECRET: 'sandbox-secret',
};

// Debian puts nginx in /usr/sbin, which a non-root PATH may lack.
const NGINX = fs.existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx';
const REDIS_SERVER = fs.existsSync('/usr/bin/redis-server') ? '/usr/bin/redis-server' : 'redis-server';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A free loopback port (bound to 0, read back, released). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * One HTTP request over a fresh connection (no keep-alive, so a reload or a restart can never
 * meet a reused socket), optionally from a given loopback source address (one "client" each,
 * as the gateways key their limits on it). Resolves { status, headers, body, json }; rejects
 * on a network error or after `timeoutMs`.
 */
export function request(url, { method = 'GET', headers = {}, body, localAddress, timeoutMs = 20_000 } = {}) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const all = { ...headers };
    if (payload !== undefined) {
      all['content-type'] ??= 'application/json';
      all['content-length'] = Buffer.byteLength(payload);
    }
    const req = http.request(url, { method, headers: all, agent: false, localAddress, timeout: timeoutMs }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json;
        try { json = JSON.parse(text); } catch { json = undefined; }
        resolve({ status: res.statusCode, headers: res.headers, body: text, json });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timed out after ${timeoutMs} ms: ${method} ${url}`)));
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** Polls `check` (an async predicate) every `everyMs` until it holds or `timeoutMs` passes. */
export async function until(what, check, { timeoutMs = 20_000, everyMs = 100 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      if (await check()) return;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
    await sleep(everyMs);
  }
}

/** A child process whose output goes to `logFile`; `exited` resolves with its exit code/signal. */
function launch(command, args, { env, logFile, cwd = ROOT }) {
  const out = fs.openSync(logFile, 'a');
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  child.once('error', () => {});
  return { child, exited, pid: child.pid };
}

async function stopProcess(proc, signal = 'SIGTERM', graceMs = 30_000) {
  if (!proc || proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  proc.child.kill(signal);
  const done = await Promise.race([proc.exited, sleep(graceMs).then(() => null)]);
  if (done === null) {
    proc.child.kill('SIGKILL');
    await proc.exited;
  }
}

/** The environment every process starts from: only what they need, nothing of the caller's
 * checkout configuration (PORT, RATE_LIMIT_*, SANDBOX_* ...). */
function baseEnv() {
  const env = { PATH: process.env.PATH, HOME: process.env.HOME ?? '/tmp', RUST_LOG: process.env.CLUSTER_RUST_LOG ?? 'info' };
  if (process.env.TMPDIR) env.TMPDIR = process.env.TMPDIR;
  return env;
}

export class Cluster {
  /**
   * @param {object} options
   * @param {number} [options.gateways=3]
   * @param {string} [options.out] where configs, pids, temp files and logs go (target/cluster)
   * @param {string} [options.binary] the release checkout-server
   * @param {string} [options.dist] the built SPA the gateways serve
   * @param {Record<string,string>} [options.gatewayEnv] extra environment of every gateway
   * @param {(line: string) => void} [options.log]
   */
  constructor({ gateways = 3, out, binary, dist, gatewayEnv = {}, log = () => {} } = {}) {
    this.count = gateways;
    this.out = out ?? path.join(ROOT, 'target', 'cluster');
    this.binary = binary ?? path.join(ROOT, 'target', 'release', 'checkout-server');
    this.dist = dist ?? path.join(ROOT, 'dist');
    this.gatewayEnv = gatewayEnv;
    this.log = log;
    this.sessionSecret = crypto.randomBytes(32).toString('hex');
    this.gateways = [];
  }

  get nginxDir() { return path.join(this.out, 'nginx'); }
  get accessLog() { return path.join(this.nginxDir, 'access.log'); }
  get nginxConf() { return path.join(this.nginxDir, 'nginx.conf'); }

  async start() {
    fs.rmSync(this.out, { recursive: true, force: true });
    for (const dir of ['logs', 'redis', 'nginx', 'nginx/tmp']) fs.mkdirSync(path.join(this.out, dir), { recursive: true });
    // nginx's workers may run as another user (root starts them as nobody): they write here.
    fs.chmodSync(path.join(this.out, 'nginx', 'tmp'), 0o777);
    this.nginxPort = await freePort();
    this.url = `http://127.0.0.1:${this.nginxPort}`;
    this.sandboxPort = await freePort();
    this.sandboxUrl = `http://127.0.0.1:${this.sandboxPort}`;
    this.redisPort = await freePort();
    this.redisUrl = `redis://127.0.0.1:${this.redisPort}/`;
    for (let i = 0; i < this.count; i++) {
      this.gateways.push({ index: i, port: await freePort(), adminPort: await freePort(), proc: null, down: false });
    }

    await this.startRedis();
    await this.startSandbox();
    await Promise.all(this.gateways.map((_, i) => this.startGateway(i)));
    this.writeNginxConf();
    await this.startNginx();
    return this;
  }

  // ---- Redis ------------------------------------------------------------------------------

  async startRedis() {
    this.redis = launch(REDIS_SERVER, [
      '--bind', '127.0.0.1', '--port', String(this.redisPort), '--save', '', '--appendonly', 'no',
      '--dir', path.join(this.out, 'redis'), '--protected-mode', 'yes',
    ], { env: baseEnv(), logFile: path.join(this.out, 'logs', 'redis.log') });
    await until('redis-server to listen', () => canConnect(this.redisPort), { timeoutMs: 10_000, everyMs: 50 });
    this.log(`redis-server on ${this.redisUrl}`);
  }

  async stopRedis() {
    await stopProcess(this.redis, 'SIGKILL');
    this.redis = null;
  }

  // ---- the sandbox playing Conomy -----------------------------------------------------------

  async startSandbox() {
    // Its session and provider URLs are built from PUBLIC_URL: nginx's, so they open through the
    // cluster (nginx sends /sandbox/* here). Loopback only, as sandbox mode requires.
    const env = { ...baseEnv(), PUBLIC_URL: this.url };
    this.sandbox = launch(this.binary, [
      '--bind', '127.0.0.1', '--port', String(this.sandboxPort), '--dist', this.dist, '--merchant-demo-port', '0',
    ], { env, logFile: path.join(this.out, 'logs', 'sandbox.log') });
    await until('the sandbox to answer /healthz', async () => (await request(`${this.sandboxUrl}/healthz`, { timeoutMs: 1000 })).status === 200,
      { timeoutMs: 30_000 });
    this.log(`sandbox Conomy on ${this.sandboxUrl}/conomy`);
  }

  // ---- gateways -----------------------------------------------------------------------------

  gatewayUrl(i) { return `http://127.0.0.1:${this.gateways[i].port}`; }
  adminUrl(i) { return `http://127.0.0.1:${this.gateways[i].adminPort}`; }

  /** Starts gateway `i` (upstream mode) and waits until its /readyz says ready (Redis up). */
  async startGateway(i) {
    const g = this.gateways[i];
    const env = {
      ...baseEnv(),
      CONOMY_API_BASE: `${this.sandboxUrl}/conomy`,
      ...SANDBOX_CREDENTIALS,
      CHECKOUT_SESSION_SECRET: this.sessionSecret,
      RATE_LIMIT_REDIS_URL: this.redisUrl,
      PUBLIC_URL: this.url,
      TRUST_PROXY: '1',
      ...this.gatewayEnv,
    };
    g.proc = launch(this.binary, [
      '--bind', '127.0.0.1', '--port', String(g.port), '--admin-port', String(g.adminPort), '--dist', this.dist,
    ], { env, logFile: path.join(this.out, 'logs', `gateway-${i + 1}.log`) });
    await until(`gateway ${i + 1} to be ready`, async () => {
      if (g.proc.child.exitCode !== null) throw new Error(`gateway ${i + 1} exited; see ${this.out}/logs/gateway-${i + 1}.log`);
      const ready = await request(`${this.adminUrl(i)}/readyz`, { timeoutMs: 2000 });
      return ready.status === 200 && ready.json?.status === 'ready';
    }, { timeoutMs: 30_000 });
    this.log(`gateway ${i + 1} on ${this.gatewayUrl(i)} (admin ${this.adminUrl(i)})`);
  }

  /** Stops gateway `i`: SIGTERM drains its requests, SIGKILL is a crash. */
  async stopGateway(i, signal = 'SIGTERM') {
    await stopProcess(this.gateways[i].proc, signal);
  }

  /**
   * A rolling-restart step, as an operator does it with nginx: take the gateway out of the
   * upstream (`down`, reload), let it drain (SIGTERM), start it again, wait for /readyz, put it
   * back (reload).
   */
  async restartGateway(i) {
    await this.setDown(i, true);
    await this.stopGateway(i, 'SIGTERM');
    await this.startGateway(i);
    await this.setDown(i, false);
  }

  async setDown(i, down) {
    this.gateways[i].down = down;
    this.writeNginxConf();
    await this.reloadNginx();
  }

  // ---- nginx --------------------------------------------------------------------------------

  writeNginxConf() {
    const d = this.nginxDir;
    const tmp = (name) => path.join(d, 'tmp', name);
    const servers = this.gateways
      .map((g) => `        server 127.0.0.1:${g.port} max_fails=3 fail_timeout=10s${g.down ? ' down' : ''};`)
      .join('\n');
    const conf = `# Generated by scripts/cluster.mjs for a loopback cluster; the policy is deploy/nginx/*.conf.
daemon off;
worker_processes 1;
pid ${path.join(d, 'nginx.pid')};
# nginx quotes the request line (query string included) in its error lines: crit only.
error_log ${path.join(d, 'error.log')} crit;

events {
    worker_connections 1024;
}

http {
    client_body_temp_path ${tmp('client_body')};
    proxy_temp_path ${tmp('proxy')};
    fastcgi_temp_path ${tmp('fastcgi')};
    uwsgi_temp_path ${tmp('uwsgi')};
    scgi_temp_path ${tmp('scgi')};
    include /etc/nginx/mime.types;
    default_type application/octet-stream;

    include ${path.join(ROOT, 'deploy', 'nginx', 'checkout-http.conf')};

    upstream checkout_gateways {
${servers}
    }

    # Only in this local cluster: the fake provider and merchant pages of the sandbox.
    upstream checkout_sandbox {
        server 127.0.0.1:${this.sandboxPort};
    }

    server {
        listen 127.0.0.1:${this.nginxPort};
        access_log ${this.accessLog} checkout;

        location /sandbox/ {
            proxy_pass http://checkout_sandbox;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header Host $host;
        }

        include ${path.join(ROOT, 'deploy', 'nginx', 'checkout-locations.conf')};
    }
}
`;
    fs.writeFileSync(this.nginxConf, conf);
  }

  nginxArgs() {
    return ['-e', path.join(this.nginxDir, 'error.log'), '-p', this.nginxDir, '-c', this.nginxConf];
  }

  async startNginx() {
    execFileSync(NGINX, [...this.nginxArgs(), '-t', '-q'], { stdio: ['ignore', 'ignore', 'inherit'] });
    this.nginx = launch(NGINX, this.nginxArgs(), { env: baseEnv(), logFile: path.join(this.out, 'logs', 'nginx.log') });
    await until('nginx to answer /healthz', async () => (await request(`${this.url}/healthz`, { timeoutMs: 1000 })).status === 200,
      { timeoutMs: 15_000 });
    this.log(`nginx on ${this.url}`);
  }

  /** `nginx -s reload`, then waits until the new workers answer with the new configuration. */
  async reloadNginx() {
    execFileSync(NGINX, [...this.nginxArgs(), '-s', 'reload'], { stdio: ['ignore', 'ignore', 'inherit'] });
    // The master starts new workers and lets the old ones finish what they serve; give the
    // swap a moment (there is no signal that it is complete).
    await sleep(500);
  }

  // ---- reading what happened ----------------------------------------------------------------

  /** The access log's lines (JSON), oldest first. */
  accessLogEntries() {
    if (!fs.existsSync(this.accessLog)) return [];
    return fs.readFileSync(this.accessLog, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
  }

  /** Every log the cluster wrote, as text (the tests look for secrets in them). */
  allLogs() {
    const files = [this.accessLog, path.join(this.nginxDir, 'error.log')];
    for (const name of fs.readdirSync(path.join(this.out, 'logs'))) files.push(path.join(this.out, 'logs', name));
    return files.filter((f) => fs.existsSync(f)).map((f) => ({ file: f, text: fs.readFileSync(f, 'utf8') }));
  }

  async metrics(i) {
    return (await request(`${this.adminUrl(i)}/metrics`)).body;
  }

  async readiness(i) {
    return (await request(`${this.adminUrl(i)}/readyz`)).json;
  }

  async stop() {
    await stopProcess(this.nginx, 'SIGQUIT', 10_000);
    await Promise.all(this.gateways.map((g) => stopProcess(g.proc)));
    await stopProcess(this.sandbox);
    await stopProcess(this.redis);
  }
}

function canConnect(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

// `node scripts/cluster.mjs [N]`: start, print where everything is, run until Ctrl-C.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const n = Number(process.argv[2] ?? 3);
  if (!Number.isInteger(n) || n < 1 || n > 16) {
    console.error('usage: scripts/cluster [N]   (N gateways, 1..16, default 3)');
    process.exit(2);
  }
  const cluster = new Cluster({ gateways: n, log: (line) => console.error(`[cluster] ${line}`) });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.error('[cluster] stopping');
    await cluster.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    await cluster.start();
  } catch (error) {
    console.error(`[cluster] ${error.message}`);
    await cluster.stop();
    process.exit(1);
  }
  console.log(`checkout cluster: ${n} gateway(s) behind nginx`);
  console.log(`  open:     ${cluster.url}/demo-clp   (every demo link: ${cluster.url}/sandbox/demo-links.json)`);
  cluster.gateways.forEach((g, i) => {
    console.log(`  gateway ${i + 1}: ${cluster.gatewayUrl(i)}   metrics ${cluster.adminUrl(i)}/metrics   readiness ${cluster.adminUrl(i)}/readyz`);
  });
  console.log(`  redis:    ${cluster.redisUrl}   sandbox Conomy: ${cluster.sandboxUrl}/conomy`);
  console.log(`  logs:     ${path.relative(ROOT, cluster.out)}/ (nginx/access.log, logs/*.log)   Ctrl-C stops everything`);
  // Anything that dies on its own ends the cluster.
  const parts = [cluster.redis, cluster.sandbox, cluster.nginx, ...cluster.gateways.map((g) => g.proc)];
  await Promise.race(parts.map((p) => p.exited));
  if (!stopping) {
    console.error('[cluster] a process exited on its own; stopping the rest');
    await stop();
  }
}
