// triggers.test.mjs - the Triggers page in a real browser (registered by
// dashboard.test.mjs after the survey tests, which leave a live survey):
// create a trigger, see a refused one explained by field, deactivate it,
// see its (empty) scheduled list, read the page in Spanish, delete it.

export function triggerTests(test, { BASE, texts, assert, loginOk, chooseLanguage }) {
  test('triggers: create, refuse bad input by field, deactivate, scheduled list, Spanish, delete', async ({ page, shot }) => {
    const en = await texts('en');
    const es = await texts('es');
    await loginOk(page);
    await chooseLanguage(page, 'en');
    await page.locator('nav#nav a[data-section="triggers"]', { hasText: en.MSG_WEB_NAV_TRIGGERS }).click();
    await page.locator('main#main h1', { hasText: en.MSG_WEB_NAV_TRIGGERS }).waitFor();
    await page.locator('form.trigger-form').waitFor();
    assert((await page.locator('#trigger-survey option').count()) >= 1, 'no survey to choose');
    // a live survey that invites people (an anonymous one is refused, as the server says)
    let surveyId = null;
    for (const sv of (await (await page.request.get(`${BASE}/api/v1/surveys`)).json()).items) {
      const full = await (await page.request.get(`${BASE}/api/v1/surveys/${sv.id}`)).json();
      if (full.status === 'live' && !full.definition.anonymous) { surveyId = sv.id; break; }
    }
    assert(surveyId, 'no live survey that is not anonymous');
    await page.locator('#trigger-survey').selectOption(surveyId);

    // refused: the server's reason shown with the field
    const name = `Tras la entrega ${Date.now()}`;
    await page.locator('#trigger-name').fill(name);
    await page.locator('#trigger-type').fill('Big Event');
    await page.locator('form.trigger-form button[type=submit]').click();
    await page.locator('.trigger-message [role=alert]', { hasText: 'on.type' }).waitFor();
    assert((await page.locator('table.trigger-list tr[data-trigger]').count()) === 0, 'a refused trigger is listed');

    // created: two days after a delivery in a store, by e-mail
    await page.locator('#trigger-type').fill('delivery');
    await page.locator('#trigger-event-channel').selectOption('store');
    await page.locator('#trigger-delay').fill('2');
    await page.locator('#trigger-unit').selectOption('d');
    await page.locator('#trigger-channel').selectOption('email');
    await page.locator('form.trigger-form button[type=submit]').click();
    const row = page.locator('table.trigger-list tr[data-trigger]', { hasText: name });
    await row.waitFor();
    await page.locator('.trigger-message .notice', { hasText: en.MSG_WEB_TRIG_CREATED }).waitFor();
    assert((await row.locator('.trigger-state').innerText()).trim() === en.MSG_WEB_TRIG_ACTIVE, 'not active');
    assert((await row.innerText()).includes('2d'), `delay not shown: ${await row.innerText()}`);
    const id = await row.getAttribute('data-trigger');
    const stored = await (await page.request.get(`${BASE}/api/v1/triggers/${id}`)).json();
    assert(stored.survey_id === surveyId && stored.on.type === 'delivery' && stored.on.channel === 'store' && stored.delay_seconds === 172800 &&
      stored.channel === 'email' && stored.active === true, `stored ${JSON.stringify(stored)}`);
    await shot('triggers-created');

    // deactivated
    await row.locator('button.trigger-toggle').click();
    await page.locator('table.trigger-list tr[data-trigger]', { hasText: name })
      .locator('.trigger-state', { hasText: en.MSG_WEB_TRIG_INACTIVE }).waitFor();
    const off = await (await page.request.get(`${BASE}/api/v1/triggers/${id}`)).json();
    assert(off.active === false, 'still active in the API');

    // its scheduled invitations: none yet
    await page.locator('table.trigger-list tr[data-trigger]', { hasText: name }).locator('button.trigger-scheduled').click();
    await page.locator('.trigger-scheduled-box .empty', { hasText: en.MSG_WEB_TRIG_SCHEDULED_EMPTY }).waitFor();

    // in Spanish
    await chooseLanguage(page, 'es');
    await page.locator('main#main h1', { hasText: es.MSG_WEB_NAV_TRIGGERS }).waitFor();
    await page.locator('table.trigger-list tr[data-trigger]', { hasText: name })
      .locator('.trigger-state', { hasText: es.MSG_WEB_TRIG_INACTIVE }).waitFor();
    const body = await page.locator('body').innerText();
    assert(!/MSG_WEB_/.test(body), `a catalogue id is shown instead of its text: ${body}`);

    // deleted, after confirming
    page.once('dialog', (d) => d.accept());
    await page.locator('table.trigger-list tr[data-trigger]', { hasText: name }).locator('button.trigger-delete').click();
    await page.locator('table.trigger-list tr[data-trigger]', { hasText: name }).waitFor({ state: 'detached' });
    assert((await page.request.get(`${BASE}/api/v1/triggers/${id}`)).status() === 404, 'not deleted');
  });
}
