// text.js - the Text page (#/text, docs/text.md "The Text page"): what the
// comments talk about and how that weighs on NPS (themes by volume and by
// impact, from GET /api/v1/metrics/nps?by=theme), how the mood moves (the
// share of negative / neutral / positive comments by week or month, from
// ?by=sentiment&interval=), which emotions and reasons show at each
// touchpoint, channel or theme (exact counts for the period, from GET
// /api/v1/text/emotions), the comments themselves (GET
// /api/v1/text/verbatims) with the words that matched marked, each free-text
// answer under the comment labelled by its question (the survey version's
// text in the UI language, else the question id), and the
// tenant's learned model (GET /api/v1/text/model; owners and admins can
// train it now). Comments are customer text: they reach the page only as
// text nodes, cut at the API's UTF-16 offsets around <mark> elements.
// Period and survey work as on the Overview.

import { api, listItems, withQuery } from '../api.js';
import { h, replace } from '../dom.js';
import { COLOURS, csvOf, download, fmt, isoDay, lastDays, loadECharts, periodControls } from '../report.js';
import { channelName, formatDateTime, lang, t } from '../i18n.js';

const LABELS = [['negative', 'MSG_WEB_TXP_NEGATIVE', '#d93025'], ['neutral', 'MSG_WEB_TXP_NEUTRAL', '#98a2b3'],
  ['positive', 'MSG_WEB_TXP_POSITIVE', '#188038']];
const EMOTIONS = ['joy', 'trust', 'surprise', 'anger', 'frustration', 'disappointment', 'worry', 'sadness'];
const REASONS = ['price', 'speed', 'convenience', 'quality', 'staff', 'reliability', 'information'];
const PAGE = 20;

function csvButton(name, rows) {
  return h('button', { type: 'button', class: 'csv', onclick: () => download(name, csvOf(rows())) }, t('MSG_WEB_OV_CSV'));
}

function emotionName(e) {
  return t(`MSG_WEB_TXP_EMO_${e.toUpperCase()}`);
}

function reasonName(x) {
  return t(`MSG_WEB_TXP2_REASON_${x.toUpperCase()}`);
}

/**
 * The comment as text nodes with each highlight a <mark>: highlights are
 * UTF-16 [start, end) offsets (JavaScript string indices); overlapping ones
 * are clipped to what the earlier one left, and out-of-range ones dropped.
 */
export function markedText(comment, highlights) {
  const parts = [];
  let at = 0;
  const list = [...(highlights || [])].filter((x) => Number.isInteger(x.start) && Number.isInteger(x.end))
    .sort((a, b) => a.start - b.start || b.end - a.end);
  for (const x of list) {
    const start = Math.max(x.start, at), end = Math.min(x.end, comment.length);
    if (start >= end) continue;
    if (start > at) parts.push(document.createTextNode(comment.slice(at, start)));
    parts.push(h('mark', { class: `hl-${x.kind}`, 'data-kind': x.kind, 'data-theme': x.theme }, comment.slice(start, end)));
    at = end;
  }
  if (at < comment.length) parts.push(document.createTextNode(comment.slice(at)));
  return parts;
}

/* ---- themes: volume and impact ------------------------------------------------------------ */

function themesCard(rep, names, live) {
  // "" is the answers without a theme: not a theme of its own
  const groups = (rep.groups || []).filter((g) => g.value !== '');
  const name = (g) => g.label || names.get(g.value) || g.value;
  let sortKey = 'n';
  let ascending = false; // the most mentioned first
  const body = h('tbody');
  function draw() {
    groups.sort((a, b) => {
      const x = sortKey === 'impact' ? a.vs_rest.diff ?? 0 : a.n, y = sortKey === 'impact' ? b.vs_rest.diff ?? 0 : b.n;
      return (ascending ? x - y : y - x) || name(a).localeCompare(name(b));
    });
    replace(body, ...groups.map((g) => h('tr', { 'data-value': g.value },
      h('th', { scope: 'row' }, name(g)),
      h('td', { class: 'num mentions' }, String(g.n)),
      h('td', { class: 'num nps-cell', 'data-colour': g.colour || '' }, fmt(g.score)),
      h('td', { class: 'num' }, g.ci_low === null ? '–' : `${g.ci_low} – ${g.ci_high}`),
      h('td', { class: 'num impact', 'data-diff': String(g.vs_rest.diff), 'data-significant': String(!!g.vs_rest.significant) },
        g.vs_rest.significant ? h('span', { class: `sig ${g.vs_rest.diff > 0 ? 'up' : 'down'}` }, g.vs_rest.diff > 0 ? '▲ ' : '▼ ') : null,
        `${g.vs_rest.diff > 0 ? '+' : ''}${fmt(g.vs_rest.diff)}`),
      h('td', { class: 'vs-rest' }, g.vs_rest.verdict))));
    card.dataset.sort = sortKey;
    for (const b of card.querySelectorAll('button.sort')) {
      b.closest('th').setAttribute('aria-sort', b.dataset.key !== sortKey ? 'none' : ascending ? 'ascending' : 'descending');
    }
  }
  const sortButton = (key, label) => {
    const b = h('button', { type: 'button', class: 'sort', 'data-key': key }, t(label));
    b.addEventListener('click', () => {
      // impact: the heaviest drag first, then the other way round
      ascending = sortKey === key ? !ascending : key === 'impact';
      sortKey = key;
      draw();
    });
    return b;
  };
  const chartEl = h('div', { class: 'txp-volume', role: 'img', 'aria-label': t('MSG_WEB_TXP_VOLUME_CHART') });
  const card = h('section', { class: 'card txp-themes' },
    h('div', { class: 'card-head' }, h('h2', null, t('MSG_WEB_TXP_THEMES')),
      csvButton('themes.csv', () => [['theme', 'name', 'mentions', 'nps', 'ci_low', 'ci_high', 'diff_vs_rest', 'p_vs_rest', 'significant'],
        ...groups.map((g) => [g.value, name(g), g.n, g.score, g.ci_low, g.ci_high, g.vs_rest.diff, g.vs_rest.p, g.vs_rest.significant])])),
    h('p', { class: 'muted' }, t('MSG_WEB_TXP_THEMES_NOTE')));
  if (!groups.length) {
    card.append(h('p', { class: 'empty' }, t('MSG_WEB_TXP_NO_THEMES')));
    return { card, draw: async () => null };
  }
  card.append(chartEl, h('div', { class: 'table-wrap' }, h('table', { class: 'breakdown txp-theme-table' },
    h('thead', null, h('tr', null,
      h('th', { scope: 'col' }, t('MSG_WEB_TXP_COL_THEME')),
      h('th', { scope: 'col', class: 'num' }, sortButton('n', 'MSG_WEB_TXP_COL_MENTIONS')),
      h('th', { scope: 'col', class: 'num' }, t('MSG_WEB_OV_COL_NPS')),
      h('th', { scope: 'col', class: 'num' }, t('MSG_WEB_OV_COL_CI')),
      h('th', { scope: 'col', class: 'num' }, sortButton('impact', 'MSG_WEB_TXP_COL_IMPACT')),
      h('th', { scope: 'col' }, t('MSG_WEB_OV_COL_VS_REST')))),
    body)));
  draw();
  async function drawChart(echarts) {
    const byVolume = [...groups].sort((a, b) => a.n - b.n); // the largest at the top
    const c = echarts.init(chartEl);
    c.setOption({
      animation: false,
      grid: { left: 8, right: 24, top: 8, bottom: 24, containLabel: true },
      tooltip: { trigger: 'item', formatter: (p) => `${p.name}: ${p.value} · NPS ${fmt(byVolume[p.dataIndex].score)}` },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', data: byVolume.map(name), axisLabel: { width: 110, overflow: 'truncate' } },
      series: [{ type: 'bar', data: byVolume.map((g) => ({ value: g.n, itemStyle: { color: COLOURS[g.colour] || '#98a2b3' } })) }],
    });
    chartEl.style.height = `${Math.max(160, 28 * byVolume.length + 40)}px`;
    c.resize();
    live.push(c);
    card.dataset.chart = 'drawn';
    return c;
  }
  return { card, draw: drawChart };
}

/* ---- sentiment over time ----------------------------------------------------------------- */

function sentimentCard(ctx, range, live) {
  const el = h('div', { class: 'txp-sentiment', role: 'img', 'aria-label': t('MSG_WEB_TXP_SENTIMENT_CHART') });
  const by = h('select', { id: 'txp-sentiment-interval' },
    ...[['week', 'MSG_WEB_TXP_WEEK'], ['month', 'MSG_WEB_TXP_MONTH']].map(([v, m]) => h('option', { value: v, selected: v === 'month' }, t(m))));
  const body = h('tbody');
  const status = h('div', { role: 'status' });
  let rows = [];
  let chart = null;
  const card = h('section', { class: 'card txp-sentiment-card' },
    h('div', { class: 'card-head' }, h('h2', null, t('MSG_WEB_TXP_SENTIMENT')),
      csvButton('sentiment.csv', () => [[by.value, 'comments', 'negative', 'neutral', 'positive'], ...rows])),
    h('div', { class: 'field' }, h('label', { for: 'txp-sentiment-interval' }, t('MSG_WEB_TXP_BY')), by),
    el, status,
    h('div', { class: 'table-wrap' }, h('table', { class: 'breakdown' },
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, t('MSG_WEB_TXP_COL_PERIOD')),
        h('th', { scope: 'col', class: 'num' }, t('MSG_WEB_TXP_COL_COMMENTS')),
        ...LABELS.map(([, m]) => h('th', { scope: 'col', class: 'num' }, t(m))))),
      body)));
  async function load() {
    card.dataset.state = 'loading';
    let rep;
    try {
      rep = await api('GET', withQuery('/api/v1/metrics/nps', { ...range, by: 'sentiment', interval: by.value }));
    } catch (err) {
      if (ctx.isCurrent()) replace(status, ctx.showError(err));
      return;
    }
    if (!ctx.isCurrent()) return;
    replace(status);
    // counts per bucket and label; "" (answers without a comment) is left out
    const counts = new Map();
    for (const g of rep.groups || []) {
      const i = LABELS.findIndex(([l]) => l === g.value);
      if (i < 0) continue;
      for (const s of g.series || []) {
        if (!counts.has(s.bucket)) counts.set(s.bucket, [0, 0, 0]);
        counts.get(s.bucket)[i] += s.n;
      }
    }
    const share = (x, total) => (total ? Math.round((1000 * x) / total) / 10 : 0);
    rows = [...counts.keys()].sort().map((b) => {
      const c = counts.get(b), total = c[0] + c[1] + c[2];
      return [by.value === 'month' ? b.slice(0, 7) : b, total, ...c.map((x) => share(x, total))];
    });
    replace(body, ...rows.map((r) => h('tr', { 'data-bucket': r[0] }, h('th', { scope: 'row' }, r[0]),
      h('td', { class: 'num' }, String(r[1])), ...r.slice(2).map((v) => h('td', { class: 'num' }, `${v}`)))));
    const echarts = await loadECharts().catch(() => null);
    if (!echarts || !ctx.isCurrent()) {
      card.dataset.state = 'failed';
      return;
    }
    if (!chart) {
      chart = echarts.init(el);
      live.push(chart);
    }
    chart.setOption({
      animation: false,
      grid: { left: 40, right: 16, top: 36, bottom: 28 },
      legend: { top: 0 },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: rows.map((r) => r[0]) },
      yAxis: { type: 'value', min: 0, max: 100 },
      series: LABELS.map(([, m, colour], i) => ({ name: t(m), type: 'bar', stack: 'share', color: colour,
        data: rows.map((r) => r[2 + i]) })),
    }, true);
    card.dataset.state = 'drawn';
    card.dataset.interval = by.value;
    card.dataset.buckets = String(rows.length);
  }
  by.addEventListener('change', load);
  return { card, load };
}

/* ---- the emotion mix: exact counts by touchpoint, channel or theme --------------------- */

function emotionsCard(ctx, range, names) {
  const BY = [['touchpoint', 'MSG_WEB_TXP2_BY_TOUCHPOINT'], ['channel', 'MSG_WEB_TXP2_BY_CHANNEL'], ['theme', 'MSG_WEB_TXP2_BY_THEME']];
  const by = h('select', { id: 'txp-emotions-by' }, ...BY.map(([v, m]) => h('option', { value: v }, t(m))));
  const status = h('div', { role: 'status' });
  const tableWrap = h('div', { class: 'table-wrap' });
  let mix = null;
  const groupName = (value) => {
    if (by.value === 'channel') return value ? channelName(value) : t('MSG_WEB_OV_NONE');
    if (by.value === 'theme') return value ? names.get(value) || value : t('MSG_WEB_TXP2_NO_THEME');
    return value || t('MSG_WEB_OV_NONE');
  };
  const card = h('section', { class: 'card txp-emotions' },
    h('div', { class: 'card-head' }, h('h2', null, t('MSG_WEB_TXP2_MIX')),
      csvButton('emotions.csv', () => [[mix ? mix.by : by.value, 'comments', ...EMOTIONS, ...REASONS, ...LABELS.map(([l]) => l)],
        ...(mix ? mix.groups : []).map((g) => [g.value, g.comments, ...EMOTIONS.map((e) => g.emotions[e]),
          ...REASONS.map((x) => g.reasons[x]), ...LABELS.map(([l]) => g.labels[l])])])),
    h('p', { class: 'muted' }, t('MSG_WEB_TXP2_MIX_NOTE')),
    h('div', { class: 'field' }, h('label', { for: 'txp-emotions-by' }, t('MSG_WEB_TXP2_GROUP_BY')), by),
    status, tableWrap);
  function draw() {
    // only the emotions and reasons that some comment shows
    const emotions = EMOTIONS.filter((e) => mix.total.emotions[e] > 0);
    const reasons = REASONS.filter((x) => mix.total.reasons[x] > 0);
    if (!mix.total.comments) {
      replace(tableWrap, h('p', { class: 'empty' }, t('MSG_WEB_TXP2_NO_COMMENTS')));
      return;
    }
    const cells = (g) => [
      h('td', { class: 'num comments' }, String(g.comments)),
      ...emotions.map((e) => h('td', { class: 'num', 'data-emotion': e }, String(g.emotions[e]))),
      ...reasons.map((x) => h('td', { class: 'num', 'data-reason': x }, String(g.reasons[x]))),
      ...LABELS.map(([l]) => h('td', { class: 'num', 'data-label': l }, String(g.labels[l])))];
    const byLabel = t(BY.find(([v]) => v === mix.by)[1]);
    replace(tableWrap, h('table', { class: 'breakdown txp-mix' },
      h('thead', null,
        h('tr', null, h('td', { colspan: '2' }),
          emotions.length ? h('th', { scope: 'colgroup', colspan: String(emotions.length) }, t('MSG_WEB_TXP2_EMOTIONS')) : null,
          reasons.length ? h('th', { scope: 'colgroup', colspan: String(reasons.length) }, t('MSG_WEB_TXP2_REASONS')) : null,
          h('th', { scope: 'colgroup', colspan: String(LABELS.length) }, t('MSG_WEB_TXP2_SENTIMENT'))),
        h('tr', null, h('th', { scope: 'col' }, byLabel),
          h('th', { scope: 'col', class: 'num' }, t('MSG_WEB_TXP_COL_COMMENTS')),
          ...emotions.map((e) => h('th', { scope: 'col', class: 'num' }, emotionName(e))),
          ...reasons.map((x) => h('th', { scope: 'col', class: 'num' }, reasonName(x))),
          ...LABELS.map(([, m]) => h('th', { scope: 'col', class: 'num' }, t(m))))),
      h('tbody', null, ...mix.groups.map((g) => h('tr', { 'data-value': g.value },
        h('th', { scope: 'row' }, groupName(g.value)), ...cells(g)))),
      h('tfoot', null, h('tr', { class: 'total' }, h('th', { scope: 'row' }, t('MSG_WEB_TXP2_TOTAL')), ...cells(mix.total)))));
  }
  async function load() {
    card.dataset.state = 'loading';
    let answer;
    try {
      answer = await api('GET', withQuery('/api/v1/text/emotions', { ...range, by: by.value }));
    } catch (err) {
      if (ctx.isCurrent()) replace(status, ctx.showError(err));
      return;
    }
    if (!ctx.isCurrent() || answer.by !== by.value) return; // a later choice answers for itself
    replace(status);
    mix = answer;
    draw();
    card.dataset.by = mix.by;
    card.dataset.comments = String(mix.total.comments);
    card.dataset.state = 'loaded';
  }
  by.addEventListener('change', load);
  return { card, load };
}

/* ---- the tenant's learned model ------------------------------------------------------------ */

function modelCard(ctx) {
  const body = h('div', { role: 'status' }, h('p', { class: 'loading' }, t('MSG_WEB_LOADING')));
  const card = h('section', { class: 'card txp-model' }, h('h2', null, t('MSG_WEB_TXP2_MODEL')),
    h('p', { class: 'muted' }, t('MSG_WEB_TXP2_MODEL_NOTE')), body);
  const role = ctx.session && ctx.session.user ? ctx.session.user.role : null;
  const train = ['owner', 'admin'].includes(role) ? h('button', { type: 'button', class: 'train' }, t('MSG_WEB_TXP2_TRAIN')) : null;
  function show(m) {
    const percent = (v) => new Intl.NumberFormat(lang(), { style: 'percent', maximumFractionDigits: 1 }).format(v);
    replace(body, ...(m.trained ? [
      h('p', { class: 'model-trained' }, t('MSG_WEB_TXP2_TRAINED', { n: m.trained_on, when: formatDateTime(m.trained_at) })),
      h('p', { class: 'model-accuracy' }, t('MSG_WEB_TXP2_ACCURACY', { accuracy: percent(m.cv_accuracy) }))] : [
      h('p', { class: 'model-not-trained' }, t('MSG_WEB_TXP2_NOT_TRAINED')),
      m.reason ? h('p', { class: 'model-reason' }, m.reason) : null]), train);
    card.dataset.trained = String(!!m.trained);
    card.dataset.state = 'loaded';
  }
  async function load() {
    try {
      show(await api('GET', '/api/v1/text/model'));
    } catch (err) {
      if (ctx.isCurrent()) replace(body, ctx.showError(err));
    }
  }
  if (train) {
    train.addEventListener('click', async () => {
      train.disabled = true;
      train.textContent = t('MSG_WEB_TXP2_TRAINING');
      card.dataset.state = 'training';
      try {
        // too little data is an answer, not an error: its reason says why
        const m = await api('POST', '/api/v1/text/model/train');
        if (ctx.isCurrent()) show(m);
      } catch (err) {
        if (ctx.isCurrent()) {
          replace(body, ctx.showError(err), train);
          card.dataset.state = 'failed';
        }
      } finally {
        train.disabled = false;
        train.textContent = t('MSG_WEB_TXP2_TRAIN');
      }
    });
  }
  return { card, load };
}

/* ---- verbatims ---------------------------------------------------------------------------- */

function verbatimsCard(ctx, range, names) {
  const select = (id, label, options) => {
    const s = h('select', { id }, h('option', { value: '' }, t('MSG_WEB_TXP_ANY')),
      ...options.map(([v, text]) => h('option', { value: v }, text)));
    return [s, h('div', { class: 'field' }, h('label', { for: id }, t(label)), s)];
  };
  const [theme, themeField] = select('txp-theme', 'MSG_WEB_TXP_FILTER_THEME',
    [...names.entries()].sort((a, b) => a[1].localeCompare(b[1])));
  const [label, labelField] = select('txp-label', 'MSG_WEB_TXP_FILTER_LABEL', LABELS.map(([v, m]) => [v, t(m)]));
  const [emotion, emotionField] = select('txp-emotion', 'MSG_WEB_TXP_FILTER_EMOTION', EMOTIONS.map((e) => [e, emotionName(e)]));
  const list = h('ol', { class: 'txp-verbatims' });
  const status = h('div', { role: 'status' });
  const more = h('button', { type: 'button', class: 'more', hidden: true }, t('MSG_WEB_TXP_MORE'));
  const card = h('section', { class: 'card txp-verbatims-card' },
    h('h2', null, t('MSG_WEB_TXP_VERBATIMS')),
    h('form', { class: 'ov-controls txp-filters' }, themeField, labelField, emotionField),
    h('p', { class: 'muted' }, t('MSG_WEB_TXP_HIGHLIGHTS')),
    list, status, more);
  let cursor = null;
  let generation = 0;
  // the survey versions that name the free-text answers' questions, by
  // "survey@version": each fetched once (a failed one leaves question ids)
  const versions = new Map();
  function questionText(v, id) {
    const def = versions.get(`${v.survey}@${v.version}`);
    const q = def && Array.isArray(def.questions) ? def.questions.find((x) => x && x.id === id) : null;
    return (q && q.text && typeof q.text === 'object' && (q.text[lang()] || Object.values(q.text)[0])) || id;
  }
  async function fetchVersions(items) {
    const want = [...new Set(items.filter((v) => v.survey && v.version && Array.isArray(v.answers) && v.answers.length)
      .map((v) => `${v.survey}@${v.version}`))].filter((k) => !versions.has(k));
    await Promise.all(want.map(async (k) => {
      const [id, version] = k.split('@');
      const sv = await api('GET', withQuery(`/api/v1/surveys/${encodeURIComponent(id)}`, { version })).catch(() => null);
      versions.set(k, sv && sv.definition ? sv.definition : null);
    }));
  }
  function item(v) {
    const meta = [v.nps === null ? t('MSG_WEB_TXP_NO_NPS') : t('MSG_WEB_TXP_NPS_OF', { score: v.nps }),
      channelName(v.channel), v.touchpoint, formatDateTime(v.ts)].filter(Boolean);
    const textLang = v.lang === 'other' ? null : v.lang;
    const answers = Array.isArray(v.answers) ? v.answers : [];
    return h('li', { class: `verbatim label-${v.label}`, 'data-id': v.response_id, 'data-label': v.label, 'data-themes': v.themes.join(' ') },
      v.comment || !answers.length ? h('p', { class: 'comment', lang: textLang }, markedText(v.comment, v.highlights)) : null,
      answers.length ? h('dl', { class: 'answers' }, ...answers.flatMap((a) => [
        h('dt', { class: 'muted', 'data-question': a.question }, questionText(v, a.question)),
        h('dd', { class: 'answer', 'data-question': a.question, lang: textLang }, markedText(a.text || '', a.highlights))])) : null,
      h('p', { class: 'muted verbatim-meta' }, meta.join(' · ')),
      v.themes.length || v.emotions.length ? h('ul', { class: 'tags' },
        ...v.themes.map((x) => h('li', { class: 'tag theme', 'data-theme': x }, names.get(x) || x)),
        ...v.emotions.map((x) => h('li', { class: 'tag emotion', 'data-emotion': x }, EMOTIONS.includes(x) ? emotionName(x) : x))) : null);
  }
  async function load(next) {
    const mine = ++generation;
    card.dataset.state = 'loading';
    let page;
    try {
      page = await api('GET', withQuery('/api/v1/text/verbatims', { ...range, theme: theme.value || null, label: label.value || null,
        emotion: emotion.value || null, limit: PAGE, cursor: next ? cursor : null }));
    } catch (err) {
      if (ctx.isCurrent() && mine === generation) replace(status, ctx.showError(err));
      return;
    }
    if (!ctx.isCurrent() || mine !== generation) return;
    await fetchVersions(page.items || []);
    if (!ctx.isCurrent() || mine !== generation) return;
    replace(status);
    if (!next) replace(list);
    list.append(...(page.items || []).map(item));
    cursor = page.next_cursor || null;
    more.hidden = !cursor;
    if (!list.children.length) replace(status, h('p', { class: 'empty' }, t('MSG_WEB_TXP_NO_VERBATIMS')));
    card.dataset.state = 'loaded';
    card.dataset.count = String(list.children.length);
  }
  for (const s of [theme, label, emotion]) s.addEventListener('change', () => load(false));
  more.addEventListener('click', () => load(true));
  return { card, load };
}

/* ---- the page ------------------------------------------------------------------------------ */

export async function renderText(ctx) {
  const { form, period, survey, addSurveys } = periodControls();
  const out = h('div', { class: 'txp-body' }, h('p', { class: 'loading' }, t('MSG_WEB_LOADING')));
  const model = modelCard(ctx); // the period does not change it
  replace(ctx.main,
    h('div', { class: 'page-head' }, h('h1', null, t('MSG_WEB_NAV_TEXT'))),
    form,
    out,
    h('div', { class: 'txp-aside' }, model.card));
  const names = new Map();
  const [surveys, taxonomy] = await Promise.all([
    api('GET', '/api/v1/surveys').catch(() => null), // the page still works for every survey together
    api('GET', '/api/v1/settings/themes').catch(() => null), // and with theme ids for names
  ]);
  addSurveys(listItems(surveys));
  for (const x of (taxonomy && taxonomy.themes) || []) names.set(x.id, (x.name && (x.name[lang()] || x.name.en)) || x.id);
  if (!ctx.isCurrent()) return;
  model.load();
  let live = [];
  async function load() {
    const { from, to } = lastDays(Number(period.value));
    const range = { survey: survey.value || null, from: isoDay(from), to: isoDay(to) };
    replace(out, h('p', { class: 'loading' }, t('MSG_WEB_LOADING')));
    out.dataset.charts = 'loading';
    for (const c of live) c.dispose();
    live = [];
    let themes;
    try {
      themes = await api('GET', withQuery('/api/v1/metrics/nps', { ...range, by: 'theme' }));
    } catch (err) {
      if (ctx.isCurrent()) replace(out, ctx.showError(err));
      return;
    }
    if (!ctx.isCurrent()) return;
    const th = themesCard(themes, names, live);
    const sentiment = sentimentCard(ctx, range, live);
    const emotions = emotionsCard(ctx, range, names);
    const verbatims = verbatimsCard(ctx, range, names);
    replace(out, th.card, sentiment.card, emotions.card, verbatims.card);
    out.dataset.from = range.from;
    out.dataset.to = range.to;
    let drawn = true;
    try {
      const echarts = await loadECharts();
      if (!ctx.isCurrent()) return;
      await th.draw(echarts);
    } catch {
      drawn = false; // the figures are all in the tables
    }
    await Promise.all([sentiment.load(), emotions.load(), verbatims.load(false)]);
    if (ctx.isCurrent()) out.dataset.charts = drawn && sentiment.card.dataset.state === 'drawn' ? 'drawn' : 'failed';
  }
  period.addEventListener('change', load);
  survey.addEventListener('change', load);
  await load();
}
