// test_durability.mjs - a 2xx means committed: a client streams events while
// the server is killed with SIGKILL; after a restart every acknowledged
// event is stored exactly once, and resending everything stores nothing
// twice.
import { call, cxm, ok, eq, run, startServer, test, testDb } from './lib.mjs';

const T = `dur-${process.pid}${Date.now() % 100000}`;

async function setup() {
  const db = testDb('durability');
  cxm(db, ['tenant', 'create', T]);
  const key = cxm(db, ['key', 'create', '--role', 'admin', '--tenant', T]).trim();
  return { db, key };
}

const batchOf = (b, n) => Array.from({ length: n }, (_, i) => ({
  id: `k-${b}-${i}`, external_id: `K-${(b * 7 + i) % 50}`, type: 'page_view', channel: 'web',
  ts: new Date(Date.UTC(2026, 0, 1) + (b * n + i) * 1000).toISOString(),
}));

test('SIGKILL while clients stream: every acknowledged event is stored exactly once', async ({ db, key }) => {
  const srv = await startServer(db, ['--quiet']);
  const acked = new Set();
  const sent = [];
  let stop = false;
  // four clients streaming batches of 20 until the server dies
  const client = async (c) => {
    for (let b = c; !stop; b += 4) {
      const batch = batchOf(b, 20);
      sent.push(batch);
      try {
        const r = await call(srv.url, 'POST', '/api/v1/events', { key, json: batch });
        if (r.status === 202) batch.forEach((e) => acked.add(e.id));
      } catch { return; } // connection refused or reset: the server is gone
    }
  };
  const clients = [0, 1, 2, 3].map(client);
  await new Promise((r) => setTimeout(r, 1500));
  process.kill(srv.pid, 'SIGKILL');
  await srv.stop('SIGKILL');
  stop = true;
  await Promise.all(clients);
  ok(acked.size >= 100, `the clients got answers before the kill (${acked.size})`);

  const srv2 = await startServer(db, ['--quiet']);
  try {
    // resend everything that was sent: acknowledged events must all be
    // duplicates, and afterwards every event exists once
    let dup = 0, accepted = 0;
    for (const batch of sent) {
      const r = await call(srv2.url, 'POST', '/api/v1/events', { key, json: batch });
      eq(r.status, 202);
      dup += r.json.duplicates;
      accepted += r.json.accepted;
      for (let i = 0; i < batch.length; i++) if (acked.has(batch[i].id)) ok(true);
    }
    ok(dup >= acked.size, `every acknowledged event was already stored (${dup} duplicates, ${acked.size} acknowledged)`);
    eq(dup + accepted, sent.length * 20, 'each event counted once');
  } finally {
    await srv2.stop();
  }
  // exactly once, by the export: no source id twice, every acked id present
  const out = cxm(db, ['export', 'events', '--format', 'jsonl', '--tenant', T]);
  const ids = out.trim().split('\n').map((l) => JSON.parse(l).id);
  eq(new Set(ids).size, ids.length, 'no event stored twice');
  const have = new Set(ids);
  for (const id of acked) ok(have.has(id), `acknowledged ${id} is stored`);
});

test('SIGTERM while clients stream: the server exits 0 and every acknowledged event is stored', async ({ db, key }) => {
  const srv = await startServer(db, ['--quiet']);
  const acked = [];
  let stop = false;
  const client = async (c) => {
    for (let b = 10000 + c; !stop; b += 4) {
      const batch = batchOf(b, 20);
      try {
        const r = await call(srv.url, 'POST', '/api/v1/events', { key, json: batch });
        if (r.status === 202) acked.push(...batch.map((e) => e.id));
        else if (r.status !== 503) throw new Error(`unexpected ${r.status}`);
      } catch (e) {
        if (String(e).includes('unexpected')) throw e;
        return; // the server closed the connection: it is stopping
      }
    }
  };
  const clients = [0, 1, 2, 3].map(client);
  await new Promise((r) => setTimeout(r, 1000));
  const t0 = Date.now();
  const code = await srv.stop('SIGTERM');
  stop = true;
  await Promise.all(clients);
  eq(code, 0, 'exit status');
  ok(Date.now() - t0 < 20000, 'stopped in time');
  ok(acked.length > 100, `clients were answered (${acked.length})`);
  const out = cxm(db, ['export', 'events', '--format', 'jsonl', '--tenant', T]);
  const have = new Set(out.trim().split('\n').map((l) => JSON.parse(l).id));
  for (const id of acked) ok(have.has(id), `acknowledged ${id} is stored`);
});

run(setup);
