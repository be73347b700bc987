// journey.js - the Journey page (#/journeys, #/journeys/ID; docs/journeys.md
// "The Journey page"): a journey's stages as a board grouped by phase
// (before, during, after purchase), each with the customers who reached it,
// how many went on (with the interval), who left (mature entries) and who is
// still in progress, the time spent there, its NPS / CSAT / CES and friction
// in traffic-light colours, and its touchpoints; the emotion curve under the
// board; "where customers leave" and "where they feel worst" said in words
// (GET /api/v1/journeys/{id}/map). A touchpoint opens its scores, themes,
// emotions and comments (GET /api/v1/journeys/{id}/touchpoints/{key}); a
// funnel over chosen steps (POST /api/v1/funnels) and the paths from a stage
// as a Sankey (GET /api/v1/paths). The period is the Overview's and the Text
// page's (report.js); comments reach the page only as text nodes.

import { api, listItems, withQuery } from '../api.js';
import { h, replace } from '../dom.js';
import { COLOURS, csvOf, download, fmt, isoDay, lastDays, loadECharts, periodControls } from '../report.js';
import { channelName, formatDateTime, lang, t } from '../i18n.js';
import { markedText } from './text.js';

const PHASES = [['before', 'MSG_WEB_JRN_PHASE_BEFORE'], ['during', 'MSG_WEB_JRN_PHASE_DURING'], ['after', 'MSG_WEB_JRN_PHASE_AFTER']];
const COMPONENTS = { dropoff: 'MSG_WEB_JRN_COMP_DROPOFF', effort: 'MSG_WEB_JRN_COMP_EFFORT', sentiment: 'MSG_WEB_JRN_COMP_SENTIMENT' };
const EMOTIONS = ['joy', 'trust', 'surprise', 'anger', 'frustration', 'disappointment', 'worry', 'sadness'];
const WINDOWS = ['1d', '7d', '14d', '30d', '90d'];
const PAGE = 10;
const GREY = '#98a2b3';

/* ---- figures as text ------------------------------------------------------------------------ */

function count(n) {
  return n === null || n === undefined ? '–' : new Intl.NumberFormat(lang()).format(n);
}

/** A percentage given as 0..100, written the way the language writes it ("73.2%", "73,2 %"). */
function pct(v) {
  if (v === null || v === undefined || !Number.isFinite(Number(v))) return '–';
  return new Intl.NumberFormat(lang(), { style: 'percent', maximumFractionDigits: 1 }).format(Number(v) / 100);
}

/** Seconds as the largest unit that keeps a small number. */
function duration(s) {
  if (s === null || s === undefined || s < 0) return '–';
  const one = (n, id) => t(id, { n: new Intl.NumberFormat(lang(), { maximumFractionDigits: 1 }).format(n) });
  if (s < 60) return one(Math.round(s), 'MSG_WEB_JRN_SECONDS');
  if (s < 600) return one(Math.round(s / 6) / 10, 'MSG_WEB_JRN_MINUTES');
  if (s < 3600) return one(Math.round(s / 60), 'MSG_WEB_JRN_MINUTES');
  if (s < 2 * 86400) return one(Math.round(s / 360) / 10, 'MSG_WEB_JRN_HOURS');
  return one(Math.round(s / 8640) / 10, 'MSG_WEB_JRN_DAYS');
}

function colourName(c) {
  return c ? t(`MSG_WEB_JRN_COLOUR_${String(c).toUpperCase()}`) : '';
}

/** Drop-off of a stage in 0..100: who left over its mature entries (conversion.n); null for a final stage. */
function dropShare(s) {
  const mature = s.conversion ? s.conversion.n : null;
  if (!mature || s.dropped === null || s.dropped === undefined) return null;
  return Math.round((1000 * s.dropped) / mature) / 10;
}

/** Mean sentiment -100..100 of a stage's comments (the API's feeling, -1..1); null without comments. */
function meanSentiment(x) {
  const f = x && x.feeling;
  if (!f || f.value === null || f.value === undefined) return null;
  return Math.round(f.value * 1000) / 10;
}

/** The traffic-light colour of a stage's feeling: the API's (the tenant's NPS bands). */
function sentimentColour(x) {
  return (x && x.feeling && x.feeling.colour) || null;
}

/**
 * What the page says in words: the stage with the largest drop-off, the
 * one with the most friction and the one where customers feel worst.
 */
function journeySummary(stages) {
  let drop = null, friction = null, feel = null;
  for (const s of stages) {
    const d = dropShare(s);
    if (d !== null && (!drop || d > drop.share)) drop = { stage: s, share: d };
    const f = s.friction && s.friction.value !== null && s.friction.value !== undefined ? s.friction.value : null;
    if (f !== null && (!friction || f > friction.value)) friction = { stage: s, value: f };
    const m = meanSentiment(s);
    if (m !== null && (!feel || m < feel.value)) feel = { stage: s, value: m };
  }
  return { drop, friction, feel };
}

function badge(metric, f) {
  if (!f || !f.n) return null;
  const label = t(`MSG_WEB_JRN_${metric.toUpperCase()}`);
  const score = metric === 'csat' ? pct(f.score) : fmt(f.score);
  return h('span', { class: `jr-score ${f.colour || ''}`, 'data-metric': metric, 'data-score': fmt(f.score), 'data-colour': fmt(f.colour),
    title: t('MSG_WEB_OV_INTERVAL', { low: fmt(f.ci_low), high: fmt(f.ci_high), n: f.n }) },
  `${label} ${score}`, f.colour ? h('span', { class: 'sr-only' }, ` (${colourName(f.colour)})`) : null);
}

function frictionLine(f) {
  if (!f || f.value === null || f.value === undefined) return null;
  const comps = (f.components || []).map((c) => (COMPONENTS[c] ? t(COMPONENTS[c]) : c)).join(', ');
  return h('p', { class: 'jr-friction', 'data-value': String(f.value), 'data-colour': fmt(f.colour) },
    h('span', { class: 'jr-dot', 'aria-hidden': 'true' }),
    t('MSG_WEB_JRN_FRICTION_OF', { value: fmt(f.value), low: fmt(f.ci_low), high: fmt(f.ci_high), components: comps }),
    f.colour ? ` · ${colourName(f.colour)}` : '');
}

/* ---- the board -------------------------------------------------------------------------------- */

function stageCard(s, flags, openTouchpoint) {
  const conv = s.conversion || { value: null }; // null: a final stage, or no mature entry yet
  const time = s.time_in_stage || {};
  const rows = [
    [t('MSG_WEB_JRN_REACHED'), h('span', { class: 'reached' }, count(s.reached))],
    conv.value !== null && conv.value !== undefined ? [t('MSG_WEB_JRN_CONVERSION'), h('span', { class: 'conversion', 'data-value': String(conv.value) },
      conv.ci_low !== undefined && conv.ci_low !== null
        ? t('MSG_WEB_JRN_CONVERSION_CI', { value: pct(conv.value), low: pct(conv.ci_low), high: pct(conv.ci_high) }) : pct(conv.value))] : null,
    s.dropped !== undefined && conv.value !== null && conv.value !== undefined
      ? [t('MSG_WEB_JRN_DROPPED'), h('span', { class: 'dropped' }, count(s.dropped))] : null,
    s.in_progress ? [t('MSG_WEB_JRN_IN_PROGRESS'), h('span', { class: 'in-progress' }, count(s.in_progress))] : null,
    s.final && s.completed !== null && s.completed !== undefined ? [t('MSG_WEB_JRN_COMPLETED'), h('span', { class: 'completed' }, count(s.completed))] : null,
    time.p50_s !== undefined && time.p50_s !== null ? [t('MSG_WEB_JRN_TIME'),
      h('span', { class: 'time' }, t('MSG_WEB_JRN_TIME_VALUE', { p50: duration(time.p50_s), p90: duration(time.p90_s) }))] : null,
  ].filter(Boolean);
  const tps = s.touchpoints || [];
  return h('article', { class: `jr-stage${flags.length ? ' flagged' : ''}`, 'data-key': s.key, 'data-reached': String(s.reached ?? 0),
    'data-dropped': String(s.dropped ?? ''), 'data-in-progress': String(s.in_progress ?? ''), 'data-conversion': String(conv.value ?? '') },
  h('h3', null, s.name || s.key),
  flags.length ? h('ul', { class: 'jr-flags' }, ...flags.map(([cls, id]) => h('li', { class: `jr-flag ${cls}` }, t(id)))) : null,
  s.moment_of_truth ? h('p', { class: 'jr-moment' }, h('span', { 'aria-hidden': 'true' }, '★ '), t('MSG_WEB_JRN_MOMENT')) : null,
  s.reached ? h('dl', { class: 'jr-figures' }, ...rows.flatMap(([k, v]) => [h('dt', null, k), h('dd', null, v)]))
    : h('p', { class: 'empty' }, t('MSG_WEB_JRN_NO_DATA')),
  h('p', { class: 'jr-scores' }, badge('nps', s.nps), ' ', badge('csat', s.csat), ' ', badge('ces', s.ces)),
  frictionLine(s.friction),
  tps.length ? h('div', { class: 'jr-tps' }, h('h4', null, t('MSG_WEB_JRN_TOUCHPOINTS')),
    h('ul', null, ...tps.map((tp) => {
      const b = h('button', { type: 'button', class: 'jr-tp', 'data-key': tp.key, 'aria-controls': 'jr-drill', 'aria-expanded': 'false' },
        tp.moment_of_truth ? h('span', { 'aria-hidden': 'true' }, '★ ') : null,
        tp.name || tp.key, ' ', h('span', { class: 'muted' }, `· ${count(tp.reached)}`));
      b.addEventListener('click', () => openTouchpoint(tp, b));
      return h('li', null, b);
    }))) : null);
}

function summaryCard(map, longer) {
  const stages = map.stages || [];
  const { drop, friction, feel } = journeySummary(stages);
  const name = (s) => s.name || s.key;
  // no entry of the period is older than the conversion window: nobody has left yet
  const tooRecent = map.mature_before && map.from && map.mature_before <= map.from;
  const noDrop = tooRecent ? t('MSG_WEB_JRN_NO_DROP_WINDOW', { window: map.journey.conversion_window || '' }) : t('MSG_WEB_JRN_NO_DROP');
  return h('section', { class: 'card jr-summary', 'aria-live': 'polite' },
    h('h2', null, t('MSG_WEB_JRN_SUMMARY')),
    h('p', { class: 'jr-worst-drop', 'data-stage': drop ? drop.stage.key : '' },
      drop ? t('MSG_WEB_JRN_WORST_DROP', { stage: name(drop.stage), share: pct(drop.share), n: count(drop.stage.dropped) }) : noDrop),
    !drop && tooRecent && longer ? h('button', { type: 'button', class: 'jr-longer', onclick: longer.go }, t('MSG_WEB_JRN_LONGER', { n: longer.days })) : null,
    friction ? h('p', { class: 'jr-worst-friction', 'data-stage': friction.stage.key },
      t('MSG_WEB_JRN_WORST_FRICTION', { stage: name(friction.stage), value: fmt(friction.value), colour: colourName(friction.stage.friction.colour) })) : null,
    h('p', { class: 'jr-worst-feel', 'data-stage': feel ? feel.stage.key : '' },
      feel ? t('MSG_WEB_JRN_WORST_FEEL', { stage: name(feel.stage), value: fmt(feel.value), n: count(feel.stage.sentiment.comments) })
        : t('MSG_WEB_JRN_NO_FEEL')));
}

function boardCard(map, openTouchpoint) {
  const stages = map.stages || [];
  const { drop, friction, feel } = journeySummary(stages);
  const flagsOf = (s) => [
    drop && drop.stage === s ? ['drop', 'MSG_WEB_JRN_FLAG_DROP'] : null,
    friction && friction.stage === s ? ['friction', 'MSG_WEB_JRN_FLAG_FRICTION'] : null,
    feel && feel.stage === s ? ['feel', 'MSG_WEB_JRN_FLAG_WORST'] : null].filter(Boolean);
  return h('section', { class: 'card jr-board-card' },
    h('h2', null, t('MSG_WEB_JRN_BOARD')),
    h('p', { class: 'muted' }, t('MSG_WEB_JRN_BOARD_NOTE')),
    h('div', { class: 'jr-board' }, ...PHASES.filter(([p]) => stages.some((s) => s.phase === p)).map(([p, id]) =>
      h('section', { class: `jr-phase phase-${p}`, 'data-phase': p, 'aria-label': t(id) },
        h('h3', { class: 'jr-phase-name' }, t(id)),
        h('ol', { class: 'jr-stages' }, ...stages.filter((s) => s.phase === p).map((s) => h('li', null, stageCard(s, flagsOf(s), openTouchpoint))))))));
}

/* ---- the emotion curve ----------------------------------------------------------------------- */

function emotionCard(stages, live) {
  const points = stages.map((s) => ({ s, v: meanSentiment(s) }));
  const el = h('div', { class: 'jr-curve', role: 'img', 'aria-label': t('MSG_WEB_JRN_EMOTION_CURVE') });
  const card = h('section', { class: 'card jr-emotion' },
    h('h2', null, t('MSG_WEB_JRN_EMOTION_CURVE')),
    h('p', { class: 'muted' }, t('MSG_WEB_JRN_EMOTION_NOTE')),
    el,
    h('div', { class: 'table-wrap' }, h('table', { class: 'breakdown jr-curve-table' },
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, t('MSG_WEB_JRN_COL_STAGE')),
        h('th', { scope: 'col', class: 'num' }, t('MSG_WEB_JRN_COL_SENTIMENT')),
        h('th', { scope: 'col', class: 'num' }, t('MSG_WEB_JRN_COL_COMMENTS')))),
      h('tbody', null, ...points.map(({ s, v }) => h('tr', { 'data-key': s.key },
        h('th', { scope: 'row' }, s.name || s.key),
        h('td', { class: 'num sentiment', 'data-colour': sentimentColour(s) || '', 'data-value': fmt(v) }, fmt(v),
          v !== null ? h('span', { class: 'sr-only' }, ` (${colourName(sentimentColour(s))})`) : null),
        h('td', { class: 'num' }, count(s.sentiment ? s.sentiment.comments : 0))))))));
  async function draw(echarts) {
    const c = echarts.init(el);
    c.setOption({
      animation: false,
      grid: { left: 40, right: 16, top: 16, bottom: 40 },
      tooltip: { trigger: 'item' },
      xAxis: { type: 'category', data: points.map(({ s }) => s.name || s.key), axisLabel: { interval: 0, rotate: points.length > 5 ? 30 : 0 } },
      yAxis: { type: 'value', min: -100, max: 100 },
      series: [{
        type: 'line', connectNulls: true, symbolSize: 14, lineStyle: { color: GREY },
        markLine: { silent: true, symbol: 'none', data: [{ yAxis: 0 }], lineStyle: { color: GREY, type: 'dashed' } },
        data: points.map(({ s, v }) => ({ value: v, itemStyle: { color: COLOURS[sentimentColour(s)] || GREY } })),
      }],
    });
    live.push(c);
    card.dataset.chart = 'drawn';
  }
  return { card, draw };
}

function momentsCard(map) {
  const list = map.moments_of_truth || [];
  const tpName = (key) => {
    for (const s of map.stages || []) {
      for (const tp of s.touchpoints || []) {
        if (key === tp.key || key === `${s.key}.${tp.key}`) return `${s.name || s.key} / ${tp.name || tp.key}`;
      }
    }
    return key;
  };
  return h('section', { class: 'card jr-moments' }, h('h2', null, t('MSG_WEB_JRN_MOMENTS')),
    h('p', { class: 'muted' }, t('MSG_WEB_JRN_MOMENTS_NOTE')),
    list.length ? h('ol', { class: 'jr-moments-list' }, ...list.map((m) => h('li', { 'data-touchpoint': m.touchpoint },
      h('strong', null, tpName(m.touchpoint)), m.share !== undefined && m.share !== null ? ` · ${t('MSG_WEB_JRN_MOMENT_SHARE', { share: pct(m.share) })}` : '',
      m.lift && m.lift.text ? h('p', { class: 'muted jr-lift' }, m.lift.text) : null)))
      // the server says why when it cannot tell
      : h('p', { class: 'empty' }, (map.moments && map.moments.reason) || t('MSG_WEB_JRN_NO_MOMENTS')));
}

/* ---- drill into a touchpoint ------------------------------------------------------------------ */

function drillCard(ctx, id, range, tp, names, close) {
  const list = h('ol', { class: 'jr-verbatims' });
  const status = h('div', { role: 'status' });
  const more = h('button', { type: 'button', class: 'more', hidden: true }, t('MSG_WEB_JRN_MORE'));
  const body = h('div', { class: 'jr-drill-body' }, h('p', { class: 'loading' }, t('MSG_WEB_LOADING')));
  const shut = h('button', { type: 'button', class: 'jr-close' }, t('MSG_WEB_JRN_DRILL_CLOSE'));
  const heading = h('h2', { tabindex: '-1' }, t('MSG_WEB_JRN_DRILL', { name: tp.name || tp.key }));
  const card = h('section', { id: 'jr-drill', class: 'card jr-drill', 'data-key': tp.key, 'aria-label': t('MSG_WEB_JRN_DRILL', { name: tp.name || tp.key }) },
    h('div', { class: 'card-head' }, heading, shut), body,
    h('h3', null, t('MSG_WEB_JRN_VERBATIMS')), list, status, more);
  shut.addEventListener('click', close);
  card.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') close();
  });
  let cursor = null;
  const path = `/api/v1/journeys/${encodeURIComponent(id)}/touchpoints/${encodeURIComponent(tp.key)}`;
  function item(v) {
    const meta = [v.nps === null || v.nps === undefined ? null : t('MSG_WEB_TXP_NPS_OF', { score: v.nps }),
      v.channel ? channelName(v.channel) : null, v.ts ? formatDateTime(v.ts) : null].filter(Boolean);
    const textLang = v.lang && v.lang !== 'other' ? v.lang : null;
    const answers = Array.isArray(v.answers) ? v.answers : [];
    return h('li', { class: `verbatim label-${v.label || ''}`, 'data-id': v.response_id || '' },
      v.comment || !answers.length ? h('p', { class: 'comment', lang: textLang }, markedText(String(v.comment || ''), v.highlights)) : null,
      ...answers.map((a) => h('p', { class: 'answer', lang: textLang, 'data-question': a.question }, markedText(String(a.text || ''), a.highlights))),
      meta.length ? h('p', { class: 'muted verbatim-meta' }, meta.join(' · ')) : null);
  }
  function show(answer) {
    const d = answer.touchpoint; // its figures, as on the map
    const themes = d.themes || [];
    const emotions = d.emotions || {};
    const shownEmotions = EMOTIONS.filter((e) => emotions[e] > 0);
    replace(body,
      h('p', { class: 'jr-scores' }, badge('nps', d.nps), ' ', badge('csat', d.csat), ' ', badge('ces', d.ces)),
      frictionLine(d.friction),
      h('h3', null, t('MSG_WEB_JRN_THEMES')),
      themes.length ? h('ul', { class: 'tags jr-themes' }, ...themes.map((x) => h('li', { class: 'tag theme', 'data-theme': x.id },
        `${names.get(x.id) || x.id} · ${count(x.responses)}`)))
        : h('p', { class: 'empty' }, t('MSG_WEB_JRN_NO_THEMES')),
      shownEmotions.length ? [h('h3', null, t('MSG_WEB_JRN_EMOTIONS')), h('ul', { class: 'tags jr-emotions' },
        ...shownEmotions.map((e) => h('li', { class: 'tag emotion', 'data-emotion': e }, `${t(`MSG_WEB_TXP_EMO_${e.toUpperCase()}`)} · ${count(emotions[e])}`)))] : null);
  }
  async function load(next) {
    card.dataset.state = 'loading';
    let d;
    try {
      d = await api('GET', withQuery(path, { ...range, limit: PAGE, cursor: next ? cursor : null }));
    } catch (err) {
      if (ctx.isCurrent()) replace(next ? status : body, ctx.showError(err));
      card.dataset.state = 'failed';
      return;
    }
    if (!ctx.isCurrent()) return;
    if (!next) show(d);
    const page = d.verbatims || { items: [] };
    list.append(...(page.items || []).map(item));
    cursor = page.next_cursor || null;
    more.hidden = !cursor;
    replace(status, list.children.length ? null : h('p', { class: 'empty' }, t('MSG_WEB_JRN_NO_VERBATIMS')));
    card.dataset.count = String(list.children.length);
    card.dataset.state = 'loaded';
  }
  more.addEventListener('click', () => load(true));
  return { card, load, heading };
}

/* ---- funnel ----------------------------------------------------------------------------------- */

function stepLabel(step, stages) {
  if (step.stage) {
    const s = stages.find((x) => x.key === step.stage);
    return s ? s.name || s.key : step.stage;
  }
  return step.touchpoint ? `${step.event}/${step.touchpoint}` : step.event;
}

/**
 * The funnel's body for POST /api/v1/funnels: stages as {journey, stage},
 * events as {event: {type, touchpoint?}}. A segment is asked as the
 * segment groups (by=segment), of which the page shows that one.
 */
function funnelBody(id, steps, window, range) {
  return {
    steps: steps.map((s) => (s.stage ? { journey: String(id), stage: s.stage }
      : { event: s.touchpoint ? { type: s.event, touchpoint: s.touchpoint } : { type: s.event } })),
    window, from: range.from, to: range.to, by: range.segment ? 'segment' : undefined,
  };
}

/** [label, customers] per step and the time to convert, from the funnel's answer (the segment's group when one is chosen). */
function funnelRows(ans, steps, stages, segment) {
  let g = ans;
  if (segment) {
    const hit = (ans.groups || []).find((x) => x.key === segment);
    g = hit || { steps: (ans.steps || []).map((x) => ({ ...x, reached: 0 })), time_to_convert: {} };
  }
  const rows = steps.map((s, i) => [stepLabel(s, stages), (g.steps && g.steps[i] && g.steps[i].reached) || 0]);
  const ttc = g.time_to_convert || {};
  return { rows, p50: ttc.p50_s ?? null, p90: ttc.p90_s ?? null, histogram: ttc.histogram || [] };
}

function funnelCard(ctx, map, rangeOf, live) {
  const id = map.journey.id;
  const stages = map.stages || [];
  let steps = stages.map((s) => ({ stage: s.key }));
  const list = h('ol', { class: 'jr-steps' });
  const addStage = h('select', { id: 'jr-add-stage' }, ...stages.map((s) => h('option', { value: s.key }, s.name || s.key)));
  const addEvent = h('input', { id: 'jr-add-event', type: 'text', autocomplete: 'off', placeholder: 'purchase/checkout' });
  // the journey's own conversion window first, then the usual ones
  const defWindow = map.journey.conversion_window || '30d';
  const windows = WINDOWS.includes(defWindow) ? WINDOWS : [defWindow, ...WINDOWS];
  const window = h('select', { id: 'jr-window' }, ...windows.map((w) => h('option', { value: w, selected: w === defWindow }, w)));
  const run = h('button', { type: 'submit', class: 'primary' }, t('MSG_WEB_JRN_RUN'));
  const chartEl = h('div', { class: 'jr-funnel-chart', role: 'img', 'aria-label': t('MSG_WEB_JRN_FUNNEL_CHART') });
  const body = h('tbody');
  const status = h('div', { role: 'status' });
  const ttcLine = h('p', { class: 'jr-ttc' });
  const ttcEl = h('div', { class: 'jr-ttc-chart', role: 'img', 'aria-label': t('MSG_WEB_JRN_TTC_CHART'), hidden: true });
  let ttcChart = null;
  let rows = [];
  let chart = null;
  const csv = h('button', { type: 'button', class: 'csv', onclick: () => download('funnel.csv',
    csvOf([['step', 'customers', 'from_previous_pct', 'from_first_pct'], ...rows.map((r, i) => [r[0], r[1],
      i ? share(r[1], rows[i - 1][1]) : 100, share(r[1], rows[0][1])])])) }, t('MSG_WEB_OV_CSV'));
  const share = (a, b) => (b ? Math.round((1000 * a) / b) / 10 : null);
  function drawSteps() {
    replace(list, ...steps.map((s, i) => {
      const label = stepLabel(s, stages);
      const up = h('button', { type: 'button', class: 'jr-step-up', disabled: i === 0, 'aria-label': t('MSG_WEB_JRN_STEP_UP', { step: label }) }, '↑');
      const rm = h('button', { type: 'button', class: 'jr-step-remove', disabled: steps.length <= 2, 'aria-label': t('MSG_WEB_JRN_STEP_REMOVE', { step: label }) }, '×');
      up.addEventListener('click', () => {
        [steps[i - 1], steps[i]] = [steps[i], steps[i - 1]];
        drawSteps();
      });
      rm.addEventListener('click', () => {
        steps.splice(i, 1);
        drawSteps();
      });
      return h('li', { 'data-step': s.stage ? `stage:${s.stage}` : `event:${label}` }, h('span', { class: 'jr-step-label' }, label), ' ', up, ' ', rm);
    }));
  }
  const addStageBtn = h('button', { type: 'button', class: 'jr-add-stage' }, t('MSG_WEB_JRN_ADD'));
  addStageBtn.addEventListener('click', () => {
    steps.push({ stage: addStage.value });
    drawSteps();
  });
  const addEventBtn = h('button', { type: 'button', class: 'jr-add-event' }, t('MSG_WEB_JRN_ADD'));
  addEventBtn.addEventListener('click', () => {
    const v = addEvent.value.trim();
    if (!v) return;
    const [event, ...tp] = v.split('/');
    steps.push({ event, touchpoint: tp.join('/') || null });
    addEvent.value = '';
    drawSteps();
  });
  const form = h('form', { class: 'jr-funnel-form' },
    h('h3', null, t('MSG_WEB_JRN_STEPS')), list,
    h('div', { class: 'ov-controls' },
      h('div', { class: 'field' }, h('label', { for: 'jr-add-stage' }, t('MSG_WEB_JRN_ADD_STAGE')), h('span', { class: 'jr-inline' }, addStage, addStageBtn)),
      h('div', { class: 'field' }, h('label', { for: 'jr-add-event' }, t('MSG_WEB_JRN_ADD_EVENT')), h('span', { class: 'jr-inline' }, addEvent, addEventBtn)),
      h('div', { class: 'field' }, h('label', { for: 'jr-window' }, t('MSG_WEB_JRN_WINDOW')), window)),
    run);
  const card = h('section', { class: 'card jr-funnel' },
    h('div', { class: 'card-head' }, h('h2', null, t('MSG_WEB_JRN_FUNNEL')), csv),
    h('p', { class: 'muted' }, t('MSG_WEB_JRN_FUNNEL_NOTE')),
    form, status, chartEl, ttcLine, ttcEl,
    h('div', { class: 'table-wrap' }, h('table', { class: 'breakdown jr-funnel-table' },
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, t('MSG_WEB_JRN_COL_STEP')),
        h('th', { scope: 'col', class: 'num' }, t('MSG_WEB_JRN_COL_CUSTOMERS')),
        h('th', { scope: 'col', class: 'num' }, t('MSG_WEB_JRN_COL_FROM_PREV')),
        h('th', { scope: 'col', class: 'num' }, t('MSG_WEB_JRN_COL_FROM_FIRST')))),
      body)));
  async function load() {
    card.dataset.state = 'loading';
    run.disabled = true;
    let ans;
    try {
      ans = await api('POST', '/api/v1/funnels', funnelBody(id, steps, window.value, rangeOf()));
    } catch (err) {
      if (ctx.isCurrent()) replace(status, ctx.showError(err));
      card.dataset.state = 'failed';
      return;
    } finally {
      run.disabled = false;
    }
    if (!ctx.isCurrent()) return;
    // a step nothing ever matched, a journey still building: the server says which
    replace(status, ...(ans.warnings || []).map((w) => h('p', { class: 'notice jr-warning', 'data-field': w.field || '' }, w.message)));
    const r = funnelRows(ans, steps, stages, rangeOf().segment);
    rows = r.rows;
    replace(body, ...rows.map((x, i) => h('tr', { 'data-reached': String(x[1]) }, h('th', { scope: 'row' }, x[0]),
      h('td', { class: 'num reached' }, count(x[1])),
      h('td', { class: 'num' }, i ? pct(share(x[1], rows[i - 1][1])) : '–'),
      h('td', { class: 'num' }, pct(share(x[1], rows[0][1]))))));
    ttcLine.textContent = r.p50 === null ? t('MSG_WEB_JRN_NOBODY_CONVERTED')
      : t('MSG_WEB_JRN_TIME_TO_CONVERT', { p50: duration(r.p50), p90: duration(r.p90) });
    card.dataset.steps = String(rows.length);
    const echarts = await loadECharts().catch(() => null);
    if (!echarts || !ctx.isCurrent()) {
      card.dataset.state = 'failed';
      return;
    }
    if (!chart) {
      chart = echarts.init(chartEl);
      live.push(chart);
    }
    chartEl.style.height = `${Math.max(180, 44 * rows.length + 30)}px`;
    chart.resize();
    chart.setOption({
      animation: false,
      tooltip: { trigger: 'item', formatter: (p) => `${p.name}: ${count(p.value)}` },
      series: [{ type: 'funnel', sort: 'none', left: '2%', width: '62%', top: 10, bottom: 10, minSize: '4%', gap: 2, itemStyle: { color: '#1d4ed8' },
        label: { position: 'right', formatter: (p) => `${p.name}: ${count(p.value)}`, overflow: 'truncate' },
        data: rows.map((x) => ({ name: x[0], value: x[1] })) }],
    }, true);
    // the time to convert: customers per bucket of the API's histogram
    ttcEl.hidden = !r.histogram.length;
    card.dataset.bins = String(r.histogram.length);
    if (r.histogram.length) {
      if (!ttcChart) {
        ttcChart = echarts.init(ttcEl);
        live.push(ttcChart);
      }
      ttcChart.resize();
      ttcChart.setOption({
        animation: false,
        grid: { left: 40, right: 16, top: 16, bottom: 40 },
        tooltip: { trigger: 'axis' },
        xAxis: { type: 'category', name: t('MSG_WEB_JRN_TTC_AXIS'), nameLocation: 'middle', nameGap: 26,
          data: r.histogram.map((b) => (b.to_s === null ? `≥ ${duration(b.from_s)}` : `${duration(b.from_s)}–${duration(b.to_s)}`)) },
        yAxis: { type: 'value', minInterval: 1 },
        series: [{ type: 'bar', color: '#1d4ed8', data: r.histogram.map((b) => b.customers) }],
      }, true);
    }
    card.dataset.state = 'drawn';
  }
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    load();
  });
  drawSteps();
  return { card, load };
}

/* ---- paths ------------------------------------------------------------------------------------ */

function pathsCard(ctx, map, rangeOf, live) {
  const id = map.journey.id;
  const stages = map.stages || [];
  const start = h('select', { id: 'jr-path-start' }, ...stages.map((s) => h('option', { value: s.key }, s.name || s.key)));
  const level = h('select', { id: 'jr-path-level' }, ...[['stage', 'MSG_WEB_JRN_LEVEL_STAGE'], ['touchpoint', 'MSG_WEB_JRN_LEVEL_TOUCHPOINT'],
    ['event', 'MSG_WEB_JRN_LEVEL_EVENT']].map(([v, m]) => h('option', { value: v }, t(m))));
  const el = h('div', { class: 'jr-sankey', role: 'img', 'aria-label': t('MSG_WEB_JRN_PATHS_CHART') });
  const status = h('div', { role: 'status' });
  const started = h('p', { class: 'jr-started' });
  const seqBody = h('tbody');
  let chart = null;
  const card = h('section', { class: 'card jr-paths' },
    h('h2', null, t('MSG_WEB_JRN_PATHS')),
    h('p', { class: 'muted' }, t('MSG_WEB_JRN_PATHS_NOTE')),
    h('form', { class: 'ov-controls' },
      h('div', { class: 'field' }, h('label', { for: 'jr-path-start' }, t('MSG_WEB_JRN_START')), start),
      h('div', { class: 'field' }, h('label', { for: 'jr-path-level' }, t('MSG_WEB_JRN_LEVEL')), level)),
    status, started, el,
    h('div', { class: 'table-wrap' }, h('table', { class: 'breakdown jr-sequences' },
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, t('MSG_WEB_JRN_COL_SEQUENCE')),
        h('th', { scope: 'col', class: 'num' }, t('MSG_WEB_JRN_COL_CUSTOMERS')))),
      seqBody)));
  const labelText = (l) => (l === '(left)' ? t('MSG_WEB_JRN_LEFT') : l === '(end)' ? t('MSG_WEB_JRN_END') : l);
  async function load() {
    card.dataset.state = 'loading';
    let ans;
    try {
      // paths count every segment (GET /api/v1/paths has no segment filter)
      const { from, to } = rangeOf();
      ans = await api('GET', withQuery('/api/v1/paths', { from, to, journey: id, start: `journey:${start.value}`, level: level.value }));
    } catch (err) {
      if (ctx.isCurrent()) replace(status, ctx.showError(err));
      card.dataset.state = 'failed';
      return;
    }
    if (!ctx.isCurrent()) return;
    replace(status, rangeOf().segment ? h('p', { class: 'notice jr-paths-all' }, t('MSG_WEB_JRN_PATHS_ALL_SEGMENTS')) : null);
    const nodes = ans.nodes || [], links = ans.links || [];
    started.textContent = ans.customers ? t('MSG_WEB_JRN_PATHS_STARTED', { n: count(ans.customers) }) : t('MSG_WEB_JRN_NO_PATHS');
    replace(seqBody, ...(ans.sequences || []).map((s) => h('tr', null, h('td', null, (s.labels || []).map(labelText).join(' → ')),
      h('td', { class: 'num' }, count(s.customers)))),
    ans.other ? h('tr', null, h('td', null, t('MSG_WEB_JRN_OTHER')), h('td', { class: 'num' }, count(ans.other))) : null);
    card.dataset.nodes = String(nodes.length);
    card.dataset.left = String(nodes.filter((n) => n.label === '(left)').length);
    const echarts = await loadECharts().catch(() => null);
    if (!echarts || !ctx.isCurrent()) {
      card.dataset.state = 'failed';
      return;
    }
    if (!chart) {
      chart = echarts.init(el);
      live.push(chart);
    }
    const depths = Math.max(1, ...nodes.map((n) => n.depth + 1));
    el.style.height = `${Math.max(260, 34 * Math.max(...[0, ...Array.from({ length: depths }, (_, d) => nodes.filter((n) => n.depth === d).length)]) + 40)}px`;
    chart.resize();
    // a node is (depth, label): names are unique, labels are what is shown
    const nodeName = (n, i) => `${n.depth}:${n.label}#${i}`;
    chart.setOption({
      animation: false,
      tooltip: { trigger: 'item', formatter: (p) => (p.dataType === 'edge'
        ? `${labelText(nodes[p.data.i].label)} → ${labelText(nodes[p.data.j].label)}: ${count(p.value)}`
        : `${labelText(nodes[p.data.i].label)}: ${count(nodes[p.data.i].customers)}`) },
      series: [{
        type: 'sankey', left: 8, right: 90, top: 8, bottom: 8, nodeAlign: 'left', layoutIterations: 0,
        label: { formatter: (p) => labelText(nodes[p.data.i].label), overflow: 'truncate', width: 80 },
        data: nodes.map((n, i) => ({ name: nodeName(n, i), i, depth: n.depth,
          itemStyle: { color: n.label === '(left)' ? COLOURS.red : n.label === '(end)' ? COLOURS.green : '#1d4ed8' } })),
        links: links.map((l) => ({ source: nodeName(nodes[l.from], l.from), target: nodeName(nodes[l.to], l.to), value: l.customers, i: l.from, j: l.to })),
        lineStyle: { color: 'source', opacity: 0.35 },
      }],
    }, true);
    card.dataset.state = 'drawn';
  }
  start.addEventListener('change', load);
  level.addEventListener('change', load);
  return { card, load };
}

/* ---- the pages -------------------------------------------------------------------------------- */

/** #/journeys: the tenant's journeys. */
export async function renderJourneys(ctx) {
  const out = h('div', { class: 'jr-list', role: 'status' }, h('p', { class: 'loading' }, t('MSG_WEB_LOADING')));
  replace(ctx.main, h('div', { class: 'page-head' }, h('h1', null, t('MSG_WEB_NAV_JOURNEYS'))),
    h('p', { class: 'muted' }, t('MSG_WEB_JRN_LIST_NOTE')), out);
  let list;
  try {
    list = listItems(await api('GET', '/api/v1/journeys'));
  } catch (err) {
    if (ctx.isCurrent()) replace(out, ctx.showError(err));
    return;
  }
  if (!ctx.isCurrent()) return;
  replace(out, list.length ? h('ul', { class: 'jr-journeys' }, ...list.map((j) => {
    const n = j.definition && Array.isArray(j.definition.stages) ? j.definition.stages.length : null;
    return h('li', { 'data-id': String(j.id) }, h('a', { href: `#/journeys/${encodeURIComponent(j.id)}` }, j.name),
      n ? h('span', { class: 'muted' }, ` · ${t('MSG_WEB_JRN_STAGES_N', { n })}`) : null);
  })) : h('p', { class: 'empty' }, t('MSG_WEB_JRN_NONE')));
  out.dataset.state = 'loaded';
}

/** #/journeys/ID: the map, drill-down, funnel and paths of one journey. */
export async function renderJourney(ctx, id) {
  const { form, period, survey } = periodControls();
  survey.closest('.field').remove(); // journeys are not one survey's
  const journey = h('select', { id: 'jr-journey' });
  const segment = h('select', { id: 'jr-segment' }, h('option', { value: '' }, t('MSG_WEB_JRN_ALL_SEGMENTS')));
  form.prepend(h('div', { class: 'field' }, h('label', { for: 'jr-journey' }, t('MSG_WEB_JRN_JOURNEY')), journey));
  form.append(h('div', { class: 'field' }, h('label', { for: 'jr-segment' }, t('MSG_WEB_JRN_SEGMENT')), segment));
  form.addEventListener('submit', (e) => e.preventDefault());
  const out = h('div', { class: 'jr-body' }, h('p', { class: 'loading' }, t('MSG_WEB_LOADING')));
  replace(ctx.main, h('div', { class: 'page-head' }, h('h1', null, t('MSG_WEB_NAV_JOURNEYS'))), form, out);
  const [journeys, taxonomy] = await Promise.all([
    api('GET', '/api/v1/journeys').catch(() => null),
    api('GET', '/api/v1/settings/themes').catch(() => null), // theme ids stand in for names without it
  ]);
  if (!ctx.isCurrent()) return;
  const names = new Map();
  for (const x of (taxonomy && taxonomy.themes) || []) names.set(x.id, (x.name && (x.name[lang()] || x.name.en)) || x.id);
  const mine = listItems(journeys).find((j) => String(j.id) === String(id));
  const conversionWindow = mine && mine.definition ? mine.definition.conversion_window : null;
  for (const j of listItems(journeys)) journey.append(h('option', { value: String(j.id), selected: String(j.id) === String(id) }, j.name || String(j.id)));
  if (![...journey.options].some((o) => o.value === String(id))) journey.prepend(h('option', { value: String(id), selected: true }, String(id)));
  journey.addEventListener('change', () => {
    location.hash = `#/journeys/${encodeURIComponent(journey.value)}`;
  });
  let live = [];
  let segmentsFor = null;
  async function loadSegments(range) {
    // the segments that have answers in the period (GET /api/v1/metrics/nps?by=segment)
    const key = `${range.from}/${range.to}`;
    if (segmentsFor === key) return;
    segmentsFor = key;
    const rep = await api('GET', withQuery('/api/v1/metrics/nps', { from: range.from, to: range.to, by: 'segment' })).catch(() => null);
    const keep = segment.value;
    replace(segment, h('option', { value: '' }, t('MSG_WEB_JRN_ALL_SEGMENTS')),
      ...((rep && rep.groups) || []).filter((g) => g.value !== '').map((g) => h('option', { value: g.value, selected: g.value === keep }, g.label || g.value)));
  }
  async function load() {
    const { from, to } = lastDays(Number(period.value));
    const range = { from: isoDay(from), to: isoDay(to), segment: segment.value || null };
    const rangeOf = () => range;
    replace(out, h('p', { class: 'loading' }, t('MSG_WEB_LOADING')));
    out.dataset.state = 'loading';
    for (const c of live) c.dispose();
    live = [];
    let map;
    try {
      [map] = await Promise.all([
        api('GET', withQuery(`/api/v1/journeys/${encodeURIComponent(id)}/map`, range)),
        loadSegments(range),
      ]);
    } catch (err) {
      if (ctx.isCurrent()) replace(out, ctx.showError(err));
      out.dataset.state = 'failed';
      return;
    }
    if (!ctx.isCurrent()) return;
    // the map names the journey; its window is in the definition
    map.journey.conversion_window = conversionWindow;
    const stages = map.stages || [];
    const drillSlot = h('div', { class: 'jr-drill-slot' });
    let opener = null;
    function closeDrill() {
      replace(drillSlot);
      if (opener) opener.setAttribute('aria-expanded', 'false');
      if (opener) opener.focus();
    }
    function openTouchpoint(tp, button) {
      opener = button;
      for (const b of out.querySelectorAll('button.jr-tp')) b.setAttribute('aria-expanded', 'false');
      button.setAttribute('aria-expanded', 'true');
      const d = drillCard(ctx, id, range, tp, names, closeDrill);
      replace(drillSlot, d.card);
      d.heading.focus();
      d.load(false);
    }
    const emotion = emotionCard(stages, live);
    const funnel = funnelCard(ctx, map, rangeOf, live);
    const paths = pathsCard(ctx, map, rangeOf, live);
    replace(out,
      map.rebuilding ? h('p', { class: 'notice jr-rebuilding' }, t('MSG_WEB_JRN_REBUILDING')) : null,
      map.scope && map.scope.scores === 'subtree' ? h('p', { class: 'notice jr-scope' }, t('MSG_WEB_JRN_SCOPE')) : null,
      summaryCard(map, Number(period.value) < 365 ? { days: 365, go: () => {
        period.value = '365';
        period.dispatchEvent(new Event('change')); // remembered for the other pages too
      } } : null),
      boardCard(map, openTouchpoint),
      drillSlot,
      emotion.card,
      Array.isArray(map.moments_of_truth) ? momentsCard(map) : null,
      funnel.card,
      paths.card);
    out.dataset.from = range.from;
    out.dataset.to = range.to;
    out.dataset.segment = range.segment || '';
    out.dataset.state = 'loaded';
    let drawn = true;
    try {
      const echarts = await loadECharts();
      if (!ctx.isCurrent()) return;
      await emotion.draw(echarts);
    } catch {
      drawn = false; // every figure is in the text and tables
    }
    await Promise.all([funnel.load(), paths.load()]);
    if (ctx.isCurrent()) out.dataset.charts = drawn && funnel.card.dataset.state === 'drawn' && paths.card.dataset.state === 'drawn' ? 'drawn' : 'failed';
  }
  period.addEventListener('change', load);
  segment.addEventListener('change', load);
  await load();
}
