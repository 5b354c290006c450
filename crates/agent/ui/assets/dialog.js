// Modal dialogs: a box over a backdrop with actions and Cancel, closed by
// Escape; and the "are you sure" question before destructive actions.
import { h, mount } from './dom.js';

/**
 * A modal dialog. `actions` = [[label, fn, cls]]; a Cancel button is added.
 * An action that answers false keeps the dialog open.
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
