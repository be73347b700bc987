// test_text_train_once.mjs - one training of a tenant's text model at a
// time (issue 6, docs/text.md "One training at a time"): while a tenant's
// training runs, another POST /api/v1/text/model/train for it is refused
// with 409 problem+json (in the caller's language) and the running one
// answers as usual; once it ends the tenant can train again; trainings of
// two tenants asked for together both succeed, one fit after the other
// (the second waits for the fit slot: cxm_text_fits_waited_total in
// /metrics), and no fit runs once they are answered.
import { call, eq, ok, run, startServer, status, test, testDb, testStopsCleanly } from './lib.mjs';
import { buildTenant } from './world.mjs';

const P = `op-${process.pid}${Date.now() % 100000}`;
const Q = `oq-${process.pid}${Date.now() % 100000}`;
const N = 8000; // enough that a fit takes a while, so requests overlap it

const PLACES = ['el pedido', 'la tienda', 'el técnico', 'la entrega', 'el paquete', 'el repartidor', 'la visita', 'el envío'];
const DAYS = ['el lunes', 'el martes', 'el miércoles', 'el jueves', 'el viernes', 'el sábado', 'esta semana', 'ayer'];
function labelled(n, prefix) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const promoter = i % 2 === 0;
    const place = PLACES[i % PLACES.length], day = DAYS[Math.floor(i / PLACES.length) % DAYS.length];
    const comment = promoter ? `${place} fue puntual ${day} ${i % 101}` : `${place} tardó ${day} ${i % 97}`;
    out.push({ id: `${prefix}-${i}`, external_id: `c${prefix}${i % 40}`, channel: 'web', comment,
      answers: { nps: promoter ? 9 : i % 7 }, ts: `2026-02-${String(1 + (i % 28)).padStart(2, '0')}T12:00:00Z` });
  }
  return out;
}

async function setup() {
  const db = testDb('trainonce');
  // no background retraining: each training here is asked for
  const srv = await startServer(db, ['--quiet', '--text-retrain-s', '3600']);
  const base = srv.url;
  const ctx = { db, srv, base };
  for (const [k, name] of [['p', P], ['q', Q]]) {
    ctx[k] = await buildTenant(db, base, name);
    const all = labelled(N, k);
    for (let i = 0; i < all.length; i += 1000) {
      const r = await call(base, 'POST', '/api/v1/responses', { key: ctx[k].keys.owner, json: all.slice(i, i + 1000) });
      status(r, 202, r.text.slice(0, 300));
    }
  }
  return ctx;
}

const train = (ctx, t, headers = {}) => call(ctx.base, 'POST', '/api/v1/text/model/train', { key: t.keys.admin, headers });
const metric = async (ctx, name) => {
  const m = (await call(ctx.base, 'GET', '/metrics')).text.match(new RegExp(`^${name} (\\d+)$`, 'm'));
  ok(m, `${name} in /metrics`);
  return Number(m[1]);
};

test('a second training of the same tenant while one runs: 409, and the running one answers', async (ctx) => {
  const t0 = Date.now();
  const [first, second, third] = await Promise.all([train(ctx, ctx.p), train(ctx, ctx.p),
    train(ctx, ctx.p, { 'accept-language': 'es' })]);
  console.log(`# three requests answered in ${Date.now() - t0} ms`);
  const all = [first, second, third];
  const done = all.filter((r) => r.status === 200), refused = all.filter((r) => r.status === 409);
  eq([done.length, refused.length], [1, 2], all.map((r) => `${r.status} ${r.text.slice(0, 200)}`).join('\n'));
  ok(done[0].json.trained === true && done[0].json.labelled === N, JSON.stringify({ ...done[0].json, features: undefined }));
  for (const r of refused) {
    ok(/^application\/problem\+json/.test(r.headers.get('content-type')), r.headers.get('content-type'));
    eq([r.json.status, r.json.type.endsWith('training-running')], [409, true], r.text);
    ok(/GET \/api\/v1\/text\/model/.test(r.json.detail), r.json.detail);
  }
  // the caller's language: one of the refusals is in Spanish
  const es = refused.find((r) => /entrenamiento/.test(r.json.title));
  const en = refused.find((r) => /already running/.test(r.json.title));
  ok(es && en, refused.map((r) => r.json.title).join(' | '));
  ok(/se está entrenando/.test(es.json.detail), es.json.detail);
  // the status shows the training that ran
  const s = await call(ctx.base, 'GET', '/api/v1/text/model', { key: ctx.p.keys.viewer });
  eq(s.json.trained_at, done[0].json.trained_at);
  // once it has ended, the tenant trains again
  const again = await train(ctx, ctx.p);
  status(again, 200, again.text);
  ok(again.json.trained_at > done[0].json.trained_at, `${again.json.trained_at} > ${done[0].json.trained_at}`);
});

test('two tenants at once: both trained, one fit after the other', async (ctx) => {
  const waited = await metric(ctx, 'cxm_text_fits_waited_total');
  const [p, q] = await Promise.all([train(ctx, ctx.p), train(ctx, ctx.q)]);
  status(p, 200, p.text);
  status(q, 200, q.text);
  ok(p.json.trained && q.json.trained && q.json.labelled === N, JSON.stringify({ ...q.json, features: undefined }));
  ok(await metric(ctx, 'cxm_text_fits_waited_total') >= waited + 1, 'the second fit waited for the slot');
  eq(await metric(ctx, 'cxm_text_fits_running'), 0, 'no fit left running');
});

testStopsCleanly();

run(setup, async (ctx) => { await ctx.srv.stop(); });
