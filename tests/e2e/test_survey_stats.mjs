// test_survey_stats.mjs - GET /api/v1/surveys/{id}/stats over HTTP: what
// became of the invitations (by status, by channel with the response rate)
// and the responses (complete, NPS categories and score); the tenant-wide
// roles read it; another tenant's survey and unknown ids are not found.
import { readFileSync } from 'node:fs';
import { call, cxm, eq, ok, run, startServer, status, test, testDb } from './lib.mjs';

const T = `st-${process.pid}${Date.now() % 100000}`;
const DEF = JSON.parse(readFileSync('tests/data/surveys/good/posventa.json', 'utf8'));

async function setup() {
  const db = testDb('stats');
  const srv = await startServer(db, ['--quiet']);
  cxm(db, ['tenant', 'create', T, '--language', 'en']);
  cxm(db, ['tenant', 'create', `${T}-b`, '--language', 'en']);
  const key = cxm(db, ['key', 'create', '--role', 'admin', '--tenant', T]).trim();
  const viewer = cxm(db, ['key', 'create', '--role', 'viewer', '--tenant', T]).trim();
  const other = cxm(db, ['key', 'create', '--role', 'admin', '--tenant', `${T}-b`]).trim();
  const s = (await call(srv.url, 'POST', '/api/v1/surveys', { key, json: DEF })).json;
  await call(srv.url, 'POST', `/api/v1/surveys/${s.id}/status`, { key, json: { status: 'live' } });
  return { db, srv, base: srv.url, key, viewer, other, survey: s.id };
}

const stats = async (ctx, key = ctx.key, id = ctx.survey) => call(ctx.base, 'GET', `/api/v1/surveys/${id}/stats`, { key });
const form = (base, path, fields) => call(base, 'POST', path, {
  body: new URLSearchParams(fields).toString(), type: 'application/x-www-form-urlencoded',
});

test('a survey without invitations or responses counts zeros', async (ctx) => {
  const r = await stats(ctx);
  status(r, 200);
  eq(r.json.survey_id, ctx.survey);
  eq(r.json.invitations, { total: 0, by_status: { created: 0, sent: 0, delivered: 0, opened: 0, answered: 0, failed: 0 }, by_channel: [] });
  eq(r.json.responses, { total: 0, complete: 0, partial: 0, nps: { answered: 0, promoters: 0, passives: 0, detractors: 0, score: null } });
});

test('links made, opened and answered; responses from the API; NPS score', async (ctx) => {
  const inv = async () => (await call(ctx.base, 'POST', `/api/v1/surveys/${ctx.survey}/invitations`, { key: ctx.key, json: {} })).json;
  const a = await inv();
  const b = await inv();
  await inv();
  status(await call(ctx.base, 'GET', a.path), 200);
  status(await call(ctx.base, 'GET', b.path), 200);
  const sent = await form(ctx.base, a.path, { 'q.nps': '8', lang: 'en' });
  ok(sent.status === 200 || sent.status === 303, `answer ${sent.status}`);
  // two more from the API: a detractor, complete; a promoter, held open
  for (const [id, nps, partial] of [['api-1', 2, false], ['api-2', 9, true]]) {
    const r = await call(ctx.base, 'POST', `/api/v1/responses${partial ? '?partial=true' : ''}`, {
      key: ctx.key, json: { id, survey: ctx.survey, channel: 'web', ts: new Date().toISOString(), answers: { nps } },
    });
    ok(r.status < 300, `response ${id}: ${r.status} ${r.text}`);
  }
  const r = await stats(ctx);
  status(r, 200);
  const i = r.json.invitations;
  eq(i.total, 3);
  eq([i.by_status.created, i.by_status.opened, i.by_status.answered], [1, 1, 1]);
  // a link counts as sent (and delivered) once it is opened: the rate is answered / sent
  eq(i.by_channel, [{ channel: 'link', total: 3, sent: 2, delivered: 2, opened: 2, answered: 1, failed: 0, response_rate: 0.5 }]);
  const rs = r.json.responses;
  eq([rs.total, rs.nps.answered, rs.nps.promoters, rs.nps.passives, rs.nps.detractors], [3, 3, 1, 1, 1]);
  eq(rs.nps.score, 0);
  eq(rs.complete + rs.partial, 3);
});

test('a viewer reads it (managers and agents do not: see the isolation matrix); another tenant and unknown ids get 404', async (ctx) => {
  status(await stats(ctx, ctx.viewer), 200);
  status(await stats(ctx, ctx.other), 404);
  status(await stats(ctx, ctx.key, '99999'), 404);
  status(await stats(ctx, ctx.key, 'abc'), 404);
  status(await call(ctx.base, 'GET', `/api/v1/surveys/${ctx.survey}/stats`), 401);
});

run(setup, async (ctx) => { if (ctx) await ctx.srv.stop(); });
