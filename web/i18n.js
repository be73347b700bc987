// i18n.js - every text the dashboard shows comes from the server's es/en
// catalogue (include/cxm/messages-web.def, GET /api/v1/messages?lang=).
// A value filled in by the page is written {name} in the catalogue.

import { api, setApiLanguage } from './api.js';

export const LANGUAGES = ['es', 'en'];
const STORAGE_KEY = 'cxm.lang';

let texts = {};
let current = 'en';

/** The language shown now ("es" or "en"). */
export function lang() {
  return current;
}

/** "es" or "en" from any tag ("es-CO", "en_US"); anything else is null. */
export function normalize(tag) {
  const base = String(tag || '').slice(0, 2).toLowerCase();
  return LANGUAGES.includes(base) ? base : null;
}

/** The language before anyone signs in: the last one used here, else the browser's. */
export function initialLanguage() {
  let saved = null;
  try {
    saved = normalize(localStorage.getItem(STORAGE_KEY));
  } catch {
    saved = null;
  }
  if (saved) return saved;
  for (const tag of navigator.languages || [navigator.language]) {
    const l = normalize(tag);
    if (l) return l;
  }
  return 'en';
}

/** Loads the catalogue of LANG and makes it current. */
export async function loadMessages(lang) {
  const l = normalize(lang) || 'en';
  const data = await api('GET', `/api/v1/messages?lang=${l}`, undefined, { expect401: true });
  texts = data && typeof data === 'object' ? data : {};
  current = l;
  setApiLanguage(l);
  document.documentElement.lang = l;
  try {
    localStorage.setItem(STORAGE_KEY, l);
  } catch {
    // private mode: the choice is still saved on the server for signed-in users
  }
}

/**
 * The text of catalogue entry ID with {name} placeholders filled from VARS.
 * A missing entry shows its id, so a forgotten entry is seen, not hidden.
 */
export function t(id, vars) {
  let s = texts[id];
  if (typeof s !== 'string') return id;
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
  return s;
}

/** Dates and times in the current language, in the browser's time zone. */
export function formatDateTime(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso ?? '');
  return new Intl.DateTimeFormat(current, { dateStyle: 'medium', timeStyle: 'short' }).format(d);
}

/** An amount ("59.90") in its currency ("EUR"), as the current language writes it. */
export function formatAmount(amount, currency) {
  if (amount === undefined || amount === null || amount === '') return '';
  const n = Number(amount);
  if (currency && Number.isFinite(n)) {
    try {
      return new Intl.NumberFormat(current, { style: 'currency', currency }).format(n);
    } catch {
      // an unknown currency code: show it as given
    }
  }
  return currency ? `${amount} ${currency}` : String(amount);
}

const CHANNELS = {
  web: 'MSG_WEB_CHANNEL_WEB', app: 'MSG_WEB_CHANNEL_APP', email: 'MSG_WEB_CHANNEL_EMAIL',
  sms: 'MSG_WEB_CHANNEL_SMS', phone: 'MSG_WEB_CHANNEL_PHONE', store: 'MSG_WEB_CHANNEL_STORE',
  chat: 'MSG_WEB_CHANNEL_CHAT', social: 'MSG_WEB_CHANNEL_SOCIAL', whatsapp: 'MSG_WEB_CHANNEL_WHATSAPP',
  other: 'MSG_WEB_CHANNEL_OTHER',
};

/** A channel's name; one the catalogue does not know is shown as sent. */
export function channelName(channel) {
  const id = CHANNELS[String(channel || '').toLowerCase()];
  return id ? t(id) : String(channel ?? '');
}
