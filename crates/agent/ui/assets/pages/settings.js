// Settings: live updates (blocking queries) on or off, and the colour theme.
import { h, mount } from '../dom.js';
import { liveEnabled, setLiveEnabled } from '../live.js';

export async function render(ctx) {
  ctx.title('Settings');
  const theme = localStorage.getItem('consul:theme') || 'auto';
  mount(ctx.main, h('h1', 'Settings'),
    h('section.card',
      h('h2', 'Live updates'),
      h('label.checkbox', h('input', { type: 'checkbox', name: 'blocking', checked: liveEnabled(), onchange: (e) => setLiveEnabled(e.target.checked) }),
        ' Keep catalog information up to date without refreshing the page (blocking queries)')),
    h('section.card',
      h('h2', 'Theme'),
      h('select', { name: 'theme', 'aria-label': 'Theme', onchange: (e) => {
        localStorage.setItem('consul:theme', e.target.value);
        if (e.target.value === 'auto') delete document.documentElement.dataset.theme;
        else document.documentElement.dataset.theme = e.target.value;
      } }, ['auto', 'light', 'dark'].map((t) => h('option', { value: t, selected: t === theme }, t === 'auto' ? 'Follow the system' : t)))));
}
