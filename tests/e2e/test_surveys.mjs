// test_surveys.mjs - surveys and responses over HTTP: definitions, versions,
// status, answers checked against the version they answer, partial
// responses completed later, duplicates, the default NPS survey, roles and
// tenants.
import { readFileSync } from 'node:fs';
import { call, cxm, eq, ok, run, startServer, status, test, testDb } from './lib.mjs';

const T = `sv-${process.pid}${Date.now() % 100000}`;
const OTHER = `sv2-${process.pid}${Date.now() % 100000}`;
const DEF = JSON.parse(readFileSync('tests/data/surveys/good/posventa.json', 'utf8'));

async function setup() {
  const db = testDb('surveys');
  const srv = await startServer(db, ['--quiet']);
  const keys = {};
  for (const t of [T, OTHER]) {
    cxm(db, ['tenant', 'create', t, '--language', 'en']);
    keys[t] = {};
    for (const role of ['admin', 'analyst', 'viewer']) keys[t][role] = cxm(db, ['key', 'create', '--role', role, '--tenant', t]).trim();
  }
  return { db, srv, base: srv.url, keys, key: keys[T].admin };
}

const rsp = (over = {}) => ({ id: `r-${Math.random().toString(36).slice(2)}`, external_id: 'C-1', channel: 'email', ts: '2026-05-01T10:00:00Z', ...over });

test('a survey is created as a draft from its definition, and reads back the same', async ({ base, key }) => {
  const r = await call(base, 'POST', '/api/v1/surveys', { key, json: DEF });
  status(r, 201);
  eq([r.json.status, r.json.version, r.json.name], ['draft', 1, 'NPS posventa']);
  eq(r.json.definition.questions.map((q) => q.id), DEF.questions.map((q) => q.id), 'question order kept');
  eq([r.json.definition.questions[0].text.es, r.json.definition.questions[0].text.en], [DEF.questions[0].text.es, DEF.questions[0].text.en]);
  status(await call(base, 'POST', '/api/v1/surveys', { key, json: DEF }), 409, 'same name again');
  const list = await call(base, 'GET', '/api/v1/surveys', { key });
  ok(list.json.items.some((s) => s.id === r.json.id), 'listed');
});

test('a bad definition is refused with the field and the reason', async ({ base, key }) => {
  const bad = JSON.parse(JSON.stringify(DEF));
  bad.name = 'Otra';
  delete bad.questions[1].text.en;
  const r = await call(base, 'POST', '/api/v1/surveys', { key, json: bad });
  status(r, 422);
  eq(r.json.errors[0].field, 'questions[1].text');
  ok(r.json.errors[0].message.includes("'en'"), r.json.errors[0].message);
});

test('versions: editing a draft rewrites it; editing a live survey makes a new version', async ({ base, key }) => {
  const def = { ...DEF, name: 'Versiones' };
  const s = (await call(base, 'POST', '/api/v1/surveys', { key, json: def })).json;
  const d2 = { ...def, questions: [...def.questions, { id: 'extra', type: 'text', text: { es: 'Extra', en: 'Extra' } }] };
  eq((await call(base, 'PUT', `/api/v1/surveys/${s.id}`, { key, json: d2 })).json.version, 1, 'draft edit');
  status(await call(base, 'POST', `/api/v1/surveys/${s.id}/status`, { key, json: { status: 'live' } }), 200);
  status(await call(base, 'POST', '/api/v1/responses', { key, json: rsp({ survey: s.id, answers: { nps: 9, extra: 'sí' } }) }), 202);
  const d3 = { ...def, questions: def.questions.slice(0, 3) };
  const u = await call(base, 'PUT', `/api/v1/surveys/${s.id}`, { key, json: d3 });
  eq([u.json.version, u.json.definition.questions.length], [2, 3]);
  const v1 = await call(base, 'GET', `/api/v1/surveys/${s.id}?version=1`, { key });
  eq(v1.json.definition.questions.length, DEF.questions.length + 1, 'version 1 is kept');
  const answers = await call(base, 'GET', `/api/v1/responses?survey=${s.id}`, { key });
  eq([answers.json.items[0].version, answers.json.items[0].answers.extra], [1, 'sí'], 'the response keeps its version');
  const bad = await call(base, 'POST', '/api/v1/responses', { key, json: rsp({ survey: s.id, answers: { extra: 'no' } }) });
  status(bad, 422, 'version 2 has no question extra');
  eq(bad.json.errors[0].field, 'answers.extra');
});

test('answers are checked: range, type, options, follow-ups, limits, unknown questions', async ({ base, key }) => {
  const s = (await call(base, 'POST', '/api/v1/surveys', { key, json: { ...DEF, name: 'Validación' } })).json;
  await call(base, 'POST', `/api/v1/surveys/${s.id}/status`, { key, json: { status: 'live' } });
  const cases = [
    [{ nps: 11 }, 'answers.nps'], [{ nps: '9' }, 'answers.nps'], [{ nps: 9, why_bad: 'x' }, 'answers.why_bad'],
    [{ channel: 'phone' }, 'answers.channel'], [{ colour: 'red' }, 'answers.colour'],
    [{ nps: 2, why_bad: 'x'.repeat(501) }, 'answers.why_bad'],
  ];
  const r = await call(base, 'POST', '/api/v1/responses', { key, json: cases.map(([answers]) => rsp({ survey: s.id, answers })) });
  status(r, 422);
  eq(r.json.errors.map((e) => [e.index, e.field]), cases.map(([, f], i) => [i, f]));
  ok(r.json.errors[5].message.includes('500'), 'the limit is named');
  const none = await call(base, 'GET', `/api/v1/responses?survey=${s.id}`, { key });
  eq(none.json.items, [], 'nothing stored');
});

test('partial responses are kept and completed later; a complete one is final', async ({ base, key }) => {
  const s = (await call(base, 'POST', '/api/v1/surveys', { key, json: { ...DEF, name: 'Parcial' } })).json;
  await call(base, 'POST', `/api/v1/surveys/${s.id}/status`, { key, json: { status: 'live' } });
  const first = await call(base, 'POST', '/api/v1/responses', { key, json: rsp({ id: 'p-1', survey: s.id, answers: { csat: 4 } }) });
  eq([first.status, first.json.accepted], [202, 1]);
  let got = (await call(base, 'GET', `/api/v1/responses?survey=${s.id}`, { key })).json.items[0];
  eq([got.complete, got.csat, got.nps], [false, 4, undefined]);
  const second = await call(base, 'POST', '/api/v1/responses', { key, json: rsp({ id: 'p-1', answers: { nps: 3, why_bad: 'Tardó' } }) });
  eq(second.json.updated, 1);
  got = (await call(base, 'GET', `/api/v1/responses?survey=${s.id}`, { key })).json.items[0];
  eq([got.complete, got.csat, got.nps, got.answers.why_bad], [true, 4, 3, 'Tardó']);
  const third = await call(base, 'POST', '/api/v1/responses', { key, json: rsp({ id: 'p-1', answers: { nps: 10 } }) });
  eq(third.json.duplicates, 1);
  got = (await call(base, 'GET', `/api/v1/responses?survey=${s.id}`, { key })).json.items[0];
  eq(got.nps, 3, 'a complete response does not change');
});

test('without a survey, responses go to the default NPS survey; anonymous works', async ({ base, key }) => {
  const r = await call(base, 'POST', '/api/v1/responses', { key, json: [{ id: 'd-1', channel: 'store', answers: { nps: 10 } }, { id: 'd-2', email: 'Nueva@Example.com', channel: 'web', answers: { nps: 0, what_went_wrong: 'Todo' } }] });
  eq([r.status, r.json.accepted, r.json.new_customers], [202, 2, 1]);
  const list = (await call(base, 'GET', '/api/v1/surveys', { key })).json.items;
  const dflt = list.find((s) => s.is_default);
  ok(dflt && dflt.status === 'live', 'a live default survey exists');
  const page = (await call(base, 'GET', `/api/v1/responses?survey=${dflt.id}`, { key })).json.items;
  const anon = page.find((x) => x.id === 'd-1');
  eq(anon.customer_id, null, 'anonymous');
  ok(page.find((x) => x.id === 'd-2').customer_id, 'the new customer');
});

test('draft and closed surveys take no answers; closing keeps the responses', async ({ base, key }) => {
  const s = (await call(base, 'POST', '/api/v1/surveys', { key, json: { ...DEF, name: 'Cierre' } })).json;
  const draft = await call(base, 'POST', '/api/v1/responses', { key, json: rsp({ survey: s.id, answers: { nps: 8 } }) });
  eq([draft.status, draft.json.errors[0].field], [422, 'survey']);
  await call(base, 'POST', `/api/v1/surveys/${s.id}/status`, { key, json: { status: 'live' } });
  status(await call(base, 'POST', '/api/v1/responses', { key, json: rsp({ survey: s.id, answers: { nps: 8 } }) }), 202);
  await call(base, 'POST', `/api/v1/surveys/${s.id}/status`, { key, json: { status: 'closed' } });
  status(await call(base, 'POST', '/api/v1/responses', { key, json: rsp({ survey: s.id, answers: { nps: 8 } }) }), 422);
  eq((await call(base, 'GET', `/api/v1/responses?survey=${s.id}`, { key })).json.items.length, 1);
  status(await call(base, 'POST', `/api/v1/surveys/${s.id}/status`, { key, json: { status: 'paused' } }), 422);
});

test('responses: from/to window and pagination', async ({ base, key }) => {
  const s = (await call(base, 'POST', '/api/v1/surveys', { key, json: { ...DEF, name: 'Paginas' } })).json;
  await call(base, 'POST', `/api/v1/surveys/${s.id}/status`, { key, json: { status: 'live' } });
  const batch = Array.from({ length: 7 }, (_, i) => rsp({ id: `pg-${i}`, survey: s.id, ts: `2026-06-0${i + 1}T12:00:00Z`, answers: { csat: 5 } }));
  status(await call(base, 'POST', '/api/v1/responses', { key, json: batch }), 202);
  const seen = [];
  let cursor = '';
  for (let i = 0; i < 10; i++) {
    const r = await call(base, 'GET', `/api/v1/responses?survey=${s.id}&limit=3${cursor ? `&cursor=${cursor}` : ''}`, { key });
    seen.push(...r.json.items.map((x) => x.id));
    if (!r.json.next_cursor) break;
    cursor = r.json.next_cursor;
  }
  eq(seen, batch.map((x) => x.id).reverse());
  const w = await call(base, 'GET', `/api/v1/responses?survey=${s.id}&from=2026-06-02&to=2026-06-04`, { key });
  eq(w.json.items.map((x) => x.id), ['pg-2', 'pg-1']);
  status(await call(base, 'GET', '/api/v1/responses?from=ayer', { key }), 400);
});

test('responses: complete and channel filters, with pagination inside the filter', async ({ base, key }) => {
  const s = (await call(base, 'POST', '/api/v1/surveys', { key, json: { ...DEF, name: 'Filtros' } })).json;
  await call(base, 'POST', `/api/v1/surveys/${s.id}/status`, { key, json: { status: 'live' } });
  // nps is required: csat alone leaves a response partial
  const batch = Array.from({ length: 9 }, (_, i) => rsp({
    id: `f-${i}`, survey: s.id, ts: `2026-07-0${i + 1}T12:00:00Z`, channel: i % 3 === 0 ? 'store' : 'email',
    answers: i % 2 ? { csat: 3 } : { nps: 9, csat: 5 },
  }));
  status(await call(base, 'POST', '/api/v1/responses?partial=true', { key, json: batch }), 202);
  const ids = async (q) => {
    const seen = [];
    let cursor = '';
    for (let i = 0; i < 20; i++) {
      const r = await call(base, 'GET', `/api/v1/responses?survey=${s.id}&limit=2${q}${cursor ? `&cursor=${cursor}` : ''}`, { key });
      status(r, 200);
      seen.push(...r.json.items.map((x) => x.id));
      if (!r.json.next_cursor) break;
      cursor = r.json.next_cursor;
    }
    return seen;
  };
  eq(await ids('&complete=true'), ['f-8', 'f-6', 'f-4', 'f-2', 'f-0']);
  eq(await ids('&complete=false'), ['f-7', 'f-5', 'f-3', 'f-1']);
  eq(await ids('&channel=store'), ['f-6', 'f-3', 'f-0']);
  eq(await ids('&channel=store&complete=false'), ['f-3']);
  eq(await ids('&channel=sms'), []);
  eq((await call(base, 'GET', '/api/v1/surveys', { key })).json.items.find((x) => x.id === s.id).responses, 9, 'the list counts them');
  const bad = await call(base, 'GET', `/api/v1/responses?survey=${s.id}&complete=yes`, { key });
  eq([bad.status, bad.json.errors[0].field], [400, 'complete']);
  const badc = await call(base, 'GET', `/api/v1/responses?channel=${encodeURIComponent('<b>')}`, { key });
  eq([badc.status, badc.json.errors[0].field], [400, 'channel']);
});

test('roles and tenants: viewers read only; analysts manage; other tenants see nothing', async ({ base, keys }) => {
  const s = (await call(base, 'POST', '/api/v1/surveys', { key: keys[T].analyst, json: { ...DEF, name: 'Roles' } }));
  status(s, 201, 'an analyst creates');
  status(await call(base, 'POST', '/api/v1/surveys', { key: keys[T].viewer, json: { ...DEF, name: 'Roles 2' } }), 403);
  status(await call(base, 'POST', `/api/v1/surveys/${s.json.id}/status`, { key: keys[T].viewer, json: { status: 'live' } }), 403);
  status(await call(base, 'POST', '/api/v1/responses', { key: keys[T].viewer, json: rsp() }), 403);
  status(await call(base, 'GET', `/api/v1/surveys/${s.json.id}`, { key: keys[T].viewer }), 200);
  status(await call(base, 'GET', `/api/v1/surveys/${s.json.id}`, { key: keys[OTHER].admin }), 404);
  status(await call(base, 'PUT', `/api/v1/surveys/${s.json.id}`, { key: keys[OTHER].admin, json: { ...DEF, name: 'Robo' } }), 404);
  const theirs = await call(base, 'POST', '/api/v1/responses', { key: keys[OTHER].admin, json: rsp({ survey: s.json.id, answers: { nps: 1 } }) });
  eq([theirs.status, theirs.json.errors[0].field], [422, 'survey'], 'another tenant\'s survey does not exist');
  const list = await call(base, 'GET', '/api/v1/responses?limit=500', { key: keys[OTHER].admin });
  eq(list.json.items, []);
});

test('the audit log records survey changes', async ({ base, key }) => {
  const a = await call(base, 'GET', '/api/v1/audit?limit=500', { key });
  for (const action of ['survey.create', 'survey.update', 'survey.status']) ok(a.json.items.some((x) => x.action === action), action);
});

run(setup, async (ctx) => { if (ctx) await ctx.srv.stop(); });
