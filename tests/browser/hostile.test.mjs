// hostile.test.mjs - what customers and survey authors write is text, never
// markup, wherever cxm shows it (registered by dashboard.test.mjs). A corpus
// of hostile texts (tests/data/hostile/comments.txt: script tags, event
// handlers, javascript: URLs, broken-out attributes and elements, entities,
// template syntax, bidi overrides) goes in as survey texts, answers and
// comments; the dashboard's survey list, editor preview and responses, and
// the public survey page on a phone, must show each one exactly as written,
// hold no element or handler it asked for, and run none of it (every payload
// that could run sets window.__pwned).

import { readFileSync } from 'node:fs';

const CORPUS = readFileSync(new URL('../data/hostile/comments.txt', import.meta.url), 'utf8')
  .split('\n').filter((l) => l && !l.startsWith('#'));

// Everything under `root` that a payload could have made: elements that run
// or load things, any on* attribute, and javascript: URLs.
function injected(root) {
  const bad = [];
  for (const e of document.querySelectorAll(`${root}, ${root} *`)) {
    if (['SCRIPT', 'IFRAME', 'OBJECT', 'EMBED', 'BASE', 'META', 'LINK', 'IMG', 'SVG', 'VIDEO', 'MATH', 'TEMPLATE',
      'MARQUEE', 'DETAILS'].includes(e.tagName.toUpperCase())) bad.push(e.tagName);
    for (const a of e.attributes) {
      const url = ['href', 'src', 'action', 'formaction', 'data', 'srcdoc', 'xlink:href'].includes(a.name.toLowerCase());
      if (/^on/i.test(a.name) || (url && /^\s*javascript:/i.test(a.value))) bad.push(`${e.tagName}[${a.name}]`);
    }
  }
  return bad;
}

export function hostileTests(test, { BASE, assert, loginOk, openBrowser }) {
  test('a hostile-text corpus shows as text in the dashboard and on the survey page, and runs nothing', async ({ page, shot }) => {
    assert(CORPUS.length >= 30, `the corpus has ${CORPUS.length} texts`);
    await loginOk(page);
    // the dashboard's own API module: same session, same CSRF token
    const call = (method, path, body) => page.evaluate(async ([m, p, b]) => (await import('/api.js')).api(m, p, b),
      [method, path, body]);
    const pick = (i) => CORPUS[i % CORPUS.length];
    const stamp = Date.now();
    const def = {
      name: `Hostil ${stamp} ${pick(0)}`,
      languages: ['es', 'en'],
      questions: [
        { id: 'nps', type: 'nps', required: true, text: { es: pick(1), en: pick(2) },
          labels: { low: { es: pick(3), en: pick(3) }, high: { es: pick(4), en: pick(4) } } },
        { id: 'why', type: 'text', text: { es: pick(5), en: pick(6) } },
        { id: 'opt', type: 'single_choice', text: { es: pick(7), en: pick(7) },
          options: [{ id: 'a', text: { es: pick(8), en: pick(9) } }, { id: 'b', text: { es: pick(10), en: pick(10) } }] },
      ],
    };
    const sv = await call('POST', '/api/v1/surveys', def);
    await call('POST', `/api/v1/surveys/${sv.id}/status`, { status: 'live' });
    const items = CORPUS.map((c, i) => ({ id: `hz-${stamp}-${i}`, survey: sv.id, external_id: `HZ-${stamp}-${i}`,
      channel: 'store', answers: { nps: i % 11, why: c, opt: i % 2 ? 'a' : 'b' }, comment: c }));
    const res = await call('POST', '/api/v1/responses', items);
    assert(res.accepted === CORPUS.length, `accepted ${JSON.stringify(res)}`);

    // the survey list: the name as text
    await page.goto(`${BASE}/#/surveys`);
    const link = page.locator(`tr[data-survey="${sv.id}"] a.survey-name`);
    await link.waitFor();
    assert((await link.textContent()) === def.name, `the list shows ${JSON.stringify(await link.textContent())}`);

    // the survey: editor, preview, responses (one page holds them all)
    await link.click();
    const rows = page.locator('ol.responses li.response');
    await rows.nth(CORPUS.length - 1).waitFor();
    const whys = await page.locator('ol.responses .answer[data-question="why"] .answer-text').allTextContents();
    const comments = await page.locator('ol.responses .response-comment').allTextContents();
    const want = [...CORPUS].sort();
    assert(JSON.stringify([...whys].sort()) === JSON.stringify(want), 'the answers are not shown exactly as written');
    assert(JSON.stringify([...comments].sort()) === JSON.stringify(want), 'the comments are not shown exactly as written');
    const options = await page.locator('ol.responses .answer[data-question="opt"] .answer-text').allTextContents();
    assert(options.every((o) => [pick(8), pick(9), pick(10)].includes(o)), `options shown as ${JSON.stringify(options.slice(0, 3))}`);
    const preview = await page.locator('[data-testid="preview-page"]').innerText();
    assert(preview.includes(pick(1)) || preview.includes(pick(2)), 'the preview does not show the question as text');
    await page.waitForTimeout(300); // let any load/error handler that slipped through fire
    const bad = await page.evaluate(injected, 'main');
    assert(!bad.length, `the dashboard holds injected markup: ${bad.slice(0, 5).join(', ')}`);
    assert((await page.evaluate(() => window.__pwned)) === undefined, 'a hostile text ran in the dashboard');
    await shot('hostile-dashboard', page);

    // the public page on a phone: hostile survey texts, then a hostile answer
    const inv = await call('POST', `/api/v1/surveys/${sv.id}/invitations`, { external_id: `HZ-${stamp}-0`, channel: 'link' });
    const phone = await openBrowser({ viewport: { width: 390, height: 844 }, isMobile: true });
    try {
      const p = phone.page;
      await p.goto(`${BASE}${inv.path}`);
      const text = await p.locator('body').innerText();
      assert(text.includes(pick(1)) || text.includes(pick(2)), 'the survey page does not show the question as text');
      assert(text.includes(pick(3)), 'the survey page does not show the end label as text');
      const wide = await p.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
      assert(!wide, 'long texts make the survey page wider than the phone');
      await p.locator('form label:has(input[value="2"])').first().click();
      const why = p.locator('textarea[name="q.why"]');
      if (await why.count()) await why.fill(pick(11));
      await p.locator('form button[type=submit]').click();
      await p.waitForLoadState();
      await p.waitForTimeout(300);
      const pbad = await p.evaluate(injected, 'body');
      assert(!pbad.length, `the survey page holds injected markup: ${pbad.slice(0, 5).join(', ')}`);
      assert((await p.evaluate(() => window.__pwned)) === undefined, 'a hostile text ran on the survey page');
      await shot('hostile-survey-page-phone', p);
      if (phone.problems.length) throw new Error(phone.problems.join('\n'));
    } finally {
      await phone.close();
    }
    const got = await call('GET', `/api/v1/responses?survey=${sv.id}&channel=web`);
    assert(got.items.length === 1 && got.items[0].answers.why === pick(11) && got.items[0].nps === 2,
      `the phone's answer was stored as ${JSON.stringify(got.items)}`);
  });
}
