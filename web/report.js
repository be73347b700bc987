// report.js - what the Overview and the Text pages share: ECharts loaded on
// demand from /vendor/echarts.min.js, the traffic-light colours, dates for
// the metrics API, figures as text, and CSV export.

import { h } from './dom.js';
import { t } from './i18n.js';

export const COLOURS = { red: '#d93025', amber: '#f29900', green: '#188038' };

let echartsLoading = null;
/** ECharts, loaded once; rejects when the script cannot load. */
export function loadECharts() {
  if (window.echarts) return Promise.resolve(window.echarts);
  if (!echartsLoading) {
    echartsLoading = new Promise((resolve, reject) => {
      const s = document.createElement('script');
      s.src = '/vendor/echarts.min.js';
      s.onload = () => resolve(window.echarts);
      s.onerror = () => { echartsLoading = null; reject(new Error('echarts')); };
      document.head.append(s);
    });
  }
  return echartsLoading;
}

/** YYYY-MM-DD of a Date in the browser's calendar. */
export function isoDay(d) {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** A figure as text; no data is a dash. */
export function fmt(v) {
  return v === null || v === undefined ? '–' : String(v);
}

/** Rows as CSV (RFC 4180: quoted when needed, CRLF). */
export function csvOf(rows) {
  return rows.map((r) => r.map((c) => {
    const s = String(c ?? '');
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  }).join(',')).join('\r\n') + '\r\n';
}

/** Offers TEXT as a CSV file named NAME. */
export function download(name, text) {
  const a = h('a', { href: URL.createObjectURL(new Blob([text], { type: 'text/csv' })), download: name });
  document.body.append(a);
  a.click();
  a.remove();
}

/*
 * The filters the Overview and Text pages share: the period and the survey
 * picked on one page are the ones the other opens with, for as long as the
 * browser tab lives (sessionStorage; memory when storage is off).
 */
const FILTERS_KEY = 'cxm.filters';
const PERIODS = [30, 90, 365];
let filtersInMemory = {};

function savedFilters() {
  try {
    const v = JSON.parse(sessionStorage.getItem(FILTERS_KEY) || '{}');
    return v && typeof v === 'object' ? v : {};
  } catch {
    return filtersInMemory;
  }
}

function saveFilters(v) {
  filtersInMemory = v;
  try {
    sessionStorage.setItem(FILTERS_KEY, JSON.stringify(v));
  } catch {
    // storage off: the memory copy serves this page load
  }
}

/**
 * The controls the Overview and Text pages share: the period (last 30, 90
 * or 365 days) and the survey (every survey until addSurveys adds the
 * tenant's). Both open with what was last picked on either page. Returns
 * { form, period, survey, addSurveys(list) }; addSurveys puts back the
 * survey last picked when it is in LIST.
 */
export function periodControls() {
  const saved = savedFilters();
  const days = PERIODS.includes(saved.days) ? saved.days : 90;
  const period = h('select', { id: 'ov-period' },
    ...PERIODS.map((d) => h('option', { value: String(d), selected: d === days }, t('MSG_WEB_OV_DAYS', { n: d }))));
  const survey = h('select', { id: 'ov-survey' }, h('option', { value: '' }, t('MSG_WEB_OV_ALL_SURVEYS')));
  const form = h('form', { class: 'ov-controls' },
    h('div', { class: 'field' }, h('label', { for: 'ov-period' }, t('MSG_WEB_OV_PERIOD')), period),
    h('div', { class: 'field' }, h('label', { for: 'ov-survey' }, t('MSG_WEB_OV_SURVEY')), survey));
  const remember = () => saveFilters({ days: Number(period.value), survey: survey.value });
  period.addEventListener('change', remember);
  survey.addEventListener('change', remember);
  function addSurveys(list) {
    survey.append(...list.map((s) => h('option', { value: String(s.id) }, s.name)));
    const want = String(savedFilters().survey || '');
    if (want && list.some((s) => String(s.id) === want)) survey.value = want;
  }
  return { form, period, survey, addSurveys };
}

/** The last `days` days up to today, as Dates: to is tomorrow (exclusive). */
export function lastDays(days) {
  const to = new Date();
  to.setDate(to.getDate() + 1);
  const from = new Date(to);
  from.setDate(from.getDate() - days);
  return { from, to };
}
