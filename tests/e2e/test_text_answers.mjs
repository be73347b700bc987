// test_text_answers.mjs - a response's text is its comment and its
// free-text answers (issue 6, docs/text.md "The response's text"): both are
// analysed on ingest as one (the union of their themes, emotions and
// reasons, a sentiment between theirs, a text answer alone exactly as
// analysed alone; choices are not text); the rollups count the response
// once; verbatims show which text is which (the comment, each question's
// id) with highlights of their own; the PII policy masks the comment and
// the text answers in GET /api/v1/responses and the verbatims, or keeps
// them; the re-analysis after a taxonomy change uses the tenant's model,
// so a text scores as on ingest; free-text answers alone train the model;
// and a training on 20,000 comments runs
// outside the writer: responses submitted while it fits are stored and
// answered before it ends.
import { readFileSync } from 'node:fs';
import { call, eq, ok, run, startServer, status, test, testDb, testStopsCleanly } from './lib.mjs';
import { buildTenant } from './world.mjs';

const A = `ta-${process.pid}${Date.now() % 100000}`;
const B = `tb-${process.pid}${Date.now() % 100000}`;
const C = `tc-${process.pid}${Date.now() % 100000}`;
const D = `td-${process.pid}${Date.now() % 100000}`;
const E = `te-${process.pid}${Date.now() % 100000}`;
const DEF = JSON.parse(readFileSync('tests/data/surveys/good/posventa.json', 'utf8'));

async function setup() {
  const db = testDb('textanswers');
  // no background retraining: each test trains when it says so
  const srv = await startServer(db, ['--quiet', '--text-retrain-s', '3600']);
  const base = srv.url;
  const ctx = { db, srv, base };
  for (const [k, name] of [['a', A], ['b', B], ['c', C], ['d', D], ['e', E]]) {
    ctx[k] = await buildTenant(db, base, name);
    const s = await call(base, 'POST', '/api/v1/surveys', { key: ctx[k].keys.owner, json: DEF });
    status(s, 201, name);
    status(await call(base, 'POST', `/api/v1/surveys/${s.json.id}/status`, { key: ctx[k].keys.owner, json: { status: 'live' } }), 200);
    ctx[k].survey = s.json.id;
  }
  return ctx;
}

const post = async (ctx, t, items) => {
  const r = await call(ctx.base, 'POST', '/api/v1/responses', { key: t.keys.owner, json: items.map((it) => ({ survey: t.survey, ...it })) });
  status(r, 202, r.text.slice(0, 500));
  return r;
};

const analyze = async (ctx, t, text) => {
  const r = await call(ctx.base, 'POST', '/api/v1/text/analyze', { key: t.keys.analyst, json: { text } });
  status(r, 200, r.text);
  return r.json;
};

const responses = async (ctx, t) => {
  const r = await call(ctx.base, 'GET', '/api/v1/responses?limit=500', { key: t.keys.analyst });
  status(r, 200);
  return r.json.items;
};

const byId = (items, id) => items.find((it) => it.id === id);
const union = (...lists) => [...new Set(lists.flat())].sort();
const emo = (an) => Object.keys(an.emotions).sort();

const WHY = 'El repartidor tardó muchísimo y el paquete llegó roto, qué decepción';
const COMMENT = 'La atención en tienda fue excelente, muy amables';
const MAIL = 'Escríbanme a ana.perez@example.com o al +34 612 345 678';

test('a text answer alone is analysed as the text alone; choices are not text', async (ctx) => {
  await post(ctx, ctx.a, [
    { id: 'why-only', external_id: 'cW', channel: 'web', ts: '2026-03-03T12:00:00Z', answers: { nps: 2, why_bad: WHY } },
    { id: 'choice-only', external_id: 'cX', channel: 'web', ts: '2026-03-03T12:00:00Z', answers: { nps: 9, channel: 'web', liked: ['staff'] } },
  ]);
  const items = await responses(ctx, ctx.a);
  const w = byId(items, 'why-only'), x = byId(items, 'choice-only');
  const an = await analyze(ctx, ctx.a, WHY);
  ok(w.text, JSON.stringify(w));
  eq([w.text.score, w.text.label, w.text.lang], [an.sentiment.score, an.sentiment.label, an.lang], 'as analysed alone');
  eq(w.text.themes.slice().sort(), an.themes.slice().sort(), 'themes');
  ok(w.text.themes.includes('delivery'), JSON.stringify(w.text));
  eq(w.text.emotions.slice().sort(), emo(an), 'emotions');
  eq(w.text.reasons.slice().sort(), an.reasons.slice().sort(), 'reasons');
  ok(!('text' in x), `no text to analyse: ${JSON.stringify(x)}`);
});

test('the comment and the text answers: one analysis with the union, a sentiment between theirs', async (ctx) => {
  await post(ctx, ctx.a, [{ id: 'both', external_id: 'cB', channel: 'store', ts: '2026-03-04T12:00:00Z', comment: COMMENT,
    answers: { nps: 5, why_bad: WHY, comment: 'El envío llegó tarde otra vez' } }]);
  const b = byId(await responses(ctx, ctx.a), 'both');
  const parts = [await analyze(ctx, ctx.a, COMMENT), await analyze(ctx, ctx.a, WHY), await analyze(ctx, ctx.a, 'El envío llegó tarde otra vez')];
  eq(b.text.themes.slice().sort(), union(...parts.map((p) => p.themes)), 'themes: the union');
  eq(b.text.emotions.slice().sort(), union(...parts.map(emo)), 'emotions: the union');
  eq(b.text.reasons.slice().sort(), union(...parts.map((p) => p.reasons)), 'reasons: the union');
  const scores = parts.map((p) => p.sentiment.score);
  ok(b.text.score >= Math.min(...scores) - 1e-4 && b.text.score <= Math.max(...scores) + 1e-4, `${b.text.score} within ${scores}`);
  ok(scores.some((s) => Math.abs(s - b.text.score) > 1e-3), 'not just one of them');
  const want = b.text.score >= 0.05 ? 'positive' : b.text.score <= -0.05 ? 'negative' : 'neutral';
  eq(b.text.label, want, 'the label of the mean');
});

test('the rollups count a response once, whichever of its texts name a theme', async (ctx) => {
  // delivery in the comment and in the answer: one response under delivery
  await post(ctx, ctx.a, [{ id: 'twice', external_id: 'cT', channel: 'web', ts: '2026-03-05T12:00:00Z',
    comment: 'El envío llegó tarde', answers: { nps: 3, why_bad: 'La entrega tardó dos semanas' } }]);
  const items = (await responses(ctx, ctx.a)).filter((it) => it.text);
  const r = await call(ctx.base, 'GET', '/api/v1/metrics/nps?from=2026-03-01&to=2026-04-01&by=theme', { key: ctx.a.keys.analyst });
  status(r, 200);
  const d = r.json.groups.find((g) => g.value === 'delivery');
  eq(d.n, items.filter((it) => it.text.themes.includes('delivery')).length, JSON.stringify(r.json.groups));
  eq(r.json.overall.n, (await responses(ctx, ctx.a)).length, 'each response once overall');
});

test('verbatims: the comment and each text answer with its question id and its own highlights', async (ctx) => {
  const r = await call(ctx.base, 'GET', '/api/v1/text/verbatims?from=2026-03-01&to=2026-04-01', { key: ctx.a.keys.analyst });
  status(r, 200);
  const byResp = {};
  for (const it of await responses(ctx, ctx.a)) byResp[it.response_id] = it;
  const w = r.json.items.find((v) => byResp[v.response_id].id === 'why-only');
  const b = r.json.items.find((v) => byResp[v.response_id].id === 'both');
  ok(w && b, JSON.stringify(r.json.items));
  ok(!r.json.items.some((v) => byResp[v.response_id].id === 'choice-only'), 'a choice is no verbatim');
  eq([w.comment, w.highlights, w.answers.map((a) => a.question)], ['', [], ['why_bad']]);
  eq(w.answers[0].text, WHY);
  const hl = w.answers[0].highlights;
  ok(hl.some((h) => h.kind === 'theme' && h.theme === 'delivery'), JSON.stringify(hl));
  ok(hl.some((h) => h.kind === 'negative' && /tard/.test(WHY.slice(h.start, h.end))), JSON.stringify(hl));
  eq(b.comment, COMMENT);
  ok(b.highlights.some((h) => h.kind === 'positive'), JSON.stringify(b.highlights));
  eq(b.answers.map((a) => [a.question, a.text]), [['why_bad', WHY], ['comment', 'El envío llegó tarde otra vez']],
    'in the order of the survey');
  // a theme named only in a text answer finds the response
  const f = await call(ctx.base, 'GET', '/api/v1/text/verbatims?from=2026-03-01&to=2026-04-01&theme=delivery', { key: ctx.a.keys.analyst });
  ok(f.json.items.some((v) => v.response_id === w.response_id), JSON.stringify(f.json));
});

test('PII: masked in the comment and the text answers of every output by default, kept when the policy says', async (ctx) => {
  await post(ctx, ctx.a, [{ id: 'pii', external_id: 'cP', channel: 'web', ts: '2026-03-06T12:00:00Z', comment: MAIL,
    answers: { nps: 4, why_bad: `Llamen al 612 345 678, ${WHY}`, channel: 'web' } }]);
  const stars = (s) => s.replace('ana.perez@example.com', '*'.repeat(21)).replace('+34 612 345 678', '*'.repeat(15));
  const masked = byId(await responses(ctx, ctx.a), 'pii');
  eq(masked.comment, stars(MAIL), 'the comment');
  ok(!/612/.test(masked.answers.why_bad) && masked.answers.why_bad.endsWith(WHY) &&
    masked.answers.why_bad.length === `Llamen al 612 345 678, ${WHY}`.length, masked.answers.why_bad);
  eq([masked.answers.channel, masked.answers.nps], ['web', 4], 'other answers as given');
  const v = await call(ctx.base, 'GET', '/api/v1/text/verbatims?from=2026-03-06&to=2026-03-07', { key: ctx.a.keys.analyst });
  eq(v.json.items.length, 1);
  eq(v.json.items[0].comment, stars(MAIL));
  ok(!/612/.test(v.json.items[0].answers[0].text), JSON.stringify(v.json.items[0]));
  // a viewer sees it masked as well
  const mv = byId((await call(ctx.base, 'GET', '/api/v1/responses?limit=500', { key: ctx.a.keys.viewer })).json.items, 'pii');
  eq(mv.comment, stars(MAIL));
  // keep: the originals, everywhere
  status(await call(ctx.base, 'PUT', '/api/v1/settings/text', { key: ctx.a.keys.admin, json: { pii: 'keep' } }), 200);
  const kept = byId(await responses(ctx, ctx.a), 'pii');
  eq([kept.comment, kept.answers.why_bad], [MAIL, `Llamen al 612 345 678, ${WHY}`]);
  const vk = await call(ctx.base, 'GET', '/api/v1/text/verbatims?from=2026-03-06&to=2026-03-07', { key: ctx.a.keys.analyst });
  eq([vk.json.items[0].comment, vk.json.items[0].answers[0].text], [MAIL, `Llamen al 612 345 678, ${WHY}`]);
  // and back: masked again (the original is stored, the policy decides what is shown)
  status(await call(ctx.base, 'PUT', '/api/v1/settings/text', { key: ctx.a.keys.admin, json: { pii: 'mask' } }), 200);
  eq(byId(await responses(ctx, ctx.a), 'pii').comment, stars(MAIL));
  // another tenant's policy is its own
  status(await call(ctx.base, 'PUT', '/api/v1/settings/text', { key: ctx.c.keys.admin, json: { pii: 'keep' } }), 200);
  eq(byId(await responses(ctx, ctx.a), 'pii').comment, stars(MAIL));
  status(await call(ctx.base, 'PUT', '/api/v1/settings/text', { key: ctx.c.keys.admin, json: { pii: 'mask' } }), 200);
});

// labelled comments with planted words, as in test_text_model.mjs
const PLACES = ['el pedido', 'la tienda', 'el técnico', 'la entrega', 'el paquete', 'el repartidor', 'la visita', 'el envío'];
const DAYS = ['el lunes', 'el martes', 'el miércoles', 'el jueves', 'el viernes', 'el sábado', 'esta semana', 'ayer'];
function labelled(n, prefix) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const promoter = i % 2 === 0;
    const place = PLACES[i % PLACES.length], day = DAYS[Math.floor(i / PLACES.length) % DAYS.length];
    const twist = i % 3 === 0;
    const comment = promoter ? `${place} fue puntual ${day}${twist ? ', muy caro' : ''} ${i % 101}`
      : `${place} tardó ${day}${twist ? ', buen precio' : ''} ${i % 97}`;
    out.push({ id: `${prefix}-${i}`, external_id: `c${prefix}${i % 40}`, channel: 'web', comment,
      answers: { nps: promoter ? 9 + (i % 4 === 0 ? 1 : 0) : i % 7 },
      ts: `2026-02-${String(1 + (i % 28)).padStart(2, '0')}T12:00:00Z` });
  }
  return out;
}

const PROBE = { id: 'probe', external_id: 'cProbe', channel: 'web', ts: '2026-03-10T12:00:00Z',
  comment: 'El repartidor tardó el domingo', answers: { nps: 8, comment: 'la entrega tardó, pero fue puntual' } };

test('the re-analysis after a taxonomy change uses the tenant model: the same score as on ingest', async (ctx) => {
  const all = labelled(320, 'm');
  for (let i = 0; i < all.length; i += 160) await post(ctx, ctx.b, all.slice(i, i + 160));
  const t = await call(ctx.base, 'POST', '/api/v1/text/model/train', { key: ctx.b.keys.owner });
  status(t, 200);
  ok(t.json.trained === true && t.json.blend_weight > 0, JSON.stringify(t.json));
  await post(ctx, ctx.b, [PROBE]);
  await post(ctx, ctx.c, [PROBE]);
  const before = byId(await responses(ctx, ctx.b), 'probe').text;
  const plain = byId(await responses(ctx, ctx.c), 'probe').text;
  ok(before.score < plain.score, `with the model ${before.score} < without ${plain.score}`);
  // a taxonomy change: one more term for delivery
  const tax = (await call(ctx.base, 'GET', '/api/v1/settings/themes', { key: ctx.b.keys.admin })).json;
  const del = tax.themes.find((th) => th.id === 'delivery');
  del.terms.es.push('domingo');
  const put = await call(ctx.base, 'PUT', '/api/v1/settings/themes', { key: ctx.b.keys.admin, json: tax });
  status(put, 200, put.text);
  const after = byId(await responses(ctx, ctx.b), 'probe').text;
  eq(after.score, before.score, 'the score ingest gave');
  eq(after.label, before.label);
  ok(after.themes.includes('delivery'), JSON.stringify(after));
  // every labelled comment too: re-analysed with the model, as ingest did
  const again = await responses(ctx, ctx.b);
  const m0 = again.find((it) => it.id === 'm-1');
  const fresh = { ...all[1], id: 'm-1-again' };
  await post(ctx, ctx.b, [fresh]);
  eq(byId(await responses(ctx, ctx.b), 'm-1-again').text.score, m0.text.score, 'a labelled comment as on ingest');
});

test('free-text answers alone teach the model (the survey page and the widget store their text there)', async (ctx) => {
  const all = labelled(240, 'w').map(({ comment, answers, ...it }) => ({ ...it, answers: { ...answers, comment } }));
  // and scores with a choice but no text, which teach nothing
  all.push({ id: 'w-choice', external_id: 'cWc', channel: 'web', ts: '2026-02-03T12:00:00Z', answers: { nps: 10, channel: 'web' } });
  await post(ctx, ctx.e, all);
  const t = await call(ctx.base, 'POST', '/api/v1/text/model/train', { key: ctx.e.keys.owner });
  status(t, 200);
  ok(t.json.trained === true && t.json.labelled === 240 && t.json.trained_on === 240 && t.json.promoters === 120,
    JSON.stringify({ ...t.json, features: undefined }));
  ok(t.json.features.negative.slice(0, 5).some((f) => /tard/.test(f.feature)), JSON.stringify(t.json.features.negative));
});

test('training on 20,000 comments runs outside the writer: submits are answered while it fits', async (ctx) => {
  const all = labelled(20000, 'big');
  for (let i = 0; i < all.length; i += 1000) await post(ctx, ctx.d, all.slice(i, i + 1000));
  let trainedAt = 0;
  const t0 = Date.now();
  const training = call(ctx.base, 'POST', '/api/v1/text/model/train', { key: ctx.d.keys.owner }).then((r) => {
    trainedAt = Date.now();
    return r;
  });
  // let the training start, then submit one by one while it fits: each
  // submit waits for its commit, so with the fit in the writer none would
  // be answered before the training
  await new Promise((res) => setTimeout(res, 100));
  const before = [];
  for (let i = 0; i < 50 && !trainedAt; i++) {
    const r = await post(ctx, ctx.d, [{ id: `during-${i}`, external_id: 'cDuring', channel: 'web', ts: '2026-03-11T12:00:00Z',
      comment: 'todo bien', answers: { nps: 9 } }]);
    eq(r.json.accepted, 1);
    if (!trainedAt) before.push(`during-${i}`);
  }
  const t = await training;
  status(t, 200, t.text);
  console.log(`# the training took ${trainedAt - t0} ms; ${before.length} submits answered meanwhile`);
  ok(t.json.trained === true && t.json.trained_on >= 20000, JSON.stringify({ ...t.json, features: undefined }));
  ok(before.length >= 3, `submits answered while the training ran: ${before.length}`);
  // and they are stored
  const items = await responses(ctx, ctx.d);
  for (const id of before) ok(byId(items, id), `${id} stored`);
});

testStopsCleanly();

run(setup, async (ctx) => { await ctx.srv.stop(); });
