// email-flow.test.mjs - the surveys issue's "done when", end to end in a real
// browser (registered by dashboard.test.mjs): on a fresh demo tenant served
// with a local SMTP sink (tests/e2e/smtp-sink.mjs), a CX analyst builds an NPS
// survey in Spanish and English in the editor, makes it live, sends it by
// e-mail to the demo's Colombian customers from the survey page; a customer
// opens the e-mail's score-9 button on a phone, answers the promoters'
// follow-up, and the analyst sees the answer and the e-mail statistics in
// the dashboard. Its own server and database, so the sink can be read here.

import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startServer } from '../e2e/lib.mjs';
import { startSink, until } from '../e2e/smtp-sink.mjs';

const CXM = process.env.CXM || './build/release/cxm';
const OUT = process.env.CXM_BROWSER_OUT || 'build/browser';

export function emailFlowTests(test, { BASE, assert, loginOk, openBrowser, LOGIN, PASSWORD }) {
  test('done when: build an NPS survey (es/en), e-mail it to demo customers, answer on a phone, see it in the dashboard', async ({ page, shot }) => {
    mkdirSync(OUT, { recursive: true });
    const db = `sqlite:${join(OUT, `email-flow-${Date.now()}.db`)}`;
    execFileSync(CXM, ['demo', '--db', db, '--customers', '60'], { stdio: 'ignore', env: { ...process.env, CXM_LANG: 'en' } });
    const sink = await startSink();
    const srv = await startServer(db, ['--quiet', '--smtp-url', sink.url,
      '--smtp-from', 'Casa Voltia <encuestas@casavoltia.example>', '--smtp-retry-base-ms', '200']);
    try {
      const base = srv.url;
      await page.goto(`${base}/`);
      await page.locator('#login').fill(LOGIN);
      await page.locator('#password').fill(PASSWORD);
      await page.locator('form.login-form button[type=submit]').click();
      await page.locator('nav#nav').waitFor({ state: 'attached' });

      // the editor: an NPS question and a follow-up for promoters, both languages
      await page.goto(`${base}/#/surveys/new`);
      const name = `NPS bienvenida ${Date.now()}`;
      await page.locator('#survey-name').fill(name);
      assert(await page.locator('#survey-lang-es').isChecked() && await page.locator('#survey-lang-en').isChecked(),
        'a new survey is not in Spanish and English');
      await page.locator('button.q-add').click();
      const q1 = page.locator('li.question-edit').nth(0);
      assert((await q1.locator('select.q-type').inputValue()) === 'nps', 'the first question is not NPS');
      await q1.locator('input.q-text[data-lang="es"]').fill('¿Recomendaría Casa Voltia a un amigo?');
      await q1.locator('input.q-text[data-lang="en"]').fill('Would you recommend Casa Voltia to a friend?');
      await page.locator('button.q-add').click();
      const q2 = page.locator('li.question-edit').nth(1);
      await q2.locator('select.q-type').selectOption('text');
      await q2.locator('input.q-id').fill('liked');
      await q2.locator('input.q-id').dispatchEvent('change');
      await q2.locator('select.q-show-if').selectOption('nps|promoter');
      await q2.locator('input.q-text[data-lang="es"]').fill('¿Qué le gustó?');
      await q2.locator('input.q-text[data-lang="en"]').fill('What did you like?');
      await page.locator('button.survey-save').click();
      await page.waitForFunction(() => /^#\/surveys\/\d+$/.test(location.hash));
      const surveyId = page.url().split('/').pop();
      await page.locator('button.survey-live').click();
      await page.locator('.survey-head .status-live').waitFor();

      // send it by e-mail to the Colombian customers
      await page.locator('#email-who').selectOption('some');
      await page.locator('#email-attribute').fill('country');
      await page.locator('#email-value').fill('CO');
      await page.locator('button.survey-email-send').click();
      const done = page.locator('.email-done');
      await done.waitFor();
      const queued = Number(await done.getAttribute('data-queued'));
      const skipped = Number(await done.getAttribute('data-skipped'));
      assert(queued > 0, `nothing was queued (${skipped} skipped)`);
      await shot('email-flow-sent', page);
      await until(() => sink.messages.length === queued, 20000, `${queued} messages at the sink`);
      assert(sink.messages.every((m) => m.to.length === 1), 'a message went to more than one address');

      // one customer's message: in Spanish, by name, with the eleven buttons
      const msg = sink.messages[0];
      const to = msg.to[0];
      const found = await page.evaluate(async (q) => (await import('/api.js')).api('GET', `/api/v1/customers?q=${encodeURIComponent(q)}`), to);
      const customer = found.items.find((c) => c.email === to);
      assert(customer && customer.first_name, `no customer for ${to}`);
      const html = msg.parts.find((p) => p.type === 'text/html').body;
      assert(html.includes(customer.first_name), `the e-mail does not greet ${customer.first_name}`);
      assert(html.includes('¿Recomendaría Casa Voltia a un amigo?'), 'the e-mail is not in Spanish');
      const links = [...html.matchAll(/href="([^"]+\?score=(\d+))"/g)];
      assert(links.length === 11, `${links.length} score buttons`);
      const nine = links.find((l) => l[2] === '9')[1];

      // the customer answers on a phone, from the e-mail's 9
      const phone = await openBrowser({ viewport: { width: 390, height: 844 }, isMobile: true });
      try {
        const p = phone.page;
        await p.goto(nine);
        assert(await p.locator('input[name="q.nps"][value="9"]').isChecked(), '9 is not chosen');
        const text = await p.locator('body').innerText();
        assert(text.includes(customer.first_name), 'the page does not greet the customer by name');
        const wide = await p.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
        assert(!wide, 'the survey page is wider than the phone');
        await shot('email-flow-phone-score', p);
        await p.locator('form button[type=submit]').click();
        const liked = p.locator('textarea[name="q.liked"]');
        await liked.waitFor();
        await liked.fill('La entrega fue rapidísima y el asesor muy amable');
        await p.locator('form button[type=submit]').click();
        await p.locator('.done').waitFor();
        await shot('email-flow-phone-done', p);
        if (phone.problems.length) throw new Error(phone.problems.join('\n'));
      } finally {
        await phone.close();
      }

      // the analyst sees it: statistics by channel and the response (once
      // the sender has marked every delivery)
      const stats = () => page.evaluate(async (id) => (await import('/api.js')).api('GET', `/api/v1/surveys/${id}/stats`), surveyId);
      await until(async () => {
        const e = (await stats()).invitations.by_channel.find((c) => c.channel === 'email');
        return e && e.sent === queued && e.answered === 1;
      }, 20000, 'every delivery marked sent and the answer counted');
      await page.goto(`${base}/#/surveys`);
      await page.goto(`${base}/#/surveys/${surveyId}`);
      const row = page.locator('table.stats-table tr[data-channel="email"]');
      await row.waitFor();
      const cell = async (k) => Number((await row.locator(`td.stat-${k}`).textContent()).trim());
      assert(await cell('total') === queued && await cell('sent') === queued && await cell('answered') === 1,
        `sent ${await cell('sent')} of ${queued}, answered ${await cell('answered')}`);
      assert(await cell('opened') >= 1 && await cell('failed') === 0, 'opened / failed');
      const response = page.locator('ol.responses li.response').first();
      await response.waitFor();
      assert((await response.locator('.score-nps').getAttribute('data-score')) === '9', 'the response is not a 9');
      const said = await response.locator('.answer[data-question="liked"] .answer-text').textContent();
      assert(said === 'La entrega fue rapidísima y el asesor muy amable', `the answer shows ${JSON.stringify(said)}`);
      await shot('email-flow-dashboard', page);
    } finally {
      await srv.stop();
      await sink.close();
    }
  });

  test('the demo\'s failed e-mails say why, from the survey statistics', async ({ page, shot }) => {
    await loginOk(page);
    await page.goto(`${BASE}/#/surveys`);
    await page.locator('a.survey-name', { hasText: 'NPS posventa (entrega)' }).click();
    const row = page.locator('table.stats-table tr[data-channel="email"]');
    await row.waitFor();
    const failed = Number((await row.locator('td.stat-failed').textContent()).match(/\d+/)[0]);
    assert(failed > 0, 'the demo has no failed e-mail invitations');
    await row.locator('button.stats-why').click();
    const items = page.locator('ul.failures[data-channel="email"] li.failure');
    await items.first().waitFor();
    assert((await items.count()) === Math.min(failed, 20), `${await items.count()} reasons for ${failed} failures`);
    const why = await items.first().locator('.failure-why').textContent();
    assert(/550 5\.1\.1/.test(why), `the reason shows ${JSON.stringify(why)}`);
    await shot('survey-failed-why', page);
  });
}
