/* cxm.js - the cxm web snippet: <script async src="https://CXM/w/cxm.js" data-site="KEY"></script>.
 * window.cxm.track(type, properties), window.cxm.identify(external_id, hash); calls made before it
 * loads go in window.cxmq = [['track', ...], ...]. Shows the NPS widget when cxm has a web
 * invitation for this visitor. No dependencies, no eval, no inline styles (works under a strict
 * CSP), never throws into the page. Texts come from the server. See docs/surveys.md "Web snippet". */
(function (w, d) {
	'use strict';
	var CSS = ':host{all:initial;position:fixed;z-index:2147483647;right:12px;bottom:12px;' +
		'font:15px/1.4 system-ui,sans-serif;color:#202124}' +
		'.c{box-sizing:border-box;width:min(380px,calc(100vw - 24px));background:#fff;border-radius:12px;' +
		'box-shadow:0 4px 24px rgba(0,0,0,.25);padding:16px;position:relative}' +
		'h2{font-size:16px;margin:0 28px 6px 0}p{margin:0 0 10px}' +
		'.x{position:absolute;top:8px;right:8px;border:0;background:none;font-size:20px;line-height:1;' +
		'cursor:pointer;padding:4px 8px;color:#5f6368}' +
		'.s{display:flex;gap:3px}.s button{flex:1;min-width:0;padding:8px 0;border:0;border-radius:6px;' +
		'font:600 14px system-ui,sans-serif;cursor:pointer;color:#fff}' +
		'.r{background:#c5221f}.a{background:#f9ab00;color:#202124!important}.g{background:#188038}' +
		'.s button[aria-pressed=true]{outline:3px solid #1a73e8;outline-offset:1px}' +
		'button:focus-visible,textarea:focus-visible{outline:3px solid #1a73e8;outline-offset:1px}' +
		'.e{display:flex;justify-content:space-between;font-size:12px;color:#5f6368;margin-top:4px}' +
		'label{display:block;margin:12px 0 4px}textarea{box-sizing:border-box;width:100%;min-height:64px;' +
		'font:inherit;border:1px solid #9aa0a6;border-radius:6px;padding:6px}' +
		'.go{margin-top:8px;padding:8px 16px;border:0;border-radius:6px;background:#1a73e8;color:#fff;' +
		'font:600 14px system-ui,sans-serif;cursor:pointer}';
	var me, site, base, aid, ident = null, q = [], ft = 0, pt = 0, open = false;

	function safe(f) {
		return function () {
			try { return f.apply(null, arguments); } catch (e) { /* never break the host page */ }
		};
	}
	function rnd() {
		var a = new Uint8Array(16), s = '';
		w.crypto.getRandomValues(a);
		for (var i = 0; i < a.length; i++) s += (a[i] + 256).toString(16).slice(1);
		return s;
	}
	/* a text/plain POST needs no CORS preflight; keepalive lets it outlive the page */
	function post(path, body) {
		return w.fetch(base + path, { method: 'POST', body: JSON.stringify(body), keepalive: true,
			credentials: 'omit', mode: 'cors' });
	}
	function flush(leaving) {
		clearTimeout(ft);
		if (!q.length && !ident) return;
		var body = { site: site, anonymous_id: aid, events: q.splice(0, 100) };
		if (ident) body.identify = ident;
		ident = null;
		if (leaving && navigator.sendBeacon && navigator.sendBeacon(base + '/w/v1/events', JSON.stringify(body)))
			return;
		post('/w/v1/events', body).then(function () { later(); }, function () {});
		if (q.length) flush(leaving);
	}
	function later() {
		clearTimeout(pt);
		pt = setTimeout(safe(ask), 800);
	}
	function ask() {
		if (open) return;
		w.fetch(base + '/w/v1/prompt?site=' + encodeURIComponent(site) + '&aid=' + aid + '&lang=' +
			encodeURIComponent(d.documentElement.lang || ''), { credentials: 'omit', mode: 'cors' })
			.then(function (r) { return r.status === 200 ? r.json() : null; })
			.then(safe(function (p) { if (p && !open) show(p); }), function () {});
	}
	function el(tag, cls, text) {
		var e = d.createElement(tag);
		if (cls) e.className = cls;
		if (text) e.textContent = text;
		return e;
	}
	function show(p) {
		if (!d.body || !d.body.attachShadow || !('adoptedStyleSheets' in d)) return;
		var host = el('div'), root = host.attachShadow({ mode: 'open' }), sheet = new w.CSSStyleSheet();
		var t = p.texts, card = el('div', 'c'), h = el('h2', 0, p.greeting), score = -1, sent = false;
		sheet.replaceSync(CSS);
		root.adoptedStyleSheets = [sheet];
		host.setAttribute('data-cxm', 'widget');
		card.setAttribute('role', 'dialog');
		card.setAttribute('aria-label', t.title);
		card.lang = p.language;
		var x = el('button', 'x', '\u00d7');
		x.type = 'button';
		x.setAttribute('aria-label', t.close);
		card.appendChild(x);
		card.appendChild(h);
		var body = el('div');
		card.appendChild(body);
		function answer(comment) {
			if (sent) return null;
			sent = true;
			var a = { token: p.token, score: score, lang: p.language };
			if (comment) a.comment = comment;
			return post('/w/v1/answer', a);
		}
		function close() {
			if (score >= 0) { var r = answer(''); if (r) r.catch(function () {}); }
			open = false;
			if (host.parentNode) host.parentNode.removeChild(host);
		}
		x.onclick = safe(close);
		card.onkeydown = safe(function (e) { if (e.key === 'Escape') close(); });
		body.appendChild(el('p', 0, p.question));
		var s = el('div', 's'), f = el('div');
		s.setAttribute('role', 'group');
		s.setAttribute('aria-label', p.question);
		for (var i = 0; i <= 10; i++) {
			var b = el('button', i <= 6 ? 'r' : i <= 8 ? 'a' : 'g', String(i));
			b.type = 'button';
			b.setAttribute('aria-pressed', 'false');
			b.onclick = safe(pick(i, b));
			s.appendChild(b);
		}
		body.appendChild(s);
		var ends = el('div', 'e');
		ends.appendChild(el('span', 0, p.low));
		ends.appendChild(el('span', 0, p.high));
		body.appendChild(ends);
		body.appendChild(f);
		function pick(n, b) {
			return function () {
				score = n;
				for (var k = 0; k < s.children.length; k++) s.children[k].setAttribute('aria-pressed', 'false');
				b.setAttribute('aria-pressed', 'true');
				var cat = n <= 6 ? 'detractor' : n <= 8 ? 'passive' : 'promoter';
				f.textContent = '';
				var l = el('label', 0, p.follow_up[cat]), ta = el('textarea'), go = el('button', 'go', t.send);
				ta.id = 'cxm-comment';
				l.htmlFor = ta.id;
				ta.maxLength = 2000;
				go.type = 'button';
				go.onclick = safe(function () {
					var r = answer(ta.value);
					if (!r) return;
					go.disabled = true;
					r.then(function (res) {
						body.textContent = '';
						body.appendChild(el('p', 0, res.ok ? t.thanks : t.failed));
						x.focus();
					}).catch(safe(function () { body.textContent = ''; body.appendChild(el('p', 0, t.failed)); }));
				});
				f.appendChild(l);
				f.appendChild(ta);
				f.appendChild(go);
			};
		}
		root.appendChild(card);
		d.body.appendChild(host);
		open = true;
	}
	function run(c) {
		if (c && c[0] === 'track') api.track(c[1], c[2]);
		else if (c && c[0] === 'identify') api.identify(c[1], c[2]);
	}
	var api = {
		track: safe(function (type, props) {
			var e = { type: String(type), id: rnd().slice(0, 24), ts: new Date().toISOString() };
			if (props && typeof props === 'object') e.properties = props;
			q.push(e);
			clearTimeout(ft);
			ft = setTimeout(safe(flush), 300);
		}),
		identify: safe(function (id, hash) {
			ident = { external_id: String(id), hash: String(hash) };
			clearTimeout(ft);
			ft = setTimeout(safe(flush), 300);
		})
	};
	safe(function () {
		if (w.cxm && w.cxm.track) return; /* loaded twice */
		me = d.currentScript || d.querySelector('script[data-site][src*="/w/cxm.js"]');
		site = me && me.getAttribute('data-site');
		if (!site || !w.fetch) return;
		base = me.src.replace(/\/w\/cxm\.js([?#].*)?$/, '');
		try { aid = w.localStorage.getItem('cxm_aid'); } catch (e) { /* storage off: memory only */ }
		if (!/^[A-Za-z0-9_-]{8,64}$/.test(aid || '')) {
			aid = rnd();
			try { w.localStorage.setItem('cxm_aid', aid); } catch (e) { /* memory only */ }
		}
		var pre = w.cxmq;
		w.cxm = api;
		w.cxmq = { push: safe(run) };
		if (pre && pre.length) for (var i = 0; i < pre.length; i++) safe(run)(pre[i]);
		d.addEventListener('visibilitychange', safe(function () { if (d.visibilityState === 'hidden') flush(true); }));
		w.addEventListener('pagehide', safe(function () { flush(true); }));
		later();
	})();
})(window, document);
