// customer.js - one customer: profile, identities, attributes, consent
// (GET /api/v1/customers/{id}), the journeys they are in, with their current
// stage (GET /api/v1/customers/{id}/journeys), and the event timeline,
// newest first (GET /api/v1/customers/{id}/events, paginated with "show more").
// Everything here was written by or about a customer: it is only ever
// put in the page as text (dom.js), never as HTML.

import { ApiError, api, listItems, withQuery } from '../api.js';
import { dl, h, replace } from '../dom.js';
import { channelName, formatAmount, formatDateTime, t } from '../i18n.js';
import { customerName } from './customers.js';

const PAGE = 50;

/** A JSON value as a short text: strings as they are, the rest as JSON. */
function valueText(v) {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

function consentText(v) {
  if (v === 'granted') return t('MSG_WEB_CONSENT_GRANTED');
  if (v === 'denied') return t('MSG_WEB_CONSENT_DENIED');
  if (v === null || v === undefined || v === '') return t('MSG_WEB_CONSENT_UNKNOWN');
  return String(v);
}

function section(titleId, ...content) {
  return h('section', { class: 'card' }, h('h2', null, t(titleId)), ...content);
}

function profile(c) {
  return section('MSG_WEB_PROFILE', dl([
    [t('MSG_WEB_FIELD_EXTERNAL_ID'), c.external_id],
    [t('MSG_WEB_FIELD_EMAIL'), c.email],
    [t('MSG_WEB_FIELD_PHONE'), c.phone],
    [t('MSG_WEB_FIELD_COUNTRY'), c.country],
    [t('MSG_WEB_FIELD_LANGUAGE'), c.language],
    [t('MSG_WEB_FIELD_CREATED'), c.created_at ? formatDateTime(c.created_at) : null],
    [t('MSG_WEB_FIELD_UPDATED'), c.updated_at ? formatDateTime(c.updated_at) : null],
    [t('MSG_WEB_FIELD_ID'), c.id],
  ], 'fields'));
}

function identities(c) {
  const ids = Array.isArray(c.identities) ? c.identities : [];
  if (!ids.length) return section('MSG_WEB_IDENTITIES', h('p', { class: 'empty' }, t('MSG_WEB_NO_IDENTITIES')));
  return section('MSG_WEB_IDENTITIES', h('ul', { class: 'identities' },
    ids.map((i) => h('li', null, h('span', { class: 'kind' }, i.kind), ' ', h('span', { class: 'value' }, i.value)))));
}

function attributes(c) {
  const entries = c.attributes && typeof c.attributes === 'object' ? Object.entries(c.attributes) : [];
  if (!entries.length) return section('MSG_WEB_ATTRIBUTES', h('p', { class: 'empty' }, t('MSG_WEB_NO_ATTRIBUTES')));
  return section('MSG_WEB_ATTRIBUTES', dl(entries.map(([k, v]) => [k, valueText(v)]), 'fields'));
}

function consent(c) {
  const entries = c.consent && typeof c.consent === 'object' ? Object.entries(c.consent) : [];
  if (!entries.length) return section('MSG_WEB_CONSENT', h('p', { class: 'empty' }, t('MSG_WEB_NO_CONSENT')));
  const list = h('dl', { class: 'fields consent' });
  for (const [channel, v] of entries) {
    const cls = v === 'granted' || v === 'denied' ? v : 'unknown';
    list.append(h('dt', null, channelName(channel)),
      h('dd', null, h('span', { class: `consent-${cls}` }, consentText(v))));
  }
  return section('MSG_WEB_CONSENT', list);
}

function eventItem(ev) {
  const props = ev.properties && typeof ev.properties === 'object' ? Object.entries(ev.properties) : [];
  const facts = [
    [t('MSG_WEB_EVENT_CHANNEL'), ev.channel ? channelName(ev.channel) : null],
    [t('MSG_WEB_EVENT_TOUCHPOINT'), ev.touchpoint],
    [t('MSG_WEB_EVENT_AGENT'), ev.agent],
    [t('MSG_WEB_EVENT_AMOUNT'), formatAmount(ev.amount, ev.currency)],
    ...props.map(([k, v]) => [k, valueText(v)]),
  ];
  return h('li', { class: 'event', 'data-channel': String(ev.channel || '') },
    h('div', { class: 'event-head' },
      h('time', { datetime: ev.ts }, formatDateTime(ev.ts)),
      h('span', { class: 'event-type' }, ev.type),
      ev.channel ? h('span', { class: 'channel' }, channelName(ev.channel)) : null),
    dl(facts, 'event-facts'));
}

/** One journey the customer entered: its name, current stage and the stages reached, with first and last time. */
function journeyItem(x) {
  const names = Object.fromEntries(x.stages.map((s) => [s.key, s.name]));
  const reached = x.stages.filter((s) => s.first);
  return h('li', { class: 'cj-journey', 'data-journey': x.journey.id },
    h('a', { href: `#/journeys/${encodeURIComponent(x.journey.id)}` }, x.journey.name),
    x.current_stage
      ? h('p', { class: 'cj-current' }, t('MSG_WEB_CJ_CURRENT', { stage: names[x.current_stage] || x.current_stage }))
      : null,
    x.rebuilding ? h('p', { class: 'note' }, t('MSG_WEB_CJ_REBUILDING')) : null,
    h('ol', { class: 'cj-stages' }, ...reached.map((s) => h('li', { 'data-stage': s.key },
      h('span', { class: 'cj-stage' }, s.name), ' ',
      h('span', { class: 'cj-when' }, s.first === s.last ? formatDateTime(s.first)
        : t('MSG_WEB_CJ_FIRST_LAST', { first: formatDateTime(s.first), last: formatDateTime(s.last) }))))));
}

function journeys(ctx, id) {
  const body = h('div', { class: 'cj-body', 'aria-busy': 'true' }, h('p', { class: 'loading' }, t('MSG_WEB_LOADING')));
  (async () => {
    try {
      const answer = await api('GET', `/api/v1/customers/${encodeURIComponent(id)}/journeys`);
      const entered = listItems(answer).filter((x) => x.entered);
      replace(body, entered.length ? h('ul', { class: 'cj-list' }, ...entered.map(journeyItem))
        : h('p', { class: 'empty' }, t('MSG_WEB_CJ_NONE')));
    } catch (err) {
      replace(body, ctx.showError(err));
    }
    body.setAttribute('aria-busy', 'false');
  })();
  return h('section', { class: 'card cj-card' }, h('h2', null, t('MSG_WEB_CJ_TITLE')), body);
}

function timeline(ctx, id) {
  const list = h('ol', { class: 'timeline', 'aria-busy': 'true' });
  const status = h('div', { class: 'list-status', role: 'status' });
  const more = h('button', { type: 'button', class: 'more', hidden: true }, t('MSG_WEB_MORE'));
  let cursor = null;

  async function load() {
    more.disabled = true;
    list.setAttribute('aria-busy', 'true');
    replace(status, h('p', { class: 'loading' }, t('MSG_WEB_LOADING')));
    try {
      const answer = await api('GET',
        withQuery(`/api/v1/customers/${encodeURIComponent(id)}/events`, { limit: PAGE, cursor }));
      list.append(...listItems(answer).map(eventItem));
      cursor = (answer && answer.next_cursor) || null;
      more.hidden = !cursor;
      replace(status, list.children.length ? null : h('p', { class: 'empty' }, t('MSG_WEB_NO_EVENTS')));
    } catch (err) {
      replace(status, ctx.showError(err));
    }
    more.disabled = false;
    list.setAttribute('aria-busy', 'false');
  }
  more.addEventListener('click', load);
  load();
  return h('section', { class: 'card timeline-card' },
    h('h2', null, t('MSG_WEB_TIMELINE')), list, status, more);
}

export async function renderCustomer(ctx, id) {
  const main = ctx.main;
  const back = h('p', { class: 'back' }, h('a', { href: '#/customers' }, t('MSG_WEB_BACK_TO_CUSTOMERS')));
  replace(main, back, h('p', { class: 'loading' }, t('MSG_WEB_LOADING')));
  let c;
  try {
    c = await api('GET', `/api/v1/customers/${encodeURIComponent(id)}`);
  } catch (err) {
    if (!ctx.isCurrent()) return;
    replace(main, back, err instanceof ApiError && err.status === 404
      ? h('p', { class: 'error', role: 'alert' }, t('MSG_WEB_CUSTOMER_NOT_FOUND'))
      : ctx.showError(err));
    return;
  }
  if (!ctx.isCurrent()) return; // the user went elsewhere meanwhile
  replace(main, back,
    h('h1', { class: 'customer-title' }, customerName(c)),
    h('div', { class: 'customer-grid' },
      h('div', { class: 'customer-facts' }, profile(c), journeys(ctx, c.id || id), identities(c), attributes(c), consent(c)),
      timeline(ctx, c.id || id)));
}
