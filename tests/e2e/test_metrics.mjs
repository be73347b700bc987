// test_metrics.mjs - GET /api/v1/metrics/{nps|csat|ces} over HTTP: the worked
// NPS case of the test vectors (150 promoters, 100 passives, 50 detractors),
// groups against the rest, trends with empty buckets, the rollup and the scan
// giving the same figures, CSAT and CES, an empty range answered honestly,
// and bad queries refused by field.
import { call, cxm, eq, ok, run, startServer, status, test, testDb } from './lib.mjs';

const T = `mx-${process.pid}${Date.now() % 100000}`;

async function setup() {
  const db = testDb('metrics');
  const srv = await startServer(db, ['--quiet']);
  cxm(db, ['tenant', 'create', T, '--language', 'en', '--time-zone', 'America/Bogota']);
  const key = cxm(db, ['key', 'create', '--role', 'analyst', '--tenant', T]).trim();
  const base = srv.url;
  const sv = (await call(base, 'POST', '/api/v1/surveys', { key, json: { name: 'Mix', languages: ['en'], questions: [
    { id: 'nps', type: 'nps', text: { en: 'Recommend?' } },
    { id: 'csat', type: 'csat', text: { en: 'Satisfied?' } },
    { id: 'ces', type: 'ces', text: { en: 'Easy?' } }] } })).json;
  await call(base, 'POST', `/api/v1/surveys/${sv.id}/status`, { key, json: { status: 'live' } });
  // 300 NPS answers in May 2026: email 100 promoters, 50 passives; store 50
  // promoters, 50 passives, 50 detractors (together 150/100/50); and in July
  // 10 CSAT/CES answers
  const items = [];
  const add = (n, nps, channel, day) => {
    for (let i = 0; i < n; i++) {
      items.push({ id: `m-${items.length}`, survey: sv.id, external_id: `C-${items.length % 40}`, channel,
        ts: `2026-05-${String(day + (i % 20)).padStart(2, '0')}T15:00:00Z`, answers: { nps } });
    }
  };
  add(100, 10, 'email', 1);
  add(50, 8, 'email', 1);
  add(50, 9, 'store', 5);
  add(50, 7, 'store', 5);
  add(50, 3, 'store', 5);
  for (let i = 0; i < 10; i++) {
    items.push({ id: `c-${i}`, survey: sv.id, external_id: 'C-1', channel: 'phone', ts: '2026-07-10T15:00:00Z',
      answers: { csat: i < 8 ? 5 : 2, ces: i < 6 ? 7 : 3 } });
  }
  for (let i = 0; i < items.length; i += 200) {
    status(await call(base, 'POST', '/api/v1/responses', { key, json: items.slice(i, i + 200) }), 202);
  }
  return { db, srv, base, key, survey: sv.id };
}

const get = (ctx, q) => call(ctx.base, 'GET', `/api/v1/metrics/${q}`, { key: ctx.key });

test('NPS of the worked case: 33.3, adjusted-Wald [24.6, 41.4], Wald [24.9, 41.8], from the rollups', async (ctx) => {
  const r = await get(ctx, 'nps?from=2026-05-01&to=2026-06-01');
  status(r, 200);
  const o = r.json.overall;
  eq(r.json.source, 'rollup');
  eq([o.n, o.score, o.ci_low, o.ci_high, o.wald_low, o.wald_high, o.adjusted], [300, 33.3, 24.6, 41.4, 24.9, 41.8, 33]);
  eq([o.promoters, o.passives, o.detractors, o.colour, o.small_sample], [50, 33.3, 16.7, 'amber', false]);
  eq(o.counts, { promoters: 150, passives: 100, detractors: 50 }, 'the exact counts behind the shares');
});

test('by channel: each group with its figure and a test against the rest', async (ctx) => {
  const r = (await get(ctx, 'nps?from=2026-05-01&to=2026-06-01&by=channel')).json;
  eq(r.groups.map((g) => [g.value, g.n, g.score]), [['email', 150, 66.7], ['store', 150, 0]]);
  const email = r.groups[0].vs_rest;
  ok(email.significant && email.diff === 66.7 && email.p < 0.001, `email vs store ${JSON.stringify(email)}`);
  ok(/up 67 points, significant/.test(email.verdict), email.verdict);
  ok(/down 67 points, significant/.test(r.groups[1].vs_rest.verdict), r.groups[1].vs_rest.verdict);
});

test('the scan gives what the rollup gives', async (ctx) => {
  // every customer gets the attribute tier=gold: filtering on it forces the scan
  for (let i = 0; i < 40; i++) {
    status(await call(ctx.base, 'POST', '/api/v1/customers', { key: ctx.key, json: { external_id: `C-${i}`, attributes: { tier: 'gold' } } }), 200);
  }
  const roll = (await get(ctx, 'nps?from=2026-05-01&to=2026-06-01&by=channel')).json;
  const scan = (await get(ctx, 'nps?from=2026-05-01&to=2026-06-01&by=channel&filter[attribute.tier]=gold')).json;
  eq([roll.source, scan.source], ['rollup', 'scan']);
  eq(scan.overall, roll.overall, 'the same overall figure');
  eq(scan.groups, roll.groups, 'the same groups, tests and verdicts');
  const byAttr = (await get(ctx, 'nps?from=2026-05-01&to=2026-06-01&by=attribute.city')).json;
  eq([byAttr.source, byAttr.groups.length, byAttr.groups[0].value, byAttr.groups[0].n, byAttr.overall.score], ['scan', 1, '', 300, 33.3],
    'an attribute nobody has: one group without a value, the same total');
});

test('trends: monthly buckets, empty months null (never NaN), a moving window sums counts', async (ctx) => {
  const r = (await get(ctx, 'nps?from=2026-04-01&to=2026-08-01&interval=month')).json;
  eq(r.series.map((s) => [s.bucket, s.n, s.score]), [['2026-04-01', 0, null], ['2026-05-01', 300, 33.3],
    ['2026-06-01', 0, null], ['2026-07-01', 0, null]]);
  const w = (await get(ctx, 'nps?from=2026-04-01&to=2026-08-01&interval=month&window=2')).json;
  eq(w.series.map((s) => s.n), [0, 300, 300, 0]);
});

test('compare=previous: the range as long just before, and whether it moved', async (ctx) => {
  const may = (await get(ctx, 'nps?from=2026-05-01&to=2026-06-01&compare=previous')).json;
  eq([may.previous.from, may.previous.n, may.previous.score, may.vs_previous.diff, may.vs_previous.significant], ['2026-03-31', 0, null, null, false]);
  const june = (await get(ctx, 'nps?from=2026-05-16&to=2026-06-16&compare=previous')).json;
  ok(june.previous.n > 0 && june.overall.n > 0 && typeof june.vs_previous.p === 'number', `June vs May ${JSON.stringify(june.vs_previous)}`);
  ok(Math.abs(june.vs_previous.diff - (june.overall.score - june.previous.score)) <= 0.1001, 'the change is the difference of the scores');
});

test('GET /api/v1/metrics/compare: against the previous range, another period, or the rest', async (ctx) => {
  const cmp = (q) => call(ctx.base, 'GET', `/api/v1/metrics/compare?${q}`, { key: ctx.key });
  const rest = (await cmp('metric=nps&from=2026-05-01&to=2026-06-01&filter[channel]=email&against=rest&rest=channel')).json;
  eq([rest.a.n, rest.a.score, rest.b.n, rest.b.score, rest.diff.diff, rest.diff.significant], [150, 66.7, 150, 0, 66.7, true]);
  const report = (await get(ctx, 'nps?from=2026-05-01&to=2026-06-01&by=channel')).json;
  eq(rest.diff, report.groups.find((g) => g.value === 'email').vs_rest, 'the same test as the report\'s group against the rest');
  const prev = (await cmp('metric=nps&from=2026-05-01&to=2026-06-01')).json;
  eq([prev.b.from, prev.b.to, prev.b.n, prev.diff.significant], ['2026-03-31', '2026-05-01', 0, false]);
  const period = (await cmp('metric=nps&from=2026-05-01&to=2026-05-11&against=period&against_from=2026-05-11&against_to=2026-06-01')).json;
  eq(period.a.n + period.b.n, 300, 'two periods that split May');
  for (const [q, field] of [['from=2026-05-01', 'metric'], ['metric=nps&by=channel', 'by'], ['metric=nps&against=rest&rest=channel', 'rest'],
    ['metric=nps&against=period&against_from=2026-05-11', 'against_to'], ['metric=nps&against=later', 'against']]) {
    const r = await cmp(q);
    eq([r.status, r.json.errors[0].field], [400, field], q);
  }
});

test('CSAT and CES: shares and means with intervals', async (ctx) => {
  const c = (await get(ctx, 'csat?from=2026-07-01&to=2026-08-01')).json.overall;
  eq([c.n, c.score, c.mean, c.counts.satisfied, c.counts.sum], [10, 80, 4.4, 8, 44]);
  ok(c.ci_low < 80 && c.ci_high > 80 && c.small_sample, `CSAT ${JSON.stringify(c)}`);
  const e = (await get(ctx, 'ces?from=2026-07-01&to=2026-08-01')).json.overall;
  eq([e.n, e.score, e.easy, e.counts.easy, e.counts.sum], [10, 5.4, 60, 6, 54]);
});

test('no responses: an honest empty answer', async (ctx) => {
  const r = await get(ctx, 'nps?from=2020-01-01&to=2020-02-01&by=channel');
  status(r, 200);
  eq([r.json.overall.n, r.json.overall.score, r.json.overall.ci_low, r.json.groups], [0, null, null, []]);
  ok(!/NaN|Infinity/.test(r.text), 'no NaN or infinity');
});

test('key drivers: the rating that moves NPS comes first; bad requests say why', async (ctx) => {
  const sv = (await call(ctx.base, 'POST', '/api/v1/surveys', { key: ctx.key, json: { name: 'Drivers', languages: ['en'], questions: [
    { id: 'nps', type: 'nps', text: { en: 'Recommend?' } },
    { id: 'delivery', type: 'rating', min: 1, max: 5, text: { en: 'Delivery' } },
    { id: 'price', type: 'rating', min: 1, max: 5, text: { en: 'Price' } }] } })).json;
  await call(ctx.base, 'POST', `/api/v1/surveys/${sv.id}/status`, { key: ctx.key, json: { status: 'live' } });
  // NPS follows the delivery; the price barely matters; deliveries are rated poorly
  const items = [];
  for (let i = 0; i < 120; i++) {
    const delivery = 1 + (i % 3), price = 1 + ((i * 7) % 5);
    const nps = Math.min(10, Math.max(0, Math.round(delivery * 3 - 1 + ((i * 13) % 3) - 1 + (price > 3 ? 0.4 : 0))));
    items.push({ id: `dr-${i}`, survey: sv.id, external_id: `D-${i % 30}`, channel: 'web', ts: '2026-08-10T15:00:00Z',
      answers: { nps, delivery, price } });
  }
  status(await call(ctx.base, 'POST', '/api/v1/responses', { key: ctx.key, json: items }), 202);
  const r = await call(ctx.base, 'GET', `/api/v1/drivers?survey=${sv.id}&from=2026-08-01&to=2026-09-01`, { key: ctx.key });
  status(r, 200);
  const [first, second] = [...r.json.drivers].sort((a, b) => b.importance - a.importance);
  eq([r.json.outcome, r.json.rows_used, first.id, second.id], ['nps', 120, 'delivery', 'price']);
  ok(first.share > 80 && r.json.r2 > 0.5, `shares ${first.share} / ${second.share}, R2 ${r.json.r2}`);
  ok(Math.abs(first.importance + second.importance - r.json.r2) < 0.001, 'the importances add up to R2');
  eq([first.quadrant, first.label], ['fix_first', 'Delivery'], 'important and poorly rated: fix first');
  eq((await call(ctx.base, 'GET', '/api/v1/drivers', { key: ctx.key })).json.errors[0].field, 'survey');
  const only = (await call(ctx.base, 'POST', '/api/v1/surveys', { key: ctx.key, json: { name: 'Only NPS', languages: ['en'],
    questions: [{ id: 'nps', type: 'nps', text: { en: 'Recommend?' } }] } })).json;
  const none = await call(ctx.base, 'GET', `/api/v1/drivers?survey=${only.id}`, { key: ctx.key });
  eq([none.status, none.json.errors[0].field], [422, 'survey'], 'a survey without ratings to weigh');
  const apart = await call(ctx.base, 'GET', `/api/v1/drivers?survey=${ctx.survey}&from=2026-05-01&to=2026-08-01`, { key: ctx.key });
  eq([apart.status, apart.json.errors[0].field], [422, 'rows'], 'NPS and the ratings never answered together');
  const few = await call(ctx.base, 'GET', `/api/v1/drivers?survey=${sv.id}&from=2020-01-01&to=2020-02-01`, { key: ctx.key });
  eq(few.status, 422, 'no responses in the range');
  eq((await call(ctx.base, 'GET', `/api/v1/drivers?survey=${sv.id}&outcome=nope`, { key: ctx.key })).json.errors[0].field, 'outcome');
});

test('colour bands are the tenant\'s: settings change the colours; bad bands name the field', async (ctx) => {
  const dflt = (await call(ctx.base, 'GET', '/api/v1/settings/metrics', { key: ctx.key })).json;
  eq(dflt.bands.nps, { amber: 0, green: 50 });
  const admin = cxm(ctx.db, ['key', 'create', '--role', 'admin', '--tenant', T]).trim();
  status(await call(ctx.base, 'PUT', '/api/v1/settings/metrics', { key: ctx.key, json: { bands: { nps: { amber: 40, green: 60 } } } }), 403);
  const put = await call(ctx.base, 'PUT', '/api/v1/settings/metrics', { key: admin, json: { bands: { nps: { amber: 40, green: 60 } } } });
  status(put, 200);
  eq([put.json.bands.nps, put.json.bands.csat.green], [{ amber: 40, green: 60 }, 85], 'the rest keep their defaults');
  eq((await get(ctx, 'nps?from=2026-05-01&to=2026-06-01')).json.overall.colour, 'red', '33.3 is red below 40');
  const bad = await call(ctx.base, 'PUT', '/api/v1/settings/metrics', { key: admin, json: { bands: { nps: { amber: 70, green: 60 } } } });
  eq([bad.status, bad.json.errors[0].field.startsWith('bands.nps')], [422, true]);
  status(await call(ctx.base, 'PUT', '/api/v1/settings/metrics', { key: admin, json: {} }), 200);
  eq((await get(ctx, 'nps?from=2026-05-01&to=2026-06-01')).json.overall.colour, 'amber', 'back to the defaults');
});

test('bad queries: the field and the reason', async (ctx) => {
  const cases = [['nps?by=colour', 'by'], ['nps?from=2026-02-30', 'from'], ['nps?from=2026-05-01&to=2026-04-01', 'to'],
    ['nps?interval=year', 'interval'], ['nps?window=3', 'window'], ['nps?foo=1', 'foo'],
    ['nps?filter[nope]=x', 'filter[nope]'], ['nps?from=1990-01-01&to=2026-01-01', 'from'], ['nps?survey=abc', 'survey'],
    ['nps?by=attribute.city&filter[attribute.tier]=gold', 'by'], ['nps?compare=year', 'compare']];
  for (const [q, field] of cases) {
    const r = await get(ctx, q);
    eq([r.status, r.json.errors[0].field], [400, field], q);
  }
  status(await get(ctx, 'nps2'), 404);
});

run(setup, async (ctx) => { if (ctx) await ctx.srv.stop(); });
