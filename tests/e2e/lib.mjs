// lib.mjs - what the end-to-end tests share: the cxm CLI, a real `cxm serve`
// on a free loopback port, an HTTP client, and a small TAP runner.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CXM = process.env.CXM || './cxm';
export const TMP = process.env.CXM_TEST_TMP || mkdtempSync(join(tmpdir(), 'cxm-e2e-'));

// The database the tests use: $CXM_TEST_DB (a PostgreSQL URL or sqlite:PATH),
// else a fresh SQLite file in TMP.
export function testDb(name = 'e2e') {
  const db = process.env.CXM_TEST_DB;
  if (db && !db.startsWith('sqlite:')) return db;
  return `sqlite:${join(TMP, `${name}-${process.pid}-${Date.now()}.db`)}`;
}

// Runs the CLI; returns stdout. Throws with stderr on a non-zero exit.
export function cxm(db, args, input) {
  try {
    return execFileSync(CXM, [...args, '--db', db], {
      input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, CXM_LANG: 'en' },
      maxBuffer: 1 << 30,
    });
  } catch (e) {
    throw new Error(`cxm ${args.join(' ')}: ${e.stderr || e.message}`);
  }
}

// Starts `cxm serve` on 127.0.0.1 with a free port; resolves when it listens.
export function startServer(db, extra = []) {
  return new Promise((resolve, reject) => {
    const proc = spawn(CXM, ['serve', '--db', db, '--listen', '127.0.0.1:0', ...extra], {
      stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, CXM_LANG: 'en' },
    });
    let log = '';
    const timer = setTimeout(() => { proc.kill('SIGKILL'); reject(new Error(`server did not start: ${log}`)); }, 15000);
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', (d) => {
      log += d;
      const m = log.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m && !proc.url) {
        clearTimeout(timer);
        proc.url = m[1];
        resolve(proc);
      }
    });
    proc.logText = () => log;
    proc.on('exit', (code, sig) => {
      proc.exitCode_ = code; proc.exitSignal = sig;
      if (!proc.url) { clearTimeout(timer); reject(new Error(`server exited (${code ?? sig}): ${log}`)); }
    });
    proc.stop = (signal = 'SIGTERM') => new Promise((res) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return res(proc.exitCode);
      proc.once('exit', (code) => res(code));
      proc.kill(signal);
    });
  });
}

// One HTTP call. opts: key, session ({cookie, csrf}), json, body, type, headers, csrf (false: omit).
export async function call(base, method, path, opts = {}) {
  const headers = { ...(opts.headers || {}) };
  if (opts.key) headers.authorization = `Bearer ${opts.key}`;
  if (opts.session) {
    headers.cookie = opts.session.cookie;
    if (opts.csrf !== false && method !== 'GET') headers['x-csrf-token'] = opts.session.csrf;
  }
  let body = opts.body;
  if (opts.json !== undefined) {
    body = JSON.stringify(opts.json);
    headers['content-type'] = 'application/json';
  }
  if (opts.type) headers['content-type'] = opts.type;
  let res;
  try {
    res = await fetch(base + path, { method, headers, body, redirect: 'manual' });
  } catch (e) {
    // fetch keeps connections alive; a server with a short --timeout may
    // close one just as it is reused. A GET is safe to send again, once.
    if (method !== 'GET') throw e;
    res = await fetch(base + path, { method, headers, body, redirect: 'manual' });
  }
  const text = await res.text();
  let json;
  try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
  return { status: res.status, headers: res.headers, text, json };
}

// Signs in; returns {cookie, csrf, me}.
export async function login(base, loginName, password, tenant) {
  const r = await call(base, 'POST', '/api/v1/session', { json: { login: loginName, password, ...(tenant ? { tenant } : {}) } });
  if (r.status !== 200) throw new Error(`login ${loginName}: ${r.status} ${r.text}`);
  const cookie = r.headers.get('set-cookie').split(';')[0];
  return { cookie, csrf: r.json.csrf_token, me: r.json };
}

// ---- a TAP runner ------------------------------------------------------
const tests = [];
export function test(name, fn) { tests.push({ name, fn }); }
/* The last test of a file whose server is ctx.srv: SIGTERM, exit 0, and no
 * sanitizer report in its log (the ASan run). */
export function testStopsCleanly() {
  test('the server stops cleanly (no sanitizer report under ASan)', async (ctx) => {
    const code = await ctx.srv.stop();
    const log = ctx.srv.logText();
    ok(code === 0, `exit ${code}: ${log.slice(-2000)}`);
    ok(!/Sanitizer/.test(log), log.slice(-2000));
  });
}

export class AssertionError extends Error {}
export function ok(cond, msg) { if (!cond) throw new AssertionError(msg || 'assertion failed'); }
export function eq(a, b, msg) {
  const sa = JSON.stringify(a), sb = JSON.stringify(b);
  if (sa !== sb) throw new AssertionError(`${msg ? msg + ': ' : ''}expected ${sb}, got ${sa}`);
}
export function status(r, want, msg) {
  if (r.status !== want) throw new AssertionError(`${msg ? msg + ': ' : ''}expected HTTP ${want}, got ${r.status} ${r.text.slice(0, 400)}`);
}

export async function run(setup, teardown) {
  let n = 0, failed = 0;
  let ctx;
  try {
    ctx = setup ? await setup() : undefined;
  } catch (e) {
    console.log('1..1');
    console.log(`not ok 1 - setup\n  # ${String(e.stack || e).split('\n').join('\n  # ')}`);
    process.exit(1);
  }
  console.log(`1..${tests.length}`);
  for (const t of tests) {
    n++;
    try {
      await t.fn(ctx);
      console.log(`ok ${n} - ${t.name}`);
    } catch (e) {
      failed++;
      console.log(`not ok ${n} - ${t.name}\n  # ${String(e.stack || e).split('\n').slice(0, 6).join('\n  # ')}`);
    }
  }
  if (teardown) await teardown(ctx);
  process.exit(failed ? 1 : 0);
}
