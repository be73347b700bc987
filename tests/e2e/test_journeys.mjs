// test_journeys.mjs - customer journeys over HTTP and the CLI: create, read,
// list (pages), update (versions), archive; every bad definition is a 422
// naming its field; roles; `cxm journey add|list|show|archive` with
// FILE:LINE: field: reason.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { call, cxm, eq, ok, run, startServer, status, test, testDb, testStopsCleanly, TMP } from './lib.mjs';

const T = `jr-${process.pid}${Date.now() % 100000}`;
const T2 = `jr2-${process.pid}${Date.now() % 100000}`;

// A small retail journey: ad click -> product page -> purchase -> delivery.
const JOURNEY = {
  name: 'Compra online',
  conversion_window: '7d',
  stages: [
    { key: 'descubrimiento', name: 'Descubrimiento', phase: 'before',
      touchpoints: [{ key: 'anuncios', match: { type: 'ad_click' } }] },
    { key: 'consideracion', name: 'Consideración', phase: 'before',
      touchpoints: [{ key: 'producto', match: { type: 'page_view', touchpoint: 'product_page' } }] },
    { key: 'compra', name: 'Compra', phase: 'during',
      touchpoints: [{ key: 'checkout', match: { type: 'purchase', touchpoint: 'checkout' } }] },
    { key: 'entrega', name: 'Entrega', phase: 'after',
      touchpoints: [{ key: 'entregado', match: { type: 'delivery' }, feedback: ['delivery'] }] },
  ],
};

async function setup() {
  const db = testDb('journeys');
  const srv = await startServer(db, ['--quiet']);
  cxm(db, ['tenant', 'create', T, '--language', 'en']);
  cxm(db, ['tenant', 'create', T2, '--language', 'en']);
  const keys = {};
  for (const role of ['owner', 'admin', 'analyst', 'manager', 'agent', 'viewer'])
    keys[role] = cxm(db, ['key', 'create', '--role', role, '--tenant', T]).trim();
  const other = cxm(db, ['key', 'create', '--role', 'admin', '--tenant', T2]).trim();
  return { db, srv, base: srv.url, key: keys.admin, keys, other };
}

const post = (ctx, json, key = ctx.key) => call(ctx.base, 'POST', '/api/v1/journeys', { key, json });
const get = (ctx, path, key = ctx.key) => call(ctx.base, 'GET', path, { key });

test('create, read, update and archive a journey', async (ctx) => {
  const r = await post(ctx, JOURNEY);
  status(r, 201, 'create');
  const j = r.json;
  ok(/^\d+$/.test(j.id), `id ${j.id}`);
  eq(r.headers.get('location'), `/api/v1/journeys/${j.id}`);
  eq([j.name, j.status, j.version], ['Compra online', 'active', 1]);
  ok(j.rebuilding === null || typeof j.rebuilding.done === 'number', `rebuilding ${JSON.stringify(j.rebuilding)}`);
  // the canonical definition: defaults filled in, keys in a fixed order
  const d = j.definition;
  eq(Object.keys(d), ['name', 'conversion_window', 'stages']);
  eq(d.conversion_window, '7d');
  eq(d.stages[0].touchpoints[0], { key: 'anuncios', name: 'anuncios', match: { type: 'ad_click' }, feedback: [] });
  eq(d.stages[1].touchpoints[0].match.touchpoint, ['product_page']);
  eq(d.stages[1].touchpoints[0].feedback, ['product_page']);
  eq(d.stages[0].next, ['consideracion']);
  eq(d.stages[3].next, []);
  eq(d.stages[3].touchpoints[0].feedback, ['delivery']);

  const g = await get(ctx, `/api/v1/journeys/${j.id}`);
  status(g, 200);
  eq(g.json.definition, d, 'GET gives what POST stored');

  // the same name again is a conflict naming the name
  const dup = await post(ctx, JOURNEY);
  status(dup, 409);
  eq(dup.json.errors[0].field, 'name');

  // PUT: a new version
  const v2 = { ...JOURNEY, conversion_window: '14d' };
  const u = await call(ctx.base, 'PUT', `/api/v1/journeys/${j.id}`, { key: ctx.key, json: v2 });
  status(u, 200, 'update');
  eq([u.json.version, u.json.definition.conversion_window], [2, '14d']);
  status(await call(ctx.base, 'PUT', '/api/v1/journeys/999999', { key: ctx.key, json: v2 }), 404);
  status(await call(ctx.base, 'PUT', `/api/v1/journeys/${j.id}`, { key: ctx.key, json: { name: 'x', stages: [] } }), 422);
  eq((await get(ctx, `/api/v1/journeys/${j.id}`)).json.version, 2, 'a refused PUT changes nothing');

  // another tenant sees none of it
  status(await get(ctx, `/api/v1/journeys/${j.id}`, ctx.other), 404);
  eq((await get(ctx, '/api/v1/journeys', ctx.other)).json.items, []);

  // pages
  const second = await post(ctx, { ...JOURNEY, name: 'Postventa', stages: [JOURNEY.stages[3]] });
  status(second, 201);
  const p1 = await get(ctx, '/api/v1/journeys?limit=1');
  status(p1, 200);
  eq(p1.json.items.map((x) => x.id), [j.id]);
  ok(p1.json.next_cursor, 'a next page');
  const p2 = await get(ctx, `/api/v1/journeys?limit=1&cursor=${p1.json.next_cursor}`);
  eq(p2.json.items.map((x) => x.id), [second.json.id]);
  status(await get(ctx, '/api/v1/journeys?limit=0'), 400);
  status(await get(ctx, '/api/v1/journeys?cursor=abc'), 400);
  const bad = await get(ctx, '/api/v1/journeys?status=gone');
  status(bad, 400);
  eq(bad.json.errors[0].field, 'status');

  // archive: gone from the list, still readable, listed with status=all
  status(await call(ctx.base, 'DELETE', `/api/v1/journeys/${second.json.id}`, { key: ctx.key }), 204);
  // again: idempotent, and only the first is audited
  status(await call(ctx.base, 'DELETE', `/api/v1/journeys/${second.json.id}`, { key: ctx.key }), 204, 'archive twice');
  eq((await get(ctx, '/api/v1/journeys')).json.items.map((x) => x.id), [j.id]);
  const all = (await get(ctx, '/api/v1/journeys?status=all')).json.items;
  eq(all.map((x) => [x.id, x.status]), [[j.id, 'active'], [second.json.id, 'archived']]);
  status(await call(ctx.base, 'DELETE', '/api/v1/journeys/999999', { key: ctx.key }), 404);
  status(await call(ctx.base, 'DELETE', '/api/v1/journeys/abc', { key: ctx.key }), 404);

  // every change is in the audit log
  const audit = (await get(ctx, '/api/v1/audit?limit=50')).json.items.map((x) => `${x.action} ${x.target}`);
  for (const want of [`journey.create ${j.id}`, `journey.update ${j.id}`, `journey.archive ${second.json.id}`])
    ok(audit.includes(want), `audit has ${want}: ${audit}`);
  eq(audit.filter((x) => x === `journey.archive ${second.json.id}`).length, 1, 'one archive audited');
  ctx.journey = j.id;
});

test('bad definitions: 422 naming the field and the reason', async (ctx) => {
  const tp = (match, key = 't') => ({ key, match });
  const stage = (key, touchpoints, extra = {}) => ({ key, phase: 'during', touchpoints, ...extra });
  const many = Array.from({ length: 17 }, (_, i) => stage(`s${i}`, [tp({ type: `e${i}` }, `t${i}`)]));
  const cases = [
    [{ name: 'j' }, 'stages', /1 to 16 stages/],
    [{ name: 'j', stages: [] }, 'stages', /1 to 16 stages/],
    [{ name: 'j', stages: many }, 'stages', /1 to 16 stages/],
    [{ name: 'j', stages: [stage('a', [tp({ type: 'x' })]), stage('a', [tp({ type: 'y' }, 'u')])] }, 'stages[1].key', /already a stage/],
    [{ name: 'j', stages: [{ key: 'a', phase: 'soon', touchpoints: [tp({ type: 'x' })] }] }, 'stages[0].phase', /before, during or after/],
    [{ name: 'j', stages: [stage('a', [tp({ type: 'x' })]), stage('uso', [])] }, 'stages[1].touchpoints', /no event can reach it/],
    [{ name: 'j', stages: [stage('a', [tp({ channel: 'web' })])] }, 'stages[0].touchpoints[0].match.type', /required/],
    [{ name: 'j', stages: [stage('a', [tp({ type: 'x', channel: 'fax' })])] }, 'stages[0].touchpoints[0].match.channel', /./],
    [{ name: 'j', stages: [stage('a', [tp({ type: 'call' }), tp({ type: 'call' }, 'u')])] }, 'stages[0].touchpoints[1].match', /overlaps 'a \/ t'/],
    [{ name: 'j', stages: [stage('a', [tp({ type: 'x' })], { next: ['entrgea'] })] }, 'stages[0].next[0]', /no stage 'entrgea'/],
    [{ name: 'j', stages: [stage('a', [tp({ type: 'x' })], { next: ['b'] }), stage('b', [tp({ type: 'y' }, 'u')], { next: ['a'] })] },
      'stages[1].next[0]', /cycle/],
    [{ name: 'j', conversion_window: '30m', stages: [stage('a', [tp({ type: 'x' })])] }, 'conversion_window', /from 1h to 365d/],
    [{ name: 'j', conversion_window: '366d', stages: [stage('a', [tp({ type: 'x' })])] }, 'conversion_window', /from 1h to 365d/],
    [{ name: 'j', colour: 'red', stages: [stage('a', [tp({ type: 'x' })])] }, 'colour', /unknown field/],
  ];
  for (const [body, field, why] of cases) {
    const r = await post(ctx, body);
    status(r, 422, JSON.stringify(body).slice(0, 200));
    eq(r.headers.get('content-type'), 'application/problem+json');
    const e = r.json.errors.find((x) => x.field === field);
    ok(e && why.test(e.message), `${field}: ${r.text}`);
  }
  // not JSON, not an object
  status(await call(ctx.base, 'POST', '/api/v1/journeys', { key: ctx.key, body: '{"name":', type: 'application/json' }), 400);
  status(await post(ctx, [1, 2]), 422);
  // nothing was stored
  eq((await get(ctx, '/api/v1/journeys')).json.items.length, 1);
});

test('roles: tenant-wide roles write, every role reads', async (ctx) => {
  for (const role of ['manager', 'agent', 'viewer']) {
    status(await post(ctx, { ...JOURNEY, name: `by ${role}` }, ctx.keys[role]), 403, role);
    status(await call(ctx.base, 'PUT', `/api/v1/journeys/${ctx.journey}`, { key: ctx.keys[role], json: JOURNEY }), 403, role);
    status(await call(ctx.base, 'DELETE', `/api/v1/journeys/${ctx.journey}`, { key: ctx.keys[role] }), 403, role);
    status(await get(ctx, '/api/v1/journeys', ctx.keys[role]), 200, role);
    status(await get(ctx, `/api/v1/journeys/${ctx.journey}`, ctx.keys[role]), 200, role);
  }
  const r = await post(ctx, { ...JOURNEY, name: 'by analyst' }, ctx.keys.analyst);
  status(r, 201, 'analyst');
  status(await call(ctx.base, 'DELETE', `/api/v1/journeys/${r.json.id}`, { key: ctx.keys.owner }), 204, 'owner');
  status(await call(ctx.base, 'GET', '/api/v1/journeys'), 401, 'no key');
});

test('cxm journey add, list, show and archive; a bad file names its line', async (ctx) => {
  const file = join(TMP, `journey-${process.pid}.json`);
  const def = { ...JOURNEY, name: 'Desde la CLI' };
  writeFileSync(file, JSON.stringify(def, null, 2));
  const id = cxm(ctx.db, ['journey', 'add', file, '--tenant', T]).trim();
  ok(/^\d+$/.test(id), `id ${id}`);
  // the API sees it
  const g = await get(ctx, `/api/v1/journeys/${id}`);
  status(g, 200);
  eq([g.json.name, g.json.version], ['Desde la CLI', 1]);
  // the same file again changes nothing; a changed one is version 2
  eq(cxm(ctx.db, ['journey', 'add', file, '--tenant', T]).trim(), id);
  eq((await get(ctx, `/api/v1/journeys/${id}`)).json.version, 1);
  writeFileSync(file, JSON.stringify({ ...def, conversion_window: '3d' }, null, 2));
  eq(cxm(ctx.db, ['journey', 'add', file, '--tenant', T]).trim(), id);
  eq((await get(ctx, `/api/v1/journeys/${id}`)).json.version, 2);

  const list = cxm(ctx.db, ['journey', 'list', '--tenant', T]);
  ok(list.includes(`${id}\tDesde la CLI\tactive\t2\t`), list);
  // show prints the canonical definition, which add reads back
  const shown = JSON.parse(cxm(ctx.db, ['journey', 'show', 'Desde la CLI', '--tenant', T]));
  eq(shown.conversion_window, '3d');
  eq(shown.stages[1].touchpoints[0].feedback, ['product_page']);
  eq(JSON.parse(cxm(ctx.db, ['journey', 'show', id, '--tenant', T])), shown);

  // a bad file: FILE:LINE: field: reason, with the line of the field
  const badDef = JSON.parse(JSON.stringify(def));
  badDef.name = 'Mala';
  delete badDef.stages[2].touchpoints[0].match.type;
  const text = JSON.stringify(badDef, null, 2);
  writeFileSync(file, text);
  const line = text.split('\n').findIndex((l) => l.includes('"touchpoint": "checkout"')) + 1;
  let err = '';
  try { cxm(ctx.db, ['journey', 'add', file, '--tenant', T]); } catch (e) { err = e.message; }
  // no "type" in the file: the line of the match object that lacks it
  ok(err.includes(`${file}:${line - 1}: stages[2].touchpoints[0].match.type: is required`), `line ${line - 1}: ${err}`);
  // a cycle points at the next entry
  const cyc = JSON.parse(JSON.stringify(def));
  cyc.name = 'Ciclo';
  cyc.stages[3].next = ['compra'];
  const ctext = JSON.stringify(cyc, null, 2);
  writeFileSync(file, ctext);
  const cline = ctext.split('\n').findIndex((l) => l.includes('"next"')) + 2;
  err = '';
  try { cxm(ctx.db, ['journey', 'add', file, '--tenant', T]); } catch (e) { err = e.message; }
  ok(err.includes(`${file}:${cline}: stages[3].next[0]: `) && /cycle/.test(err), `line ${cline}: ${err}`);
  err = '';
  try { cxm(ctx.db, ['journey', 'show', 'nadie', '--tenant', T]); } catch (e) { err = e.message; }
  ok(/no journey named or numbered 'nadie'/.test(err), err);

  cxm(ctx.db, ['journey', 'archive', 'Desde la CLI', '--tenant', T]);
  eq((await get(ctx, `/api/v1/journeys/${id}`)).json.status, 'archived');
  ok(!cxm(ctx.db, ['journey', 'list', '--tenant', T]).includes(id), 'archived: not listed');
  ok(cxm(ctx.db, ['journey', 'list', '--all', '--tenant', T]).includes(`${id}\tDesde la CLI\tarchived`), 'listed with --all');
});

test('funnels and paths: bad input names the field or the parameter', async (ctx) => {
  const ev = (type, extra = {}) => ({ event: { type, ...extra } });
  const twentyOne = Array.from({ length: 21 }, (_, i) => ev(`e${i}`));
  const cases = [
    [{}, 'steps', /1 to 20 steps/],
    [{ steps: [] }, 'steps', /1 to 20 steps/],
    [{ steps: twentyOne }, 'steps', /1 to 20 steps/],
    [{ steps: [ev('a'), {}] }, 'steps[1]', /a step is/],
    [{ steps: [ev('a'), { ...ev('b'), journey: ctx.journey, stage: 'compra' }] }, 'steps[1]', /a step is/],
    [{ steps: [{ event: { channel: 'web' } }] }, 'steps[0].event.type', /required/],
    [{ steps: [ev('a', { properties: { sku: 'x' } })] }, 'steps[0].event.properties', /journey touchpoint/],
    [{ steps: [{ journey: '999999', stage: 'compra' }] }, 'steps[0].journey', /no such active journey/],
    [{ steps: [{ journey: ctx.journey, stage: 'comprar' }] }, 'steps[0].stage', /no stage 'comprar'/],
    [{ steps: [{ journey: ctx.journey, touchpoint: 'nada' }] }, 'steps[0].touchpoint', /no touchpoint 'nada'/],
    [{ steps: [{ journey: ctx.journey, stage: 'compra', touchpoint: 'checkout' }] }, 'steps[0].stage', /either a stage or a touchpoint/],
    [{ steps: [ev('a')], window: '30s' }, 'window', /from 1m to 365d/],
    [{ steps: [ev('a')], window: '366d' }, 'window', /from 1m to 365d/],
    [{ steps: [ev('a')], from: '2026-03-01', to: '2026-02-01' }, 'to', /after from/],
    [{ steps: [ev('a')], from: '2020-01-01', to: '2026-01-01' }, 'from', /two years/],
    [{ steps: [ev('a')], from: 'yesterday' }, 'from', /YYYY-MM-DD/],
    [{ steps: [ev('a')], from: '2026-02-31' }, 'from', /YYYY-MM-DD/],
    [{ steps: [ev('a')], from: '2026-01-01', to: '2026-04-31' }, 'to', /YYYY-MM-DD/],
    [{ steps: [ev('a')], by: 'colour' }, 'by', /none, segment, week or month/],
    [{ steps: [ev('a')], save: true }, 'save', /unknown field/],
  ];
  for (const [body, field, why] of cases) {
    const r = await call(ctx.base, 'POST', '/api/v1/funnels', { key: ctx.keys.viewer, json: body });
    status(r, 422, JSON.stringify(body).slice(0, 200));
    const e = r.json.errors.find((x) => x.field === field);
    ok(e && why.test(e.message), `${field}: ${r.text}`);
  }
  // a valid funnel over nothing: zeros, and a warning for a step never recorded
  const r = await call(ctx.base, 'POST', '/api/v1/funnels', { key: ctx.keys.viewer, json: { steps: [ev('nunca_visto')], window: '7d' } });
  status(r, 200);
  eq(r.json.steps.map((x) => x.reached), [0]);
  eq(r.json.warnings.map((w) => w.field), ['steps[0]']);
  // grouped, over nobody: no groups (and no sanitizer report under ASan)
  const rg = await call(ctx.base, 'POST', '/api/v1/funnels', { key: ctx.keys.viewer, json: { steps: [ev('nunca_visto')], by: 'segment' } });
  status(rg, 200);
  eq(rg.json.groups, []);

  const paths = [
    ['', 'start', /required/],
    ['?start=compra', 'start', /event:TYPE/],
    ['?start=journey:compra', 'start', /event:TYPE/],
    [`?start=journey:nada&journey=${ctx.journey}`, 'start', /event:TYPE/],
    ['?start=event:purchase&level=stage', 'journey', /required/],
    ['?start=event:purchase&level=sideways', 'level', /event, stage or touchpoint/],
    ['?start=event:purchase&journey=999999', 'journey', /no such active journey/],
    ['?start=event:purchase&max_steps=11', 'max_steps', /1 to 10/],
    ['?start=event:purchase&top=0', 'top', /1 to 100/],
    ['?start=event:purchase&window=1y', 'window', /1m to 365d/],
    ['?start=event:purchase&from=2026-03-01&to=2026-02-01', 'to', /after from/],
    ['?start=event:purchase&from=2026-02-31', 'from', /YYYY-MM-DD/],
    ['?start=event:purchase&colour=red', 'colour', /./],
  ];
  for (const [q, param, why] of paths) {
    const g = await get(ctx, `/api/v1/paths${q}`, ctx.keys.agent);
    status(g, 400, q);
    const e = g.json.errors.find((x) => x.field === param);
    ok(e && why.test(e.message), `${q}: ${g.text}`);
  }
  const g = await get(ctx, `/api/v1/paths?start=journey:compra&journey=${ctx.journey}&level=stage`, ctx.keys.agent);
  status(g, 200);
  eq([g.json.customers, g.json.sequences, g.json.level], [0, [], 'stage']);
});

// Events through the API, some days late, out of order and repeated; the
// map, a funnel and paths over them equal what is computed by hand here.
// Times are whole days before now, so entry days are exact in any zone.
const DAY = 86400 * 1000;
const NOW = Date.now();
const ago = (d) => new Date(NOW - d * DAY).toISOString();
const ev = (id, customer, type, touchpoint, d) => ({ id, external_id: customer, type, channel: 'web', touchpoint, ts: ago(d) });

test('the map, a funnel and paths over events late, out of order and repeated', async (ctx) => {
  // a journey built by the CLI (so it tracks from the first event on)
  const file = join(TMP, `flow-${process.pid}.json`);
  const def = JSON.parse(JSON.stringify(JOURNEY));
  def.name = 'Flujo';
  def.stages[0].touchpoints[0].match.touchpoint = 'banner';
  writeFileSync(file, JSON.stringify(def));
  const id = cxm(ctx.db, ['journey', 'add', file, '--tenant', T]).trim();
  ctx.flow = id;
  const post = async (items) => status(await call(ctx.base, 'POST', '/api/v1/events', { key: ctx.key, json: items }), 202);
  // c1 goes all the way, but delivery comes 8 days after the purchase (window 7d)
  await post([ev('1a', 'c1', 'ad_click', 'banner', 30), ev('1b', 'c1', 'page_view', 'product_page', 29),
    ev('1c', 'c1', 'purchase', 'checkout', 28), ev('1d', 'c1', 'delivery', 'courier', 20)]);
  // c2 clicks once and leaves
  await post([ev('2a', 'c2', 'ad_click', 'banner', 25)]);
  // c3 is recent: converted from A, still in progress at B
  await post([ev('3a', 'c3', 'ad_click', 'banner', 3), ev('3b', 'c3', 'page_view', 'product_page', 2)]);
  // c4: the purchase arrives first, the page view and the click days later, the purchase twice
  await post([ev('4c', 'c4', 'purchase', 'checkout', 15)]);
  await post([ev('4b', 'c4', 'page_view', 'product_page', 16)]);
  await post([ev('4a', 'c4', 'ad_click', 'banner', 17), ev('4c', 'c4', 'purchase', 'checkout', 15)]);
  // c5 clicks twice 30 days apart; the page view is 31 days after the first click
  await post([ev('5b', 'c5', 'page_view', 'product_page', 9), ev('5a', 'c5', 'ad_click', 'banner', 40),
    ev('5a2', 'c5', 'ad_click', 'banner', 10)]);
  // an event no rule matches
  await post([ev('6x', 'c6', 'call', 'ivr', 5)]);

  const r = await get(ctx, `/api/v1/journeys/${id}/map`);
  status(r, 200);
  const m = r.json;
  eq([m.journey.id, m.journey.version, m.journey.built_version, m.rebuilding, m.segment], [id, 1, 1, null, null]);
  eq(m.scope, { flow: 'tenant', scores: 'tenant', moments: 'tenant' });
  // too few answers for moments of truth: none, and why
  eq([m.moments_of_truth, m.moments.found, m.stages.some((x) => x.moment_of_truth)], [[], false, false]);
  ok(m.moments.reason.length > 0, JSON.stringify(m.moments));
  const pick = (x) => [x.reached, x.converted, x.dropped, x.in_progress, x.completed];
  // by hand: A reached by c1..c5, converted c1 c3 c4; mature (over 7 days) c1 c2 c4 c5, of which c1 c4 converted
  eq(pick(m.stages[0]), [5, 3, 2, 0, null], 'descubrimiento');
  eq([m.stages[0].conversion.value, m.stages[0].conversion.n], [50, 4]);
  // B: c1 c3 c4 c5; converted c1 c4; c3 in progress; c5 dropped
  eq(pick(m.stages[1]), [4, 2, 1, 1, null], 'consideracion');
  // C: c1 (delivery 8 days later: too late) and c4 (no delivery): both dropped
  eq(pick(m.stages[2]), [2, 0, 2, 0, null], 'compra');
  eq(m.stages[2].conversion.value, 0);
  // D: final
  eq(pick(m.stages[3]), [1, null, null, null, 1], 'entrega');
  eq([m.stages[3].final, m.stages[3].conversion, m.stages[3].time_in_stage], [true, null, null]);
  // touchpoints: one per stage here, so the same counts
  for (const st of m.stages) eq(pick(st.touchpoints[0]), pick(st), st.key);
  // time in stage A: c1, c3, c4 each a day (bucketed: at most 30% off)
  const p50 = m.stages[0].time_in_stage.p50_s;
  ok(Math.abs(p50 - 86400) <= 0.3 * 86400 && m.stages[0].time_in_stage.approx, `p50 ${p50}`);
  // no responses yet: no scores, no friction (fewer than 30 of anything)
  eq([m.stages[3].nps.n, m.stages[3].nps.score, m.stages[3].friction, m.stages[3].feeling], [0, null, null, null]);

  // a segment nobody is in: zeros; a bad segment or range: 400
  const seg = await get(ctx, `/api/v1/journeys/${id}/map?segment=vip`);
  status(seg, 200);
  eq(seg.json.stages.map((x) => x.reached), [0, 0, 0, 0]);
  // as long a segment as a customer can have
  const longSeg = 'ñ'.repeat(400);
  const segLong = await get(ctx, `/api/v1/journeys/${id}/map?segment=${encodeURIComponent(longSeg)}`);
  status(segLong, 200);
  eq([segLong.json.segment, segLong.json.stages[0].reached], [longSeg, 0]);
  for (const [q, field] of [['segment=', 'segment'], ['from=2026-13-01', 'from'], ['from=2026-02-31', 'from'], ['from=2026-03-02&to=2026-03-01', 'to']]) {
    const b = await get(ctx, `/api/v1/journeys/${id}/map?${q}`);
    status(b, 400, q);
    eq(b.json.errors[0].field, field);
  }
  status(await get(ctx, '/api/v1/journeys/999999/map'), 404);
  // a range that ends before anyone entered
  const old = await get(ctx, `/api/v1/journeys/${id}/map?from=2020-01-01&to=2020-02-01`);
  eq(old.json.stages.map((x) => x.reached), [0, 0, 0, 0]);

  // managers: flow tenant-wide, scores of their subtree
  const mg = await get(ctx, `/api/v1/journeys/${id}/map`, ctx.keys.manager);
  status(mg, 200);
  eq(mg.json.scope, { flow: 'tenant', scores: 'subtree', moments: 'subtree' });
  eq(mg.json.stages.map((x) => x.reached), m.stages.map((x) => x.reached));

  // the funnel: anchored at each customer's first click (c5's is 40 days ago)
  const steps = [{ event: { type: 'ad_click' } }, { event: { type: 'page_view', touchpoint: 'product_page' } },
    { event: { type: 'purchase', channel: 'web', touchpoint: 'checkout' } }];
  const f = await call(ctx.base, 'POST', '/api/v1/funnels', { key: ctx.keys.viewer, json: { steps, window: '7d', from: ago(60), to: ago(-1) } });
  status(f, 200);
  eq(f.json.steps.map((x) => x.reached), [5, 3, 2]);
  eq(f.json.steps.map((x) => x.dropped), [null, 2, 1]);
  eq([f.json.steps[1].conversion.value, f.json.steps[2].conversion_from_first.value], [60, 40]);
  eq([f.json.time_to_convert.customers, f.json.time_to_convert.p50_s, f.json.time_to_convert.p90_s], [2, 172800, 172800]);
  eq(f.json.warnings, []);
  // the same over journey stages, and a step never recorded warns
  const fs = await call(ctx.base, 'POST', '/api/v1/funnels', { key: ctx.key, json: { window: '7d', from: ago(60), steps: [
    { journey: id, stage: 'descubrimiento' }, { journey: id, touchpoint: 'producto' }, { journey: id, stage: 'compra' },
    { event: { type: 'delivery', touchpoint: 'couier' } }] } });
  status(fs, 200);
  eq(fs.json.steps.map((x) => x.reached), [5, 3, 2, 0]);
  eq(fs.json.steps.map((x) => x.label), ['Descubrimiento', 'Consideración / producto', 'Compra', 'delivery/couier']);
  eq(fs.json.warnings.map((w) => w.field), ['steps[3]']);
  // by week: the groups add up to the whole
  const fw = await call(ctx.base, 'POST', '/api/v1/funnels', { key: ctx.key, json: { steps, window: '7d', from: ago(60), by: 'week' } });
  status(fw, 200);
  eq(fw.json.groups.reduce((n, g) => n + g.steps[0].reached, 0), 5);

  // paths after the click, by event, within 7 days
  const p = await get(ctx, '/api/v1/paths?start=event:ad_click&window=7d&from=' + encodeURIComponent(ago(60)), ctx.keys.agent);
  status(p, 200);
  eq(p.json.customers, 5);
  const bySeq = (json) => json.sequences.map((x) => [x.labels.join(' > '), x.customers]).sort();
  eq(bySeq(p.json), Object.entries({
    'ad_click/banner > page_view/product_page > purchase/checkout > (left)': 2,
    'ad_click/banner > (left)': 2,
    'ad_click/banner > page_view/product_page > (left)': 1,
  }).sort());
  // Sankey: the first node holds everyone; what reaches depth 1 is what did not leave at once
  const first = p.json.nodes.find((n) => n.depth === 0);
  eq([first.label, first.customers, first.left], ['ad_click/banner', 5, 2]);
  const pv = p.json.links.find((l) => p.json.nodes[l.from].depth === 0 && p.json.nodes[l.to].label === 'page_view/product_page');
  eq([pv.customers, pv.median_s], [3, 86400]);
  // by stage of the journey, ending at Compra
  const ps = await get(ctx, `/api/v1/paths?start=journey:descubrimiento&end=journey:compra&level=stage&journey=${id}&window=7d&from=${encodeURIComponent(ago(60))}`);
  status(ps, 200);
  eq(bySeq(ps.json), Object.entries({
    'Descubrimiento > Consideración > (end)': 2,
    'Descubrimiento > (left)': 2,
    'Descubrimiento > Consideración > (left)': 1,
  }).sort());
});

test('a touchpoint in detail: its scores, comments and verbatims', async (ctx) => {
  const sv = (await call(ctx.base, 'POST', '/api/v1/surveys', { key: ctx.key, json: { name: 'Entrega', languages: ['es'],
    questions: [{ id: 'nps', type: 'nps', text: { es: '¿Nos recomendaría?' } }] } })).json;
  status(await call(ctx.base, 'POST', `/api/v1/surveys/${sv.id}/status`, { key: ctx.key, json: { status: 'live' } }), 200);
  const resp = (id, nps, comment, touchpoint = 'delivery') => ({ id, survey: sv.id, external_id: 'c1', channel: 'email', touchpoint,
    ts: ago(1), answers: { nps }, comment });
  status(await call(ctx.base, 'POST', '/api/v1/responses', { key: ctx.key, json: [
    resp('r1', 10, 'Excelente entrega, muy rápida y el repartidor muy amable'),
    resp('r2', 2, 'Llegó tarde y la caja venía rota, pésimo servicio'),
    resp('r3', 9, 'Todo bien en la tienda', 'store')] }), 202);
  const t = await get(ctx, `/api/v1/journeys/${ctx.flow}/touchpoints/entregado`);
  status(t, 200);
  eq([t.json.stage.key, t.json.touchpoint.key, t.json.touchpoint.feedback], ['entrega', 'entregado', ['delivery']]);
  // the two delivery responses, not the store one
  eq([t.json.touchpoint.nps.n, t.json.touchpoint.nps.score], [2, 0]);
  eq(t.json.touchpoint.sentiment.comments, 2);
  const s = t.json.touchpoint.sentiment;
  eq(s.positive + s.neutral + s.negative, 2);
  eq(t.json.verbatims.items.map((x) => x.touchpoint), ['delivery', 'delivery']);
  ok(t.json.verbatims.items.every((x) => x.comment.length > 0), 'comments shown');
  // pages of verbatims, and the stage.touchpoint form of the key
  const p1 = await get(ctx, `/api/v1/journeys/${ctx.flow}/touchpoints/entrega.entregado?limit=1`);
  status(p1, 200);
  eq(p1.json.verbatims.items.length, 1);
  const p2 = await get(ctx, `/api/v1/journeys/${ctx.flow}/touchpoints/entrega.entregado?limit=1&cursor=${p1.json.verbatims.next_cursor}`);
  eq(p2.json.verbatims.items.length, 1);
  ok(p1.json.verbatims.items[0].response_id !== p2.json.verbatims.items[0].response_id, 'two pages, two verbatims');
  status(await get(ctx, `/api/v1/journeys/${ctx.flow}/touchpoints/nada`), 404);
  status(await get(ctx, `/api/v1/journeys/${ctx.flow}/touchpoints/compra.entregado`), 404);
  // the map sums them in the stage too
  const m = (await get(ctx, `/api/v1/journeys/${ctx.flow}/map`)).json;
  eq([m.stages[3].nps.n, m.stages[3].sentiment.comments, m.stages[0].nps.n], [2, 2, 0]);
  ok(m.stages[3].feeling && m.stages[3].feeling.value >= -1 && m.stages[3].feeling.value <= 1, JSON.stringify(m.stages[3].feeling));
});

test('cxm report journey, funnel and paths print what the API answers', async (ctx) => {
  const out = cxm(ctx.db, ['report', 'journey', '--journey', 'Flujo', '--tenant', T, '--format', 'csv']);
  const rows = out.trim().split('\n').map((l) => l.split(','));
  eq(rows[0].slice(0, 6), ['stage', 'touchpoint', 'reached', 'converted', 'dropped', 'in_progress']);
  eq(rows.filter((x) => x[1] === '').map((x) => x.slice(0, 6)), [
    ['descubrimiento', '', '5', '3', '2', '0'], ['consideracion', '', '4', '2', '1', '1'],
    ['compra', '', '2', '0', '2', '0'], ['entrega', '', '1', '', '', '']]);
  const json = JSON.parse(cxm(ctx.db, ['report', 'journey', '--journey', ctx.flow, '--tenant', T, '--format', 'json']));
  eq(json.stages.map((x) => x.reached), [5, 4, 2, 1]);

  // the funnel and the paths of the API, from the CLI
  const fcsv = cxm(ctx.db, ['report', 'funnel', '--steps', 'event:ad_click,event:page_view/product_page,stage:compra',
    '--journey', 'Flujo', '--window', '7d', '--from', ago(60), '--tenant', T, '--format', 'csv']).trim().split('\n');
  eq(fcsv[0], 'step,label,reached,conversion,conversion_from_first,dropped');
  eq(fcsv.slice(1).map((l) => l.split(',').slice(0, 3)), [['1', 'ad_click', '5'], ['2', 'page_view/product_page', '3'], ['3', 'Compra', '2']]);
  const fj = JSON.parse(cxm(ctx.db, ['report', 'funnel', '--steps', 'event:ad_click,event:page_view/product_page', '--window', '7d',
    '--from', ago(60), '--tenant', T, '--format', 'json']));
  eq(fj.steps.map((x) => x.reached), [5, 3]);
  let err = '';
  try { cxm(ctx.db, ['report', 'funnel', '--steps', 'event:ad_click', '--window', '9y', '--tenant', T]); } catch (e) { err = e.message; }
  ok(/window: from 1m to 365d/.test(err), err);
  err = '';
  try { cxm(ctx.db, ['report', 'funnel', '--steps', 'stage:compra', '--tenant', T]); } catch (e) { err = e.message; }
  ok(/--steps: a step is/.test(err), err);
  const pcsv = cxm(ctx.db, ['report', 'paths', '--start', 'journey:descubrimiento', '--end', 'journey:compra', '--level', 'stage',
    '--journey', 'Flujo', '--window', '7d', '--from', ago(60), '--tenant', T, '--format', 'csv']).trim().split('\n');
  eq(pcsv[0], 'customers,path');
  eq(pcsv.slice(1).sort(), ['1,Descubrimiento > Consideración > (left)', '2,Descubrimiento > (left)', '2,Descubrimiento > Consideración > (end)'].sort());
  err = '';
  try { cxm(ctx.db, ['report', 'paths', '--start', 'event:ad_click', '--max-steps', '99', '--tenant', T]); } catch (e) { err = e.message; }
  ok(/--max-steps: must be a whole number from 1 to 10/.test(err), err);
});

// Review fixes (journey-api-fix).
test('funnel groups: whole long segments, no segment and the rest are flags, not keys', async (ctx) => {
  const longSeg = 'ñ'.repeat(400);   // 800 bytes
  const people = [['g1', longSeg], ['g2', longSeg], ['g3', 'other'], ['g4', '(none)'], ['g5', null]];
  for (const [x, segment] of people) {
    const json = { external_id: x, attributes: segment ? { segment } : {} };
    ok([200, 201].includes((await call(ctx.base, 'POST', '/api/v1/customers', { key: ctx.key, json })).status), x);
  }
  status(await call(ctx.base, 'POST', '/api/v1/events', { key: ctx.key, json: people.map(([x], i) =>
    ({ id: `gk${i}`, external_id: x, type: 'grouped_click', channel: 'web', touchpoint: 'banner', ts: ago(2) })) }), 202);
  const f = await call(ctx.base, 'POST', '/api/v1/funnels', { key: ctx.keys.viewer, json: {
    steps: [{ event: { type: 'grouped_click' } }], from: ago(5), by: 'segment' } });
  status(f, 200);
  const groups = f.json.groups.map((g) => [g.key, g.other, g.steps[0].reached]);
  eq(groups, [[longSeg, false, 2], [null, false, 1], ['(none)', false, 1], ['other', false, 1]]);
});

test('the touchpoint drill-down honours ?segment= for its verbatims too', async (ctx) => {
  const sv = (await call(ctx.base, 'POST', '/api/v1/surveys', { key: ctx.key, json: { name: 'Entrega por segmento', languages: ['es'],
    questions: [{ id: 'nps', type: 'nps', text: { es: '¿Nos recomendaría?' } }] } })).json;
  status(await call(ctx.base, 'POST', `/api/v1/surveys/${sv.id}/status`, { key: ctx.key, json: { status: 'live' } }), 200);
  status(await call(ctx.base, 'POST', '/api/v1/responses', { key: ctx.key, json: [
    { id: 'sg1', survey: sv.id, external_id: 'g3', channel: 'email', touchpoint: 'delivery', ts: ago(1), answers: { nps: 7 },
      comment: 'La entrega fue correcta aunque algo lenta' }] }), 202);
  const all = await get(ctx, `/api/v1/journeys/${ctx.flow}/touchpoints/entregado`);
  status(all, 200);
  ok(all.json.verbatims.items.length >= 3, `every segment: ${all.json.verbatims.items.length}`);
  const seg = await get(ctx, `/api/v1/journeys/${ctx.flow}/touchpoints/entregado?segment=other`);
  status(seg, 200);
  eq(seg.json.verbatims.items.map((x) => x.comment), ['La entrega fue correcta aunque algo lenta']);
  const none = await get(ctx, `/api/v1/journeys/${ctx.flow}/touchpoints/entregado?segment=vip`);
  eq(none.json.verbatims.items, []);
});

test("a customer's journeys: current stage, first and last time per stage", async (ctx) => {
  const c = await get(ctx, '/api/v1/customers?q=c1');
  const c1 = c.json.items.find((x) => x.external_id === 'c1');
  ok(c1, `c1 in ${c.text.slice(0, 200)}`);
  const r = await get(ctx, `/api/v1/customers/${c1.id}/journeys`, ctx.keys.viewer);
  status(r, 200);
  const flow = r.json.items.find((x) => x.journey.id === ctx.flow);
  ok(flow, `the flow journey in ${r.text.slice(0, 300)}`);
  // c1: click 30 days ago, product page 29, purchase 28, delivery 20
  eq([flow.entered, flow.current_stage, flow.rebuilding], [true, 'entrega', false]);
  eq(flow.stages.map((s) => s.key), ['descubrimiento', 'consideracion', 'compra', 'entrega']);
  const day = (iso) => Math.round((NOW - Date.parse(iso)) / DAY);
  eq(flow.stages.map((s) => [day(s.first), day(s.last), s.events]), [[30, 30, 1], [29, 29, 1], [28, 28, 1], [20, 20, 1]]);
  eq(flow.stages[0].touchpoints.map((t) => [t.key, day(t.first)]), [['anuncios', 30]]);
  // a customer with no matching event: listed, not entered
  const c6 = (await get(ctx, '/api/v1/customers?q=c6')).json.items.find((x) => x.external_id === 'c6');
  const r6 = await get(ctx, `/api/v1/customers/${c6.id}/journeys`);
  status(r6, 200);
  const f6 = r6.json.items.find((x) => x.journey.id === ctx.flow);
  eq([f6.entered, f6.current_stage, f6.stages[0].first, f6.stages[0].events], [false, null, null, 0]);
  status(await get(ctx, '/api/v1/customers/999999/journeys'), 404);
  status(await get(ctx, '/api/v1/customers/abc/journeys'), 404);
  // another tenant does not see them
  status(await get(ctx, `/api/v1/customers/${c1.id}/journeys`, ctx.other), 404);
});

testStopsCleanly();

run(setup);
