// widget.test.mjs - the web snippet in a real browser (registered by
// dashboard.test.mjs, which runs it). A shop page on another origin (a tiny
// node server on 127.0.0.1) with a strict Content-Security-Policy loads
// /w/cxm.js and tracks a purchase from its own script; cxm gets a web
// invitation for that visitor; the NPS widget appears on a phone, takes a 9
// and a hostile comment, thanks, and the response arrives. No CSP violation,
// no page error. Then cxm is down (nothing listening, or answering 500): the
// shop page still loads and its own script runs.
import { createServer } from 'node:http';

const HOSTILE = '<img src=x onerror=window.__pwned=1>Great</b>';
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true };

// host.js: the shop's own script (CSP allows no inline script): records CSP
// violations, queues a purchase for the snippet (which may not be loaded
// yet), and a button that tracks a page view.
const HOST_JS = `
window.__csp = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__csp.push(e.violatedDirective + ' ' + e.blockedURI);
});
window.cxmq = window.cxmq || [];
window.cxmq.push(['track', 'purchase', { order: 'A-1001' }]);
document.addEventListener('DOMContentLoaded', function () {
  document.getElementById('status').textContent = 'host script ran';
  document.getElementById('next').addEventListener('click', function () {
    if (window.cxm) window.cxm.track('page_view', { path: '/thanks' });
  });
});
`;
const HOST_CSS = 'body { font: 16px sans-serif; margin: 16px; } #status { color: #080; }';

// A shop on its own port: / is the page, with a CSP naming cxm's origin.
function startHost(cxmOrigin, site) {
  const csp = `default-src 'self'; script-src 'self' ${cxmOrigin}; connect-src ${cxmOrigin}; style-src 'self'; ` +
    "img-src 'self'; object-src 'none'; base-uri 'none'";
  const page = '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1"><title>Shop</title>' +
    '<link rel="stylesheet" href="/host.css"><script src="/host.js"></script>' +
    `<script async src="${cxmOrigin}/w/cxm.js" data-site="${site}"></script></head>` +
    '<body><h1>Order confirmed</h1><p id="status">loading</p><button id="next" type="button">Next</button></body></html>';
  return listen((req, res) => {
    const path = req.url.split('?')[0];
    if (path === '/') res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': csp }).end(page);
    else if (path === '/host.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(HOST_JS);
    else if (path === '/host.css') res.writeHead(200, { 'content-type': 'text/css' }).end(HOST_CSS);
    else res.writeHead(404).end();
  });
}

function listen(handler) {
  return new Promise((resolve) => {
    const srv = createServer(handler);
    srv.listen(0, '127.0.0.1', () => {
      srv.url = `http://127.0.0.1:${srv.address().port}`;
      srv.stop = () => new Promise((r) => { srv.closeAllConnections?.(); srv.close(() => r()); });
      resolve(srv);
    });
  });
}

// The console errors of a cxm that is down are expected: nothing else is.
function dropNetworkErrors(problems) {
  const keep = problems.filter((p) => !/Failed to load resource|ERR_CONNECTION_REFUSED/.test(p));
  problems.splice(0, problems.length, ...keep);
}

export function widgetTests(test, { BASE, texts, assert, LOGIN, PASSWORD }) {
  // the API as the demo owner: a session cookie and its CSRF token
  async function session() {
    const res = await fetch(`${BASE}/api/v1/session`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: LOGIN, password: PASSWORD }),
    });
    assert(res.status === 200, `sign-in answered ${res.status}`);
    const cookie = res.headers.get('set-cookie').split(';')[0];
    const csrf = (await res.json()).csrf_token;
    return async (method, path, body) => {
      const r = await fetch(BASE + path, {
        method, headers: { cookie, 'x-csrf-token': csrf, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      const text = await r.text();
      return { status: r.status, json: text ? JSON.parse(text) : null };
    };
  }

  test('web widget: a shop page under a strict CSP tracks a purchase, shows the NPS widget on a phone, the answer arrives', async ({ page, problems, shot }) => {
    const en = await texts('en');
    const api = await session();
    const def = {
      name: `Widget ${Date.now()}`, languages: ['es', 'en'],
      questions: [
        { id: 'nps', type: 'nps', required: true, text: { es: '¿Nos recomendaría?', en: 'Would you recommend us?' },
          labels: { low: { es: 'Nada probable', en: 'Not at all likely' }, high: { es: 'Muy probable', en: 'Extremely likely' } } },
        { id: 'why_bad', type: 'text', show_if: { question: 'nps', category: 'detractor' }, text: { es: '¿Qué salió mal?', en: 'What went wrong?' } },
      ],
    };
    const sv = await api('POST', '/api/v1/surveys', def);
    assert(sv.status === 201, `survey: ${sv.status}`);
    assert((await api('POST', `/api/v1/surveys/${sv.json.id}/status`, { status: 'live' })).status === 200, 'make live');
    const web = await api('GET', '/api/v1/settings/web');
    assert(web.status === 200 && web.json.site_key, 'web settings');
    const host = await startHost(BASE, web.json.site_key);
    try {
      await page.goto(`${host.url}/`);
      await page.locator('#status', { hasText: 'host script ran' }).waitFor();
      await page.waitForFunction(() => window.cxm && typeof window.cxm.track === 'function');
      const aid = await page.evaluate(() => localStorage.getItem('cxm_aid'));
      assert(/^[0-9a-f]{32}$/.test(aid || ''), `anonymous id ${aid}`);
      // the queued purchase reaches cxm, for the customer of that cookie id
      let customer = null;
      for (let i = 0; i < 50 && !customer; i++) {
        const r = await api('GET', `/api/v1/customers?q=${aid}`);
        customer = r.json.items[0] || null;
        if (!customer) await new Promise((res) => setTimeout(res, 100));
      }
      assert(customer, 'no customer for the cookie id');
      const evs = await api('GET', `/api/v1/customers/${customer.id}/events`);
      const buy = evs.json.items.find((e) => e.type === 'purchase');
      assert(buy && buy.channel === 'web' && buy.properties.order === 'A-1001', `events ${JSON.stringify(evs.json.items)}`);
      assert((await page.locator('[data-cxm=widget]').count()) === 0, 'a widget with no invitation');

      // a web invitation (a trigger will make these): the next page view shows the widget
      const inv = await api('POST', `/api/v1/surveys/${sv.json.id}/invitations`, { customer_id: customer.id, channel: 'web' });
      assert(inv.status === 201, `invitation: ${inv.status} ${JSON.stringify(inv.json)}`);
      await page.locator('#next').click();
      const card = page.locator('[data-cxm=widget] .c');
      await card.waitFor();
      await card.locator('h2', { hasText: en.MSG_WG_HELLO_ANON }).waitFor();
      await card.locator('p', { hasText: 'Would you recommend us?' }).waitFor();
      const scale = card.locator('.s button');
      assert((await scale.count()) === 11, 'eleven scores');
      const colours = await scale.evaluateAll((bs) => bs.map((b) => getComputedStyle(b).backgroundColor));
      assert(colours[0] === colours[6] && colours[7] === colours[8] && colours[9] === colours[10] &&
        colours[6] !== colours[7] && colours[8] !== colours[9], `traffic lights ${colours}`);
      assert(/^rgb\((19\d|20\d), /.test(colours[0]) && /^rgb\(24\d, /.test(colours[7]) && /^rgb\(2\d, 1[23]\d, /.test(colours[9]),
        `red, amber, green: ${colours}`);
      await card.locator('.e span', { hasText: 'Not at all likely' }).waitFor();
      const box = await card.boundingBox();
      assert(box.x >= 0 && box.x + box.width <= 390, `the card fits the phone: ${JSON.stringify(box)}`);
      await shot('widget on a phone');
      // keyboard: a focused score is picked with Enter
      await scale.nth(9).focus();
      await page.keyboard.press('Enter');
      assert((await scale.nth(9).getAttribute('aria-pressed')) === 'true', 'Enter did not pick 9');
      await card.locator('label', { hasText: en.MSG_WG_COMMENT }).waitFor();
      await card.locator('textarea').fill(HOSTILE);
      await shot('widget comment');
      await card.locator('button.go', { hasText: en.MSG_WG_SEND }).click();
      await card.locator('p', { hasText: en.MSG_WG_THANKS }).waitFor();
      await shot('widget thanks');
      const rs = await api('GET', `/api/v1/responses?survey=${sv.json.id}`);
      const mine = rs.json.items.find((x) => x.id === `inv:${inv.json.id}`);
      assert(mine && mine.nps === 9 && mine.comment === HOSTILE && mine.channel === 'web', `response ${JSON.stringify(rs.json.items)}`);
      assert((await page.evaluate(() => window.__pwned)) === undefined, 'the comment ran');
      // closing removes it
      await card.locator('button.x').click();
      assert((await page.locator('[data-cxm=widget]').count()) === 0, 'the widget did not close');
      const csp = await page.evaluate(() => window.__csp);
      assert(csp.length === 0, `CSP violations: ${csp.join('; ')}`);
      assert(problems.length === 0, problems.join('\n'));
    } finally {
      await host.stop();
    }
  }, PHONE);

  test('web widget: with cxm down (nothing listening, or 500) the shop page loads and its own script runs', async ({ page, problems, shot }) => {
    const script = await (await fetch(`${BASE}/w/cxm.js`)).text();
    // a port nobody listens on: taken from the kernel, then released
    const gone = await listen(() => {});
    const closed = gone.url;
    await gone.stop();
    // a "cxm" that serves the snippet and fails every call
    const broken = await listen((req, res) => {
      if (req.url.startsWith('/w/cxm.js')) res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
      else res.writeHead(500, { 'access-control-allow-origin': '*' }).end('{"oops":');
    });
    const hosts = [await startHost(closed, 'a'.repeat(48)), await startHost(broken.url, 'b'.repeat(48))];
    try {
      for (const [i, host] of hosts.entries()) {
        await page.goto(`${host.url}/`);
        await page.locator('#status', { hasText: 'host script ran' }).waitFor();
        await page.locator('#next').click();
        await page.waitForTimeout(1500); // the snippet's debounced calls fail meanwhile
        assert((await page.locator('#status').textContent()) === 'host script ran', 'the host page changed');
        assert((await page.locator('[data-cxm=widget]').count()) === 0, 'a widget appeared');
        const loaded = await page.evaluate(() => !!window.cxm);
        assert(loaded === (i === 1), `window.cxm ${loaded} with ${i ? 'a failing' : 'no'} cxm`);
        const csp = await page.evaluate(() => window.__csp);
        assert(csp.length === 0, `CSP violations: ${csp.join('; ')}`);
        await shot(i ? 'cxm answers 500' : 'cxm not listening');
      }
      dropNetworkErrors(problems);
      assert(problems.length === 0, problems.join('\n'));
    } finally {
      for (const h of hosts) await h.stop();
      await broken.stop();
    }
  }, PHONE);
}
