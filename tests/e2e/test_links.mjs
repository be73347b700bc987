// test_links.mjs - personal survey links: the invitation, the public page
// (plain HTML, the customer's language and name, the traffic-light scale),
// answering in two steps, one submission per link, forged links, hostile text.
import { readFileSync } from 'node:fs';
import { call, cxm, eq, ok, run, startServer, status, test, testDb } from './lib.mjs';

const T = `ln-${process.pid}${Date.now() % 100000}`;
const DEF = JSON.parse(readFileSync('tests/data/surveys/good/posventa.json', 'utf8'));

async function setup() {
  const db = testDb('links');
  const srv = await startServer(db, ['--quiet']);
  cxm(db, ['tenant', 'create', T, '--language', 'en']);
  const key = cxm(db, ['key', 'create', '--role', 'admin', '--tenant', T]).trim();
  // these tests invite the same customers again and again: no contact fatigue here
  await call(srv.url, 'PUT', '/api/v1/settings/surveys', { key, json: { fatigue_days: 0 } });
  const s = (await call(srv.url, 'POST', '/api/v1/surveys', { key, json: DEF })).json;
  await call(srv.url, 'POST', `/api/v1/surveys/${s.id}/status`, { key, json: { status: 'live' } });
  await call(srv.url, 'POST', '/api/v1/customers', { key, json: { external_id: 'M-1', first_name: 'María', language: 'es' } });
  await call(srv.url, 'POST', '/api/v1/customers', { key, json: { external_id: 'H-1', first_name: '<img src=x onerror=alert(1)>', language: 'en' } });
  return { db, srv, base: srv.url, key, survey: s.id };
}

const invite = async (ctx, body) => {
  const r = await call(ctx.base, 'POST', `/api/v1/surveys/${ctx.survey}/invitations`, { key: ctx.key, json: body });
  status(r, 201);
  return r.json;
};
const form = (base, path, fields) => call(base, 'POST', path, {
  body: new URLSearchParams(fields).toString(), type: 'application/x-www-form-urlencoded',
});

test('an invitation gives a personal, signed, expiring link', async (ctx) => {
  const inv = await invite(ctx, { external_id: 'M-1' });
  ok(/^\/s\/\d+\.\d+\.\d+\.[0-9a-f]{32}$/.test(inv.path), inv.path);
  ok(inv.url.endsWith(inv.path), 'an absolute url too');
  const days = (Date.parse(inv.expires_at) - Date.now()) / 86400000;
  ok(days > 29 && days < 31, `expires in 30 days (${days})`);
});

test('the page speaks the customer\'s language, greets them by name, shows the traffic-light scale', async (ctx) => {
  const inv = await invite(ctx, { external_id: 'M-1' });
  const r = await call(ctx.base, 'GET', inv.path);
  status(r, 200);
  ok(r.headers.get('content-type').startsWith('text/html'), 'html');
  ok(/default-src 'none'/.test(r.headers.get('content-security-policy')), 'strict CSP, no scripts at all');
  ok(r.text.includes('<html lang="es">'), 'Spanish');
  ok(r.text.includes('¡Hola, María!'), 'greeting');
  ok(!r.text.includes('<script'), 'no JavaScript');
  for (let v = 0; v <= 10; v++) {
    const cls = v <= 6 ? 'red' : v <= 8 ? 'amber' : 'green';
    ok(r.text.includes(`<label class="${cls}"><input type="radio" name="q.nps" value="${v}"`), `score ${v} is ${cls}`);
  }
  ok(r.text.includes('Nada probable') && r.text.includes('Muy probable'), 'the two end labels');
  ok(!r.text.includes('¿Qué salió mal?'), 'follow-ups wait for the score');
  const css = await call(ctx.base, 'GET', '/survey/page.css');
  status(css, 200);
});

test('answering: the score, then the follow-up for its category, then thanks; once only', async (ctx) => {
  const inv = await invite(ctx, { external_id: 'M-1' });
  const first = await form(ctx.base, inv.path, { 'q.nps': '3', 'q.csat': '2', lang: 'es' });
  status(first, 303);
  eq(first.headers.get('location'), inv.path);
  const page2 = await call(ctx.base, 'GET', inv.path);
  ok(page2.text.includes('¿Qué salió mal?'), 'the detractor follow-up');
  ok(!page2.text.includes('¿Qué le gustó?'), 'not the promoter one');
  ok(!page2.text.includes('name="q.nps"'), 'the score is not asked again');
  const done = await form(ctx.base, inv.path, { 'q.why_bad': 'Tardó <b>tres</b> semanas & nadie avisó' });
  status(done, 200);
  ok(done.text.includes('¡Gracias!'), 'thanks');
  const again = await call(ctx.base, 'GET', inv.path);
  ok(again.text.includes('Ya respondió'), 'already answered');
  const twice = await form(ctx.base, inv.path, { 'q.nps': '10' });
  ok(twice.text.includes('Ya respondió'), 'a second submission changes nothing');
  const list = await call(ctx.base, 'GET', `/api/v1/responses?survey=${ctx.survey}`, { key: ctx.key });
  const mine = list.json.items.filter((x) => x.id === `inv:${inv.id}`);
  eq(mine.length, 1, 'one response');
  eq([mine[0].nps, mine[0].csat, mine[0].complete, mine[0].answers.why_bad], [3, 2, true, 'Tardó <b>tres</b> semanas & nadie avisó']);
});

test('bad answers come back on the page with the reason; nothing is stored', async (ctx) => {
  const inv = await invite(ctx, { external_id: 'M-1' });
  const r = await form(ctx.base, inv.path, { 'q.nps': '12' });
  status(r, 422);
  ok(r.text.includes('class="error"') && r.text.includes('0') && r.text.includes('10'), 'the reason');
  const list = await call(ctx.base, 'GET', `/api/v1/responses?survey=${ctx.survey}&limit=500`, { key: ctx.key });
  ok(!list.json.items.some((x) => x.id === `inv:${inv.id}`), 'nothing stored');
});

test('forged and altered links are refused', async (ctx) => {
  const inv = await invite(ctx, { external_id: 'M-1' });
  const parts = inv.path.slice(3).split('.');
  const flip = (s) => s.slice(0, -1) + (s.at(-1) === '0' ? '1' : '0');
  const bad = [
    `${parts[0]}.${parts[1]}.${parts[2]}.${flip(parts[3])}`,
    `${parts[0]}.${parts[1]}.${Number(parts[2]) + 86400 * 365}.${parts[3]}`,
    `${parts[0]}.${BigInt(parts[1]) + 1n}.${parts[2]}.${parts[3]}`, // ids exceed 2^53: BigInt
    'nothing', '1.2.3.4', `${parts[0]}.${parts[1]}.${parts[2]}`,
  ];
  for (const t of bad) {
    const r = await call(ctx.base, 'GET', `/s/${t}`);
    status(r, 404, t);
    ok(r.text.includes('not valid') || r.text.includes('no es válido'), 'says why');
    status(await form(ctx.base, `/s/${t}`, { 'q.nps': '9' }), 404, `POST ${t}`);
  }
});

test('what a customer is called is escaped; anonymous links greet without a name', async (ctx) => {
  const hostile = await invite(ctx, { external_id: 'H-1' });
  const r = await call(ctx.base, 'GET', hostile.path);
  ok(!r.text.includes('<img'), 'no markup from the name');
  ok(r.text.includes('&lt;img src=x onerror=alert(1)&gt;'), 'shown as text');
  ok(r.text.includes('<html lang="en">'), 'English for an English customer');
  const anon = await invite(ctx, {});
  const a = await call(ctx.base, 'GET', anon.path);
  ok(a.text.includes('Hello!'), 'anonymous greeting in the tenant language');
});

test('a closed survey\'s link says so; the invitation API checks its input', async (ctx) => {
  const s = (await call(ctx.base, 'POST', '/api/v1/surveys', { key: ctx.key, json: { ...DEF, name: 'Cerrada' } })).json;
  const draft = await call(ctx.base, 'POST', `/api/v1/surveys/${s.id}/invitations`, { key: ctx.key, json: {} });
  eq([draft.status, draft.json.errors[0].field], [422, 'survey'], 'a draft takes no invitations');
  await call(ctx.base, 'POST', `/api/v1/surveys/${s.id}/status`, { key: ctx.key, json: { status: 'live' } });
  const inv = (await call(ctx.base, 'POST', `/api/v1/surveys/${s.id}/invitations`, { key: ctx.key, json: { external_id: 'M-1' } })).json;
  await call(ctx.base, 'POST', `/api/v1/surveys/${s.id}/status`, { key: ctx.key, json: { status: 'closed' } });
  const r = await call(ctx.base, 'GET', inv.path);
  ok(r.text.includes('cerrada'), 'closed, in Spanish');
  const bad = await call(ctx.base, 'POST', `/api/v1/surveys/${ctx.survey}/invitations`, { key: ctx.key, json: { email: 'x', expires_in_days: 0, colour: 1 } });
  status(bad, 422);
  eq(bad.json.errors.map((e) => e.field).sort(), ['colour', 'email', 'expires_in_days']);
  status(await call(ctx.base, 'POST', '/api/v1/surveys/99999/invitations', { key: ctx.key, json: {} }), 404);
});

test('the unsubscribe link asks, then records email consent as denied', async (ctx) => {
  const c = (await call(ctx.base, 'POST', '/api/v1/customers', { key: ctx.key, json: { external_id: 'U-1', first_name: 'Uma', language: 'es', consent: { email: 'granted' } } })).json;
  const inv = await invite(ctx, { external_id: 'U-1' });
  const upath = inv.path.replace('/s/', '/u/');
  const page = await call(ctx.base, 'GET', upath);
  status(page, 200);
  ok(page.text.includes('Darme de baja') && page.text.includes('method="post"'), 'asks first, in Spanish');
  eq((await call(ctx.base, 'GET', `/api/v1/customers/${c.id}`, { key: ctx.key })).json.consent.email, 'granted', 'a GET changes nothing');
  const done = await form(ctx.base, upath, {});
  status(done, 200);
  ok(done.text.includes('no recibirá más'), 'done');
  eq((await call(ctx.base, 'GET', `/api/v1/customers/${c.id}`, { key: ctx.key })).json.consent.email, 'denied');
  const parts = upath.split('.');
  status(await call(ctx.base, 'GET', `${parts.slice(0, 3).join('.')}.${'0'.repeat(32)}`), 404, 'forged');
});

test('contact fatigue: one invitation per customer per N days on any channel; excluded segments never', async (ctx) => {
  const get = await call(ctx.base, 'GET', '/api/v1/settings/surveys', { key: ctx.key });
  eq(get.json, { exclude: [], fatigue_days: 0 });
  const bad = await call(ctx.base, 'PUT', '/api/v1/settings/surveys', { key: ctx.key, json: { fatigue_days: 400, exclude: [{ attribute: 'segment' }] } });
  status(bad, 422);
  const set = await call(ctx.base, 'PUT', '/api/v1/settings/surveys', { key: ctx.key, json: { fatigue_days: 30, exclude: [{ attribute: 'segment', value: 'vip' }] } });
  eq([set.status, set.json.fatigue_days, set.json.exclude[0].value], [200, 30, 'vip']);
  await call(ctx.base, 'POST', '/api/v1/customers', { key: ctx.key, json: { external_id: 'F-1', first_name: 'Fabio' } });
  await call(ctx.base, 'POST', '/api/v1/customers', { key: ctx.key, json: { external_id: 'V-1', attributes: { segment: 'vip' } } });
  status(await call(ctx.base, 'POST', `/api/v1/surveys/${ctx.survey}/invitations`, { key: ctx.key, json: { external_id: 'F-1' } }), 201, 'first invitation');
  const again = await call(ctx.base, 'POST', `/api/v1/surveys/${ctx.survey}/invitations`, { key: ctx.key, json: { external_id: 'F-1', channel: 'sms' } });
  status(again, 409, 'a second one within 30 days, on another channel');
  ok(again.json.detail.includes('20'), `the dates are given: ${again.json.detail}`);
  const vip = await call(ctx.base, 'POST', `/api/v1/surveys/${ctx.survey}/invitations`, { key: ctx.key, json: { external_id: 'V-1' } });
  eq([vip.status, vip.json.errors[0].field], [422, 'customer_id']);
  ok(vip.json.errors[0].message.includes('segment=vip'), vip.json.errors[0].message);
  status(await call(ctx.base, 'POST', `/api/v1/surveys/${ctx.survey}/invitations`, { key: ctx.key, json: {} }), 201, 'anonymous links are not limited');
  status(await call(ctx.base, 'POST', `/api/v1/surveys/${ctx.survey}/invitations`, { key: ctx.key, json: { external_id: 'NEW-1' } }), 201, 'a new customer');
  const audit = await call(ctx.base, 'GET', '/api/v1/audit?limit=50', { key: ctx.key });
  ok(audit.json.items.some((a) => a.action === 'settings.surveys'), 'audited');
  await call(ctx.base, 'PUT', '/api/v1/settings/surveys', { key: ctx.key, json: { fatigue_days: 0 } });
});

run(setup, async (ctx) => { if (ctx) await ctx.srv.stop(); });
