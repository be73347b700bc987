// test_email.mjs - e-mail invitations: queued with the invitation, delivered
// over SMTP (to tests/e2e/smtp-sink.mjs) in the customer's language with their
// name, eleven traffic-light score links that open the survey page with the
// score chosen; refusals (no address, consent denied, e-mail off); retries
// with backoff until delivered, failures recorded; nothing sent elsewhere.
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { call, CXM, cxm, eq, ok, run, startServer, status, test, testDb } from './lib.mjs';
import { startSink, until } from './smtp-sink.mjs';

const T = `em-${process.pid}${Date.now() % 100000}`;
const DEF = JSON.parse(readFileSync('tests/data/surveys/good/posventa.json', 'utf8'));

async function setup() {
  const db = testDb('email');
  const sink = await startSink();
  const srv = await startServer(db, ['--quiet', '--smtp-url', sink.url, '--smtp-from', 'Casa Voltia <encuestas@casavoltia.example>',
    '--smtp-retry-base-ms', '200']);
  cxm(db, ['tenant', 'create', T, '--language', 'en']);
  const key = cxm(db, ['key', 'create', '--role', 'admin', '--tenant', T]).trim();
  // these tests invite the same customers again and again: no contact fatigue here
  await call(srv.url, 'PUT', '/api/v1/settings/surveys', { key, json: { fatigue_days: 0 } });
  const s = (await call(srv.url, 'POST', '/api/v1/surveys', { key, json: DEF })).json;
  await call(srv.url, 'POST', `/api/v1/surveys/${s.id}/status`, { key, json: { status: 'live' } });
  const put = (json) => call(srv.url, 'POST', '/api/v1/customers', { key, json });
  await put({ external_id: 'M-1', first_name: 'María <b>', email: 'maria@example.com', language: 'es' });
  await put({ external_id: 'J-1', first_name: 'John', email: 'john@example.com', language: 'en' });
  await put({ external_id: 'D-1', first_name: 'Denise', email: 'denise@example.com', consent: { email: 'denied' } });
  await put({ external_id: 'N-1', first_name: 'Nadie', phone: '+573001234567' });
  return { db, sink, srv, base: srv.url, key, survey: s.id };
}

const invite = (ctx, body) => call(ctx.base, 'POST', `/api/v1/surveys/${ctx.survey}/invitations`,
  { key: ctx.key, json: { channel: 'email', ...body } });
const metric = async (ctx, name) => {
  const r = await call(ctx.base, 'GET', '/metrics');
  const m = r.text.match(new RegExp(`^${name} (\\d+)`, 'm'));
  return m ? Number(m[1]) : NaN;
};
const byTo = (ctx, to) => ctx.sink.messages.filter((m) => m.to.includes(to));

test('an e-mail invitation is queued (202) and delivered: Spanish, by name, escaped, text and HTML', async (ctx) => {
  const r = await invite(ctx, { external_id: 'M-1' });
  status(r, 202);
  eq(r.json.status, 'queued');
  ok(/^\d+$/.test(r.json.id), 'an invitation id');
  await until(() => byTo(ctx, 'maria@example.com').length === 1, 10000, 'the message');
  const m = byTo(ctx, 'maria@example.com')[0];
  eq(m.from, 'encuestas@casavoltia.example', 'MAIL FROM');
  eq(m.to, ['maria@example.com'], 'one recipient');
  ok(m.headers.from.includes('Casa Voltia <encuestas@casavoltia.example>'), 'From header');
  ok(m.headers.subject.includes('¿Cómo lo hicimos?'), `Spanish subject: ${m.headers.subject}`);
  const text = m.parts.find((p) => p.type === 'text/plain');
  const html = m.parts.find((p) => p.type === 'text/html');
  ok(text && html, 'a text/plain and a text/html alternative');
  ok(/multipart\/alternative/.test(m.data), 'multipart/alternative');
  ok(text.body.includes('¡Hola, María <b>!'), 'greeting in the text part');
  ok(html.body.includes('¡Hola, María &lt;b&gt;!'), 'the name escaped in HTML');
  ok(!html.body.includes('María <b>'), 'no markup from the name');
  ok(html.body.includes('¿Qué tan probable es que nos recomiende?') && !html.body.includes('How likely'),
    'the survey\'s own NPS question, in Spanish');
  ok(html.body.includes('0 = Nada probable, 10 = Muy probable') && text.body.includes('0 = Nada probable, 10 = Muy probable'),
    'the survey\'s end labels');
  const links = [...html.body.matchAll(/href="([^"]+\?score=(\d+))" style="[^"]*background:(#[0-9a-f]{6})/g)];
  eq(links.map((l) => Number(l[2])), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 'eleven score links');
  const colours = links.map((l) => l[3]);
  ok(colours.slice(0, 7).every((c) => c === colours[0]) && colours[7] === colours[8] && colours[9] === colours[10], 'three bands');
  ok(new Set([colours[0], colours[7], colours[9]]).size === 3, 'red, amber, green');
  for (let v = 0; v <= 10; v++) ok(text.body.includes(`?score=${v}\n`) || text.body.includes(`?score=${v}\r\n`), `text link ${v}`);
  ok(/\/u\/\d+\.\d+\.\d+\.[0-9a-f]{32}/.test(text.body) && /href="[^"]*\/u\/[^"]+">Darme de baja</.test(html.body), 'an unsubscribe link in both parts');
  ctx.maria = { id: r.json.id, link: links[9][1] };
});

test('headers: Message-ID <outbox id.tenant@from domain>, List-Unsubscribe (no mailto unless configured), one-click', async (ctx) => {
  const m = byTo(ctx, 'maria@example.com')[0];
  ok(/^<\d+\.\d+@casavoltia\.example>$/.test(m.headers['message-id']), `Message-ID: ${m.headers['message-id']}`);
  const lu = m.headers['list-unsubscribe'].match(/^<(http:\/\/[^>]+\/u\/(\d+\.\d+\.\d+\.[0-9a-f]{32}))>$/);
  ok(lu, `List-Unsubscribe: ${m.headers['list-unsubscribe']}`);
  eq(m.headers['list-unsubscribe-post'], 'List-Unsubscribe=One-Click');
  const text = m.parts.find((p) => p.type === 'text/plain').body;
  ok(text.includes(`/u/${lu[2]}`), 'the same unsubscribe link as in the body');
  ok(!/mailto:/.test(m.headers['list-unsubscribe']), 'no mailto without --smtp-unsubscribe-mailto');
});

test('the ?score=9 link opens the page with 9 chosen; answering through it records the response', async (ctx) => {
  const url = new URL(ctx.maria.link);
  eq(url.origin, ctx.base, 'links point at the public URL (default: the listen address)');
  const page = await call(ctx.base, 'GET', url.pathname + url.search);
  status(page, 200);
  ok(page.text.includes('name="q.nps" value="9" checked'), '9 is chosen');
  ok(!page.text.includes('value="8" checked'), 'only 9');
  const done = await call(ctx.base, 'POST', url.pathname, {
    body: new URLSearchParams({ 'q.nps': '9', 'q.csat': '5', lang: 'es' }).toString(), type: 'application/x-www-form-urlencoded',
  });
  ok(done.status === 200 || done.status === 303, `answered (${done.status})`);
  const list = await call(ctx.base, 'GET', `/api/v1/responses?survey=${ctx.survey}`, { key: ctx.key });
  const mine = list.json.items.filter((x) => x.id === `inv:${ctx.maria.id}`);
  eq(mine.length, 1, 'one response');
  eq([mine[0].nps, mine[0].channel], [9, 'email']);
});

test('an English customer gets the English template', async (ctx) => {
  status(await invite(ctx, { external_id: 'J-1' }), 202);
  await until(() => byTo(ctx, 'john@example.com').length === 1, 10000, 'the message');
  const html = byTo(ctx, 'john@example.com')[0].parts.find((p) => p.type === 'text/html').body;
  ok(html.includes('Hello, John!') && html.includes('How likely'), 'English');
});

test('refusals: consent denied, no address, no customer; nothing is queued for them', async (ctx) => {
  const before = ctx.sink.messages.length;
  const denied = await invite(ctx, { external_id: 'D-1' });
  status(denied, 422);
  ok(denied.json.errors.some((e) => /consent/.test(e.field) && /consent/.test(e.message)), `names consent: ${denied.text}`);
  const none = await invite(ctx, { external_id: 'N-1' });
  status(none, 422);
  ok(/e-mail address/.test(none.text), `says there is no address: ${none.text}`);
  const nobody = await invite(ctx, {});
  status(nobody, 422);
  await new Promise((r) => setTimeout(r, 500));
  eq(ctx.sink.messages.length, before, 'nothing sent');
  eq(await metric(ctx, 'cxm_emails_queued'), 0, 'nothing queued');
});

test('a refusing server: retried with backoff until delivered, failures counted', async (ctx) => {
  const failedBefore = await metric(ctx, 'cxm_email_attempts_failed_total');
  const sentBefore = await metric(ctx, 'cxm_emails_sent_total');
  ctx.sink.refuse(2);
  const t0 = Date.now();
  status(await invite(ctx, { email: 'Retry@Example.com' }), 202);
  await until(() => byTo(ctx, 'retry@example.com').length === 1, 15000, 'delivery after two refusals');
  const took = Date.now() - t0;
  eq(ctx.sink.refusals, 2, 'refused twice');
  ok(took >= 550, `waited 200 + 400 ms between attempts (${took} ms)`);
  await until(async () => (await metric(ctx, 'cxm_emails_sent_total')) === sentBefore + 1, 5000, 'one more sent');
  eq(await metric(ctx, 'cxm_email_attempts_failed_total'), failedBefore + 2, 'two failed attempts');
  await until(async () => (await metric(ctx, 'cxm_emails_queued')) === 0, 5000, 'the queue gauge at 0');
});

test('after the last attempt the message is given up and counted as failed', async (ctx) => {
  ctx.sink.refuse(6);
  const r = await invite(ctx, { email: 'never@example.com' });
  status(r, 202);
  // 200 + 400 + 800 + 1600 + 3200 ms between the six attempts
  await until(async () => (await metric(ctx, 'cxm_emails_failed_total')) === 1, 20000, 'given up');
  eq(byTo(ctx, 'never@example.com').length, 0, 'never delivered');
  await until(async () => (await metric(ctx, 'cxm_emails_queued')) === 0, 5000, 'the queue gauge at 0');
  ctx.sink.refuse(0);
});

test('the invitations list says what became of each and why one failed; filters and bad queries', async (ctx) => {
  const list = (q = '') => call(ctx.base, 'GET', `/api/v1/surveys/${ctx.survey}/invitations${q}`, { key: ctx.key });
  const all = await list();
  status(all, 200);
  ok(all.json.items.length >= 3, `${all.json.items.length} invitations`);
  const times = all.json.items.map((x) => x.created_at);
  eq(times, [...times].sort().reverse(), 'newest first');
  const failed = (await list('?status=failed')).json.items;
  ok(failed.length >= 1 && failed.every((x) => x.status === 'failed'), 'only failed ones');
  const never = failed.find((x) => x.sent_at === null && /451/.test(x.failure || ''));
  ok(never, `the given-up one names the SMTP error: ${JSON.stringify(failed.map((x) => x.failure))}`);
  const sent = (await list('?status=answered')).json.items;
  ok(sent.every((x) => x.response_id && x.answered_at && x.sent_at && x.failure === null), 'answered ones carry their response and times');
  eq((await list('?channel=web')).json.items, [], 'no web invitations');
  const page1 = await list('?limit=1');
  ok(page1.json.next_cursor, 'a cursor');
  const page2 = await list(`?limit=1&cursor=${page1.json.next_cursor}`);
  ok(page2.json.items[0].id !== page1.json.items[0].id, 'the next page goes on');
  const bad = await list('?status=lost');
  eq([bad.status, bad.json.errors[0].field], [400, 'status']);
  status(await call(ctx.base, 'GET', '/api/v1/surveys/999999999/invitations', { key: ctx.key }), 404);
});

test('without --smtp-url, e-mail invitations are refused with 422', async (ctx) => {
  const other = await startServer(ctx.db, ['--quiet']);
  try {
    const r = await call(other.url, 'POST', `/api/v1/surveys/${ctx.survey}/invitations`,
      { key: ctx.key, json: { channel: 'email', external_id: 'J-1' } });
    status(r, 422);
    ok(/--smtp-url/.test(r.text), 'says how to turn it on');
  } finally {
    await other.stop();
  }
});

test('no message went to any address but the sink\'s recipients, and the server stops cleanly', async (ctx) => {
  const all = new Set(ctx.sink.messages.flatMap((m) => m.to));
  eq([...all].sort(), ['john@example.com', 'maria@example.com', 'retry@example.com']);
  const code = await ctx.srv.stop('SIGTERM');
  eq(code, 0, 'exit 0 on SIGTERM');
  ctx.stopped = true;
});

test('SIGTERM while a delivery hangs: the server stops at once, the message stays queued', async (ctx) => {
  // an SMTP server that accepts the connection and never says a word
  const held = [];
  const silent = createServer((sock) => { held.push(sock); sock.on('error', () => {}); });
  await new Promise((res) => silent.listen(0, '127.0.0.1', res));
  const srv = await startServer(ctx.db, ['--quiet', '--smtp-url', `smtp://127.0.0.1:${silent.address().port}`]);
  try {
    status(await call(srv.url, 'POST', `/api/v1/surveys/${ctx.survey}/invitations`,
      { key: ctx.key, json: { channel: 'email', email: 'silent@example.com' } }), 202);
    await until(() => held.length > 0, 5000, 'the connection');
    const t0 = Date.now();
    eq(await srv.stop('SIGTERM'), 0, 'exit 0');
    ok(Date.now() - t0 < 5000, `stopped in ${Date.now() - t0} ms`);
  } finally {
    for (const s of held) s.destroy();
    silent.close();
  }
  const again = await startServer(ctx.db, ['--quiet', '--smtp-url', ctx.sink.url]);
  try {
    await until(() => byTo(ctx, 'silent@example.com').length === 1, 10000, 'sent after the restart');
  } finally {
    await again.stop();
  }
});

test('--smtp-tls required: a server without STARTTLS gets nothing, the invitation fails; a bad value is refused', async (ctx) => {
  const bad = spawnSync(CXM, ['serve', '--db', ctx.db, '--listen', '127.0.0.1:0', '--smtp-url', ctx.sink.url, '--smtp-tls', 'maybe'],
    { encoding: 'utf8', env: { ...process.env, CXM_LANG: 'en' }, timeout: 10000 });
  eq(bad.status, 2, 'exit 2 for --smtp-tls maybe');
  ok(/--smtp-tls/.test(bad.stderr), `says which option: ${bad.stderr}`);
  const srv = await startServer(ctx.db, ['--quiet', '--smtp-url', ctx.sink.url, '--smtp-tls', 'required', '--smtp-retry-base-ms', '20']);
  try {
    const failed = async () => {
      const st = (await call(srv.url, 'GET', `/api/v1/surveys/${ctx.survey}/stats`, { key: ctx.key })).json;
      return (st.invitations.by_channel.find((c) => c.channel === 'email') || { failed: 0 }).failed;
    };
    const before = await failed();
    status(await call(srv.url, 'POST', `/api/v1/surveys/${ctx.survey}/invitations`,
      { key: ctx.key, json: { channel: 'email', email: 'tls@example.com' } }), 202);
    await until(async () => (await failed()) === before + 1, 15000, 'the invitation given up');
    eq(byTo(ctx, 'tls@example.com').length, 0, 'nothing reached the server in clear');
  } finally {
    await srv.stop();
  }
});

test('a demo tenant e-mails only through an SMTP server on this machine', async (ctx) => {
  const tenant = `demo-${T}`;
  cxm(ctx.db, ['demo', '--customers', '20', '--tenant', tenant]);
  const key = cxm(ctx.db, ['key', 'create', '--role', 'admin', '--tenant', tenant]).trim();
  // a server address nobody can reach (TEST-NET-1): a message that got past the
  // rule would wait on the connection, not fail at once
  const far = await startServer(ctx.db, ['--quiet', '--smtp-url', 'smtp://192.0.2.1:25', '--smtp-retry-base-ms', '20']);
  let survey;
  let to;
  try {
    await call(far.url, 'PUT', '/api/v1/settings/surveys', { key, json: { fatigue_days: 0 } });
    survey = (await call(far.url, 'GET', '/api/v1/surveys', { key })).json.items.find((x) => x.name === 'NPS tienda').id;
    const customers = (await call(far.url, 'GET', '/api/v1/customers?limit=50', { key })).json.items;
    const who = customers.find((c) => c.email);
    to = who.email;
    const failed = async (base) => {
      const st = (await call(base, 'GET', `/api/v1/surveys/${survey}/stats`, { key })).json;
      return (st.invitations.by_channel.find((c) => c.channel === 'email') || { failed: 0 }).failed;
    };
    status(await call(far.url, 'POST', `/api/v1/surveys/${survey}/invitations`,
      { key, json: { channel: 'email', customer_id: who.id } }), 202);
    const t0 = Date.now();
    await until(async () => (await failed(far.url)) === 1, 5000, 'the demo message given up');
    ok(Date.now() - t0 < 5000, 'given up without trying the far server');
    const why = (await call(far.url, 'GET', `/api/v1/surveys/${survey}/invitations?status=failed`, { key })).json.items[0].failure;
    ok(/demo tenant/.test(why), `the reason says why: ${why}`);
  } finally {
    await far.stop();
  }
  // the same tenant through the local sink: it goes
  const near = await startServer(ctx.db, ['--quiet', '--smtp-url', ctx.sink.url]);
  try {
    const customers = (await call(near.url, 'GET', '/api/v1/customers?limit=50', { key })).json.items;
    const who = customers.filter((c) => c.email)[1];
    status(await call(near.url, 'POST', `/api/v1/surveys/${survey}/invitations`,
      { key, json: { channel: 'email', customer_id: who.id } }), 202);
    await until(() => byTo(ctx, who.email).length === 1, 10000, 'the demo message through the local sink');
    eq(byTo(ctx, to).length, 0, 'the first one never went anywhere');
  } finally {
    await near.stop();
  }
});

run(setup, async (ctx) => {
  if (!ctx) return;
  if (!ctx.stopped) await ctx.srv.stop();
  await ctx.sink.close();
});
