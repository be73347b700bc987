// triggers.js - triggers: an event schedules a survey invitation
// (GET/POST /api/v1/triggers, PUT/DELETE /api/v1/triggers/{id}). The page
// lists them, creates one (survey, event type and channel, delay, invite
// channel), turns them on and off, deletes them, and shows what became of
// each invitation one scheduled (GET /api/v1/triggers/{id}/scheduled).

import { api, ApiError, listItems } from '../api.js';
import { h, replace } from '../dom.js';
import { channelName, formatDateTime, t } from '../i18n.js';

const UNITS = [['m', 'MSG_WEB_TRIG_UNIT_M'], ['h', 'MSG_WEB_TRIG_UNIT_H'], ['d', 'MSG_WEB_TRIG_UNIT_D'], ['s', 'MSG_WEB_TRIG_UNIT_S']];
const EVENT_CHANNELS = ['web', 'app', 'email', 'sms', 'phone', 'store', 'chat', 'social', 'whatsapp', 'other'];
const STATUSES = ['pending', 'sent', 'skipped', 'failed'];
const REASONS = ['fatigue', 'excluded', 'no_consent', 'no_email', 'no_customer', 'survey_not_live', 'anonymous', 'inactive',
  'stale', 'error'];

/** The catalogue's words for a status or a reason; anything else as sent. */
function word(prefix, known, value) {
  return known.includes(value) ? t(`${prefix}${value.toUpperCase()}`) : String(value ?? '');
}

/** The whole trigger as PUT takes it, from a trigger the API gave. */
function body(tr, active) {
  return { name: tr.name, survey_id: tr.survey_id, on: tr.on, delay: tr.delay, channel: tr.channel, active };
}

/** An API error as text: the fields the server named, else its message. */
function errorText(ctx, err) {
  const items = err instanceof ApiError && err.problem && Array.isArray(err.problem.errors) ? err.problem.errors : [];
  if (!items.length) return ctx.showError(err);
  return h('div', { class: 'error', role: 'alert' },
    items.map((e) => h('p', null, t('MSG_WEB_TRIG_FIELD_ERROR', { field: e.field || '', message: e.message || '' }))));
}

function scheduledTable(ctx, tr, box) {
  const status = h('div', { role: 'status' }, h('p', { class: 'loading' }, t('MSG_WEB_LOADING')));
  replace(box, h('h3', null, t('MSG_WEB_TRIG_SCHEDULED_OF', { name: tr.name })), status);
  api('GET', `/api/v1/triggers/${encodeURIComponent(tr.id)}/scheduled?limit=100`).then((answer) => {
    const items = listItems(answer);
    if (!items.length) {
      replace(status, h('p', { class: 'empty' }, t('MSG_WEB_TRIG_SCHEDULED_EMPTY')));
      return;
    }
    replace(status, h('div', { class: 'table-wrap' }, h('table', { class: 'scheduled-list' },
      h('thead', null, h('tr', null,
        h('th', { scope: 'col' }, t('MSG_WEB_TRIG_DUE')),
        h('th', { scope: 'col' }, t('MSG_WEB_TRIG_CUSTOMER')),
        h('th', { scope: 'col' }, t('MSG_WEB_TRIG_STATUS')),
        h('th', { scope: 'col' }, t('MSG_WEB_TRIG_REASON')))),
      h('tbody', null, items.map((x) => h('tr', { 'data-scheduled': x.id },
        h('td', null, formatDateTime(x.due_at)),
        h('td', null, h('a', { href: `#/customers/${encodeURIComponent(x.customer_id)}` }, x.customer_id)),
        h('td', { class: `scheduled-status status-${STATUSES.includes(x.status) ? x.status : 'other'}` },
          word('MSG_WEB_TRIG_STATUS_', STATUSES, x.status)),
        h('td', { class: 'scheduled-reason' }, x.reason ? word('MSG_WEB_TRIG_REASON_', REASONS, x.reason) : '')))))));
  }).catch((err) => replace(status, ctx.showError(err)));
}

function row(ctx, tr, surveys, reload, scheduledBox, message) {
  const survey = surveys.find((s) => s.id === tr.survey_id);
  const when = [tr.on.type, tr.on.channel ? channelName(tr.on.channel) : null,
    tr.on.properties ? Object.entries(tr.on.properties).map(([k, v]) => `${k}=${v}`).join(', ') : null]
    .filter(Boolean).join(' · ');
  const toggle = h('button', { type: 'button', class: 'trigger-toggle' },
    t(tr.active ? 'MSG_WEB_TRIG_DEACTIVATE' : 'MSG_WEB_TRIG_ACTIVATE'));
  toggle.addEventListener('click', async () => {
    toggle.disabled = true;
    try {
      await api('PUT', `/api/v1/triggers/${encodeURIComponent(tr.id)}`, body(tr, !tr.active));
      reload();
    } catch (err) {
      toggle.disabled = false;
      replace(message, errorText(ctx, err));
    }
  });
  const del = h('button', { type: 'button', class: 'danger trigger-delete' }, t('MSG_WEB_TRIG_DELETE'));
  del.addEventListener('click', async () => {
    if (!window.confirm(t('MSG_WEB_TRIG_DELETE_CONFIRM', { name: tr.name }))) return;
    del.disabled = true;
    try {
      await api('DELETE', `/api/v1/triggers/${encodeURIComponent(tr.id)}`);
      replace(scheduledBox);
      reload();
    } catch (err) {
      del.disabled = false;
      replace(message, errorText(ctx, err));
    }
  });
  const show = h('button', { type: 'button', class: 'trigger-scheduled' }, t('MSG_WEB_TRIG_SHOW_SCHEDULED'));
  show.addEventListener('click', () => scheduledTable(ctx, tr, scheduledBox));
  return h('tr', { 'data-trigger': tr.id },
    h('td', { class: 'trigger-name' }, tr.name),
    h('td', null, survey ? survey.name : tr.survey_id),
    h('td', null, when),
    h('td', null, tr.delay),
    h('td', null, t(tr.channel === 'email' ? 'MSG_WEB_TRIG_CHANNEL_EMAIL' : 'MSG_WEB_TRIG_CHANNEL_WEB')),
    h('td', null, h('span', { class: `status status-${tr.active ? 'live' : 'closed'} trigger-state` },
      t(tr.active ? 'MSG_WEB_TRIG_ACTIVE' : 'MSG_WEB_TRIG_INACTIVE'))),
    h('td', { class: 'trigger-actions' }, show, ' ', toggle, ' ', del));
}

function createForm(ctx, surveys, message, created) {
  const field = (id, label, input) => h('div', { class: 'field' }, h('label', { for: id }, t(label)), input);
  const name = h('input', { id: 'trigger-name', name: 'name', required: true, maxlength: '120' });
  const survey = h('select', { id: 'trigger-survey', name: 'survey' },
    surveys.map((s) => h('option', { value: s.id },
      ['draft', 'live', 'closed'].includes(s.status) ? `${s.name} · ${t(`MSG_WEB_SURVEY_STATUS_${s.status.toUpperCase()}`)}` : s.name)));
  const type = h('input', { id: 'trigger-type', name: 'type', required: true, placeholder: 'delivery', maxlength: '64' });
  const evChannel = h('select', { id: 'trigger-event-channel', name: 'event_channel' },
    h('option', { value: '' }, t('MSG_WEB_TRIG_ANY_CHANNEL')),
    EVENT_CHANNELS.map((c) => h('option', { value: c }, channelName(c))));
  const amount = h('input', { id: 'trigger-delay', name: 'delay', type: 'number', min: '0', step: '1', value: '2', required: true });
  const unit = h('select', { id: 'trigger-unit', name: 'unit', 'aria-label': t('MSG_WEB_TRIG_UNIT') },
    UNITS.map(([u, label]) => h('option', { value: u, selected: u === 'd' }, t(label))));
  const channel = h('select', { id: 'trigger-channel', name: 'channel' },
    h('option', { value: 'email' }, t('MSG_WEB_TRIG_CHANNEL_EMAIL')),
    h('option', { value: 'web' }, t('MSG_WEB_TRIG_CHANNEL_WEB')));
  const submit = h('button', { type: 'submit', class: 'primary' }, t('MSG_WEB_TRIG_CREATE'));
  const form = h('form', { class: 'trigger-form', novalidate: true },
    h('h2', null, t('MSG_WEB_TRIG_NEW')),
    field('trigger-name', 'MSG_WEB_TRIG_NAME', name),
    field('trigger-survey', 'MSG_WEB_TRIG_SURVEY', survey),
    field('trigger-type', 'MSG_WEB_TRIG_EVENT_TYPE', type),
    field('trigger-event-channel', 'MSG_WEB_TRIG_EVENT_CHANNEL', evChannel),
    h('div', { class: 'field' }, h('label', { for: 'trigger-delay' }, t('MSG_WEB_TRIG_DELAY')),
      h('div', { class: 'check' }, amount, unit)),
    field('trigger-channel', 'MSG_WEB_TRIG_CHANNEL', channel),
    submit);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const on = { type: type.value.trim() };
    if (evChannel.value) on.channel = evChannel.value;
    const json = { name: name.value.trim(), survey_id: survey.value, on, delay: `${amount.value.trim()}${unit.value}`, channel: channel.value };
    submit.disabled = true;
    try {
      await api('POST', '/api/v1/triggers', json);
      name.value = '';
      type.value = '';
      replace(message, h('p', { class: 'notice', role: 'status' }, t('MSG_WEB_TRIG_CREATED')));
      created();
    } catch (err) {
      replace(message, errorText(ctx, err));
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

export async function renderTriggers(ctx) {
  const status = h('div', { class: 'list-status', role: 'status' }, h('p', { class: 'loading' }, t('MSG_WEB_LOADING')));
  const message = h('div', { class: 'trigger-message' });
  const body = h('tbody');
  const scheduledBox = h('section', { class: 'trigger-scheduled-box' });
  const table = h('div', { class: 'table-wrap' }, h('table', { class: 'trigger-list' },
    h('thead', null, h('tr', null,
      h('th', { scope: 'col' }, t('MSG_WEB_TRIG_NAME')),
      h('th', { scope: 'col' }, t('MSG_WEB_TRIG_SURVEY')),
      h('th', { scope: 'col' }, t('MSG_WEB_TRIG_ON')),
      h('th', { scope: 'col' }, t('MSG_WEB_TRIG_DELAY')),
      h('th', { scope: 'col' }, t('MSG_WEB_TRIG_CHANNEL')),
      h('th', { scope: 'col' }, t('MSG_WEB_TRIG_STATE')),
      h('th', { scope: 'col' }, t('MSG_WEB_TRIG_ACTIONS')))),
    body));
  table.hidden = true;
  const formBox = h('div');
  replace(ctx.main,
    h('div', { class: 'page-head' }, h('h1', null, t('MSG_WEB_NAV_TRIGGERS'))),
    h('p', { class: 'intro' }, t('MSG_WEB_TRIG_INTRO')),
    message, status, table, scheduledBox, formBox);

  let surveys = [];
  const load = async () => {
    let answer;
    try {
      answer = await api('GET', '/api/v1/triggers');
    } catch (err) {
      if (ctx.isCurrent()) replace(status, ctx.showError(err));
      return;
    }
    if (!ctx.isCurrent()) return;
    const items = listItems(answer);
    replace(body, items.map((tr) => row(ctx, tr, surveys, load, scheduledBox, message)));
    table.hidden = !items.length;
    replace(status, items.length ? null : h('p', { class: 'empty' }, t('MSG_WEB_TRIG_EMPTY')));
  };
  try {
    surveys = listItems(await api('GET', '/api/v1/surveys'));
  } catch (err) {
    if (ctx.isCurrent()) replace(status, ctx.showError(err));
    return;
  }
  if (!ctx.isCurrent()) return;
  replace(formBox, createForm(ctx, surveys, message, load));
  await load();
}
