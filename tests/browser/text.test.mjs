// text.test.mjs - the Text page in a real browser (registered by
// dashboard.test.mjs) on the demo tenant: the themes table agrees with
// GET /api/v1/metrics/nps?by=theme for the same range, sorts by impact and
// exports CSV; the sentiment chart draws from ?by=sentiment; the emotion mix
// shows GET /api/v1/text/emotions's exact counts by touchpoint, channel and
// theme and exports them; the learned model's status, and an owner trains it
// (the server's reason shown when it refuses); verbatims page with "show more" and filter by theme;
// highlights are <mark> elements cut at the API's offsets; a hostile comment
// posted in the test shows exactly as written and runs nothing; a free-text
// answer shows under its question's text (English, then Spanish), escaped
// and marked, with no empty comment above it; the page
// in Spanish; nothing wider than a phone.

async function csvText(page, button) {
  const [file] = await Promise.all([page.waitForEvent('download'), button.click()]);
  return Buffer.concat(await (await file.createReadStream()).toArray()).toString('utf8');
}

export function textTests(test, { BASE, texts, assert, loginOk, chooseLanguage }) {
  test('text: themes by volume and impact agree with the API, sort and export; sentiment draws; verbatims page and filter', async ({ page, shot }) => {
    await loginOk(page);
    await page.goto(`${BASE}/#/text`);
    const body = page.locator('.txp-body[data-charts="drawn"]');
    await body.waitFor();
    const from = await body.getAttribute('data-from'), to = await body.getAttribute('data-to');
    const call = (path) => page.evaluate(async (p) => (await import('/api.js')).api('GET', p), path);
    const api = await call(`/api/v1/metrics/nps?by=theme&from=${from}&to=${to}`);
    const want = api.groups.filter((g) => g.value !== '');
    assert(want.length > 0, 'the demo has no themed comment in 90 days');
    const table = page.locator('section.txp-themes');
    const rows = table.locator('tbody tr');
    const shown = await rows.evaluateAll((rs) => rs.map((r) => ({ value: r.dataset.value,
      n: Number(r.querySelector('td.mentions').textContent), diff: Number(r.querySelector('td.impact').dataset.diff) })));
    assert(shown.length === want.length, `${shown.length} themes shown, the API has ${want.length}`);
    for (const g of want) {
      const s = shown.find((x) => x.value === g.value);
      assert(s && s.n === g.n && s.diff === g.vs_rest.diff, `theme ${g.value}: shown ${JSON.stringify(s)}, API n ${g.n} diff ${g.vs_rest.diff}`);
    }
    assert(shown.every((x, i) => i === 0 || shown[i - 1].n >= x.n), `not most mentioned first: ${shown.map((x) => x.n)}`);
    // names, not ids, where the API gives one
    const named = want.find((g) => g.label);
    if (named) assert((await table.locator(`tr[data-value="${named.value}"] th`).textContent()) === named.label, 'theme shown by id');
    assert(await table.locator('.txp-volume canvas').count() === 1, 'no volume chart');
    // by impact: the heaviest drag first, then the other way round
    await table.locator('button.sort[data-key="impact"]').click();
    let diffs = (await rows.locator('td.impact').evaluateAll((cs) => cs.map((c) => Number(c.dataset.diff))));
    assert(diffs.every((v, i) => i === 0 || diffs[i - 1] <= v), `impact not ascending: ${diffs}`);
    await table.locator('button.sort[data-key="impact"]').click();
    diffs = (await rows.locator('td.impact').evaluateAll((cs) => cs.map((c) => Number(c.dataset.diff))));
    assert(diffs.every((v, i) => i === 0 || diffs[i - 1] >= v), `impact not descending: ${diffs}`);
    const csv = await csvText(page, table.locator('button.csv'));
    assert(csv.startsWith('theme,name,mentions,nps,ci_low,ci_high,diff_vs_rest,p_vs_rest,significant'), `CSV ${csv.slice(0, 80)}`);
    assert(csv.trim().split('\n').length === want.length + 1, 'a CSV line per theme');

    // sentiment: a chart, and the table's counts are the API's comments per bucket
    const sent = page.locator('section.txp-sentiment-card');
    assert(await sent.locator('.txp-sentiment canvas').count() === 1, 'no sentiment chart');
    const sapi = await call(`/api/v1/metrics/nps?by=sentiment&interval=month&from=${from}&to=${to}`);
    const total = sapi.groups.filter((g) => g.value !== '').reduce((s, g) => s + g.n, 0);
    const counted = (await sent.locator('tbody tr td:nth-of-type(1)').allTextContents()).map(Number).reduce((s, n) => s + n, 0);
    assert(counted === total, `sentiment table counts ${counted} comments, the API ${total}`);
    await page.locator('#txp-sentiment-interval').selectOption('week');
    await page.waitForFunction(() => document.querySelector('section.txp-sentiment-card[data-interval="week"][data-state="drawn"]'));
    const scsv = await csvText(page, sent.locator('button.csv'));
    assert(scsv.startsWith('week,comments,negative,neutral,positive'), `sentiment CSV ${scsv.slice(0, 60)}`);

    // the emotion mix: exact counts, the API's for the same range, by touchpoint then by channel
    const emo = page.locator('section.txp-emotions');
    await page.waitForFunction(() => document.querySelector('section.txp-emotions[data-state="loaded"]'));
    const mixRows = async () => emo.locator('tbody tr').evaluateAll((rs) => rs.map((r) => ({ value: r.dataset.value,
      comments: Number(r.querySelector('td.comments').textContent),
      emotions: Object.fromEntries([...r.querySelectorAll('td[data-emotion]')].map((c) => [c.dataset.emotion, Number(c.textContent)])),
      labels: Object.fromEntries([...r.querySelectorAll('td[data-label]')].map((c) => [c.dataset.label, Number(c.textContent)])) })));
    const sameMix = (shownRows, apiMix, what) => {
      assert(shownRows.length === apiMix.groups.length, `${what}: ${shownRows.length} rows shown, the API has ${apiMix.groups.length}`);
      apiMix.groups.forEach((g, i) => {
        const r = shownRows[i];
        assert(r.value === g.value && r.comments === g.comments, `${what} row ${i}: shown ${JSON.stringify(r)}, API ${g.value} ${g.comments}`);
        for (const [e, n] of Object.entries(r.emotions)) assert(g.emotions[e] === n, `${what} ${g.value} ${e}: shown ${n}, API ${g.emotions[e]}`);
        for (const [l, n] of Object.entries(r.labels)) assert(g.labels[l] === n, `${what} ${g.value} ${l}: shown ${n}, API ${g.labels[l]}`);
      });
    };
    const mixApi = await call(`/api/v1/text/emotions?from=${from}&to=${to}&by=touchpoint`);
    assert(mixApi.total.comments > 20, `the demo's 90 days have only ${mixApi.total.comments} comments`);
    assert(await emo.getAttribute('data-comments') === String(mixApi.total.comments), 'the card counts another total');
    assert(Number(await emo.locator('tfoot td.comments').textContent()) === mixApi.total.comments, 'the total row is not the API\'s');
    const tpRows = await mixRows();
    sameMix(tpRows, mixApi, 'by touchpoint');
    assert(tpRows.some((r) => Object.values(r.emotions).some((n) => n > 0)), 'no emotion counted');
    assert(!/500/.test(await emo.locator('p.muted').textContent()), 'still speaks of a sample');
    await page.locator('#txp-emotions-by').selectOption('channel');
    await page.waitForFunction(() => document.querySelector('section.txp-emotions[data-by="channel"][data-state="loaded"]'));
    sameMix(await mixRows(), await call(`/api/v1/text/emotions?from=${from}&to=${to}&by=channel`), 'by channel');
    const ecsv = await csvText(page, emo.locator('button.csv'));
    assert(ecsv.startsWith('channel,comments,joy,trust,surprise,anger,frustration,disappointment,worry,sadness,price,'), `emotions CSV ${ecsv.slice(0, 80)}`);
    const chApi = await call(`/api/v1/text/emotions?from=${from}&to=${to}&by=channel`);
    assert(ecsv.trim().split('\n').length === chApi.groups.length + 1, 'a CSV line per channel');
    await page.locator('#txp-emotions-by').selectOption('theme');
    await page.waitForFunction(() => document.querySelector('section.txp-emotions[data-by="theme"][data-state="loaded"]'));
    const thApi = await call(`/api/v1/text/emotions?from=${from}&to=${to}&by=theme`);
    sameMix(await mixRows(), thApi, 'by theme');
    if (thApi.groups.some((g) => g.value === 'delivery')) assert((await emo.locator('tr[data-value="delivery"] th').textContent()) !== 'delivery', 'theme shown by id');

    // verbatims: newest first, show more, each highlight a <mark> cut at the API's offsets
    const vb = page.locator('section.txp-verbatims-card');
    await page.waitForFunction(() => document.querySelector('section.txp-verbatims-card[data-state="loaded"]'));
    const first = await call(`/api/v1/text/verbatims?from=${from}&to=${to}&limit=20`);
    const items = vb.locator('li.verbatim');
    assert(await items.count() === first.items.length, `${await items.count()} comments shown, the API's page has ${first.items.length}`);
    // each verbatim: its comment (absent when the response has only free-text answers) and its
    // answers, each with <mark>s cut from its own text
    const check = await items.evaluateAll((ls, apiItems) => ls.map((li, i) => {
      const v = apiItems[i];
      const parts = [];
      const comment = li.querySelector('.comment');
      if (v.comment || !(v.answers || []).length) parts.push([comment, v.comment]);
      else if (comment) parts.push([null, 'a comment drawn for a response without one']);
      for (const a of v.answers || []) parts.push([li.querySelector(`dd.answer[data-question="${CSS.escape(a.question)}"]`), a.text]);
      const marks = parts.flatMap(([el]) => (el ? [...el.querySelectorAll('mark')].map((m) => m.textContent) : []));
      return { same: li.dataset.id === v.response_id && parts.every(([el, text]) => el && el.textContent === text),
        marks, inside: parts.every(([el, text]) => !el || [...el.querySelectorAll('mark')].every((m) => text.includes(m.textContent))) };
    }), first.items);
    assert(check.every((c) => c.same), 'the verbatims are not the API\'s comments and answers, newest first');
    assert(check.every((c) => c.inside), 'a <mark> is not part of its text');
    assert(check.some((c) => c.marks.length > 0), 'no highlight drawn');
    if (first.next_cursor) {
      await vb.locator('button.more').click();
      await page.waitForFunction((n) => document.querySelectorAll('li.verbatim').length > n, first.items.length);
    }
    // filter by the most mentioned theme: every comment shown has it
    const theme = want.sort((a, b) => b.n - a.n)[0].value;
    await page.locator('#txp-theme').selectOption(theme);
    await page.waitForFunction(() => document.querySelector('section.txp-verbatims-card[data-state="loaded"]'));
    const themed = await items.evaluateAll((ls) => ls.map((li) => li.dataset.themes.split(' ')));
    assert(themed.length > 0 && themed.every((x) => x.includes(theme)), `filtered by ${theme}: ${JSON.stringify(themed)}`);
    await shot('text', page);

    // one survey: every card asks for it, the comments are that survey's
    const svs = (await call('/api/v1/surveys')).items;
    const sv = svs.sort((a, b) => (b.responses || 0) - (a.responses || 0))[0];
    await page.locator('#ov-survey').selectOption(sv.id);
    await page.locator('.txp-body[data-charts="drawn"]').waitFor();
    await page.waitForFunction(() => document.querySelector('section.txp-verbatims-card[data-state="loaded"]'));
    const ofSurvey = await call(`/api/v1/text/verbatims?survey=${sv.id}&from=${from}&to=${to}&limit=20`);
    const ids = await items.evaluateAll((ls) => ls.map((li) => li.dataset.id));
    assert(JSON.stringify(ids) === JSON.stringify(ofSurvey.items.map((v) => v.response_id)), `survey ${sv.id}: ${ids.length} comments shown, the API ${ofSurvey.items.length}`);
    await page.waitForFunction(() => document.querySelector('section.txp-emotions[data-state="loaded"]'));
    const esv = await call(`/api/v1/text/emotions?survey=${sv.id}&from=${from}&to=${to}`);
    assert(await page.locator('section.txp-emotions').getAttribute('data-comments') === String(esv.total.comments), 'the emotion mix is not the survey\'s');
    const tsv = await call(`/api/v1/metrics/nps?by=theme&survey=${sv.id}&from=${from}&to=${to}`);
    assert(await rows.count() === tsv.groups.filter((g) => g.value !== '').length, 'the themes are not the survey\'s');
  });

  test('text: the learned model\'s status; an owner trains it and sees the server\'s reason when it refuses', async ({ page, shot }) => {
    await loginOk(page);
    await page.goto(`${BASE}/#/text`);
    const card = page.locator('section.txp-model');
    await page.waitForFunction(() => document.querySelector('section.txp-model[data-state="loaded"]'));
    const call = (method, path) => page.evaluate(async ([m, p]) => (await import('/api.js')).api(m, p), [method, path]);
    const before = await call('GET', '/api/v1/text/model');
    assert(await card.getAttribute('data-trained') === String(before.trained), 'the card\'s state is not the API\'s');
    if (!before.trained) assert((await card.locator('.model-reason').textContent()) === before.reason, 'the reason is not the server\'s');
    // the demo has too few scored comments: the server refuses, and its reason is shown
    await card.locator('button.train').click();
    await page.waitForFunction(() => document.querySelector('section.txp-model[data-state="loaded"]'));
    const after = await call('GET', '/api/v1/text/model');
    assert(!after.trained && after.reason && after.trained_at, `the demo's model: ${JSON.stringify(after).slice(0, 200)}`);
    assert(await card.getAttribute('data-trained') === 'false', 'shown as trained');
    assert((await card.locator('.model-reason').textContent()) === after.reason, 'the refusal\'s reason is not the server\'s');
    // a trained model (an answer of the same shape, as a tenant with enough data gets): its size and accuracy
    const trained = { ...after, trained: true, trained_on: 1234, cv_accuracy: 0.8123, auc: 0.9, blend_weight: 0.5,
      features: { positive: [], negative: [] } };
    delete trained.reason;
    await page.route('**/api/v1/text/model/train', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(trained) }));
    await card.locator('button.train').click();
    await page.waitForFunction(() => document.querySelector('section.txp-model[data-state="loaded"][data-trained="true"]'));
    await page.unroute('**/api/v1/text/model/train');
    const text = await card.locator('.model-trained').textContent();
    assert(/1[,.]?234/.test(text), `"${text}" does not say 1234 comments`);
    assert((await card.locator('.model-accuracy').textContent()).includes('81.2'), 'the accuracy is not shown as 81.2%');
    assert(await card.locator('.model-reason').count() === 0, 'a reason beside a trained model');
    await shot('text-model', page);
  });

  test('text: a hostile comment shows as written, marks and all, and runs nothing', async ({ page, shot }) => {
    await loginOk(page);
    const call = (method, path, body) => page.evaluate(async ([m, p, b]) => (await import('/api.js')).api(m, p, b), [method, path, body]);
    // letters and digits: a 13-digit Date.now() passes the card check one time in ten and is masked
    const stamp = Date.now().toString(36);
    const sv = await call('POST', '/api/v1/surveys', { name: `Texto ${stamp}`, languages: ['es', 'en'],
      questions: [{ id: 'nps', type: 'nps', required: true, text: { es: '¿Recomendaría?', en: 'Recommend?' } }] });
    await call('POST', `/api/v1/surveys/${sv.id}/status`, { status: 'live' });
    const comment = `<img src=x onerror="window.__pwned=1">La entrega fue terrible &amp; <b>pésima</b> 😡 <script>window.__pwned=1</script> "'\u202e ${stamp}`;
    const res = await call('POST', '/api/v1/responses', [{ id: `txp-${stamp}`, survey: sv.id, external_id: `TXP-${stamp}`,
      channel: 'store', answers: { nps: 2 }, comment }]);
    assert(res.accepted === 1, `accepted ${JSON.stringify(res)}`);
    await page.goto(`${BASE}/#/text`);
    await page.locator('.txp-body[data-charts]').waitFor();
    await page.locator('#txp-theme').selectOption('delivery');
    await page.waitForFunction(() => document.querySelector('section.txp-verbatims-card[data-state="loaded"]'));
    const li = page.locator('li.verbatim').first();
    const got = await li.evaluate((e) => {
      const c = e.querySelector('.comment');
      return { text: c.textContent, tags: [...c.querySelectorAll('*')].map((x) => x.tagName), marks: [...c.querySelectorAll('mark')].map((m) => m.textContent) };
    });
    assert(got.text === comment, `shown as ${JSON.stringify(got.text)}`);
    assert(got.tags.every((x) => x === 'MARK'), `elements inside the comment: ${got.tags}`);
    assert(got.marks.length > 0 && got.marks.some((m) => /entrega/i.test(m)), `marks ${JSON.stringify(got.marks)}`);
    assert(!(await page.evaluate(() => window.__pwned)), 'a payload ran');
    await shot('text-hostile', page);
  });

  test('text: a free-text answer shows under its question, escaped and marked', async ({ page, shot }) => {
    await loginOk(page);
    const call = (method, path, body) => page.evaluate(async ([m, p, b]) => (await import('/api.js')).api(m, p, b), [method, path, body]);
    const stamp = Date.now().toString(36);
    const sv = await call('POST', '/api/v1/surveys', { name: `Respuestas ${stamp}`, languages: ['es', 'en'],
      questions: [{ id: 'nps', type: 'nps', required: true, text: { es: '¿Recomendaría?', en: 'Recommend?' } },
        { id: 'why', type: 'text', text: { es: '¿Qué <b>falló</b>?', en: 'What <b>went</b> wrong?' } }] });
    await call('POST', `/api/v1/surveys/${sv.id}/status`, { status: 'live' });
    const answer = `La entrega llegó tarde <img src=x onerror="window.__pwned=1"> &amp; <script>window.__pwned=1</script> ${stamp}`;
    const res = await call('POST', '/api/v1/responses', [{ id: `txa-${stamp}`, survey: sv.id, external_id: `TXA-${stamp}`,
      channel: 'web', answers: { nps: 3, why: answer } }]);
    assert(res.accepted === 1, `accepted ${JSON.stringify(res)}`);
    await page.goto(`${BASE}/#/text`);
    await page.locator('.txp-body[data-charts]').waitFor();
    await page.locator('#txp-theme').selectOption('delivery');
    await page.waitForFunction(() => document.querySelector('section.txp-verbatims-card[data-state="loaded"]'));
    const li = page.locator('li.verbatim', { hasText: stamp }).first();
    await li.waitFor();
    const got = await li.evaluate((e) => {
      const dd = e.querySelector('dd.answer[data-question="why"]'), dt = e.querySelector('dt[data-question="why"]');
      return { comment: e.querySelectorAll('.comment').length, question: dt && dt.textContent, text: dd && dd.textContent,
        tags: dd ? [...dd.querySelectorAll('*')].map((x) => x.tagName) : [], dtTags: dt ? dt.querySelectorAll('*').length : -1,
        marks: dd ? [...dd.querySelectorAll('mark')].map((m) => [m.dataset.kind, m.textContent]) : [] };
    });
    assert(got.comment === 0, 'an empty comment drawn for a response with only a text answer');
    assert(got.question === 'What <b>went</b> wrong?' && got.dtTags === 0, `labelled ${JSON.stringify(got.question)}`);
    assert(got.text === answer, `shown as ${JSON.stringify(got.text)}`);
    assert(got.tags.every((x) => x === 'MARK'), `elements inside the answer: ${got.tags}`);
    assert(got.marks.some(([k, m]) => k === 'theme' && /entrega/i.test(m)), `marks ${JSON.stringify(got.marks)}`);
    assert(got.marks.some(([k, m]) => k === 'negative' && /tarde/i.test(m)), `marks ${JSON.stringify(got.marks)}`);
    assert(!(await page.evaluate(() => window.__pwned)), 'a payload ran');
    // in Spanish, the question's Spanish text
    await chooseLanguage(page, 'es');
    try {
      await page.goto(`${BASE}/#/text`);
      await page.locator('.txp-body[data-charts]').waitFor();
      await page.locator('#txp-theme').selectOption('delivery');
      await page.waitForFunction(() => document.querySelector('section.txp-verbatims-card[data-state="loaded"]'));
      const dt = page.locator('li.verbatim', { hasText: stamp }).first().locator('dt[data-question="why"]');
      assert((await dt.textContent()) === '¿Qué <b>falló</b>?', `labelled ${await dt.textContent()} in Spanish`);
    } finally {
      await chooseLanguage(page, 'en');
    }
    await shot('text-answer', page);
  });

  test('text: in Spanish', async ({ page }) => {
    await loginOk(page);
    await chooseLanguage(page, 'es');
    try {
      const m = await texts('es');
      await page.goto(`${BASE}/#/text`);
      await page.locator('.txp-body[data-charts]').waitFor();
      assert((await page.locator('section.txp-themes h2').textContent()) === m.MSG_WEB_TXP_THEMES, 'themes heading not in Spanish');
      assert((await page.locator('section.txp-verbatims-card h2').textContent()) === m.MSG_WEB_TXP_VERBATIMS, 'verbatims heading not in Spanish');
      assert((await page.locator('label[for="txp-emotion"]').textContent()) === m.MSG_WEB_TXP_FILTER_EMOTION, 'filters not in Spanish');
      // themes by their Spanish names from the tenant's taxonomy
      const tax = await page.evaluate(async () => (await import('/api.js')).api('GET', '/api/v1/settings/themes'));
      const rows = await page.locator('section.txp-themes tbody tr').evaluateAll((rs) => rs.map((r) => [r.dataset.value, r.querySelector('th').textContent]));
      assert(rows.length > 0, 'no theme rows');
      for (const [id, name] of rows) {
        const x = tax.themes.find((y) => y.id === id);
        assert(x && x.name.es === name, `theme ${id} shown as ${name}`);
      }
    } finally {
      await chooseLanguage(page, 'en'); // leave the demo user as the other tests expect
    }
  });

  test('text: fits a phone', async ({ page, shot }) => {
    await loginOk(page);
    await page.goto(`${BASE}/#/text`);
    await page.locator('.txp-body[data-charts="drawn"]').waitFor();
    await page.waitForFunction(() => document.querySelector('section.txp-verbatims-card[data-state="loaded"]'));
    const wide = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    assert(!wide, 'the text page is wider than the phone');
    await shot('text-phone', page);
  }, { viewport: { width: 375, height: 812 }, isMobile: true });
}
