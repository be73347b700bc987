// settings.js - the tenant's settings that have an API: the traffic-light
// colour bands of NPS, CSAT and CES (GET/PUT /api/v1/settings/metrics), contact
// fatigue (GET/PUT /api/v1/settings/surveys), the journey maps' friction weights
// and colours (GET/PUT /api/v1/settings/journeys) and, for owners and admins, the
// web snippet (GET/PUT /api/v1/settings/web). Every role reads the first three;
// only owners and admins change anything, so others get read-only inputs.
// The server checks every value: its refusals are shown by the field they name.

import { api, ApiError } from '../api.js';
import { h, replace } from '../dom.js';
import { lang, t } from '../i18n.js';

/** The metrics with bands, their label and the range the server allows (src/metrics/bands.c). */
const METRICS = [
  { key: 'nps', label: 'MSG_WEB_SET_NPS', lo: -100, hi: 100, step: '1' },
  { key: 'csat', label: 'MSG_WEB_SET_CSAT', lo: 0, hi: 100, step: '1' },
  { key: 'ces', label: 'MSG_WEB_SET_CES', lo: 1, hi: 7, step: '0.1' },
];
const ADMINS = ['owner', 'admin'];

function num(v) {
  return new Intl.NumberFormat(lang(), { maximumFractionDigits: 2 }).format(v);
}

/** The number typed in INPUT; what is not a number goes as null, so the server names the field. */
function valueOf(input) {
  const s = input.value.trim();
  const v = Number(s);
  return s === '' || !Number.isFinite(v) ? null : v;
}

/* ---- field errors ------------------------------------------------------------------- */

/**
 * A place for the server's reasons about FIELD (problem+json errors[].field):
 * a hidden paragraph, found again by showErrors() through data-error-for.
 */
function errorSlot(field) {
  return h('p', { class: 'field-error', id: `err-${field.replace(/[^a-z0-9]/gi, '-')}`, 'data-error-for': field, hidden: true });
}

/** Connects INPUT to the error slot of FIELD, so a screen reader reads the reason with it. */
function describedBy(input, field) {
  input.dataset.field = field;
  input.setAttribute('aria-describedby', `err-${field.replace(/[^a-z0-9]/gi, '-')}`);
  return input;
}

/** The field that holds FIELD: "bands.nps" of "bands.nps.amber", "exclude" of "exclude[2]"; "" at the top. */
function enclosing(field) {
  const up = field.replace(/(\.[^.[\]]*|\[\d+\])$/, '');
  return up === field ? '' : up;
}

function clearErrors(box) {
  for (const p of box.querySelectorAll('.field-error')) {
    p.hidden = true;
    replace(p);
  }
  for (const i of box.querySelectorAll('[aria-invalid]')) i.removeAttribute('aria-invalid');
}

/**
 * Shows ERR in BOX: each reason next to the field it names (or the nearest
 * enclosing one: "bands.nps" for "bands.nps.amber", "exclude" for
 * "exclude[2]"); what has no place, and the summary, in RESULT.
 */
function showErrors(ctx, box, result, err) {
  clearErrors(box);
  const items = err instanceof ApiError && err.problem && Array.isArray(err.problem.errors) ? err.problem.errors : [];
  if (!items.length) {
    replace(result, ctx.showError(err));
    return;
  }
  const loose = [];
  for (const e of items) {
    let field = String(e.field || '');
    let slot = null;
    while (field && !(slot = box.querySelector(`[data-error-for="${CSS.escape(field)}"]`))) field = enclosing(field);
    if (!slot) {
      loose.push(h('p', null, e.field ? t('MSG_WEB_SET_FIELD_ERROR', { field: e.field, message: e.message || '' }) : e.message || ''));
      continue;
    }
    slot.append(h('span', null, e.message || ''), ' ');
    slot.hidden = false;
    for (const i of box.querySelectorAll(`[data-field="${CSS.escape(field)}"], [data-field^="${CSS.escape(field)}."]`)) {
      i.setAttribute('aria-invalid', 'true');
    }
  }
  replace(result, h('div', { class: 'error', role: 'alert' }, h('p', null, t('MSG_WEB_SET_NOT_SAVED')), loose));
}

function saved(result, id = 'MSG_WEB_SET_SAVED') {
  replace(result, h('p', { class: 'notice', role: 'status' }, t(id)));
}

/**
 * PUTs JSON to PATH for FORM, whose buttons wait meanwhile: the answer goes to
 * FILL and RESULT says it was saved (message DONE); errors go next to their fields.
 */
async function putSettings(ctx, form, result, path, json, fill, done) {
  const buttons = [...form.querySelectorAll('button')];
  for (const b of buttons) b.disabled = true;
  try {
    const answer = await api('PUT', path, json);
    if (!ctx.isCurrent()) return;
    clearErrors(form);
    fill(answer);
    saved(result, done);
  } catch (err) {
    if (ctx.isCurrent()) showErrors(ctx, form, result, err);
  } finally {
    for (const b of buttons) b.disabled = false;
  }
}


/**
 * Hides FORM until GET PATH answers, then gives the answer to FILL and shows
 * it; returns the status that says it is loading, or why it failed.
 */
function loadForm(ctx, path, form, fill) {
  const status = h('div', { role: 'status' }, h('p', { class: 'loading' }, t('MSG_WEB_LOADING')));
  form.hidden = true;
  api('GET', path).then((answer) => {
    if (!ctx.isCurrent()) return;
    fill(answer);
    status.remove();
    form.hidden = false;
  }).catch((err) => ctx.isCurrent() && replace(status, ctx.showError(err)));
  return status;
}

function section(id, title, ...children) {
  return h('section', { class: 'card settings-section', id, 'aria-labelledby': `${id}-title` },
    h('h2', { id: `${id}-title` }, t(title)), ...children);
}

/* ---- colour bands ------------------------------------------------------------------- */

/**
 * The ranges AMBER and GREEN give on [lo, hi], as cxm_colour_of() colours a
 * figure: red below amber, amber below green, green from there up (so an amber
 * threshold above the green one leaves no amber at all).
 */
function ranges(m, amber, green) {
  const a = Math.min(Math.max(amber, m.lo), m.hi);
  const g = Math.min(Math.max(Math.max(green, amber), m.lo), m.hi);
  return [
    { colour: 'red', name: 'MSG_WEB_SET_RED', width: a - m.lo, text: a > m.lo ? t('MSG_WEB_SET_RED_RANGE', { to: num(a) }) : null },
    { colour: 'amber', name: 'MSG_WEB_SET_AMBER', width: g - a, text: g > a ? t('MSG_WEB_SET_AMBER_RANGE', { from: num(a), to: num(g) }) : null },
    { colour: 'green', name: 'MSG_WEB_SET_GREEN', width: m.hi - g, text: t('MSG_WEB_SET_GREEN_RANGE', { from: num(g) }) },
  ];
}

function drawPreview(m, amber, green, strip, legend) {
  const a = valueOf(amber), g = valueOf(green);
  if (a === null || g === null) {
    replace(strip);
    replace(legend);
    return;
  }
  const parts = ranges(m, a, g);
  replace(strip, parts.map((p) => {
    const el = h('span', { class: `band-part ${p.colour}`, 'data-colour': p.colour });
    el.style.width = `${(100 * p.width) / (m.hi - m.lo)}%`;
    return el;
  }));
  replace(legend, parts.map((p) => h('li', { class: `band-range band-${p.colour}`, 'data-colour': p.colour },
    h('span', { class: `band-swatch ${p.colour}`, 'aria-hidden': 'true' }),
    p.text || t('MSG_WEB_SET_NO_RANGE', { colour: t(p.name) }))));
}

function bandsSection(ctx, canEdit) {
  const result = h('div', { class: 'settings-result' });
  const inputs = {};
  const body = h('div', { class: 'bands' });
  const fill = (bands) => {
    for (const m of METRICS) {
      const b = (bands && bands[m.key]) || {};
      inputs[m.key].amber.value = b.amber ?? '';
      inputs[m.key].green.value = b.green ?? '';
      inputs[m.key].redraw();
    }
  };
  for (const m of METRICS) {
    const input = (part) => describedBy(h('input', {
      id: `band-${m.key}-${part}`, name: `${m.key}_${part}`, type: 'number', min: String(m.lo), max: String(m.hi),
      step: m.step, inputmode: 'decimal', required: true, readonly: !canEdit,
    }), `bands.${m.key}.${part}`);
    const amber = input('amber'), green = input('green');
    const strip = h('div', { class: 'band-strip', 'aria-hidden': 'true' });
    const legend = h('ul', { class: 'band-legend', 'aria-label': t('MSG_WEB_SET_PREVIEW', { metric: m.key.toUpperCase() }) });
    const redraw = () => drawPreview(m, amber, green, strip, legend);
    amber.addEventListener('input', redraw);
    green.addEventListener('input', redraw);
    inputs[m.key] = { amber, green, redraw };
    body.append(h('fieldset', { class: 'band', 'data-metric': m.key },
      h('legend', null, t(m.label)),
      h('div', { class: 'band-inputs' },
        h('div', { class: 'field' }, h('label', { for: amber.id }, t('MSG_WEB_SET_AMBER_FROM')), amber, errorSlot(`bands.${m.key}.amber`)),
        h('div', { class: 'field' }, h('label', { for: green.id }, t('MSG_WEB_SET_GREEN_FROM')), green, errorSlot(`bands.${m.key}.green`))),
      errorSlot(`bands.${m.key}`),
      strip, legend));
  }
  const form = h('form', { class: 'settings-form bands-form', novalidate: true }, body, errorSlot('bands'));
  const save = (json, done) => putSettings(ctx, form, result, '/api/v1/settings/metrics', json, (answer) => fill(answer.bands), done);
  if (canEdit) {
    const restore = h('button', { type: 'button', class: 'bands-defaults' }, t('MSG_WEB_SET_DEFAULTS'));
    // the server fills in every band left out: an empty setting is its defaults
    restore.addEventListener('click', () => {
      if (window.confirm(t('MSG_WEB_SET_DEFAULTS_CONFIRM'))) save({}, 'MSG_WEB_SET_DEFAULTS_DONE');
    });
    form.append(h('div', { class: 'settings-actions' },
      h('button', { type: 'submit', class: 'primary bands-save' }, t('MSG_WEB_SET_SAVE')), restore));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const bands = {};
      for (const m of METRICS) bands[m.key] = { amber: valueOf(inputs[m.key].amber), green: valueOf(inputs[m.key].green) };
      save({ bands });
    });
  } else {
    form.addEventListener('submit', (e) => e.preventDefault());
  }
  const status = loadForm(ctx, '/api/v1/settings/metrics', form, (answer) => fill(answer.bands));
  return section('settings-bands', 'MSG_WEB_SET_BANDS', h('p', { class: 'muted' }, t('MSG_WEB_SET_BANDS_INTRO')),
    status, form, result);
}

/* ---- contact fatigue ------------------------------------------------------------------ */

function fatigueSection(ctx, canEdit) {
  const result = h('div', { class: 'settings-result' });
  const days = describedBy(h('input', { id: 'fatigue-days', name: 'fatigue_days', type: 'number', min: '0', max: '365', step: '1',
    inputmode: 'numeric', required: true, readonly: !canEdit }), 'fatigue_days');
  const list = h('ol', { class: 'exclude-list' });
  const none = h('p', { class: 'empty exclude-none' }, t('MSG_WEB_SET_EXCLUDE_NONE'));
  const renumber = () => {
    const rows = [...list.children];
    none.hidden = rows.length > 0;
    rows.forEach((li, i) => {
      const n = i + 1;
      const [attr, value] = li.querySelectorAll('input');
      attr.id = `exclude-attribute-${i}`;
      value.id = `exclude-value-${i}`;
      // the server judges a rule as a whole (field exclude[i])
      describedBy(attr, `exclude[${i}]`);
      describedBy(value, `exclude[${i}]`);
      const labels = li.querySelectorAll('label');
      labels[0].htmlFor = attr.id;
      labels[1].htmlFor = value.id;
      attr.setAttribute('aria-label', t('MSG_WEB_SET_ATTRIBUTE_N', { n }));
      value.setAttribute('aria-label', t('MSG_WEB_SET_VALUE_N', { n }));
      const slot = li.querySelector('.field-error');
      slot.dataset.errorFor = `exclude[${i}]`;
      slot.id = attr.getAttribute('aria-describedby');
      const remove = li.querySelector('button.exclude-remove');
      if (remove) remove.setAttribute('aria-label', t('MSG_WEB_SET_EXCLUDE_REMOVE', { n }));
    });
  };
  const addRow = (rule, focus) => {
    const attr = h('input', { type: 'text', class: 'exclude-attribute', maxlength: '64', readonly: !canEdit, value: rule.attribute ?? '' });
    const value = h('input', { type: 'text', class: 'exclude-value', maxlength: '200', readonly: !canEdit, value: rule.value ?? '' });
    const li = h('li', { class: 'exclude-row' },
      h('div', { class: 'field' }, h('label', null, t('MSG_WEB_SET_ATTRIBUTE')), attr),
      h('div', { class: 'field' }, h('label', null, t('MSG_WEB_SET_VALUE')), value));
    if (canEdit) {
      const remove = h('button', { type: 'button', class: 'danger exclude-remove' }, t('MSG_WEB_SET_REMOVE'));
      remove.addEventListener('click', () => {
        const next = li.nextElementSibling || li.previousElementSibling;
        li.remove();
        renumber();
        (next ? next.querySelector('input') : add).focus();
      });
      li.append(remove);
    }
    li.append(errorSlot('exclude[]'));
    list.append(li);
    renumber();
    if (focus) attr.focus();
  };
  const add = h('button', { type: 'button', class: 'exclude-add' }, t('MSG_WEB_SET_EXCLUDE_ADD'));
  add.addEventListener('click', () => addRow({}, true));
  const form = h('form', { class: 'settings-form fatigue-form', novalidate: true },
    h('div', { class: 'field fatigue-days' }, h('label', { for: days.id }, t('MSG_WEB_SET_FATIGUE_DAYS')), days, errorSlot('fatigue_days')),
    h('fieldset', { class: 'exclude' }, h('legend', null, t('MSG_WEB_SET_EXCLUDE')), none, list, errorSlot('exclude'),
      canEdit ? add : null));
  const fill = (s) => {
    days.value = s.fatigue_days ?? '';
    replace(list);
    for (const rule of Array.isArray(s.exclude) ? s.exclude : []) addRow(rule, false);
    renumber();
  };
  if (canEdit) {
    const submit = h('button', { type: 'submit', class: 'primary fatigue-save' }, t('MSG_WEB_SET_SAVE'));
    form.append(h('div', { class: 'settings-actions' }, submit));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const exclude = [...list.children].map((li) => {
        const [attr, value] = li.querySelectorAll('input');
        return { attribute: attr.value.trim(), value: value.value };
      });
      await putSettings(ctx, form, result, '/api/v1/settings/surveys', { fatigue_days: valueOf(days), exclude }, fill);
    });
  } else {
    form.addEventListener('submit', (e) => e.preventDefault());
  }
  const status = loadForm(ctx, '/api/v1/settings/surveys', form, fill);
  return section('settings-fatigue', 'MSG_WEB_SET_FATIGUE', h('p', { class: 'muted' }, t('MSG_WEB_SET_FATIGUE_INTRO')),
    status, form, result);
}

/* ---- journey friction ------------------------------------------------------------------------ */

/** The friction weights (docs/journeys.md "Friction"): each 0 to 1, adding up to 1. */
const WEIGHTS = [
  { key: 'dropoff', label: 'MSG_WEB_SET_W_DROPOFF' },
  { key: 'effort', label: 'MSG_WEB_SET_W_EFFORT' },
  { key: 'sentiment', label: 'MSG_WEB_SET_W_SENTIMENT' },
];

function frictionSection(ctx, canEdit) {
  const result = h('div', { class: 'settings-result' });
  const input = (id, field, max, step) => describedBy(h('input', { id, name: id.replace(/-/g, '_'), type: 'number', min: '0',
    max, step, inputmode: 'decimal', required: true, readonly: !canEdit }), field);
  const weights = {};
  for (const w of WEIGHTS) weights[w.key] = input(`friction-${w.key}`, `friction_weights.${w.key}`, '1', '0.05');
  const amber = input('friction-amber', 'friction_bands[0]', '100', '1');
  const red = input('friction-red', 'friction_bands[1]', '100', '1');
  // the sum as typed, so a person sees why the server would refuse it
  const sum = h('p', { class: 'muted friction-sum', 'aria-live': 'polite' });
  const showSum = () => {
    const v = WEIGHTS.map((w) => valueOf(weights[w.key]));
    replace(sum, v.includes(null) ? '' : t('MSG_WEB_SET_W_SUM', { sum: num(v.reduce((a, b) => a + b, 0)) }));
  };
  for (const w of WEIGHTS) weights[w.key].addEventListener('input', showSum);
  const fill = (s) => {
    const ws = s.friction_weights || {};
    for (const w of WEIGHTS) weights[w.key].value = ws[w.key] ?? '';
    const bands = Array.isArray(s.friction_bands) ? s.friction_bands : [];
    amber.value = bands[0] ?? '';
    red.value = bands[1] ?? '';
    showSum();
  };
  const field = (el, label, slot) => h('div', { class: 'field' }, h('label', { for: el.id }, t(label)), el, errorSlot(slot));
  const form = h('form', { class: 'settings-form friction-form', novalidate: true },
    h('fieldset', { class: 'friction-weights' }, h('legend', null, t('MSG_WEB_SET_W_LEGEND')),
      h('div', { class: 'band-inputs' }, WEIGHTS.map((w) => field(weights[w.key], w.label, `friction_weights.${w.key}`))),
      sum, errorSlot('friction_weights')),
    h('fieldset', { class: 'friction-bands' }, h('legend', null, t('MSG_WEB_SET_FRICTION_BANDS')),
      h('div', { class: 'band-inputs' },
        field(amber, 'MSG_WEB_SET_AMBER_FROM', 'friction_bands[0]'),
        field(red, 'MSG_WEB_SET_RED_FROM', 'friction_bands[1]')),
      errorSlot('friction_bands')));
  const save = (json, done) => putSettings(ctx, form, result, '/api/v1/settings/journeys', json, fill, done);
  if (canEdit) {
    const restore = h('button', { type: 'button', class: 'friction-defaults' }, t('MSG_WEB_SET_DEFAULTS'));
    // the server fills in what is left out: an empty setting is its defaults
    restore.addEventListener('click', () => {
      if (window.confirm(t('MSG_WEB_SET_FRICTION_DEFAULTS_CONFIRM'))) save({}, 'MSG_WEB_SET_FRICTION_DEFAULTS_DONE');
    });
    form.append(h('div', { class: 'settings-actions' },
      h('button', { type: 'submit', class: 'primary friction-save' }, t('MSG_WEB_SET_SAVE')), restore));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const friction_weights = {};
      for (const w of WEIGHTS) friction_weights[w.key] = valueOf(weights[w.key]);
      save({ friction_weights, friction_bands: [valueOf(amber), valueOf(red)] });
    });
  } else {
    form.addEventListener('submit', (e) => e.preventDefault());
  }
  const status = loadForm(ctx, '/api/v1/settings/journeys', form, fill);
  return section('settings-friction', 'MSG_WEB_SET_FRICTION', h('p', { class: 'muted' }, t('MSG_WEB_SET_FRICTION_INTRO')),
    status, form, result);
}

/* ---- the web snippet (owners and admins) -------------------------------------------------- */

function webBody(ctx, web) {
  const result = h('div', { class: 'settings-result' });
  const copied = h('div', { class: 'copy-result' });
  const code = h('code', { id: 'web-snippet' }, web.snippet || '');
  const copy = h('button', { type: 'button', class: 'web-copy' }, t('MSG_WEB_SET_COPY'));
  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(code.textContent);
      replace(copied, h('p', { class: 'notice', role: 'status' }, t('MSG_WEB_SET_COPIED')));
    } catch {
      // no clipboard (an insecure origin, or refused): select it for Ctrl+C
      window.getSelection().selectAllChildren(code);
      replace(copied, h('p', { class: 'notice', role: 'status' }, t('MSG_WEB_SET_COPY_BY_HAND')));
    }
  });
  const secret = String(web.identity_secret || '');
  const secretOut = h('code', { id: 'web-secret', class: 'web-secret', 'data-shown': 'false' }, '•'.repeat(Math.min(secret.length, 24)));
  const toggle = h('button', { type: 'button', class: 'web-secret-toggle', 'aria-pressed': 'false', 'aria-controls': 'web-secret' },
    t('MSG_WEB_SET_SECRET_SHOW'));
  toggle.addEventListener('click', () => {
    const show = secretOut.dataset.shown !== 'true';
    secretOut.dataset.shown = String(show);
    secretOut.textContent = show ? secret : '•'.repeat(Math.min(secret.length, 24));
    toggle.setAttribute('aria-pressed', String(show));
    toggle.textContent = t(show ? 'MSG_WEB_SET_SECRET_HIDE' : 'MSG_WEB_SET_SECRET_SHOW');
  });
  const origins = describedBy(h('textarea', { id: 'web-origins', name: 'allowed_origins', rows: '4', spellcheck: 'false',
    autocapitalize: 'off' }), 'allowed_origins');
  origins.setAttribute('aria-describedby', `web-origins-note ${origins.getAttribute('aria-describedby')}`);
  const fill = (w) => {
    origins.value = (Array.isArray(w.allowed_origins) ? w.allowed_origins : []).join('\n');
  };
  fill(web);
  const submit = h('button', { type: 'submit', class: 'primary web-save' }, t('MSG_WEB_SET_SAVE'));
  const form = h('form', { class: 'settings-form web-form', novalidate: true },
    h('div', { class: 'field' }, h('label', { for: 'web-origins' }, t('MSG_WEB_SET_ORIGINS')),
      h('p', { class: 'muted', id: 'web-origins-note' }, t('MSG_WEB_SET_ORIGINS_NOTE')), origins, errorSlot('allowed_origins')),
    h('div', { class: 'settings-actions' }, submit));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const list = origins.value.split('\n').map((s) => s.trim()).filter(Boolean);
    await putSettings(ctx, form, result, '/api/v1/settings/web', { allowed_origins: list }, fill);
  });
  return [
    h('dl', { class: 'fields web-facts' },
      h('dt', null, t('MSG_WEB_SET_SITE_KEY')), h('dd', null, h('code', { class: 'web-site-key' }, web.site_key || ''))),
    h('h3', { id: 'web-snippet-label' }, t('MSG_WEB_SET_SNIPPET')),
    h('pre', { class: 'snippet', 'aria-labelledby': 'web-snippet-label' }, code),
    h('div', { class: 'settings-actions' }, copy), copied,
    h('h3', null, t('MSG_WEB_SET_SECRET')),
    h('p', { class: 'muted' }, t('MSG_WEB_SET_SECRET_NOTE')),
    h('p', { class: 'web-secret-row' }, secretOut, ' ', toggle),
    form, result,
  ];
}

function webSection(ctx) {
  const status = h('div', { role: 'status' }, h('p', { class: 'loading' }, t('MSG_WEB_LOADING')));
  const sec = section('settings-web', 'MSG_WEB_SET_WEB', h('p', { class: 'muted' }, t('MSG_WEB_SET_WEB_INTRO')), status);
  api('GET', '/api/v1/settings/web').then((web) => {
    if (!ctx.isCurrent()) return;
    status.remove();
    sec.append(...webBody(ctx, web));
  }).catch((err) => {
    if (!ctx.isCurrent()) return;
    // not an admin after all (the role changed): the section is not theirs
    if (err instanceof ApiError && err.status === 403) sec.remove();
    else replace(status, ctx.showError(err));
  });
  return sec;
}

/* ---- the page ------------------------------------------------------------------------------ */

export function renderSettings(ctx) {
  const role = ctx.session && ctx.session.user ? ctx.session.user.role : null;
  const canEdit = ADMINS.includes(role);
  replace(ctx.main,
    h('div', { class: 'page-head' }, h('h1', null, t('MSG_WEB_NAV_SETTINGS'))),
    h('p', { class: 'intro' }, t('MSG_WEB_SET_INTRO')),
    canEdit ? null : h('p', { class: 'notice settings-read-only', role: 'note' }, t('MSG_WEB_SET_READ_ONLY')),
    bandsSection(ctx, canEdit),
    fatigueSection(ctx, canEdit),
    frictionSection(ctx, canEdit),
    canEdit ? webSection(ctx) : null);
}
