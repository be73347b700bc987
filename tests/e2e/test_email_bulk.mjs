// test_email_bulk.mjs - e-mail invitations to many customers at once and what
// became of them: an audience (country = CO) and a batch, each customer
// weighed for an address, consent, exclusions and contact fatigue, skips
// counted by reason and per-item errors; the headers of what arrives at the
// SMTP sink (List-Unsubscribe with mailto, one-click, Message-ID); one-click
// unsubscribing; the tracking image (opened, and so delivered); the
// provider's reports (delivered, bounced, complained: consent denied); and the
// survey statistics by channel that count all of it.
import { readFileSync } from 'node:fs';
import { call, cxm, eq, ok, run, startServer, status, test, testDb } from './lib.mjs';
import { startSink, until } from './smtp-sink.mjs';

const T = `eb-${process.pid}${Date.now() % 100000}`;
const DEF = JSON.parse(readFileSync('tests/data/surveys/good/posventa.json', 'utf8'));

async function setup() {
  const db = testDb('email-bulk');
  const sink = await startSink();
  const srv = await startServer(db, ['--quiet', '--smtp-url', sink.url, '--smtp-from', 'Casa Voltia <encuestas@casavoltia.example>',
    '--smtp-unsubscribe-mailto', 'bajas@casavoltia.example', '--smtp-retry-base-ms', '200']);
  cxm(db, ['tenant', 'create', T, '--language', 'es']);
  cxm(db, ['tenant', 'create', `${T}-b`, '--language', 'en']);
  const key = cxm(db, ['key', 'create', '--role', 'admin', '--tenant', T]).trim();
  const analyst = cxm(db, ['key', 'create', '--role', 'analyst', '--tenant', T]).trim();
  const other = cxm(db, ['key', 'create', '--role', 'admin', '--tenant', `${T}-b`]).trim();
  await call(srv.url, 'PUT', '/api/v1/settings/surveys',
    { key, json: { fatigue_days: 30, exclude: [{ attribute: 'segment', value: 'staff' }] } });
  const s = (await call(srv.url, 'POST', '/api/v1/surveys', { key, json: DEF })).json;
  await call(srv.url, 'POST', `/api/v1/surveys/${s.id}/status`, { key, json: { status: 'live' } });
  const ids = {};
  const put = async (json) => {
    const r = await call(srv.url, 'POST', '/api/v1/customers', { key, json });
    ok(r.status < 300, `customer ${json.external_id}: ${r.text}`);
    ids[json.external_id] = r.json.id;
  };
  await put({ external_id: 'A', first_name: 'Ana', email: 'ana@example.com', country: 'CO' });
  await put({ external_id: 'B', first_name: 'Bruno', email: 'bruno@example.com', country: 'CO', language: 'en' });
  await put({ external_id: 'D', first_name: 'Dora', email: 'dora@example.com', country: 'CO', consent: { email: 'denied' } });
  await put({ external_id: 'N', first_name: 'Nico', phone: '+573001112233', country: 'CO' });
  await put({ external_id: 'X', first_name: 'Ximena', email: 'ximena@example.com', country: 'CO', attributes: { segment: 'staff' } });
  await put({ external_id: 'F', first_name: 'Fabio', email: 'fabio@example.com', country: 'CO' });
  await put({ external_id: 'M', first_name: 'Mateo', email: 'mateo@example.com', country: 'MX' });
  // F was invited a moment ago (a link): fatigue keeps the audience from reaching him
  status(await call(srv.url, 'POST', `/api/v1/surveys/${s.id}/invitations`, { key, json: { external_id: 'F' } }), 201);
  return { db, sink, srv, base: srv.url, key, analyst, other, survey: s.id, ids };
}

const invite = (ctx, json, query = '', key = ctx.key) =>
  call(ctx.base, 'POST', `/api/v1/surveys/${ctx.survey}/invitations${query}`, { key, json });
const byTo = (ctx, to) => ctx.sink.messages.filter((m) => m.to.includes(to));
const emailStats = async (ctx) => {
  const r = await call(ctx.base, 'GET', `/api/v1/surveys/${ctx.survey}/stats`, { key: ctx.key });
  status(r, 200);
  return r.json.invitations.by_channel.find((c) => c.channel === 'email');
};
const report = (ctx, items, key = ctx.key) => call(ctx.base, 'POST', '/api/v1/email/events', { key, json: items });
const consent = async (ctx, ext) =>
  (await call(ctx.base, 'GET', `/api/v1/customers/${ctx.ids[ext]}`, { key: ctx.key })).json.consent.email;

test('an audience (country = CO): two queued, the rest skipped by reason', async (ctx) => {
  const r = await invite(ctx, { channel: 'email', audience: { attribute: 'country', value: 'CO' } });
  status(r, 202);
  eq(r.json.audience, 6, 'six customers in Colombia');
  eq(r.json.queued, 2, 'Ana and Bruno');
  eq(r.json.skipped, 4);
  eq(r.json.skipped_by_reason, { no_email: 1, consent: 1, excluded: 1, fatigue: 1, not_found: 0, duplicate: 0 });
  await until(() => byTo(ctx, 'ana@example.com').length === 1 && byTo(ctx, 'bruno@example.com').length === 1, 10000, 'two messages');
  eq(ctx.sink.messages.length, 2, 'nobody else got one');
});

test('headers: List-Unsubscribe (URL and mailto), one-click post, Message-ID naming the outbox row', async (ctx) => {
  const m = byTo(ctx, 'ana@example.com')[0];
  const lu = m.headers['list-unsubscribe'];
  const tok = (lu.match(/^<(http:\/\/127\.0\.0\.1:\d+)\/u\/(\d+\.\d+\.\d+\.[0-9a-f]{32})>, <mailto:bajas@casavoltia\.example\?subject=unsubscribe%20(\S+)>$/) || []);
  ok(tok.length, `List-Unsubscribe: ${lu}`);
  eq(tok[1], ctx.base, 'the public URL');
  eq(tok[3], tok[2], 'the mailto names the same token');
  eq(m.headers['list-unsubscribe-post'], 'List-Unsubscribe=One-Click');
  ok(/^<\d+\.\d+@casavoltia\.example>$/.test(m.headers['message-id']), `Message-ID: ${m.headers['message-id']}`);
  const html = m.parts.find((p) => p.type === 'text/html').body;
  ok(html.includes('¡Hola, Ana!') && html.includes('¿Qué tan probable es que nos recomiende?'), 'Spanish (the tenant\'s language), by name');
  const px = html.match(/<img src="(http:\/\/[^"]+\/o\/[^"]+\.gif)" width="1" height="1"/);
  ok(px, 'a 1x1 tracking image');
  ok(px[1].includes(tok[2]), 'the image names the same token');
  ctx.ana = { token: tok[2], pixel: new URL(px[1]).pathname, msgid: m.headers['message-id'] };
  const b = byTo(ctx, 'bruno@example.com')[0];
  ok(b.parts.find((p) => p.type === 'text/html').body.includes('Hello, Bruno!'), 'Bruno in English');
  ctx.bruno = { token: b.headers['list-unsubscribe'].match(/\/u\/([^>]+)>/)[1], msgid: b.headers['message-id'] };
});

test('after a send, the same audience again finds everyone contacted recently', async (ctx) => {
  const r = await invite(ctx, { channel: 'email', audience: { attribute: 'country', value: 'CO' } });
  status(r, 202);
  eq([r.json.queued, r.json.skipped_by_reason.fatigue], [0, 3]);
});

test('a batch: per-item results (queued, not found, fatigue, duplicate)', async (ctx) => {
  const r = await invite(ctx, [{ external_id: 'M' }, { external_id: 'nobody' }, { email: 'ANA@example.com' }, { customer_id: ctx.ids.M }]);
  status(r, 202);
  eq(r.json.queued, 1);
  eq(r.json.skipped_by_reason, { no_email: 0, consent: 0, excluded: 0, fatigue: 1, not_found: 1, duplicate: 1 });
  eq(r.json.items.map((i) => i.skipped || 'queued'), ['queued', 'not_found', 'fatigue', 'duplicate']);
  eq(r.json.items[0].customer_id, ctx.ids.M);
  ok(/^\d+$/.test(r.json.items[0].invitation_id), 'the invitation id');
  await until(() => byTo(ctx, 'mateo@example.com').length === 1, 10000, 'Mateo\'s message');
  ctx.mateo = { msgid: byTo(ctx, 'mateo@example.com')[0].headers['message-id'] };
});

test('bad input: malformed batch items refuse the batch with index and field; ?partial=true leaves them out', async (ctx) => {
  const before = ctx.sink.messages.length;
  const r = await invite(ctx, [{ external_id: 'M' }, { external_id: 5 }, { customer_id: 'x' }, { nope: 1 }, 7]);
  status(r, 422);
  const idx = r.json.errors.map((e) => `${e.index}:${e.field}`);
  for (const want of ['1:external_id', '2:customer_id', '3:nope', '4:null']) ok(idx.includes(want) || (want === '4:null' && r.json.errors.some((e) => e.index === 4)), `${want} in ${idx}`);
  const p = await invite(ctx, [{ external_id: 'nobody-2' }, { email: 42 }], '?partial=true');
  status(p, 202);
  eq([p.json.rejected, p.json.errors[0].index, p.json.errors[0].field], [1, 1, 'email']);
  eq(p.json.items, [{ index: 0, skipped: 'not_found' }]);
  for (const [body, field] of [[{ channel: 'email', audience: 'some' }, 'audience'], [{ channel: 'sms', audience: 'all' }, 'channel'],
    [{ audience: { attribute: 'country' } }, 'audience'], [{ audience: 'all', expires_in_days: 0 }, 'expires_in_days']]) {
    const bad = await invite(ctx, body);
    status(bad, 422);
    ok(bad.json.errors.some((e) => e.field === field), `${JSON.stringify(body)} blames ${field}: ${bad.text}`);
  }
  await new Promise((res) => setTimeout(res, 300));
  eq(ctx.sink.messages.length, before, 'nothing sent');
});

test('the tracking image marks the invitation opened (and delivered); public, no cookie, not cached', async (ctx) => {
  let s = await emailStats(ctx);
  eq([s.sent, s.delivered, s.opened], [3, 0, 0], 'three sent, nothing reported yet');
  const r = await call(ctx.base, 'GET', ctx.ana.pixel);
  status(r, 200);
  eq(r.headers.get('content-type'), 'image/gif');
  ok(/no-store/.test(r.headers.get('cache-control')), 'not cached');
  ok(!r.headers.get('set-cookie'), 'no cookie');
  status(await call(ctx.base, 'GET', ctx.ana.pixel), 200);
  status(await call(ctx.base, 'GET', ctx.ana.pixel.replace(/[0-9a-f]{4}\.gif$/, '0000.gif')), 404);
  status(await call(ctx.base, 'GET', '/o/nothing'), 404);
  s = await emailStats(ctx);
  eq([s.sent, s.delivered, s.opened], [3, 1, 1], 'opened once, so delivered');
  // an image proxy fetches for many recipients from one address: not limited like the survey pages
  const codes = await Promise.all(Array.from({ length: 150 }, () => call(ctx.base, 'GET', ctx.ana.pixel).then((x) => x.status)));
  eq(codes.filter((c) => c !== 200).length, 0, 'all 150 fetches answered 200');
});

test('provider reports: delivered, bounced (failed, consent denied), complained (consent denied); unknown ids said', async (ctx) => {
  const r = await report(ctx, [
    { message_id: ctx.bruno.msgid, event: 'delivered', ts: '2026-03-01T10:00:00Z' },
    { message_id: ctx.mateo.msgid.slice(1, -1), event: 'bounced', reason: '550 5.1.1 mailbox unknown' },
    { message_id: '<999.1@casavoltia.example>', event: 'delivered' },
  ]);
  status(r, 200);
  eq([r.json.applied, r.json.unknown], [2, [2]]);
  let s = await emailStats(ctx);
  eq([s.sent, s.delivered, s.opened, s.answered, s.failed], [3, 2, 1, 0, 1]);
  eq(await consent(ctx, 'M'), 'denied', 'a hard bounce stops e-mail to Mateo');
  eq(await consent(ctx, 'B'), undefined, 'a delivery changes no consent');
  status(await report(ctx, [{ message_id: ctx.ana.msgid, event: 'complained' }]), 200);
  eq(await consent(ctx, 'A'), 'denied', 'a complaint stops e-mail to Ana');
  s = await emailStats(ctx);
  eq([s.delivered, s.failed], [2, 1], 'a complaint is no failure');
  // another tenant's key cannot report on these messages
  const o = await report(ctx, [{ message_id: ctx.bruno.msgid, event: 'bounced' }], ctx.other);
  eq([o.status, o.json.applied, o.json.unknown], [200, 0, [0]]);
  eq(await consent(ctx, 'B'), undefined, 'unchanged');
});

test('reports: bad items refused with index and field; analysts may not report', async (ctx) => {
  const r = await report(ctx, [{ message_id: 'x', event: 'delivered' }, { message_id: ctx.bruno.msgid, event: 'read' },
    { event: 'delivered' }, { message_id: ctx.bruno.msgid, event: 'delivered', ts: 'yesterday', extra: 1 }]);
  status(r, 422);
  const idx = r.json.errors.map((e) => `${e.index}:${e.field}`);
  for (const want of ['0:message_id', '1:event', '2:message_id', '3:ts', '3:extra']) ok(idx.includes(want), `${want} in ${idx}`);
  status(await report(ctx, [{ message_id: ctx.bruno.msgid, event: 'delivered' }], ctx.analyst), 403);
  status(await call(ctx.base, 'POST', '/api/v1/email/events', { json: [] }), 401);
});

test('one-click unsubscribe (RFC 8058): POST List-Unsubscribe=One-Click answers 204 and denies consent', async (ctx) => {
  const r = await call(ctx.base, 'POST', `/u/${ctx.bruno.token}`, {
    body: 'List-Unsubscribe=One-Click', type: 'application/x-www-form-urlencoded',
  });
  status(r, 204);
  eq(r.text, '', 'no page');
  eq(await consent(ctx, 'B'), 'denied');
  status(await call(ctx.base, 'POST', '/u/1.2.3.00000000000000000000000000000000', {
    body: 'List-Unsubscribe=One-Click', type: 'application/x-www-form-urlencoded',
  }), 404);
});

test('answering through the e-mail counts as answered; the response rate is answered / sent', async (ctx) => {
  const page = await call(ctx.base, 'POST', `/s/${ctx.ana.token}`, {
    body: new URLSearchParams({ 'q.nps': '8', 'q.csat': '5', lang: 'es' }).toString(), type: 'application/x-www-form-urlencoded',
  });
  status(page, 200);
  const s = await emailStats(ctx);
  eq([s.sent, s.opened, s.answered, s.response_rate], [3, 1, 1, 0.3333]);
});

test('another tenant cannot send this survey to its audience (404) nor queue anything', async (ctx) => {
  const before = ctx.sink.messages.length;
  status(await invite(ctx, { channel: 'email', audience: 'all' }, '', ctx.other), 404);
  status(await invite(ctx, [{ customer_id: ctx.ids.M }], '', ctx.other), 404);
  await new Promise((res) => setTimeout(res, 300));
  eq(ctx.sink.messages.length, before, 'nothing sent');
});

test('an anonymous survey is sent to nobody by e-mail (422 naming channel)', async (ctx) => {
  const def = JSON.parse(readFileSync('tests/data/surveys/good/anonymous.json', 'utf8'));
  const sv = (await call(ctx.base, 'POST', '/api/v1/surveys', { key: ctx.key, json: { ...def, name: `anon ${T}` } })).json;
  status(await call(ctx.base, 'POST', `/api/v1/surveys/${sv.id}/status`, { key: ctx.key, json: { status: 'live' } }), 200);
  for (const json of [{ channel: 'email', audience: 'all' }, [{ external_id: 'M' }]]) {
    const r = await call(ctx.base, 'POST', `/api/v1/surveys/${sv.id}/invitations`, { key: ctx.key, json });
    status(r, 422);
    eq(r.json.errors[0].field, 'channel');
  }
});

test('without --smtp-url, bulk invitations are refused with 422', async (ctx) => {
  const other = await startServer(ctx.db, ['--quiet']);
  try {
    const r = await call(other.url, 'POST', `/api/v1/surveys/${ctx.survey}/invitations`,
      { key: ctx.key, json: { channel: 'email', audience: 'all' } });
    status(r, 422);
    ok(/--smtp-url/.test(r.text), 'says how to turn it on');
  } finally {
    await other.stop();
  }
});

test('a customer who withdraws consent while the message waits gets nothing: given up, counted failed', async (ctx) => {
  const metric = async (name) => Number(((await call(ctx.base, 'GET', '/metrics')).text.match(new RegExp(`^${name} (\\d+)`, 'm')) || [])[1]);
  status(await call(ctx.base, 'POST', '/api/v1/customers', { key: ctx.key, json: { external_id: 'Z', first_name: 'Zoe', email: 'zoe@example.com' } }), 201);
  const failedBefore = await metric('cxm_emails_failed_total');
  const statsBefore = await emailStats(ctx);
  const refusals = ctx.sink.refusals;
  ctx.sink.refuse(2); // the first attempts wait for a retry (200 ms, then 400 ms)
  const r = await invite(ctx, [{ external_id: 'Z' }]);
  eq([r.status, r.json.queued], [202, 1]);
  await until(() => ctx.sink.refusals > refusals, 5000, 'the first attempt');
  status(await call(ctx.base, 'POST', '/api/v1/customers', { key: ctx.key, json: { external_id: 'Z', consent: { email: 'denied' } } }), 200);
  await until(async () => (await metric('cxm_emails_failed_total')) === failedBefore + 1, 5000, 'given up');
  ctx.sink.refuse(0);
  await new Promise((res) => setTimeout(res, 500));
  eq(byTo(ctx, 'zoe@example.com').length, 0, 'nothing delivered');
  const s = await emailStats(ctx);
  eq([s.total, s.sent, s.failed], [statsBefore.total + 1, statsBefore.sent, statsBefore.failed + 1]);
});

test('the server stops cleanly (exit 0 on SIGTERM) with messages in flight or queued', async (ctx) => {
  const code = await ctx.srv.stop('SIGTERM');
  ctx.stopped = true;
  eq(code, 0, `exit code; the server said:\n${ctx.srv.logText().slice(-3000)}`);
});

run(setup, async (ctx) => {
  if (!ctx) return;
  if (!ctx.stopped) await ctx.srv.stop();
  await ctx.sink.close();
});
