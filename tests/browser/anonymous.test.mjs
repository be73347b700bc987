// anonymous.test.mjs - an anonymous survey in a real browser (registered by
// dashboard.test.mjs, which runs it): mark a new survey anonymous in the
// editor, make it live, take its open link, answer it on a phone with a
// hostile comment, read the receipt code, open the receipt page, see the
// answers (as text, nothing run) and delete them; the dashboard then lists
// no response.

const HOSTILE = '<img src=x onerror=window.__pwned=1>Turnos largos<script>window.__pwned=2</script>';

export function anonymousTests(test, { BASE, texts, assert, loginOk, openBrowser, chooseLanguage }) {
  test('anonymous survey: open link on a phone, receipt code, see and delete the answers', async ({ page, shot }) => {
    const en = await texts('en');
    const es = await texts('es');
    await loginOk(page);
    await chooseLanguage(page, 'en');
    await page.goto(`${BASE}/#/surveys/new`);
    await page.locator('#survey-name').fill(`Buzón anónimo ${Date.now()}`);
    await page.locator('label[for="survey-anonymous"]', { hasText: en.MSG_WEB_SURVEY_ANONYMOUS }).waitFor();
    await page.locator('#survey-anonymous').check();
    await page.locator('button.q-add').click();
    const q1 = page.locator('li.question-edit').nth(0);
    await q1.locator('input.q-text[data-lang="es"]').fill('¿Recomendaría trabajar aquí?');
    await q1.locator('input.q-text[data-lang="en"]').fill('Would you recommend working here?');
    await page.locator('button.q-add').click();
    const q2 = page.locator('li.question-edit').nth(1);
    assert((await q2.locator('select.q-type').inputValue()) === 'text', 'the second question is not a text');
    await q2.locator('input.q-id').fill('comment');
    await q2.locator('input.q-id').dispatchEvent('change');
    await q2.locator('input.q-text[data-lang="es"]').fill('¿Algo más?');
    await q2.locator('input.q-text[data-lang="en"]').fill('Anything else?');
    await page.locator('button.survey-save').click();
    await page.waitForFunction(() => /^#\/surveys\/\d+$/.test(location.hash));
    const surveyId = page.url().split('/').pop();
    const stored = await (await page.request.get(`${BASE}/api/v1/surveys/${surveyId}`)).json();
    assert(stored.definition.anonymous === true, `the flag is not saved: ${JSON.stringify(stored.definition)}`);
    assert(await page.locator('#survey-anonymous').isChecked(), 'the editor does not show the flag again');
    await page.locator('button.survey-live').click();
    await page.locator('.survey-head .status-live').waitFor();

    // the open link
    await page.locator('section.survey-open h2', { hasText: en.MSG_WEB_SURVEY_OPEN_LINK }).waitFor();
    await page.locator('button.survey-open-link').click();
    const link = page.locator('a.survey-open-link-url');
    await link.waitFor();
    const path = await link.getAttribute('href');
    assert(/^\/s\/[0-9]+\.o\.[0-9]+\.[0-9a-f]{32}$/.test(path), `open link ${path}`);
    await shot('anonymous-open-link');

    // someone answers on a phone, in Spanish
    const phone = await openBrowser({ viewport: { width: 390, height: 844 }, isMobile: true });
    let code;
    try {
      const p = phone.page;
      // (the browser's locale is en-US: Accept-Language is covered by test_anonymous.mjs)
      await p.goto(`${BASE}${path}?lang=es`);
      await p.locator('form button[type=submit]').waitFor();
      assert((await p.locator('html').getAttribute('lang')) === 'es', 'the page is not in Spanish');
      await p.locator('form label:has(input[value="9"])').first().click();
      await p.locator('textarea[name="q.comment"]').fill(HOSTILE);
      assert(!(await p.evaluate(() => document.documentElement.scrollWidth > window.innerWidth)), 'the page is wider than the phone');
      await p.locator('form button[type=submit]').click();
      const shown = p.locator('#receipt-code');
      await shown.waitFor();
      code = (await shown.textContent()).trim();
      assert(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/.test(code), `receipt code ${code}`);
      assert(!(await p.evaluate(() => document.documentElement.scrollWidth > window.innerWidth)), 'the thank-you page is wider than the phone');
      assert((await p.context().cookies()).length === 0, 'the survey set a cookie');
      await shot('anonymous-receipt-code', p);

      // the receipt page: typed in lower case, the answers as text, then deleted
      await p.locator('#receipt-link').click();
      await p.locator('input#code').fill(code.toLowerCase());
      await p.locator('form button[value="show"]').click();
      const answers = p.locator('dl.answers');
      await answers.waitFor();
      const text = await answers.innerText();
      assert(text.includes(HOSTILE), `the comment is not shown as text: ${text}`);
      assert(text.includes('9'), 'the score is not shown');
      assert((await p.locator('main img, main script').count()) === 0, 'the comment became markup');
      assert((await p.evaluate(() => window.__pwned)) === undefined, 'the comment ran as script');
      assert(!(await p.evaluate(() => document.documentElement.scrollWidth > window.innerWidth)), 'the receipt page is wider than the phone');
      assert(await answers.evaluate((dl) => dl.scrollWidth <= dl.clientWidth && dl.getBoundingClientRect().right <= window.innerWidth),
        'a long answer runs out of its box');
      await shot('anonymous-receipt-answers', p);
      await p.locator('form button[value="delete"]').click();
      await p.locator('.done', { hasText: 'Sus respuestas se han borrado.' }).waitFor();
      if (phone.problems.length) throw new Error(phone.problems.join('\n'));
    } finally {
      await phone.close();
    }

    // the dashboard lists no response any more
    const list = await (await page.request.get(`${BASE}/api/v1/responses?survey=${surveyId}`)).json();
    assert(list.items.length === 0, `responses left: ${JSON.stringify(list.items)}`);
    assert(es.MSG_WEB_SURVEY_ANONYMOUS === 'Anónima', 'the Spanish label');
  });
}
