/* hark.js: the hark feedback widget's loader: the API, the button, the context buffer; the dialog loads on first open. */
(function (w, d) {
	'use strict';
	if (w.Hark && w.Hark.version)
		return;
	var me = d.currentScript, ds = (me && me.dataset) || {};
	// Files the loader fetches sit beside it, wherever the site serves it.
	var base = me && me.src ? me.src.replace(/[^/]*([?#].*)?$/, '') : '';
	var cfg = {
		publicKey: ds.publicKey, endpoint: ds.endpoint, lang: ds.lang,
		nonce: ds.nonce || (me && me.nonce) || '', button: ds.button !== 'false',
		position: ds.position || 'right', base: base, strings: {}
	};
	var H = { version: '0.1.0' }, on = {}, waiters = [], loading = 0;
	var buf = { console: [], network: [] }, host, root, btn;
	var native = { fetch: w.fetch, log: {} };
	var LABEL = { en: 'Feedback', nl: 'Feedback', de: 'Feedback', es: 'Comentarios', fr: 'Avis' };

	function iso() { return new Date().toISOString(); }
	function push(a, e, max) { a.push(e); if (a.length > max) a.shift(); }
	function lang() {
		var l = String(cfg.lang || navigator.language || 'en').toLowerCase().split('-')[0];
		return LABEL[l] ? l : 'en';
	}

	// Values that must never be captured: password fields and anything
	// marked data-hark-mask, replaced wherever they show up in a console
	// message or a URL, at the moment it is recorded.
	function mask(s) {
		var els = d.querySelectorAll('input[type=password],[data-hark-mask]'), i, v;
		for (i = 0; i < els.length; i++) {
			v = els[i].value !== undefined ? els[i].value : els[i].textContent;
			if (v && els[i] !== host)
				s = s.split(v).join('[masked]');
		}
		return s;
	}
	function text(a) {
		var out = [], i, x;
		for (i = 0; i < a.length; i++) {
			x = a[i];
			if (x instanceof Error)
				x = x.name + ': ' + x.message;
			else if (typeof x !== 'string')
				try { x = JSON.stringify(x); } catch (e) { x = String(x); }
			out.push(x);
		}
		return mask(out.join(' ').slice(0, 500));
	}
	function stack(a) {
		for (var i = 0; i < a.length; i++)
			if (a[i] instanceof Error && a[i].stack)
				return mask(String(a[i].stack).slice(0, 500));
		return null;
	}
	function log(level, msg, st) {
		push(buf.console, { level: level, message: msg, stack: st, timestamp: iso() }, 50);
	}
	['log', 'info', 'warn', 'error', 'debug'].forEach(function (lv) {
		var orig = console[lv];
		if (typeof orig !== 'function')
			return;
		native.log[lv] = orig;
		console[lv] = function () {
			try { log(lv, text(arguments), stack(arguments)); } catch (e) { /* never break the page */ }
			return orig.apply(this, arguments);
		};
	});
	w.addEventListener('error', function (e) {
		log('error', mask(String(e.message || 'error')), e.error && e.error.stack ? mask(String(e.error.stack).slice(0, 500)) : null);
	});
	w.addEventListener('unhandledrejection', function (e) {
		log('error', 'Unhandled rejection: ' + text([e.reason]), stack([e.reason]));
	});

	// The last 10 requests, without their query string (it may hold
	// tokens); the wrappers hand back what the originals return, untouched.
	function net(url, method, status, t0, kind) {
		var u;
		try { u = new URL(url, location.href); u = u.origin + u.pathname; } catch (e) { u = String(url).split(/[?#]/)[0]; }
		push(buf.network, {
			url: mask(u), method: String(method || 'GET').toUpperCase(), status: status,
			durationMs: Date.now() - t0, initiator: kind, timestamp: new Date(t0).toISOString()
		}, 10);
	}
	if (native.fetch)
		w.fetch = function (input, init) {
			var t0 = Date.now(), p = native.fetch.apply(this, arguments);
			try {
				var url = typeof input === 'string' ? input : (input && input.url) || String(input);
				var m = (init && init.method) || (input && input.method) || 'GET';
				p.then(function (r) { net(url, m, r.status, t0, 'fetch'); },
				    function () { net(url, m, 0, t0, 'fetch'); });
			} catch (e) { /* as above */ }
			return p;
		};
	var XP = w.XMLHttpRequest && w.XMLHttpRequest.prototype;
	if (XP) {
		var xo = XP.open, xs = XP.send, seen = new WeakMap();
		XP.open = function (m, u) {
			seen.set(this, [m, u]);
			return xo.apply(this, arguments);
		};
		XP.send = function () {
			var x = this, i = seen.get(x), t0 = Date.now();
			if (i)
				x.addEventListener('loadend', function () { net(i[1], i[0], x.status, t0, 'xhr'); });
			return xs.apply(this, arguments);
		};
	}

	function emit(ev, data) {
		(on[ev] || []).slice().forEach(function (fn) {
			try { fn(data); } catch (e) { /* a handler's fault is its own */ }
		});
	}
	function css(file, done) {
		var l = d.createElement('link');
		l.rel = 'stylesheet';
		l.href = cfg.base + file;
		if (cfg.nonce)
			l.nonce = cfg.nonce;
		l.onload = l.onerror = done;
		root.appendChild(l);
	}
	function draw() {
		if (host || !d.body || !cfg.publicKey)
			return;
		host = d.createElement('div');
		host.className = 'hark-widget';
		host.setAttribute('data-hark-mask', '');
		root = host.attachShadow({ mode: 'open' });
		if (cfg.button) {
			btn = d.createElement('button');
			btn.type = 'button';
			btn.className = 'hark-fab hark-' + cfg.position;
			btn.hidden = true;	// until its style is there
			btn.setAttribute('aria-haspopup', 'dialog');
			btn.textContent = cfg.strings.button || LABEL[lang()];
			btn.addEventListener('click', function () { H.open(); });
			css('hark.css', function () {
				btn.hidden = false;
				if (w.performance && performance.mark)
					performance.mark('hark:button');
				emit('ready');
			});
			root.appendChild(btn);
		}
		d.body.appendChild(host);
		// Something left to send from an earlier page: send it now.
		try {
			if (+localStorage.getItem('hark:n') > 0)
				load(function (m) { m.flush(); });
		} catch (e) { /* no storage: nothing queued there */ }
	}
	function load(cb) {
		if (H._dialog)
			return cb(H._dialog);
		waiters.push(cb);
		if (loading)
			return;
		loading = 1;
		var s = d.createElement('script');
		s.src = cfg.base + 'hark-dialog.js';
		s.async = true;
		if (cfg.nonce)
			s.nonce = cfg.nonce;
		s.onerror = function () {
			loading = 0;
			waiters = [];
			emit('error', { code: 'load_failed', message: 'hark-dialog.js could not be loaded' });
		};
		d.head.appendChild(s);
	}

	// What the dialog module gets (hark-dialog.js calls Hark._ready).
	H._core = {
		cfg: cfg, buf: buf, native: native, emit: emit, lang: lang, css: css,
		identity: null, context: {},
		host: function () { draw(); return { host: host, root: root, button: btn }; }
	};
	H._ready = function (mod) {
		H._dialog = mod;
		waiters.splice(0).forEach(function (f) { f(mod); });
	};
	H.init = function (o) {
		for (var k in o || {})
			if (Object.prototype.hasOwnProperty.call(o, k))
				cfg[k] = o[k];
		if (cfg.endpoint)
			cfg.endpoint = String(cfg.endpoint).replace(/\/+$/, '');
		if (d.readyState === 'loading')
			d.addEventListener('DOMContentLoaded', draw);
		else
			draw();
		return H;
	};
	H.open = function () { draw(); load(function (m) { m.open(); }); };
	H.close = function () { if (H._dialog) H._dialog.close(); };
	H.identify = function (who) { H._core.identity = who || null; };
	H.setContext = function (o) {
		for (var k in o || {})
			if (Object.prototype.hasOwnProperty.call(o, k))
				H._core.context[k] = o[k];
	};
	H.on = function (ev, fn) { (on[ev] = on[ev] || []).push(fn); return H; };
	w.Hark = H;
	w.addEventListener('online', function () {
		try {
			if (+localStorage.getItem('hark:n') > 0)
				load(function (m) { m.flush(); });
		} catch (e) { /* as above */ }
	});
	if (cfg.publicKey)
		H.init({});
})(window, document);
