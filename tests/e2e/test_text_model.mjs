// test_text_model.mjs - the tenant's learned text model (issue 6): a fresh
// tenant's status says why it has none; an analyst cannot train; 320
// labelled Spanish comments with a planted word ("tardó" in detractors,
// "puntual" in promoters) train a model whose cross-validated accuracy
// beats chance and whose top features are the planted words; the analysis
// of a new comment with "tardó" is more negative with the model than
// before it, and comments stored after it are analysed with it too; a
// tenant's model is trained in the background once it has enough
// comments (--text-retrain-s 1), without anyone asking.
import { call, ok, run, startServer, status, test, testDb, testStopsCleanly } from './lib.mjs';
import { buildTenant } from './world.mjs';

const A = `ma-${process.pid}${Date.now() % 100000}`;
const B = `mb-${process.pid}${Date.now() % 100000}`;
const C = `mc-${process.pid}${Date.now() % 100000}`;

const PLACES = ['el pedido', 'la tienda', 'el técnico', 'la entrega', 'el paquete', 'el repartidor', 'la visita', 'el envío'];
const DAYS = ['el lunes', 'el martes', 'el miércoles', 'el jueves', 'el viernes', 'el sábado', 'esta semana', 'ayer'];
const PROBE = 'El repartidor tardó el domingo';

function items() {
  const out = [];
  for (let i = 0; i < 320; i++) {
    const promoter = i % 2 === 0;
    const place = PLACES[i % PLACES.length], day = DAYS[Math.floor(i / PLACES.length) % DAYS.length];
    // a third of each side says something the lexicon reads the other way,
    // so that the model has something to add to it
    const twist = i % 3 === 0;
    const comment = promoter ? `${place} fue puntual ${day}${twist ? ', muy caro' : ''}`
      : `${place} tardó ${day}${twist ? ', buen precio' : ''}`;
    out.push({ id: `m-${i}`, external_id: `cM${i % 40}`, channel: 'web', comment,
      answers: { nps: promoter ? 9 + (i % 4 === 0 ? 1 : 0) : i % 7 },
      ts: `2026-03-${String(1 + (i % 28)).padStart(2, '0')}T12:00:00Z` });
  }
  return out;
}

async function setup() {
  const db = testDb('textmodel');
  const srv = await startServer(db, ['--quiet', '--text-retrain-s', '1']);
  const base = srv.url;
  const a = await buildTenant(db, base, A);
  const b = await buildTenant(db, base, B);
  const c = await buildTenant(db, base, C);
  return { db, srv, base, a, b, c };
}

const analyze = async (ctx, text) => {
  const r = await call(ctx.base, 'POST', '/api/v1/text/analyze', { key: ctx.a.keys.analyst, json: { text, lang: 'es' } });
  status(r, 200);
  return r.json;
};

test('a fresh tenant: not trained, and says why', async (ctx) => {
  const r = await call(ctx.base, 'GET', '/api/v1/text/model', { key: ctx.b.keys.viewer });
  status(r, 200);
  ok(r.json.trained === false && r.json.trained_at === null && r.json.labelled === 0, JSON.stringify(r.json));
  ok(/200/.test(r.json.reason) && /30/.test(r.json.reason), r.json.reason);
  // a training with too little data is a normal outcome that keeps the counts
  status(await call(ctx.base, 'POST', '/api/v1/responses', { key: ctx.b.keys.owner,
    json: [{ id: 'b1', external_id: 'cB', channel: 'web', comment: 'el pedido tardó', answers: { nps: 2 }, ts: '2026-03-02T12:00:00Z' }] }), 202);
  const t = await call(ctx.base, 'POST', '/api/v1/text/model/train', { key: ctx.b.keys.admin });
  status(t, 200);
  ok(t.json.trained === false && t.json.labelled === 1 && t.json.detractors === 1 && typeof t.json.trained_at === 'string',
    JSON.stringify(t.json));
  ok(/^not trained: 1 labelled/.test(t.json.reason), t.json.reason);
});

test('roles: an analyst cannot train; every role reads the status', async (ctx) => {
  for (const role of ['analyst', 'viewer']) {
    const r = await call(ctx.base, 'POST', '/api/v1/text/model/train', { key: ctx.a.keys[role] });
    status(r, 403, role);
    status(await call(ctx.base, 'GET', '/api/v1/text/model', { key: ctx.a.keys[role] }), 200, role);
  }
});

test('train on planted words, and the analysis blends the model', async (ctx) => {
  const before = await analyze(ctx, PROBE);
  ok(!('model_weight' in before.sentiment), 'no model yet');
  const all = items();
  for (let i = 0; i < all.length; i += 100)
    status(await call(ctx.base, 'POST', '/api/v1/responses', { key: ctx.a.keys.owner, json: all.slice(i, i + 100) }), 202);
  const t = await call(ctx.base, 'POST', '/api/v1/text/model/train', { key: ctx.a.keys.owner });
  status(t, 200);
  const m = t.json;
  ok(m.trained === true && m.labelled === 320 && m.promoters === 160 && m.detractors === 160, JSON.stringify(m));
  ok(m.cv_accuracy > 0.5 && m.auc > 0.5 && m.blend_weight > 0, JSON.stringify(m));
  const neg = m.features.negative.map((f) => f.feature), pos = m.features.positive.map((f) => f.feature);
  ok(neg.slice(0, 5).some((f) => /tard/.test(f)), JSON.stringify(neg));
  ok(pos.slice(0, 5).some((f) => /puntual/.test(f)), JSON.stringify(pos));
  ok(m.features.negative.every((f) => f.weight < 0) && m.features.positive.every((f) => f.weight > 0));
  // the status reads the same
  const g = await call(ctx.base, 'GET', '/api/v1/text/model', { key: ctx.a.keys.viewer });
  status(g, 200);
  ok(g.json.trained && g.json.cv_accuracy === m.cv_accuracy && g.json.trained_at === m.trained_at, JSON.stringify(g.json));
  const after = await analyze(ctx, PROBE);
  ok(after.sentiment.model_weight > 0, JSON.stringify(after));
  ok(after.sentiment.score < before.sentiment.score, `${after.sentiment.score} < ${before.sentiment.score}`);
  // tenant B's analysis does not use A's model
  const bn = await call(ctx.base, 'POST', '/api/v1/text/analyze', { key: ctx.b.keys.analyst, json: { text: PROBE, lang: 'es' } });
  ok(!('model_weight' in bn.json.sentiment) && bn.json.sentiment.score === before.sentiment.score, JSON.stringify(bn.json));
  // a comment stored now is analysed with the model (on ingest)
  status(await call(ctx.base, 'POST', '/api/v1/responses', { key: ctx.a.keys.owner,
    json: [{ id: 'probe', external_id: 'cP', channel: 'web', comment: PROBE, answers: { nps: 8 }, ts: '2026-03-29T12:00:00Z' }] }), 202);
  status(await call(ctx.base, 'POST', '/api/v1/responses', { key: ctx.b.keys.owner,
    json: [{ id: 'probe', external_id: 'cP', channel: 'web', comment: PROBE, answers: { nps: 8 }, ts: '2026-03-29T12:00:00Z' }] }), 202);
  const score = async (key) => {
    const r = await call(ctx.base, 'GET', '/api/v1/responses?limit=500', { key });
    status(r, 200);
    return r.json.items.find((it) => it.comment === PROBE && it.nps === 8).text.score;
  };
  const sa = await score(ctx.a.keys.analyst), sb = await score(ctx.b.keys.analyst);
  ok(sa < sb, `stored with the model ${sa} < without ${sb}`);
});

test('retrained in the background once there are enough comments', async (ctx) => {
  const status0 = await call(ctx.base, 'GET', '/api/v1/text/model', { key: ctx.c.keys.viewer });
  ok(status0.json.trained === false, JSON.stringify(status0.json));
  const all = items().slice(0, 240);
  for (let i = 0; i < all.length; i += 120)
    status(await call(ctx.base, 'POST', '/api/v1/responses', { key: ctx.c.keys.owner, json: all.slice(i, i + 120) }), 202);
  let m;
  for (let i = 0; i < 100; i++) {
    m = (await call(ctx.base, 'GET', '/api/v1/text/model', { key: ctx.c.keys.viewer })).json;
    if (m.trained) break;
    await new Promise((res) => setTimeout(res, 200));
  }
  ok(m.trained === true && m.labelled === 240 && m.cv_accuracy > 0.5, JSON.stringify(m));
});

testStopsCleanly();

run(setup, async (ctx) => { await ctx.srv.stop(); });
