// test_journey_settings.mjs - GET/PUT /api/v1/settings/journeys: the friction
// weights and bands of the journey maps. A stage with enough drop-off, CES
// answers and comments has all three friction components; after a PUT the
// next map's friction is the documented weighted mean (docs/journeys.md
// "Friction") of the map's own drop-off, effort and sentiment figures under
// the new weights, and its colour follows the new bands. Bad settings are
// 422 naming the field and change nothing; roles; other tenants untouched.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { call, cxm, eq, ok, run, startServer, status, test, testDb, testStopsCleanly, TMP } from './lib.mjs';

const T = `js-${process.pid}${Date.now() % 100000}`;
const T2 = `js2-${process.pid}${Date.now() % 100000}`;
const PATH = '/api/v1/settings/journeys';
const DEFAULTS = { friction_weights: { dropoff: 0.4, effort: 0.3, sentiment: 0.3 }, friction_bands: [25, 50] };

const DAY = 86400 * 1000;
const NOW = Date.now();
const ago = (d) => new Date(NOW - d * DAY).toISOString();

// visit -> buy, with the visit's feedback at the touchpoint "visita"
const JOURNEY = {
  name: 'Fricción',
  conversion_window: '7d',
  stages: [
    { key: 'visita', name: 'Visita', phase: 'before',
      touchpoints: [{ key: 'web', match: { type: 'visit' }, feedback: ['visita'] }] },
    { key: 'compra', name: 'Compra', phase: 'during',
      touchpoints: [{ key: 'pago', match: { type: 'buy' } }] },
  ],
};
const N = 40;       // customers: each component has at least 30 observations
const BOUGHT = 16;  // so 24 of 40 mature entries dropped

async function setup() {
  const db = testDb('journey-settings');
  cxm(db, ['tenant', 'create', T, '--language', 'en']);
  cxm(db, ['tenant', 'create', T2, '--language', 'en']);
  const file = join(TMP, `friction-${process.pid}.json`);
  writeFileSync(file, JSON.stringify(JOURNEY));
  const journey = cxm(db, ['journey', 'add', file, '--tenant', T]).trim();
  const srv = await startServer(db, ['--quiet']);
  const keys = {};
  for (const role of ['owner', 'admin', 'analyst', 'viewer'])
    keys[role] = cxm(db, ['key', 'create', '--role', role, '--tenant', T]).trim();
  const other = cxm(db, ['key', 'create', '--role', 'admin', '--tenant', T2]).trim();
  const ctx = { db, srv, base: srv.url, key: keys.admin, keys, other, journey };

  const events = [];
  for (let i = 0; i < N; i++) {
    events.push({ id: `v${i}`, external_id: `f${i}`, type: 'visit', channel: 'web', touchpoint: 'home', ts: ago(20) });
    if (i < BOUGHT) events.push({ id: `b${i}`, external_id: `f${i}`, type: 'buy', channel: 'web', touchpoint: 'cart', ts: ago(19) });
  }
  status(await call(ctx.base, 'POST', '/api/v1/events', { key: ctx.key, json: events }), 202);
  const sv = (await call(ctx.base, 'POST', '/api/v1/surveys', { key: ctx.key, json: { name: 'Esfuerzo', languages: ['es'],
    questions: [{ id: 'ces', type: 'ces', text: { es: '¿Fue fácil?' } }] } })).json;
  status(await call(ctx.base, 'POST', `/api/v1/surveys/${sv.id}/status`, { key: ctx.key, json: { status: 'live' } }), 200);
  const comments = ['Excelente, muy fácil y rápido, me encantó', 'Pésimo, lento y confuso, una experiencia horrible',
    'Todo bien, gracias', 'Terrible servicio, nunca más'];
  const responses = [];
  for (let i = 0; i < N; i++) {
    responses.push({ id: `r${i}`, survey: sv.id, external_id: `f${i}`, channel: 'web', touchpoint: 'visita', ts: ago(19),
      answers: { ces: 1 + (i % 7) }, comment: comments[i % comments.length] });
  }
  status(await call(ctx.base, 'POST', '/api/v1/responses', { key: ctx.key, json: responses }), 202);
  return ctx;
}

const get = (ctx, path, key = ctx.key) => call(ctx.base, 'GET', path, { key });
const put = (ctx, json, key = ctx.key) => call(ctx.base, 'PUT', PATH, { key, json });

/** The stage "visita" of the map. */
async function visita(ctx, key = ctx.key) {
  const r = await get(ctx, `/api/v1/journeys/${ctx.journey}/map`, key);
  status(r, 200, 'map');
  return r.json.stages[0];
}

/** The friction docs/journeys.md gives for the stage's own figures under weights W and bands B. */
function expected(st, w, bands) {
  const parts = [
    ['dropoff', st.dropped, st.conversion.n, w.dropoff],
    ['effort', st.ces.n - st.ces.counts.easy, st.ces.n, w.effort],
    ['sentiment', st.sentiment.negative, st.sentiment.comments, w.sentiment],
  ].filter(([, , n, wi]) => n >= 30 && wi > 0);
  const sw = parts.reduce((s, p) => s + p[3], 0);
  const value = (100 * parts.reduce((s, [, x, n, wi]) => s + wi * (x / n), 0)) / sw;
  const colour = value < bands[0] ? 'green' : value < bands[1] ? 'amber' : 'red';
  return { value, colour, components: parts.map((p) => p[0]) };
}

function sameFriction(st, want, what) {
  ok(st.friction, `${what}: no friction in ${JSON.stringify(st)}`);
  // the map rounds to one decimal
  ok(Math.abs(st.friction.value - want.value) <= 0.05 + 1e-9, `${what}: friction ${st.friction.value}, want ${want.value}`);
  eq([st.friction.colour, st.friction.components], [want.colour, want.components], what);
}

test('GET answers the defaults; every role reads, only owners and admins write', async (ctx) => {
  for (const role of ['owner', 'admin', 'analyst', 'viewer']) {
    const g = await get(ctx, PATH, ctx.keys[role]);
    status(g, 200, role);
    eq(g.json, DEFAULTS, role);
  }
  for (const role of ['analyst', 'viewer'])
    status(await put(ctx, { friction_weights: { dropoff: 1, effort: 0, sentiment: 0 } }, ctx.keys[role]), 403, role);
  eq((await get(ctx, PATH)).json, DEFAULTS, 'a refused PUT changes nothing');
});

test('the map follows new weights and bands at once, as the formula says', async (ctx) => {
  const before = await visita(ctx);
  // every component has enough data, so a change of weights moves the figure
  eq([before.conversion.n, before.dropped, before.ces.n], [N, N - BOUGHT, N]);
  ok(before.sentiment.comments >= 30, `comments ${before.sentiment.comments}`);
  sameFriction(before, expected(before, DEFAULTS.friction_weights, DEFAULTS.friction_bands), 'defaults');
  eq(before.friction.components, ['dropoff', 'effort', 'sentiment']);

  const w = { dropoff: 0.1, effort: 0.2, sentiment: 0.7 };
  const p = await put(ctx, { friction_weights: w, friction_bands: [10, 20] });
  status(p, 200, 'put');
  eq(p.json, { friction_weights: w, friction_bands: [10, 20] });
  eq((await get(ctx, PATH, ctx.keys.viewer)).json, p.json, 'GET returns what PUT stored');
  const after = await visita(ctx);
  const want = expected(after, w, [10, 20]);
  sameFriction(after, want, 'new weights');
  ok(Math.abs(after.friction.value - before.friction.value) >= 1, `friction did not move: ${before.friction.value} -> ${after.friction.value}`);
  // the same for a viewer and from the CLI (one map for all)
  sameFriction(await visita(ctx, ctx.keys.viewer), want, 'viewer');
  const cli = JSON.parse(cxm(ctx.db, ['report', 'journey', '--journey', ctx.journey, '--tenant', T, '--format', 'json']));
  sameFriction(cli.stages[0], want, 'cxm report journey');

  // a weight of 0 leaves its component out
  const w0 = { dropoff: 0.5, effort: 0.5, sentiment: 0 };
  status(await put(ctx, { friction_weights: w0 }), 200);
  const zero = await visita(ctx);
  sameFriction(zero, expected(zero, w0, DEFAULTS.friction_bands), 'sentiment weighed 0');
  eq(zero.friction.components, ['dropoff', 'effort']);

  // {} restores the defaults
  const d = await put(ctx, {});
  status(d, 200);
  eq(d.json, DEFAULTS);
  eq((await visita(ctx)).friction, before.friction, 'defaults again');

  // audited
  const audit = await get(ctx, '/api/v1/audit?limit=50');
  status(audit, 200);
  ok(audit.json.items.filter((x) => x.action === 'settings.journeys').length >= 3, 'settings.journeys not audited');
  // another tenant keeps its defaults
  eq((await get(ctx, PATH, ctx.other)).json, DEFAULTS, 'other tenant');
});

test('bad settings are refused with the field and change nothing', async (ctx) => {
  const good = { friction_weights: { dropoff: 0.25, effort: 0.25, sentiment: 0.5 }, friction_bands: [30, 60] };
  status(await put(ctx, good), 200);
  const cases = [
    [{ friction_weights: { dropoff: 0.5, effort: 0.6, sentiment: 0 } }, 'friction_weights', /add up to 1\.1\b/],
    [{ friction_weights: { dropoff: 0.2, effort: 0.2, sentiment: 0.2 } }, 'friction_weights', /must add up to 1/],
    [{ friction_weights: { dropoff: 1.5, effort: -0.5, sentiment: 0 } }, 'friction_weights.dropoff', /from 0 to 1/],
    [{ friction_weights: { dropoff: 0.5, effort: -0.5, sentiment: 1 } }, 'friction_weights.effort', /from 0 to 1/],
    [{ friction_weights: { dropoff: 0.5, effort: 0.5, sentiment: '0' } }, 'friction_weights.sentiment', /from 0 to 1/],
    [{ friction_weights: { dropoff: 0.5, effort: 0.5 } }, 'friction_weights.sentiment', /missing/],
    [{ friction_weights: { dropoff: 0.5, effort: 0.5, sentiment: 0, speed: 0 } }, 'friction_weights.speed', /unknown key 'speed'/],
    [{ friction_weights: [0.4, 0.3, 0.3] }, 'friction_weights', /JSON object/],
    [{ friction_weight: {} }, 'friction_weight', /unknown key 'friction_weight'/],
    [{ friction_bands: [50, 20] }, 'friction_bands', /amber \(50\) < red \(20\)/],
    [{ friction_bands: [0, 20] }, 'friction_bands', /0 < amber/],
    [{ friction_bands: [20, 101] }, 'friction_bands', /<= 100/],
    [{ friction_bands: [20] }, 'friction_bands', /two numbers/],
    [{ friction_bands: ['a', 20] }, 'friction_bands[0]', /two numbers/],
    [{ friction_bands: [20, null] }, 'friction_bands[1]', /two numbers/],
  ];
  for (const [json, field, why] of cases) {
    const r = await put(ctx, json);
    status(r, 422, JSON.stringify(json));
    const e = r.json.errors[0];
    eq(e.field, field, JSON.stringify(json));
    ok(why.test(e.message), `${JSON.stringify(json)}: ${e.message}`);
  }
  // not an object, not JSON
  const arr = await put(ctx, [1]);
  status(arr, 422);
  ok(/JSON object/.test(arr.json.errors[0].message), arr.text);
  status(await call(ctx.base, 'PUT', PATH, { key: ctx.key, body: '{"friction_weights":', type: 'application/json' }), 400);
  eq((await get(ctx, PATH)).json, good, 'refused PUTs changed the setting');
  // within 1e-9 of 1 is 1
  const near = { dropoff: 0.1, effort: 0.2, sentiment: 0.7 + 5e-10 };
  status(await put(ctx, { friction_weights: near }), 200, 'a sum within 1e-9');
  status(await put(ctx, {}), 200);
});

testStopsCleanly();

run(setup);
