// dashboard.test.mjs - the dashboard in a real browser: Debian's chromium
// driven by playwright-core against a running `cxm serve` with the demo
// tenant. Prints TAP; each test leaves a screenshot in the output directory.
//
//   CXM_URL=http://127.0.0.1:PORT CXM_BROWSER_OUT=DIR node tests/browser/dashboard.test.mjs
//
// Expected texts are read from the server's own catalogue
// (GET /api/v1/messages), so a reworded entry does not break a test, while
// a page that shows the wrong language, or an id instead of a text, does.

import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { emailFlowTests } from './email-flow.test.mjs';
import { hostileTests } from './hostile.test.mjs';
import { overviewTests } from './overview.test.mjs';
import { surveyTests } from './surveys.test.mjs';
import { triggerTests } from './triggers.test.mjs';
import { widgetTests } from './widget.test.mjs';
import { anonymousTests } from './anonymous.test.mjs';
import { settingsTests } from './settings.test.mjs';
import { textTests } from './text.test.mjs';
import { journeyTests } from './journeys.test.mjs';

const BASE = (process.env.CXM_URL || 'http://127.0.0.1:8080').replace(/\/$/, '');
const OUT = process.env.CXM_BROWSER_OUT || 'build/browser';
const CHROMIUM = process.env.CXM_CHROMIUM || '/usr/bin/chromium';
const LOGIN = process.env.CXM_BROWSER_LOGIN || 'demo';
const EMAIL = process.env.CXM_BROWSER_EMAIL || 'demo@casavoltia.example';
const PASSWORD = process.env.CXM_BROWSER_PASSWORD || 'casavoltia-demo';
const ONLY = process.env.CXM_BROWSER_ONLY || '';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const TIMEOUT = 15000;

mkdirSync(OUT, { recursive: true });

const catalogues = {};
async function texts(lang) {
  if (!catalogues[lang]) {
    const res = await fetch(`${BASE}/api/v1/messages?lang=${lang}`);
    if (!res.ok) throw new Error(`GET /api/v1/messages?lang=${lang}: ${res.status}`);
    catalogues[lang] = await res.json();
  }
  return catalogues[lang];
}

function assert(cond, message) {
  if (!cond) throw new Error(message);
}

/**
 * A fresh browser (own user data dir, so no cookie or storage is shared
 * between tests) and one page; JavaScript errors and CSP violations on the
 * page are collected and fail the test.
 */
async function openBrowser(options = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'cxm-chromium-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    locale: 'en-US',
    viewport: options.viewport || { width: 1280, height: 800 },
    isMobile: !!options.isMobile,
    hasTouch: !!options.isMobile,
  });
  const page = context.pages()[0] || (await context.newPage());
  page.setDefaultTimeout(TIMEOUT);
  const problems = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !/status of 4\d\d/.test(msg.text())) problems.push(`console error: ${msg.text()}`);
  });
  return {
    page,
    problems,
    async close() {
      await context.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function login(page, who = LOGIN, password = PASSWORD) {
  await page.goto(`${BASE}/`);
  await page.locator('#login').fill(who);
  await page.locator('#password').fill(password);
  await page.locator('form.login-form button[type=submit]').click();
}

async function loginOk(page, who) {
  await login(page, who);
  await page.locator('nav#nav').waitFor({ state: 'attached' });
  await page.locator('main#main').waitFor();
}

/** The language the page shows now, and its catalogue. */
async function shownTexts(page) {
  const lang = await page.evaluate(() => document.documentElement.lang);
  return { lang, m: await texts(lang) };
}

async function navTexts(page) {
  return page.locator('nav#nav a').allTextContents();
}

async function chooseLanguage(page, lang) {
  const m = await texts(lang);
  await page.locator('#lang').selectOption(lang);
  await page.locator('nav#nav a[data-section="customers"]', { hasText: m.MSG_WEB_NAV_CUSTOMERS }).waitFor();
  await page.waitForFunction((l) => document.documentElement.lang === l, lang);
}

const tests = [];
function test(name, fn, options) {
  tests.push({ name, fn, options });
}

test('log in with the username shows the dashboard in the saved language', async ({ page }) => {
  await loginOk(page);
  const { m } = await shownTexts(page);
  const nav = await navTexts(page);
  const want = ['OVERVIEW', 'CUSTOMERS', 'SURVEYS', 'TRIGGERS', 'JOURNEYS', 'TEXT', 'CASES', 'SETTINGS'].map((k) => m[`MSG_WEB_NAV_${k}`]);
  assert(JSON.stringify(nav) === JSON.stringify(want), `navigation ${JSON.stringify(nav)}, want ${JSON.stringify(want)}`);
  // an unbuilt section says so plainly
  await page.locator('nav#nav a[data-section="cases"]').click();
  await page.locator('main#main .not-built', { hasText: m.MSG_WEB_NOT_BUILT }).waitFor();
  const body = await page.locator('body').innerText();
  assert(!/MSG_WEB_/.test(body), `a catalogue id is shown instead of its text: ${body}`);
});

test('log in with the email works too', async ({ page }) => {
  await loginOk(page, EMAIL);
});

test('search and open a customer: profile and timeline newest first', async ({ page }) => {
  await loginOk(page);
  await page.locator('nav#nav a[data-section="customers"]').click();
  const rows = page.locator('ul.customer-list a.customer-row');
  await rows.first().waitFor();
  assert((await rows.count()) > 0, 'the customer list is empty');
  // search for the email of the third customer listed: that customer is found
  const third = rows.nth(2);
  const name = (await third.locator('.customer-name').textContent()).trim();
  const details = await third.locator('.customer-detail').allTextContents();
  const email = details.find((d) => d.includes('@'));
  assert(email, `no email among ${JSON.stringify(details)}`);
  await page.locator('#customer-q').fill(email);
  await page.locator('form.search button[type=submit]').click();
  await page.waitForFunction((e) => {
    const r = [...document.querySelectorAll('ul.customer-list a.customer-row')];
    return r.length > 0 && r.every((a) => a.textContent.includes(e));
  }, email);
  assert(page.url().includes(`q=${encodeURIComponent(email)}`), `the search is not in the URL: ${page.url()}`);
  await rows.first().click();
  await page.locator('h1.customer-title', { hasText: name }).waitFor();
  await page.locator('ul.identities li', { hasText: email }).first().waitFor();
  const events = page.locator('ol.timeline li.event');
  await events.first().waitFor();
  const times = await page.locator('ol.timeline li.event time').evaluateAll((ts) => ts.map((t) => t.getAttribute('datetime')));
  assert(times.length > 0, 'the timeline shows no event');
  for (let i = 1; i < times.length; i++) {
    assert(Date.parse(times[i - 1]) >= Date.parse(times[i]), `timeline not newest first: ${times[i - 1]} before ${times[i]}`);
  }
  // "show more" adds older events when there are more
  const more = page.locator('.timeline-card button.more');
  if (await more.isVisible()) {
    const before = await events.count();
    await more.click();
    await page.waitForFunction((n) => document.querySelectorAll('ol.timeline li.event').length > n, before);
  }
  // the back link returns to the search
  await page.locator('p.back a').click();
  await rows.first().waitFor();
});

test('switch language: texts change to Spanish and stay after reload', async ({ page, shot }) => {
  await loginOk(page);
  const en = await texts('en');
  const es = await texts('es');
  await chooseLanguage(page, 'en');
  assert((await navTexts(page)).includes(en.MSG_WEB_NAV_CUSTOMERS), 'English navigation not shown');
  await chooseLanguage(page, 'es');
  let nav = await navTexts(page);
  assert(nav.includes('Clientes') && nav.includes(es.MSG_WEB_NAV_SETTINGS), `Spanish navigation not shown: ${nav}`);
  assert((await page.locator('button.logout').textContent()) === es.MSG_WEB_LOGOUT, 'the sign-out button is not in Spanish');
  await page.reload();
  await page.locator('nav#nav a[data-section="customers"]', { hasText: 'Clientes' }).waitFor();
  nav = await navTexts(page);
  assert(!nav.includes(en.MSG_WEB_NAV_OVERVIEW), `English text after reload: ${nav}`);
  assert((await page.evaluate(() => document.documentElement.lang)) === 'es', 'html lang is not es after reload');
  await shot('spanish-after-reload');
  // leave the demo user as the other tests expect to find it
  await chooseLanguage(page, 'en');
});

test('log out ends the session', async ({ page }) => {
  await loginOk(page);
  await page.locator('button.logout').click();
  await page.locator('form.login-form #login').waitFor();
  const res = await page.request.get(`${BASE}/api/v1/session`);
  assert(res.status() === 401, `GET /api/v1/session after logout answered ${res.status()}`);
  await page.reload();
  await page.locator('form.login-form #login').waitFor();
  assert((await page.locator('nav#nav').count()) === 0, 'navigation shown after logout and reload');
});

test('a bad password shows the error and stays on the login page', async ({ page }) => {
  await login(page, LOGIN, 'not-the-password');
  const error = page.locator('#login-error');
  await error.waitFor();
  const text = (await error.textContent()).trim();
  assert(text.length > 0, 'the error is empty');
  assert(!/MSG_WEB_/.test(text), `the error shows an id: ${text}`);
  await page.locator('#password').waitFor();
  assert((await page.locator('nav#nav').count()) === 0, 'navigation shown after a bad password');
});

test('what a customer wrote is shown as text, never run as HTML', async ({ page }) => {
  await loginOk(page);
  const session = await (await page.request.get(`${BASE}/api/v1/session`)).json();
  const hostile = '<img src=x onerror="window.__xss=1">Eve</b>';
  const body = { external_id: `XSS-${Date.now()}`, first_name: hostile, last_name: '<script>window.__xss=2</script>' };
  const refused = await page.request.post(`${BASE}/api/v1/customers`, { data: body });
  assert(refused.status() === 403, `a POST without X-CSRF-Token answered ${refused.status()}`);
  const res = await page.request.post(`${BASE}/api/v1/customers`, {
    data: body, headers: { 'X-CSRF-Token': session.csrf_token },
  });
  assert(res.status() === 201 || res.status() === 200, `POST /api/v1/customers answered ${res.status()}`);
  const c = await res.json();
  await page.goto(`${BASE}/#/customers/${encodeURIComponent(c.id)}`);
  const title = page.locator('h1.customer-title');
  await title.waitFor();
  const shown = await title.textContent();
  assert(shown === `${body.first_name} ${body.last_name}`, `title shows ${JSON.stringify(shown)}`);
  assert((await page.locator('main img, main script, main b').count()) === 0, 'customer text became markup');
  assert((await page.evaluate(() => window.__xss)) === undefined, 'customer text ran as script');
});

test('on a phone the menu opens the navigation', async ({ page }) => {
  await loginOk(page);
  const nav = page.locator('nav#nav');
  assert(!(await nav.isVisible()), 'navigation open before the menu is used');
  await page.locator('button.menu-toggle').click();
  await nav.waitFor({ state: 'visible' });
  await page.locator('nav#nav a[data-section="customers"]').click();
  await page.locator('ul.customer-list a.customer-row').first().waitFor();
  assert(!(await nav.isVisible()), 'navigation still open after choosing a section');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  assert(!overflow, 'the page is wider than the phone screen');
}, { viewport: { width: 390, height: 844 }, isMobile: true });

surveyTests(test, { BASE, texts, assert, loginOk, openBrowser, chooseLanguage });
hostileTests(test, { BASE, assert, loginOk, openBrowser });
overviewTests(test, { BASE, assert, loginOk });
textTests(test, { BASE, texts, assert, loginOk, chooseLanguage });
journeyTests(test, { BASE, texts, assert, loginOk, chooseLanguage });
emailFlowTests(test, { BASE, assert, loginOk, openBrowser, LOGIN, PASSWORD });
widgetTests(test, { BASE, texts, assert, LOGIN, PASSWORD });
anonymousTests(test, { BASE, texts, assert, loginOk, openBrowser, chooseLanguage });

triggerTests(test, { BASE, texts, assert, loginOk, chooseLanguage });
settingsTests(test, { texts, assert });

// Last on purpose: it makes the server refuse sign-ins from this address for a while.
test('too many failed sign-ins show how long to wait', async ({ page }) => {
  await page.goto(`${BASE}/`);
  await page.locator('#login').fill(`nobody-${Date.now()}`);
  const submit = page.locator('form.login-form button[type=submit]');
  let refused = null;
  for (let i = 0; i < 60 && !refused; i++) {
    await page.locator('#password').fill(`wrong-${i}`);
    const [res] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/v1/session') && r.request().method() === 'POST'),
      submit.click(),
    ]);
    if (res.status() === 429) refused = res;
    else assert(res.status() === 401, `a failed sign-in answered ${res.status()}`);
    await page.locator('#login-error').waitFor();
  }
  assert(refused, 'no 429 after 60 failed sign-ins');
  const m = (await shownTexts(page)).m;
  const error = (await page.locator('#login-error').textContent()).trim();
  const wait = refused.headers()['retry-after'];
  if (wait && /^\d+$/.test(wait) && Number(wait) > 1) {
    const prefix = m.MSG_WEB_LOGIN_WAIT.split('{seconds}')[0];
    assert(error.startsWith(prefix) && /\d/.test(error), `the wait is not shown: ${error}`);
    assert(await submit.isDisabled(), 'the sign-in button is usable while waiting');
  } else {
    assert(error.length > 0, 'no message after 429');
  }
});

function slug(s) {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60);
}

async function main() {
  const run = tests.filter((t) => !ONLY || t.name.includes(ONLY));
  console.log(`1..${run.length}`);
  let failed = 0;
  for (const [i, t] of run.entries()) {
    const n = i + 1;
    let b = null;
    let error = null;
    try {
      b = await openBrowser(t.options);
      const page = b.page;
      // shot(label[, otherPage]): an extra screenshot in the middle of a test
      b.shot = (label, p = page) => p.screenshot({ path: join(OUT, `${String(n).padStart(2, '0')}-${slug(label)}.png`), fullPage: true });
      await t.fn(b);
      if (b.problems.length) throw new Error(b.problems.join('\n'));
    } catch (err) {
      error = err;
    }
    if (b) {
      const shot = join(OUT, `${String(n).padStart(2, '0')}-${slug(t.name)}.png`);
      try {
        await b.page.screenshot({ path: shot, fullPage: true });
      } catch (err) {
        if (!error) error = new Error(`screenshot ${shot}: ${err.message}`);
      }
      await b.close().catch(() => {});
    }
    if (error) {
      failed++;
      console.log(`not ok ${n} - ${t.name}`);
      for (const line of String(error.stack || error).split('\n').slice(0, 12)) console.log(`#   ${line}`);
    } else {
      console.log(`ok ${n} - ${t.name}`);
    }
  }
  process.exit(failed ? 1 : 0);
}

main().catch((err) => {
  console.log(`not ok - the test runner failed: ${err.message}`);
  process.exit(1);
});
