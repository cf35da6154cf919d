// The silo's HTTP API: JSON fetches with the session's token, problem+json errors as ApiError.

const TOKEN_KEY = 'flo.token';
const TOKEN_COOKIE = 'flo_token';

let unauthorized = () => {};

/** An API answer that is not a success: its status and problem+json (`title`, `detail`, `code`) when it has one. */
export class ApiError extends Error {
  constructor(status, problem) {
    const what = problem && (problem.detail || problem.title);
    super(what ? `${problem.title && problem.detail ? problem.title + ': ' : ''}${what}` : `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

/** The token entered in this browser tab (kept for the session only); empty when none. */
export function token() {
  return sessionStorage.getItem(TOKEN_KEY) || '';
}

/**
 * Keeps the token for the session. The Orleans dashboard's own scripts cannot send it as a header, so it also goes
 * into a cookie that only /orleans receives and only from this site.
 */
export function setToken(value) {
  sessionStorage.setItem(TOKEN_KEY, value);
  const secure = location.protocol === 'https:' ? '; Secure' : '';
  document.cookie = `${TOKEN_COOKIE}=${encodeURIComponent(value)}; path=/orleans; SameSite=Strict${secure}`;
}

/** What to do when the silo answers 401 (ask for a token). */
export function onUnauthorized(handler) {
  unauthorized = handler;
}

/** A request to the API; resolves to the JSON body (null for 204), rejects with ApiError. */
export async function request(method, path, body) {
  const headers = { Accept: 'application/json' };
  const t = token();
  if (t) headers.Authorization = `Bearer ${t}`;
  const init = { method, headers, cache: 'no-store' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  if (response.status === 401) unauthorized();
  if (!response.ok) {
    let problem = null;
    try {
      problem = await response.json();
    } catch {
      // Not JSON: the status says enough.
    }
    throw new ApiError(response.status, problem);
  }
  if (response.status === 204) return null;
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

export const get = (path) => request('GET', path);
export const post = (path, body) => request('POST', path, body);
export const del = (path) => request('DELETE', path);

/** A path under the namespace: `/v1/ns/{ns}{rest}`. */
export function nsPath(ns, rest) {
  return `/v1/ns/${encodeURIComponent(ns)}${rest}`;
}

/** The namespace's event stream URL; the token rides in the query (EventSource cannot send headers). */
export function eventsUrl(ns) {
  const t = token();
  return nsPath(ns, '/events') + (t ? `?access_token=${encodeURIComponent(t)}` : '');
}
