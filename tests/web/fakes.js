// The world a component test controls: a fake clock (Date.now, setTimeout, setInterval) that
// moves only when the test advances it, and a fake `fetch` that answers from rules the test
// sets and records every request. Installed on `window`, where the app's code looks them up.

const real = {
  now: Date.now,
  setTimeout: window.setTimeout,
  clearTimeout: window.clearTimeout,
  setInterval: window.setInterval,
  clearInterval: window.clearInterval,
  fetch: window.fetch,
};

let now = 0;
let timers = [];
let nextId = 1;
let clockInstalled = false;

function addTimer(callback, ms, repeat, args) {
  const delay = Math.max(Number(ms) || 0, 0);
  const id = nextId++;
  timers.push({ id, callback, delay, at: now + delay, repeat, args });
  return id;
}

function clearTimer(id) {
  timers = timers.filter((t) => t.id !== id);
}

/** Replaces the page's clock: time stands at `start` (ms since the epoch) until advanced. */
export function install_clock(start) {
  now = start;
  timers = [];
  clockInstalled = true;
  Date.now = () => now;
  window.setTimeout = (callback, ms, ...args) => addTimer(callback, ms, false, args);
  window.setInterval = (callback, ms, ...args) => addTimer(callback, ms, true, args);
  window.clearTimeout = clearTimer;
  window.clearInterval = clearTimer;
}

/** Moves the clock `ms` forward, running every timer due on the way, in time order. */
export function advance_clock(ms) {
  const end = now + ms;
  for (;;) {
    timers.sort((a, b) => a.at - b.at || a.id - b.id);
    const timer = timers[0];
    if (!timer || timer.at > end) break;
    now = timer.at;
    if (timer.repeat) timer.at += Math.max(timer.delay, 1);
    else timers.shift();
    timer.callback(...timer.args);
  }
  now = end;
}

/** Timers set and not yet run or cleared. */
export function pending_timers() {
  return timers.length;
}

export function restore_clock() {
  if (!clockInstalled) return;
  clockInstalled = false;
  timers = [];
  Date.now = real.now;
  window.setTimeout = real.setTimeout;
  window.clearTimeout = real.clearTimeout;
  window.setInterval = real.setInterval;
  window.clearInterval = real.clearInterval;
}

/** Timers due now (set for the current fake time or earlier) and not yet run. */
export function due_timers() {
  return timers.filter((t) => t.at <= now).length;
}

/** Resolves in a real task (the next one), whatever the clock; a message, not a timer, so the
 * browser's clamping of nested timeouts does not slow a test that settles many times. */
export function next_task() {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(0);
  });
}

let rules = [];
let calls = [];
let inflight = 0;

/** Requests the fake has been asked and not answered yet (their bodies still being read). */
export function fetches_in_flight() {
  return inflight;
}

/**
 * Answers `method path` (the path and query, exactly; a trailing `*` matches a prefix) with
 * `status` and `body` (and `Retry-After: retryAfter` when given), `times` times (0: forever).
 * Status 0 fails the request as a network error. Earlier rules win.
 */
export function fetch_rule(method, path, status, body, retryAfter, times) {
  rules.push({ method, path, status, body, retryAfter, times });
}

/** Drops the rules for exactly `method path`: a later `fetch_rule` answers it instead. */
export function forget_rules(method, path) {
  rules = rules.filter((r) => !(r.method === method && r.path === path));
}

/** The requests so far, as `METHOD path` strings, in order. */
export function fetch_calls() {
  return calls.map((c) => `${c.method} ${c.path}`);
}

export function install_fetch() {
  rules = [];
  calls = [];
  window.fetch = async (input, init) => {
    inflight += 1;
    try {
      return await answerFor(input, init);
    } finally {
      inflight -= 1;
    }
  };
}


/** The fake's answer to one request, by the first rule that matches it. */
async function answerFor(input, init) {
  const request = input instanceof Request ? input : new Request(input, init);
  const url = new URL(request.url, location.href);
  const path = url.pathname + url.search;
  const body = request.method === 'GET' ? '' : await request.text();
  calls.push({ method: request.method, path, body });
  const index = rules.findIndex((r) => r.method === request.method
    && (r.path.endsWith('*') ? path.startsWith(r.path.slice(0, -1)) : r.path === path));
  if (index < 0) return new Response('{"message":"no fake answer"}', { status: 404 });
  const rule = rules[index];
  if (rule.times > 0 && --rule.times === 0) rules.splice(index, 1);
  if (rule.status === 0) throw new TypeError('Failed to fetch');
  const headers = { 'content-type': 'application/json' };
  if (rule.retryAfter) headers['retry-after'] = String(rule.retryAfter);
  return new Response(rule.body, { status: rule.status, headers });
}

export function restore_fetch() {
  rules = [];
  calls = [];
  window.fetch = real.fetch;
}
