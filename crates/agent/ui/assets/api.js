// The HTTP API as the UI uses it: every URL is built from the injected
// config's content path and the page's own location, so the API is found at
// the same prefix as the UI (reverse-proxy friendly).

const cfgEl = document.getElementById('consul-ui-config');
/** The runtime config injected by the agent into index.html. */
export const config = JSON.parse((cfgEl && cfgEl.textContent) || '{}');

const contentPath = config.ContentPath || '/ui/';
const base = new URL(document.baseURI).pathname;
/** The UI's root as seen by the browser (e.g. "/ui/" or "/proxy/ui/"). */
export const uiRoot = base.endsWith(contentPath) ? base : contentPath;
/** The API's root, the content path's prefix plus "/v1/". */
export const apiRoot = uiRoot.slice(0, uiRoot.length - contentPath.length) + '/v1/';

const TOKEN_KEY = 'consul:token';
let memory = '';

/** The ACL token kept in localStorage ('' if none). */
export function token() {
  try { return localStorage.getItem(TOKEN_KEY) || ''; } catch { return memory; }
}

/** Keep (or with '' forget) the token sent as X-Consul-Token. */
export function setToken(t) {
  memory = t || '';
  try {
    if (t) localStorage.setItem(TOKEN_KEY, t);
    else localStorage.removeItem(TOKEN_KEY);
  } catch { /* storage disabled: the token lasts until reload */ }
}

/** An HTTP answer that is not 2xx. */
export class ApiError extends Error {
  constructor(status, message) {
    super(message || 'HTTP ' + status);
    this.status = status;
  }
  /** The server knows no Raft leader (Consul answers 500 "No cluster leader"). */
  get noLeader() {
    return this.status === 500 && /no cluster leader|no leader/i.test(this.message);
  }
}

/** Encode a key or name for a URL path, keeping its slashes. */
export function encPath(p) {
  return String(p).split('/').map(encodeURIComponent).join('/');
}

/**
 * Call the API. `path` is relative to /v1/ ("kv/a?keys"); `opts.dc` adds
 * ?dc=, `opts.query` more parameters, `opts.token` a token other than the
 * kept one (only ever sent as a header). Answers {status, data, index, headers};
 * throws ApiError for non-2xx except the 404s a caller asks to keep.
 */
export async function api(path, opts = {}) {
  const url = new URL(apiRoot + path, location.origin);
  if (opts.dc && opts.dc !== config.LocalDatacenter) url.searchParams.set('dc', opts.dc);
  for (const [k, v] of Object.entries(opts.query || {})) {
    if (v !== undefined && v !== null && v !== false) url.searchParams.set(k, v === true ? '' : v);
  }
  const headers = {};
  const t = opts.token !== undefined ? opts.token : token();
  if (t) headers['X-Consul-Token'] = t;
  let body = opts.body;
  if (body !== undefined && typeof body !== 'string' && !(body instanceof Blob)) {
    body = JSON.stringify(body);
    headers['Content-Type'] = 'application/json';
  }
  const res = await fetch(url.pathname + url.search.replace(/=(&|$)/g, '$1'), {
    method: opts.method || 'GET', headers, body, signal: opts.signal, cache: 'no-store',
  });
  const index = Number(res.headers.get('X-Consul-Index')) || 0;
  if (res.status === 404 && opts.allow404) return { status: 404, data: null, index, headers: res.headers };
  if (!res.ok) throw new ApiError(res.status, (await res.text()).trim());
  const text = await res.text();
  const t0 = performance.now();
  let data = text;
  if ((res.headers.get('Content-Type') || '').includes('json')) data = text ? JSON.parse(text) : null;
  return { status: res.status, data, index, headers: res.headers, parseMs: performance.now() - t0 };
}
