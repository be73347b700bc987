// surveys.js - the survey list (GET /api/v1/surveys): name, status,
// version and how many responses each has (in the list itself, for the roles
// that see survey statistics; '-' for the others), and the way to a new
// survey (#/surveys/new).

import { api, listItems } from '../api.js';
import { h, replace } from '../dom.js';
import { t } from '../i18n.js';

/** A survey status as the catalogue says it, with a class for its colour. */
export function statusBadge(status) {
  const known = ['draft', 'live', 'closed'].includes(status);
  return h('span', { class: `status status-${known ? status : 'other'}` },
    known ? t(`MSG_WEB_SURVEY_STATUS_${status.toUpperCase()}`) : String(status ?? ''));
}

function row(sv) {
  const count = h('td', { class: 'num survey-responses' }, typeof sv.responses === 'number' ? String(sv.responses) : '-');
  return h('tr', { 'data-survey': sv.id },
    h('td', null, h('a', { class: 'survey-name', href: `#/surveys/${encodeURIComponent(sv.id)}` }, sv.name),
      sv.is_default ? h('span', { class: 'tag' }, t('MSG_WEB_SURVEY_DEFAULT')) : null),
    h('td', null, statusBadge(sv.status)),
    h('td', { class: 'num' }, String(sv.version)),
    count);
}

export async function renderSurveys(ctx) {
  const status = h('div', { class: 'list-status', role: 'status' }, h('p', { class: 'loading' }, t('MSG_WEB_LOADING')));
  const body = h('tbody');
  const table = h('div', { class: 'table-wrap' }, h('table', { class: 'survey-list' },
    h('thead', null, h('tr', null,
      h('th', { scope: 'col' }, t('MSG_WEB_SURVEY_NAME')),
      h('th', { scope: 'col' }, t('MSG_WEB_SURVEY_STATUS')),
      h('th', { scope: 'col', class: 'num' }, t('MSG_WEB_SURVEY_VERSION')),
      h('th', { scope: 'col', class: 'num' }, t('MSG_WEB_SURVEY_RESPONSES')))),
    body));
  table.hidden = true;
  replace(ctx.main,
    h('div', { class: 'page-head' }, h('h1', null, t('MSG_WEB_NAV_SURVEYS')),
      h('a', { class: 'button primary survey-new', href: '#/surveys/new' }, t('MSG_WEB_SURVEYS_NEW'))),
    status, table);
  let answer;
  try {
    answer = await api('GET', '/api/v1/surveys');
  } catch (err) {
    if (ctx.isCurrent()) replace(status, ctx.showError(err));
    return;
  }
  if (!ctx.isCurrent()) return;
  const items = listItems(answer);
  body.append(...items.map(row));
  table.hidden = !items.length;
  replace(status, items.length ? null : h('p', { class: 'empty' }, t('MSG_WEB_SURVEYS_EMPTY')));
}
