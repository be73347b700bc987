// test_anonymous.mjs - anonymous surveys: the open link (one per survey, signed),
// answers that name nobody (no customer, address, user agent or cookie, and
// nothing of them in the request log), one response per form however often it
// is sent, the receipt code and the receipt page (see, delete, wrong codes
// limited per address), refusals of invitations that name a customer or go by
// e-mail, and the public 429 as a small HTML page in the visitor's language.
import { readFileSync, writeFileSync } from 'node:fs';
import { call, cxm, eq, ok, run, startServer, status, test, testDb } from './lib.mjs';
import { startSink } from './smtp-sink.mjs';

const T = `an-${process.pid}${Date.now() % 100000}`;
const ANON = JSON.parse(readFileSync('tests/data/surveys/good/anonymous.json', 'utf8'));
const NAMED = JSON.parse(readFileSync('tests/data/surveys/good/posventa.json', 'utf8'));
const UA = 'cxm-anon-test-agent/1.0';

async function setup() {
  const db = testDb('anonymous');
  const sink = await startSink();
  // not --quiet: the request log is read below
  const srv = await startServer(db, ['--public-per-minute', '100000', '--smtp-url', sink.url,
    '--smtp-from', 'Encuestas <encuestas@example.com>']);
  cxm(db, ['tenant', 'create', T, '--language', 'en']);
  const key = cxm(db, ['key', 'create', '--role', 'admin', '--tenant', T]).trim();
  const base = srv.url;
  await call(base, 'PUT', '/api/v1/settings/surveys', { key, json: { fatigue_days: 0 } });
  const s = (await call(base, 'POST', '/api/v1/surveys', { key, json: ANON })).json;
  status(await call(base, 'POST', `/api/v1/surveys/${s.id}/status`, { key, json: { status: 'live' } }), 200);
  const named = (await call(base, 'POST', '/api/v1/surveys', { key, json: NAMED })).json;
  await call(base, 'POST', `/api/v1/surveys/${named.id}/status`, { key, json: { status: 'live' } });
  await call(base, 'POST', '/api/v1/customers', { key, json: { external_id: 'C-1', email: 'c1@example.com' } });
  const link = await call(base, 'POST', `/api/v1/surveys/${s.id}/open-link`, { key, json: {} });
  status(link, 200);
  return { db, sink, srv, base, key, survey: s.id, named: named.id, link: link.json };
}

const headers = { 'user-agent': UA, 'accept-language': 'es-ES,es;q=0.9' };
const page = (ctx, path = ctx.link.path) => call(ctx.base, 'GET', path, { headers });
const form = (ctx, path, fields) => call(ctx.base, 'POST', path, {
  body: new URLSearchParams(fields).toString(), type: 'application/x-www-form-urlencoded', headers,
});
const nonceOf = (html) => {
  const m = html.match(/name="n" value="([0-9a-f]{32}\.[0-9a-f]{32})"/);
  ok(m, 'the form carries a signed nonce');
  return m[1];
};
const codeOf = (html) => {
  const m = html.match(/id="receipt-code">([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})</);
  ok(m, `a receipt code on the thank-you page: ${html.slice(-600)}`);
  return m[1];
};
const responses = async (ctx) => (await call(ctx.base, 'GET', `/api/v1/responses?survey=${ctx.survey}&limit=200`, { key: ctx.key })).json.items;
// answers the open link once (a fresh form); returns {code, html}
async function answer(ctx, fields) {
  const p = await page(ctx);
  status(p, 200);
  const r = await form(ctx, ctx.link.path, { ...fields, n: nonceOf(p.text) });
  status(r, 200);
  return { code: codeOf(r.text), html: r.text, nonce: nonceOf(p.text) };
}

test('one open link per survey: signed, the same every time, only for anonymous surveys', async (ctx) => {
  const { link } = ctx;
  ok(/^\/s\/\d+\.o\.\d+\.[0-9a-f]{32}$/.test(link.path), link.path);
  eq(link.path, `/s/${link.token}`);
  ok(link.url.endsWith(link.path), 'an absolute url too');
  const again = await call(ctx.base, 'POST', `/api/v1/surveys/${ctx.survey}/open-link`, { key: ctx.key, json: {} });
  eq(again.json.token, link.token, 'the same link again');
  const named = await call(ctx.base, 'POST', `/api/v1/surveys/${ctx.named}/open-link`, { key: ctx.key, json: {} });
  status(named, 422);
  eq(named.json.errors[0].field, 'anonymous');
  ok(named.headers.get('content-type').startsWith('application/problem+json'), 'problem+json');
  status(await call(ctx.base, 'POST', '/api/v1/surveys/123/open-link', { key: ctx.key, json: {} }), 404);
  // forged: another survey under the same MAC, a changed MAC, a personal-link shape
  const [t, , sid, mac] = link.token.split('.');
  status(await page(ctx, `/s/${t}.o.${ctx.named}.${mac}`), 404);
  status(await page(ctx, `/s/${t}.o.${sid}.${mac.replace(/^./, (c) => (c === 'a' ? 'b' : 'a'))}`), 404);
  status(await page(ctx, `/s/${t}.${sid}.9999999999.${mac}`), 404);
});

test('the flag travels with the survey JSON: export, import', async (ctx) => {
  const out = JSON.parse(cxm(ctx.db, ['survey', 'export', String(ctx.survey), '--tenant', T]));
  eq(out.anonymous, true, 'exported');
  const file = `${process.env.CXM_TEST_TMP || '/tmp'}/anon-${process.pid}.json`;
  writeFileSync(file, JSON.stringify({ ...out, name: 'Importada' }));
  const id = cxm(ctx.db, ['survey', 'import', file, '--tenant', T]).trim();
  const got = await call(ctx.base, 'GET', `/api/v1/surveys/${id}`, { key: ctx.key });
  eq(got.json.definition.anonymous, true, 'imported');
  const bad = await call(ctx.base, 'POST', '/api/v1/surveys', { key: ctx.key, json: { ...ANON, name: 'Mala', anonymous: 'yes' } });
  status(bad, 422);
  eq(bad.json.errors[0].field, 'anonymous');
});

test('the page: plain HTML in the visitor\'s language, a signed nonce, no cookie', async (ctx) => {
  const p = await page(ctx);
  status(p, 200);
  ok(p.headers.get('content-type').startsWith('text/html'), 'html');
  ok(p.text.includes('<html lang="es">'), 'Spanish from Accept-Language');
  ok(p.text.includes('¿Recomendaría trabajar aquí?'), 'the question');
  ok(!p.text.includes('<script'), 'no JavaScript');
  eq(p.headers.get('set-cookie'), null, 'no cookie');
  const p2 = await page(ctx);
  ok(nonceOf(p.text) !== nonceOf(p2.text), 'a new nonce for every form');
  const en = await call(ctx.base, 'GET', ctx.link.path, { headers: { 'accept-language': 'en' } });
  ok(en.text.includes('<html lang="en">'), 'English');
});

test('answers create responses with no customer; a receipt code is shown', async (ctx) => {
  const before = (await responses(ctx)).length;
  const a = await answer(ctx, { 'q.nps': '9', 'q.comment': 'Buen ambiente', lang: 'es' });
  const b = await answer(ctx, { 'q.nps': '10', lang: 'es' });
  ok(a.code !== b.code, 'every respondent their own code');
  ok(a.html.includes(`href="${ctx.link.path}/receipt?lang=es"`), 'a link to the receipt page');
  eq(a.html.match(/<html lang="es">/) !== null, true, 'thanks in Spanish');
  const items = await responses(ctx);
  eq(items.length, before + 2, 'two responses');
  for (const x of items.slice(0, 2)) {
    eq(x.customer_id, null, 'no customer');
    eq([x.channel, x.touchpoint, x.complete], ['web', 'open_link', true]);
    ok(x.id.startsWith('open:') && !x.id.includes(a.nonce.slice(0, 32)) && !x.id.includes(b.nonce.slice(0, 32)),
      'the source id is not the nonce');
  }
  ok(items.some((x) => x.answers.comment === 'Buen ambiente'), 'the answers are kept');
  const dump = JSON.stringify(items);
  ok(!dump.includes('127.0.0.1') && !dump.includes(UA), 'no address, no user agent in the response');
  ok(!dump.includes(a.code) && !dump.includes(a.code.replace(/-/g, '')), 'no receipt code in the response');
});

test('the same form sent twice (a double click, a reload) is one response with one code', async (ctx) => {
  const before = (await responses(ctx)).length;
  const p = await page(ctx);
  const fields = { 'q.nps': '8', lang: 'es', n: nonceOf(p.text) };
  const [x, y] = await Promise.all([form(ctx, ctx.link.path, fields), form(ctx, ctx.link.path, fields)]);
  const z = await form(ctx, ctx.link.path, fields);
  for (const r of [x, y, z]) status(r, 200);
  eq(codeOf(y.text), codeOf(x.text), 'the same code');
  eq(codeOf(z.text), codeOf(x.text), 'the same code on a reload');
  eq((await responses(ctx)).length, before + 1, 'one response');
  // a forged or foreign nonce is refused
  const bad = await form(ctx, ctx.link.path, { 'q.nps': '8', n: `${'0'.repeat(32)}.${'0'.repeat(32)}` });
  status(bad, 404);
  const none = await form(ctx, ctx.link.path, { 'q.nps': '8' });
  status(none, 404);
  eq((await responses(ctx)).length, before + 1, 'nothing stored for them');
});

test('follow-ups come on a second page under the same nonce; bad answers are shown again', async (ctx) => {
  const p = await page(ctx);
  const n = nonceOf(p.text);
  const bad = await form(ctx, ctx.link.path, { 'q.nps': '11', n });
  status(bad, 422);
  ok(bad.text.includes('role="alert"'), 'what to fix');
  eq(nonceOf(bad.text), n, 'the same form goes on');
  const first = await form(ctx, ctx.link.path, { 'q.nps': '3', n, lang: 'es' });
  status(first, 200);
  ok(first.text.includes('¿Qué deberíamos cambiar?'), 'the detractor follow-up');
  eq(nonceOf(first.text), n, 'the same nonce');
  const done = await form(ctx, ctx.link.path, { 'q.why_bad': 'Los turnos', n, lang: 'es' });
  const code = codeOf(done.text);
  const items = await responses(ctx);
  const x = items.find((i) => i.answers.why_bad === 'Los turnos');
  ok(x && x.nps === 3 && x.complete, 'one complete response with both pages');
  ok(code.length === 19, code);
});

test('the receipt page shows the answers (escaped), then deletes them for good', async (ctx) => {
  const hostile = '<script>alert(1)</script> & "quotes"';
  const { code } = await answer(ctx, { 'q.nps': '2', 'q.why_bad': hostile, lang: 'es' });
  // another survey's receipt page does not open it
  const s2 = (await call(ctx.base, 'POST', '/api/v1/surveys', { key: ctx.key, json: { ...ANON, name: 'Otra' } })).json;
  const l2 = (await call(ctx.base, 'POST', `/api/v1/surveys/${s2.id}/open-link`, { key: ctx.key, json: {} })).json;
  status(await form(ctx, `${l2.path}/receipt`, { code }), 422, 'another survey');
  const before = await responses(ctx);
  const mine = before.find((x) => x.answers.why_bad === hostile);
  ok(mine, 'stored');
  const g = await call(ctx.base, 'GET', `${ctx.link.path}/receipt`, { headers });
  status(g, 200);
  ok(g.text.includes('name="code"') && g.text.includes('<html lang="es">') && !g.text.includes('<script'), 'a form, in Spanish, no JS');
  // any spelling of the code: lower case, no dashes, O for 0
  const typed = code.toLowerCase().replace(/-/g, ' ').replace(/0/g, 'o');
  const shown = await form(ctx, `${ctx.link.path}/receipt`, { code: typed, lang: 'en' });
  status(shown, 200);
  ok(shown.text.includes('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;'), 'the comment, escaped');
  ok(!shown.text.includes('<script>'), 'never raw');
  ok(shown.text.includes('Delete my answers'), 'English UI');
  ok(shown.text.includes('¿Qué deberíamos cambiar?'), 'the question in the language answered');
  const del = await form(ctx, `${ctx.link.path}/receipt`, { code, action: 'delete', lang: 'en' });
  status(del, 200);
  ok(del.text.includes('Your answers have been deleted.'), del.text.slice(-300));
  const after = await responses(ctx);
  eq(after.length, before.length - 1, 'one response fewer');
  ok(!after.some((x) => x.response_id === mine.response_id), 'the response is gone from GET /api/v1/responses');
  const again = await form(ctx, `${ctx.link.path}/receipt`, { code, lang: 'en' });
  status(again, 422);
  ok(again.text.includes('No answers match this code'), 'the code opens nothing any more');
});

test('invitations that name a customer, and e-mail invitations, are refused for an anonymous survey', async (ctx) => {
  const url = `/api/v1/surveys/${ctx.survey}/invitations`;
  const sent = ctx.sink.messages.length;
  for (const [body, field] of [[{ external_id: 'C-1' }, 'external_id'], [{ email: 'c1@example.com' }, 'email'],
    [{ phone: '+573001234567' }, 'phone'], [{ email: 'c1@example.com', channel: 'email' }, 'channel']]) {
    const r = await call(ctx.base, 'POST', url, { key: ctx.key, json: body });
    status(r, 422, JSON.stringify(body));
    eq(r.json.errors[0].field, field);
    ok(/anonymous/.test(r.json.errors[0].message), r.json.errors[0].message);
  }
  const c = (await call(ctx.base, 'GET', '/api/v1/customers?limit=10', { key: ctx.key })).json.items.find((x) => x.external_id === 'C-1');
  const byId = await call(ctx.base, 'POST', url, { key: ctx.key, json: { customer_id: c.id } });
  status(byId, 422);
  eq(byId.json.errors[0].field, 'customer_id');
  eq(ctx.sink.messages.length, sent, 'no e-mail');
  // the API refuses a response that names someone too
  const api = await call(ctx.base, 'POST', '/api/v1/responses', { key: ctx.key,
    json: { id: `r-${Date.now()}`, survey: ctx.survey, external_id: 'C-1', channel: 'web', answers: { nps: 5 } } });
  status(api, 422);
  eq(api.json.errors[0].field, 'external_id');
  // a named survey still invites
  status(await call(ctx.base, 'POST', `/api/v1/surveys/${ctx.named}/invitations`, { key: ctx.key, json: { external_id: 'C-1' } }), 201);
});

test('the request log names no address, user agent, token, nonce or code', async (ctx) => {
  const { code, nonce } = await answer(ctx, { 'q.nps': '7' });
  await form(ctx, `${ctx.link.path}/receipt`, { code });
  const lines = ctx.srv.logText().split('\n').filter((l) => l.includes('"route"'));
  const pub = lines.filter((l) => l.includes('"/s/{token}'));
  ok(pub.length >= 3, `public requests are logged: ${pub.length}`);
  for (const l of pub) {
    eq(Object.keys(JSON.parse(l)).sort(), ['method', 'ms', 'route', 'status', 'ts'], l);
  }
  const all = ctx.srv.logText();
  for (const secret of ['127.0.0.1:', UA, ctx.link.token, nonce, nonce.slice(0, 32), code]) {
    const hits = all.split('\n').filter((l) => l.includes(secret) && !l.includes('listening on'));
    eq(hits, [], `the log never holds ${secret}`);
  }
});

test('a survey closed or made named again: its open link stops', async (ctx) => {
  const s = (await call(ctx.base, 'POST', '/api/v1/surveys', { key: ctx.key, json: { ...ANON, name: 'Temporal' } })).json;
  await call(ctx.base, 'POST', `/api/v1/surveys/${s.id}/status`, { key: ctx.key, json: { status: 'live' } });
  const link = (await call(ctx.base, 'POST', `/api/v1/surveys/${s.id}/open-link`, { key: ctx.key, json: {} })).json;
  status(await page(ctx, link.path), 200);
  const { anonymous, ...named } = ANON;
  ok(anonymous, 'the fixture is anonymous');
  status(await call(ctx.base, 'PUT', `/api/v1/surveys/${s.id}`, { key: ctx.key, json: { ...named, name: 'Temporal' } }), 200);
  status(await page(ctx, link.path), 404, 'no longer anonymous');
  status(await call(ctx.base, 'POST', `/api/v1/surveys/${ctx.survey}/status`, { key: ctx.key, json: { status: 'closed' } }), 200);
  const closed = await page(ctx);
  status(closed, 200);
  ok(!closed.text.includes('<form'), 'no form on a closed survey');
  status(await call(ctx.base, 'POST', `/api/v1/surveys/${ctx.survey}/status`, { key: ctx.key, json: { status: 'live' } }), 200);
});

test('wrong receipt codes: a clear message, then the address waits (429 HTML), even with the right code', async (ctx) => {
  const { code } = await answer(ctx, { 'q.nps': '9' });
  const other = await startServer(ctx.db, ['--quiet', '--public-per-minute', '100000']);
  try {
    const path = `${ctx.link.path}/receipt`;
    const post = (c) => call(other.url, 'POST', path, {
      body: new URLSearchParams({ code: c }).toString(), type: 'application/x-www-form-urlencoded',
      headers: { 'accept-language': 'es' },
    });
    for (let i = 0; i < 5; i++) {
      const r = await post(i % 2 ? 'not a code' : `AAAA-AAAA-AAAA-AAA${i}`);
      status(r, 422, `wrong code ${i}`);
      ok(r.text.includes('Ningún conjunto de respuestas corresponde a este código'), 'a clear message in Spanish');
    }
    const r = await post(code);
    status(r, 429, 'the sixth try waits');
    ok(r.headers.get('content-type').startsWith('text/html'), 'an HTML page');
    ok(Number(r.headers.get('retry-after')) >= 1, 'Retry-After');
    ok(r.text.includes('Demasiadas solicitudes') && r.text.includes('<html lang="es">'), 'in Spanish');
    ok(!r.text.includes('Borrar mis respuestas'), 'the right code shows nothing while waiting');
  } finally {
    await other.stop();
  }
});

test('a flood on the public pages gets a small HTML 429 in the visitor\'s language', async (ctx) => {
  const other = await startServer(ctx.db, ['--quiet', '--public-per-minute', '20']);
  try {
    let r;
    for (let i = 0; i < 40; i++) {
      r = await call(other.url, 'GET', `${ctx.link.path}/receipt`, { headers: { 'accept-language': 'es' } });
      if (r.status === 429) break;
    }
    status(r, 429);
    ok(r.headers.get('content-type').startsWith('text/html'), 'HTML, not problem+json');
    ok(Number(r.headers.get('retry-after')) >= 1, 'Retry-After');
    ok(/Espere \d+ segundos/.test(r.text), r.text);
    const en = await call(other.url, 'GET', ctx.link.path, { headers: { 'accept-language': 'en-GB' } });
    status(en, 429);
    ok(/wait \d+ seconds/.test(en.text) && en.text.includes('<html lang="en">'), en.text);
    status(await call(other.url, 'GET', '/healthz'), 200, 'the rest goes on');
  } finally {
    await other.stop();
  }
});

run(setup, async (ctx) => { if (ctx) { await ctx.srv.stop(); await ctx.sink.close(); } });
