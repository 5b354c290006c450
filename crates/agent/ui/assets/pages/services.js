// Services list: aggregate health, instance counts, tags, sources; search
// (name and/or tags), filters (status, source), sort. Live.
import { h, mount, debounce, worst, statusIcon, tags, STATUS_RANK } from '../dom.js';
import { encPath } from '../api.js';
import { createVList } from '../vlist.js';

export function status(s) {
  return worst(s.ChecksPassing, s.ChecksWarning, s.ChecksCritical);
}

const SORTS = {
  'status-asc': (a, b) => STATUS_RANK[a.status] - STATUS_RANK[b.status] || a.Name.localeCompare(b.Name),
  'status-desc': (a, b) => STATUS_RANK[b.status] - STATUS_RANK[a.status] || a.Name.localeCompare(b.Name),
  'name-asc': (a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0),
  'name-desc': (a, b) => (a.Name > b.Name ? -1 : a.Name < b.Name ? 1 : 0),
};

export async function render(ctx) {
  ctx.title('Services');
  const p = ctx.params;
  const state = {
    q: p.get('q') || '', inName: p.get('in') !== 'tags', inTags: p.get('in') !== 'name',
    status: p.get('status') || '', source: p.get('source') || '', sort: p.get('sort') || 'status-asc',
  };
  let all = [];
  const count = h('span.count-label');
  const list = createVList({
    rowHeight: 52, label: 'Services', empty: 'No services match.',
    render: (s) => h('div.row.service', { dataset: { name: s.Name, status: s.status } },
      statusIcon(s.status),
      h('a.name', { href: ctx.href(`${ctx.dc}/services/${encPath(s.Name)}/instances`) }, s.Name),
      s.Kind ? h('span.badge', s.Kind) : null,
      (s.ExternalSources || []).map((x) => h('span.badge.source', x)),
      h('span.instances', `${s.InstanceCount} instance${s.InstanceCount === 1 ? '' : 's'}`),
      tags(s.Tags)),
  });
  const sourceSel = h('select', { name: 'source', 'aria-label': 'Source', onchange: (e) => { state.source = e.target.value; apply(); } });
  function apply() {
    ctx.setQuery({ q: state.q, status: state.status, source: state.source, sort: state.sort === 'status-asc' ? '' : state.sort,
      in: state.inName && state.inTags ? '' : state.inName ? 'name' : 'tags' });
    const q = state.q.toLowerCase();
    const shown = all.filter((s) => (!state.status || s.status === state.status)
      && (!state.source || (s.ExternalSources || []).includes(state.source))
      && (!q || (state.inName && s.Name.toLowerCase().includes(q)) || (state.inTags && (s.Tags || []).some((t) => t.toLowerCase().includes(q)))));
    shown.sort(SORTS[state.sort] || SORTS['status-asc']);
    list.set(shown);
    count.textContent = shown.length === all.length ? `${all.length} services` : `${shown.length} of ${all.length} services`;
  }
  mount(ctx.main,
    h('div.title', h('h1', 'Services'), count),
    h('div.toolbar',
      h('input', { type: 'search', name: 'q', placeholder: 'Search', 'aria-label': 'Search services', value: state.q, oninput: debounce((e) => { state.q = e.target.value; apply(); }, 80) }),
      h('label.checkbox', h('input', { type: 'checkbox', checked: state.inName, onchange: (e) => { state.inName = e.target.checked; apply(); } }), ' Name'),
      h('label.checkbox', h('input', { type: 'checkbox', checked: state.inTags, onchange: (e) => { state.inTags = e.target.checked; apply(); } }), ' Tags'),
      h('select', { name: 'status', 'aria-label': 'Health status', onchange: (e) => { state.status = e.target.value; apply(); } },
        [['', 'All statuses'], ['passing', 'Passing'], ['warning', 'Warning'], ['critical', 'Failing'], ['empty', 'No checks']]
          .map(([v, l]) => h('option', { value: v, selected: v === state.status }, l))),
      sourceSel,
      h('select', { name: 'sort', 'aria-label': 'Sort', onchange: (e) => { state.sort = e.target.value; apply(); } },
        [['status-asc', 'Unhealthy first'], ['status-desc', 'Healthy first'], ['name-asc', 'Name A–Z'], ['name-desc', 'Name Z–A']]
          .map(([v, l]) => h('option', { value: v, selected: v === state.sort }, l)))),
    list.el);
  ctx.source('internal/ui/services', { gate: ['service'] }, (data, res) => {
    ctx.timed('services', () => {
      all = (data || []).map((s) => ({ ...s, status: status(s) }));
      const sources = [...new Set(all.flatMap((s) => s.ExternalSources || []))].sort();
      mount(sourceSel, h('option', { value: '' }, 'All sources'), sources.map((x) => h('option', { value: x, selected: x === state.source }, x)));
      sourceSel.hidden = !sources.length;
      apply();
    }, res);
  });
}
