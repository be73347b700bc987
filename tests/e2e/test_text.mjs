// test_text.mjs - POST /api/v1/text/analyze: one text and batches, the
// issue's JSON shape, details whose byte offsets point at the right words
// and a masked text, bad input named by field (texts[i]), every role, and a
// batch of 1,000 texts.
import { call, cxm, eq, ok, run, startServer, status, test, testDb } from './lib.mjs';

const T = `tx-${process.pid}${Date.now() % 100000}`;
const ROLES = ['owner', 'admin', 'analyst', 'manager', 'agent', 'viewer'];

async function setup() {
  const db = testDb('text');
  // strings up to 128 KiB in JSON, so a text over the engine's 64 KiB reaches it
  const srv = await startServer(db, ['--quiet', '--max-string', '131072']);
  cxm(db, ['tenant', 'create', T, '--language', 'en']);
  const keys = {};
  for (const role of ROLES) keys[role] = cxm(db, ['key', 'create', '--role', role, '--tenant', T]).trim();
  return { db, srv, base: srv.url, key: keys.analyst, keys };
}

const analyze = (ctx, json, q = '', key = ctx.key) => call(ctx.base, 'POST', `/api/v1/text/analyze${q}`, { key, json });
// the bytes [start, end) of a JS string's UTF-8
const bytes = (s, start, end) => Buffer.from(s, 'utf8').subarray(start, end).toString('utf8');
const fieldOf = (r) => (r.json.errors || []).map((e) => e.field);

test('one Spanish text: the issue\'s shape', async (ctx) => {
  const r = await analyze(ctx, { text: 'El envío llegó tarde y el repartidor fue muy grosero, pésimo servicio', lang: 'auto' });
  status(r, 200);
  eq(Object.keys(r.json).sort(), ['emotions', 'lang', 'reasons', 'sentiment', 'themes'], 'only the five fields without details');
  eq(r.json.lang, 'es');
  eq(r.json.sentiment.label, 'negative');
  ok(r.json.sentiment.score < -0.5 && r.json.sentiment.score >= -1, `score ${r.json.sentiment.score}`);
  ok(r.json.emotions.anger >= 0.3, `anger ${JSON.stringify(r.json.emotions)}`);
  for (const v of Object.values(r.json.emotions)) ok(v >= 0.3 && v <= 1, 'only emotions present, 0.3..1');
  ok(r.json.reasons.includes('staff') && r.json.reasons.includes('speed'), `reasons ${r.json.reasons}`);
  ok(r.json.themes.includes('delivery') && r.json.themes.includes('staff'), `themes ${r.json.themes}`);
});

test('English, detected and forced; a forced language is answered as given', async (ctx) => {
  let r = await analyze(ctx, { text: 'Great product, fast delivery! Love it 😍' });
  status(r, 200);
  eq(r.json.lang, 'en');
  eq(r.json.sentiment.label, 'positive');
  ok(r.json.emotions.joy >= 0.3, 'joy');
  r = await analyze(ctx, { text: 'ok', lang: 'es' });
  status(r, 200);
  eq(r.json.lang, 'es', 'forced');
  r = await analyze(ctx, { text: '😍😍' });
  status(r, 200);
  eq(r.json.lang, 'other', 'only emoji: no language');
  eq(r.json.sentiment.label, 'positive', 'but a sentiment');
  r = await analyze(ctx, { text: '' });
  status(r, 200);
  eq(r.json, { lang: 'other', sentiment: { score: 0, label: 'neutral' }, emotions: {}, reasons: [], themes: [] }, 'empty text');
});

test('details: sentences, highlights and personal data at the right bytes, masked text', async (ctx) => {
  const text = 'Pésimo servicio, llegó tarde. Escríbanme a ana.gomez@example.com o al 300 123 4567';
  const r = await analyze(ctx, { text, lang: 'es' }, '?details=true');
  status(r, 200);
  const a = r.json;
  eq(a.sentences.length, 2, 'two sentences');
  eq(bytes(text, a.sentences[0].start, a.sentences[0].end), 'Pésimo servicio, llegó tarde.');
  eq(a.sentences[0].label, 'negative');
  const neg = a.highlights.filter((h) => h.kind === 'negative').map((h) => bytes(text, h.start, h.end));
  ok(neg.some((w) => /Pésimo/.test(w)), `negative words ${neg}`);
  const theme = a.highlights.filter((h) => h.kind === 'theme');
  ok(theme.length > 0 && theme.every((h) => a.themes.includes(h.theme)), 'theme highlights name answered themes');
  for (let i = 1; i < a.highlights.length; i++) ok(a.highlights[i - 1].start <= a.highlights[i].start, 'ordered by start');
  eq(a.pii.map((p) => [p.kind, bytes(text, p.start, p.end)]),
    [['email', 'ana.gomez@example.com'], ['phone', '300 123 4567']]);
  eq(a.masked, 'Pésimo servicio, llegó tarde. Escríbanme a [correo] o al [teléfono]');
  const en = await analyze(ctx, { text: 'mail me at bob@example.com', lang: 'en' }, '?details=1');
  eq(en.json.masked, 'mail me at [email]', 'placeholders in the text\'s language');
  const plain = await analyze(ctx, { text }, '?details=false');
  ok(!('masked' in plain.json) && !('pii' in plain.json), 'no details unless asked');
});

test('a batch answers results in order', async (ctx) => {
  const texts = ['Excelente atención, muy amables', 'Terrible, never again', '', '¿Dónde está mi pedido?'];
  const r = await analyze(ctx, { texts });
  status(r, 200);
  eq(r.json.results.length, 4);
  eq(r.json.results.map((x) => x.sentiment.label), ['positive', 'negative', 'neutral', r.json.results[3].sentiment.label]);
  eq(r.json.results[0].lang, 'es');
  eq(r.json.results[1].lang, 'en');
  const d = await analyze(ctx, { texts: ['ok', 'mi correo: a@b.co'] }, '?details=true');
  status(d, 200);
  eq(d.json.results[1].pii.length, 1, 'details per text');
});

test('bad input: 422 naming the field, a bad text refuses the batch', async (ctx) => {
  const long = 'a'.repeat(64 * 1024 + 1);
  let r = await analyze(ctx, { texts: ['fine', 'also fine', 7, long] });
  status(r, 422);
  eq(r.headers.get('content-type'), 'application/problem+json');
  eq(fieldOf(r), ['texts[2]', 'texts[3]']);
  eq(r.json.errors.map((e) => e.index), [2, 3]);
  ok(/string/.test(r.json.errors[0].message) && /64|long|bytes/i.test(r.json.errors[1].message), JSON.stringify(r.json.errors));
  r = await analyze(ctx, { text: long });
  status(r, 422);
  eq(fieldOf(r), ['text']);
  const cases = [
    [{ text: 'a', texts: ['b'] }, 'texts'],
    [{}, 'text'],
    [{ lang: 'es' }, 'text'],
    [{ text: 5 }, 'text'],
    [{ text: 'a', lang: 'fr' }, 'lang'],
    [{ text: 'a', lang: 3 }, 'lang'],
    [{ texts: [] }, 'texts'],
    [{ texts: 'a' }, 'texts'],
    [{ texts: Array(1001).fill('x') }, 'texts'],
    [{ text: 'a', colour: 'red' }, 'colour'],
  ];
  for (const [json, field] of cases) {
    r = await analyze(ctx, json);
    status(r, 422, JSON.stringify(json).slice(0, 60));
    ok(fieldOf(r).includes(field), `${JSON.stringify(json).slice(0, 60)}: ${JSON.stringify(r.json.errors)}`);
  }
  r = await analyze(ctx, { text: 'a' }, '?details=maybe');
  status(r, 400);
  r = await call(ctx.base, 'POST', '/api/v1/text/analyze', { key: ctx.key, json: ['a'] });
  status(r, 422, 'an array body');
  r = await call(ctx.base, 'POST', '/api/v1/text/analyze', {
    key: ctx.key, type: 'application/json', body: Buffer.from([0x7b, 0x22, 0x74, 0x65, 0x78, 0x74, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]),
  });
  status(r, 400, 'invalid UTF-8 in the body');
  r = await call(ctx.base, 'POST', '/api/v1/text/analyze', { key: ctx.key, type: 'application/json', body: '{"text":"a\\u0000b"}' });
  status(r, 400, 'a NUL');
  r = await call(ctx.base, 'POST', '/api/v1/text/analyze', { key: ctx.key, type: 'text/plain', body: 'hola' });
  status(r, 415);
  r = await analyze(ctx, { text: 'still up' });
  status(r, 200, 'the server is still up');
});

test('every role may call it; no key may not', async (ctx) => {
  for (const role of ROLES) status(await analyze(ctx, { text: 'Muy bueno' }, '', ctx.keys[role]), 200, role);
  status(await call(ctx.base, 'POST', '/api/v1/text/analyze', { json: { text: 'x' } }), 401);
});

test('a batch of 1,000 texts', async (ctx) => {
  const samples = ['La entrega fue rapidísima, ¡gracias!', 'The price is too high and support never answered',
    'Muy caro para la calidad que ofrecen', 'Everything fine 👍', 'no me devolvieron el dinero'];
  const texts = Array.from({ length: 1000 }, (_, i) => `${samples[i % samples.length]} #${i}`);
  const r = await analyze(ctx, { texts });
  status(r, 200);
  eq(r.json.results.length, 1000);
  eq(r.json.results[0].sentiment.label, 'positive');
  eq(r.json.results[999].sentiment.label, r.json.results[4].sentiment.label, 'the same text, the same answer');
  ok(r.json.results.every((x) => x.sentiment.score >= -1 && x.sentiment.score <= 1), 'scores in range');
});

test('the server stops cleanly on SIGTERM', async (ctx) => {
  eq(await ctx.srv.stop('SIGTERM'), 0, 'exit 0 (under ASan: no leak)');
  ctx.stopped = true;
});

run(setup, async (ctx) => {
  if (ctx && !ctx.stopped) await ctx.srv.stop();
});
