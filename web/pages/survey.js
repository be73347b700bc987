// survey.js - one survey (#/surveys/ID, or #/surveys/new): the editor and
// a live preview of its public page, save (POST / PUT /api/v1/surveys),
// make live / close (POST .../status), personal links (POST
// .../invitations), sending it by email to an audience (POST .../invitations
// with an audience), what became of them (GET .../stats) and the responses,
// newest first with filters (GET /api/v1/responses?survey=&from=&to=&complete=&channel=).
// Whatever a customer wrote reaches the page only as text (dom.js).

import { ApiError, api, listItems, withQuery } from '../api.js';
import { h, replace } from '../dom.js';
import { channelName, formatDateTime, t } from '../i18n.js';
import { isChoice, surveyEditor, toDefinition, toModel } from './survey-editor.js';
import { npsColour, surveyPreview } from './survey-preview.js';
import { openLinkCard } from './survey-open-link.js';
import { statusBadge } from './surveys.js';

const PAGE = 50;

/** A problem's words, with each bad field named. */
function problemText(err) {
  const items = err instanceof ApiError && err.problem && Array.isArray(err.problem.errors) ? err.problem.errors : [];
  return items.map((e) => (e.field ? `${e.field}: ${e.message}` : e.message));
}

function errorBox(ctx, err) {
  const box = ctx.showError(err);
  const items = problemText(err);
  if (items.length) box.append(h('ul', { class: 'problem-items' }, items.map((x) => h('li', null, x))));
  return box;
}

function percent(x) {
  return new Intl.NumberFormat(document.documentElement.lang || 'en', { style: 'percent', maximumFractionDigits: 1 }).format(x);
}

function channelText(c) {
  return c === 'link' ? t('MSG_WEB_CHANNEL_LINK') : channelName(c);
}

/* ---- links ---------------------------------------------------------------- */

function linksCard(ctx, sv, onCreated) {
  const out = h('div', { class: 'link-out', role: 'status' });
  const button = h('button', { type: 'button', class: 'primary survey-link', disabled: sv.status !== 'live' },
    t('MSG_WEB_SURVEY_CREATE_LINK'));
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const inv = await api('POST', `/api/v1/surveys/${encodeURIComponent(sv.id)}/invitations`, { channel: 'link' });
      const url = new URL(inv.path, location.origin).href;
      replace(out, h('p', null, t('MSG_WEB_SURVEY_LINK_READY', { date: formatDateTime(inv.expires_at) })),
        h('p', null, h('a', { class: 'survey-link-url', href: inv.path, target: '_blank', rel: 'noopener noreferrer' }, url)));
      onCreated();
    } catch (err) {
      replace(out, errorBox(ctx, err));
    } finally {
      button.disabled = false;
    }
  });
  return h('section', { class: 'card survey-links' }, h('h2', null, t('MSG_WEB_SURVEY_LINKS')),
    sv.status === 'live' ? null : h('p', { class: 'empty' }, t('MSG_WEB_SURVEY_LINK_NOT_LIVE')),
    button, out);
}

/* ---- sending by email to an audience ------------------------------------------- */

const SKIPS = ['no_email', 'consent', 'excluded', 'fatigue', 'not_found', 'duplicate'];

function emailCard(ctx, sv, onSent) {
  const out = h('div', { class: 'email-out', role: 'status' });
  const who = h('select', { id: 'email-who', name: 'who' },
    h('option', { value: 'all' }, t('MSG_WEB_SURVEY_EMAIL_ALL')),
    h('option', { value: 'some' }, t('MSG_WEB_SURVEY_EMAIL_SOME')));
  const attribute = h('input', { id: 'email-attribute', type: 'text', name: 'attribute', value: 'country', maxlength: '100' });
  const value = h('input', { id: 'email-value', type: 'text', name: 'value', maxlength: '1000' });
  const which = h('div', { class: 'email-which', hidden: true },
    h('div', { class: 'field' }, h('label', { for: 'email-attribute' }, t('MSG_WEB_SURVEY_EMAIL_ATTRIBUTE')), attribute),
    h('div', { class: 'field' }, h('label', { for: 'email-value' }, t('MSG_WEB_SURVEY_EMAIL_VALUE')), value));
  who.addEventListener('change', () => { which.hidden = who.value !== 'some'; });
  const send = h('button', { type: 'submit', class: 'primary survey-email-send', disabled: sv.status !== 'live' },
    t('MSG_WEB_SURVEY_EMAIL_SEND'));
  const form = h('form', { class: 'survey-email' },
    h('div', { class: 'field' }, h('label', { for: 'email-who' }, t('MSG_WEB_SURVEY_EMAIL_TO')), who), which, send);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    send.disabled = true;
    try {
      const audience = who.value === 'all' ? 'all' : { attribute: attribute.value.trim(), value: value.value.trim() };
      const r = await api('POST', `/api/v1/surveys/${encodeURIComponent(sv.id)}/invitations`, { channel: 'email', audience });
      const reasons = SKIPS.filter((k) => r.skipped_by_reason[k] > 0)
        .map((k) => h('li', { 'data-reason': k, 'data-n': String(r.skipped_by_reason[k]) }, t(`MSG_WEB_SURVEY_EMAIL_SKIP_${k.toUpperCase()}`, { n: r.skipped_by_reason[k] })));
      replace(out, h('p', { class: 'email-done', 'data-queued': String(r.queued), 'data-skipped': String(r.skipped) },
        t('MSG_WEB_SURVEY_EMAIL_DONE', { queued: r.queued, skipped: r.skipped, audience: r.audience })),
      reasons.length ? h('ul', { class: 'email-skips' }, reasons) : null);
      onSent();
    } catch (err) {
      replace(out, errorBox(ctx, err));
    } finally {
      send.disabled = sv.status !== 'live';
    }
  });
  return h('section', { class: 'card survey-email-card' }, h('h2', null, t('MSG_WEB_SURVEY_EMAIL')),
    sv.status === 'live' ? null : h('p', { class: 'empty' }, t('MSG_WEB_SURVEY_EMAIL_NOT_LIVE')),
    form, out);
}

/* ---- statistics -------------------------------------------------------------- */

/** Why a channel's invitations failed: the latest failures with their reasons. */
function failuresOf(ctx, sv, channel, out) {
  return async () => {
    replace(out, h('p', { class: 'loading' }, t('MSG_WEB_LOADING')));
    try {
      const page = await api('GET', withQuery(`/api/v1/surveys/${encodeURIComponent(sv.id)}/invitations`,
        { status: 'failed', channel, limit: 20 }));
      const items = listItems(page);
      replace(out, items.length
        ? h('ul', { class: 'failures', 'data-channel': channel }, items.map((x) => h('li', { class: 'failure' },
          h('time', { datetime: x.created_at }, formatDateTime(x.created_at)), ' ',
          h('span', { class: 'failure-why' }, x.failure || t('MSG_WEB_SURVEY_FAILED_UNKNOWN')))))
        : h('p', { class: 'empty' }, t('MSG_WEB_SURVEY_FAILED_NONE')));
    } catch (err) {
      replace(out, errorBox(ctx, err));
    }
  };
}

function statsCard(ctx, sv) {
  const body = h('div', { class: 'stats-body', role: 'status' });
  const why = h('div', { class: 'stats-failures' });
  const refresh = h('button', { type: 'button', class: 'stats-refresh' }, t('MSG_WEB_REFRESH'));
  async function load() {
    refresh.disabled = true;
    try {
      const st = await api('GET', `/api/v1/surveys/${encodeURIComponent(sv.id)}/stats`);
      const r = st.responses;
      const nps = r.nps;
      const rows = st.invitations.by_channel.map((c) => h('tr', { 'data-channel': c.channel },
        h('th', { scope: 'row' }, channelText(c.channel)),
        h('td', { class: 'num stat-total' }, String(c.total)),
        h('td', { class: 'num stat-sent' }, String(c.sent)),
        h('td', { class: 'num stat-delivered' }, String(c.delivered)),
        h('td', { class: 'num stat-opened' }, String(c.opened)),
        h('td', { class: 'num stat-answered' }, String(c.answered)),
        h('td', { class: 'num stat-failed' }, String(c.failed), c.failed > 0
          ? [' ', h('button', { type: 'button', class: 'link-button stats-why', onclick: failuresOf(ctx, sv, c.channel, why) },
            t('MSG_WEB_SURVEY_FAILED_WHY'))] : null),
        h('td', { class: 'num stat-rate' }, percent(c.response_rate))));
      replace(body,
        h('p', { class: 'stat-responses', 'data-total': String(r.total), 'data-complete': String(r.complete) },
          t('MSG_WEB_SURVEY_STATS_RESPONSES', { total: r.total, complete: r.complete })),
        nps.answered ? h('p', { class: 'stat-nps' },
          h('span', { class: `nps-badge ${nps.score >= 0 ? (nps.score >= 50 ? 'green' : 'amber') : 'red'}` }, String(nps.score)), ' ',
          t('MSG_WEB_SURVEY_STATS_NPS', { score: nps.score, promoters: nps.promoters, passives: nps.passives, detractors: nps.detractors })) : null,
        rows.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'stats-table' },
          h('thead', null, h('tr', null,
            h('th', { scope: 'col' }, t('MSG_WEB_SURVEY_STATS_CHANNEL')),
            ['TOTAL', 'SENT', 'DELIVERED', 'OPENED', 'ANSWERED', 'FAILED', 'RATE'].map((k) => h('th', { scope: 'col', class: 'num' }, t(`MSG_WEB_SURVEY_STATS_${k}`))))),
          h('tbody', null, rows)))
          : h('p', { class: 'empty' }, t('MSG_WEB_SURVEY_STATS_NONE')), why);
      replace(why);
    } catch (err) {
      replace(body, errorBox(ctx, err));
    } finally {
      refresh.disabled = false;
    }
  }
  refresh.addEventListener('click', load);
  load();
  return { root: h('section', { class: 'card survey-stats' }, h('div', { class: 'card-head' }, h('h2', null, t('MSG_WEB_SURVEY_STATS')), refresh), body), load };
}

/* ---- responses --------------------------------------------------------------- */

/** A day (YYYY-MM-DD, the browser's time zone) as RFC 3339, or the next day's start. */
function dayStart(day, next) {
  if (!day) return '';
  const d = new Date(`${day}T00:00:00`);
  if (Number.isNaN(d.getTime())) return '';
  if (next) d.setDate(d.getDate() + 1);
  return d.toISOString();
}

function scoreBadge(kind, v) {
  const colour = kind === 'nps' ? npsColour(v) : 'plain';
  return h('span', { class: `score score-${kind} ${colour}`, 'data-score': String(v) }, `${kind.toUpperCase()} ${v}`);
}

function responseRow(x, def, lang) {
  const questions = def && Array.isArray(def.questions) ? def.questions : [];
  const answers = x.answers && typeof x.answers === 'object' ? x.answers : {};
  const said = [];
  for (const [id, v] of Object.entries(answers)) {
    const q = questions.find((y) => y.id === id);
    if (q && ['nps', 'csat', 'ces'].includes(q.type) && [x.nps, x.csat, x.ces].includes(v)) continue;
    const label = (q && q.text && (q.text[lang] || Object.values(q.text)[0])) || id;
    let text;
    if (q && isChoice(q.type)) {
      const opt = (oid) => {
        const o = (q.options || []).find((y) => y.id === oid);
        return (o && o.text && (o.text[lang] || Object.values(o.text)[0])) || oid;
      };
      text = Array.isArray(v) ? v.map(opt).join(', ') : opt(v);
    } else {
      text = typeof v === 'string' ? v : JSON.stringify(v);
    }
    said.push(h('div', { class: 'answer', 'data-question': id },
      h('span', { class: 'answer-q' }, label), h('span', { class: 'answer-text' }, text)));
  }
  return h('li', { class: 'response', 'data-response': x.response_id, 'data-complete': String(!!x.complete) },
    h('div', { class: 'response-head' },
      h('time', { datetime: x.ts }, formatDateTime(x.ts)),
      typeof x.nps === 'number' ? scoreBadge('nps', x.nps) : null,
      typeof x.csat === 'number' ? scoreBadge('csat', x.csat) : null,
      typeof x.ces === 'number' ? scoreBadge('ces', x.ces) : null,
      h('span', { class: 'channel' }, channelText(x.channel)),
      x.complete ? null : h('span', { class: 'tag partial' }, t('MSG_WEB_RESPONSE_PARTIAL')),
      x.customer_id ? h('a', { href: `#/customers/${encodeURIComponent(x.customer_id)}` }, t('MSG_WEB_RESPONSE_CUSTOMER'))
        : h('span', { class: 'muted' }, t('MSG_WEB_RESPONSE_ANONYMOUS'))),
    said,
    x.comment ? h('p', { class: 'response-comment' }, x.comment) : null);
}

function responsesCard(ctx, sv) {
  const from = h('input', { id: 'responses-from', type: 'date' });
  const to = h('input', { id: 'responses-to', type: 'date' });
  const which = h('select', { id: 'responses-which' },
    h('option', { value: '' }, t('MSG_WEB_RESPONSES_ALL')),
    h('option', { value: 'complete' }, t('MSG_WEB_RESPONSES_COMPLETE')),
    h('option', { value: 'partial' }, t('MSG_WEB_RESPONSES_PARTIAL')));
  const channel = h('input', { id: 'responses-channel', type: 'text', maxlength: '32', list: 'responses-channels',
    placeholder: t('MSG_WEB_RESPONSES_ANY_CHANNEL'), autocomplete: 'off' });
  const channels = h('datalist', { id: 'responses-channels' },
    ...['email', 'link', 'web', 'phone', 'chat', 'store', 'sms', 'app'].map((c) => h('option', { value: c })));
  const form = h('form', { class: 'responses-filter' },
    h('div', { class: 'field' }, h('label', { for: 'responses-from' }, t('MSG_WEB_RESPONSES_FROM')), from),
    h('div', { class: 'field' }, h('label', { for: 'responses-to' }, t('MSG_WEB_RESPONSES_TO')), to),
    h('div', { class: 'field' }, h('label', { for: 'responses-which' }, t('MSG_WEB_RESPONSES_WHICH')), which),
    h('div', { class: 'field' }, h('label', { for: 'responses-channel' }, t('MSG_WEB_RESPONSES_CHANNEL')), channel, channels),
    h('button', { type: 'submit' }, t('MSG_WEB_RESPONSES_FILTER')));
  const list = h('ol', { class: 'responses' });
  const status = h('div', { class: 'list-status', role: 'status' });
  const more = h('button', { type: 'button', class: 'more', hidden: true }, t('MSG_WEB_MORE'));
  const lang = (sv.definition && sv.definition.languages && sv.definition.languages.includes(document.documentElement.lang))
    ? document.documentElement.lang : (sv.definition && sv.definition.languages && sv.definition.languages[0]) || 'en';
  let generation = 0;
  let cursor = null;

  async function load(reset) {
    const mine = reset ? ++generation : generation;
    if (reset) {
      cursor = null;
      replace(list);
    }
    more.disabled = true;
    replace(status, h('p', { class: 'loading' }, t('MSG_WEB_LOADING')));
    let answer;
    try {
      answer = await api('GET', withQuery('/api/v1/responses', {
        survey: sv.id, from: dayStart(from.value, false), to: dayStart(to.value, true), limit: PAGE, cursor,
        complete: which.value ? String(which.value === 'complete') : null,
        channel: channel.value.trim() || null,
      }));
    } catch (err) {
      if (mine !== generation) return;
      more.disabled = false;
      replace(status, errorBox(ctx, err));
      return;
    }
    if (mine !== generation) return;
    const items = listItems(answer);
    list.append(...items.map((x) => responseRow(x, sv.definition, lang)));
    cursor = (answer && answer.next_cursor) || null;
    more.hidden = !cursor;
    more.disabled = false;
    replace(status, list.children.length ? null : h('p', { class: 'empty' }, t('MSG_WEB_RESPONSES_EMPTY')));
  }
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    load(true);
  });
  which.addEventListener('change', () => load(true));
  more.addEventListener('click', () => load(false));
  load(true);
  return { root: h('section', { class: 'card survey-responses' }, h('h2', null, t('MSG_WEB_SURVEY_RESPONSES')), form, list, status, more), load };
}

/* ---- the page ------------------------------------------------------------------ */

export async function renderSurvey(ctx, id) {
  const isNew = id === 'new';
  let sv = null;
  if (!isNew) {
    replace(ctx.main, h('p', { class: 'loading' }, t('MSG_WEB_LOADING')));
    try {
      sv = await api('GET', `/api/v1/surveys/${encodeURIComponent(id)}`);
    } catch (err) {
      if (ctx.isCurrent()) replace(ctx.main, h('p', { class: 'back' }, h('a', { href: '#/surveys' }, t('MSG_WEB_SURVEY_BACK'))), errorBox(ctx, err));
      return;
    }
    if (!ctx.isCurrent()) return;
  }
  const model = toModel(sv ? sv.definition : null);
  let dirty = false;
  const message = h('div', { class: 'survey-message', role: 'status' });
  const preview = surveyPreview();
  const save = h('button', { type: 'button', class: 'primary survey-save' }, t('MSG_WEB_SURVEY_SAVE'));
  const editor = surveyEditor(model, () => {
    dirty = true;
    replace(message);
    preview.update(toDefinition(model));
  });
  preview.update(toDefinition(model));

  save.addEventListener('click', async () => {
    if (!model.languages.length) {
      replace(message, h('p', { class: 'error', role: 'alert' }, t('MSG_WEB_SURVEY_NEED_LANGUAGE')));
      return;
    }
    save.disabled = true;
    try {
      const def = toDefinition(model);
      const answer = isNew ? await api('POST', '/api/v1/surveys', def)
        : await api('PUT', `/api/v1/surveys/${encodeURIComponent(sv.id)}`, def);
      dirty = false;
      if (isNew) {
        location.hash = `#/surveys/${encodeURIComponent(answer.id)}`;
        return;
      }
      sv = answer;
      title.textContent = sv.name;
      replace(version, t('MSG_WEB_SURVEY_VERSION'), ' ', String(sv.version));
      replace(message, h('p', { class: 'notice saved' }, t('MSG_WEB_SURVEY_SAVED', { version: sv.version })));
    } catch (err) {
      replace(message, errorBox(ctx, err));
    } finally {
      save.disabled = false;
    }
  });

  const actions = h('div', { class: 'survey-actions' }, save);
  if (!isNew) {
    const next = sv.status === 'live' ? ['closed', 'MSG_WEB_SURVEY_CLOSE', 'survey-close']
      : sv.status === 'closed' ? ['live', 'MSG_WEB_SURVEY_REOPEN', 'survey-live'] : ['live', 'MSG_WEB_SURVEY_MAKE_LIVE', 'survey-live'];
    const b = h('button', { type: 'button', class: next[2] }, t(next[1]));
    b.addEventListener('click', async () => {
      if (dirty) {
        replace(message, h('p', { class: 'error', role: 'alert' }, t('MSG_WEB_SURVEY_UNSAVED')));
        return;
      }
      b.disabled = true;
      try {
        await api('POST', `/api/v1/surveys/${encodeURIComponent(sv.id)}/status`, { status: next[0] });
        if (ctx.isCurrent()) renderSurvey(ctx, id);
      } catch (err) {
        b.disabled = false;
        replace(message, errorBox(ctx, err));
      }
    });
    actions.append(b);
  }

  const title = h('span', { class: 'survey-title-text' }, sv ? sv.name : t('MSG_WEB_SURVEY_NEW_TITLE'));
  const version = h('span', { class: 'survey-version' }, sv ? [t('MSG_WEB_SURVEY_VERSION'), ' ', String(sv.version)] : null);
  const head = h('div', { class: 'survey-head' },
    h('h1', { class: 'survey-title' }, title),
    sv ? statusBadge(sv.status) : null, version);

  const parts = [
    h('p', { class: 'back' }, h('a', { href: '#/surveys' }, t('MSG_WEB_SURVEY_BACK'))),
    head,
    h('div', { class: 'survey-grid' },
      h('section', { class: 'card survey-edit' }, editor, actions, message),
      preview.root),
  ];
  if (sv) {
    const stats = statsCard(ctx, sv);
    const anonymous = sv.definition && sv.definition.anonymous === true;
    if (anonymous) parts.push(openLinkCard(sv, (err) => errorBox(ctx, err)));
    // an anonymous survey knows nobody to e-mail
    parts.push(linksCard(ctx, sv, stats.load), anonymous ? null : emailCard(ctx, sv, stats.load), stats.root,
      responsesCard(ctx, sv).root);
  } else {
    parts.push(h('p', { class: 'empty' }, t('MSG_WEB_SURVEY_SAVE_FIRST')));
  }
  replace(ctx.main, ...parts);
}
