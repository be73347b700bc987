// customers.js - the customer list: a search box (GET /api/v1/customers
// ?q=&limit=&cursor=), one link per customer, and "show more" while the
// answer carries a next_cursor. The search is kept in the hash
// (#/customers?q=ana) so reloading or going back shows the same list.

import { api, listItems, withQuery } from '../api.js';
import { h, replace } from '../dom.js';
import { t } from '../i18n.js';

const PAGE = 50;
const DEBOUNCE_MS = 300;

/** "First Last", or the catalogue's "(no name)". */
export function customerName(c) {
  const name = [c.first_name, c.last_name].filter(Boolean).join(' ').trim();
  return name || t('MSG_WEB_UNNAMED');
}

function customerRow(c) {
  const details = [c.email, c.phone, c.external_id].filter(Boolean);
  return h('li', null,
    h('a', { class: 'customer-row', href: `#/customers/${encodeURIComponent(c.id)}` },
      h('span', { class: 'customer-name' }, customerName(c)),
      details.map((d) => h('span', { class: 'customer-detail' }, d))));
}

export function renderCustomers(ctx) {
  const q0 = ctx.query.get('q') || '';
  const input = h('input', {
    id: 'customer-q', name: 'q', type: 'search', value: q0, autocomplete: 'off',
    placeholder: t('MSG_WEB_SEARCH_HINT'), spellcheck: 'false',
  });
  const form = h('form', { class: 'search', role: 'search' },
    h('label', { for: 'customer-q', class: 'search-label' }, t('MSG_WEB_SEARCH_LABEL')),
    h('div', { class: 'search-row' }, input,
      h('button', { type: 'submit' }, t('MSG_WEB_SEARCH_SUBMIT'))));
  const list = h('ul', { class: 'customer-list', 'aria-busy': 'false' });
  const status = h('div', { class: 'list-status', role: 'status' });
  const more = h('button', { type: 'button', class: 'more', hidden: true }, t('MSG_WEB_MORE'));

  // Each search gets a number; answers to an older search are dropped, so a
  // slow answer never overwrites a newer list.
  let generation = 0;
  let cursor = null;
  let query = q0;

  async function load(reset) {
    const mine = reset ? ++generation : generation;
    if (reset) {
      cursor = null;
      replace(list);
    }
    list.setAttribute('aria-busy', 'true');
    more.disabled = true;
    replace(status, h('p', { class: 'loading' }, t('MSG_WEB_LOADING')));
    let answer;
    try {
      answer = await api('GET', withQuery('/api/v1/customers', { q: query, limit: PAGE, cursor }));
    } catch (err) {
      if (mine !== generation) return;
      list.setAttribute('aria-busy', 'false');
      more.disabled = false;
      replace(status, ctx.showError(err));
      return;
    }
    if (mine !== generation) return;
    const items = listItems(answer);
    list.append(...items.map(customerRow));
    cursor = (answer && answer.next_cursor) || null;
    more.hidden = !cursor;
    more.disabled = false;
    list.setAttribute('aria-busy', 'false');
    replace(status, list.children.length ? null : h('p', { class: 'empty' }, t('MSG_WEB_NO_CUSTOMERS')));
  }

  function search() {
    const q = input.value.trim();
    if (q === query && list.children.length) return;
    query = q;
    // the hash follows the search without a hashchange (which would redraw the page)
    history.replaceState(null, '', q ? `#/customers?q=${encodeURIComponent(q)}` : '#/customers');
    load(true);
  }

  let timer = null;
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(search, DEBOUNCE_MS);
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    clearTimeout(timer);
    query = null; // submitting always searches again
    search();
  });
  more.addEventListener('click', () => load(false));

  replace(ctx.main, h('h1', null, t('MSG_WEB_NAV_CUSTOMERS')), form, list, status, more);
  load(true);
}
