// app.js - the dashboard's entry point: finds out who is signed in, loads
// the catalogue in their language, and shows the login page or the layout
// with the page the location hash names (#/customers, #/customers/ID ...).
// Hash routes keep every page at / for the server.

import { api, ApiError, onUnauthorized, setCsrfToken } from './api.js';
import { h, replace } from './dom.js';
import { initialLanguage, lang, loadMessages, normalize, t } from './i18n.js';
import { renderLogin } from './pages/login.js';
import { renderCustomers } from './pages/customers.js';
import { renderCustomer } from './pages/customer.js';
import { renderSurveys } from './pages/surveys.js';
import { renderSurvey } from './pages/survey.js';
import { renderTriggers } from './pages/triggers.js';
import { renderOverview } from './pages/overview.js';
import { renderSettings } from './pages/settings.js';
import { renderText } from './pages/text.js';
import { renderJourney, renderJourneys } from './pages/journey.js';
import { renderNotBuilt, renderNotFound } from './pages/placeholder.js';

const root = document.getElementById('app');

/** What the dashboard knows: the session answer, or null when signed out. */
const state = { session: null, main: null, nav: null, menu: null, firstRender: true, renders: 0 };

const SECTIONS = [
  { path: 'overview', label: 'MSG_WEB_NAV_OVERVIEW' },
  { path: 'customers', label: 'MSG_WEB_NAV_CUSTOMERS' },
  { path: 'surveys', label: 'MSG_WEB_NAV_SURVEYS' },
  { path: 'triggers', label: 'MSG_WEB_NAV_TRIGGERS' },
  { path: 'journeys', label: 'MSG_WEB_NAV_JOURNEYS' },
  { path: 'text', label: 'MSG_WEB_NAV_TEXT' },
  { path: 'cases', label: 'MSG_WEB_NAV_CASES' },
  { path: 'settings', label: 'MSG_WEB_NAV_SETTINGS' },
];

/** The current route: {parts: ['customers', 'ID'], query: URLSearchParams}. */
function route() {
  const hash = location.hash.replace(/^#\/?/, '');
  const [path, query] = hash.split('?');
  const parts = path.split('/').filter(Boolean).map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  return { parts: parts.length ? parts : ['overview'], query: new URLSearchParams(query || '') };
}

/** A language picker; CHANGE is called with the chosen language. */
function languagePicker(change) {
  const select = h('select', { id: 'lang', name: 'lang', class: 'lang-select' },
    h('option', { value: 'es', selected: lang() === 'es' }, t('MSG_WEB_LANG_ES')),
    h('option', { value: 'en', selected: lang() === 'en' }, t('MSG_WEB_LANG_EN')));
  select.addEventListener('change', () => change(select.value, select));
  return h('label', { class: 'lang' }, h('span', { class: 'lang-label' }, t('MSG_WEB_LANGUAGE')), select);
}

function showError(err) {
  const text = err instanceof ApiError && err.status === 0 ? t('MSG_WEB_ERROR_NETWORK')
    : err instanceof ApiError && err.status === 403 ? t('MSG_WEB_ERROR_FORBIDDEN')
    : (err instanceof ApiError && err.serverMessage) || t('MSG_WEB_ERROR_GENERIC');
  return h('p', { class: 'error', role: 'alert' }, text);
}

function showLogin(notice, typed) {
  state.renders++;
  state.session = null;
  state.main = null;
  setCsrfToken(null);
  document.title = `${t('MSG_WEB_LOGIN_TITLE')} - ${t('MSG_WEB_APP_TITLE')}`;
  replace(root, renderLogin({
    notice,
    typed,
    // before sign-in the choice is only this browser's (there is no user to save it for)
    languagePicker: () => languagePicker(async (l) => {
      const field = document.getElementById('login');
      await loadMessages(l).catch(() => {});
      showLogin(notice, field ? field.value : '');
    }),
    signedIn: async (session) => {
      await startSession(session);
    },
  }));
}

/** After signing in or finding a live session: the user's language, then the layout. */
async function startSession(session) {
  state.session = session;
  setCsrfToken(session.csrf_token);
  const userLang = normalize(session.user && session.user.language);
  if (userLang && userLang !== lang()) await loadMessages(userLang);
  renderLayout();
}

async function changeLanguage(l, select) {
  if (l === lang()) return;
  select.disabled = true;
  try {
    await api('PATCH', '/api/v1/me', { language: l });
    await loadMessages(l);
    if (state.session && state.session.user) state.session.user.language = l;
    renderLayout();
  } catch (err) {
    select.disabled = false;
    select.value = lang();
    if (state.main) state.main.prepend(showError(err));
  }
}

async function logout() {
  try {
    await api('DELETE', '/api/v1/session', undefined, { expect401: true });
  } catch (err) {
    // a session that already ended is as good as a closed one
    if (!(err instanceof ApiError) || err.status !== 401) {
      if (state.main) state.main.prepend(showError(err));
      return;
    }
  }
  history.replaceState(null, '', '#/');
  showLogin(null);
}

function userName(user) {
  if (!user) return '';
  return user.name || user.display_name || user.username || user.email || '';
}

function renderLayout() {
  const s = state.session;
  const menu = h('button', { type: 'button', class: 'menu-toggle', 'aria-expanded': 'false', 'aria-controls': 'nav' },
    t('MSG_WEB_NAV_MENU'));
  const nav = h('nav', { id: 'nav', class: 'nav', 'aria-label': t('MSG_WEB_NAV_LABEL') },
    h('ul', null, SECTIONS.map((sec) => h('li', null,
      h('a', { href: `#/${sec.path}`, 'data-section': sec.path }, t(sec.label))))));
  menu.addEventListener('click', () => {
    const open = nav.classList.toggle('open');
    menu.setAttribute('aria-expanded', String(open));
  });
  const main = h('main', { id: 'main', class: 'main', tabindex: '-1' });
  const skip = h('a', { href: '#main', class: 'skip' }, t('MSG_WEB_SKIP_TO_CONTENT'));
  skip.addEventListener('click', (e) => {
    e.preventDefault();
    main.focus();
  });
  const name = userName(s.user);
  const header = h('header', { class: 'topbar' },
    menu,
    h('a', { href: '#/overview', class: 'brand' }, 'cxm'),
    s.tenant && (s.tenant.display_name || s.tenant.name)
      ? h('span', { class: 'tenant' }, s.tenant.display_name || s.tenant.name) : null,
    h('span', { class: 'spacer' }),
    languagePicker(changeLanguage),
    name ? h('span', { class: 'user', 'data-testid': 'user' }, t('MSG_WEB_SIGNED_IN_AS', { name })) : null,
    h('button', { type: 'button', class: 'logout', onclick: logout }, t('MSG_WEB_LOGOUT')));
  state.main = main;
  state.nav = nav;
  state.menu = menu;
  replace(root, skip, header, h('div', { class: 'frame' }, nav, main));
  renderRoute();
}

function renderRoute() {
  if (!state.session || !state.main) return;
  const r = route();
  const section = r.parts[0];
  for (const a of state.nav.querySelectorAll('a')) {
    if (a.dataset.section === section) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  state.nav.classList.remove('open');
  state.menu.setAttribute('aria-expanded', 'false');
  const sec = SECTIONS.find((x) => x.path === section);
  document.title = `${sec ? t(sec.label) : 'cxm'} - ${t('MSG_WEB_APP_TITLE')}`;
  // isCurrent() tells a page whose answer arrives late whether it is still the one shown.
  const mine = ++state.renders;
  const ctx = { main: state.main, query: r.query, showError, isCurrent: () => mine === state.renders, session: state.session };
  replace(state.main);
  if (section === 'overview' && r.parts.length === 1) renderOverview(ctx);
  else if (section === 'customers' && r.parts.length === 1) renderCustomers(ctx);
  else if (section === 'customers' && r.parts.length === 2) renderCustomer(ctx, r.parts[1]);
  else if (section === 'surveys' && r.parts.length === 1) renderSurveys(ctx);
  else if (section === 'surveys' && r.parts.length === 2) renderSurvey(ctx, r.parts[1]);
  else if (section === 'triggers' && r.parts.length === 1) renderTriggers(ctx);
  else if (section === 'settings' && r.parts.length === 1) renderSettings(ctx);
  else if (section === 'text' && r.parts.length === 1) renderText(ctx);
  else if (section === 'journeys' && r.parts.length === 1) renderJourneys(ctx);
  else if (section === 'journeys' && r.parts.length === 2) renderJourney(ctx, r.parts[1]);
  else if (sec && r.parts.length === 1) renderNotBuilt(ctx, sec.label);
  else renderNotFound(ctx);
  if (!state.firstRender) state.main.focus({ preventScroll: false });
  state.firstRender = false;
}

async function boot() {
  onUnauthorized(() => {
    if (state.session) showLogin(t('MSG_WEB_SESSION_ENDED'));
  });
  window.addEventListener('hashchange', renderRoute);
  try {
    let session = null;
    try {
      session = await api('GET', '/api/v1/session', undefined, { expect401: true });
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 401) throw err;
    }
    const first = normalize(session && session.user && session.user.language) || initialLanguage();
    await loadMessages(first);
    if (session) await startSession(session);
    else showLogin(null);
  } catch {
    document.getElementById('boot-error').hidden = false;
  }
}

boot();
