// survey-editor.js - the survey definition as a form: name, languages
// (es / en), and questions (type, id, text per language, required, options
// of choice questions, "ask only if" an earlier NPS answer is of a
// category), reordered and deleted with buttons; "anonymous" (no customer,
// an open link and receipt codes: docs/surveys.md). The definition format is
// include/cxm/surveys.h's; the server checks it again on save.

import { h, replace } from '../dom.js';
import { t } from '../i18n.js';

export const SURVEY_LANGUAGES = ['es', 'en'];
export const TYPES = ['nps', 'csat', 'ces', 'rating', 'single_choice', 'multiple_choice', 'text'];
const TYPE_TEXT = {
  nps: 'MSG_WEB_SURVEY_TYPE_NPS', csat: 'MSG_WEB_SURVEY_TYPE_CSAT', ces: 'MSG_WEB_SURVEY_TYPE_CES',
  rating: 'MSG_WEB_SURVEY_TYPE_RATING', single_choice: 'MSG_WEB_SURVEY_TYPE_SINGLE',
  multiple_choice: 'MSG_WEB_SURVEY_TYPE_MULTIPLE', text: 'MSG_WEB_SURVEY_TYPE_TEXT',
};
export const CATEGORIES = ['detractor', 'passive', 'promoter'];
export const CATEGORY_TEXT = {
  detractor: 'MSG_WEB_NPS_DETRACTOR', passive: 'MSG_WEB_NPS_PASSIVE', promoter: 'MSG_WEB_NPS_PROMOTER',
};
const ID_BASE = {
  nps: 'nps', csat: 'csat', ces: 'ces', rating: 'rating', single_choice: 'choice',
  multiple_choice: 'choices', text: 'comment',
};
const SCORE_TYPES = ['nps', 'csat', 'ces', 'rating'];

export function isChoice(type) {
  return type === 'single_choice' || type === 'multiple_choice';
}

let keys = 0;
const nextKey = () => `k${++keys}`;

function copyTexts(o) {
  return o && typeof o === 'object' && !Array.isArray(o) ? { ...o } : {};
}

/** An editable copy of a definition (or a new, empty one). */
export function toModel(def) {
  const d = def && typeof def === 'object' ? def : {};
  const langs = Array.isArray(d.languages) ? d.languages.filter((l) => SURVEY_LANGUAGES.includes(l)) : [];
  return {
    name: typeof d.name === 'string' ? d.name : '',
    anonymous: d.anonymous === true,
    languages: langs.length || def ? langs : [...SURVEY_LANGUAGES],
    questions: (Array.isArray(d.questions) ? d.questions : []).map((q) => ({
      ...q,
      _key: nextKey(),
      text: copyTexts(q.text),
      options: Array.isArray(q.options) ? q.options.map((o) => ({ id: o.id, text: copyTexts(o.text), _key: nextKey() })) : undefined,
    })),
  };
}

function only(texts, langs) {
  const out = {};
  for (const l of langs) out[l] = typeof texts?.[l] === 'string' ? texts[l] : '';
  return out;
}

/** The definition to send: texts only in the survey's languages, no editor fields. */
export function toDefinition(m) {
  const langs = SURVEY_LANGUAGES.filter((l) => m.languages.includes(l));
  return {
    name: m.name.trim(),
    ...(m.anonymous ? { anonymous: true } : {}),
    languages: langs,
    questions: m.questions.map((q) => {
      const out = { id: q.id, type: q.type };
      if (q.required) out.required = true;
      out.text = only(q.text, langs);
      if (q.type === 'rating') {
        if (Number.isInteger(q.min)) out.min = q.min;
        if (Number.isInteger(q.max)) out.max = q.max;
      }
      if (q.type === 'text' && Number.isInteger(q.max_length)) out.max_length = q.max_length;
      if (SCORE_TYPES.includes(q.type) && q.labels && typeof q.labels === 'object') {
        const labels = {};
        for (const end of ['low', 'high']) if (q.labels[end]) labels[end] = only(q.labels[end], langs);
        if (Object.keys(labels).length) out.labels = labels;
      }
      if (isChoice(q.type)) out.options = (q.options || []).map((o) => ({ id: o.id, text: only(o.text, langs) }));
      if (q.show_if && q.show_if.question && q.show_if.category) {
        out.show_if = { question: q.show_if.question, category: q.show_if.category };
      }
      return out;
    }),
  };
}

function freshId(m, base, skip) {
  const used = new Set(m.questions.filter((q) => q !== skip).map((q) => q.id));
  if (!used.has(base)) return base;
  for (let i = 2; ; i++) if (!used.has(`${base}_${i}`)) return `${base}_${i}`;
}

function freshOptionId(q) {
  const used = new Set((q.options || []).map((o) => o.id));
  for (let i = 1; ; i++) if (!used.has(`option_${i}`)) return `option_${i}`;
}

/**
 * The editor for model M; CHANGED() is called after every edit (the caller
 * marks the survey unsaved and redraws the preview).
 */
export function surveyEditor(m, changed) {
  const root = h('div', { class: 'survey-editor' });
  let refreshers = [];

  function edit(structural) {
    if (structural) draw();
    changed();
  }

  function textInputs(texts, idBase, labelFor) {
    return SURVEY_LANGUAGES.filter((l) => m.languages.includes(l)).map((l) => {
      const id = `${idBase}-${l}`;
      const input = h('input', { id, type: 'text', class: 'q-text', 'data-lang': l, value: texts[l] || '', maxlength: '1000' });
      input.addEventListener('input', () => {
        texts[l] = input.value;
        edit(false);
      });
      return h('div', { class: 'field' }, h('label', { for: id }, labelFor(l)), input);
    });
  }

  function showIfSelect(q, i) {
    const id = `${q._key}-show-if`;
    const earlier = m.questions.slice(0, i).filter((x) => x.type === 'nps');
    const select = h('select', { id, class: 'q-show-if' });
    const fill = () => replace(select,
      h('option', { value: '' }, t('MSG_WEB_SURVEY_Q_ALWAYS')),
      earlier.flatMap((x) => CATEGORIES.map((c) => h('option', {
        value: `${x.id}|${c}`,
        selected: q.show_if && q.show_if.question === x.id && q.show_if.category === c,
      }, t('MSG_WEB_SURVEY_Q_IF', { question: x.id, category: t(CATEGORY_TEXT[c]) })))));
    fill();
    refreshers.push(fill);
    select.addEventListener('change', () => {
      const [question, category] = select.value.split('|');
      q.show_if = select.value ? { question, category } : undefined;
      edit(false);
    });
    return h('div', { class: 'field' }, h('label', { for: id }, t('MSG_WEB_SURVEY_Q_SHOW_IF')), select);
  }

  function optionsEditor(q) {
    const list = h('ol', { class: 'q-options' }, (q.options || []).map((o, j) => {
      const idInput = h('input', { id: `${o._key}-id`, type: 'text', class: 'o-id', value: o.id || '', maxlength: '40', spellcheck: 'false' });
      idInput.addEventListener('input', () => {
        o.id = idInput.value.trim();
        edit(false);
      });
      const del = h('button', { type: 'button', class: 'o-delete' }, t('MSG_WEB_SURVEY_Q_DELETE'));
      del.addEventListener('click', () => {
        q.options.splice(j, 1);
        edit(true);
      });
      return h('li', { class: 'q-option' },
        h('div', { class: 'field' }, h('label', { for: `${o._key}-id` }, t('MSG_WEB_SURVEY_Q_OPTION_ID')), idInput),
        textInputs(o.text, `${o._key}-text`, (l) => t('MSG_WEB_SURVEY_Q_TEXT', { lang: l })),
        del);
    }));
    const add = h('button', { type: 'button', class: 'o-add' }, t('MSG_WEB_SURVEY_Q_ADD_OPTION'));
    add.addEventListener('click', () => {
      q.options = q.options || [];
      q.options.push({ id: freshOptionId(q), text: {}, _key: nextKey() });
      edit(true);
    });
    return h('fieldset', { class: 'q-options-box' }, h('legend', null, t('MSG_WEB_SURVEY_Q_OPTIONS')), list, add);
  }

  function questionBox(q, i) {
    const typeId = `${q._key}-type`;
    const type = h('select', { id: typeId, class: 'q-type' },
      TYPES.map((x) => h('option', { value: x, selected: q.type === x }, t(TYPE_TEXT[x]))));
    type.addEventListener('change', () => {
      const was = q.type;
      q.type = type.value;
      if (was === 'nps' && q.type !== 'nps') {
        for (const x of m.questions) if (x.show_if && x.show_if.question === q.id) x.show_if = undefined;
      }
      // an id the editor made follows the type; one the user wrote stays
      if (new RegExp(`^${ID_BASE[was]}(_\\d+)?$`).test(q.id || '')) q.id = freshId(m, ID_BASE[q.type], q);
      if (isChoice(q.type) && !(q.options && q.options.length)) {
        q.options = [{ id: 'option_1', text: {}, _key: nextKey() }, { id: 'option_2', text: {}, _key: nextKey() }];
      }
      edit(true);
    });
    const idId = `${q._key}-id`;
    const idInput = h('input', { id: idId, type: 'text', class: 'q-id', value: q.id || '', maxlength: '40', spellcheck: 'false', autocomplete: 'off' });
    let before = q.id;
    idInput.addEventListener('input', () => {
      q.id = idInput.value.trim();
      edit(false);
    });
    idInput.addEventListener('change', () => {
      // follow-ups keep following the question under its new id; only the
      // "ask only" lists are redrawn (a full redraw here would swallow the
      // click that moved the focus away)
      for (const x of m.questions) if (x.show_if && x.show_if.question === before) x.show_if.question = q.id;
      before = q.id;
      for (const fill of refreshers) fill();
      edit(false);
    });
    const req = h('input', { id: `${q._key}-required`, type: 'checkbox', class: 'q-required', checked: !!q.required });
    req.addEventListener('change', () => {
      q.required = req.checked;
      edit(false);
    });
    const move = (delta) => {
      const j = i + delta;
      if (j < 0 || j >= m.questions.length) return;
      [m.questions[i], m.questions[j]] = [m.questions[j], m.questions[i]];
      // a follow-up can only follow an NPS question asked before it
      m.questions.forEach((x, k) => {
        if (x.show_if && !m.questions.slice(0, k).some((y) => y.type === 'nps' && y.id === x.show_if.question)) x.show_if = undefined;
      });
      edit(true);
    };
    const up = h('button', { type: 'button', class: 'q-up', disabled: i === 0 }, t('MSG_WEB_SURVEY_Q_UP'));
    up.addEventListener('click', () => move(-1));
    const down = h('button', { type: 'button', class: 'q-down', disabled: i === m.questions.length - 1 }, t('MSG_WEB_SURVEY_Q_DOWN'));
    down.addEventListener('click', () => move(1));
    const del = h('button', { type: 'button', class: 'q-delete danger' }, t('MSG_WEB_SURVEY_Q_DELETE'));
    del.addEventListener('click', () => {
      m.questions.splice(i, 1);
      for (const x of m.questions) if (x.show_if && x.show_if.question === q.id) x.show_if = undefined;
      edit(true);
    });
    return h('li', { class: 'question-edit', 'data-question': q.id },
      h('div', { class: 'q-head' }, h('h3', null, t('MSG_WEB_SURVEY_Q_NUMBER', { n: i + 1 })),
        h('div', { class: 'q-buttons' }, up, down, del)),
      h('div', { class: 'q-grid' },
        h('div', { class: 'field' }, h('label', { for: typeId }, t('MSG_WEB_SURVEY_Q_TYPE')), type),
        h('div', { class: 'field' }, h('label', { for: idId }, t('MSG_WEB_SURVEY_Q_ID')), idInput),
        showIfSelect(q, i),
        h('div', { class: 'field check' }, req, h('label', { for: `${q._key}-required` }, t('MSG_WEB_SURVEY_Q_REQUIRED')))),
      textInputs(q.text, `${q._key}-text`, (l) => t('MSG_WEB_SURVEY_Q_TEXT', { lang: l })),
      isChoice(q.type) ? optionsEditor(q) : null);
  }

  function draw() {
    refreshers = [];
    const name = h('input', { id: 'survey-name', type: 'text', value: m.name, maxlength: '120', autocomplete: 'off' });
    name.addEventListener('input', () => {
      m.name = name.value;
      edit(false);
    });
    const langs = h('fieldset', { class: 'survey-langs' }, h('legend', null, t('MSG_WEB_SURVEY_LANGUAGES')),
      SURVEY_LANGUAGES.map((l) => {
        const box = h('input', { id: `survey-lang-${l}`, type: 'checkbox', value: l, checked: m.languages.includes(l) });
        box.addEventListener('change', () => {
          m.languages = SURVEY_LANGUAGES.filter((x) => (x === l ? box.checked : m.languages.includes(x)));
          edit(true);
        });
        return h('span', { class: 'check' }, box,
          h('label', { for: `survey-lang-${l}` }, t(l === 'es' ? 'MSG_WEB_LANG_ES' : 'MSG_WEB_LANG_EN')));
      }));
    const anon = h('input', { id: 'survey-anonymous', type: 'checkbox', checked: !!m.anonymous });
    anon.addEventListener('change', () => {
      m.anonymous = anon.checked;
      edit(false);
    });
    const anonymous = h('div', { class: 'survey-anonymous' },
      h('div', { class: 'field check' }, anon, h('label', { for: 'survey-anonymous' }, t('MSG_WEB_SURVEY_ANONYMOUS'))),
      h('p', { class: 'survey-anonymous-hint' }, t('MSG_WEB_SURVEY_ANONYMOUS_HINT')));
    const add = h('button', { type: 'button', class: 'q-add' }, t('MSG_WEB_SURVEY_ADD_QUESTION'));
    add.addEventListener('click', () => {
      const type = m.questions.some((q) => q.type === 'nps') ? 'text' : 'nps';
      m.questions.push({ _key: nextKey(), id: freshId(m, ID_BASE[type]), type, required: type === 'nps', text: {} });
      edit(true);
      const boxes = root.querySelectorAll('.question-edit');
      const last = boxes[boxes.length - 1];
      if (last) last.querySelector('.q-text, .q-type').focus();
    });
    replace(root,
      h('div', { class: 'field' }, h('label', { for: 'survey-name' }, t('MSG_WEB_SURVEY_NAME')), name),
      langs,
      anonymous,
      h('h2', null, t('MSG_WEB_SURVEY_EDITOR')),
      h('ol', { class: 'questions' }, m.questions.map(questionBox)),
      add);
  }

  draw();
  return root;
}
