// The demo shop's own script: mounts the Conomy checkout with embed.js (loaded from the
// checkout's origin) and lists every event it relays, newest last. No inline script: the
// page's CSP allows only this file and embed.js.
(function () {
  'use strict';
  var host = document.getElementById('checkout');
  var log = document.getElementById('events');
  var params = new URLSearchParams(location.search);
  var token = document.getElementById('token').value;

  function record(type, payload) {
    var item = document.createElement('li');
    item.setAttribute('data-type', type);
    var name = document.createElement('strong');
    name.textContent = type;
    var detail = document.createElement('code');
    detail.textContent = JSON.stringify(payload || {});
    item.append(name, ' ', detail);
    log.append(item);
  }

  if (!window.ConomyCheckout) {
    record('error', { kind: 'embedScriptNotLoaded' });
    return;
  }
  if (!token) {
    record('error', { kind: 'noLink' });
    return;
  }
  window.demoCheckout = window.ConomyCheckout.mount(host, {
    token: token,
    checkoutUrl: host.getAttribute('data-checkout-url'),
    locale: params.get('locale') || undefined,
    theme: params.get('theme') || undefined,
    onEvent: function (event) {
      record(event.type, event.payload);
    },
  });
  // A language switch on the shop's side follows into the checkout without reloading it.
  document.getElementById('locale').addEventListener('change', function (e) {
    if (e.target.value) window.demoCheckout.setLocale(e.target.value);
  });
})();
