// test_web.mjs - the web snippet's server side: /w/cxm.js, the site key and
// identity secret (GET/PUT /api/v1/settings/web), events from a browser
// (POST /w/v1/events: channel web, the anonymous id as the customer, verified
// identify), CORS, the widget's prompt (GET /w/v1/prompt) and answer
// (POST /w/v1/answer: once per invitation), forged tokens, the rate limit.
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { call, cxm, eq, ok, run, startServer, status, test, testDb } from './lib.mjs';

const T = `web-${process.pid}${Date.now() % 100000}`;
const DEF = JSON.parse(readFileSync('tests/data/surveys/good/posventa.json', 'utf8'));
const ORIGIN = 'https://shop.example.com';

async function setup() {
  const db = testDb('web');
  const srv = await startServer(db, ['--quiet']);
  cxm(db, ['tenant', 'create', T, '--language', 'en']);
  const key = cxm(db, ['key', 'create', '--role', 'admin', '--tenant', T]).trim();
  const analyst = cxm(db, ['key', 'create', '--role', 'analyst', '--tenant', T]).trim();
  await call(srv.url, 'PUT', '/api/v1/settings/surveys', { key, json: { fatigue_days: 0 } });
  const s = (await call(srv.url, 'POST', '/api/v1/surveys', { key, json: DEF })).json;
  await call(srv.url, 'POST', `/api/v1/surveys/${s.id}/status`, { key, json: { status: 'live' } });
  const w = await call(srv.url, 'GET', '/api/v1/settings/web', { key });
  status(w, 200, 'web settings');
  return { db, srv, base: srv.url, key, analyst, survey: s.id, site: w.json.site_key, secret: w.json.identity_secret, settings: w.json };
}

const aidOf = (n) => `visitor-${process.pid}-${n}`;
const post = (ctx, path, body, headers = {}) => call(ctx.base, 'POST', path, {
  body: JSON.stringify(body), type: 'text/plain;charset=UTF-8', headers: { origin: ORIGIN, ...headers },
});
const events = (ctx, aid, evs, extra = {}) => post(ctx, '/w/v1/events', { site: ctx.site, anonymous_id: aid, events: evs, ...extra });
const prompt = (ctx, aid, lang = '') => call(ctx.base, 'GET', `/w/v1/prompt?site=${ctx.site}&aid=${aid}&lang=${lang}`, { headers: { origin: ORIGIN } });

// The customers an identity value names (search matches identities by prefix).
async function customersBy(ctx, value) {
  const r = await call(ctx.base, 'GET', `/api/v1/customers?q=${encodeURIComponent(value)}`, { key: ctx.key });
  status(r, 200);
  return r.json.items;
}
async function eventsOf(ctx, id) {
  const r = await call(ctx.base, 'GET', `/api/v1/customers/${id}/events?limit=100`, { key: ctx.key });
  status(r, 200);
  return r.json.items;
}
const hmac = (secret, id) => createHmac('sha256', secret).update(id).digest('hex');

test('settings: a site key, the snippet to paste, the identity secret; owners and admins only', async (ctx) => {
  const s = ctx.settings;
  ok(/^[0-9a-f]{48}$/.test(s.site_key), s.site_key);
  ok(/^[0-9a-f]{64}$/.test(s.identity_secret), 'identity secret');
  eq(s.snippet, `<script async src="${ctx.base}/w/cxm.js" data-site="${s.site_key}"></script>`);
  eq(s.allowed_origins, []);
  const again = await call(ctx.base, 'GET', '/api/v1/settings/web', { key: ctx.key });
  eq(again.json.site_key, s.site_key, 'the same key on every call');
  status(await call(ctx.base, 'GET', '/api/v1/settings/web', { key: ctx.analyst }), 403, 'analyst');
  status(await call(ctx.base, 'GET', '/api/v1/settings/web'), 401, 'anonymous');
  const bad = await call(ctx.base, 'PUT', '/api/v1/settings/web', { key: ctx.key, json: { allowed_origins: ['shop.example.com', 3] } });
  status(bad, 422);
  eq(bad.json.errors.map((e) => e.field), ['allowed_origins[0]', 'allowed_origins[1]']);
});

test('/w/cxm.js: JavaScript, cacheable, small, no eval', async (ctx) => {
  const r = await call(ctx.base, 'GET', '/w/cxm.js');
  status(r, 200);
  ok(r.headers.get('content-type').startsWith('text/javascript'), r.headers.get('content-type'));
  eq(r.headers.get('cache-control'), 'public, max-age=3600', 'cacheable (and only that)');
  eq(r.headers.get('cross-origin-resource-policy'), 'cross-origin');
  eq(r.text, readFileSync('web/w/cxm.js', 'utf8'), 'the file of web/w/');
  ok(Buffer.byteLength(r.text) < 8192, `under 8 KB (${Buffer.byteLength(r.text)})`);
  ok(!/\beval\(|new Function|innerHTML|setAttribute\('style'/.test(r.text), 'no eval, innerHTML or inline style');
  const again = await call(ctx.base, 'GET', '/w/cxm.js', { headers: { 'if-none-match': r.headers.get('etag') } });
  status(again, 304);
});

test('events land on the web channel; one anonymous id is one customer across calls', async (ctx) => {
  const aid = aidOf(1);
  const a = await events(ctx, aid, [{ type: 'page_view', properties: { path: '/shoes' }, id: 'e1' }]);
  status(a, 202);
  eq(a.json.accepted, 1);
  eq(a.json.new_customers, 1);
  eq(a.headers.get('access-control-allow-origin'), '*', 'CORS');
  const b = await events(ctx, aid, [{ type: 'purchase', ts: '2026-11-01T10:00:00Z', amount: '59.90', currency: 'EUR' },
    { type: 'page_view', id: 'e1' }]);
  status(b, 202);
  eq([b.json.accepted, b.json.duplicates, b.json.new_customers], [1, 1, 0], 'same customer, event id deduplicated');
  const cs = await customersBy(ctx, aid);
  eq(cs.length, 1, 'one customer');
  const evs = await eventsOf(ctx, cs[0].id);
  eq(evs.map((e) => e.type).sort(), ['page_view', 'purchase']);
  ok(evs.every((e) => e.channel === 'web'), 'channel web');
  const buy = evs.find((e) => e.type === 'purchase');
  eq([buy.currency, buy.ts], ['EUR', '2026-11-01T10:00:00Z']);
  ok(Number(buy.amount) === 59.9, buy.amount);
  const view = evs.find((e) => e.type === 'page_view');
  eq(view.properties, { path: '/shoes' });
  // application/json works as well
  const j = await call(ctx.base, 'POST', '/w/v1/events', { json: { site: ctx.site, anonymous_id: aid, events: [{ type: 'visit' }] } });
  status(j, 202);
});

test('identify: a good hash joins the visitor to the customer, a bad one is ignored', async (ctx) => {
  await call(ctx.base, 'POST', '/api/v1/customers', { key: ctx.key, json: { external_id: 'W-1', first_name: 'Lucía', language: 'es' } });
  const [known] = await customersBy(ctx, 'W-1');
  // a forged hash: the events stay with the anonymous visitor
  const aid = aidOf(2);
  status(await events(ctx, aid, [{ type: 'page_view' }], { identify: { external_id: 'W-1', hash: '0'.repeat(64) } }), 202);
  eq((await eventsOf(ctx, known.id)).length, 0, 'nothing written for W-1');
  const [anon] = await customersBy(ctx, aid);
  ok(anon && anon.id !== known.id, 'anonymous customer');
  // the right hash: the anonymous visitor (known only by the cookie) merges into W-1
  const ok2 = await events(ctx, aid, [{ type: 'login' }], { identify: { external_id: 'W-1', hash: hmac(ctx.secret, 'W-1') } });
  status(ok2, 202);
  const evs = await eventsOf(ctx, known.id);
  eq(evs.map((e) => e.type).sort(), ['login', 'page_view'], 'history and new event on W-1');
  const c = await call(ctx.base, 'GET', `/api/v1/customers/${known.id}`, { key: ctx.key });
  ok(c.json.identities.some((i) => i.kind === 'cookie_id' && i.value === aid), 'the cookie id is W-1\'s now');
  // an identify with no events links a fresh cookie
  const aid3 = aidOf(3);
  status(await events(ctx, aid3, [], { identify: { external_id: 'W-1', hash: hmac(ctx.secret, 'W-1') } }), 202);
  const c3 = await call(ctx.base, 'GET', `/api/v1/customers/${known.id}`, { key: ctx.key });
  ok(c3.json.identities.some((i) => i.value === aid3), 'linked without events');
  // no events and no identify is refused
  status(await events(ctx, aidOf(4), []), 422);
});

test('bad items: problem+json with the index and the field, nothing stored', async (ctx) => {
  const aid = aidOf(5);
  const r = await events(ctx, aid, [{ type: 'page_view' }, { type: 'x y' }, { channel: 'app', type: 'ok' }, 'nope', { type: 'a', ts: 'yesterday' }]);
  status(r, 422);
  ok(r.headers.get('content-type').startsWith('application/problem+json'), 'problem+json');
  const got = r.json.errors.map((e) => `${e.index}:${e.field ?? ''}`);
  for (const want of ['1:type', '2:channel', '3:', '4:ts'])
    ok(got.includes(want), `${want} in ${got}`);
  eq((await customersBy(ctx, aid)).length, 0, 'nothing stored, not even the customer');
  const bad = await post(ctx, '/w/v1/events', { site: ctx.site, anonymous_id: 'short', events: [{ type: 'a' }], extra: 1 });
  status(bad, 422);
  eq(bad.json.errors.map((e) => e.field).sort(), ['anonymous_id', 'extra']);
  status(await call(ctx.base, 'POST', '/w/v1/events', { body: '{"site":', type: 'text/plain' }), 400);
  status(await call(ctx.base, 'POST', '/w/v1/events', { body: '{}', type: 'application/xml' }), 415);
  const long = await events(ctx, aid, [{ type: 'a', id: 'x'.repeat(49) }]);
  status(long, 422);
  eq(long.json.errors[0].field, 'id');
});

test('unknown or altered site keys are 404', async (ctx) => {
  for (const site of ['', 'nope', ctx.site.slice(0, 47) + (ctx.site[47] === '0' ? '1' : '0'), '0000000000000001' + ctx.site.slice(16)]) {
    const r = await post(ctx, '/w/v1/events', { site, anonymous_id: aidOf(6), events: [{ type: 'a' }] });
    status(r, 404, site);
    eq(r.json.errors[0].field, 'site');
  }
  status(await call(ctx.base, 'GET', `/w/v1/prompt?site=nope&aid=${aidOf(6)}`), 404);
});

test('CORS: preflight, and the allow-list of origins', async (ctx) => {
  const pre = await call(ctx.base, 'OPTIONS', '/w/v1/events', {
    headers: { origin: ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
  });
  status(pre, 204);
  eq(pre.headers.get('access-control-allow-origin'), '*');
  ok(/POST/.test(pre.headers.get('access-control-allow-methods')), 'methods');
  ok(/content-type/i.test(pre.headers.get('access-control-allow-headers')), 'headers');
  ok(!pre.headers.get('access-control-allow-credentials'), 'no credentials');
  status(await call(ctx.base, 'OPTIONS', '/w/v1/answer', { headers: { origin: ORIGIN } }), 204);
  const set = await call(ctx.base, 'PUT', '/api/v1/settings/web', { key: ctx.key, json: { allowed_origins: [ORIGIN, 'http://127.0.0.1:8080'] } });
  status(set, 200);
  eq(set.json.allowed_origins, [ORIGIN, 'http://127.0.0.1:8080']);
  status(await events(ctx, aidOf(7), [{ type: 'a' }]), 202, 'listed origin');
  const evil = await post(ctx, '/w/v1/events', { site: ctx.site, anonymous_id: aidOf(7), events: [{ type: 'b' }] }, { origin: 'https://evil.example' });
  status(evil, 403, 'unlisted origin');
  eq(evil.headers.get('access-control-allow-origin'), '*', 'the refusal is readable');
  status(await call(ctx.base, 'GET', `/w/v1/prompt?site=${ctx.site}&aid=${aidOf(7)}`, { headers: { origin: 'https://evil.example' } }), 403);
  status(await call(ctx.base, 'PUT', '/api/v1/settings/web', { key: ctx.key, json: { allowed_origins: [] } }), 200);
  status(await post(ctx, '/w/v1/events', { site: ctx.site, anonymous_id: aidOf(7), events: [{ type: 'b' }] }, { origin: 'https://evil.example' }), 202, 'empty list: any origin');
});

test('prompt: 204 with no web invitation; link invitations are not for the widget', async (ctx) => {
  const aid = aidOf(8);
  status(await prompt(ctx, aid), 204, 'unknown visitor');
  status(await events(ctx, aid, [{ type: 'page_view' }]), 202);
  status(await prompt(ctx, aid), 204, 'no invitation');
  const [c] = await customersBy(ctx, aid);
  status(await call(ctx.base, 'POST', `/api/v1/surveys/${ctx.survey}/invitations`, { key: ctx.key, json: { customer_id: c.id } }), 201);
  status(await prompt(ctx, aid), 204, 'a link invitation is not shown in the page');
  status(await call(ctx.base, 'GET', `/w/v1/prompt?site=${ctx.site}&aid=bad`), 400);
});

test('prompt and answer with a web invitation: texts from the survey, once only', async (ctx) => {
  const aid = aidOf(9);
  status(await events(ctx, aid, [{ type: 'purchase' }], { identify: { external_id: 'W-1', hash: hmac(ctx.secret, 'W-1') } }), 202);
  const inv = await call(ctx.base, 'POST', `/api/v1/surveys/${ctx.survey}/invitations`, { key: ctx.key, json: { external_id: 'W-1', channel: 'web' } });
  status(inv, 201);
  const p = await prompt(ctx, aid, 'en');
  status(p, 200);
  eq(p.headers.get('access-control-allow-origin'), '*');
  eq(p.json.language, 'es', 'the customer\'s language first');
  eq(p.json.greeting, '¡Hola, Lucía!');
  eq(p.json.question, DEF.questions[0].text.es);
  eq([p.json.low, p.json.high], ['Nada probable', 'Muy probable']);
  eq(p.json.follow_up.detractor, '¿Qué salió mal?', 'the survey\'s own follow-up');
  ok(p.json.follow_up.promoter.length > 0 && p.json.texts.send === 'Enviar' && p.json.texts.close === 'Cerrar', 'catalogue texts');
  eq(p.json.token, inv.json.token, 'the invitation\'s token');
  const st = await call(ctx.base, 'GET', `/api/v1/surveys/${ctx.survey}/stats`, { key: ctx.key });
  const web = st.json.invitations.by_channel.find((c) => c.channel === 'web');
  eq(web.opened, 1, 'the prompt opened the web invitation');
  // a bad score
  const bad = await post(ctx, '/w/v1/answer', { token: p.json.token, score: 11 });
  status(bad, 422);
  eq(bad.json.errors[0].field, 'score');
  for (const score of [4.5, -1, 4294967306, '9', null]) status(await post(ctx, '/w/v1/answer', { token: p.json.token, score }), 422, String(score));
  const hostile = '<img src=x onerror=alert(1)> malo';
  const a = await post(ctx, '/w/v1/answer', { token: p.json.token, score: 3, comment: hostile });
  status(a, 201);
  eq(a.headers.get('access-control-allow-origin'), '*');
  const again = await post(ctx, '/w/v1/answer', { token: p.json.token, score: 10 });
  status(again, 200);
  eq(again.json.duplicate, true);
  const rs = await call(ctx.base, 'GET', `/api/v1/responses?survey=${ctx.survey}`, { key: ctx.key });
  const mine = rs.json.items.filter((x) => x.id === `inv:${inv.json.id}`);
  eq(mine.length, 1, 'one response');
  eq([mine[0].nps, mine[0].channel, mine[0].answers.why_bad], [3, 'web', hostile]);
  status(await prompt(ctx, aid), 204, 'answered: no more prompts');
  // the /s/ page of the same invitation knows it is answered
  const page = await call(ctx.base, 'GET', `/s/${inv.json.token}`);
  ok(!page.text.includes('name="q.nps"'), 'the link does not take a second answer');
});

test('a comment without a follow-up question goes to the response comment', async (ctx) => {
  const aid = aidOf(10);
  status(await events(ctx, aid, [{ type: 'purchase' }]), 202);
  const [c] = await customersBy(ctx, aid);
  const inv = await call(ctx.base, 'POST', `/api/v1/surveys/${ctx.survey}/invitations`, { key: ctx.key, json: { customer_id: c.id, channel: 'web' } });
  status(inv, 201);
  const p = await prompt(ctx, aid, 'en');
  eq([p.json.language, p.json.greeting], ['en', 'Hello!'], 'the page\'s language for an anonymous visitor');
  status(await post(ctx, '/w/v1/answer', { token: p.json.token, score: 8, comment: 'ok' }), 201);
  const rs = await call(ctx.base, 'GET', `/api/v1/responses?survey=${ctx.survey}`, { key: ctx.key });
  const mine = rs.json.items.find((x) => x.id === `inv:${inv.json.id}`);
  eq([mine.nps, mine.comment], [8, 'ok']);
});

test('forged, altered and link tokens are refused', async (ctx) => {
  const inv = await call(ctx.base, 'POST', `/api/v1/surveys/${ctx.survey}/invitations`, { key: ctx.key, json: { external_id: 'W-9', channel: 'web' } });
  const t = inv.json.token;
  const flip = t.slice(0, -1) + (t.endsWith('0') ? '1' : '0');
  const parts = t.split('.');
  const other = [parts[0], String(BigInt(parts[1]) + 1n), parts[2], parts[3]].join('.');
  for (const token of [flip, other, 'a.b.c.d', '', 42]) {
    const r = await post(ctx, '/w/v1/answer', { token, score: 9 });
    status(r, 404, String(token));
    eq(r.json.errors[0].field, 'token');
  }
  const link = await call(ctx.base, 'POST', `/api/v1/surveys/${ctx.survey}/invitations`, { key: ctx.key, json: { external_id: 'W-9' } });
  status(await post(ctx, '/w/v1/answer', { token: link.json.token, score: 9 }), 404, 'a link invitation');
});

test('rate limit per address: 429 with Retry-After, CORS still readable', async (ctx) => {
  const srv = await startServer(ctx.db, ['--quiet', '--public-per-minute', '1']);
  try {
    let last;
    for (let i = 0; i < 15; i++) {
      last = await call(srv.url, 'POST', '/w/v1/events', { body: JSON.stringify({ site: ctx.site, anonymous_id: aidOf(11), events: [{ type: 'a' }] }), type: 'text/plain' });
      if (last.status === 429) break;
      status(last, 202);
    }
    status(last, 429);
    ok(Number(last.headers.get('retry-after')) > 0, 'Retry-After');
    eq(last.headers.get('access-control-allow-origin'), '*');
    status(await call(srv.url, 'GET', `/w/v1/prompt?site=${ctx.site}&aid=${aidOf(11)}`), 429, 'per address, every path');
    status(await call(srv.url, 'GET', '/w/cxm.js'), 200, 'the script itself is not limited');
  } finally {
    await srv.stop();
  }
});

run(setup, async (ctx) => { await ctx.srv.stop(); });
