// overview.test.mjs - the Overview page in a real browser (registered by
// dashboard.test.mjs) on the demo tenant: the NPS gauge with its interval and
// the change against the previous period, the promoters / passives /
// detractors bar, CSAT and CES, the trend by week, month or quarter (smoothed on request, exported),
// the key-driver quadrant, and the breakdown tables (sortable,
// exported as CSV), each agreeing with GET /api/v1/metrics/nps; at phone
// size nothing is wider than the screen.

export function overviewTests(test, { BASE, assert, loginOk }) {
  test('overview: where NPS stands, whether it moved, where it is worst; tables sort and export', async ({ page, shot }) => {
    await loginOk(page);
    await page.goto(`${BASE}/#/overview`);
    const head = page.locator('section.ov-headline');
    await head.waitFor();
    await page.locator('.ov-body[data-charts="drawn"]').waitFor();
    // the same figure as the API for the same range
    const api = await page.evaluate(async () => {
      const day = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
      const to = new Date();
      to.setDate(to.getDate() + 1);
      const from = new Date(to);
      from.setDate(from.getDate() - 90);
      return (await import('/api.js')).api('GET', `/api/v1/metrics/nps?from=${day(from)}&to=${day(to)}&compare=previous`);
    });
    assert((await head.getAttribute('data-score')) === String(api.overall.score ?? '–'),
      `the gauge shows ${await head.getAttribute('data-score')}, the API ${api.overall.score}`);
    if (api.overall.n) {
      assert(await page.locator('.nps-gauge canvas').count() === 1, 'no gauge drawn');
      const legend = await page.locator('.ppd-legend').textContent();
      assert(legend.includes(String(api.overall.promoters)), `the bar legend ${legend}`);
      assert(await head.locator('.ov-moved').count() === 1, 'no comparison with the previous period');
    }
    assert(await page.locator('.nps-trend canvas').count() === 1, 'no trend drawn');
    // CSAT and CES beside NPS, the same figures as the API (the demo's contact survey asks both)
    for (const metric of ['csat', 'ces']) {
      const m = await page.evaluate(async (q) => (await import('/api.js')).api('GET', q), `/api/v1/metrics/${metric}?${new URLSearchParams({
        from: api.from, to: api.to })}`);
      const tile = page.locator(`section.ov-${metric}`);
      if (!m.overall.n) {
        assert(await tile.count() === 0, `a ${metric} tile without answers`);
        continue;
      }
      assert((await tile.getAttribute('data-score')) === String(m.overall.score), `${metric}: ${await tile.getAttribute('data-score')} vs ${m.overall.score}`);
      assert((await tile.textContent()).includes(String(m.overall.ci_low)), `${metric} tile without its interval`);
    }
    // the trend by week, by quarter, smoothed: each as many points as the API gives
    const trend = page.locator('section.ov-trend');
    assert((await trend.getAttribute('data-interval')) === 'month' && Number(await trend.getAttribute('data-buckets')) === 12,
      `monthly trend of ${await trend.getAttribute('data-buckets')} months`);
    await page.locator('#ov-trend-interval').selectOption('week');
    await page.waitForFunction(() => document.querySelector('section.ov-trend[data-interval="week"][data-state="drawn"]'));
    assert(Number(await trend.getAttribute('data-buckets')) === 26, `weeks: ${await trend.getAttribute('data-buckets')}`);
    await page.locator('#ov-trend-window').selectOption('3');
    await page.waitForFunction(() => document.querySelector('section.ov-trend[data-window="3"][data-state="drawn"]'));
    assert((await trend.locator('.ov-trend-note').textContent()).includes('3'), 'no note on the smoothing');
    const [trendCsv] = await Promise.all([page.waitForEvent('download'), trend.locator('button.csv').click()]);
    const trendText = Buffer.concat(await (await trendCsv.createReadStream()).toArray()).toString('utf8');
    assert(trendText.startsWith('week,n,nps,ci_low,ci_high') && trendText.trim().split('\n').length === 27, `trend CSV ${trendText.slice(0, 60)}`);
    await page.locator('#ov-trend-interval').selectOption('quarter');
    await page.waitForFunction(() => document.querySelector('section.ov-trend[data-interval="quarter"][data-state="drawn"]'));
    assert(Number(await trend.getAttribute('data-buckets')) === 8, `quarters: ${await trend.getAttribute('data-buckets')}`);
    // units by their names, not their ids
    const units = await page.locator('section.ov-breakdown[data-dim="org_unit"] tbody th').allTextContents();
    assert(units.length > 0 && units.every((u) => !/^[0-9]+$/.test(u)), `units shown as ${units}`);

    // which lever first: the drivers of the survey with the most answers (the demo's post-delivery NPS)
    const drivers = page.locator('section.ov-drivers');
    await drivers.waitFor();
    assert(await page.locator('.nps-quadrant canvas').count() === 1, 'no quadrant drawn');
    const ids = await drivers.locator('tbody tr').evaluateAll((rs) => rs.map((r) => r.dataset.driver));
    assert(JSON.stringify([...ids].sort()) === '["delivery","product"]', `drivers ${ids}`);
    const quadrants = await drivers.locator('tbody tr').evaluateAll((rs) => rs.map((r) => r.dataset.quadrant));
    assert(quadrants.every((q) => ['fix_first', 'keep', 'maintain', 'lower_priority'].includes(q)), `quadrants ${quadrants}`);

    // a breakdown: worst first; its Answers header puts the most answers first
    const table = page.locator('section.ov-breakdown[data-dim="channel"]');
    const rows = table.locator('tbody tr');
    const scores = async () => (await rows.locator('td.nps-cell').allTextContents()).map(Number);
    if (await rows.count() >= 2) {
      const s = await scores();
      assert(s.every((v, i) => i === 0 || s[i - 1] <= v), `not worst first: ${s}`);
      await table.locator('button.sort[data-key="n"]').click();
      const ns = (await rows.locator('td.num').allTextContents()).filter((_, i) => i % 3 === 0).map(Number);
      assert(ns.every((v, i) => i === 0 || ns[i - 1] >= v), `not most answers first: ${ns}`);
    }
    const [download] = await Promise.all([page.waitForEvent('download'), table.locator('button.csv').click()]);
    const csv = await (await download.createReadStream()).toArray();
    const text = Buffer.concat(csv).toString('utf8');
    assert(text.startsWith('channel,name,n,nps,ci_low,ci_high,diff_vs_rest,p_vs_rest,significant'), `CSV ${text.slice(0, 80)}`);
    assert(text.trim().split('\n').length === (await rows.count()) + 1, 'a CSV line per row');
    await shot('overview', page);

    // another period redraws from the API
    await page.locator('#ov-period').selectOption('365');
    await page.waitForFunction(() => document.querySelector('.ov-body[data-charts="drawn"]'));
    await page.locator('section.ov-headline').waitFor();
  });

  test('overview and text share their filters: the period and survey picked on one open the other', async ({ page }) => {
    await loginOk(page);
    await page.goto(`${BASE}/#/overview`);
    await page.locator('.ov-body[data-charts="drawn"]').waitFor();
    const options = await page.locator('#ov-survey option').evaluateAll((os) => os.map((o) => o.value).filter(Boolean));
    assert(options.length > 0, 'no survey to pick');
    const pick = options[options.length - 1];
    await page.locator('#ov-period').selectOption('30');
    await page.locator('#ov-survey').selectOption(pick);
    await page.waitForFunction(() => document.querySelector('.ov-body[data-charts="drawn"]'));
    await page.goto(`${BASE}/#/text`);
    await page.waitForFunction((want) => document.querySelector('#ov-survey')?.value === want, pick);
    assert(await page.locator('#ov-period').inputValue() === '30', 'the text page forgot the period');
    // and back: a change on the text page is what the overview opens with
    await page.locator('#ov-period').selectOption('365');
    await page.locator('#ov-survey').selectOption('');
    await page.goto(`${BASE}/#/overview`);
    await page.locator('.ov-body[data-charts="drawn"]').waitFor();
    assert(await page.locator('#ov-period').inputValue() === '365', 'the overview forgot the period');
    assert(await page.locator('#ov-survey').inputValue() === '', 'the overview forgot "every survey"');
  });

  test('overview fits a phone', async ({ page, shot }) => {
    await loginOk(page);
    await page.goto(`${BASE}/#/overview`);
    await page.locator('.ov-body[data-charts="drawn"]').waitFor();
    const wide = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    assert(!wide, 'the overview is wider than the phone');
    await shot('overview-phone', page);
  }, { viewport: { width: 390, height: 844 }, isMobile: true });
}
