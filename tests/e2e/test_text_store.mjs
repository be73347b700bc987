// test_text_store.mjs - text on ingest over HTTP: comments in Spanish and
// English posted through POST /api/v1/responses come back analysed in
// GET /api/v1/responses ("text"); NPS by theme and by sentiment match a
// count of the stored analyses, on the rollups and on the scan; a taxonomy
// change (PUT /api/v1/settings/themes) re-analyses what is stored; themes
// as drivers; POST /api/v1/text/analyze with the tenant's themes; verbatims paged, filtered, PII-masked by policy, a manager's
// only from their subtree, and never another tenant's.
import { call, eq, login, ok, run, startServer, status, test, testDb } from './lib.mjs';
import { PASSWORD, buildTenant } from './world.mjs';

const A = `ta-${process.pid}${Date.now() % 100000}`;
const B = `tb-${process.pid}${Date.now() % 100000}`;

// [comment, nps, agent]; the first ones are read for their themes below
const COMMENTS = [
  ['El envío llegó tarde y el repartidor fue grosero', 1, 'cajero.norte'],
  ['The delivery was late and the package arrived broken', 2, 'cajero.sur'],
  ['Muy caro, el precio subió demasiado', 5, 'cajero.norte'],
  ['The staff were friendly and helpful, great service!', 10, 'cajero.sur'],
  ['Escríbanme a ana@example.com, la atención fue excelente', 9, 'cajero.norte'],
  ['Me encantó el café de la tienda', 10, 'cajero.norte'],
  ['I love the coffee here', 9, 'cajero.sur'],
  ['La entrega nunca llegó, pésimo', 0, 'cajero.norte'],
  ['My package never arrived, terrible delivery', 1, 'cajero.sur'],
  ['Todo bien, gracias', 9, 'cajero.norte'],
  ['Great prices and friendly staff', 10, 'cajero.norte'],
  ['El pedido llegó tarde otra vez', 3, 'cajero.sur'],
  ['ok', 8, 'cajero.norte'],
];

async function setup() {
  const db = testDb('textstore');
  const srv = await startServer(db, ['--quiet']);
  const base = srv.url;
  const a = await buildTenant(db, base, A);
  const b = await buildTenant(db, base, B);
  const items = COMMENTS.map(([comment, nps, agent], i) => ({
    id: `t-${i}`, external_id: `cT${i}`, channel: 'store', agent, comment, answers: { nps },
    ts: `2026-03-${String(2 + i).padStart(2, '0')}T12:00:00Z`,
  }));
  // one without a comment: counts under theme "" and sentiment ""
  items.push({ id: 't-none', external_id: 'cT99', channel: 'web', answers: { nps: 7 }, ts: '2026-03-20T12:00:00Z' });
  status(await call(base, 'POST', '/api/v1/responses', { key: a.keys.owner, json: items }), 202);
  status(await call(base, 'POST', '/api/v1/responses', {
    key: b.keys.owner,
    json: [{ id: 'b-1', external_id: 'cB', channel: 'store', answers: { nps: 2 }, ts: '2026-03-05T12:00:00Z',
      comment: 'La zanahoria secreta llegó tarde, entrega pésima' }],
  }), 202);
  const manager = await login(base, 'manager1', PASSWORD, A);
  return { db, srv, base, a, b, manager };
}

const get = (ctx, path, key = ctx.a.keys.analyst) => call(ctx.base, 'GET', path, { key });

async function stored(ctx) {
  const r = await get(ctx, '/api/v1/responses?limit=500');
  status(r, 200);
  return r.json.items;
}

// NPS counts per value from the stored analyses (a response under each theme)
function handCount(items, pick) {
  const out = {};
  for (const it of items) {
    for (const v of pick(it)) {
      const c = (out[v] ||= { n: 0, promoters: 0, detractors: 0 });
      c.n++;
      if (it.nps >= 9) c.promoters++;
      if (it.nps <= 6) c.detractors++;
    }
  }
  return out;
}

const themesOf = (it) => (it.text && it.text.themes.length ? it.text.themes : ['']);

async function byDim(ctx, dim, extra = '') {
  const r = await get(ctx, `/api/v1/metrics/nps?from=2026-03-01&to=2026-04-01&by=${dim}${extra}`);
  status(r, 200);
  const out = {};
  for (const g of r.json.groups) out[g.value] = { n: g.n, promoters: g.counts.promoters, detractors: g.counts.detractors };
  return { source: r.json.source, groups: out };
}

test('each comment is analysed on ingest: language, score, label, emotions, reasons, themes', async (ctx) => {
  const items = await stored(ctx);
  eq(items.length, COMMENTS.length + 1);
  const by = Object.fromEntries(items.map((it) => [it.id, it]));
  const t0 = by['t-0'].text, t1 = by['t-1'].text, t3 = by['t-3'].text, t2 = by['t-2'].text;
  eq([t0.lang, t0.label], ['es', 'negative']);
  ok(t0.score < -0.05 && t0.themes.includes('delivery') && t0.themes.includes('staff'), JSON.stringify(t0));
  eq([t1.lang, t1.label], ['en', 'negative']);
  ok(t1.themes.includes('delivery'), JSON.stringify(t1));
  eq([t3.lang, t3.label], ['en', 'positive']);
  ok(t3.score > 0.5 && t3.themes.includes('staff') && t3.emotions.includes('joy'), JSON.stringify(t3));
  ok(t2.themes.includes('price') && t2.reasons.includes('price'), JSON.stringify(t2));
  eq(by['t-none'].text, undefined, 'no comment: no analysis');
  // another tenant's comment is analysed in its own tenant only
  const bi = (await get(ctx, '/api/v1/responses', ctx.b.keys.analyst)).json.items;
  eq(bi.length, 1);
  ok(bi[0].text.themes.includes('delivery'));
});

test('NPS by theme and by sentiment match a count of the stored analyses, rollup and scan alike', async (ctx) => {
  const items = await stored(ctx);
  const want = handCount(items, themesOf);
  const roll = await byDim(ctx, 'theme');
  eq(roll.source, 'rollup');
  eq(roll.groups, Object.fromEntries(Object.keys(want).sort().map((k) => [k, want[k]])), 'by theme');
  ok(want.delivery.n >= 4 && want[''].n >= 2, JSON.stringify(want));
  // the overall figure counts each response once, though groups overlap
  const r = await get(ctx, '/api/v1/metrics/nps?from=2026-03-01&to=2026-04-01&by=theme');
  eq(r.json.overall.n, items.length);
  const sum = r.json.groups.reduce((n, g) => n + g.n, 0);
  ok(sum > items.length, `groups overlap: ${sum}`);
  // a group against the rest: the responses without that theme
  const d = r.json.groups.find((g) => g.value === 'delivery');
  eq([d.label, r.json.groups.find((g) => g.value === '').label], ['Delivery and shipping', null], 'theme names beside ids');
  const restN = items.filter((it) => !themesOf(it).includes('delivery')).length;
  ok(d.vs_rest && typeof d.vs_rest.diff === 'number', JSON.stringify(d.vs_rest));
  const noDel = items.filter((it) => !themesOf(it).includes('delivery'));
  const nps = (xs) => Math.round(1000 * (xs.filter((x) => x.nps >= 9).length - xs.filter((x) => x.nps <= 6).length) / xs.length) / 10;
  const delItems = items.filter((it) => themesOf(it).includes('delivery'));
  eq(Math.round(10 * (nps(delItems) - nps(noDel))) / 10, d.vs_rest.diff, `vs the ${restN} without delivery`);
  // a second filter forces the scan: it must agree
  const scan = await byDim(ctx, 'theme', '&filter[channel]=store');
  eq(scan.source, 'scan');
  const storeOnly = handCount(items.filter((it) => it.channel === 'store'), themesOf);
  eq(scan.groups, Object.fromEntries(Object.keys(storeOnly).sort().map((k) => [k, storeOnly[k]])), 'scan by theme');
  const senti = await byDim(ctx, 'sentiment');
  const wantS = handCount(items, (it) => [it.text ? it.text.label : '']);
  eq(senti.groups, Object.fromEntries(Object.keys(wantS).sort().map((k) => [k, wantS[k]])), 'by sentiment');
  const one = await get(ctx, '/api/v1/metrics/nps?from=2026-03-01&to=2026-04-01&filter[theme]=delivery');
  status(one, 200);
  eq([one.json.source, one.json.overall.n], ['rollup', want.delivery.n], 'filter[theme]=delivery');
});

test('themes as drivers: the theme planted with low NPS comes out as the most important', async (ctx) => {
  const sv = (await get(ctx, '/api/v1/surveys')).json.items[0];
  // 40 more: delivery complaints with low scores, praise of staff or nothing with high ones
  const items = [];
  for (let i = 0; i < 40; i++) {
    const d = i % 2 === 0;
    items.push({ id: `d-${i}`, external_id: `cD${i}`, channel: 'web', ts: '2026-03-25T12:00:00Z',
      answers: { nps: d ? i % 5 : 8 + (i % 3) },
      comment: d ? (i % 4 ? 'El envío llegó tarde' : 'Delivery was late') : (i % 3 ? 'Todo bien' : 'The staff were nice') });
  }
  status(await call(ctx.base, 'POST', '/api/v1/responses', { key: ctx.a.keys.owner, json: items }), 202);
  const r = await get(ctx, `/api/v1/drivers?survey=${sv.id}&from=2026-03-01&to=2026-04-01&themes=true`);
  status(r, 200);
  const themes = r.json.drivers.filter((d) => d.kind === 'theme');
  ok(themes.length >= 2, JSON.stringify(r.json.drivers));
  const top = themes.slice().sort((x, y) => y.importance - x.importance)[0];
  eq([top.id, top.label], ['delivery', 'Delivery and shipping']);
  ok(top.share > 50, `delivery explains most: ${JSON.stringify(top)}`);
  const bad = await get(ctx, `/api/v1/drivers?survey=${sv.id}&themes=maybe`);
  eq([bad.status, bad.json.errors[0].field], [400, 'themes']);
  // the planted ones stay for the tests below: drop nothing
});

test('verbatims: newest first, paged by cursor, filtered, highlighted, PII masked by policy', async (ctx) => {
  const all = [];
  let cursor = '';
  for (let pages = 0; pages < 50; pages++) {
    const r = await get(ctx, `/api/v1/text/verbatims?from=2026-03-01T00:00:00Z&to=2026-03-20T00:00:00Z&limit=4${cursor}`);
    status(r, 200);
    all.push(...r.json.items);
    if (!r.json.next_cursor) break;
    cursor = `&cursor=${r.json.next_cursor}`;
  }
  eq(all.length, COMMENTS.length, 'every comment of the range once');
  for (let i = 1; i < all.length; i++) ok(all[i - 1].ts >= all[i].ts, 'newest first');
  const mail = all.find((v) => v.comment.startsWith('Escríbanme'));
  ok(!mail.comment.includes('ana@example.com') && mail.comment.includes('***************'), mail.comment);
  eq(mail.comment.length, COMMENTS[4][0].length, 'masked in place');
  const late = all.find((v) => v.comment.startsWith('El envío'));
  eq([late.nps, late.channel, late.label], [1, 'store', 'negative']);
  const neg = late.highlights.filter((h) => h.kind === 'negative').map((h) => late.comment.slice(h.start, h.end));
  const th = late.highlights.filter((h) => h.kind === 'theme').map((h) => [h.theme, late.comment.slice(h.start, h.end)]);
  ok(neg.length >= 1, JSON.stringify(late.highlights));
  ok(th.some(([t, w]) => t === 'delivery' && /envío/.test(w)), JSON.stringify(th));
  const d = await get(ctx, '/api/v1/text/verbatims?theme=delivery&label=negative&limit=500');
  status(d, 200);
  ok(d.json.items.length >= 4 && d.json.items.every((v) => v.themes.includes('delivery') && v.label === 'negative'));
  const joy = await get(ctx, '/api/v1/text/verbatims?emotion=joy&limit=500');
  ok(joy.json.items.length >= 1 && joy.json.items.every((v) => v.emotions.includes('joy')));
  // one survey's: the tenant's responses are all in its one survey, a new survey has none
  const sv = (await get(ctx, '/api/v1/surveys')).json.items[0];
  const every = (await get(ctx, '/api/v1/text/verbatims?limit=500')).json.items.map((v) => v.response_id);
  const ofSv = await get(ctx, `/api/v1/text/verbatims?survey=${sv.id}&limit=500`);
  status(ofSv, 200);
  eq(ofSv.json.items.map((v) => v.response_id), every, 'survey= of the only survey with responses');
  const empty = await call(ctx.base, 'POST', '/api/v1/surveys', { key: ctx.a.keys.owner, json: { name: 'Vacía', languages: ['es'],
    questions: [{ id: 'nps', type: 'nps', required: true, text: { es: '¿Recomendaría?' } }] } });
  status(empty, 201);
  eq((await get(ctx, `/api/v1/text/verbatims?survey=${empty.json.id}`)).json.items, [], 'a survey without responses has no verbatims');
  for (const [q, field] of [['survey=abc', 'survey'], ['label=angry', 'label'], ['emotion=rage', 'emotion'], ['theme=nope', 'theme'], ['from=yesterday', 'from']]) {
    const r = await get(ctx, `/api/v1/text/verbatims?${q}`);
    eq([r.status, r.json.errors[0].field], [400, field], q);
  }
  // the policy: keep shows the original, analysts may not change it
  status(await call(ctx.base, 'PUT', '/api/v1/settings/text', { key: ctx.a.keys.analyst, json: { pii: 'keep' } }), 403);
  const badp = await call(ctx.base, 'PUT', '/api/v1/settings/text', { key: ctx.a.keys.admin, json: { pii: 'show' } });
  eq([badp.status, badp.json.errors[0].field], [422, 'pii']);
  status(await call(ctx.base, 'PUT', '/api/v1/settings/text', { key: ctx.a.keys.admin, json: { pii: 'keep' } }), 200);
  eq((await get(ctx, '/api/v1/settings/text')).json, { pii: 'keep' });
  const kept = (await get(ctx, '/api/v1/text/verbatims?limit=500')).json.items.find((v) => v.comment.startsWith('Escríbanme'));
  ok(kept.comment.includes('ana@example.com'), kept.comment);
  status(await call(ctx.base, 'PUT', '/api/v1/settings/text', { key: ctx.a.keys.admin, json: { pii: 'mask' } }), 200);
});

test('a manager sees only the verbatims of their subtree; another tenant\'s never appear', async (ctx) => {
  const r = await call(ctx.base, 'GET', '/api/v1/text/verbatims?limit=500', { session: ctx.manager });
  status(r, 200);
  const mine = COMMENTS.filter(([, , agent]) => agent === 'cajero.norte').map(([c]) => c.slice(0, 10));
  const got = r.json.items.map((v) => v.comment.slice(0, 10));
  eq(got.slice().sort(), mine.slice().sort(), 'only Tienda Norte 1 (cajero.sur was under Sur in March)');
  const owner = (await get(ctx, '/api/v1/text/verbatims?limit=500', ctx.a.keys.owner)).json.items;
  ok(!owner.some((v) => /zanahoria/.test(v.comment)), 'no comment of tenant B');
  const bv = (await get(ctx, '/api/v1/text/verbatims', ctx.b.keys.analyst)).json.items;
  eq(bv.map((v) => v.comment.slice(0, 12)), ['La zanahoria']);
});

test('a taxonomy change re-analyses what is stored and rebuilds the theme rollups', async (ctx) => {
  const def = await get(ctx, '/api/v1/settings/themes');
  status(def, 200);
  ok(def.json.themes.some((t) => t.id === 'delivery'), 'the default taxonomy');
  const tax = { themes: [
    { id: 'coffee', name: { es: 'Café', en: 'Coffee' }, terms: { es: ['café'], en: ['coffee'] } },
    { id: 'delivery', name: { es: 'Entrega', en: 'Delivery' }, terms: { es: ['envío', 'entrega'], en: ['delivery'] } },
  ] };
  status(await call(ctx.base, 'PUT', '/api/v1/settings/themes', { key: ctx.a.keys.analyst, json: tax }), 403);
  const bad = await call(ctx.base, 'PUT', '/api/v1/settings/themes', { key: ctx.a.keys.admin,
    json: { themes: [{ id: 'Bad Id', name: { es: 'x', en: 'x' }, terms: { es: ['x'] } }] } });
  eq([bad.status, bad.json.errors[0].field], [422, 'themes[0].id']);
  const put = await call(ctx.base, 'PUT', '/api/v1/settings/themes', { key: ctx.a.keys.admin, json: tax });
  status(put, 200);
  eq(put.json.themes.map((t) => t.id), ['coffee', 'delivery']);
  const items = await stored(ctx);
  const coffee = items.filter((it) => /café|coffee/i.test(it.comment || ''));
  eq(coffee.length, 2);
  ok(coffee.every((it) => it.text.themes.includes('coffee')), 'stored analyses now name coffee');
  ok(items.every((it) => !it.text || it.text.themes.every((t) => t === 'coffee' || t === 'delivery')), 'old themes gone');
  const want = handCount(items, themesOf);
  const roll = await byDim(ctx, 'theme');
  eq(roll.groups, Object.fromEntries(Object.keys(want).sort().map((k) => [k, want[k]])), 'rollups rebuilt');
  eq(roll.groups.coffee.n, 2);
  ok(!('price' in roll.groups) && !('staff' in roll.groups), JSON.stringify(roll.groups));
  // a new response is analysed with the new taxonomy too
  status(await call(ctx.base, 'POST', '/api/v1/responses', { key: ctx.a.keys.owner,
    json: [{ id: 'after', external_id: 'cAfter', channel: 'web', answers: { nps: 9 }, comment: 'Buen café', ts: '2026-03-21T12:00:00Z' }] }), 202);
  eq((await byDim(ctx, 'theme')).groups.coffee.n, 3);
  // POST /api/v1/text/analyze finds the tenant's themes too; tenant B's the default ones
  const an = await call(ctx.base, 'POST', '/api/v1/text/analyze', { key: ctx.a.keys.analyst, json: { text: 'Buen café, envío rápido' } });
  status(an, 200);
  eq(an.json.themes, ['coffee', 'delivery']);
  const bn = await call(ctx.base, 'POST', '/api/v1/text/analyze', { key: ctx.b.keys.analyst, json: { text: 'Buen café, envío rápido' } });
  ok(!bn.json.themes.includes('coffee') && bn.json.themes.includes('delivery'), JSON.stringify(bn.json.themes));
  // tenant B still has the default taxonomy
  const bt = (await get(ctx, '/api/v1/settings/themes', ctx.b.keys.analyst)).json;
  ok(bt.themes.length > 2);
});

run(setup, async (ctx) => { await ctx.srv.stop(); });
