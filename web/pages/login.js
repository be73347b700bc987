// login.js - the sign-in page: a login (username or email) and a password.
// A refused sign-in shows the server's own message; too many failures (429)
// show how long to wait and keep the button off until then.

import { api, ApiError } from '../api.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';

let waitTimer = null;

/**
 * opts.notice: a text to show above the form (e.g. the session ended);
 * opts.typed: the login typed so far (kept when the language changes);
 * opts.languagePicker(): the es/en picker element;
 * opts.signedIn(session): called with the POST /api/v1/session answer.
 */
export function renderLogin(opts) {
  clearInterval(waitTimer);
  const message = h('p', { class: 'error', role: 'alert', id: 'login-error', hidden: true });
  const login = h('input', {
    id: 'login', name: 'login', type: 'text', autocomplete: 'username', required: true,
    autocapitalize: 'none', spellcheck: 'false', 'aria-describedby': 'login-error',
  });
  if (opts.typed) login.value = opts.typed;
  const password = h('input', {
    id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true,
    'aria-describedby': 'login-error',
  });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('MSG_WEB_LOGIN_SUBMIT'));

  function say(text) {
    message.textContent = text;
    message.hidden = !text;
  }

  function wait(seconds) {
    clearInterval(waitTimer);
    if (seconds === null || seconds === undefined) {
      say(t('MSG_WEB_LOGIN_WAIT_LATER'));
      return;
    }
    let left = Math.max(1, Math.ceil(seconds));
    submit.disabled = true;
    say(t('MSG_WEB_LOGIN_WAIT', { seconds: left }));
    waitTimer = setInterval(() => {
      left -= 1;
      if (left > 0) {
        say(t('MSG_WEB_LOGIN_WAIT', { seconds: left }));
        return;
      }
      clearInterval(waitTimer);
      submit.disabled = false;
      say('');
    }, 1000);
  }

  const form = h('form', { class: 'login-form', novalidate: true },
    h('label', { for: 'login' }, t('MSG_WEB_LOGIN_LOGIN')), login,
    h('label', { for: 'password' }, t('MSG_WEB_LOGIN_PASSWORD')), password,
    message,
    submit);

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!login.value.trim() || !password.value) {
      say(t('MSG_WEB_LOGIN_MISSING'));
      (login.value.trim() ? password : login).focus();
      return;
    }
    submit.disabled = true;
    say('');
    let session;
    try {
      session = await api('POST', '/api/v1/session', { login: login.value.trim(), password: password.value },
        { expect401: true });
    } catch (err) {
      submit.disabled = false;
      if (err instanceof ApiError && err.status === 429) {
        wait(err.retryAfter);
      } else if (err instanceof ApiError && err.status === 0) {
        say(t('MSG_WEB_ERROR_NETWORK'));
      } else if (err instanceof ApiError && (err.status === 401 || err.status === 422 || err.status === 400)) {
        say(err.serverMessage || t('MSG_WEB_LOGIN_FAILED'));
      } else {
        say((err instanceof ApiError && err.serverMessage) || t('MSG_WEB_ERROR_GENERIC'));
      }
      password.select();
      password.focus();
      return;
    }
    clearInterval(waitTimer);
    try {
      await opts.signedIn(session);
    } catch (err) {
      submit.disabled = false;
      say(err instanceof ApiError && err.status === 0 ? t('MSG_WEB_ERROR_NETWORK') : t('MSG_WEB_ERROR_GENERIC'));
    }
  });

  const page = h('main', { class: 'login-page', id: 'main' },
    h('div', { class: 'login-card' },
      h('div', { class: 'login-head' },
        h('span', { class: 'brand' }, 'cxm'),
        opts.languagePicker()),
      h('h1', null, t('MSG_WEB_LOGIN_TITLE')),
      opts.notice ? h('p', { class: 'notice', role: 'status' }, opts.notice) : null,
      form));
  queueMicrotask(() => (opts.typed ? password : login).focus());
  return page;
}
