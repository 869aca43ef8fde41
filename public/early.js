// Starts the checkout's session request while the wasm app is still downloading, instead of
// after it has started. Only the plain first open of `/<token>` (no provider `return`, no
// `session` handed back): the app (src/api.rs) takes `window.__conomyEarly` when its first request
// is exactly this one (same method and URL), awaits it instead of sending its own, and decodes the
// answer like any other. So a link never opens two sessions. Keep in step with
// src/pages/checkout.rs `open_session` and src/storage.rs (`conomy.session.<token>`, which holds the
// session's handle: `<session id>.<expiry>.<mac>`, sent as the `x-checkout-capability` header).
// The new session's id is NOT written to storage here: the app does it when it takes the answer.
// Written earlier, the app would find it, take the resume path (GET) and ignore this answer.
// It also starts the page's one worker, which loads Intl's number data and compiles the wasm off
// the main thread (`compileOffThread` below).
(function () {
  'use strict';
  // Loads the engine's number data (see below: in the page's worker, or in idle time).
  var warmIntl = function () {
    try {
      new Intl.NumberFormat('es', { style: 'currency', currency: 'USD' }).format('1');
    } catch (e) {
      // No Intl number formatting: src/intl.rs falls back to its own.
    }
  };
  // This same file, run as the page's worker (below): the number data is loaded here, off the
  // page's main thread; then the app's wasm is compiled here from the bytes the page hands over
  // (`compileOffThread`), the compiled module is handed back and the worker ends.
  if (typeof window === 'undefined') {
    warmIntl();
    self.onmessage = function (event) {
      Promise.resolve(event.data)
        .then(function (body) {
          return WebAssembly.compileStreaming(new Response(body, { headers: { 'content-type': 'application/wasm' } }));
        })
        .then(function (module) {
          postMessage(module);
        }, function () {
          postMessage(null);
        })
        .then(function () {
          self.close();
        });
    };
    return;
  }
  // The wasm compiled by `worker` instead of on the page's main thread: V8 compiles it in one
  // 30-50 ms block of main thread when its last bytes arrive (more under the bench's 4x CPU
  // slowdown), on top of the app's start-up. index.html's loader (written by
  // tools/split-wasm.mjs) asks `window.__conomyWasm(url)` for what wasm-bindgen's `init` takes:
  // the page fetches the wasm (trunk's preload), hands the body to the worker as it streams in,
  // and resolves to the compiled module, which the page only instantiates. A worker that fails
  // to start, to take the stream or to compile it leaves the page to compile the wasm itself.
  var compileOffThread = function (worker) {
    var failed = false;
    var onFailure = function () {
      failed = true;
    };
    worker.onerror = function () {
      onFailure();
    };
    window.__conomyWasm = function (url) {
      delete window.__conomyWasm;
      return fetch(url).then(function (response) {
        if (failed || !response.ok || !response.body) return response;
        return new Promise(function (resolve) {
          onFailure = function () {
            failed = true;
            resolve(fetch(url));
          };
          worker.onmessageerror = onFailure;
          worker.onmessage = function (event) {
            if (event.data instanceof WebAssembly.Module) resolve(event.data);
            else onFailure();
          };
          try {
            worker.postMessage(response.body, [response.body]);
          } catch (e) {
            // Streams not transferable here: the body is still the page's.
            resolve(response);
          }
        });
      });
    };
  };
  var ID = /^[A-Za-z0-9_-]{1,128}$/;
  // core/src/handle.rs SessionHandle::parse
  var HANDLE = /^([A-Za-z0-9_-]{1,128})\.[0-9]{1,12}\.[A-Za-z0-9_-]{16,64}$/;
  var TIMEOUT_MS = 15000; // src/api.rs TIMEOUT_MS
  var token = location.pathname.slice(1);
  var query = new URLSearchParams(location.search);
  // The page's first Intl.NumberFormat loads the engine's number data: 130-270 ms of main thread
  // under the bench's 4x CPU slowdown, inside the app's first render (src/intl.rs formats every
  // amount through Intl), and every later one, any locale or currency, is nearly free. That data
  // is shared by the page's threads, so a worker running this file loads it while the wasm
  // downloads, and the app's first formatter then costs 2-5 ms. Without workers, it is loaded
  // in idle time instead (and the page compiles the wasm itself).
  if (ID.test(token) && window.Intl && window.WebAssembly) {
    var script = document.currentScript;
    try {
      compileOffThread(new Worker(script.src));
    } catch (e) {
      if (window.requestIdleCallback) requestIdleCallback(warmIntl, { timeout: 1000 });
      else setTimeout(warmIntl, 100);
    }
  }
  if (!ID.test(token) || query.has('return') || query.has('session') || !window.fetch || !window.AbortController) {
    return;
  }
  var key = 'conomy.session.' + token;
  var stored = null;
  try {
    stored = sessionStorage.getItem(key);
  } catch (e) {
    // Storage disabled: the app remembers nothing either and opens a new session.
  }
  var handle = stored !== null && stored.length <= 200 ? HANDLE.exec(stored) : null;
  var resume = handle !== null;
  var method = resume ? 'GET' : 'POST';
  var url = resume ? '/api/checkout-sessions/' + handle[1] : '/api/payment-links/token/' + token + '/checkout-sessions';
  var init = { method: method, headers: { accept: 'application/json' }, signal: undefined };
  if (resume) {
    init.headers['x-checkout-capability'] = stored;
  } else {
    init.headers['content-type'] = 'application/json';
    init.body = '{}';
  }
  var controller = new AbortController();
  var timedOut = false;
  var timer = setTimeout(function () {
    timedOut = true;
    controller.abort();
  }, TIMEOUT_MS);
  init.signal = controller.signal;
  // Never rejects: `{status, body, retryAfter}` for any answer, `{error: 'timeout'|'network'}` otherwise.
  var promise = fetch(url, init)
    .then(function (response) {
      return response.text().then(function (body) {
        return { status: response.status, body: body, retryAfter: response.headers.get('retry-after') };
      });
    })
    .catch(function () {
      return { error: timedOut ? 'timeout' : 'network' };
    })
    .then(function (answer) {
      clearTimeout(timer);
      return answer;
    });
  window.__conomyEarly = { token: token, method: method, url: url, promise: promise };
})();
