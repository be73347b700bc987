// settings.test.mjs - the Settings page in a real browser (registered by
// dashboard.test.mjs). Each test has its own demo tenant and server, so the
// bands it changes never colour another test's Overview. An admin moves the
// NPS green threshold so the demo's NPS changes colour, sees it kept after a
// reload and on the Overview's gauge, is refused a band with amber above
// green (the server's reason next to the field, nothing saved), restores the
// defaults, edits contact fatigue and the web snippet's origins; a viewer
// and an analyst get read-only inputs and no web section; at phone width
// nothing is wider than the screen. An admin sets the journey maps' friction
// weights and colours, is refused weights that do not add up to 1 (the
// reason next to the weights, nothing saved) and restores the defaults.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { cxm, startServer } from '../e2e/lib.mjs';

const OUT = process.env.CXM_BROWSER_OUT || 'build/browser';
const PASSWORDS = { 'laura.martin': 'admin-settings-1', 'diego.rojas': 'analyst-settings-1', vera: 'viewer-settings-1' };

/** A fresh demo tenant with an admin, an analyst and a viewer who can sign in; its server. */
async function tenant(name) {
  mkdirSync(OUT, { recursive: true });
  const db = `sqlite:${join(OUT, `settings-${name}-${Date.now()}.db`)}`;
  cxm(db, ['demo', '--customers', '200']);
  cxm(db, ['user', 'add', 'vera', '--role', 'viewer', '--password-stdin'], `${PASSWORDS.vera}\n`);
  cxm(db, ['user', 'passwd', 'laura.martin'], `${PASSWORDS['laura.martin']}\n`);
  cxm(db, ['user', 'passwd', 'diego.rojas'], `${PASSWORDS['diego.rojas']}\n`);
  return startServer(db, ['--quiet']);
}

/**
 * Runs FN(server) on a fresh tenant's server, then stops it; a server that
 * does not exit cleanly (a crash, or a sanitizer's report in an ASan build) fails the test.
 */
async function withTenant(name, fn) {
  const srv = await tenant(name);
  let code;
  try {
    await fn(srv);
  } finally {
    code = await srv.stop();
  }
  if (code !== 0) throw new Error(`cxm serve exited with ${code ?? srv.signalCode}:\n${srv.logText().slice(-2000)}`);
}

async function signIn(page, base, who) {
  await page.goto(`${base}/`);
  await page.locator('#login').fill(who);
  await page.locator('#password').fill(PASSWORDS[who]);
  await page.locator('form.login-form button[type=submit]').click();
  await page.locator('nav#nav').waitFor({ state: 'attached' });
}

/** GET PATH as the signed-in page. */
function apiGet(page, path) {
  return page.evaluate(async (p) => (await import('/api.js')).api('GET', p), path);
}

/** The Overview's NPS for its default 90 days, as the page asks for it. */
function overviewNps(page) {
  return page.evaluate(async () => {
    const day = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
    const to = new Date();
    to.setDate(to.getDate() + 1);
    const from = new Date(to);
    from.setDate(from.getDate() - 90);
    return (await (await import('/api.js')).api('GET', `/api/v1/metrics/nps?from=${day(from)}&to=${day(to)}&compare=previous`)).overall;
  });
}

async function openSettings(page, base) {
  await page.goto(`${base}/#/settings`);
  await page.locator('.bands-form:not([hidden]) #band-nps-green').waitFor();
  await page.locator('.fatigue-form:not([hidden]) #fatigue-days').waitFor();
}

export function settingsTests(test, { texts, assert }) {
  test('settings: an admin changes the NPS bands, the Overview follows; a bad band is refused by field; defaults; fatigue; web snippet', async ({ page, shot }) => {
    const en = await texts('en');
    await withTenant('admin', async (srv) => {
      const base = srv.url;
      await signIn(page, base, 'laura.martin');
      await page.locator('#lang').selectOption('en');
      await page.waitForFunction(() => document.documentElement.lang === 'en');
      await openSettings(page, base);
      assert(await page.locator('main#main h1', { hasText: en.MSG_WEB_NAV_SETTINGS }).count() === 1, 'no Settings heading');
      assert(await page.locator('.settings-read-only').count() === 0, 'an admin is told the settings are read-only');

      // the inputs show the server's bands (a fresh tenant: its defaults)
      const stored = (await apiGet(page, '/api/v1/settings/metrics')).bands;
      for (const m of ['nps', 'csat', 'ces']) {
        for (const part of ['amber', 'green']) {
          const v = await page.locator(`#band-${m}-${part}`).inputValue();
          assert(Number(v) === stored[m][part], `${m}.${part} shows ${v}, the API ${stored[m][part]}`);
          assert(!(await page.locator(`#band-${m}-${part}`).getAttribute('readonly') !== null), `${m}.${part} is read-only for an admin`);
        }
      }
      // the preview names the ranges in words, not by colour alone
      const npsLegend = page.locator('fieldset[data-metric="nps"] .band-legend li');
      assert(await npsLegend.count() === 3, 'the NPS preview does not list red, amber and green');
      assert((await npsLegend.nth(0).innerText()).trim() === en.MSG_WEB_SET_RED_RANGE.replace('{to}', String(stored.nps.amber)),
        `red range ${await npsLegend.nth(0).innerText()}`);
      assert((await npsLegend.nth(2).innerText()).trim() === en.MSG_WEB_SET_GREEN_RANGE.replace('{from}', String(stored.nps.green)),
        `green range ${await npsLegend.nth(2).innerText()}`);

      // move the green threshold across the demo's NPS, so its colour changes
      const before = await overviewNps(page);
      assert(before.n > 0 && before.colour, `the demo has no NPS to colour: ${JSON.stringify(before)}`);
      let green;
      let want;
      if (before.colour === 'green') {
        green = Math.min(100, Math.ceil(before.score) + 1);
        want = 'amber';
      } else if (before.colour === 'amber') {
        green = Math.max(stored.nps.amber, Math.floor(before.score) - 1);
        want = 'green';
      } else {
        throw new Error(`the demo's NPS ${before.score} is red: moving green cannot change it`);
      }
      await page.locator('#band-nps-green').fill(String(green));
      // the preview follows the typing, before anything is saved
      await page.locator('fieldset[data-metric="nps"] .band-legend li[data-colour="green"]',
        { hasText: en.MSG_WEB_SET_GREEN_RANGE.replace('{from}', String(green)) }).waitFor();
      await page.locator('button.bands-save').click();
      await page.locator('#settings-bands .settings-result [role=status]', { hasText: en.MSG_WEB_SET_SAVED }).waitFor();
      assert((await apiGet(page, '/api/v1/settings/metrics')).bands.nps.green === green, 'the new green threshold is not stored');

      // kept after a reload
      await page.reload();
      await openSettings(page, base);
      assert(Number(await page.locator('#band-nps-green').inputValue()) === green, 'the threshold was not kept');
      await shot('settings-desktop');

      // the Overview colours the same NPS with the new band
      await page.locator('nav#nav a[data-section="overview"]').click();
      await page.locator('.ov-body[data-charts="drawn"]').waitFor();
      const head = page.locator('section.ov-headline');
      const after = await overviewNps(page);
      assert(after.score === before.score && after.colour === want, `the API colours ${after.score} ${after.colour}, want ${want}`);
      assert(await head.getAttribute('data-colour') === want, `the Overview shows ${await head.getAttribute('data-colour')}, want ${want}`);
      assert(await head.locator(`.nps-badge.${want}`).count() === 1, 'the score badge is not in the new colour');
      assert(await page.locator('.nps-gauge').getAttribute('data-green') === String(green), 'the gauge does not draw the new band');
      await shot('settings-overview-after');

      // amber above green: the server's reason next to the NPS band, nothing saved
      await page.locator('nav#nav a[data-section="settings"]').click();
      await page.locator('.bands-form:not([hidden]) #band-nps-green').waitFor();
      await page.locator('#band-nps-amber').fill('60');
      await page.locator('#band-nps-green').fill('40');
      await page.locator('button.bands-save').click();
      const npsError = page.locator('[data-error-for="bands.nps"]');
      await npsError.waitFor();
      const reason = (await npsError.innerText()).trim();
      assert(reason.includes('60') && reason.includes('40'), `the reason shown: ${reason}`);
      assert(await page.locator('#settings-bands .settings-result [role=alert]', { hasText: en.MSG_WEB_SET_NOT_SAVED }).count() === 1,
        'no alert that nothing was saved');
      assert(await page.locator('#band-nps-amber').getAttribute('aria-invalid') === 'true', 'the amber input is not marked invalid');
      const kept = (await apiGet(page, '/api/v1/settings/metrics')).bands.nps;
      assert(kept.amber === stored.nps.amber && kept.green === green, `something was saved: ${JSON.stringify(kept)}`);
      // out of range: the reason next to that very input
      await page.locator('#band-nps-amber').fill(String(stored.nps.amber));
      await page.locator('#band-nps-green').fill(String(green));
      await page.locator('#band-csat-green').fill('150');
      await page.locator('button.bands-save').click();
      await page.locator('[data-error-for="bands.csat.green"]:not([hidden])').waitFor();
      assert(await npsError.isHidden(), 'the old NPS reason is still shown');
      assert((await apiGet(page, '/api/v1/settings/metrics')).bands.csat.green === stored.csat.green, 'an out-of-range band was saved');

      // restore defaults: what the server fills in for an empty setting
      page.once('dialog', (d) => d.accept());
      await page.locator('button.bands-defaults').click();
      await page.locator('#settings-bands .settings-result [role=status]', { hasText: en.MSG_WEB_SET_DEFAULTS_DONE }).waitFor();
      const defaults = (await apiGet(page, '/api/v1/settings/metrics')).bands;
      assert(JSON.stringify(defaults) === JSON.stringify({ nps: { amber: 0, green: 50 }, csat: { amber: 70, green: 85 }, ces: { amber: 4.5, green: 5.5 } }),
        `defaults ${JSON.stringify(defaults)}`);
      for (const m of ['nps', 'csat', 'ces']) {
        for (const part of ['amber', 'green']) {
          assert(Number(await page.locator(`#band-${m}-${part}`).inputValue()) === defaults[m][part], `${m}.${part} not restored`);
        }
      }
      assert(await page.locator('.bands-form .field-error:not([hidden])').count() === 0, 'a reason is still shown after restoring');

      // contact fatigue: days and an exclusion
      await page.locator('#fatigue-days').fill('400');
      await page.locator('button.fatigue-save').click();
      await page.locator('[data-error-for="fatigue_days"]:not([hidden])').waitFor();
      assert((await apiGet(page, '/api/v1/settings/surveys')).fatigue_days === 30, 'a refused fatigue was saved');
      await page.locator('#fatigue-days').fill('14');
      await page.locator('button.exclude-add').click();
      await page.locator('#exclude-attribute-0').fill('segment');
      await page.locator('#exclude-value-0').fill('vip');
      await page.locator('button.fatigue-save').click();
      await page.locator('#settings-fatigue .settings-result [role=status]', { hasText: en.MSG_WEB_SET_SAVED }).waitFor();
      const fatigue = await apiGet(page, '/api/v1/settings/surveys');
      assert(fatigue.fatigue_days === 14 && JSON.stringify(fatigue.exclude) === '[{"attribute":"segment","value":"vip"}]',
        `fatigue stored ${JSON.stringify(fatigue)}`);
      // an exclusion without an attribute: refused by the server, shown on its row
      await page.locator('button.exclude-add').click();
      await page.locator('#exclude-value-1').fill('gold');
      await page.locator('button.fatigue-save').click();
      await page.locator('li.exclude-row').nth(1).locator('[data-error-for="exclude[1]"]:not([hidden])').waitFor();
      await page.locator('li.exclude-row').nth(1).locator('button.exclude-remove').click();
      await page.locator('li.exclude-row').nth(0).locator('button.exclude-remove').click();
      await page.locator('.exclude-none:not([hidden])').waitFor();
      await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/api/v1/settings/surveys') && r.request().method() === 'PUT' && r.ok()),
        page.locator('button.fatigue-save').click(),
      ]);
      const cleared = await apiGet(page, '/api/v1/settings/surveys');
      assert(cleared.fatigue_days === 14 && cleared.exclude.length === 0, `after removing: ${JSON.stringify(cleared)}`);

      // the web snippet: the key and the tag as the API gives them, the secret only on request
      const web = await apiGet(page, '/api/v1/settings/web');
      await page.locator('#settings-web .web-site-key').waitFor();
      assert((await page.locator('#settings-web .web-site-key').innerText()).trim() === web.site_key, 'the site key');
      assert(await page.locator('pre.snippet code').textContent() === web.snippet, 'the tag to paste');
      assert(web.snippet.includes(web.site_key), 'the tag does not carry the key');
      assert(!(await page.locator('#web-secret').textContent()).includes(web.identity_secret), 'the secret is shown before asking');
      await page.locator('button.web-secret-toggle').click();
      assert(await page.locator('#web-secret').textContent() === web.identity_secret, 'the secret is not shown on request');
      assert(await page.locator('button.web-secret-toggle').getAttribute('aria-pressed') === 'true', 'the toggle is not pressed');
      await page.locator('button.web-secret-toggle').click();
      assert(!(await page.locator('#web-secret').textContent()).includes(web.identity_secret), 'the secret is not hidden again');
      await page.locator('button.web-copy').click();
      await page.locator('.copy-result [role=status]').waitFor();
      // origins, one per line: a bad one is named by the server, then a good list is kept
      await page.locator('#web-origins').fill('https://shop.example\nftp://nope');
      await page.locator('button.web-save').click();
      const originError = page.locator('[data-error-for="allowed_origins"]:not([hidden])');
      await originError.waitFor();
      assert((await originError.innerText()).includes('ftp://nope'), `origin reason ${await originError.innerText()}`);
      assert((await apiGet(page, '/api/v1/settings/web')).allowed_origins.length === 0, 'a refused list was saved');
      await page.locator('#web-origins').fill('https://shop.example\n\nhttps://www.shop.example\n');
      await page.locator('button.web-save').click();
      await page.locator('#settings-web .settings-result [role=status]', { hasText: en.MSG_WEB_SET_SAVED }).waitFor();
      assert(JSON.stringify((await apiGet(page, '/api/v1/settings/web')).allowed_origins) ===
        '["https://shop.example","https://www.shop.example"]', 'the origins are not stored');
      assert(await page.locator('#web-origins').inputValue() === 'https://shop.example\nhttps://www.shop.example', 'the origins shown');

      // every input has a label
      const unlabelled = await page.evaluate(() => [...document.querySelectorAll('main input, main textarea')]
        .filter((i) => !i.labels.length && !i.getAttribute('aria-label')).map((i) => i.id || i.name));
      assert(!unlabelled.length, `inputs without a label: ${unlabelled}`);
      const body = await page.locator('body').innerText();
      assert(!/MSG_WEB_/.test(body), `a catalogue id is shown instead of its text: ${body}`);
    });
  });

  test('settings: an admin sets the journey friction weights and colours; weights not adding up to 1 are refused by field; defaults', async ({ page, shot }) => {
    const en = await texts('en');
    await withTenant('friction', async (srv) => {
      await signIn(page, srv.url, 'laura.martin');
      await page.locator('#lang').selectOption('en');
      await page.waitForFunction(() => document.documentElement.lang === 'en');
      await openSettings(page, srv.url);
      await page.locator('.friction-form:not([hidden]) #friction-dropoff').waitFor();
      const defaults = { friction_weights: { dropoff: 0.4, effort: 0.3, sentiment: 0.3 }, friction_bands: [25, 50] };
      assert(JSON.stringify(await apiGet(page, '/api/v1/settings/journeys')) === JSON.stringify(defaults), 'a fresh tenant has other weights');
      const shown = async () => [await page.locator('#friction-dropoff').inputValue(), await page.locator('#friction-effort').inputValue(),
        await page.locator('#friction-sentiment').inputValue(), await page.locator('#friction-amber').inputValue(),
        await page.locator('#friction-red').inputValue()].map(Number);
      assert(JSON.stringify(await shown()) === '[0.4,0.3,0.3,25,50]', `the inputs show ${await shown()}`);
      const sum = page.locator('#settings-friction .friction-sum');
      assert((await sum.innerText()).trim() === en.MSG_WEB_SET_W_SUM.replace('{sum}', '1'), `sum ${await sum.innerText()}`);

      // weights that add up to 1.1: the sum says so as it is typed, the server refuses them by field
      await page.locator('#friction-effort').fill('0.4');
      await sum.filter({ hasText: en.MSG_WEB_SET_W_SUM.replace('{sum}', '1.1') }).waitFor();
      await page.locator('button.friction-save').click();
      const reason = page.locator('[data-error-for="friction_weights"]:not([hidden])');
      await reason.waitFor();
      assert((await reason.innerText()).includes('1.1'), `the reason shown: ${await reason.innerText()}`);
      assert(await page.locator('#settings-friction .settings-result [role=alert]', { hasText: en.MSG_WEB_SET_NOT_SAVED }).count() === 1,
        'no alert that nothing was saved');
      assert(await page.locator('#friction-effort').getAttribute('aria-invalid') === 'true', 'the weights are not marked invalid');
      assert(JSON.stringify(await apiGet(page, '/api/v1/settings/journeys')) === JSON.stringify(defaults), 'refused weights were saved');

      // a good set, and other colours
      await page.locator('#friction-dropoff').fill('0.5');
      await page.locator('#friction-effort').fill('0.5');
      await page.locator('#friction-sentiment').fill('0');
      await page.locator('#friction-amber').fill('20');
      await page.locator('#friction-red').fill('40');
      await page.locator('button.friction-save').click();
      await page.locator('#settings-friction .settings-result [role=status]', { hasText: en.MSG_WEB_SET_SAVED }).waitFor();
      const want = { friction_weights: { dropoff: 0.5, effort: 0.5, sentiment: 0 }, friction_bands: [20, 40] };
      assert(JSON.stringify(await apiGet(page, '/api/v1/settings/journeys')) === JSON.stringify(want), 'the weights are not stored');
      assert(await page.locator('#settings-friction .field-error:not([hidden])').count() === 0, 'a reason is still shown');
      // red not above amber: the reason next to the colours
      await page.locator('#friction-red').fill('10');
      await page.locator('button.friction-save').click();
      await page.locator('[data-error-for="friction_bands"]:not([hidden])').waitFor();
      assert(JSON.stringify(await apiGet(page, '/api/v1/settings/journeys')) === JSON.stringify(want), 'refused colours were saved');

      // kept after a reload
      await page.reload();
      await openSettings(page, srv.url);
      await page.locator('.friction-form:not([hidden]) #friction-dropoff').waitFor();
      assert(JSON.stringify(await shown()) === '[0.5,0.5,0,20,40]', `after a reload: ${await shown()}`);
      await page.locator('#settings-friction').scrollIntoViewIfNeeded();
      await shot('settings-friction');

      // the defaults again
      page.once('dialog', (d) => d.accept());
      await page.locator('button.friction-defaults').click();
      await page.locator('#settings-friction .settings-result [role=status]', { hasText: en.MSG_WEB_SET_FRICTION_DEFAULTS_DONE }).waitFor();
      assert(JSON.stringify(await apiGet(page, '/api/v1/settings/journeys')) === JSON.stringify(defaults), 'the defaults are not restored');
      assert(JSON.stringify(await shown()) === '[0.4,0.3,0.3,25,50]', `restored inputs show ${await shown()}`);
      const body = await page.locator('body').innerText();
      assert(!/MSG_WEB_/.test(body), `a catalogue id is shown instead of its text: ${body}`);
    });
  });

  for (const [who, role, a] of [['vera', 'viewer', 'a'], ['diego.rojas', 'analyst', 'an']]) {
    test(`settings: ${a} ${role} reads the bands and fatigue, cannot change them, and has no web section`, async ({ page }) => {
      await withTenant(role, async (srv) => {
        const asked = [];
        page.on('request', (r) => asked.push(`${r.method()} ${new URL(r.url()).pathname}`));
        await signIn(page, srv.url, who);
        const m = await texts(await page.evaluate(() => document.documentElement.lang));
        await openSettings(page, srv.url);
        await page.locator('.settings-read-only', { hasText: m.MSG_WEB_SET_READ_ONLY }).waitFor();
        const bands = (await apiGet(page, '/api/v1/settings/metrics')).bands;
        assert(Number(await page.locator('#band-nps-green').inputValue()) === bands.nps.green, 'the bands are not shown');
        const writable = await page.evaluate(() => [...document.querySelectorAll('main input, main textarea')]
          .filter((i) => !i.readOnly).map((i) => i.id));
        assert(!writable.length, `inputs a ${role} can edit: ${writable}`);
        await page.locator('.friction-form:not([hidden]) #friction-dropoff').waitFor();
        const friction = await apiGet(page, '/api/v1/settings/journeys');
        assert(Number(await page.locator('#friction-effort').inputValue()) === friction.friction_weights.effort, 'the friction weights are not shown');
        for (const sel of ['button.bands-save', 'button.bands-defaults', 'button.fatigue-save', 'button.exclude-add', '#settings-web',
          'button.friction-save', 'button.friction-defaults']) {
          assert(await page.locator(sel).count() === 0, `${sel} is shown to a ${role}`);
        }
        // typing into a read-only input changes nothing
        await page.locator('#band-nps-green').press('Backspace');
        assert(Number(await page.locator('#band-nps-green').inputValue()) === bands.nps.green, 'a read-only input changed');
        assert(await page.locator('main [role=alert]').count() === 0, 'an error is shown');
        assert(!asked.some((a) => a.endsWith('/api/v1/settings/web')), `the page asked for the web settings: ${asked}`);
        // in Spanish: every text from the catalogue, the ranges in Spanish numbers
        const es = await texts('es');
        await page.locator('#lang').selectOption('es');
        await page.locator('main#main h1', { hasText: es.MSG_WEB_NAV_SETTINGS }).waitFor();
        await page.locator('.settings-read-only', { hasText: es.MSG_WEB_SET_READ_ONLY }).waitFor();
        await page.locator('fieldset[data-metric="ces"] .band-legend li[data-colour="green"]',
          { hasText: es.MSG_WEB_SET_GREEN_RANGE.replace('{from}', String(bands.ces.green).replace('.', ',')) }).waitFor();
        const body = await page.locator('body').innerText();
        assert(!/MSG_WEB_/.test(body), `a catalogue id is shown instead of its text: ${body}`);
      });
    });
  }

  test('settings fit a phone', async ({ page, shot }) => {
    await withTenant('phone', async (srv) => {
      await signIn(page, srv.url, 'laura.martin');
      await openSettings(page, srv.url);
      await page.locator('#settings-web pre.snippet').waitFor();
      await page.locator('button.exclude-add').click();
      const wide = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
      assert(!wide, 'the settings page is wider than the phone');
      await shot('settings-phone');
    });
  }, { viewport: { width: 375, height: 812 }, isMobile: true });
}
