// Tiny DOM helpers: build elements from plain calls (text is always set as
// text, never parsed as HTML), and small formatting utilities.

/** h('a.cls#id', {href, onclick}, child...) -> Element */
export function h(spec, attrs, ...children) {
  const m = /^([a-z0-9]+)?((?:[.#][\w-]+)*)$/i.exec(spec) || [];
  const el = document.createElement(m[1] || 'div');
  for (const part of (m[2] || '').match(/[.#][\w-]+/g) || []) {
    if (part[0] === '.') el.classList.add(part.slice(1));
    else el.id = part.slice(1);
  }
  if (attrs && (typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs))) {
    children.unshift(attrs);
    attrs = null;
  }
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'value' || k === 'checked' || k === 'disabled' || k === 'selected') el[k] = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

/** Replace the children of `el`. */
export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** Decode base64 into text (UTF-8), or null when the bytes are not text. */
export function b64text(b64) {
  if (!b64) return '';
  const bin = atob(b64);
  const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

/** Encode text as base64 of its UTF-8 bytes. */
export function textb64(text) {
  const bytes = new TextEncoder().encode(text);
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

/** Run `fn` at most once per `ms`, with the last arguments. */
export function debounce(fn, ms) {
  let t;
  return (...a) => {
    clearTimeout(t);
    t = setTimeout(() => fn(...a), ms);
  };
}

/** 'passing' | 'warning' | 'critical' | 'empty' from check counts. */
export function worst(passing, warning, critical) {
  if (critical > 0) return 'critical';
  if (warning > 0) return 'warning';
  if (passing > 0) return 'passing';
  return 'empty';
}

/** Counts of check statuses in a list of checks. */
export function countChecks(checks) {
  const c = { passing: 0, warning: 0, critical: 0 };
  for (const k of checks || []) c[k.Status === 'passing' || k.Status === 'warning' ? k.Status : 'critical']++;
  return c;
}

export const STATUS_RANK = { critical: 0, warning: 1, passing: 2, empty: 3 };

const STATUS_TEXT = {
  passing: 'All health checks are passing',
  warning: 'At least one health check is warning',
  critical: 'At least one health check is failing',
  empty: 'No health checks',
};

/** A status dot with an accessible label. */
export function statusIcon(status) {
  return h('span.status.s-' + status, { title: STATUS_TEXT[status] || status, role: 'img', 'aria-label': status });
}

/** Small check-count badges. */
export function checkCounts(c) {
  return h('span.counts',
    c.passing ? h('span.count.s-passing', { title: 'passing' }, '✓ ' + c.passing) : null,
    c.warning ? h('span.count.s-warning', { title: 'warning' }, '! ' + c.warning) : null,
    c.critical ? h('span.count.s-critical', { title: 'critical' }, '✕ ' + c.critical) : null);
}

/** Tag chips (at most `max`, then "+N"). */
export function tags(list, max = 6) {
  list = list || [];
  return h('span.tags', list.slice(0, max).map((t) => h('span.tag', t)),
    list.length > max ? h('span.tag.more', '+' + (list.length - max)) : null);
}

/** A key/value table (metadata, tagged addresses). */
export function kvTable(obj, empty = 'None') {
  const entries = Object.entries(obj || {});
  if (!entries.length) return h('p.empty', empty);
  return h('table.meta', h('tbody', entries.map(([k, v]) =>
    h('tr', h('th', k), h('td', typeof v === 'object' ? JSON.stringify(v) : String(v))))));
}
