// test_text_emotions.mjs - GET /api/v1/text/emotions, the exact emotion mix:
// comments posted with known touchpoints and channels are first analysed
// through POST /api/v1/text/analyze (with the tenant's themes); the
// endpoint's counts per touchpoint, channel and theme (comments, each
// emotion, each reason, each label) must equal what those analyses add up
// to, for the period and the survey asked, cut at the tenant's local days;
// a manager counts only their subtree; bad parameters are named; another
// tenant's comments never count.
import { call, cxm, eq, login, ok, run, startServer, status, test, testDb } from './lib.mjs';
import { PASSWORD, buildTenant } from './world.mjs';

const A = `ea-${process.pid}${Date.now() % 100000}`;
const B = `eb-${process.pid}${Date.now() % 100000}`;
const C = `ec-${process.pid}${Date.now() % 100000}`;
const EMOTIONS = ['joy', 'trust', 'surprise', 'anger', 'frustration', 'disappointment', 'worry', 'sadness'];
const REASONS = ['price', 'speed', 'convenience', 'quality', 'staff', 'reliability', 'information'];
const LABELS = ['positive', 'neutral', 'negative'];

// [comment, nps, touchpoint, channel, agent]; all in March 2026
const COMMENTS = [
  ['El envío llegó tarde y el repartidor fue muy grosero, estoy furioso', 1, 'delivery', 'store', 'cajero.norte'],
  ['The delivery was late again, so frustrating, I am tired of waiting', 2, 'delivery', 'web', 'cajero.sur'],
  ['Muy caro, el precio subió demasiado, qué decepción', 4, 'checkout', 'store', 'cajero.norte'],
  ['The staff were friendly and helpful, I love this shop!', 10, 'checkout', 'store', 'cajero.sur'],
  ['Me encantó la atención, muy amables, gracias', 9, 'checkout', 'web', 'cajero.norte'],
  ['I am worried my order never arrived and nobody answers', 2, 'support', 'email', 'cajero.sur'],
  ['Qué sorpresa, llegó antes de lo esperado, genial', 10, 'delivery', 'web', 'cajero.norte'],
  ['Estoy triste, el producto llegó roto', 3, 'delivery', 'store', 'cajero.norte'],
  ['Confío en ustedes, siempre cumplen', 9, 'support', 'phone', 'cajero.sur'],
  ['The app keeps crashing, disappointed with the quality', 3, null, 'app', 'cajero.norte'],
  ['ok', 8, 'support', 'phone', 'cajero.norte'],
  ['Great prices and fast service, happy customer', 10, null, 'web', 'cajero.sur'],
];

function blank() {
  return { comments: 0, labels: Object.fromEntries(LABELS.map((l) => [l, 0])),
    emotions: Object.fromEntries(EMOTIONS.map((e) => [e, 0])), reasons: Object.fromEntries(REASONS.map((x) => [x, 0])) };
}

function add(c, a) {
  c.comments++;
  c.labels[a.sentiment.label]++;
  for (const e of Object.keys(a.emotions)) c.emotions[e]++;
  for (const x of a.reasons) c.reasons[x]++;
}

// The expected mix from the analyses: {total, groups: {value: counts}}
function expected(rows, groupsOf) {
  const total = blank(), groups = {};
  for (const row of rows) {
    add(total, row.analysis);
    for (const g of groupsOf(row)) add((groups[g] ||= blank()), row.analysis);
  }
  return { total, groups };
}

function got(json) {
  const groups = {};
  for (const g of json.groups) {
    const { value, ...counts } = g;
    groups[value] = counts;
  }
  return { total: json.total, groups };
}

const sorted = (o) => Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));

async function setup() {
  const db = testDb('textemo');
  const srv = await startServer(db, ['--quiet']);
  const base = srv.url;
  const a = await buildTenant(db, base, A);
  const b = await buildTenant(db, base, B);
  // a tenant five hours behind UTC: its days are not UTC's
  cxm(db, ['tenant', 'create', C, '--time-zone', 'America/Bogota', '--language', 'en']);
  const cKey = cxm(db, ['key', 'create', '--role', 'owner', '--name', 'e2e owner', '--tenant', C]).trim();
  // a second survey of A, for ?survey=
  const sv = await call(base, 'POST', '/api/v1/surveys', { key: a.keys.owner, json: { name: 'Second', languages: ['es', 'en'],
    questions: [{ id: 'nps', type: 'nps', required: true, text: { es: '¿Recomendaría?', en: 'Recommend?' } }] } });
  status(sv, 201);
  status(await call(base, 'POST', `/api/v1/surveys/${sv.json.id}/status`, { key: a.keys.owner, json: { status: 'live' } }), 200);
  const rows = COMMENTS.map(([comment, nps, touchpoint, channel, agent], i) => ({
    id: `e-${i}`, comment, nps, touchpoint, channel, agent, second: i % 3 === 0,
    ts: `2026-03-${String(2 + 2 * i).padStart(2, '0')}T12:00:00Z`,
  }));
  const items = rows.map((x) => ({ id: x.id, external_id: `cE${x.id}`, channel: x.channel, agent: x.agent, comment: x.comment,
    answers: { nps: x.nps }, ts: x.ts, ...(x.touchpoint ? { touchpoint: x.touchpoint } : {}), ...(x.second ? { survey: sv.json.id } : {}) }));
  // not counted: no comment; before the period; after it
  items.push({ id: 'e-none', external_id: 'cEn', channel: 'web', touchpoint: 'delivery', answers: { nps: 7 }, ts: '2026-03-20T12:00:00Z' });
  items.push({ id: 'e-feb', external_id: 'cEf', channel: 'web', touchpoint: 'delivery', answers: { nps: 0 },
    comment: 'Terrible, furioso con la entrega', ts: '2026-02-28T23:59:59Z' });
  items.push({ id: 'e-apr', external_id: 'cEa', channel: 'web', touchpoint: 'delivery', answers: { nps: 0 },
    comment: 'Terrible, furioso con la entrega', ts: '2026-04-01T00:00:00Z' });
  const posted = await call(base, 'POST', '/api/v1/responses', { key: a.keys.owner, json: items });
  status(posted, 202);
  eq(posted.json.accepted, items.length);
  status(await call(base, 'POST', '/api/v1/responses', { key: b.keys.owner, json: [{ id: 'b-1', external_id: 'cB', channel: 'store',
    touchpoint: 'delivery', answers: { nps: 2 }, ts: '2026-03-05T12:00:00Z', comment: 'La zanahoria llegó tarde, estoy furioso' }] }), 202);
  // each comment's analysis, as the tenant's engine gives it
  const an = await call(base, 'POST', '/api/v1/text/analyze', { key: a.keys.analyst, json: { texts: rows.map((x) => x.comment) } });
  status(an, 200);
  rows.forEach((x, i) => { x.analysis = an.json.results[i]; });
  const manager = await login(base, 'manager1', PASSWORD, A);
  return { db, srv, base, a, b, cKey, rows, survey: sv.json.id, manager };
}

const get = (ctx, q, key = ctx.a.keys.analyst) => call(ctx.base, 'GET', `/api/v1/text/emotions${q}`, { key });
const MARCH = '?from=2026-03-01&to=2026-04-01';

test('the comments chosen show a mix worth counting', async (ctx) => {
  const all = expected(ctx.rows, () => ['']).total;
  const shown = EMOTIONS.filter((e) => all.emotions[e] > 0);
  ok(shown.length >= 4, `only ${shown} among the analyses`);
  ok(REASONS.filter((x) => all.reasons[x] > 0).length >= 3, JSON.stringify(all.reasons));
  ok(all.labels.positive > 0 && all.labels.negative > 0, JSON.stringify(all.labels));
  // the stored analysis is the one the engine gives
  const stored = (await call(ctx.base, 'GET', '/api/v1/responses?limit=500', { key: ctx.a.keys.analyst })).json.items;
  for (const x of ctx.rows) {
    const s = stored.find((it) => it.id === x.id);
    ok(s && s.text, `response ${x.id} not analysed`);
    eq([s.text.label, s.text.emotions.slice().sort(), s.text.reasons.slice().sort()],
      [x.analysis.sentiment.label, Object.keys(x.analysis.emotions).sort(), x.analysis.reasons.slice().sort()], x.id);
  }
});

test('by touchpoint (the default): exact counts per touchpoint, "" for none', async (ctx) => {
  const r = await get(ctx, MARCH);
  status(r, 200);
  eq([r.json.from, r.json.to, r.json.by, r.json.survey], ['2026-03-01', '2026-04-01', 'touchpoint', null]);
  const want = expected(ctx.rows, (x) => [x.touchpoint || '']);
  const g = got(r.json);
  eq(g.total, want.total, 'total');
  eq(sorted(g.groups), sorted(want.groups), 'groups');
  eq(r.json.total.comments, COMMENTS.length, 'every comment of March, nothing else');
  const n = r.json.groups.map((x) => x.comments);
  ok(n.every((v, i) => i === 0 || n[i - 1] >= v), `most comments first: ${n}`);
  eq((await get(ctx, `${MARCH}&by=touchpoint`)).json, r.json, 'by=touchpoint is the default');
});

test('by channel and by theme: exact, a comment under each of its themes', async (ctx) => {
  const ch = await get(ctx, `${MARCH}&by=channel`);
  status(ch, 200);
  const wantCh = expected(ctx.rows, (x) => [x.channel]);
  eq(sorted(got(ch.json).groups), sorted(wantCh.groups), 'by channel');
  eq(ch.json.total, wantCh.total);
  const th = await get(ctx, `${MARCH}&by=theme`);
  status(th, 200);
  const wantTh = expected(ctx.rows, (x) => (x.analysis.themes.length ? x.analysis.themes : ['']));
  ok(Object.keys(wantTh.groups).length >= 3, JSON.stringify(Object.keys(wantTh.groups)));
  eq(sorted(got(th.json).groups), sorted(wantTh.groups), 'by theme');
  eq(th.json.total, wantTh.total, 'the total counts each comment once');
});

test('one survey, and a shorter period', async (ctx) => {
  const r = await get(ctx, `${MARCH}&survey=${ctx.survey}`);
  status(r, 200);
  eq(r.json.survey, ctx.survey);
  const want = expected(ctx.rows.filter((x) => x.second), (x) => [x.touchpoint || '']);
  eq(r.json.total, want.total, 'total');
  eq(sorted(got(r.json).groups), sorted(want.groups));
  // the first ten days: 2026-03-02, 04, 06, 08
  const short = await get(ctx, '?from=2026-03-01&to=2026-03-10&by=channel');
  eq(short.json.total, expected(ctx.rows.slice(0, 4), () => ['']).total);
  // an instant: from 2026-03-04T12:00Z is the day 2026-03-04 (UTC tenant)
  const inst = await get(ctx, '?from=2026-03-04T12:00:00Z&to=2026-03-10');
  eq([inst.json.from, inst.json.total.comments], ['2026-03-04', 3]);
  const none = await get(ctx, '?from=2025-01-01&to=2025-02-01');
  eq([none.json.total.comments, none.json.groups], [0, []]);
});

test('the period is cut at the tenant\'s local midnight', async (ctx) => {
  const post = (items) => call(ctx.base, 'POST', '/api/v1/responses', { key: ctx.cKey, json: items });
  const at = (id, ts, touchpoint) => ({ id, external_id: `c-${id}`, channel: 'web', touchpoint, answers: { nps: 1 }, ts,
    comment: 'Terrible, estoy furioso' });
  // Bogotá is UTC-5: 03:00Z on 1 March is still 28 February there, 04:59:59Z on
  // 1 April still 31 March, 05:00Z on 1 April already April
  status(await post([at('z1', '2026-03-01T03:00:00Z', 'feb-28'), at('z2', '2026-03-01T05:00:00Z', 'mar-01'),
    at('z3', '2026-04-01T04:59:59Z', 'mar-31'), at('z4', '2026-04-01T05:00:00Z', 'apr-01')]), 202);
  const r = await get(ctx, MARCH, ctx.cKey);
  status(r, 200);
  eq(r.json.groups.map((g) => [g.value, g.comments]).sort(), [['mar-01', 1], ['mar-31', 1]], 'March in Bogotá');
  eq(r.json.total.comments, 2);
  const feb = await get(ctx, '?from=2026-02-01&to=2026-03-01', ctx.cKey);
  eq(feb.json.groups.map((g) => g.value), ['feb-28'], 'February in Bogotá');
});

test('a manager counts only their subtree\'s comments', async (ctx) => {
  const r = await call(ctx.base, 'GET', `/api/v1/text/emotions${MARCH}`, { session: ctx.manager });
  status(r, 200);
  // Tienda Sur 1 was under Sur in March: only cajero.norte's comments
  const want = expected(ctx.rows.filter((x) => x.agent === 'cajero.norte'), (x) => [x.touchpoint || '']);
  eq(r.json.total, want.total);
  eq(sorted(got(r.json).groups), sorted(want.groups));
  ok(r.json.total.comments < COMMENTS.length, 'fewer than the tenant has');
});

test('another tenant\'s comments never count', async (ctx) => {
  const b = await get(ctx, MARCH, ctx.b.keys.analyst);
  status(b, 200);
  eq(b.json.total.comments, 1, 'B has one comment');
  eq(b.json.groups.map((g) => g.value), ['delivery']);
  const a = await get(ctx, MARCH);
  eq(a.json.groups.find((g) => g.value === 'delivery').comments, ctx.rows.filter((x) => x.touchpoint === 'delivery').length);
  // a survey id of tenant A asked by B: nothing
  eq((await get(ctx, `${MARCH}&survey=${ctx.survey}`, ctx.b.keys.analyst)).json.total.comments, 0);
});

test('bad parameters: 400 naming the parameter; every role reads, nobody unsigned', async (ctx) => {
  const cases = [
    ['?by=agent', 'by'],
    ['?by=', 'by'],
    ['?survey=abc', 'survey'],
    ['?from=yesterday', 'from'],
    ['?to=2026-02-30', 'to'],
    ['?from=2026-03-10&to=2026-03-01', 'to'],
    ['?from=2010-01-01&to=2026-01-01', 'from'],
    ['?label=positive', 'label'],
  ];
  for (const [q, field] of cases) {
    const r = await get(ctx, q);
    eq(r.status, 400, q);
    ok((r.headers.get('content-type') || '').startsWith('application/problem+json'), `${q}: ${r.headers.get('content-type')}`);
    eq(r.json.errors.map((e) => e.field), [field], q);
    ok(r.json.errors[0].message.length > 5, `${q}: a reason`);
  }
  const dflt = await get(ctx, '');
  status(dflt, 200);
  const days = (Date.parse(dflt.json.to) - Date.parse(dflt.json.from)) / 86400000;
  eq(days, 90, 'the default: 90 days');
  for (const role of ['owner', 'admin', 'viewer']) status(await get(ctx, MARCH, ctx.a.keys[role]), 200, role);
  status(await call(ctx.base, 'GET', `/api/v1/text/emotions${MARCH}`), 401);
});

run(setup, async (ctx) => { await ctx.srv.stop(); });
