// Who the browser is logged in as and what that token may do: the token's
// identity (GET /v1/acl/token/self), permission checks batched into
// POST /v1/internal/acl/authorize, and the "Log in to Consul" dialog. The
// secret only ever travels in the X-Consul-Token header (see api.js).
import { h } from './dom.js';
import { api, config, token, setToken, ApiError } from './api.js';
import { dialog } from './dialog.js';

let answers = new Map();
let pending = [];
let flushTimer = 0;
let selfCache = null;

/** Forget cached identity and permissions (after login, logout or an ACL edit). */
export function resetAuth() {
  answers = new Map();
  selfCache = null;
}

/** Forget cached permissions only (each navigation asks again). */
export function resetPermissions() {
  answers = new Map();
}

async function flush() {
  flushTimer = 0;
  const batch = pending.splice(0, 64);
  if (pending.length) flushTimer = setTimeout(flush, 0);
  const byDc = new Map();
  for (const p of batch) (byDc.get(p.dc) || byDc.set(p.dc, []).get(p.dc)).push(p);
  for (const [dc, list] of byDc) {
    let allow;
    try {
      const r = await api('internal/acl/authorize', { method: 'POST', dc, body: list.map((p) => ({ Resource: p.resource, Segment: p.segment, Access: p.access })) });
      allow = (r.data || []).map((c) => !!c.Allow);
    } catch (e) {
      // An unknown token may do nothing; any other failure hides nothing
      // (the server still refuses what the token may not do).
      allow = list.map(() => !(e instanceof ApiError && e.status === 403));
    }
    list.forEach((p, i) => p.resolve(!!allow[i]));
  }
}

/**
 * Whether the current token allows `access` on `resource` (and `segment`,
 * e.g. a key prefix) in `dc`. Always true when ACLs are off. Checks asked in
 * the same tick go to the server as one request.
 */
export function can(resource, access, segment = '', dc = '') {
  if (!config.ACLsEnabled) return Promise.resolve(true);
  const key = [dc, resource, segment, access].join('\u0000');
  let p = answers.get(key);
  if (!p) {
    p = new Promise((resolve) => pending.push({ resource, segment, access, dc, resolve }));
    answers.set(key, p);
    if (!flushTimer) flushTimer = setTimeout(flush, 0);
  }
  return p;
}

/**
 * The current token as GET /v1/acl/token/self answers it, null without a
 * token, or {invalid: true} when the server does not know it.
 */
export function whoami() {
  if (!config.ACLsEnabled || !token()) return Promise.resolve(null);
  if (!selfCache) {
    selfCache = api('acl/token/self').then((r) => r.data, (e) => (e instanceof ApiError && e.status === 403 ? { invalid: true } : null));
  }
  return selfCache;
}

/** A short human name for a token: its description, or the accessor's start. */
export function tokenName(t) {
  return (t && (t.Description || (t.AccessorID || '').slice(0, 8))) || 'token';
}

/** Use `secret` from now on and draw the page again. */
export function useToken(secret, then) {
  setToken(secret);
  resetAuth();
  if (then) then();
}

/**
 * The "Log in to Consul" dialog: the secret is checked against
 * /v1/acl/token/self before it is kept.
 */
export function loginDialog(then) {
  const input = h('input', { type: 'password', name: 'token', autocomplete: 'off', 'aria-label': 'Token SecretID' });
  const err = h('p.valid.bad', { role: 'alert' });
  const d = dialog('Log in to Consul',
    h('p', 'Paste an ACL token (its SecretID). It is kept in this browser and sent with every request.'),
    h('form', { onsubmit: (e) => { e.preventDefault(); d.box.querySelector('button.primary').click(); } }, input), err, [
      ['Log in', async () => {
        const secret = input.value.trim();
        if (!secret) { err.textContent = 'Paste a token first.'; return false; }
        try {
          await api('acl/token/self', { token: secret });
        } catch (e) {
          if (e instanceof ApiError && e.status === 403) { err.textContent = 'This token does not exist.'; return false; }
          if (!(e instanceof ApiError)) { err.textContent = `Cannot reach the agent: ${e.message}`; return false; }
        }
        useToken(secret, then);
        return true;
      }],
    ]);
  input.focus();
  return d;
}

/** Forget the token and draw the page again. */
export function logout(then) {
  useToken('', then);
}
