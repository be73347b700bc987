// overview.js - the Overview page: where NPS stands (a traffic-light gauge
// with its 95% interval), whether it moved (against the period just
// before, with the test), the promoters / passives / detractors bar, CSAT
// and CES beside it when the surveys ask them, the trend by week, month or
// quarter with its interval as a band (optionally a moving sum for small
// volumes), which lever to pull first (the
// key-driver quadrant of a survey), and where it is worst (tables
// by channel, touchpoint, segment and agent, each group tested against the
// rest, sortable, exportable as CSV). Everything comes from
// GET /api/v1/metrics/nps (docs/metrics.md), so a manager sees their unit's
// subtree only; the gauge's arc takes its colours from the tenant's bands
// (GET /api/v1/settings/metrics, changed on the Settings page). Charts are ECharts, loaded from /vendor/echarts.min.js.

import { api, listItems, withQuery } from '../api.js';
import { h, replace } from '../dom.js';
import { COLOURS, csvOf, download, fmt, isoDay, lastDays, loadECharts, periodControls } from '../report.js';
import { t } from '../i18n.js';

const BREAKDOWNS = [
  ['channel', 'MSG_WEB_OV_BY_CHANNEL'],
  ['touchpoint', 'MSG_WEB_OV_BY_TOUCHPOINT'],
  ['segment', 'MSG_WEB_OV_BY_SEGMENT'],
  ['agent', 'MSG_WEB_OV_BY_AGENT'],
  ['org_unit', 'MSG_WEB_OV_BY_UNIT'],
];

function interval(f) {
  return f.ci_low === null ? '–' : `${f.ci_low} – ${f.ci_high}`;
}

/** ▲ / ▼ for a significant change, nothing otherwise. */
function marker(d) {
  if (!d || !d.significant) return null;
  return h('span', { class: `sig ${d.diff > 0 ? 'up' : 'down'}`, title: d.verdict }, d.diff > 0 ? '▲' : '▼');
}

/* ---- the headline: gauge, interval, change, the three shares ------------------------ */

function headline(ctx, rep, charts, band) {
  const o = rep.overall;
  const gauge = h('div', { class: 'nps-gauge', role: 'img', 'aria-label': t('MSG_WEB_OV_GAUGE', { score: fmt(o.score) }),
    'data-amber': band.amber, 'data-green': band.green });
  // the arc's colours are the tenant's bands (Settings), as the API colours the score
  const stop = (v) => (Math.min(Math.max(v, -100), 100) + 100) / 200;
  const moved = rep.vs_previous;
  const share = (k, cls) => {
    const bar = h('span', { class: `ppd-part ${cls}`, 'data-share': fmt(o[k]) }, o[k] >= 8 ? `${Math.round(o[k])}%` : '');
    bar.style.width = `${o[k] || 0}%`;
    return bar;
  };
  const card = h('section', { class: 'card ov-headline', 'data-score': fmt(o.score), 'data-colour': fmt(o.colour) },
    h('h2', null, t('MSG_WEB_OV_NPS')),
    o.n ? gauge : h('p', { class: 'empty' }, t('MSG_WEB_OV_NO_DATA')),
    h('p', { class: 'ov-score' }, h('strong', { class: `nps-badge ${o.colour || ''}` }, fmt(o.score)), ' ',
      t('MSG_WEB_OV_INTERVAL', { low: fmt(o.ci_low), high: fmt(o.ci_high), n: o.n })),
    o.small_sample ? h('p', { class: 'notice small-sample' }, t('MSG_WEB_OV_SMALL')) : null,
    moved ? h('p', { class: 'ov-moved', 'data-significant': String(!!moved.significant) }, marker(moved), ' ',
      t('MSG_WEB_OV_VS_PREVIOUS', { verdict: moved.verdict })) : null,
    o.n ? h('div', { class: 'ppd', role: 'img', 'aria-label': t('MSG_WEB_OV_PPD', { p: fmt(o.promoters), s: fmt(o.passives), d: fmt(o.detractors) }) },
      share('detractors', 'red'), share('passives', 'amber'), share('promoters', 'green')) : null,
    o.n ? h('p', { class: 'ppd-legend' }, t('MSG_WEB_OV_PPD', { p: fmt(o.promoters), s: fmt(o.passives), d: fmt(o.detractors) })) : null);
  if (o.n) {
    charts.push(async (echarts) => {
      const c = echarts.init(gauge);
      c.setOption({
      animation: false,
        series: [{
          type: 'gauge', min: -100, max: 100, startAngle: 200, endAngle: -20, radius: '95%',
          axisLine: { lineStyle: { width: 14, color: [[stop(band.amber), COLOURS.red], [stop(Math.max(band.amber, band.green)), COLOURS.amber], [1, COLOURS.green]] } },
          pointer: { width: 5 }, axisTick: { show: false }, splitLine: { length: 10 },
          axisLabel: { distance: 16, fontSize: 10 },
          detail: { formatter: String(o.score), fontSize: 26, offsetCenter: [0, '40%'] },
          data: [{ value: o.score }],
        }],
      });
      return c;
    });
  }
  return card;
}

/* ---- CSAT and CES beside NPS ------------------------------------------------------------ */

/** A small card for CSAT or CES: the figure, its interval and colour, the change; null without answers. */
function scoreTile(metric, rep) {
  const o = rep && rep.overall;
  if (!o || !o.n) return null;
  const moved = rep.vs_previous;
  const csat = metric === 'csat';
  return h('section', { class: `card ov-tile ov-${metric}`, 'data-score': fmt(o.score), 'data-colour': fmt(o.colour) },
    h('h2', null, t(csat ? 'MSG_WEB_OV_CSAT' : 'MSG_WEB_OV_CES')),
    h('p', { class: 'ov-score' }, h('strong', { class: `nps-badge ${o.colour || ''}` }, csat ? `${fmt(o.score)}%` : fmt(o.score)), ' ',
      t('MSG_WEB_OV_INTERVAL', { low: fmt(o.ci_low), high: fmt(o.ci_high), n: o.n })),
    h('p', { class: 'muted' }, csat ? t('MSG_WEB_OV_CSAT_NOTE', { mean: fmt(o.mean) }) : t('MSG_WEB_OV_CES_NOTE', { easy: fmt(o.easy) })),
    o.small_sample ? h('p', { class: 'notice small-sample' }, t('MSG_WEB_OV_SMALL')) : null,
    moved ? h('p', { class: 'ov-moved', 'data-significant': String(!!moved.significant) }, marker(moved), ' ',
      t('MSG_WEB_OV_VS_PREVIOUS', { verdict: moved.verdict })) : null);
}

/* ---- the trend ------------------------------------------------------------------------ */

// how far back each bucket size looks, in buckets
const TREND_SPANS = { week: 26, month: 12, quarter: 8 };

/** The first day of the bucket `back` buckets before the one holding d. */
function trendStart(d, interval, back) {
  const x = new Date(d.getFullYear(), d.getMonth(), d.getDate());
  if (interval === 'week') {
    x.setDate(x.getDate() - ((x.getDay() + 6) % 7) - 7 * back); // Monday
  } else {
    const months = interval === 'quarter' ? 3 : 1;
    x.setDate(1);
    x.setMonth(x.getMonth() - (x.getMonth() % months) - months * back);
  }
  return x;
}

/**
 * The trend card: NPS by week, month or quarter with its interval as a band,
 * optionally smoothed by summing each bucket with the ones before it (the
 * API's window). It loads and draws itself again when its controls change.
 */
function trendCard(ctx, base, to, live) {
  const el = h('div', { class: 'nps-trend', role: 'img', 'aria-label': t('MSG_WEB_OV_TREND') });
  const by = h('select', { id: 'ov-trend-interval' },
    ...[['week', 'MSG_WEB_OV_WEEKS'], ['month', 'MSG_WEB_OV_MONTHS'], ['quarter', 'MSG_WEB_OV_QUARTERS']]
      .map(([v, m]) => h('option', { value: v, selected: v === 'month' }, t(m))));
  const smooth = h('select', { id: 'ov-trend-window' },
    h('option', { value: '1' }, t('MSG_WEB_OV_SMOOTH_NONE')),
    ...[3, 6].map((n) => h('option', { value: String(n) }, t('MSG_WEB_OV_SMOOTH_N', { n }))));
  const status = h('p', { class: 'muted ov-trend-note', role: 'status' });
  let rows = [];
  let chart = null;
  const csv = h('button', { type: 'button', class: 'csv', onclick: () => download(`nps-trend-${by.value}.csv`,
    csvOf([[by.value, 'n', 'nps', 'ci_low', 'ci_high'], ...rows])) }, t('MSG_WEB_OV_CSV'));
  const card = h('section', { class: 'card ov-trend' },
    h('div', { class: 'card-head' }, h('h2', null, t('MSG_WEB_OV_TREND')), csv),
    h('div', { class: 'ov-trend-controls' },
      h('div', { class: 'field' }, h('label', { for: 'ov-trend-interval' }, t('MSG_WEB_OV_TREND_BY')), by),
      h('div', { class: 'field' }, h('label', { for: 'ov-trend-window' }, t('MSG_WEB_OV_SMOOTH')), smooth)),
    el, status);
  async function load() {
    const interval = by.value;
    const windowSize = Number(smooth.value);
    const today = new Date(to);
    today.setDate(today.getDate() - 1); // `to` is the day after the last one counted
    const from = trendStart(today, interval, TREND_SPANS[interval] - 1);
    card.dataset.state = 'loading';
    let rep;
    try {
      rep = await api('GET', withQuery('/api/v1/metrics/nps',
        { ...base, from: isoDay(from), to: isoDay(to), interval, window: windowSize > 1 ? windowSize : null }));
    } catch (err) {
      if (ctx.isCurrent()) replace(status, ctx.showError(err));
      return;
    }
    if (!ctx.isCurrent()) return;
    rows = (rep.series || []).map((x) => [x.bucket, x.n, x.score, x.ci_low, x.ci_high]);
    status.textContent = windowSize > 1 ? t('MSG_WEB_OV_SMOOTH_NOTE', { n: windowSize, before: windowSize - 1 }) : '';
    const echarts = await loadECharts().catch(() => null);
    if (!echarts || !ctx.isCurrent()) return;
    if (!chart) {
      chart = echarts.init(el);
      live.push(chart);
    }
    const labels = rows.map((r) => (interval === 'month' ? r[0].slice(0, 7) : r[0]));
    chart.setOption({
      animation: false,
      grid: { left: 40, right: 16, top: 16, bottom: 28 },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: labels },
      yAxis: { type: 'value', min: -100, max: 100 },
      series: [
        { name: 'low', type: 'line', data: rows.map((r) => r[3]), stack: 'band', symbol: 'none', lineStyle: { opacity: 0 } },
        { name: t('MSG_WEB_OV_BAND'), type: 'line', data: rows.map((r) => (r[3] === null ? null : r[4] - r[3])), stack: 'band',
          symbol: 'none', lineStyle: { opacity: 0 }, areaStyle: { color: 'rgba(29, 78, 216, 0.15)' } },
        { name: 'NPS', type: 'line', data: rows.map((r) => r[2]), connectNulls: false, color: '#1d4ed8' },
      ],
    }, true);
    card.dataset.state = 'drawn';
    card.dataset.interval = interval;
    card.dataset.window = String(windowSize);
    card.dataset.buckets = String(rows.length);
  }
  by.addEventListener('change', load);
  smooth.addEventListener('change', load);
  return { card, load };
}

/* ---- breakdowns ------------------------------------------------------------------------- */

function breakdownCard(dim, title, rep) {
  let groups = (rep.groups || []).slice();
  let sortKey = 'score';
  let ascending = true; // worst first
  const body = h('tbody');
  const heads = [['value', 'MSG_WEB_OV_COL_VALUE'], ['n', 'MSG_WEB_OV_COL_N'], ['score', 'MSG_WEB_OV_COL_NPS']];
  function draw() {
    groups.sort((a, b) => {
      const x = a[sortKey] ?? -Infinity, y = b[sortKey] ?? -Infinity;
      const c = typeof x === 'string' ? x.localeCompare(y) : x - y;
      return ascending ? c : -c;
    });
    replace(body, ...groups.map((g) => h('tr', { 'data-value': g.value },
      h('th', { scope: 'row' }, g.label || g.value || t('MSG_WEB_OV_NONE')),
      h('td', { class: 'num' }, String(g.n)),
      h('td', { class: 'num nps-cell', 'data-colour': g.colour || '' }, fmt(g.score)),
      h('td', { class: 'num' }, interval(g)),
      h('td', { class: 'vs-rest' }, marker(g.vs_rest), ' ', g.vs_rest.verdict))));
  }
  const headRow = h('tr', null, ...heads.map(([k, label]) => {
    const b = h('button', { type: 'button', class: 'sort', 'data-key': k }, t(label));
    b.addEventListener('click', () => {
      ascending = sortKey === k ? !ascending : k === 'value';
      sortKey = k;
      draw();
    });
    return h('th', { scope: 'col', class: k === 'value' ? '' : 'num' }, b);
  }), h('th', { scope: 'col', class: 'num' }, t('MSG_WEB_OV_COL_CI')), h('th', { scope: 'col' }, t('MSG_WEB_OV_COL_VS_REST')));
  const csv = h('button', { type: 'button', class: 'csv', onclick: () => download(`nps-by-${dim}.csv`,
    csvOf([[dim, 'name', 'n', 'nps', 'ci_low', 'ci_high', 'diff_vs_rest', 'p_vs_rest', 'significant'],
      ...groups.map((g) => [g.value, g.label ?? '', g.n, g.score, g.ci_low, g.ci_high, g.vs_rest.diff, g.vs_rest.p, g.vs_rest.significant])])) },
  t('MSG_WEB_OV_CSV'));
  draw();
  return h('section', { class: 'card ov-breakdown', 'data-dim': dim },
    h('div', { class: 'card-head' }, h('h2', null, t(title)), csv),
    groups.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'breakdown' }, h('thead', null, headRow), body))
      : h('p', { class: 'empty' }, t('MSG_WEB_OV_NO_DATA')));
}

/* ---- key drivers: the importance x performance quadrant -------------------------------------- */

function driversCard(sv, dr, charts) {
  const el = h('div', { class: 'nps-quadrant', role: 'img', 'aria-label': t('MSG_WEB_OV_DRIVERS') });
  const list = [...dr.drivers].sort((a, b) => b.importance - a.importance);
  const rows = list.map((d) => h('tr', { 'data-driver': d.id, 'data-quadrant': d.quadrant || '' },
    h('th', { scope: 'row' }, d.label || d.id),
    h('td', { class: 'num' }, `${d.share}%`),
    h('td', { class: 'num' }, String(d.performance)),
    h('td', { class: `quadrant q-${d.quadrant || 'none'}` }, d.quadrant_label || '–')));
  const csv = h('button', { type: 'button', class: 'csv', onclick: () => download('nps-drivers.csv',
    csvOf([['driver', 'importance', 'share', 'mean', 'performance', 'quadrant'],
      ...list.map((d) => [d.id, d.importance, d.share, d.mean, d.performance, d.quadrant])])) }, t('MSG_WEB_OV_CSV'));
  charts.push(async (echarts) => {
    const c = echarts.init(el);
    c.setOption({
      animation: false,
      grid: { left: 48, right: 24, top: 16, bottom: 40 },
      tooltip: { formatter: (p) => `${p.data[2]}: ${p.data[1]}% · ${p.data[0]}` },
      xAxis: { type: 'value', min: 0, max: 100, name: t('MSG_WEB_OV_PERFORMANCE'), nameLocation: 'middle', nameGap: 26 },
      yAxis: { type: 'value', min: 0, name: t('MSG_WEB_OV_IMPORTANCE'), nameLocation: 'middle', nameGap: 34 },
      series: [{
        type: 'scatter', symbolSize: 14,
        data: list.map((d) => [d.performance, d.share, d.label || d.id]),
        label: { show: true, position: 'right', formatter: (p) => p.data[2] },
        itemStyle: { color: (p) => (list[p.dataIndex].quadrant === 'fix_first' ? COLOURS.red : '#1d4ed8') },
        markLine: { silent: true, symbol: 'none', label: { show: false }, lineStyle: { type: 'dashed', color: '#98a2b3' },
          data: [{ xAxis: dr.mean_performance }, { yAxis: dr.r2 > 0 ? (100 * dr.mean_importance) / dr.r2 : 0 }] },
      }],
    });
    return c;
  });
  return h('section', { class: 'card ov-drivers', 'data-survey': sv.id },
    h('div', { class: 'card-head' }, h('h2', null, t('MSG_WEB_OV_DRIVERS_OF', { survey: sv.name })), csv),
    h('p', { class: 'muted' }, t('MSG_WEB_OV_DRIVERS_NOTE', { r2: Math.round(dr.r2 * 100), n: dr.rows_used })),
    el,
    h('div', { class: 'table-wrap' }, h('table', { class: 'drivers' },
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, t('MSG_WEB_OV_COL_DRIVER')),
        h('th', { scope: 'col', class: 'num' }, t('MSG_WEB_OV_IMPORTANCE')),
        h('th', { scope: 'col', class: 'num' }, t('MSG_WEB_OV_PERFORMANCE')),
        h('th', { scope: 'col' }, t('MSG_WEB_OV_QUADRANT')))),
      h('tbody', null, rows))));
}

/* ---- the page ------------------------------------------------------------------------------ */

export async function renderOverview(ctx) {
  const { form, period, survey, addSurveys } = periodControls();
  const out = h('div', { class: 'ov-body' }, h('p', { class: 'loading' }, t('MSG_WEB_LOADING')));
  replace(ctx.main,
    h('div', { class: 'page-head' }, h('h1', null, t('MSG_WEB_NAV_OVERVIEW'))),
    form,
    out);
  let surveys = [];
  try {
    const list = listItems(await api('GET', '/api/v1/surveys'));
    surveys = list;
    addSurveys(list);
  } catch {
    // the overview still works for every survey together
  }
  let live = [];
  async function load() {
    const { from, to } = lastDays(Number(period.value));
    const year = new Date(to);
    year.setMonth(year.getMonth() - 12);
    year.setDate(1);
    const base = { survey: survey.value || null };
    replace(out, h('p', { class: 'loading' }, t('MSG_WEB_LOADING')));
    for (const c of live) c.dispose();
    live = [];
    let rep, csat, ces, settings, parts;
    const range = { ...base, from: isoDay(from), to: isoDay(to) };
    try {
      [rep, csat, ces, settings, ...parts] = await Promise.all([
        api('GET', withQuery('/api/v1/metrics/nps', { ...range, compare: 'previous' })),
        api('GET', withQuery('/api/v1/metrics/csat', { ...range, compare: 'previous' })),
        api('GET', withQuery('/api/v1/metrics/ces', { ...range, compare: 'previous' })),
        api('GET', '/api/v1/settings/metrics'),
        ...BREAKDOWNS.map(([dim]) => api('GET', withQuery('/api/v1/metrics/nps', { ...range, by: dim }))),
      ]);
    } catch (err) {
      if (ctx.isCurrent()) replace(out, ctx.showError(err));
      return;
    }
    if (!ctx.isCurrent()) return;
    // the drivers of the survey picked, else of the one with the most answers
    const picked = surveys.find((x) => x.id === survey.value)
      || [...surveys].sort((a, b) => (b.responses || 0) - (a.responses || 0))[0];
    let drivers = null;
    if (picked) {
      try {
        drivers = await api('GET', withQuery('/api/v1/drivers', { survey: picked.id, from: isoDay(year), to: isoDay(to) }));
      } catch {
        drivers = null; // nothing to weigh in this survey: no quadrant
      }
    }
    if (!ctx.isCurrent()) return;
    const charts = [];
    const trend = trendCard(ctx, base, to, live);
    const tiles = [scoreTile('csat', csat), scoreTile('ces', ces)].filter(Boolean);
    replace(out, h('div', { class: 'ov-top' }, headline(ctx, rep, charts, settings.bands.nps), ...tiles), trend.card,
      drivers ? driversCard(picked, drivers, charts) : null,
      h('div', { class: 'ov-breakdowns' }, ...BREAKDOWNS.map(([dim, title], i) => breakdownCard(dim, title, parts[i]))));
    let drawn = true;
    try {
      const echarts = await loadECharts();
      if (!ctx.isCurrent()) return;
      for (const draw of charts) live.push(await draw(echarts));
    } catch {
      drawn = false; // the figures are all in the text and tables
    }
    await trend.load();
    if (ctx.isCurrent()) out.dataset.charts = drawn && trend.card.dataset.state === 'drawn' ? 'drawn' : 'failed';
  }
  period.addEventListener('change', load);
  survey.addEventListener('change', load);
  await load();
}
