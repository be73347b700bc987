// survey-preview.js - the survey as its public page (/s/TOKEN, rendered by
// src/http/api_links.c) will show it, drawn here from the definition being
// edited: the same questions, the NPS scale in traffic-light colours,
// follow-ups once a score is picked. Marked as a preview; nothing is sent.

import { h, replace } from '../dom.js';
import { t } from '../i18n.js';
import { CATEGORIES, CATEGORY_TEXT, isChoice } from './survey-editor.js';

const RANGES = { nps: [0, 10], csat: [1, 5], ces: [1, 7], rating: [1, 5] };

export function npsCategory(score) {
  if (typeof score !== 'number' || score < 0) return null;
  return score <= 6 ? 'detractor' : score <= 8 ? 'passive' : 'promoter';
}

/** The traffic-light colour of an NPS score: red 0-6, amber 7-8, green 9-10. */
export function npsColour(score) {
  const c = npsCategory(score);
  return c === 'detractor' ? 'red' : c === 'passive' ? 'amber' : c === 'promoter' ? 'green' : 'plain';
}

function textIn(texts, lang) {
  return texts && typeof texts[lang] === 'string' ? texts[lang] : '';
}

/**
 * A preview of DEF in LANG; SCORES maps an NPS question id to the score
 * picked in the preview, PICK(id, score) is called when one is picked.
 */
function questionsOf(def, lang, scores, pick, followUps) {
  return def.questions.filter((q) => {
    if (!q.show_if) return !followUps;
    if (!followUps) return false;
    return npsCategory(scores[q.show_if.question]) === q.show_if.category;
  }).map((q) => {
    const name = `pv-${q.id}`;
    let body;
    if (RANGES[q.type]) {
      const [min, max] = q.type === 'rating' ? [q.min ?? 1, q.max ?? 5] : RANGES[q.type];
      const scale = h('div', { class: 'sp-scale' });
      for (let v = min; v <= max; v++) {
        const input = h('input', { type: 'radio', name, value: String(v), checked: scores[q.id] === v });
        if (q.type === 'nps') input.addEventListener('change', () => pick(q.id, v));
        scale.append(h('label', { class: q.type === 'nps' ? npsColour(v) : 'plain' }, input, h('span', null, String(v))));
      }
      const low = q.labels && textIn(q.labels.low, lang);
      const high = q.labels && textIn(q.labels.high, lang);
      body = [scale, low || high ? h('div', { class: 'sp-ends' }, h('span', null, low || ''), h('span', null, high || '')) : null];
    } else if (isChoice(q.type)) {
      body = h('div', { class: 'sp-choice' }, (q.options || []).map((o) => h('label', null,
        h('input', { type: q.type === 'single_choice' ? 'radio' : 'checkbox', name, value: o.id }), ' ', textIn(o.text, lang))));
    } else {
      body = h('textarea', { name, maxlength: String(q.max_length || 2000) });
    }
    return h('fieldset', { class: 'sp-question', 'data-question': q.id },
      h('legend', null, textIn(q.text, lang),
        q.required ? null : [' ', h('span', { class: 'sp-note' }, t('MSG_WEB_SURVEY_PREVIEW_OPTIONAL'))]),
      body);
  });
}

/** The preview panel: call update(def) whenever the definition changes. */
export function surveyPreview() {
  let def = { name: '', languages: [], questions: [] };
  let lang = null;
  const scores = {};
  const langSelect = h('select', { id: 'preview-lang', class: 'preview-lang' });
  const page = h('div', { class: 'sp', 'data-testid': 'preview-page' });
  const root = h('section', { class: 'card survey-preview', 'aria-label': t('MSG_WEB_SURVEY_PREVIEW') },
    h('h2', null, t('MSG_WEB_SURVEY_PREVIEW')),
    h('p', { class: 'preview-note notice' }, t('MSG_WEB_SURVEY_PREVIEW_NOTE')),
    h('div', { class: 'field' }, h('label', { for: 'preview-lang' }, t('MSG_WEB_SURVEY_PREVIEW_LANG')), langSelect),
    page);
  langSelect.addEventListener('change', () => {
    lang = langSelect.value;
    draw();
  });

  function pick(id, v) {
    scores[id] = v;
    draw();
  }

  function draw() {
    const langs = def.languages.length ? def.languages : ['es'];
    if (!langs.includes(lang)) lang = langs[0];
    replace(langSelect, langs.map((l) => h('option', { value: l, selected: l === lang },
      t(l === 'es' ? 'MSG_WEB_LANG_ES' : 'MSG_WEB_LANG_EN'))));
    if (!def.questions.length) {
      replace(page, h('p', { class: 'empty' }, t('MSG_WEB_SURVEY_PREVIEW_EMPTY')));
      return;
    }
    const first = questionsOf(def, lang, scores, pick, false);
    const more = questionsOf(def, lang, scores, pick, true);
    const picked = Object.entries(scores).filter(([id]) => def.questions.some((q) => q.id === id && q.type === 'nps'));
    const form = h('form', { class: 'sp-form', 'aria-label': t('MSG_WEB_SURVEY_PREVIEW') }, first,
      more.length ? [h('p', { class: 'sp-follow' }, picked.map(([, v]) => t(CATEGORY_TEXT[npsCategory(v)])).join(', ')), more] : null,
      h('button', { type: 'submit', class: 'sp-send' }, t('MSG_WEB_SURVEY_PREVIEW_SEND')));
    form.addEventListener('submit', (e) => e.preventDefault());
    replace(page, h('h1', null, t('MSG_WEB_SURVEY_PREVIEW_HELLO')), form);
  }

  return {
    root,
    update(d) {
      def = d;
      draw();
    },
  };
}

export { CATEGORIES };
