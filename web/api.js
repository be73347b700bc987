// api.js - the one way the dashboard talks to cxm serve (docs/api.md):
// JSON in and out, the session cookie, the CSRF token on every
// state-changing request, and RFC 9457 problems turned into ApiError.

let csrfToken = null;
let language = 'en';
let unauthorizedHandler = null;

/** Remembers the session's CSRF token (from POST or GET /api/v1/session). */
export function setCsrfToken(token) {
  csrfToken = token || null;
}

/** The language the server should answer problems in. */
export function setApiLanguage(lang) {
  language = lang;
}

/** Called with the error when a signed-in request answers 401 (the session ended). */
export function onUnauthorized(fn) {
  unauthorizedHandler = fn;
}

export class ApiError extends Error {
  /**
   * status: the HTTP status, 0 when the server could not be reached;
   * problem: the parsed problem+json body, or null;
   * retryAfter: seconds from a Retry-After header, or null.
   */
  constructor(status, problem, retryAfter) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
    this.retryAfter = retryAfter;
  }

  /** The server's own words for the problem, or null. */
  get serverMessage() {
    const p = this.problem;
    if (!p) return null;
    return p.detail || p.title || null;
  }
}

/** Seconds to wait from a Retry-After value (delta-seconds or an HTTP date). */
export function parseRetryAfter(value) {
  if (!value) return null;
  if (/^\s*\d+\s*$/.test(value)) return Number(value);
  const when = Date.parse(value);
  if (Number.isNaN(when)) return null;
  return Math.max(0, Math.ceil((when - Date.now()) / 1000));
}

const SAFE = new Set(['GET', 'HEAD']);

/**
 * Sends METHOD PATH with an optional JSON BODY; resolves to the parsed
 * answer (null for an empty one), rejects with ApiError.
 * options.expect401: a 401 is an expected answer (signing in, asking
 * whether a session exists), so the session-ended handler is not called.
 */
export async function api(method, path, body, options = {}) {
  const headers = { Accept: 'application/json', 'Accept-Language': language };
  const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  if (!SAFE.has(method) && csrfToken) headers['X-CSRF-Token'] = csrfToken;

  let res;
  try {
    res = await fetch(path, init);
  } catch {
    throw new ApiError(0, null, null);
  }
  let data = null;
  const type = res.headers.get('Content-Type') || '';
  if (res.status !== 204 && /json/i.test(type)) {
    try {
      data = await res.json();
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    const err = new ApiError(res.status, data, parseRetryAfter(res.headers.get('Retry-After')));
    if (res.status === 401 && !options.expect401 && unauthorizedHandler) unauthorizedHandler(err);
    throw err;
  }
  return data;
}

/** The items of a paginated list answer: {"items": [...], "next_cursor": "..."}. */
export function listItems(answer) {
  return answer && Array.isArray(answer.items) ? answer.items : [];
}

/** Builds PATH?query from an object, leaving out empty values. */
export function withQuery(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}
