// The checkout as several gateways behind nginx, end to end over loopback: one
// sandbox server playing Conomy, Redis, three upstream-mode gateways, nginx with deploy/nginx/.
// Run by `./test` (layer "cluster") through `node --test tests/cluster/`; needs the release
// server in target/release and dist/ (the layer builds them) and Debian nginx + redis-server
// (scripts/install-tools --cluster).
//
// Every scenario talks from its own loopback source address (127.0.0.x): nginx appends it to
// X-Forwarded-For and the gateways (--trust-proxy) key their limits on it, so each scenario is
// its own client, and one scenario's requests never spend another's budget.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';

import { Cluster, ROOT, request, until } from '../../scripts/cluster.mjs';

const GATEWAYS = 3;
let cluster;

before(async () => {
  cluster = new Cluster({
    gateways: GATEWAYS,
    out: path.join(ROOT, 'target', 'cluster-test'),
    log: (line) => console.log(`# ${line}`),
  });
  await cluster.start();
}, { timeout: 120_000 });

after(async () => {
  await cluster?.stop();
});

// ---- helpers ------------------------------------------------------------------------------

function api(pathAndQuery, { method = 'GET', body, capability, from, timeoutMs } = {}) {
  const headers = capability ? { 'x-checkout-capability': capability } : {};
  return request(`${cluster.url}${pathAndQuery}`, { method, body, headers, localAddress: from, timeoutMs });
}

async function openSession(token, from) {
  const answer = await api(`/api/payment-links/token/${token}/checkout-sessions`, { method: 'POST', body: {}, from });
  assert.equal(answer.status, 201, `open ${token}: ${answer.body}`);
  assert.ok(answer.json.capability, `a payable session carries its capability: ${answer.body}`);
  return { id: answer.json.id, capability: answer.json.capability, session: answer.json };
}

function etpay(token) {
  const base = `${cluster.url}/${token}`;
  return {
    description: 'Libro',
    origins: [{ type: 'ETPAY', currency: 'CLP', etpay: {
      customer: { firstName: 'Ana', email: 'ana.cluster@example.cl' },
      successUrl: `${base}?return=success`, failedUrl: `${base}?return=failed`,
    } }],
  };
}

/** Access-log entries written since `mark` (an index from `logMark()`), for one route. */
function logMark() {
  return cluster.accessLogEntries().length;
}
async function entriesSince(mark, route) {
  // nginx writes the line once the answer is sent; give the last one a moment.
  await new Promise((resolve) => setTimeout(resolve, 200));
  return cluster.accessLogEntries().slice(mark).filter((e) => !route || e.route === route);
}

/** A counter's value summed over the series that carry every given label (text exposition). */
function counter(text, name, labels = {}) {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const wanted = Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`));
    if (wanted) total += Number(line.trim().split(/\s+/).pop());
  }
  return total;
}

// ---- scenarios ----------------------------------------------------------------------------

test('a whole payment through nginx, consecutive requests landing on different gateways', { timeout: 60_000 }, async () => {
  const from = '127.0.0.11';
  const mark = logMark();
  const { id, capability } = await openSession('demo-clp', from);
  const read = await api(`/api/checkout-sessions/${id}`, { capability, from });
  assert.equal(read.status, 200, read.body);
  const banks = await api('/api/payments/banks/CHL', { from });
  assert.equal(banks.status, 200, banks.body);

  const paid = await api(`/api/checkout-sessions/${id}/payments`, { method: 'POST', body: etpay('demo-clp'), capability, from });
  assert.equal(paid.status, 200, paid.body);
  const payment = paid.json;
  const next = JSON.stringify(payment);
  const providerUrl = next.match(/http:\/\/127\.0\.0\.1:\d+\/sandbox\/provider\/[A-Za-z0-9_-]+/)?.[0];
  assert.ok(providerUrl?.startsWith(cluster.url), `the provider page opens through the cluster: ${next}`);

  // The payer's page polls; the provider approves; the poll sees the outcome.
  const approved = await request(`${providerUrl}/approve`, { method: 'POST', localAddress: from });
  assert.ok([200, 303].includes(approved.status), `approve: ${approved.status}`);
  await until('the session to be FINISHED', async () => {
    const poll = await api(`/api/checkout-sessions/${id}`, { capability, from });
    assert.equal(poll.status, 200, poll.body);
    return poll.json.status === 'FINISHED';
  }, { timeoutMs: 20_000, everyMs: 200 });
  const payments = await api(`/api/payments?checkoutSessionId=${id}`, { capability, from });
  assert.equal(payments.status, 200, payments.body);
  const status = (payments.json.data ?? payments.json.payments ?? payments.json)[0]?.status ?? JSON.stringify(payments.json);
  assert.ok(!['CREATED', 'PENDING'].includes(status), `a settled payment: ${payments.body}`);

  // Round-robin: the calls of this one payment were served by every gateway, each one
  // verifying the capability another issued (the shared CHECKOUT_SESSION_SECRET).
  const api_ = (await entriesSince(mark)).filter((e) => e.route.startsWith('/api/'));
  const served = new Set(api_.map((e) => e.upstream));
  assert.equal(served.size, GATEWAYS, `calls spread over every gateway: ${JSON.stringify(api_.map((e) => [e.route, e.upstream]))}`);
  for (let i = 1; i < api_.length; i++) {
    assert.notEqual(api_[i].upstream, api_[i - 1].upstream, 'consecutive calls land on different gateways');
  }
  assert.ok(api_.every((e) => e.status < 400), JSON.stringify(api_));
});

test("one client's burst across three gateways is limited exactly as one gateway would limit it", { timeout: 60_000 }, async () => {
  const from = '127.0.0.12';
  const burst = 10; // the default session burst (RATE_LIMIT_SESSIONS_BURST)
  const mark = logMark();
  const statuses = [];
  let retryAfter;
  for (let i = 0; i < burst + 5; i++) {
    const answer = await api('/api/payment-links/token/demo-clp/checkout-sessions', { method: 'POST', body: {}, from });
    statuses.push(answer.status);
    if (answer.status === 429) retryAfter ??= answer.headers['retry-after'];
  }
  assert.deepEqual(statuses, [...Array(burst).fill(201), ...Array(5).fill(429)], `statuses: ${statuses}`);
  assert.ok(Number(retryAfter) >= 1, `Retry-After: ${retryAfter}`);
  const landed = new Set((await entriesSince(mark, '/api/payment-links/token/{token}/checkout-sessions')).map((e) => e.upstream));
  assert.equal(landed.size, GATEWAYS, 'the burst was spread over every gateway');
  // Every gateway counted its refusals as Redis's.
  let rejected = 0;
  for (let i = 0; i < GATEWAYS; i++) rejected += counter(await cluster.metrics(i), 'checkout_rate_limit_rejections_total', { limit: 'sessions', store: 'redis' });
  assert.ok(rejected >= 5, `rejections in the metrics: ${rejected}`);
  // Another client is not affected.
  const other = await api('/api/payment-links/token/demo-clp/checkout-sessions', { method: 'POST', body: {}, from: '127.0.0.21' });
  assert.equal(other.status, 201);
});

test("a gateway killed in the middle of a payer's wait: polling goes on and reaches the outcome", { timeout: 90_000 }, async () => {
  const from = '127.0.0.13';
  const { id, capability } = await openSession('demo-clp', from);
  const paid = await api(`/api/checkout-sessions/${id}/payments`, { method: 'POST', body: etpay('demo-clp'), capability, from });
  assert.equal(paid.status, 200, paid.body);
  const providerUrl = JSON.stringify(paid.json).match(/http:\/\/127\.0\.0\.1:\d+\/sandbox\/provider\/[A-Za-z0-9_-]+/)[0];

  const polls = [];
  const poll = async () => {
    const answer = await api(`/api/payments?checkoutSessionId=${id}`, { capability, from });
    polls.push(answer.status);
    return answer;
  };
  for (let i = 0; i < 4; i++) await poll();
  await cluster.stopGateway(1, 'SIGKILL'); // a crash, not a drain
  for (let i = 0; i < 6; i++) await poll();
  const approved = await request(`${providerUrl}/approve`, { method: 'POST', localAddress: from });
  assert.ok([200, 303].includes(approved.status), `approve: ${approved.status}`);
  await until('the payer to see the outcome', async () => {
    const session = await api(`/api/checkout-sessions/${id}`, { capability, from });
    polls.push(session.status);
    return session.json?.status === 'FINISHED';
  }, { timeoutMs: 20_000, everyMs: 200 });
  assert.ok(polls.every((s) => s === 200), `every poll was answered 200 (nginx moved on): ${polls}`);
  await cluster.startGateway(1);
});

test('a rolling restart of every gateway under a steady load fails no request', { timeout: 180_000 }, async () => {
  // ~10 requests/s from 20 clients: open a session (a POST, never retried once sent), read it,
  // list its payments, list banks; bounded by the restarts' duration and a hard cap.
  const clients = Array.from({ length: 20 }, (_, i) => `127.0.1.${i + 1}`);
  const failures = [];
  let sent = 0;
  let stop = false;
  const flow = async (from) => {
    const calls = [];
    const opened = await api('/api/payment-links/token/demo-brl/checkout-sessions', { method: 'POST', body: {}, from });
    calls.push(['open', opened.status]);
    if (opened.status === 201) {
      const { id, capability } = opened.json;
      calls.push(['read', (await api(`/api/checkout-sessions/${id}`, { capability, from })).status]);
      calls.push(['payments', (await api(`/api/payments?checkoutSessionId=${id}`, { capability, from })).status]);
    }
    calls.push(['banks', (await api('/api/payments/banks/BRA', { from })).status]);
    return calls;
  };
  const load = (async () => {
    let n = 0;
    while (!stop && sent < 4000) {
      const from = clients[n++ % clients.length];
      const started = Date.now();
      try {
        for (const [what, status] of await flow(from)) {
          sent++;
          if (status !== 200 && status !== 201) failures.push(`${what} ${status}`);
        }
      } catch (error) {
        sent++;
        failures.push(`network: ${error.message}`);
      }
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, 400 - (Date.now() - started))));
    }
  })();
  // Two of these loops: ~10 requests/s in all.
  const load2 = (async () => {
    await new Promise((resolve) => setTimeout(resolve, 200));
    let n = 10;
    while (!stop && sent < 4000) {
      const from = clients[n++ % clients.length];
      const started = Date.now();
      try {
        for (const [what, status] of await flow(from)) {
          sent++;
          if (status !== 200 && status !== 201) failures.push(`${what} ${status}`);
        }
      } catch (error) {
        sent++;
        failures.push(`network: ${error.message}`);
      }
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, 400 - (Date.now() - started))));
    }
  })();
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const pidsBefore = cluster.gateways.map((g) => g.proc.pid);
  for (let i = 0; i < GATEWAYS; i++) await cluster.restartGateway(i);
  await new Promise((resolve) => setTimeout(resolve, 2000));
  stop = true;
  await Promise.all([load, load2]);
  const pidsAfter = cluster.gateways.map((g) => g.proc.pid);
  assert.ok(pidsBefore.every((pid, i) => pid !== pidsAfter[i]), 'every gateway was restarted');
  console.log(`# rolling restart: ${sent} requests, ${failures.length} failed`);
  assert.ok(sent > 50, `a steady load ran (${sent} requests)`);
  assert.deepEqual(failures, [], `no request failed during the rolling restart (${sent} sent)`);
});

test('Redis stopped and started again: payers keep paying, readiness says so, limits are shared again after', { timeout: 90_000 }, async () => {
  await cluster.stopRedis();
  // Payers keep opening sessions and paying while Redis is away.
  const from = '127.0.0.15';
  const { id, capability } = await openSession('demo-clp', from);
  const paid = await api(`/api/checkout-sessions/${id}/payments`, { method: 'POST', body: etpay('demo-clp'), capability, from });
  assert.equal(paid.status, 200, paid.body);
  for (let i = 0; i < GATEWAYS; i++) {
    await until(`gateway ${i + 1} readiness to report Redis down`, async () => {
      const ready = await cluster.readiness(i);
      return ready.status === 'degraded' && ready.rateLimits.redis === 'down';
    }, { timeoutMs: 15_000, everyMs: 250 });
  }
  // Each gateway limits on its own meanwhile (a client could get up to N bursts): never an error.
  const during = [];
  for (let i = 0; i < 6; i++) during.push((await api('/api/payment-links/token/demo-clp/checkout-sessions', { method: 'POST', body: {}, from: '127.0.0.16' })).status);
  assert.ok(during.every((s) => s === 201), `served while Redis is down: ${during}`);

  await cluster.startRedis();
  for (let i = 0; i < GATEWAYS; i++) {
    await until(`gateway ${i + 1} to use Redis again`, async () => (await cluster.readiness(i)).status === 'ready', { timeoutMs: 15_000, everyMs: 250 });
  }
  // Shared again: a fresh client's burst across the three is exactly one burst.
  const statuses = [];
  for (let i = 0; i < 12; i++) statuses.push((await api('/api/payment-links/token/demo-clp/checkout-sessions', { method: 'POST', body: {}, from: '127.0.0.17' })).status);
  assert.deepEqual(statuses, [...Array(10).fill(201), 429, 429], `statuses: ${statuses}`);
  const metrics = await cluster.metrics(0);
  assert.match(metrics, /checkout_rate_limit_redis_up 1/);
  assert.ok(counter(metrics, 'checkout_rate_limit_redis_errors_total') >= 0);
});

test('the metrics show the traffic, and no log holds a capability or a query string', { timeout: 30_000 }, async () => {
  let requests = 0;
  let upstream = 0;
  for (let i = 0; i < GATEWAYS; i++) {
    const text = await cluster.metrics(i);
    requests += counter(text, 'checkout_http_requests_total', { route: '/api/checkout-sessions/{id}', status: '2xx' });
    upstream += counter(text, 'checkout_upstream_requests_total', { operation: 'get_session', outcome: '2xx' });
    assert.match(text, /checkout_http_request_duration_seconds_bucket\{route="\/api\/payment-links\/token\/\{token\}\/checkout-sessions",le="0.005"\}/);
    assert.match(text, /checkout_upstream_request_duration_seconds_bucket\{operation="auth"/);
    assert.match(text, /checkout_http_requests_in_flight /);
    assert.ok(!/demo-clp|demo-brl/.test(text), 'no checkout token is a label');
  }
  assert.ok(requests > 10, `session reads counted: ${requests}`);
  assert.ok(upstream > 10, `upstream session reads counted: ${upstream}`);

  // A provider return carries ?session=<capability>: make one pass through nginx, then look
  // for capabilities, query strings and the header in every log of the cluster.
  const { id, capability } = await openSession('demo-clp', '127.0.0.18');
  const page = await api(`/demo-clp?session=${encodeURIComponent(capability)}&return=success`, { from: '127.0.0.18' });
  assert.equal(page.status, 200);
  const read = await api(`/api/checkout-sessions/${id}`, { capability, from: '127.0.0.18' });
  assert.equal(read.status, 200);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const signature = capability.split('.').pop();
  for (const { file, text } of cluster.allLogs()) {
    assert.ok(!text.includes(signature), `${file} holds a capability`);
    assert.ok(!text.includes('session='), `${file} holds a query string`);
    assert.ok(!text.includes(id), `${file} holds a session id`);
  }
  const entries = cluster.accessLogEntries();
  assert.ok(entries.some((e) => e.route === '<spa-route>'), 'the page load is logged by its route class');
});

test('nginx logs the one-time capability calls by their templates, and none of their capabilities', { timeout: 30_000 }, async () => {
  const mark = logMark();
  const from = '127.0.0.19';
  const { id, capability } = await openSession('demo-clp', from);
  // The phone QR's code, asked for with the tab's capability, then traded as the phone does.
  const handoff = await api(`/api/checkout-sessions/${id}/handoff`, { method: 'POST', body: {}, capability, from });
  assert.equal(handoff.status, 200, handoff.body);
  const code = handoff.json.capability;
  const trade = await api(`/api/checkout-sessions/${id}/capability`, { method: 'POST', body: {}, capability: code, from });
  assert.equal(trade.status, 200, trade.body);

  const templates = ['/api/checkout-sessions/{id}/handoff', '/api/checkout-sessions/{id}/capability'];
  let routes = [];
  await until('both calls in nginx\'s access log', async () => {
    routes = cluster.accessLogEntries().slice(mark).map((e) => e.route);
    return templates.every((t) => routes.includes(t));
  }, { timeoutMs: 5_000, everyMs: 50 });
  assert.ok(!routes.includes('/api/<unmatched>'), `every call named by its template: ${routes}`);
  for (const { file, text } of cluster.allLogs()) {
    for (const held of [code, trade.json.capability]) {
      assert.ok(!text.includes(held.split('.').pop()), `${file} holds a capability`);
    }
  }
});
