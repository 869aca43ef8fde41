/*! Conomy Checkout embed v1. Usage:
 *  <script src="https://<checkout host>/embed.js"></script>
 *  ConomyCheckout.mount('#pay', { token: '<checkoutToken>', onEvent: function (e) {} });
 * Protocol: {source: "conomy-checkout", version: 1, type, payload}; see docs/embedding.md. */
(function (w, d) {
  'use strict';
  var SOURCE = 'conomy-checkout', VERSION = 1, LOAD_TIMEOUT_MS = 20000;
  var me = d.currentScript;
  // By default the checkout lives where this script came from.
  var home = me && me.src ? new URL(me.src).origin : '';

  function mount(target, options) {
    var o = options || {};
    var host = typeof target === 'string' ? d.querySelector(target) : target;
    if (!host || !host.appendChild) throw new Error('ConomyCheckout: no element ' + target);
    var token = String(o.token || '');
    if (!/^[A-Za-z0-9_-]{1,128}$/.test(token)) throw new Error('ConomyCheckout: invalid token');
    var base = new URL(o.checkoutUrl || home, location.href);
    if (!/^https?:$/.test(base.protocol)) throw new Error('ConomyCheckout: checkoutUrl must be http(s)');
    var origin = base.origin;
    var url = new URL(base.pathname.replace(/\/+$/, '') + '/' + token, origin);
    var q = url.searchParams;
    q.set('embed', '1');
    // The checkout posts only to this origin, and only once the browser confirms it.
    q.set('parentOrigin', location.origin);
    if (o.locale) q.set('locale', o.locale);
    if (o.theme) q.set('theme', o.theme);
    // Only #rgb/#rrggbb is honoured (validated by the checkout); the rest is ignored there.
    if (o.accent) q.set('accent', o.accent);

    var frame = d.createElement('iframe');
    frame.title = o.title || 'Conomy checkout';
    frame.allow = 'clipboard-write';
    // The frame sees our origin as its referrer (a witness of parentOrigin), never our URL.
    frame.referrerPolicy = 'origin';
    frame.style.cssText = 'display:block;width:100%;border:0;overflow:hidden;height:' + (o.height || 480) + 'px';
    frame.src = url.href;
    host.appendChild(frame);

    var ready = false;
    var timer = setTimeout(function () {
      if (!ready) emit('error', { kind: 'loadTimeout' });
    }, LOAD_TIMEOUT_MS);

    function emit(type, payload) {
      if (typeof o.onEvent !== 'function') return;
      try {
        return o.onEvent({ type: type, payload: payload });
      } catch (e) {
        // A failing handler must not stop resizing or the redirect.
        setTimeout(function () { throw e; });
      }
    }

    function onMessage(e) {
      // Only our frame, from the checkout's origin; everything else is someone else's.
      if (e.source !== frame.contentWindow || e.origin !== origin) return;
      var m = e.data;
      if (!m || m.source !== SOURCE || m.version !== VERSION || typeof m.type !== 'string') return;
      var p = m.payload && typeof m.payload === 'object' ? m.payload : {};
      if (m.type === 'ready') ready = true;
      if (m.type === 'resize') {
        var h = Math.ceil(Number(p.height));
        if (h > 0 && h < 100000) frame.style.height = h + 'px';
      }
      var answer = emit(m.type, p);
      // The checkout may not navigate our window without a click: it asks us to, and the
      // merchant can take over by returning false from onEvent.
      if ((m.type === 'completed' || m.type === 'failed') && p.navigateParent === true && answer !== false &&
          typeof p.redirectUrl === 'string' && /^https?:\/\//i.test(p.redirectUrl)) {
        location.assign(p.redirectUrl);
      }
    }
    w.addEventListener('message', onMessage);

    return {
      frame: frame,
      /** Switches the checkout's language (es, pt-BR, en) without reloading it. */
      setLocale: function (locale) {
        if (frame.contentWindow) {
          frame.contentWindow.postMessage(
            { source: 'conomy-merchant', version: VERSION, type: 'setLocale', payload: { locale: String(locale) } },
            origin);
        }
      },
      unmount: function () {
        clearTimeout(timer);
        w.removeEventListener('message', onMessage);
        if (frame.parentNode) frame.parentNode.removeChild(frame);
      },
    };
  }

  w.ConomyCheckout = { version: VERSION, mount: mount };
})(window, document);
