// test_isolation.mjs - every route, as every role of two tenants: nothing of
// another tenant is ever visible, managers and agents see only their org
// unit's subtree as of each record's date, viewers cannot write, and only
// owners and admins read the audit log.
import { readFileSync } from 'node:fs';
import { call, login, ok, eq, status, run, startServer, test, testDb } from './lib.mjs';
import { buildTenant, PASSWORD, ROLES, visibleTo } from './world.mjs';

const suffix = `${process.pid}${Date.now() % 100000}`;
const NAMES = [`iso-a-${suffix}`, `iso-b-${suffix}`];

async function setup() {
  const db = testDb('isolation');
  const srv = await startServer(db, ['--quiet']);
  const tenants = [];
  for (const n of NAMES) tenants.push(await buildTenant(db, srv.url, n));
  const sessions = {};
  for (const t of tenants) {
    sessions[t.name] = {};
    for (const role of ROLES) sessions[t.name][role] = await login(srv.url, `${role}1`, PASSWORD, t.name);
  }
  return { db, srv, base: srv.url, tenants, sessions };
}

// Every (tenant, role, session) combination.
function* everyone(ctx) {
  for (const t of ctx.tenants) for (const role of ROLES) yield { t, role, s: ctx.sessions[t.name][role] };
}

const other = (ctx, t) => ctx.tenants.find((x) => x !== t);

test('public routes answer without credentials', async ({ base }) => {
  for (const p of ['/healthz', '/metrics', '/api/v1/openapi.json', '/api/v1/messages?lang=es'])
    status(await call(base, 'GET', p), 200, p);
});

test('every API route refuses a caller without credentials (401)', async ({ base, tenants }) => {
  // every operation of docs/openapi.json that asks for credentials (test_openapi
  // keeps that file equal to the route table), with ids filled in
  const id = tenants[0].customers.cN;
  const spec = JSON.parse(readFileSync('docs/openapi.json', 'utf8'));
  const routes = [];
  for (const [path, ops] of Object.entries(spec.paths)) {
    if (!path.startsWith('/api/v1/')) continue;
    for (const [m, op] of Object.entries(ops)) {
      if (!op.security || !op.security.length) continue;
      routes.push([m.toUpperCase(), path.replace(/\{[a-z_]+\}/g, path.startsWith('/api/v1/customers/') ? id : '1')]);
    }
  }
  ok(routes.length >= 30, `${routes.length} routes`);
  for (const [m, p] of routes) {
    const r = await call(base, m, p, m === 'GET' ? {} : { json: {} });
    status(r, 401, `${m} ${p}`);
    eq(r.headers.get('content-type'), 'application/problem+json', `${m} ${p} content type`);
  }
});

test('customer list: each role sees exactly its part of its own tenant', async (ctx) => {
  for (const { t, role, s } of everyone(ctx)) {
    const r = await call(ctx.base, 'GET', '/api/v1/customers?limit=500', { session: s });
    status(r, 200, `${t.name} ${role}`);
    const seen = r.json.items.map((c) => c.external_id).filter((e) => ['cN', 'cS', 'cS2', 'c0'].includes(e)).sort();
    eq(seen, [...visibleTo(role)].sort(), `${t.name} ${role} sees`);
    const foreign = Object.values(other(ctx, t).customers);
    ok(!r.json.items.some((c) => foreign.includes(c.id)), `${t.name} ${role} sees another tenant's customer`);
  }
});

test('customer and timeline by id: 200 when visible, 404 otherwise (other tenant, outside the subtree)', async (ctx) => {
  for (const { t, role, s } of everyone(ctx)) {
    for (const owner of ctx.tenants) {
      for (const [ext, id] of Object.entries(owner.customers)) {
        const visible = owner === t && visibleTo(role).includes(ext);
        const one = await call(ctx.base, 'GET', `/api/v1/customers/${id}`, { session: s });
        status(one, visible ? 200 : 404, `${t.name} ${role} GET ${owner.name}/${ext}`);
        if (!visible) ok(!one.text.includes(ext), 'a 404 must not describe the customer');
        const tl = await call(ctx.base, 'GET', `/api/v1/customers/${id}/events`, { session: s });
        status(tl, visible ? 200 : 404, `${t.name} ${role} timeline ${owner.name}/${ext}`);
        if (visible) ok(tl.json.items.length >= 1 && tl.json.items.every((e) => e.customer_id === id), 'timeline items');
      }
    }
  }
});

test('API keys: a key reads its own tenant only', async (ctx) => {
  for (const t of ctx.tenants) {
    for (const [role, key] of Object.entries(t.keys)) {
      status(await call(ctx.base, 'GET', `/api/v1/customers/${t.customers.cS}`, { key }), 200, `${role} key, own`);
      status(await call(ctx.base, 'GET', `/api/v1/customers/${other(ctx, t).customers.cS}`, { key }), 404, `${role} key, other`);
      const list = await call(ctx.base, 'GET', '/api/v1/customers?limit=500', { key });
      const foreign = Object.values(other(ctx, t).customers);
      ok(!list.json.items.some((c) => foreign.includes(c.id)), 'no foreign customers in a key list');
    }
  }
});

test('writes: viewers get 403; the other roles write inside their scope', async (ctx) => {
  let n = 0;
  for (const { t, role, s } of everyone(ctx)) {
    n++;
    const c = await call(ctx.base, 'POST', '/api/v1/customers', { session: s, json: { external_id: `w-${role}-${n}`, first_name: 'Ana' } });
    const e = await call(ctx.base, 'POST', '/api/v1/events', {
      session: s, json: { id: `w-${t.name}-${role}`, external_id: `w-${role}-${n}`, type: 'call', channel: 'phone', ts: '2026-08-01T10:00:00Z', agent: 'cajero.norte' },
    });
    if (role === 'viewer') {
      status(c, 403, `${t.name} viewer creates a customer`);
      status(e, 403, `${t.name} viewer posts an event`);
    } else {
      status(c, 201, `${t.name} ${role} creates a customer`);
      status(e, 202, `${t.name} ${role} posts an event in Tienda Norte 1`);
    }
  }
});

test('scoped roles cannot write events outside their subtree', async (ctx) => {
  for (const t of ctx.tenants) {
    for (const role of ['manager', 'agent']) {
      const s = ctx.sessions[t.name][role];
      const r = await call(ctx.base, 'POST', '/api/v1/events', {
        session: s, json: { id: `x-${t.name}-${role}`, external_id: 'cS', type: 'call', channel: 'phone', ts: '2026-03-05T10:00:00Z', agent: 'cajero.sur' },
      });
      status(r, 422, `${t.name} ${role} writes for Sur in March`);
      eq(r.json.errors[0].field, 'agent');
    }
  }
});

test('scoped roles update only customers they see; others are refused without their data', async (ctx) => {
  for (const t of ctx.tenants) {
    for (const role of ['manager', 'agent']) {
      const s = ctx.sessions[t.name][role];
      const outside = await call(ctx.base, 'POST', '/api/v1/customers', { session: s, json: { external_id: 'cS', first_name: 'Intruso' } });
      status(outside, 403, `${t.name} ${role} updates cS`);
      ok(!outside.text.includes(t.customers.cS), 'the refusal does not show the customer');
      const inside = await call(ctx.base, 'POST', '/api/v1/customers', { session: s, json: { external_id: 'cN', last_name: 'Norte' } });
      status(inside, 200, `${t.name} ${role} updates cN`);
    }
    const owner = await call(ctx.base, 'GET', `/api/v1/customers/${t.customers.cS}`, { key: t.keys.owner });
    ok(owner.json.first_name !== 'Intruso', 'cS was not changed');
  }
});

test('scoped roles cannot name a customer they do not see by id', async (ctx) => {
  for (const t of ctx.tenants) {
    for (const role of ['manager', 'agent']) {
      const r = await call(ctx.base, 'POST', '/api/v1/events', {
        session: ctx.sessions[t.name][role],
        json: { id: `byid-${t.name}-${role}`, customer_id: t.customers.cS, type: 'call', channel: 'phone', ts: '2026-08-02T10:00:00Z', agent: 'cajero.norte' },
      });
      status(r, 422, `${t.name} ${role} posts for cS by id`);
      eq(r.json.errors[0].field, 'customer_id');
    }
  }
});

test('survey responses: scoped roles see their subtree only; tenant-wide statistics are not theirs', async (ctx) => {
  for (const t of ctx.tenants) {
    const key = t.keys.owner;
    const sv = await call(ctx.base, 'POST', '/api/v1/responses', { key, json: [
      { id: `rs-n-${t.name}`, external_id: 'cN', channel: 'store', agent: 'cajero.norte', ts: '2026-03-03T10:00:00Z', answers: { nps: 9 } },
      { id: `rs-s-${t.name}`, external_id: 'cS', channel: 'store', agent: 'cajero.sur', ts: '2026-03-03T11:00:00Z', answers: { nps: 2 } },
    ] });
    status(sv, 202);
    const survey = (await call(ctx.base, 'GET', '/api/v1/surveys', { key })).json.items.find((x) => x.is_default).id;
    for (const role of ROLES) {
      const s = ctx.sessions[t.name][role];
      const list = await call(ctx.base, 'GET', `/api/v1/responses?survey=${survey}&limit=500`, { session: s });
      status(list, 200, `${t.name} ${role} responses`);
      const ids = list.json.items.map((x) => x.id).filter((x) => x.startsWith('rs-')).sort();
      const want = role === 'manager' || role === 'agent' ? [`rs-n-${t.name}`] : [`rs-n-${t.name}`, `rs-s-${t.name}`];
      eq(ids, want.sort(), `${t.name} ${role} sees`);
      const stats = await call(ctx.base, 'GET', `/api/v1/surveys/${survey}/stats`, { session: s });
      status(stats, role === 'manager' || role === 'agent' ? 403 : 200, `${t.name} ${role} stats`);
      const mx = await call(ctx.base, 'GET', `/api/v1/metrics/nps?survey=${survey}&from=2026-03-03&to=2026-03-04`, { session: s });
      status(mx, 200, `${t.name} ${role} metrics`);
      eq([mx.json.overall.n, mx.json.overall.score], role === 'manager' || role === 'agent' ? [1, 100] : [2, 0],
        `${t.name} ${role}: NPS of what the role sees`);
      const units = (await call(ctx.base, 'GET', `/api/v1/metrics/nps?survey=${survey}&from=2026-03-03&to=2026-03-04&by=org_unit`, { session: s })).json;
      eq(units.groups.map((g) => [g.label, g.score]).sort(), role === 'manager' || role === 'agent'
        ? [['Tienda Norte 1', 100]] : [['Tienda Norte 1', 100], ['Tienda Sur 1', -100]], `${t.name} ${role}: NPS by unit, named`);
      status(await call(ctx.base, 'GET', `/api/v1/surveys/${survey}/invitations`, { session: s }),
        role === 'manager' || role === 'agent' ? 403 : 200, `${t.name} ${role} invitation list`);
      const inList = (await call(ctx.base, 'GET', '/api/v1/surveys', { session: s })).json.items.find((x) => x.id === survey);
      eq(inList.responses, role === 'manager' || role === 'agent' ? undefined : stats.json.responses.total,
        `${t.name} ${role}: response counts in the survey list only for who reads the statistics`);
      status(await call(ctx.base, 'GET', `/api/v1/surveys/${survey}`, { session: ctx.sessions[other(ctx, t).name][role] }), 404, 'another tenant\'s survey');
    }
  }
});

test('invitations: viewers cannot; scoped roles invite only customers they see; never another tenant\'s survey', async (ctx) => {
  for (const t of ctx.tenants) {
    const key = t.keys.owner;
    status(await call(ctx.base, 'PUT', '/api/v1/settings/surveys', { key, json: { fatigue_days: 0 } }), 200);
    const sv = (await call(ctx.base, 'POST', '/api/v1/surveys', { key, json: {
      name: `Invitar ${t.name}`, languages: ['es'], questions: [{ id: 'nps', type: 'nps', text: { es: '¿Nos recomendaría?' } }] } })).json;
    status(await call(ctx.base, 'POST', `/api/v1/surveys/${sv.id}/status`, { key, json: { status: 'live' } }), 200);
    for (const role of ROLES) {
      const s = ctx.sessions[t.name][role];
      const path = `/api/v1/surveys/${sv.id}/invitations`;
      const north = await call(ctx.base, 'POST', path, { session: s, json: { customer_id: t.customers.cN } });
      const south = await call(ctx.base, 'POST', path, { session: s, json: { customer_id: t.customers.cS } });
      const southByKey = await call(ctx.base, 'POST', path, { session: s, json: { external_id: 'cS' } });
      if (role === 'viewer') {
        status(north, 403, `${t.name} viewer invites`);
      } else if (role === 'manager' || role === 'agent') {
        status(north, 201, `${t.name} ${role} invites cN`);
        status(south, 404, `${t.name} ${role} invites cS by id`);
        status(southByKey, 404, `${t.name} ${role} invites cS by external id`);
        ok(!south.text.includes(t.customers.cS) && !southByKey.text.includes(t.customers.cS), 'the refusal does not show the customer');
      } else {
        status(north, 201, `${t.name} ${role} invites cN`);
        status(south, 201, `${t.name} ${role} invites cS`);
      }
      const o = other(ctx, t);
      status(await call(ctx.base, 'POST', path, { session: ctx.sessions[o.name][role], json: { external_id: 'cN' } }),
        role === 'viewer' ? 403 : 404, `${o.name} ${role} invites to ${t.name}'s survey`);
    }
  }
});

test('bulk e-mail invitations: owner, admin, analyst; delivery reports: owner, admin; never another tenant\'s', async (ctx) => {
  for (const { t, role, s } of everyone(ctx)) {
    const survey = (await call(ctx.base, 'GET', '/api/v1/surveys', { key: t.keys.owner })).json.items.find((x) => x.is_default).id;
    const bulk = await call(ctx.base, 'POST', `/api/v1/surveys/${survey}/invitations`, { session: s, json: { channel: 'email', audience: 'all' } });
    // this server has no --smtp-url: the roles that may send hear that e-mail is off
    status(bulk, ['owner', 'admin', 'analyst'].includes(role) ? 422 : 403, `${t.name} ${role} bulk`);
    if (bulk.status === 422) ok(/--smtp-url/.test(bulk.text), 'e-mail is off');
    const other_survey = (await call(ctx.base, 'GET', '/api/v1/surveys', { key: other(ctx, t).keys.owner })).json.items.find((x) => x.is_default).id;
    const cross = await call(ctx.base, 'POST', `/api/v1/surveys/${other_survey}/invitations`, { session: s, json: [{ external_id: 'cN' }] });
    ok([403, 404, 422].includes(cross.status) && cross.status !== 202, `${t.name} ${role} bulk into another tenant's survey: ${cross.status}`);
    const rep = await call(ctx.base, 'POST', '/api/v1/email/events', { session: s, json: [{ message_id: '<1.1@example.com>', event: 'bounced' }] });
    status(rep, ['owner', 'admin'].includes(role) ? 200 : 403, `${t.name} ${role} reports`);
    if (rep.status === 200) eq([rep.json.applied, rep.json.unknown], [0, [0]]);
  }
});

test('triggers: owner, admin and analyst write, viewers read, managers and agents neither; never across tenants', async (ctx) => {
  const made = {};
  for (const t of ctx.tenants) {
    const survey = (await call(ctx.base, 'GET', '/api/v1/surveys', { key: t.keys.owner })).json.items[0].id;
    const first = await call(ctx.base, 'POST', '/api/v1/triggers', { key: t.keys.owner,
      json: { name: 'iso', survey_id: survey, on: { type: 'delivery' }, delay: '1d', channel: 'web' } });
    status(first, 201);
    made[t.name] = { survey, ids: [first.json.id] };
  }
  for (const { t, role, s } of everyone(ctx)) {
    const body = { name: `iso ${role}`, survey_id: made[t.name].survey, on: { type: 'delivery' }, delay: '1d', channel: 'web' };
    const w = ['owner', 'admin', 'analyst'].includes(role);
    const r = await call(ctx.base, 'POST', '/api/v1/triggers', { session: s, json: body });
    status(r, w ? 201 : 403, `${t.name} ${role} creates`);
    if (w) made[t.name].ids.push(r.json.id);
    const list = await call(ctx.base, 'GET', '/api/v1/triggers', { session: s });
    status(list, w || role === 'viewer' ? 200 : 403, `${t.name} ${role} lists`);
    if (list.status === 200) ok(list.json.items.every((x) => !made[other(ctx, t).name].ids.includes(x.id)), 'no other tenant\'s trigger');
    for (const id of made[other(ctx, t).name].ids) {
      const want = w || role === 'viewer' ? 404 : 403;
      status(await call(ctx.base, 'GET', `/api/v1/triggers/${id}`, { session: s }), want, `${t.name} ${role} another tenant's trigger`);
      status(await call(ctx.base, 'GET', `/api/v1/triggers/${id}/scheduled`, { session: s }), want, 'its scheduled list');
      status(await call(ctx.base, 'DELETE', `/api/v1/triggers/${id}`, { session: s }), w ? 404 : 403, 'deleting it');
    }
  }
});

test('merge: owner, admin and analyst only; never across tenants', async (ctx) => {
  let n = 0;
  for (const { t, role, s } of everyone(ctx)) {
    n++;
    const a = await call(ctx.base, 'POST', '/api/v1/customers', { key: t.keys.owner, json: { external_id: `m-a-${n}` } });
    const b = await call(ctx.base, 'POST', '/api/v1/customers', { key: t.keys.owner, json: { external_id: `m-b-${n}` } });
    const r = await call(ctx.base, 'POST', `/api/v1/customers/${a.json.id}/merge`, { session: s, json: { merged_id: b.json.id } });
    status(r, ['owner', 'admin', 'analyst'].includes(role) ? 200 : 403, `${t.name} ${role} merges`);
    const cross = await call(ctx.base, 'POST', `/api/v1/customers/${a.json.id}/merge`, {
      key: t.keys.owner, json: { merged_id: other(ctx, t).customers.c0 },
    });
    status(cross, 404, 'merging another tenant\'s customer');
  }
});

test('audit log: owner and admin only, own tenant only', async (ctx) => {
  for (const { t, role, s } of everyone(ctx)) {
    const r = await call(ctx.base, 'GET', '/api/v1/audit?limit=500', { session: s });
    status(r, ['owner', 'admin'].includes(role) ? 200 : 403, `${t.name} ${role} audit`);
    if (r.status === 200) {
      ok(r.json.items.some((a) => a.action === 'key.create'), 'key creations are audited');
      const foreignKeys = Object.values(other(ctx, t).keys).map((k) => k.split('_')[2]);
      ok(!r.json.items.some((a) => foreignKeys.includes(a.target)), 'no other tenant\'s audit rows');
    }
  }
});

test('session routes work for every role; state changes need the CSRF token', async (ctx) => {
  for (const { t, role, s } of everyone(ctx)) {
    const me = await call(ctx.base, 'GET', '/api/v1/session', { session: s });
    status(me, 200);
    eq([me.json.user.role, me.json.tenant.name], [role, t.name]);
    status(await call(ctx.base, 'PATCH', '/api/v1/me', { session: s, json: { language: 'es' }, csrf: false }), 403, 'no CSRF');
    status(await call(ctx.base, 'PATCH', '/api/v1/me', { session: s, json: { language: 'es' } }), 200, 'with CSRF');
    status(await call(ctx.base, 'POST', '/api/v1/customers', { session: s, json: { external_id: 'csrf' }, csrf: false }), 403, 'POST without CSRF');
  }
});

test('logging out ends the session for every role', async (ctx) => {
  for (const { t, role, s } of everyone(ctx)) {
    status(await call(ctx.base, 'DELETE', '/api/v1/session', { session: s }), 204, `${t.name} ${role}`);
    status(await call(ctx.base, 'GET', '/api/v1/session', { session: s }), 401, 'after logout');
  }
});

run(setup, async (ctx) => { if (ctx) await ctx.srv.stop(); });
