// journeys.test.mjs - the Journey page in a real browser (registered by
// dashboard.test.mjs) on the demo tenant: the list is the tenant's journeys;
// the board's figures are GET /api/v1/journeys/{id}/map's for the same range
// (and for one segment); "where customers leave" and "where they feel worst"
// name the stages the API's figures say; moments of truth are the map's; the
// chooser opens the other journey; a touchpoint opened with the keyboard shows that
// touchpoint's themes and comments (GET .../touchpoints/{key}) with "show
// more"; a funnel run draws and its counts are POST /api/v1/funnels's (with
// the journey's window, edited steps, the time-to-convert histogram); the
// paths draw as a Sankey with GET /api/v1/paths's nodes; a hostile comment
// shows as text; the page in Spanish; nothing wider than a phone.

async function csvText(page, button) {
  const [file] = await Promise.all([page.waitForEvent('download'), button.click()]);
  return Buffer.concat(await (await file.createReadStream()).toArray()).toString('utf8');
}

export function journeyTests(test, { BASE, texts, assert, loginOk, chooseLanguage }) {
  const call = (page, method, path, body) => page.evaluate(async ([m, p, b]) => (await import('/api.js')).api(m, p, b), [method, path, body]);

  /** The demo journey with the most stages, opened (over the last DAYS days when given); its map for the page's range. */
  async function openJourney(page, days) {
    const list = (await call(page, 'GET', '/api/v1/journeys')).items;
    assert(list.length > 0, 'the demo tenant has no journey');
    const j = [...list].sort((a, b) => (b.definition ? b.definition.stages.length : 0) - (a.definition ? a.definition.stages.length : 0))[0];
    await page.goto(`${BASE}/#/journeys/${j.id}`);
    let body = page.locator('.jr-body[data-charts="drawn"]');
    await body.waitFor();
    if (days && (await page.locator('#ov-period').inputValue()) !== String(days)) {
      const before = await body.getAttribute('data-from');
      await page.locator('#ov-period').selectOption(String(days));
      await page.waitForFunction((f) => { const b = document.querySelector('.jr-body[data-charts="drawn"]'); return b && b.dataset.from !== f; }, before);
      body = page.locator('.jr-body[data-charts="drawn"]');
    }
    const from = await body.getAttribute('data-from'), to = await body.getAttribute('data-to');
    const map = await call(page, 'GET', `/api/v1/journeys/${j.id}/map?from=${from}&to=${to}`);
    return { j, from, to, map };
  }

  /**
   * The API's stage with the largest share of mature entries that left
   * (dropped / conversion.n), and the one whose comments feel worst.
   */
  function worst(stages) {
    let drop = null, feel = null;
    for (const s of stages) {
      if (s.conversion && s.conversion.n > 0) {
        const share = s.dropped / s.conversion.n;
        if (!drop || share > drop.share) drop = { key: s.key, name: s.name, share };
      }
      if (s.feeling && (!feel || s.feeling.value < feel.value)) feel = { key: s.key, name: s.name, value: s.feeling.value };
    }
    return { drop, feel };
  }

  test('journeys: the list; the board is the map API\'s; where customers leave and feel worst', async ({ page, shot }) => {
    await loginOk(page);
    await page.locator('nav#nav a[data-section="journeys"]').click();
    await page.locator('.jr-list[data-state="loaded"]').waitFor();
    const list = (await call(page, 'GET', '/api/v1/journeys')).items;
    const shown = await page.locator('ul.jr-journeys li').evaluateAll((ls) => ls.map((l) => l.dataset.id));
    assert(JSON.stringify(shown) === JSON.stringify(list.map((j) => String(j.id))), `journeys shown ${shown}, the API ${list.map((j) => j.id)}`);
    await shot('journeys-list', page);

    // over 90 days the retail journey's window (longer) has not passed for any entry: the page says so
    const recent = await openJourney(page, 90);
    if (recent.map.mature_before <= recent.map.from) {
      const m = await texts('en');
      const want = m.MSG_WEB_JRN_NO_DROP_WINDOW.replace('{window}', recent.j.definition.conversion_window);
      assert((await page.locator('.jr-worst-drop').textContent()) === want, `over 90 days: ${await page.locator('.jr-worst-drop').textContent()}`);
      assert(await page.locator('.jr-flag.drop').count() === 0, 'a drop-off flagged with no mature entry');
      // one click for a year: the period changes and a stage is named
      await page.locator('button.jr-longer').click();
      await page.waitForFunction(() => document.querySelector('.jr-body[data-charts="drawn"] .jr-worst-drop[data-stage]:not([data-stage=""])'));
      assert(await page.locator('#ov-period').inputValue() === '365', 'the period is not the last 365 days');
    }

    const { map } = await openJourney(page, 365);
    assert(map.stages.length > 1, 'the demo journey has one stage');
    assert(map.stages.some((s) => s.reached > 0), 'nobody reached any stage of the demo journey in 90 days');
    for (const s of map.stages) {
      const card = page.locator(`article.jr-stage[data-key="${s.key}"]`);
      assert(await card.count() === 1, `no card for stage ${s.key}`);
      const got = await card.evaluate((e) => ({ ...e.dataset, phase: e.closest('.jr-phase').dataset.phase, name: e.querySelector('h3').textContent }));
      assert(got.reached === String(s.reached) && got.phase === s.phase && got.name === s.name,
        `stage ${s.key}: shown ${JSON.stringify(got)}, API reached ${s.reached} phase ${s.phase}`);
      assert(got.dropped === String(s.dropped ?? '') && got.inProgress === String(s.in_progress ?? ''),
        `stage ${s.key}: shown dropped ${got.dropped} in progress ${got.inProgress}, API ${s.dropped} ${s.in_progress}`);
      const conv = s.conversion ? s.conversion.value : null;
      assert(got.conversion === String(conv ?? ''), `stage ${s.key}: conversion ${got.conversion}, API ${conv}`);
      if (s.friction && s.friction.value !== null) {
        assert(await card.locator(`.jr-friction[data-value="${s.friction.value}"][data-colour="${s.friction.colour}"]`).count() === 1, `stage ${s.key}: friction not ${s.friction.value}`);
      }
      if (s.nps && s.nps.n) assert(await card.locator(`.jr-score[data-metric="nps"]`).getAttribute('data-score') === String(s.nps.score), `stage ${s.key}: NPS`);
      for (const tp of s.touchpoints || []) assert(await card.locator(`button.jr-tp[data-key="${tp.key}"]`).count() === 1, `no button for touchpoint ${tp.key}`);
    }
    // phases in order: before, during, after
    const phases = await page.locator('.jr-phase').evaluateAll((ps) => ps.map((p) => p.dataset.phase));
    assert(JSON.stringify(phases) === JSON.stringify(['before', 'during', 'after'].filter((p) => map.stages.some((s) => s.phase === p))), `phases ${phases}`);

    // where customers leave and where they feel worst: in words, on the right stages
    const { drop, feel } = worst(map.stages);
    assert(drop, 'no stage of the demo journey has mature entries');
    const dropLine = page.locator('.jr-worst-drop');
    assert(await dropLine.getAttribute('data-stage') === drop.key, `largest drop-off shown at ${await dropLine.getAttribute('data-stage')}, the API's is ${drop.key}`);
    assert((await dropLine.textContent()).includes(drop.name), 'the drop-off line does not name the stage');
    assert(await page.locator(`article.jr-stage[data-key="${drop.key}"] .jr-flag.drop`).count() === 1, 'the drop-off stage is not flagged in words');
    assert(feel, 'no stage of the demo journey has comments');
    const feelLine = page.locator('.jr-worst-feel');
    assert(await feelLine.getAttribute('data-stage') === feel.key, `worst feeling shown at ${await feelLine.getAttribute('data-stage')}, the API's is ${feel.key}`);
    assert((await feelLine.textContent()).includes(feel.name), 'the feeling line does not name the stage');
    assert(await page.locator(`article.jr-stage[data-key="${feel.key}"] .jr-flag.feel`).count() === 1, 'the worst stage is not flagged in words');

    // the emotion curve: drawn, and its table has a row per stage with the API's mean
    assert(await page.locator('.jr-curve canvas').count() === 1, 'no emotion curve');
    const curve = await page.locator('.jr-curve-table tbody tr').evaluateAll((rs) => rs.map((r) => [r.dataset.key, r.querySelector('td.sentiment').dataset.value]));
    assert(curve.length === map.stages.length, `${curve.length} rows in the curve table`);
    for (const [key, v] of curve) {
      const s = map.stages.find((x) => x.key === key);
      const want = s.feeling ? Math.round(s.feeling.value * 1000) / 10 : '–';
      assert(v === String(want), `stage ${key}: mean sentiment ${v}, from the API ${want}`);
    }
    // moments of truth: the API's, in its order, or the server's reason when there are none
    const moments = await page.locator('section.jr-moments li[data-touchpoint]').evaluateAll((ls) => ls.map((l) => l.dataset.touchpoint));
    assert(JSON.stringify(moments) === JSON.stringify(map.moments_of_truth.map((m) => m.touchpoint)), `moments shown ${moments}, the API ${JSON.stringify(map.moments_of_truth)}`);
    if (!moments.length && map.moments && map.moments.reason) {
      assert((await page.locator('section.jr-moments p.empty').textContent()) === map.moments.reason, 'the server\'s reason is not shown');
    }
    await shot('journeys-map', page);

    // one segment: the board is the map's for that segment
    const segments = await page.locator('#jr-segment option').evaluateAll((os) => os.map((o) => o.value).filter(Boolean));
    assert(segments.length > 0, 'no segment to choose');
    await page.locator('#jr-segment').selectOption(segments[0]);
    await page.waitForFunction((sg) => document.querySelector(`.jr-body[data-segment="${sg}"][data-charts]`), segments[0]);
    const body = page.locator('.jr-body');
    const seg = await call(page, 'GET', `/api/v1/journeys/${map.journey.id}/map?from=${await body.getAttribute('data-from')}&to=${await body.getAttribute('data-to')}&segment=${encodeURIComponent(segments[0])}`);
    const reached = await page.locator('article.jr-stage').evaluateAll((cs) => cs.map((c) => [c.dataset.key, Number(c.dataset.reached)]));
    for (const [key, n] of reached) {
      const s = seg.stages.find((x) => x.key === key);
      assert(s && s.reached === n, `segment ${segments[0]}, stage ${key}: shown ${n}, the API ${s && s.reached}`);
    }
    assert(seg.stages.reduce((a, x) => a + x.reached, 0) <= map.stages.reduce((a, x) => a + x.reached, 0), 'a segment reaches more than everyone');

    // the chooser opens the other journey
    const other = list.find((x) => String(x.id) !== String(map.journey.id));
    assert(other, 'the demo has one journey');
    await page.locator('#jr-journey').selectOption(String(other.id));
    await page.waitForFunction((id) => location.hash === `#/journeys/${id}`, String(other.id));
    await page.locator('.jr-body[data-charts="drawn"]').waitFor();
    const keys = await page.locator('article.jr-stage').evaluateAll((cs) => cs.map((c) => c.dataset.key));
    assert(JSON.stringify(keys.sort()) === JSON.stringify(other.definition.stages.map((x) => x.key).sort()), `the other journey shows stages ${keys}`);
  });

  test('journeys: a touchpoint opened with the keyboard shows its themes and comments', async ({ page, shot }) => {
    await loginOk(page);
    const { j, from, to, map } = await openJourney(page);
    // the touchpoint with the most comments
    const tps = map.stages.flatMap((s) => (s.touchpoints || []).map((tp) => ({ ...tp, stage: s.key })));
    const tp = tps.sort((a, b) => ((b.sentiment && b.sentiment.comments) || 0) - ((a.sentiment && a.sentiment.comments) || 0))[0];
    assert(tp, 'the demo journey has no touchpoint');
    const button = page.locator(`button.jr-tp[data-key="${tp.key}"]`);
    await button.focus();
    await page.keyboard.press('Enter');
    const drill = page.locator(`section.jr-drill[data-key="${tp.key}"]`);
    await page.waitForFunction((k) => document.querySelector(`section.jr-drill[data-key="${k}"][data-state="loaded"]`), tp.key);
    assert(await drill.evaluate((e) => e.contains(document.activeElement)), 'the focus did not move to the touchpoint');
    const d = await call(page, 'GET', `/api/v1/journeys/${j.id}/touchpoints/${encodeURIComponent(tp.key)}?from=${from}&to=${to}&limit=10`);
    const themes = await drill.locator('.jr-themes li').evaluateAll((ls) => ls.map((l) => l.dataset.theme));
    assert(JSON.stringify(themes) === JSON.stringify(d.touchpoint.themes.map((x) => x.id)), `themes shown ${themes}, the API ${JSON.stringify(d.touchpoint.themes)}`);
    const items = d.verbatims.items, next = d.verbatims.next_cursor;
    assert(items.length > 0, `touchpoint ${tp.key} has no comment`);
    assert(themes.length > 0, `touchpoint ${tp.key} has no theme`);
    const ids = await drill.locator('li.verbatim').evaluateAll((ls) => ls.map((l) => l.dataset.id));
    assert(JSON.stringify(ids) === JSON.stringify(items.map((v) => v.response_id)), 'the comments are not the API\'s, newest first');
    const comments = await drill.locator('li.verbatim .comment').allTextContents();
    assert(JSON.stringify(comments) === JSON.stringify(items.filter((v) => v.comment || !(v.answers || []).length).map((v) => v.comment)), 'a comment is not shown as the API gives it');
    if (d.touchpoint.nps && d.touchpoint.nps.n) {
      assert(await drill.locator('.jr-score[data-metric="nps"]').getAttribute('data-score') === String(d.touchpoint.nps.score), 'the touchpoint\'s NPS is not the API\'s');
    }
    if (next) {
      await drill.locator('button.more').click();
      await page.waitForFunction(([k, n]) => document.querySelectorAll(`section.jr-drill[data-key="${k}"] li.verbatim`).length > n, [tp.key, items.length]);
    }
    await shot('journeys-drill', page);
    // Escape closes it and gives the focus back to the touchpoint
    await page.keyboard.press('Escape');
    await drill.waitFor({ state: 'detached' });
    assert(await button.evaluate((b) => b === document.activeElement), 'the focus did not return to the touchpoint');
  });

  test('journeys: a funnel run draws and its counts are the API\'s; CSV', async ({ page }) => {
    await loginOk(page);
    const { j, from, to, map } = await openJourney(page);
    const card = page.locator('section.jr-funnel');
    const shown = async () => card.locator('tbody tr').evaluateAll((rs) => rs.map((r) => Number(r.dataset.reached)));
    const want = async (steps, window) => {
      const ans = await call(page, 'POST', '/api/v1/funnels', { steps, window, from, to });
      return ans.steps.map((s) => s.reached);
    };
    const stageSteps = map.stages.map((s) => ({ journey: String(j.id), stage: s.key }));
    const win = await page.locator('#jr-window').inputValue();
    assert(win === j.definition.conversion_window, `the funnel's window ${win}, the journey's ${j.definition.conversion_window}`);
    let got = await shown(), api = await want(stageSteps, win);
    assert(got.length === map.stages.length && JSON.stringify(got) === JSON.stringify(api), `funnel shown ${got}, the API ${api}`);
    assert(got[0] > 0, 'nobody entered the funnel');
    assert(await card.locator('.jr-funnel-chart canvas').count() === 1, 'no funnel chart');
    // drop the last stage, add an event step, a shorter window
    await card.locator('.jr-steps li').last().locator('button.jr-step-remove').click();
    await page.locator('#jr-add-event').fill('purchase');
    await card.locator('button.jr-add-event').click();
    await page.locator('#jr-window').selectOption('7d');
    await card.locator('form button[type=submit]').click();
    await page.waitForFunction((n) => document.querySelector(`section.jr-funnel[data-state="drawn"][data-steps="${n}"]`), map.stages.length);
    got = await shown();
    api = await want([...stageSteps.slice(0, -1), { event: { type: 'purchase' } }], '7d');
    assert(JSON.stringify(got) === JSON.stringify(api), `edited funnel shown ${got}, the API ${api}`);
    // two steps: the time to convert drawn from the API's histogram
    while (await card.locator('.jr-steps li').count() > 2) await card.locator('.jr-steps li').last().locator('button.jr-step-remove').click();
    await card.locator('form button[type=submit]').click();
    await page.waitForFunction(() => document.querySelector('section.jr-funnel[data-state="drawn"][data-steps="2"]'));
    const two = await call(page, 'POST', '/api/v1/funnels', { steps: stageSteps.slice(0, 2), window: '7d', from, to });
    assert(JSON.stringify(await shown()) === JSON.stringify(two.steps.map((x) => x.reached)), 'the two-step funnel is not the API\'s');
    assert(two.time_to_convert.histogram.length > 0, 'nobody went on from the first stage in the demo');
    assert(await card.getAttribute('data-bins') === String(two.time_to_convert.histogram.length), 'the time-to-convert chart has other bins than the API');
    assert(await card.locator('.jr-ttc-chart canvas').count() === 1, 'no time-to-convert chart');
    assert((await card.locator('.jr-ttc').textContent()).length > 0, 'no time to convert in words');
    got = await shown();
    const csv = await csvText(page, card.locator('button.csv'));
    assert(csv.startsWith('step,customers,from_previous_pct,from_first_pct'), `CSV ${csv.slice(0, 60)}`);
    assert(csv.trim().split('\n').length === got.length + 1, 'a CSV line per step');
  });

  test('journeys: the paths from a stage draw as a Sankey with the API\'s nodes', async ({ page, shot }) => {
    await loginOk(page);
    const { j, from, to, map } = await openJourney(page);
    const card = page.locator('section.jr-paths');
    const start = map.stages.find((s) => s.reached > 0) || map.stages[0];
    await page.locator('#jr-path-start').selectOption(start.key);
    await page.waitForFunction(() => document.querySelector('section.jr-paths[data-state="drawn"]'));
    const api = await call(page, 'GET', `/api/v1/paths?journey=${j.id}&start=journey:${start.key}&level=stage&from=${from}&to=${to}`);
    assert(api.nodes.length > 1, `the paths from ${start.key} have ${api.nodes.length} nodes`);
    assert(await card.getAttribute('data-nodes') === String(api.nodes.length), `${await card.getAttribute('data-nodes')} nodes drawn, the API has ${api.nodes.length}`);
    const left = api.nodes.filter((n) => n.label === '(left)').length;
    assert(left > 0 && await card.getAttribute('data-left') === String(left), `"(left)" nodes: shown ${await card.getAttribute('data-left')}, the API ${left}`);
    assert(await card.locator('.jr-sankey canvas').count() === 1, 'no Sankey drawn');
    assert(await card.locator('.jr-sequences tbody tr').count() >= Math.min(1, api.sequences.length), 'no sequence listed');
    await shot('journeys-paths', page);
  });

  test('journeys: a hostile comment on a touchpoint shows as written and runs nothing', async ({ page, shot }) => {
    await loginOk(page);
    const { j } = await openJourney(page);
    const def = (await call(page, 'GET', `/api/v1/journeys/${j.id}`)).definition;
    // a touchpoint whose feedback names a response touchpoint
    const tp = def.stages.flatMap((s) => s.touchpoints).find((x) => (x.feedback && x.feedback.length) || (x.match && x.match.touchpoint));
    assert(tp, 'no touchpoint of the demo journey takes feedback');
    const fb = tp.feedback && tp.feedback.length ? tp.feedback[0] : [tp.match.touchpoint].flat()[0];
    const stamp = Date.now().toString(36);
    const sv = await call(page, 'POST', '/api/v1/surveys', { name: `Recorrido ${stamp}`, languages: ['es', 'en'],
      questions: [{ id: 'nps', type: 'nps', required: true, text: { es: '¿Recomendaría?', en: 'Recommend?' } }] });
    await call(page, 'POST', `/api/v1/surveys/${sv.id}/status`, { status: 'live' });
    const comment = `<img src=x onerror="window.__pwned=1">Muy mal &amp; <b>lento</b> 😡 <script>window.__pwned=1</script> "'\u202e ${stamp}`;
    const res = await call(page, 'POST', '/api/v1/responses', [{ id: `jrn-${stamp}`, survey: sv.id, external_id: `JRN-${stamp}`,
      channel: 'web', touchpoint: fb, answers: { nps: 1 }, comment }]);
    assert(res.accepted === 1, `accepted ${JSON.stringify(res)}`);
    await page.reload();
    await page.locator('.jr-body[data-state="loaded"]').waitFor();
    await page.locator(`button.jr-tp[data-key="${tp.key}"]`).click();
    await page.waitForFunction((k) => document.querySelector(`section.jr-drill[data-key="${k}"][data-state="loaded"]`), tp.key);
    const li = page.locator('section.jr-drill li.verbatim', { hasText: stamp }).first();
    await li.waitFor();
    const got = await li.evaluate((e) => {
      const c = e.querySelector('.comment');
      return { text: c.textContent, tags: [...c.querySelectorAll('*')].map((x) => x.tagName) };
    });
    assert(got.text === comment, `shown as ${JSON.stringify(got.text)}`);
    assert(got.tags.every((x) => x === 'MARK'), `elements inside the comment: ${got.tags}`);
    assert(!(await page.evaluate(() => window.__pwned)), 'a payload ran');
    await shot('journeys-hostile', page);
  });

  test('journeys: in Spanish', async ({ page, shot }) => {
    await loginOk(page);
    await chooseLanguage(page, 'es');
    try {
      const m = await texts('es');
      const { map } = await openJourney(page);
      assert((await page.locator('section.jr-board-card h2').textContent()) === m.MSG_WEB_JRN_BOARD, 'board heading not in Spanish');
      assert((await page.locator('section.jr-funnel h2').textContent()) === m.MSG_WEB_JRN_FUNNEL, 'funnel heading not in Spanish');
      assert((await page.locator('label[for="jr-segment"]').textContent()) === m.MSG_WEB_JRN_SEGMENT, 'segment filter not in Spanish');
      const phaseNames = await page.locator('.jr-phase-name').allTextContents();
      const ids = { before: 'MSG_WEB_JRN_PHASE_BEFORE', during: 'MSG_WEB_JRN_PHASE_DURING', after: 'MSG_WEB_JRN_PHASE_AFTER' };
      const want = ['before', 'during', 'after'].filter((p) => map.stages.some((s) => s.phase === p)).map((p) => m[ids[p]]);
      assert(JSON.stringify(phaseNames) === JSON.stringify(want), `phases ${phaseNames}`);
      const prefix = m.MSG_WEB_JRN_WORST_DROP.split('{stage}')[0];
      assert((await page.locator('.jr-worst-drop').textContent()).startsWith(prefix), 'the drop-off line is not in Spanish');
      const body = await page.locator('main#main').innerText();
      assert(!/MSG_WEB_/.test(body), 'a catalogue id is shown instead of its text');
      await shot('journeys-es', page);
    } finally {
      await chooseLanguage(page, 'en');
    }
  });

  test('journeys: a customer\'s page lists their journeys with the API\'s current stage', async ({ page, shot }) => {
    await loginOk(page);
    const m = await texts('en');
    // a demo customer in a journey, as GET /api/v1/customers/{id}/journeys says
    let c = null, mine = null;
    for (const x of (await call(page, 'GET', '/api/v1/customers?limit=50')).items) {
      const js = (await call(page, 'GET', `/api/v1/customers/${x.id}/journeys`)).items.filter((j) => j.entered && j.current_stage);
      if (js.length) { c = x; mine = js; break; }
    }
    assert(c, 'no demo customer is in a journey');
    await page.goto(`${BASE}/#/customers/${encodeURIComponent(c.id)}`);
    await page.locator('section.cj-card .cj-body[aria-busy="false"]').waitFor();
    const shown = await page.locator('li.cj-journey').evaluateAll((ls) => ls.map((l) => l.dataset.journey));
    assert(JSON.stringify(shown) === JSON.stringify(mine.map((j) => j.journey.id)), `journeys shown ${shown}, the API ${mine.map((j) => j.journey.id)}`);
    const j = mine[0], stage = j.stages.find((s) => s.key === j.current_stage);
    const current = await page.locator(`li.cj-journey[data-journey="${j.journey.id}"] .cj-current`).textContent();
    assert(current === m.MSG_WEB_CJ_CURRENT.replace('{stage}', stage.name), `current stage line: ${current}`);
    const stages = await page.locator(`li.cj-journey[data-journey="${j.journey.id}"] ol.cj-stages li`).evaluateAll((ls) => ls.map((l) => l.dataset.stage));
    assert(JSON.stringify(stages) === JSON.stringify(j.stages.filter((s) => s.first).map((s) => s.key)), `stages shown ${stages}`);
    assert((await page.locator('section.cj-card h2').textContent()) === m.MSG_WEB_CJ_TITLE, 'section heading');
    await shot('customer-journeys', page);
  });

  test('journeys: fits a phone', async ({ page, shot }) => {
    await loginOk(page);
    await openJourney(page);
    const wide = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    assert(!wide, 'the journey page is wider than the phone');
    await shot('journeys-phone', page);
  }, { viewport: { width: 375, height: 812 }, isMobile: true });
}
