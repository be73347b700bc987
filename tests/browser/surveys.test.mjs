// surveys.test.mjs - the Surveys section in a real browser (registered by
// dashboard.test.mjs, which runs it): build a survey in the editor (an NPS
// question and a follow-up for detractors, in Spanish and English), preview
// it, make it live, create a personal link, answer it on a phone as a
// customer with a hostile comment, and see the response (shown as text,
// nothing run) and the statistics in the dashboard; send it by email to the
// customers in Colombia and see how many were queued and skipped.

const HOSTILE = '<img src=x onerror=window.__pwned=1>Mal servicio</b><script>window.__pwned=2</script>';

export function surveyTests(test, { BASE, texts, assert, loginOk, openBrowser, chooseLanguage }) {
  test('surveys: build, preview, make live, link, answer on a phone, see the response and the statistics', async ({ page, shot }) => {
    const en = await texts('en');
    const es = await texts('es');
    await loginOk(page);
    await chooseLanguage(page, 'en');
    await page.locator('nav#nav a[data-section="surveys"]').click();
    await page.locator('main#main h1', { hasText: en.MSG_WEB_NAV_SURVEYS }).waitFor();
    await page.locator('a.survey-new').click();
    await page.locator('#survey-name').waitFor();

    // the editor: name, both languages (the default), an NPS question and a follow-up
    const name = `Posventa ${Date.now()}`;
    await page.locator('#survey-name').fill(name);
    assert(await page.locator('#survey-lang-es').isChecked(), 'Spanish is not chosen for a new survey');
    assert(await page.locator('#survey-lang-en').isChecked(), 'English is not chosen for a new survey');
    await page.locator('button.q-add').click();
    const q1 = page.locator('li.question-edit').nth(0);
    assert((await q1.locator('select.q-type').inputValue()) === 'nps', 'the first question is not NPS');
    assert((await q1.locator('input.q-id').inputValue()) === 'nps', 'the first question id is not nps');
    await q1.locator('input.q-text[data-lang="es"]').fill('¿Nos recomendaría?');
    await q1.locator('input.q-text[data-lang="en"]').fill('Would you recommend us?');
    await page.locator('button.q-add').click();
    const q2 = page.locator('li.question-edit').nth(1);
    await q2.locator('select.q-type').selectOption('text');
    await q2.locator('input.q-id').fill('why_bad');
    await q2.locator('input.q-id').dispatchEvent('change');
    await q2.locator('select.q-show-if').selectOption('nps|detractor');
    await q2.locator('input.q-text[data-lang="es"]').fill('¿Qué salió mal?');
    await q2.locator('input.q-text[data-lang="en"]').fill('What went wrong?');
    // a third question, moved up and deleted again: reorder and delete work
    await page.locator('button.q-add').click();
    assert((await page.locator('li.question-edit').count()) === 3, 'no third question');
    await page.locator('li.question-edit').nth(2).locator('input.q-id').fill('extra');
    await page.locator('li.question-edit').nth(2).locator('button.q-up').click();
    assert((await page.locator('li.question-edit').nth(1).locator('input.q-id').inputValue()) === 'extra', 'move up did not move');
    await page.locator('li.question-edit').nth(1).locator('button.q-delete').click();
    assert((await page.locator('li.question-edit').count()) === 2, 'delete did not delete');
    assert((await page.locator('li.question-edit').nth(1).locator('input.q-id').inputValue()) === 'why_bad', 'the follow-up moved');

    // the preview: marked as such, the traffic-light scale, the follow-up once a detractor score is picked
    const preview = page.locator('section.survey-preview');
    await preview.locator('.preview-note', { hasText: en.MSG_WEB_SURVEY_PREVIEW_NOTE }).waitFor();
    await preview.locator('#preview-lang').selectOption('en');
    await preview.locator('.sp-question[data-question="nps"] legend', { hasText: 'Would you recommend us?' }).waitFor();
    const colours = await preview.locator('.sp-scale label').evaluateAll((ls) => ls.map((l) => l.className));
    assert(colours.length === 11 && colours[0] === 'red' && colours[6] === 'red' && colours[7] === 'amber' && colours[9] === 'green',
      `NPS colours ${colours}`);
    assert((await preview.locator('.sp-question[data-question="why_bad"]').count()) === 0, 'the follow-up is shown before a score');
    await preview.locator('.sp-scale label:has(input[value="9"])').click();
    assert((await preview.locator('.sp-question[data-question="why_bad"]').count()) === 0, 'the detractor follow-up is shown to a promoter');
    await preview.locator('.sp-scale label:has(input[value="3"])').click();
    await preview.locator('.sp-question[data-question="why_bad"] legend', { hasText: 'What went wrong?' }).waitFor();
    await preview.locator('#preview-lang').selectOption('es');
    await preview.locator('.sp-question[data-question="why_bad"] legend', { hasText: '¿Qué salió mal?' }).waitFor();
    await shot('survey-editor-preview');

    // save (POST) then make live
    await page.locator('button.survey-save').click();
    await page.waitForFunction(() => /^#\/surveys\/\d+$/.test(location.hash));
    const surveyId = page.url().split('/').pop();
    await page.locator('button.survey-live').click();
    await page.locator('.survey-head .status-live').waitFor();
    const stored = await (await page.request.get(`${BASE}/api/v1/surveys/${surveyId}`)).json();
    assert(stored.status === 'live', `status ${stored.status}`);
    const def = stored.definition;
    assert(JSON.stringify(def.languages) === '["es","en"]', `languages ${JSON.stringify(def.languages)}`);
    assert(def.questions.length === 2 && def.questions[0].type === 'nps' && def.questions[1].show_if.category === 'detractor',
      `definition ${JSON.stringify(def)}`);

    // a personal link
    await page.locator('button.survey-link').click();
    const link = page.locator('a.survey-link-url');
    await link.waitFor();
    const path = await link.getAttribute('href');
    assert(/^\/s\/[0-9]+\.[0-9]+\.[0-9]+\.[0-9a-f]+$/.test(path), `link ${path}`);

    // the customer answers on a phone: 3, then the follow-up with a hostile comment
    const phone = await openBrowser({ viewport: { width: 390, height: 844 }, isMobile: true });
    try {
      const p = phone.page;
      await p.goto(`${BASE}${path}`);
      await p.locator('form label:has(input[value="3"])').first().click();
      const overflow = await p.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
      assert(!overflow, 'the survey page is wider than the phone');
      await shot('survey-page-phone-score', p);
      await p.locator('form button[type=submit]').click();
      const comment = p.locator('textarea[name="q.why_bad"]');
      await comment.waitFor();
      await comment.fill(HOSTILE);
      await p.locator('form button[type=submit]').click();
      await p.locator('.done').waitFor();
      await shot('survey-page-phone-done', p);
      assert((await p.evaluate(() => window.__pwned)) === undefined, 'the comment ran as script on the survey page');
      if (phone.problems.length) throw new Error(phone.problems.join('\n'));
    } finally {
      await phone.close();
    }

    // the dashboard: statistics and the response, the comment as text
    await page.locator('button.stats-refresh').click();
    await page.locator('.stat-responses[data-total="1"][data-complete="1"]').waitFor();
    const row = page.locator('table.stats-table tr[data-channel="link"]');
    await row.waitFor();
    const cells = Object.fromEntries(await Promise.all(['total', 'sent', 'opened', 'answered', 'failed'].map(async (k) =>
      [k, (await row.locator(`td.stat-${k}`).textContent()).trim()])));
    assert(cells.total === '1' && cells.opened === '1' && cells.answered === '1' && cells.failed === '0',
      `link statistics ${JSON.stringify(cells)}`);
    assert(/100/.test(await row.locator('td.stat-rate').textContent()), 'the response rate is not 100 %');
    await page.locator('.stat-nps', { hasText: '-100' }).waitFor();

    // send by email to an audience: the answer says how many were queued and why the rest were skipped
    await page.locator('#email-who').selectOption('some');
    await page.locator('#email-attribute').fill('country');
    await page.locator('#email-value').fill('CO');
    await page.locator('button.survey-email-send').click();
    const done = page.locator('.email-done');
    await done.waitFor();
    const queued = Number(await done.getAttribute('data-queued'));
    const before = page.locator('ul.email-skips li[data-reason="fatigue"]');
    const tiredBefore = (await before.count()) ? Number(await before.getAttribute('data-n')) : 0;
    assert(queued > 0, `nothing queued: ${await done.textContent()}`);
    assert((await done.textContent()).includes(String(queued)), 'the count is not shown');
    const emailRow = page.locator('table.stats-table tr[data-channel="email"]');
    await emailRow.locator('td.stat-total', { hasText: String(queued) }).waitFor();
    await shot('survey-email-sent', page);
    // the same audience again: everyone was invited a moment ago (contact fatigue)
    await page.locator('button.survey-email-send').click();
    await page.locator('.email-done[data-queued="0"]').waitFor();
    const fatigue = page.locator('ul.email-skips li[data-reason="fatigue"]');
    assert(Number(await fatigue.getAttribute('data-n')) === tiredBefore + queued, `fatigue skips: ${await fatigue.textContent()}`);
    assert((await fatigue.textContent()).includes(String(tiredBefore + queued)), 'the count is not shown');
    await page.locator('form.responses-filter button[type=submit]').click();
    const response = page.locator('ol.responses li.response').first();
    await response.waitFor();
    const badge = response.locator('.score-nps');
    assert((await badge.getAttribute('data-score')) === '3', 'the NPS score is not 3');
    assert(await badge.evaluate((b) => b.classList.contains('red')), 'a detractor score is not red');
    const shown = await response.locator('.answer[data-question="why_bad"] .answer-text').textContent();
    assert(shown === HOSTILE, `the comment shows ${JSON.stringify(shown)}`);
    assert((await page.locator('main img, main script, main b').count()) === 0, 'the comment became markup');
    // filters: partial responses only shows none; a day before the answer shows none
    await page.locator('#responses-which').selectOption('partial');
    await page.locator('ol.responses + .list-status .empty').waitFor();
    await page.locator('#responses-which').selectOption('complete');
    await page.locator('ol.responses li.response').first().waitFor();
    await page.locator('#responses-to').fill('2020-01-01');
    await page.locator('form.responses-filter button[type=submit]').click();
    await page.locator('ol.responses + .list-status .empty').waitFor();
    await page.locator('#responses-to').fill('');
    await page.locator('form.responses-filter button[type=submit]').click();
    await page.locator('ol.responses li.response').first().waitFor();
    assert((await page.evaluate(() => window.__pwned)) === undefined, 'the comment ran as script in the dashboard');
    await shot('survey-responses');

    // the list shows it live with one response; in Spanish too
    await page.locator('p.back a').click();
    const listed = page.locator(`table.survey-list tr[data-survey="${surveyId}"]`);
    await listed.locator('.status-live').waitFor();
    await page.waitForFunction((id) => document.querySelector(`tr[data-survey="${id}"] .survey-responses`).textContent === '1', surveyId);
    await chooseLanguage(page, 'es');
    await page.locator('main#main h1', { hasText: es.MSG_WEB_NAV_SURVEYS }).waitFor();
    await page.locator(`table.survey-list tr[data-survey="${surveyId}"] .status-live`, { hasText: es.MSG_WEB_SURVEY_STATUS_LIVE }).waitFor();
    await page.locator(`table.survey-list tr[data-survey="${surveyId}"] a.survey-name`).click();
    await page.locator('button.survey-close', { hasText: es.MSG_WEB_SURVEY_CLOSE }).waitFor();
    await page.locator('section.survey-stats h2', { hasText: es.MSG_WEB_SURVEY_STATS }).waitFor();
    const body = await page.locator('body').innerText();
    assert(!/MSG_WEB_/.test(body), 'a catalogue id is shown instead of its text');
    await shot('survey-spanish');
    await chooseLanguage(page, 'en');
  });

  test('surveys: the editor and the responses fit a phone', async ({ page }) => {
    await loginOk(page);
    await page.goto(`${BASE}/#/surveys/new`);
    await page.locator('#survey-name').fill('Phone');
    await page.locator('button.q-add').click();
    await page.locator('button.q-add').click();
    await page.locator('li.question-edit').nth(1).locator('select.q-type').selectOption('single_choice');
    await page.locator('li.question-edit').nth(1).locator('.q-option').nth(1).waitFor();
    await page.locator('section.survey-preview .sp-choice').waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    assert(!overflow, 'the survey editor is wider than the phone screen');
  }, { viewport: { width: 390, height: 844 }, isMobile: true });
}
