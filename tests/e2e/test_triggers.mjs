// test_triggers.mjs - an event schedules an invitation: a delivery two days
// ago is invited by e-mail now (through tests/e2e/smtp-sink.mjs), a delivery
// now waits (pending), a delay of seconds fires after it, a repeated event
// schedules once, contact fatigue and unsubscribed customers are skipped with
// the reason, the web channel makes a "web" invitation, inactive triggers and
// imports of history fire nothing, stale events are skipped; bad input and
// roles.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { call, cxm, eq, ok, run, startServer, status, test, testDb, TMP } from './lib.mjs';
import { startSink, until } from './smtp-sink.mjs';

const T = `tr-${process.pid}${Date.now() % 100000}`;
const T2 = `tr2-${process.pid}${Date.now() % 100000}`;
const DEF = JSON.parse(readFileSync('tests/data/surveys/good/posventa.json', 'utf8'));
const DAY = 86400 * 1000;
const iso = (ms) => new Date(ms).toISOString();

async function setup() {
  const db = testDb('triggers');
  const sink = await startSink();
  const srv = await startServer(db, ['--quiet', '--smtp-url', sink.url, '--smtp-from', 'Casa Voltia <encuestas@casavoltia.example>',
    '--smtp-retry-base-ms', '200']);
  cxm(db, ['tenant', 'create', T, '--language', 'en']);
  cxm(db, ['tenant', 'create', T2, '--language', 'en']);
  const keys = {};
  for (const role of ['owner', 'admin', 'analyst', 'manager', 'agent', 'viewer'])
    keys[role] = cxm(db, ['key', 'create', '--role', role, '--tenant', T]).trim();
  const other = cxm(db, ['key', 'create', '--role', 'admin', '--tenant', T2]).trim();
  const key = keys.admin;
  const s = (await call(srv.url, 'POST', '/api/v1/surveys', { key, json: DEF })).json;
  status(await call(srv.url, 'POST', `/api/v1/surveys/${s.id}/status`, { key, json: { status: 'live' } }), 200);
  const draft = (await call(srv.url, 'POST', '/api/v1/surveys', { key, json: { ...DEF, name: 'Borrador' } })).json;
  const put = async (json) => (await call(srv.url, 'POST', '/api/v1/customers', { key, json })).json;
  const customers = {};
  for (const ext of ['A', 'B', 'C', 'E', 'F', 'G', 'H', 'S', 'X', 'I'])
    customers[ext] = (await put({ external_id: ext, first_name: `Cliente ${ext}`, email: `${ext.toLowerCase()}@example.com` })).id;
  customers.D = (await put({ external_id: 'D', first_name: 'Denise', email: 'd@example.com', consent: { email: 'denied' } })).id;
  return { db, sink, srv, base: srv.url, key, keys, other, survey: s.id, draft: draft.id, customers };
}

const trig = (ctx, json, key = ctx.key) => call(ctx.base, 'POST', '/api/v1/triggers', { key, json });
const event = (ctx, json) => call(ctx.base, 'POST', '/api/v1/events', { key: ctx.key, json: { channel: 'store', ...json } });
const scheduled = async (ctx, id, q = '') => {
  const r = await call(ctx.base, 'GET', `/api/v1/triggers/${id}/scheduled${q}`, { key: ctx.key });
  status(r, 200, 'scheduled list');
  return r.json.items;
};
const byTo = (ctx, to) => ctx.sink.messages.filter((m) => m.to.includes(to));
const forCustomer = (rows, id) => rows.filter((x) => x.customer_id === id);

test('bad input: 422 naming the field and the reason', async (ctx) => {
  const good = { name: 'Tras la entrega', survey_id: ctx.survey, on: { type: 'delivery' }, delay: '2d', channel: 'email' };
  const cases = [
    [{ ...good, name: undefined }, 'name', /required/],
    [{ ...good, name: '' }, 'name', /1 to 120/],
    [{ ...good, delay: '2x' }, 'delay', /unit/],
    [{ ...good, delay: '400d' }, 'delay', /365 days/],
    [{ ...good, delay: 48 }, 'delay', /string/],
    [{ ...good, channel: 'sms' }, 'channel', /"email" or "web"/],
    [{ ...good, channel: undefined }, 'channel', /required/],
    [{ ...good, survey_id: '999999' }, 'survey_id', /no such survey/],
    [{ ...good, survey_id: 'abc' }, 'survey_id', /id/],
    [{ ...good, on: {} }, 'on.type', /required/],
    [{ ...good, on: { type: 'Delivery Now' } }, 'on.type', /./],
    [{ ...good, on: { type: 'delivery', channel: 'pigeon' } }, 'on.channel', /./],
    [{ ...good, on: { type: 'delivery', properties: { carrier: { x: 1 } } } }, 'on.properties.carrier', /string, a number/],
    [{ ...good, active: 'yes' }, 'active', /true or false/],
    [{ ...good, colour: 'red' }, 'colour', /unknown field/],
  ];
  for (const [body, field, why] of cases) {
    const r = await trig(ctx, body);
    status(r, 422, `${JSON.stringify(body)}`);
    eq(r.headers.get('content-type'), 'application/problem+json');
    const e = r.json.errors.find((x) => x.field === field);
    ok(e && why.test(e.message), `${field}: ${r.text}`);
  }
  // a trigger of another tenant's survey is an unknown survey
  const r = await trig(ctx, good, ctx.other);
  status(r, 422);
  eq(r.json.errors[0].field, 'survey_id');
  eq((await call(ctx.base, 'GET', '/api/v1/triggers', { key: ctx.key })).json.items, [], 'nothing stored');
});

test('a trigger is created, read and listed', async (ctx) => {
  const r = await trig(ctx, { name: 'Tras la entrega', survey_id: ctx.survey, on: { type: 'delivery', channel: 'store' }, delay: '48h', channel: 'email' });
  status(r, 201);
  eq([r.json.delay, r.json.delay_seconds, r.json.active, r.json.channel, r.json.on], ['2d', 172800, true, 'email', { type: 'delivery', channel: 'store' }]);
  ctx.delivery = r.json.id;
  const one = await call(ctx.base, 'GET', `/api/v1/triggers/${ctx.delivery}`, { key: ctx.keys.viewer });
  status(one, 200);
  eq(one.json.name, 'Tras la entrega');
  const list = await call(ctx.base, 'GET', '/api/v1/triggers', { key: ctx.key });
  eq(list.json.items.map((x) => x.id), [ctx.delivery]);
});

test('delivery two days ago -> e-mail now; delivery now -> pending, not sent', async (ctx) => {
  status(await event(ctx, { id: 'del-A', external_id: 'A', type: 'delivery', ts: iso(Date.now() - 2 * DAY - 60000) }), 202);
  status(await event(ctx, { id: 'del-B', external_id: 'B', type: 'delivery', ts: iso(Date.now()) }), 202);
  // another channel does not match on.channel
  status(await event(ctx, { id: 'del-web', external_id: 'H', type: 'delivery', channel: 'web', ts: iso(Date.now() - 2 * DAY) }), 202);
  await until(() => byTo(ctx, 'a@example.com').length === 1, 10000, 'the e-mail to A');
  const html = byTo(ctx, 'a@example.com')[0].parts.find((p) => p.type === 'text/html').body;
  ok(html.includes('Cliente A') && /\/s\/\d+\.\d+\.\d+\.[0-9a-f]{32}/.test(html), 'a personal link, by name');
  const link = html.match(/href="[^"]*(\/s\/[^"?]+)/)[1];
  const page = await call(ctx.base, 'GET', link);
  status(page, 200, 'the link opens the survey');
  ok(page.text.includes('name="q.nps"'), 'the survey form');
  await until(async () => forCustomer(await scheduled(ctx, ctx.delivery), ctx.customers.A)[0]?.status === 'sent', 5000, 'A sent');
  const rows = await scheduled(ctx, ctx.delivery);
  const a = forCustomer(rows, ctx.customers.A)[0];
  ok(/^\d+$/.test(a.invitation_id), 'the invitation is named');
  eq(a.reason, null);
  const b = forCustomer(rows, ctx.customers.B);
  eq(b.map((x) => x.status), ['pending'], 'B waits');
  const due = Date.parse(b[0].due_at) - Date.now();
  ok(due > 2 * DAY - 120000 && due <= 2 * DAY, `due in two days (${due} ms)`);
  eq(forCustomer(rows, ctx.customers.H), [], 'the web delivery did not match');
  eq(byTo(ctx, 'b@example.com').length, 0, 'nothing sent to B');
  eq((await scheduled(ctx, ctx.delivery, '?status=pending')).map((x) => x.customer_id), [ctx.customers.B], 'filter by status');
  const m = (await call(ctx.base, 'GET', '/metrics')).text;
  eq(m.match(/^cxm_invitations_scheduled_total (\d+)$/m)?.[1], '2', 'two scheduled (A, B)');
  eq(m.match(/^cxm_scheduled_invitations_total\{outcome="sent"\} (\d+)$/m)?.[1], '1', 'one sent (A)');
});

test('the same event sent again schedules nothing more', async (ctx) => {
  const again = await event(ctx, { id: 'del-B', external_id: 'B', type: 'delivery', ts: iso(Date.now()) });
  status(again, 202);
  eq(again.json.duplicates, 1);
  eq(forCustomer(await scheduled(ctx, ctx.delivery), ctx.customers.B).length, 1, 'one row for B');
});

test('a delay of two seconds fires after the delay', async (ctx) => {
  const r = await trig(ctx, { name: 'Tras la llamada', survey_id: ctx.survey, on: { type: 'call', properties: { outcome: 'solved', minutes: 3 } }, delay: '2s', channel: 'email' });
  status(r, 201);
  ctx.call = r.json.id;
  eq(r.json.on.properties, { minutes: 3, outcome: 'solved' });
  // the properties must match
  status(await event(ctx, { id: 'call-X', external_id: 'X', type: 'call', channel: 'phone', ts: iso(Date.now()), properties: { outcome: 'open', minutes: 3 } }), 202);
  const t0 = Date.now();
  status(await event(ctx, { id: 'call-C', external_id: 'C', type: 'call', channel: 'phone', ts: iso(t0), properties: { outcome: 'solved', minutes: 3, agent_mood: 'ok' } }), 202);
  const first = await scheduled(ctx, ctx.call);
  eq(first.map((x) => [x.customer_id, x.status]), [[ctx.customers.C, 'pending']], 'pending at first; X did not match');
  eq(byTo(ctx, 'c@example.com').length, 0, 'not sent at once');
  await until(() => byTo(ctx, 'c@example.com').length === 1, 15000, 'the e-mail to C');
  ok(Date.now() - t0 >= 1900, `after the delay (${Date.now() - t0} ms)`);
  eq((await scheduled(ctx, ctx.call))[0].status, 'sent');
});

test('contact fatigue: a customer invited lately is skipped, with the reason', async (ctx) => {
  status(await call(ctx.base, 'POST', `/api/v1/surveys/${ctx.survey}/invitations`, { key: ctx.key, json: { external_id: 'F' } }), 201);
  status(await event(ctx, { id: 'del-F', external_id: 'F', type: 'delivery', ts: iso(Date.now() - 2 * DAY - 1000) }), 202);
  await until(async () => forCustomer(await scheduled(ctx, ctx.delivery), ctx.customers.F)[0]?.status === 'skipped', 5000, 'F skipped');
  const f = forCustomer(await scheduled(ctx, ctx.delivery), ctx.customers.F)[0];
  eq([f.reason, f.invitation_id], ['fatigue', null]);
  // A was invited by the trigger itself: a second delivery is skipped too
  status(await event(ctx, { id: 'del-A2', external_id: 'A', type: 'delivery', ts: iso(Date.now() - 2 * DAY - 2000) }), 202);
  await until(async () => forCustomer(await scheduled(ctx, ctx.delivery), ctx.customers.A).some((x) => x.reason === 'fatigue'), 5000, 'A skipped');
  eq(byTo(ctx, 'f@example.com').length + byTo(ctx, 'a@example.com').length, 1, 'only the first mail to A');
});

test('an unsubscribed customer (e-mail consent denied) is skipped', async (ctx) => {
  status(await event(ctx, { id: 'del-D', external_id: 'D', type: 'delivery', ts: iso(Date.now() - 2 * DAY) }), 202);
  await until(async () => forCustomer(await scheduled(ctx, ctx.delivery), ctx.customers.D)[0]?.status === 'skipped', 5000, 'D skipped');
  eq(forCustomer(await scheduled(ctx, ctx.delivery), ctx.customers.D)[0].reason, 'no_consent');
  eq(byTo(ctx, 'd@example.com').length, 0, 'no mail');
});

test('an event older than seven days past its due time is skipped as stale', async (ctx) => {
  status(await event(ctx, { id: 'del-S', external_id: 'S', type: 'delivery', ts: iso(Date.now() - 10 * DAY) }), 202);
  const s = forCustomer(await scheduled(ctx, ctx.delivery), ctx.customers.S);
  eq(s.map((x) => [x.status, x.reason]), [['skipped', 'stale']], 'recorded at once');
});

test('the web channel makes a web invitation for the widget', async (ctx) => {
  const r = await trig(ctx, { name: 'Tras la compra', survey_id: ctx.survey, on: { type: 'purchase' }, delay: '0s', channel: 'web' });
  status(r, 201);
  status(await event(ctx, { id: 'buy-E', external_id: 'E', type: 'purchase', channel: 'web', ts: iso(Date.now()) }), 202);
  await until(async () => (await scheduled(ctx, r.json.id))[0]?.status === 'sent', 5000, 'E sent');
  const stats = await call(ctx.base, 'GET', `/api/v1/surveys/${ctx.survey}/stats`, { key: ctx.key });
  const web = stats.json.invitations.by_channel.find((c) => c.channel === 'web');
  ok(web && web.total === 1, `one web invitation: ${JSON.stringify(stats.json.invitations.by_channel)}`);
  eq(byTo(ctx, 'e@example.com').length, 0, 'no e-mail for the web channel');
});

test('an event from the web snippet fires a trigger; the widget then shows the web invitation', async (ctx) => {
  const origin = 'https://shop.example.com';
  const site = (await call(ctx.base, 'GET', '/api/v1/settings/web', { key: ctx.key })).json.site_key;
  const r = await trig(ctx, { name: 'Carrito', survey_id: ctx.survey, on: { type: 'checkout', channel: 'web' }, delay: '0s', channel: 'web' });
  status(r, 201);
  const aid = `visitor-${process.pid}-tr`;
  const post = await call(ctx.base, 'POST', '/w/v1/events', { body: JSON.stringify({ site, anonymous_id: aid, events: [{ type: 'checkout', id: 'co-1' }] }),
    type: 'text/plain;charset=UTF-8', headers: { origin } });
  status(post, 202);
  await until(async () => (await scheduled(ctx, r.json.id))[0]?.status === 'sent', 5000, 'sent');
  const p = await call(ctx.base, 'GET', `/w/v1/prompt?site=${site}&aid=${aid}&lang=en`, { headers: { origin } });
  status(p, 200, 'the widget has the invitation to show');
  ok(p.json.question, 'with the survey\'s question');
});

test('inactive triggers schedule nothing; deactivating stops what is pending', async (ctx) => {
  const r = await trig(ctx, { name: 'Visita', survey_id: ctx.survey, on: { type: 'visit' }, delay: '1s', channel: 'email', active: false });
  status(r, 201);
  eq(r.json.active, false);
  status(await event(ctx, { id: 'visit-G', external_id: 'G', type: 'visit', ts: iso(Date.now()) }), 202);
  eq(await scheduled(ctx, r.json.id), [], 'nothing scheduled');
  // active again: a visit schedules; deactivated before it is due: skipped "inactive"
  const body = { name: 'Visita', survey_id: ctx.survey, on: { type: 'visit' }, delay: '3s', channel: 'email', active: true };
  status(await call(ctx.base, 'PUT', `/api/v1/triggers/${r.json.id}`, { key: ctx.key, json: body }), 200);
  status(await event(ctx, { id: 'visit-G2', external_id: 'G', type: 'visit', ts: iso(Date.now()) }), 202);
  eq((await scheduled(ctx, r.json.id)).map((x) => x.status), ['pending']);
  const off = await call(ctx.base, 'PUT', `/api/v1/triggers/${r.json.id}`, { key: ctx.key, json: { ...body, active: false } });
  status(off, 200);
  eq(off.json.active, false);
  await until(async () => (await scheduled(ctx, r.json.id))[0].status === 'skipped', 10000, 'skipped when due');
  eq((await scheduled(ctx, r.json.id))[0].reason, 'inactive');
  eq(byTo(ctx, 'g@example.com').length, 0, 'no mail');
});

test('a survey that is not live: skipped "survey_not_live"', async (ctx) => {
  const r = await trig(ctx, { name: 'Borrador', survey_id: ctx.draft, on: { type: 'return' }, delay: '0s', channel: 'email' });
  status(r, 201);
  status(await event(ctx, { id: 'ret-I', external_id: 'I', type: 'return', ts: iso(Date.now()) }), 202);
  await until(async () => (await scheduled(ctx, r.json.id))[0]?.status === 'skipped', 5000, 'skipped');
  eq((await scheduled(ctx, r.json.id))[0].reason, 'survey_not_live');
});

test('anonymous surveys: a trigger cannot name one; one made anonymous meanwhile is skipped', async (ctx) => {
  const anon = (await call(ctx.base, 'POST', '/api/v1/surveys', { key: ctx.key, json: { ...DEF, name: 'Anónima', anonymous: true } })).json;
  const r = await trig(ctx, { name: 'Anónima', survey_id: anon.id, on: { type: 'delivery' }, delay: '1d', channel: 'web' });
  status(r, 422);
  eq(r.json.errors[0].field, 'survey_id');
  ok(/anonymous/.test(r.json.errors[0].message), r.text);
  const sv = (await call(ctx.base, 'POST', '/api/v1/surveys', { key: ctx.key, json: { ...DEF, name: 'Luego anónima' } })).json;
  status(await call(ctx.base, 'POST', `/api/v1/surveys/${sv.id}/status`, { key: ctx.key, json: { status: 'live' } }), 200);
  const t = await trig(ctx, { name: 'Luego anónima', survey_id: sv.id, on: { type: 'repair' }, delay: '2s', channel: 'web' });
  status(t, 201);
  status(await event(ctx, { id: 'rep-I', external_id: 'I', type: 'repair', ts: iso(Date.now()) }), 202);
  status(await call(ctx.base, 'PUT', `/api/v1/surveys/${sv.id}`, { key: ctx.key, json: { ...DEF, name: 'Luego anónima', anonymous: true } }), 200);
  await until(async () => (await scheduled(ctx, t.json.id))[0]?.status === 'skipped', 10000, 'skipped when due');
  eq((await scheduled(ctx, t.json.id))[0].reason, 'anonymous');
});

test('imported events (history) fire no trigger', async (ctx) => {
  const file = join(TMP, `tr-import-${process.pid}.csv`);
  writeFileSync(file, `id,external_id,type,channel,ts\nimp-1,G,delivery,store,${iso(Date.now() - 2 * DAY)}\n`);
  cxm(ctx.db, ['import', 'events', file, '--tenant', T]);
  const tl = await call(ctx.base, 'GET', `/api/v1/customers/${ctx.customers.G}/events`, { key: ctx.key });
  ok(tl.json.items.some((e) => e.type === 'delivery'), 'the event is stored');
  eq(forCustomer(await scheduled(ctx, ctx.delivery), ctx.customers.G), [], 'nothing scheduled');
});

test('roles: owner/admin/analyst write, viewers read, managers and agents neither; tenants apart', async (ctx) => {
  const body = { name: 'Por rol', survey_id: ctx.survey, on: { type: 'ticket' }, delay: '1d', channel: 'web' };
  const made = await trig(ctx, body, ctx.keys.analyst);
  status(made, 201, 'analyst creates');
  const id = made.json.id;
  for (const role of ['viewer', 'manager', 'agent']) {
    status(await trig(ctx, body, ctx.keys[role]), 403, `${role} POST`);
    status(await call(ctx.base, 'PUT', `/api/v1/triggers/${id}`, { key: ctx.keys[role], json: body }), 403, `${role} PUT`);
    status(await call(ctx.base, 'DELETE', `/api/v1/triggers/${id}`, { key: ctx.keys[role] }), 403, `${role} DELETE`);
  }
  for (const role of ['owner', 'admin', 'analyst', 'viewer']) {
    status(await call(ctx.base, 'GET', '/api/v1/triggers', { key: ctx.keys[role] }), 200, `${role} list`);
    status(await call(ctx.base, 'GET', `/api/v1/triggers/${id}/scheduled`, { key: ctx.keys[role] }), 200, `${role} scheduled`);
  }
  for (const role of ['manager', 'agent']) {
    status(await call(ctx.base, 'GET', '/api/v1/triggers', { key: ctx.keys[role] }), 403, `${role} list`);
    status(await call(ctx.base, 'GET', `/api/v1/triggers/${id}`, { key: ctx.keys[role] }), 403, `${role} get`);
    status(await call(ctx.base, 'GET', `/api/v1/triggers/${id}/scheduled`, { key: ctx.keys[role] }), 403, `${role} scheduled`);
  }
  // another tenant sees none of it
  eq((await call(ctx.base, 'GET', '/api/v1/triggers', { key: ctx.other })).json.items, [], 'other tenant list');
  for (const [m, p] of [['GET', `/api/v1/triggers/${id}`], ['GET', `/api/v1/triggers/${id}/scheduled`],
    ['DELETE', `/api/v1/triggers/${id}`]])
    status(await call(ctx.base, m, p, { key: ctx.other }), 404, `other tenant ${m} ${p}`);
  status(await call(ctx.base, 'PUT', `/api/v1/triggers/${id}`, { key: ctx.other, json: body }), 422, 'other tenant PUT: not its survey');
  ctx.roleTrigger = id;
});

test('bad queries and ids; delete removes the trigger and what it scheduled', async (ctx) => {
  status(await call(ctx.base, 'GET', `/api/v1/triggers/${ctx.delivery}/scheduled?status=maybe`, { key: ctx.key }), 400);
  status(await call(ctx.base, 'GET', `/api/v1/triggers/${ctx.delivery}/scheduled?cursor=x`, { key: ctx.key }), 400);
  status(await call(ctx.base, 'GET', '/api/v1/triggers/abc', { key: ctx.key }), 404);
  status(await call(ctx.base, 'GET', '/api/v1/triggers/123', { key: ctx.key }), 404);
  // paging: one row per page, newest first, every row once
  const all = await scheduled(ctx, ctx.delivery);
  const seen = [];
  let cursor = '';
  for (let i = 0; i < 20; i++) {
    const r = await call(ctx.base, 'GET', `/api/v1/triggers/${ctx.delivery}/scheduled?limit=1${cursor}`, { key: ctx.key });
    seen.push(...r.json.items.map((x) => x.id));
    if (!r.json.next_cursor) break;
    cursor = `&cursor=${r.json.next_cursor}`;
  }
  eq(seen, all.map((x) => x.id), 'pages');
  status(await call(ctx.base, 'DELETE', `/api/v1/triggers/${ctx.delivery}`, { key: ctx.key }), 204);
  status(await call(ctx.base, 'GET', `/api/v1/triggers/${ctx.delivery}`, { key: ctx.key }), 404);
  status(await call(ctx.base, 'GET', `/api/v1/triggers/${ctx.delivery}/scheduled`, { key: ctx.key }), 404);
  status(await call(ctx.base, 'DELETE', `/api/v1/triggers/${ctx.delivery}`, { key: ctx.key }), 404);
  const audit = await call(ctx.base, 'GET', '/api/v1/audit', { key: ctx.key });
  ok(audit.json.items.some((a) => a.action === 'trigger.delete') && audit.json.items.some((a) => a.action === 'trigger.create'), 'audited');
});

test('two servers on one database: each due invitation is sent once', async (ctx) => {
  const srv2 = await startServer(ctx.db, ['--quiet', '--smtp-url', ctx.sink.url, '--smtp-from', 'encuestas@casavoltia.example']);
  try {
    const r = await trig(ctx, { name: 'Recogida', survey_id: ctx.survey, on: { type: 'pickup' }, delay: '1s', channel: 'email' });
    status(r, 201);
    const n = 16;
    for (let i = 0; i < n; i++)
      status(await call(ctx.base, 'POST', '/api/v1/customers', { key: ctx.key, json: { external_id: `P${i}`, email: `p${i}@example.com` } }), 201);
    const base = (i) => (i % 2 ? srv2.url : ctx.base);
    await Promise.all([...Array(n).keys()].map((i) => call(base(i), 'POST', '/api/v1/events',
      { key: ctx.key, json: { id: `pick-${i}`, external_id: `P${i}`, type: 'pickup', channel: 'store', ts: iso(Date.now()) } })));
    await until(async () => (await scheduled(ctx, r.json.id)).filter((x) => x.status === 'sent').length === n, 20000, 'all sent');
    await until(() => ctx.sink.messages.filter((m) => /^p\d+@/.test(m.to[0])).length >= n, 10000, 'all delivered');
    await new Promise((res) => setTimeout(res, 1500)); // time for a second copy, were there one
    for (let i = 0; i < n; i++) eq(byTo(ctx, `p${i}@example.com`).length, 1, `p${i} got one message`);
    const rows = await scheduled(ctx, r.json.id);
    eq(new Set(rows.map((x) => x.invitation_id)).size, n, 'one invitation each');
  } finally {
    eq(await srv2.stop('SIGTERM'), 0, 'the second server stops cleanly');
  }
});

test('the server stops cleanly on SIGTERM', async (ctx) => {
  eq(await ctx.srv.stop('SIGTERM'), 0, 'exit 0');
  ctx.stopped = true;
});

run(setup, async (ctx) => {
  if (!ctx) return;
  if (!ctx.stopped) await ctx.srv.stop();
  await ctx.sink.close();
});
