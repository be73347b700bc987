// survey-open-link.js - the open link of an anonymous survey on its page
// (POST /api/v1/surveys/ID/open-link): one link for anyone, e.g. as a QR
// code on a receipt or a poster; its respondents get receipt codes.

import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { t } from '../i18n.js';

/** The card; showError(err) gives an error box (survey.js's errorBox). */
export function openLinkCard(sv, showError) {
  const out = h('div', { class: 'open-link-out', role: 'status' });
  const button = h('button', { type: 'button', class: 'primary survey-open-link' }, t('MSG_WEB_SURVEY_OPEN_LINK_GET'));
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const link = await api('POST', `/api/v1/surveys/${encodeURIComponent(sv.id)}/open-link`, {});
      const url = new URL(link.path, location.origin).href;
      replace(out, h('p', null, h('a', { class: 'survey-open-link-url', href: link.path, target: '_blank', rel: 'noopener noreferrer' }, url)));
    } catch (err) {
      replace(out, showError(err));
    } finally {
      button.disabled = false;
    }
  });
  return h('section', { class: 'card survey-open' }, h('h2', null, t('MSG_WEB_SURVEY_OPEN_LINK')),
    h('p', { class: 'empty' }, t(sv.status === 'live' ? 'MSG_WEB_SURVEY_OPEN_LINK_HINT' : 'MSG_WEB_SURVEY_LINK_NOT_LIVE')),
    button, out);
}
