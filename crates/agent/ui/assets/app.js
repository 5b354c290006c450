// The application shell: header with navigation and the datacenter picker,
// a history-URL router that loads each page's module on demand, error pages,
// global keyboard shortcuts and the theme.

import { h, mount } from './dom.js';
import { api, config, uiRoot, token, setToken, ApiError } from './api.js';
import { Source, stopAll } from './live.js';

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
  const tok = token();
  mount(header,
    h('a.brand', { href: href(dc ? `${dc}/services` : '') }, h('span.logo'), 'Consul'),
    dc ? h('nav', { 'aria-label': 'Main' },
      navLink(dc, 'services', 'Services', 's', section),
      navLink(dc, 'nodes', 'Nodes', 'n', section),
      navLink(dc, 'kv', 'Key/Value', 'k', section),
      navLink(dc, 'members', 'Members', 'm', section),
      navLink(dc, 'servers', 'Servers', 'v', section),
      config.ACLsEnabled ? navLink(dc, 'acls', 'ACL', 'a', section) : null) : h('nav'),
    h('div.right',
      dc ? h('label.dc', 'DC ', picker) : null,
      config.ACLsEnabled ? h('button.link', { onclick: () => (tok ? logout() : loginDialog()) }, tok ? 'Log out' : 'Log in') : null,
      h('a.nav', { href: href('setting'), 'aria-current': section === 'setting' ? 'page' : null }, 'Settings')));
}

function logout() {
  setToken('');
  route();
}

/** The "Log in" dialog: a token kept in localStorage, sent as X-Consul-Token. */
export function loginDialog() {
  const input = h('input', { type: 'password', name: 'token', autocomplete: 'off', 'aria-label': 'Token' });
  const d = dialog('Log in to Consul', h('p', 'Paste an ACL token (SecretID).'), input, [
    ['Log in', () => { setToken(input.value.trim()); route(); }],
  ]);
  input.focus();
  return d;
}

/**
 * A modal dialog. `actions` = [[label, fn, cls]]; a Cancel button is added.
 * Resolves when closed.
 */
export function dialog(title, ...content) {
  const actions = Array.isArray(content[content.length - 1]) ? content.pop() : [];
  const box = h('div.dialog', { role: 'dialog', 'aria-modal': 'true', 'aria-label': title });
  const backdrop = h('div.backdrop', box);
  const close = () => { backdrop.remove(); document.removeEventListener('keydown', onKey); };
  const onKey = (e) => { if (e.key === 'Escape') close(); };
  document.addEventListener('keydown', onKey);
  mount(box, h('h2', title), ...content, h('div.actions',
    actions.map(([label, fn, cls]) => h('button' + (cls ? '.' + cls : '.primary'), { onclick: async () => { if ((await fn()) !== false) close(); } }, label)),
    h('button', { onclick: close }, 'Cancel')));
  document.getElementById('dialogs').append(backdrop);
  const first = box.querySelector('button.danger, button.primary');
  if (first) first.focus();
  return { close, box };
}

/** Ask before something destructive; resolves true when confirmed. */
export function confirmDanger(title, text, label = 'Delete') {
  return new Promise((resolve) => {
    const d = dialog(title, h('p', text), [[label, () => resolve(true), 'danger']]);
    d.box.querySelector('button:last-child').addEventListener('click', () => resolve(false));
  });
}

/** The page for an API error: 403, no leader, or the message. */
export function errorPage(err, retry) {
  if (err instanceof ApiError && err.status === 403) {
    return h('section.error', { dataset: { error: '403' } }, h('h1', 'Access denied'),
      h('p', 'Your ACL token does not allow this. ', config.ACLsEnabled ? 'Log in with another token to see it.' : ''),
      config.ACLsEnabled ? h('button.primary', { onclick: loginDialog }, token() ? 'Switch token' : 'Log in') : null);
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
    /** A live source whose errors show the error page (while nothing else is shown). */
    source(path, opts, onData, onError) {
      let failed = false;
      return new Source(path, { ...opts, dc }, (d, r) => {
        if (gen !== generation) return;
        // The error page replaced this page: draw the page again now that data flows.
        if (failed) route();
        else onData(d, r);
      }, (err) => {
        if (gen !== generation) return;
        if (onError) onError(err);
        else { failed = true; mount(main, errorPage(err, () => route())); }
      }).start();
    },
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
        ['g s', 'Services'], ['g n', 'Nodes'], ['g k', 'Key/Value'], ['g m', 'Members'], ['g v', 'Servers'], ['Esc', 'Close a dialog']]
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
