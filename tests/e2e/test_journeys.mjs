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
  eq((await get(ctx, '/api/v1/journeys')).json.items.map((x) => x.id), [j.id]);
  const all = (await get(ctx, '/api/v1/journeys?status=all')).json.items;
  eq(all.map((x) => [x.id, x.status]), [[j.id, 'active'], [second.json.id, 'archived']]);
  status(await call(ctx.base, 'DELETE', '/api/v1/journeys/999999', { key: ctx.key }), 404);
  status(await call(ctx.base, 'DELETE', '/api/v1/journeys/abc', { key: ctx.key }), 404);

  // every change is in the audit log
  const audit = (await get(ctx, '/api/v1/audit?limit=50')).json.items.map((x) => `${x.action} ${x.target}`);
  for (const want of [`journey.create ${j.id}`, `journey.update ${j.id}`, `journey.archive ${second.json.id}`])
    ok(audit.includes(want), `audit has ${want}: ${audit}`);
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

testStopsCleanly();

run(setup);
