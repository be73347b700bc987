// placeholder.js - the sections that are not built yet say so plainly.

import { h, append } from '../dom.js';
import { t } from '../i18n.js';

export function renderNotBuilt(ctx, titleId) {
  append(ctx.main, [
    h('h1', null, t(titleId)),
    h('p', { class: 'not-built' }, t('MSG_WEB_NOT_BUILT')),
  ]);
}

export function renderNotFound(ctx) {
  append(ctx.main, [
    h('h1', null, t('MSG_WEB_PAGE_NOT_FOUND')),
    h('p', null, h('a', { href: '#/overview' }, t('MSG_WEB_NAV_OVERVIEW'))),
  ]);
}
