// test_text_backfill.mjs - responses stored before their texts were
// analysed are analysed in the background once the server starts (issue 6,
// docs/text.md "The backfill"). The server stores a response with only a
// free-text answer, and one with only choices; it stops; SQL then puts the
// first back as an older cxm left it (no analysis, no themes, its rollups
// under sentiment "" and theme ""). Started again, the server analyses it
// without anyone asking, exactly as on ingest, and GET
// /api/v1/metrics/nps?by=sentiment and by=theme count it under its label
// and theme instead of ""; the response with choices stays under "". A
// third start changes nothing: the rollups moved once.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { call, eq, ok, run, startServer, status, test, testDb, testStopsCleanly } from './lib.mjs';
import { buildTenant } from './world.mjs';

const T = `bf-${process.pid}${Date.now() % 100000}`;
const DEF = JSON.parse(readFileSync('tests/data/surveys/good/posventa.json', 'utf8'));
const WHY = 'El precio es muy caro';
const RANGE = 'from=2026-03-01&to=2026-05-01';

// SQL on the server's database, around the server (stopped).
function sql(db, text) {
  if (db.startsWith('sqlite:')) execFileSync('sqlite3', [db.slice('sqlite:'.length), text]);
  else execFileSync('psql', ['-q', '-v', 'ON_ERROR_STOP=1', db, '-c', text]);
}

async function setup() {
  const db = testDb('backfill');
  const ctx = { db, srv: await startServer(db, ['--quiet']) };
  ctx.base = ctx.srv.url;
  ctx.t = await buildTenant(db, ctx.base, T);
  const s = await call(ctx.base, 'POST', '/api/v1/surveys', { key: ctx.t.keys.owner, json: DEF });
  status(s, 201);
  status(await call(ctx.base, 'POST', `/api/v1/surveys/${s.json.id}/status`, { key: ctx.t.keys.owner, json: { status: 'live' } }), 200);
  // different months: no rollup row holds both
  const r = await call(ctx.base, 'POST', '/api/v1/responses', { key: ctx.t.keys.owner, json: [
    { survey: s.json.id, id: 'old', external_id: 'cOld', channel: 'web', ts: '2026-03-03T12:00:00Z', answers: { nps: 3, why_bad: WHY } },
    { survey: s.json.id, id: 'choice', external_id: 'cCh', channel: 'web', ts: '2026-04-03T12:00:00Z', answers: { nps: 9, liked: ['staff'] } },
  ] });
  status(r, 202, r.text);
  return ctx;
}

const item = async (ctx, id) => {
  const r = await call(ctx.base, 'GET', '/api/v1/responses?limit=100', { key: ctx.t.keys.analyst });
  status(r, 200);
  return r.json.items.find((it) => it.id === id);
};

async function byDim(ctx, dim) {
  const r = await call(ctx.base, 'GET', `/api/v1/metrics/nps?${RANGE}&by=${dim}`, { key: ctx.t.keys.analyst });
  status(r, 200, r.text);
  const out = {};
  for (const g of r.json.groups) out[g.value] = [g.n, g.counts.detractors, g.counts.promoters];
  return out;
}

async function restart(ctx) {
  const code = await ctx.srv.stop();
  eq(code, 0, ctx.srv.logText().slice(-2000));
  ctx.srv = await startServer(ctx.db, []);
  ctx.base = ctx.srv.url;
}

test('a response stored unanalysed is analysed in the background, its rollups moved once', async (ctx) => {
  const fresh = (await item(ctx, 'old')).text;
  ok(fresh && fresh.label === 'negative' && fresh.themes.length === 1 && fresh.themes[0] === 'price', JSON.stringify(fresh));
  const want = { sentiment: await byDim(ctx, 'sentiment'), theme: await byDim(ctx, 'theme') };
  eq(want.sentiment, { '': [1, 0, 1], negative: [1, 1, 0] }, 'on ingest');
  eq(want.theme, { '': [1, 0, 1], price: [1, 1, 0] }, 'on ingest');
  // as an older cxm left it: no analysis, counted under ""
  await ctx.srv.stop();
  const tenant = `(SELECT id FROM tenants WHERE name = '${T}')`;
  sql(ctx.db, `UPDATE responses SET text_lang = NULL, text_score = NULL, text_label = NULL, text_emotions = NULL,
    text_reasons = NULL, themes = NULL WHERE tenant_id = ${tenant};
    DELETE FROM response_themes WHERE tenant_id = ${tenant};
    UPDATE rollups SET value = '' WHERE tenant_id = ${tenant}
      AND dim IN ('sentiment', 'sentiment@month', 'theme', 'theme@month') AND value <> '';`);
  // not --quiet: the backfill says what it did
  ctx.srv = await startServer(ctx.db, []);
  ctx.base = ctx.srv.url;
  let it;
  for (let i = 0; i < 100; i++) {
    it = await item(ctx, 'old');
    if (it.text) break;
    await new Promise((res) => setTimeout(res, 100));
  }
  ok(it.text, `analysed in the background: ${JSON.stringify(it)}\n${ctx.srv.logText().slice(-1000)}`);
  eq(it.text, fresh, 'as on ingest');
  ok(/"event":"text_backfill"[^\n]*"analysed":1/.test(ctx.srv.logText()), ctx.srv.logText().slice(-1000));
  eq(await byDim(ctx, 'sentiment'), want.sentiment, 'by sentiment after the backfill');
  eq(await byDim(ctx, 'theme'), want.theme, 'by theme after the backfill');
  ok(!('text' in await item(ctx, 'choice')), 'choices are no text');
  // a start more: nothing left to do, nothing moves again
  await restart(ctx);
  await new Promise((res) => setTimeout(res, 500));
  eq(await byDim(ctx, 'sentiment'), want.sentiment, 'after another start');
  eq(await byDim(ctx, 'theme'), want.theme, 'after another start');
  ok(!/text_backfill/.test(ctx.srv.logText()), ctx.srv.logText().slice(-1000));
});

testStopsCleanly();

run(setup, async (ctx) => { await ctx.srv.stop(); });
