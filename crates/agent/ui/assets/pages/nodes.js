// Nodes list: health, address, service-instance count, a Leader badge on the
// Raft leader; search (name, address, meta), status filter, sort. Live.
import { h, mount, debounce, worst, countChecks, statusIcon, STATUS_RANK } from '../dom.js';
import { createVList } from '../vlist.js';

export async function render(ctx) {
  ctx.title('Nodes');
  const state = { q: ctx.params.get('q') || '', status: ctx.params.get('status') || '', sort: ctx.params.get('sort') || 'status-asc' };
  let all = [];
  let leader = '';
  const count = h('span.count-label');
  const list = createVList({
    rowHeight: 52, label: 'Nodes', empty: 'No nodes match.',
    render: (n) => h('div.row.node', { dataset: { node: n.Node, status: n.status } },
      statusIcon(n.status),
      h('a.name', { href: ctx.href(`${ctx.dc}/nodes/${encodeURIComponent(n.Node)}/health-checks`) }, n.Node),
      leader && leader === n.Address ? h('span.badge.leader', { title: 'Raft leader' }, 'Leader') : null,
      h('span.addr', n.Address),
      h('span.instances', `${(n.Services || []).length} service instance${(n.Services || []).length === 1 ? '' : 's'}`)),
  });
  function apply() {
    ctx.setQuery({ q: state.q, status: state.status, sort: state.sort === 'status-asc' ? '' : state.sort });
    const q = state.q.toLowerCase();
    const shown = all.filter((n) => (!state.status || n.status === state.status)
      && (!q || n.Node.toLowerCase().includes(q) || n.Address.includes(q) || Object.entries(n.Meta || {}).some(([k, v]) => `${k}:${v}`.toLowerCase().includes(q))));
    const byName = (a, b) => a.Node.localeCompare(b.Node);
    shown.sort({
      'status-asc': (a, b) => STATUS_RANK[a.status] - STATUS_RANK[b.status] || byName(a, b),
      'status-desc': (a, b) => STATUS_RANK[b.status] - STATUS_RANK[a.status] || byName(a, b),
      'name-asc': byName, 'name-desc': (a, b) => byName(b, a),
    }[state.sort] || byName);
    list.set(shown);
    count.textContent = shown.length === all.length ? `${all.length} nodes` : `${shown.length} of ${all.length} nodes`;
  }
  mount(ctx.main, h('div.title', h('h1', 'Nodes'), count),
    h('div.toolbar',
      h('input', { type: 'search', name: 'q', placeholder: 'Search by name, address or meta', 'aria-label': 'Search nodes', value: state.q, oninput: debounce((e) => { state.q = e.target.value; apply(); }, 80) }),
      h('select', { name: 'status', 'aria-label': 'Health status', onchange: (e) => { state.status = e.target.value; apply(); } },
        [['', 'All statuses'], ['passing', 'Passing'], ['warning', 'Warning'], ['critical', 'Failing']].map(([v, l]) => h('option', { value: v, selected: v === state.status }, l))),
      h('select', { name: 'sort', 'aria-label': 'Sort', onchange: (e) => { state.sort = e.target.value; apply(); } },
        [['status-asc', 'Unhealthy first'], ['status-desc', 'Healthy first'], ['name-asc', 'Name A–Z'], ['name-desc', 'Name Z–A']].map(([v, l]) => h('option', { value: v, selected: v === state.sort }, l)))),
    list.el);
  ctx.source('status/leader', {}, (data) => {
    leader = String(data || '').replace(/:\d+$/, '');
    if (all.length) apply();
  }, () => {});
  ctx.source('internal/ui/nodes', { gate: ['node'] }, (data, res) => {
    ctx.timed('nodes', () => {
      all = (data || []).map((n) => {
        const c = countChecks(n.Checks);
        return { ...n, status: worst(c.passing, c.warning, c.critical) };
      });
      apply();
    }, res);
  });
}
