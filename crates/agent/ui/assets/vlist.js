// A virtualised list: only the rows in view (plus a margin) exist in the
// DOM, so 100 000 rows render as fast as 30. Rows have one fixed height.
// Keyboard: ArrowUp/ArrowDown or j/k move the focus, Home/End jump, Enter
// follows the row's link.

import { h } from './dom.js';

const OVERSCAN = 10;

/**
 * createVList({ rowHeight, render(item, i) -> Element, empty }) -> { el, set(items), focus(i) }
 * `render` must return an element; the list positions it.
 */
export function createVList({ rowHeight = 48, render, empty = 'Nothing to show', label = 'list' }) {
  const inner = h('div.vl-inner');
  const el = h('div.vlist', { role: 'list', 'aria-label': label, tabindex: '-1' }, inner);
  let items = [];
  let first = -1;
  let last = -1;
  let focused = -1;
  const rows = new Map();

  function draw(force) {
    const top = el.scrollTop;
    const height = el.clientHeight || 600;
    const f = Math.max(0, Math.floor(top / rowHeight) - OVERSCAN);
    const l = Math.min(items.length - 1, Math.ceil((top + height) / rowHeight) + OVERSCAN);
    if (!force && f === first && l === last) return;
    for (const [i, row] of rows) {
      if (force || i < f || i > l) {
        row.remove();
        rows.delete(i);
      }
    }
    const frag = document.createDocumentFragment();
    for (let i = f; i <= l; i++) {
      if (rows.has(i)) continue;
      const row = render(items[i], i);
      row.classList.add('vl-row');
      row.setAttribute('role', 'listitem');
      row.dataset.index = i;
      row.style.transform = `translateY(${i * rowHeight}px)`;
      row.style.height = rowHeight + 'px';
      if (i === focused) row.classList.add('focused');
      rows.set(i, row);
      frag.append(row);
    }
    inner.append(frag);
    first = f;
    last = l;
  }

  el.addEventListener('scroll', () => requestAnimationFrame(() => draw(false)), { passive: true });
  const onResize = () => {
    // A list from a page left behind stops listening.
    if (!el.isConnected) window.removeEventListener('resize', onResize);
    else draw(true);
  };
  window.addEventListener('resize', onResize);

  function focus(i) {
    if (!items.length) return;
    focused = Math.max(0, Math.min(items.length - 1, i));
    const top = focused * rowHeight;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + rowHeight > el.scrollTop + el.clientHeight) el.scrollTop = top + rowHeight - el.clientHeight;
    draw(true);
    const row = rows.get(focused);
    const target = row && (row.querySelector('a') || row);
    if (target) target.focus({ preventScroll: true });
  }

  el.addEventListener('keydown', (e) => {
    if (e.target.matches('input, textarea, select')) return;
    const cur = focused < 0 ? -1 : focused;
    const keys = { ArrowDown: cur + 1, j: cur + 1, ArrowUp: cur - 1, k: cur - 1, Home: 0, End: items.length - 1,
      PageDown: cur + Math.floor(el.clientHeight / rowHeight), PageUp: cur - Math.floor(el.clientHeight / rowHeight) };
    if (e.key in keys && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      focus(keys[e.key]);
    }
  });
  el.addEventListener('focusin', (e) => {
    const row = e.target.closest('.vl-row');
    if (row) focused = Number(row.dataset.index);
  });

  const emptyEl = h('p.empty', empty);
  return {
    el,
    focus,
    /** Show `list` (keeps the scroll position when possible). */
    set(list) {
      items = list;
      inner.style.height = items.length * rowHeight + 'px';
      el.style.height = Math.min(items.length * rowHeight, Math.max(240, window.innerHeight - el.getBoundingClientRect().top - 24)) + 'px';
      if (!items.length) el.after(emptyEl);
      else emptyEl.remove();
      if (focused >= items.length) focused = -1;
      draw(true);
    },
    get length() { return items.length; },
  };
}
