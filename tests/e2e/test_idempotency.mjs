// test_idempotency.mjs - Idempotency-Key on POSTs (docs/api.md "Idempotency"):
// a repeat replays the first answer byte for byte and creates nothing twice
// (counted through GET); the same key for another request is a 422, a bad
// key a 400; keys are per tenant and per credential; validation answers are
// kept too, 5xx never; concurrent repeats write once; answers expire after
// the TTL and the scheduler purges them (--idempotency-ttl-s).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { call, cxm, eq, login, ok, run, startServer, status, test, testDb, testStopsCleanly } from './lib.mjs';

const T = `ik-${process.pid}${Date.now() % 100000}`;
const T2 = `ik2-${process.pid}${Date.now() % 100000}`;
const DEF = JSON.parse(readFileSync('tests/data/surveys/good/posventa.json', 'utf8'));
const PASSWORD = 'una-clave-bastante-larga';
const sleep = (ms) => new Promise((res) => setTimeout(res, ms));
let seq = 0;
const newKey = () => `k-${process.pid}-${Date.now()}-${++seq}`;

async function setup() {
  const db = testDb('idempotency');
  const srv = await startServer(db, ['--quiet']);
  cxm(db, ['tenant', 'create', T, '--language', 'en']);
  cxm(db, ['tenant', 'create', T2, '--language', 'en']);
  const key = cxm(db, ['key', 'create', '--role', 'admin', '--tenant', T]).trim();
  const key2 = cxm(db, ['key', 'create', '--role', 'admin', '--tenant', T]).trim();
  const other = cxm(db, ['key', 'create', '--role', 'admin', '--tenant', T2]).trim();
  cxm(db, ['user', 'add', 'ik-ana', '--role', 'admin', '--password-stdin', '--tenant', T], PASSWORD + '\n');
  return { db, srv, base: srv.url, key, key2, other };
}

const post = (ctx, path, json, ik, key = ctx.key, headers = {}) =>
  call(ctx.base, 'POST', path, { key, json, headers: ik === undefined ? headers : { ...headers, 'idempotency-key': ik } });

async function surveysNamed(ctx, name, key = ctx.key) {
  const r = await call(ctx.base, 'GET', '/api/v1/surveys?limit=200', { key });
  status(r, 200);
  return r.json.items.filter((s) => s.name === name);
}

async function journeysNamed(ctx, name) {
  const r = await call(ctx.base, 'GET', '/api/v1/journeys?limit=200', { key: ctx.key });
  status(r, 200);
  return r.json.items.filter((j) => j.name === name);
}

async function metric(base, name) {
  const r = await call(base, 'GET', '/metrics');
  const m = r.text.match(new RegExp(`^${name} (\\d+)$`, 'm'));
  return m ? Number(m[1]) : NaN;
}

const JOURNEY = (name) => ({
  name,
  stages: [{ key: 'compra', name: 'Compra', phase: 'during', touchpoints: [{ key: 'checkout', match: { type: 'purchase' } }] }],
});

test('a repeated survey POST replays the first answer byte for byte and creates one survey', async (ctx) => {
  const ik = newKey();
  const def = { ...DEF, name: 'IK encuesta' };
  const first = await post(ctx, '/api/v1/surveys', def, ik);
  status(first, 201, 'first');
  eq(first.headers.get('idempotent-replayed'), null, 'the first answer is not a replay');
  const again = await post(ctx, '/api/v1/surveys', def, ik);
  status(again, 201, 'repeat');
  eq(again.headers.get('idempotent-replayed'), 'true');
  eq(again.text, first.text, 'same body, byte for byte');
  eq(again.headers.get('content-type'), first.headers.get('content-type'));
  eq(again.headers.get('location'), first.headers.get('location'));
  eq((await surveysNamed(ctx, 'IK encuesta')).map((s) => s.id), [first.json.id], 'one survey');
  // without the key the same POST runs: the name is taken
  status(await post(ctx, '/api/v1/surveys', def), 409, 'no key: runs again');
  eq(await metric(ctx.base, 'cxm_idempotent_replays_total') >= 1, true, 'counted in /metrics');
});

test('customers, journeys and batched events: a repeat returns the same ids and stores nothing twice', async (ctx) => {
  const ik = newKey();
  const c = { external_id: `IK-C-${seq}`, first_name: 'Lucía' };
  const c1 = await post(ctx, '/api/v1/customers', c, ik);
  status(c1, 201);
  eq(c1.json.result, 'created');
  const c2 = await post(ctx, '/api/v1/customers', c, ik);
  status(c2, 201, 'replayed as created, not "unchanged"');
  eq(c2.text, c1.text);
  eq(c2.headers.get('idempotent-replayed'), 'true');
  const found = await call(ctx.base, 'GET', `/api/v1/customers?q=${c.external_id}`, { key: ctx.key });
  eq(found.json.items.map((x) => x.id), [c1.json.id], 'one customer');

  const jk = newKey();
  const j1 = await post(ctx, '/api/v1/journeys', JOURNEY('IK viaje'), jk);
  status(j1, 201);
  const j2 = await post(ctx, '/api/v1/journeys', JOURNEY('IK viaje'), jk);
  status(j2, 201);
  eq(j2.json.id, j1.json.id);
  eq(j2.text, j1.text);
  eq((await journeysNamed(ctx, 'IK viaje')).length, 1, 'one journey');

  const ek = newKey();
  const evs = [1, 2, 3].map((i) => ({ id: `ik-ev-${ek}-${i}`, external_id: c.external_id, type: 'purchase', channel: 'web', ts: '2026-03-01T10:15:00Z' }));
  const e1 = await post(ctx, '/api/v1/events', evs, ek);
  status(e1, 202);
  eq([e1.json.accepted, e1.json.duplicates], [3, 0]);
  const e2 = await post(ctx, '/api/v1/events', evs, ek);
  status(e2, 202);
  eq(e2.text, e1.text, 'the first answer (3 accepted), not 3 duplicates');
  eq(e2.headers.get('idempotent-replayed'), 'true');
  const e3 = await post(ctx, '/api/v1/events', evs);
  eq([e3.json.accepted, e3.json.duplicates], [0, 3], 'no key: runs, the events dedupe themselves');
  const listed = await call(ctx.base, 'GET', `/api/v1/customers/${c1.json.id}/events`, { key: ctx.key });
  status(listed, 200);
  eq(listed.json.items.length, 3, 'three events stored');
});

test('the same key for another body, path or query is a 422 naming Idempotency-Key (es and en)', async (ctx) => {
  const ik = newKey();
  status(await post(ctx, '/api/v1/journeys', JOURNEY('IK otro'), ik), 201);
  const body = await post(ctx, '/api/v1/journeys', JOURNEY('IK otro 2'), ik);
  status(body, 422, 'another body');
  eq(body.headers.get('content-type'), 'application/problem+json');
  eq(body.json.errors[0].field, 'Idempotency-Key');
  ok(/different request/.test(body.json.errors[0].message), body.text);
  const es = await post(ctx, '/api/v1/journeys', JOURNEY('IK otro 2'), ik, ctx.key, { 'accept-language': 'es' });
  status(es, 422);
  ok(/otra solicitud/.test(es.json.errors[0].message), es.text);
  const path = await post(ctx, '/api/v1/surveys', JOURNEY('IK otro'), ik);
  status(path, 422, 'another path');
  eq(path.json.errors[0].field, 'Idempotency-Key');
  const ek = newKey();
  const ev = [{ id: `ik-q-${ek}`, external_id: 'IK-Q', type: 'visit', channel: 'web', ts: '2026-03-01T10:15:00Z' }];
  status(await post(ctx, '/api/v1/events', ev, ek), 202);
  const q = await call(ctx.base, 'POST', '/api/v1/events?partial=true', { key: ctx.key, json: ev, headers: { 'idempotency-key': ek } });
  status(q, 422, 'another query');
  eq((await journeysNamed(ctx, 'IK otro 2')).length, 0, 'nothing created');
});

test('a bad key is a 400 naming Idempotency-Key, and nothing runs', async (ctx) => {
  for (const bad of ['x'.repeat(256), 'clave-\u00e9']) {
    const r = await post(ctx, '/api/v1/journeys', JOURNEY('IK malo'), bad);
    status(r, 400, `key ${bad.slice(0, 20)}`);
    eq(r.headers.get('content-type'), 'application/problem+json');
    eq(r.json.errors[0].field, 'Idempotency-Key');
  }
  status(await post(ctx, '/api/v1/journeys', JOURNEY('IK malo'), 'x'.repeat(255)), 201, '255 characters are fine');
  eq((await journeysNamed(ctx, 'IK malo')).length, 1);
});

test('keys are per tenant and per credential', async (ctx) => {
  const ik = newKey();
  const c = { external_id: `IK-T-${seq}`, first_name: 'Ana' };
  const a = await post(ctx, '/api/v1/customers', c, ik);
  status(a, 201);
  // another tenant, same key and body: its own request, not a replay
  const b = await post(ctx, '/api/v1/customers', c, ik, ctx.other);
  status(b, 201);
  eq(b.headers.get('idempotent-replayed'), null);
  ok(b.json.id !== a.json.id, 'another tenant\'s customer');
  // another key of the same tenant: runs (the customer is there: unchanged)
  const k2 = await post(ctx, '/api/v1/customers', c, ik, ctx.key2);
  status(k2, 200);
  eq([k2.json.result, k2.headers.get('idempotent-replayed')], ['unchanged', null]);
  // and each credential's repeat replays its own answer
  eq((await post(ctx, '/api/v1/customers', c, ik, ctx.other)).text, b.text);
  eq((await post(ctx, '/api/v1/customers', c, ik, ctx.key2)).text, k2.text);
});

test('with a session: PATCH /api/v1/me and POSTs replay; the user is a credential of its own; CSRF first', async (ctx) => {
  const s = await login(ctx.base, 'ik-ana', PASSWORD, T);
  const ik = newKey();
  const me = (json, headers) => call(ctx.base, 'PATCH', '/api/v1/me', { session: s, json, headers });
  const a = await me({ language: 'es' }, { 'idempotency-key': ik });
  status(a, 200);
  const b = await me({ language: 'es' }, { 'idempotency-key': ik });
  eq([b.status, b.text, b.headers.get('idempotent-replayed')], [200, a.text, 'true']);
  status(await me({ language: 'en' }, { 'idempotency-key': ik }), 422, 'another body');
  // a key an API key used already is the user's own to use
  const jk = newKey();
  status(await post(ctx, '/api/v1/journeys', JOURNEY('IK clave'), jk), 201);
  const viaSession = await call(ctx.base, 'POST', '/api/v1/journeys', { session: s, json: JOURNEY('IK sesión'), headers: { 'idempotency-key': jk } });
  status(viaSession, 201);
  eq(viaSession.headers.get('idempotent-replayed'), null);
  // without the CSRF token: refused before the key is looked at, and not kept
  const nocsrf = await call(ctx.base, 'POST', '/api/v1/journeys', { session: s, csrf: false, json: JOURNEY('IK csrf'), headers: { 'idempotency-key': newKey() } });
  status(nocsrf, 403);
  eq((await journeysNamed(ctx, 'IK sesión')).length, 1);
});

test('a validation answer is kept and replayed; requests without RF_WRITE ignore the key', async (ctx) => {
  const ik = newKey();
  const bad = { name: 'IK inválido', stages: [] };
  const first = await post(ctx, '/api/v1/journeys', bad, ik);
  status(first, 422);
  let again;
  for (let i = 0; i < 50; i++) { // stored just after the answer: a moment
    again = await post(ctx, '/api/v1/journeys', bad, ik);
    if (again.status !== 409) break;
    await sleep(50);
  }
  status(again, 422);
  eq(again.headers.get('idempotent-replayed'), 'true');
  eq(again.text, first.text);
  // a GET runs as usual with a key
  const g = await call(ctx.base, 'GET', '/api/v1/journeys', { key: ctx.key, headers: { 'idempotency-key': ik } });
  status(g, 200);
  eq(g.headers.get('idempotent-replayed'), null);
});

test('concurrent repeats write once: the others replay or are told to retry (409)', async (ctx) => {
  const ik = newKey();
  const rs = await Promise.all([0, 1, 2, 3, 4, 5].map(() => post(ctx, '/api/v1/journeys', JOURNEY('IK a la vez'), ik)));
  const created = rs.filter((r) => r.status === 201);
  ok(created.length >= 1, rs.map((r) => r.status).join(','));
  ok(rs.every((r) => r.status === 201 || r.status === 409), rs.map((r) => r.status).join(','));
  eq(new Set(created.map((r) => r.json.id)).size, 1, 'one id');
  eq(created.filter((r) => r.headers.get('idempotent-replayed') !== 'true').length, 1, 'one ran');
  for (const r of rs.filter((x) => x.status === 409)) {
    eq(r.json.errors[0].field, 'Idempotency-Key');
    eq(r.headers.get('retry-after'), '1');
  }
  eq((await journeysNamed(ctx, 'IK a la vez')).length, 1, 'one journey');
  const later = await post(ctx, '/api/v1/journeys', JOURNEY('IK a la vez'), ik);
  status(later, 201);
  eq(later.json.id, created[0].json.id);
});

test('two servers on one database: concurrent repeats still write once (the stored key decides)', async (ctx) => {
  const srv = await startServer(ctx.db, ['--quiet']);
  try {
    const ik = newKey();
    const bases = [ctx.base, srv.url, ctx.base, srv.url, ctx.base, srv.url, ctx.base, srv.url];
    const rs = await Promise.all(bases.map((base) => post({ ...ctx, base }, '/api/v1/journeys', JOURNEY('IK dos nodos'), ik)));
    ok(rs.every((r) => r.status === 201 || r.status === 409), rs.map((r) => r.status).join(','));
    const ids = new Set(rs.filter((r) => r.status === 201).map((r) => r.json.id));
    ok(ids.size <= 1, `ids ${[...ids]}`);
    eq((await journeysNamed(ctx, 'IK dos nodos')).length, 1, 'one journey');
    for (const base of [ctx.base, srv.url]) {
      const r = await post({ ...ctx, base }, '/api/v1/journeys', JOURNEY('IK dos nodos'), ik);
      status(r, 201);
      eq(r.headers.get('idempotent-replayed'), 'true');
      if (ids.size) eq(r.json.id, [...ids][0]);
    }
  } finally {
    const code = await srv.stop();
    ok(code === 0 && !/Sanitizer/.test(srv.logText()), srv.logText().slice(-2000));
  }
});

// SQLite only: another process holds the write lock, so the write fails 503
if (!/^postgres/.test(process.env.CXM_TEST_DB || '')) test('a 5xx answer is not kept: the retry runs again (SQLite locked by another process)', async (ctx) => {
  const srv = await startServer(`${ctx.db}?busy_timeout=100`, ['--quiet']);
  // the servers' own writers may hold the lock a moment: wait for it
  const lock = spawn('sqlite3', ['-bail', '-cmd', '.timeout 10000', ctx.db.slice('sqlite:'.length)],
    { stdio: ['pipe', 'pipe', 'pipe'] });
  const c = { ...ctx, base: srv.url };
  try {
    await new Promise((res, rej) => {
      let err = '';
      lock.on('error', rej);
      lock.stderr.on('data', (d) => { err += d; });
      lock.on('exit', () => rej(new Error(`sqlite3 could not lock the database: ${err}`)));
      lock.stdout.on('data', (d) => { if (/locked/.test(String(d))) res(); });
      lock.stdin.write("BEGIN IMMEDIATE;\nSELECT 'locked';\n");
    });
    const ik = newKey();
    const a = await post(c, '/api/v1/journeys', JOURNEY('IK 503'), ik);
    status(a, 503, 'the database is locked');
    await new Promise((res) => { lock.on('exit', res); lock.stdin.end('COMMIT;\n'); });
    const b = await post(c, '/api/v1/journeys', JOURNEY('IK 503'), ik);
    status(b, 201, 'the retry ran');
    eq(b.headers.get('idempotent-replayed'), null);
    eq((await journeysNamed(ctx, 'IK 503')).length, 1);
  } finally {
    lock.kill();
    const code = await srv.stop();
    ok(code === 0 && !/Sanitizer/.test(srv.logText()), srv.logText().slice(-2000));
  }
});

test('answers expire after --idempotency-ttl-s; the scheduler purges them', async (ctx) => {
  const srv = await startServer(ctx.db, ['--quiet', '--idempotency-ttl-s', '2']);
  try {
    const ik = newKey();
    const c = { external_id: `IK-X-${seq}`, first_name: 'Eva' };
    const a = await post({ ...ctx, base: srv.url }, '/api/v1/customers', c, ik);
    status(a, 201);
    await sleep(2200); // the TTL
    // the scheduler purges what expired (the database may hold other
    // tests' keys too): wait until it has purged and stopped for 1.5 s
    let purged = 0, same = 0;
    for (let i = 0; i < 100 && same < 3; i++) {
      await sleep(500);
      const n = await metric(srv.url, 'cxm_idempotency_keys_purged_total');
      same = n >= 1 && n === purged ? same + 1 : 0;
      purged = n;
    }
    ok(purged >= 1 && same >= 3, `purged ${purged}`);
    // the key is free again: the request runs (the customer is unchanged)
    const b = await post({ ...ctx, base: srv.url }, '/api/v1/customers', c, ik);
    status(b, 200);
    eq([b.json.result, b.headers.get('idempotent-replayed')], ['unchanged', null]);
  } finally {
    const code = await srv.stop();
    ok(code === 0 && !/Sanitizer/.test(srv.logText()), srv.logText().slice(-2000));
  }
});

testStopsCleanly();

run(setup);
