// The code editor of KV values and ACL policy rules: a textarea laid over a
// highlighted copy of its text, a syntax choice and a JSON check.
import { h, mount, debounce } from './dom.js';
import { highlight, validJson } from './highlight.js';

/** Values up to this size get the highlighted editor; larger ones a plain textarea. */
const HIGHLIGHT_MAX = 100000;

/**
 * The value editor: a textarea over a highlighted copy of its text (the
 * textarea's own text is transparent), a syntax choice and a JSON check.
 */
export function editorFor(text, mode, label = 'Value', name = 'value') {
  const area = h('textarea.code', { name, spellcheck: 'false', 'aria-label': label, rows: Math.min(30, Math.max(8, text.split('\n').length + 1)) });
  area.value = text;
  const hl = h('pre.hl', { 'aria-hidden': 'true' });
  const wrap = h('div.code-wrap', hl, area);
  const status = h('span.valid');
  const modeSel = h('select', { name: 'mode', 'aria-label': 'Syntax' }, [['plain', 'Plain text'], ['json', 'JSON'], ['yaml', 'YAML'], ['hcl', 'HCL']].map(([v, l]) => h('option', { value: v, selected: v === mode }, l)));
  const paint = () => {
    const on = modeSel.value !== 'plain' && area.value.length <= HIGHLIGHT_MAX;
    wrap.classList.toggle('highlighted', on);
    if (!on) { mount(hl); return; }
    mount(hl, highlight(area.value, modeSel.value), '\n');
    hl.scrollTop = area.scrollTop;
  };
  const check = () => {
    if (modeSel.value !== 'json') { status.textContent = ''; status.className = 'valid'; return; }
    const err = validJson(area.value);
    status.textContent = err ? `Invalid JSON: ${err}` : 'Valid JSON';
    status.className = 'valid ' + (err ? 'bad' : 'good');
  };
  area.addEventListener('input', paint);
  area.addEventListener('input', debounce(check, 150));
  area.addEventListener('scroll', () => { hl.scrollTop = area.scrollTop; });
  area.addEventListener('keydown', (e) => {
    if (e.key === 'Tab' && !e.shiftKey) { e.preventDefault(); area.setRangeText('  ', area.selectionStart, area.selectionEnd, 'end'); paint(); }
  });
  modeSel.addEventListener('change', () => { paint(); check(); });
  paint();
  check();
  return { area, modeSel, status, el: h('div.editor', h('div.toolbar', modeSel, status), wrap) };
}
