// The application shell: header with navigation and the datacenter picker,
// a history-URL router that loads each page's module on demand, error pages,
// global keyboard shortcuts and the theme.

import { h, mount } from './dom.js';
import { api, config, uiRoot, token, ApiError } from './api.js';
import { Source, stopAll } from './live.js';
import { dialog, confirmDanger } from './dialog.js';
import { can, whoami, tokenName, loginDialog, logout, resetPermissions } from './auth.js';

export { dialog, confirmDanger };

const ROUTES = [
  [/^$/, 'dcs'],
  [/^setting$/, 'settings'],
  [/^([^/]+)\/?$/, 'dc-home'],
  [/^([^/]+)\/services\/?$/, 'services'],
  [/^([^/]+)\/services\/([^/]+)\/instances\/([^/]+)\/([^/]+)(?:\/(healthchecks|addresses|metadata))?\/?$/, 'instance'],
  [/^([^/]+)\/services\/([^/]+)(?:\/(instances|tags))?\/?$/, 'service'],
  [/^([^/]+)\/nodes\/?$/, 'nodes'],
  [/^([^/]+)\/nodes\/([^/]+)(?:\/(health-checks|service-instances|round-trip-time|lock-sessions|metadata))?\/?$/, 'node'],
  [/^([^/]+)\/kv(?:\/(.*))?$/, 'kv'],
  [/^([^/]+)\/members\/?$/, 'members'],
  [/^([^/]+)\/servers\/?$/, 'servers'],
  [/^([^/]+)\/acls(?:\/(tokens|policies|roles|auth-methods))?(?:\/(.*))?$/, 'acls'],
];

const PAGES = {
  dcs: () => import('./pages/dcs.js'),
  settings: () => import('./pages/settings.js'),
  services: () => import('./pages/services.js'),
  service: () => import('./pages/service.js'),
  instance: () => import('./pages/instance.js'),
  nodes: () => import('./pages/nodes.js'),
  node: () => import('./pages/node.js'),
  kv: () => import('./pages/kv.js'),
  members: () => import('./pages/members.js'),
  servers: () => import('./pages/servers.js'),
  acls: () => import('./pages/acls.js'),
};

/** Timings of list renders, read by the browser tests (name -> ms). */
window.__consulUiTimings = window.__consulUiTimings || {};

/**
 * Measure `fn` (a render of data that just arrived) up to the next painted
 * frame; with the API answer `res`, its JSON parse time is recorded too.
 */
export function timed(name, fn, res) {
  const t0 = performance.now();
  fn();
  requestAnimationFrame(() => setTimeout(() => {
    window.__consulUiTimings[name + ':parse'] = (res && res.parseMs) || 0;
    window.__consulUiTimings[name] = performance.now() - t0;
  }, 0));
}

/** A URL (relative to the page's <base>) for `path` under the UI root. */
export function href(path) {
  return uiRoot + path.replace(/^\//, '');
}

/** Go to a UI path (pushState), or replace the current entry. */
export function navigate(path, replace = false) {
  const url = href(path);
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  route();
}

let dcList = [config.LocalDatacenter || 'dc1'];
const header = h('header.top');
const main = h('main#main', { tabindex: '-1' });
const root = document.getElementById('app');
mount(root, h('a.skip', { href: '#main' }, 'Skip to content'), header, main, h('div#dialogs'));

function navLink(dc, path, label, key, current) {
  return h('a.nav', { href: href(`${dc}/${path}`), 'aria-current': current === path ? 'page' : null, title: `${label} (g then ${key})` }, label);
}

function renderHeader(dc, section) {
  const picker = h('select#dc-picker', {
    'aria-label': 'Datacenter',
    onchange: (e) => {
      const rest = currentPath().split('/').slice(1).join('/') || 'services';
      navigate(`${e.target.value}/${rest}`);
    },
  }, dcList.map((d) => h('option', { value: d, selected: d === dc }, d)));
  const acl = dc && config.ACLsEnabled ? navLink(dc, 'acls', 'ACL', 'a', section) : null;
  if (acl) {
    acl.hidden = true;
    can('acl', 'read', '', dc).then((ok) => { acl.hidden = !ok; });
  }
  mount(header,
    h('a.brand', { href: href(dc ? `${dc}/services` : '') }, h('span.logo'), 'Consul'),
    dc ? h('nav', { 'aria-label': 'Main' },
      navLink(dc, 'services', 'Services', 's', section),
      navLink(dc, 'nodes', 'Nodes', 'n', section),
      navLink(dc, 'kv', 'Key/Value', 'k', section),
      navLink(dc, 'members', 'Members', 'm', section),
      navLink(dc, 'servers', 'Servers', 'v', section),
      acl) : h('nav'),
    h('div.right',
      dc ? h('label.dc', 'DC ', picker) : null,
      config.ACLsEnabled ? authControls(dc) : null,
      h('a.nav', { href: href('setting'), 'aria-current': section === 'setting' ? 'page' : null }, 'Settings')));
}

/**
 * Always visible with ACLs on: who is logged in (the token's description),
 * "Switch token" and "Log out"; or "Log in" without a token.
 */
function authControls(dc) {
  if (!token()) return h('div.auth', h('button.link', { name: 'login', onclick: () => loginDialog(route) }, 'Log in'));
  const who = h('span.whoami', { title: 'The ACL token in use' }, '…');
  whoami().then((t) => {
    if (!t) return;
    if (t.invalid) {
      who.classList.add('bad');
      who.textContent = 'Unknown token';
      who.title = 'The server does not know the token kept in this browser';
      return;
    }
    who.replaceChildren(dc ? h('a', { href: href(`${dc}/acls/tokens/${encodeURIComponent(t.AccessorID)}`) }, tokenName(t)) : tokenName(t));
    who.title = `Logged in with token ${t.AccessorID}`;
    who.dataset.accessor = t.AccessorID;
  });
  return h('div.auth', who,
    h('button.link', { name: 'switch-token', onclick: () => loginDialog(route) }, 'Switch token'),
    h('button.link', { name: 'logout', onclick: () => logout(route) }, 'Log out'));
}

/** The page for an API error: 403, no leader, or the message. */
export function errorPage(err, retry) {
  if (err instanceof ApiError && err.status === 403) {
    const tok = token();
    return h('section.error', { dataset: { error: '403' } }, h('h1', "You don't have permission"),
      h('p', !config.ACLsEnabled ? 'The agent refused this request.'
        : tok ? 'The ACL token you are logged in with does not allow reading this page. Switch to another token to see it.'
          : 'This cluster uses ACLs and you are not logged in. Log in to Consul with a token to see this page.'),
      config.ACLsEnabled ? h('div.actions',
        h('button.primary', { name: 'login', onclick: () => loginDialog(route) }, tok ? 'Switch token' : 'Log in'),
        tok ? h('button', { onclick: () => logout(route) }, 'Log out') : null) : null);
  }
  if (err instanceof ApiError && err.noLeader) {
    return h('section.error', { dataset: { error: 'no-leader' } }, h('h1', 'No cluster leader'),
      h('p', 'The servers have not elected a leader, so the catalog cannot be read. This page retries by itself.'),
      retry ? h('button', { onclick: retry }, 'Retry now') : null);
  }
  return h('section.error', { dataset: { error: String(err.status || 'network') } }, h('h1', err.status ? `Error ${err.status}` : 'Cannot reach the agent'),
    h('p', err.message || String(err)), retry ? h('button', { onclick: retry }, 'Retry now') : null);
}

function currentPath() {
  const p = location.pathname;
  return p.startsWith(uiRoot) ? p.slice(uiRoot.length) : p.replace(/^\//, '');
}

let generation = 0;

/** Render the page for the current URL. */
export async function route() {
  stopAll();
  resetPermissions();
  const gen = ++generation;
  const path = currentPath();
  let match = null;
  let name = null;
  for (const [re, n] of ROUTES) {
    match = re.exec(path);
    if (match) { name = n; break; }
  }
  const dc = name && name !== 'dcs' && name !== 'settings' ? match[1] : (name === 'settings' ? dcList[0] : null);
  if (name === 'dc-home') return navigate(`${match[1]}/services`, true);
  const section = name === 'settings' ? 'setting' : (path.split('/')[1] || '').replace(/\/.*/, '');
  renderHeader(dc, section);
  if (!name) {
    mount(main, h('section.error', h('h1', 'Page not found'), h('p', 'There is nothing at this address.'), h('a', { href: href('') }, 'Go to the start')));
    return;
  }
  mount(main, h('p.loading', 'Loading…'));
  const mod = await PAGES[name]();
  if (gen !== generation) return;
  const params = new URLSearchParams(location.search);
  const ctx = {
    dc, match, params, main, href, navigate, timed, dialog, confirmDanger, errorPage,
    /**
     * A live source whose errors show the error page (while nothing else is
     * shown). With `opts.gate = [resource, segment]`, an empty answer (ACLs
     * filter what a token may not read) shows the permission page when the
     * token may not read `resource` there at all.
     */
    source(path, opts, onData, onError) {
      let failed = false;
      let seq = 0;
      const { gate, ...rest } = opts || {};
      const fail = (err) => { failed = true; mount(main, errorPage(err, () => route())); };
      return new Source(path, { ...rest, dc }, async (d, r) => {
        if (gen !== generation) return;
        const mine = ++seq;
        const empty = d === null || d === undefined || (Array.isArray(d) && !d.length);
        if (gate && config.ACLsEnabled && empty && !(await can(gate[0], 'read', gate[1] || '', dc))) {
          if (gen === generation && mine === seq && !failed) fail(new ApiError(403, 'Permission denied'));
          return;
        }
        if (gen !== generation || mine !== seq) return;
        // The error page replaced this page: draw the page again now that data flows.
        if (failed) route();
        else onData(d, r);
      }, (err) => {
        if (gen !== generation) return;
        if (onError) onError(err);
        else fail(err);
      }).start();
    },
    /** Whether the token allows `access` on `resource`/`segment` here (always, without ACLs). */
    can: (resource, access, segment = '') => can(resource, access, segment, dc),
    /** Draw the current page again (after a login, say). */
    reload: () => route(),
    api: (p, o = {}) => api(p, { ...o, dc }),
    setQuery(obj) {
      const q = new URLSearchParams(location.search);
      for (const [k, v] of Object.entries(obj)) (v ? q.set(k, v) : q.delete(k));
      const s = q.toString();
      history.replaceState(null, '', location.pathname + (s ? '?' + s : ''));
    },
    title(t) { document.title = `${t} - Consul`; },
    current: () => gen === generation,
  };
  mount(main);
  main.dataset.page = name;
  try {
    await mod.render(ctx);
  } catch (err) {
    if (gen === generation) mount(main, errorPage(err, () => route()));
  }
}

// Links under the UI root navigate without a reload.
document.addEventListener('click', (e) => {
  const a = e.target.closest('a[href]');
  if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey || a.target || a.hasAttribute('download')) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || !url.pathname.startsWith(uiRoot) || a.getAttribute('href').startsWith('#')) return;
  e.preventDefault();
  history.pushState(null, '', url.pathname + url.search);
  route();
  main.focus({ preventScroll: true });
  window.scrollTo(0, 0);
});
window.addEventListener('popstate', route);

// Keyboard: "/" search, "g s|n|k|m" sections, "?" help.
let pendingG = 0;
document.addEventListener('keydown', (e) => {
  if (e.ctrlKey || e.metaKey || e.altKey || e.target.matches('input, textarea, select, [contenteditable]')) return;
  const dc = currentPath().split('/')[0];
  if (e.key === '/') {
    const s = main.querySelector('input[type=search]');
    if (s) { e.preventDefault(); s.focus(); s.select(); }
  } else if (e.key === 'g') {
    pendingG = Date.now();
  } else if (Date.now() - pendingG < 1500 && 'snkmva'.includes(e.key) && dc && dc !== 'setting') {
    pendingG = 0;
    navigate(`${dc}/${{ s: 'services', n: 'nodes', k: 'kv', m: 'members', v: 'servers', a: 'acls' }[e.key]}`);
  } else if (e.key === '?') {
    dialog('Keyboard shortcuts', h('table.meta', h('tbody',
      [['/', 'Search this list'], ['↑ ↓ or j k', 'Move through a list'], ['Enter', 'Open the focused row'],
        ['g s', 'Services'], ['g n', 'Nodes'], ['g k', 'Key/Value'], ['g m', 'Members'], ['g v', 'Servers'],
        ...(config.ACLsEnabled ? [['g a', 'Access controls']] : []), ['Esc', 'Close a dialog']]
        .map(([k, v]) => h('tr', h('th', h('kbd', k)), h('td', v))))));
  }
});

// Theme: follows prefers-color-scheme unless Settings chose one.
export function applyTheme() {
  const t = localStorage.getItem('consul:theme') || 'auto';
  if (t === 'auto') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = t;
}
applyTheme();

api('catalog/datacenters').then((r) => {
  if (Array.isArray(r.data) && r.data.length) {
    dcList = r.data;
    const sel = document.getElementById('dc-picker');
    if (sel) mount(sel, dcList.map((d) => h('option', { value: d, selected: d === sel.value }, d)));
  }
}).catch(() => {});

export function datacenters() { return dcList; }

route();
