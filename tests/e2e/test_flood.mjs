// test_flood.mjs - the public survey pages are limited per address and per
// link: a flood gets 429 with Retry-After; the API and other pages go on.
import { call, cxm, ok, run, startServer, status, test, testDb } from './lib.mjs';

const T = `fl-${process.pid}${Date.now() % 100000}`;

async function setup() {
  const db = testDb('flood');
  const srv = await startServer(db, ['--quiet', '--public-per-minute', '30']);
  cxm(db, ['tenant', 'create', T]);
  return { srv, base: srv.url };
}

test('a flood on the public page is slowed down with 429; the rest of the server is not', async ({ base }) => {
  const codes = [];
  for (let i = 0; i < 40; i++) codes.push((await call(base, 'GET', `/s/1.2.3.${i}`)).status);
  ok(codes.slice(0, 10).every((c) => c === 404), 'the first requests are answered (a bad link: 404)');
  ok(codes.filter((c) => c === 429).length >= 10, `then 429s: ${codes.join(',')}`);
  const r = await call(base, 'GET', '/s/1.2.3.99');
  status(r, 429);
  ok(Number(r.headers.get('retry-after')) >= 1, 'Retry-After');
  status(await call(base, 'GET', '/healthz'), 200, 'the server goes on');
  status(await call(base, 'GET', '/'), 200, 'the dashboard is not limited');
});

run(setup, async (ctx) => { if (ctx) await ctx.srv.stop(); });
