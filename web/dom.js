// dom.js - builds elements without HTML strings. Text always goes in as
// text nodes (textContent), never through innerHTML, so whatever a customer
// wrote is shown as written and can never become markup or script.

/**
 * h('a', {href: '#/x', class: 'c', onclick: fn}, 'text', child...)
 * props: class, text, on<event> (listener), boolean true (empty attribute),
 * anything else an attribute; null, undefined and false are left out.
 */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

/** Appends children: nodes as they are, anything else as a text node. */
export function append(el, children) {
  for (const c of [children].flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** Replaces everything inside EL with CHILDREN. */
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

/** A definition list from [label, value] pairs, skipping empty values. */
export function dl(pairs, className) {
  const list = h('dl', { class: className });
  for (const [label, value] of pairs) {
    if (value === undefined || value === null || value === '') continue;
    list.append(h('dt', null, label), h('dd', null, value));
  }
  return list;
}
