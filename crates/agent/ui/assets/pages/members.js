// Members: the LAN gossip pool as this agent sees it (alive, leaving, left,
// failed), with force-leave for members that are not alive. Polled.
import { h, mount, debounce } from '../dom.js';
import { createVList } from '../vlist.js';

const STATUS = { 1: 'alive', 2: 'leaving', 3: 'left', 4: 'failed' };
const ORDER = { failed: 0, leaving: 1, left: 2, alive: 3 };

export async function render(ctx) {
  ctx.title('Members');
  const state = { q: ctx.params.get('q') || '', status: ctx.params.get('status') || '' };
  // Force-leave needs operator:write; without it the button is not offered.
  const mayForce = await ctx.can('operator', 'write');
  if (!ctx.current()) return;
  let all = [];
  const msg = h('div.msgs');
  const count = h('span.count-label');
  const list = createVList({
    rowHeight: 52, label: 'Members', empty: 'No members match.',
    render: (m) => h('div.row.member', { dataset: { member: m.Name, status: m.status } },
      h('span.status.m-' + m.status, { title: m.status, role: 'img', 'aria-label': m.status }),
      h('span.name', m.Name),
      h('span.badge.m-' + m.status, m.status),
      h('span.addr', `${m.Addr}:${m.Port}`),
      h('span.badge', (m.Tags && m.Tags.role) === 'consul' ? 'server' : 'client'),
      m.Tags && m.Tags.dc ? h('span.badge', m.Tags.dc) : null,
      m.Tags && m.Tags.build ? h('span.build', m.Tags.build.split(':')[0]) : null,
      m.status !== 'alive' && mayForce ? h('button.danger', { name: 'force-leave', onclick: () => forceLeave(m.Name) }, 'Force leave') : null),
  });
  async function forceLeave(name) {
    if (!(await ctx.confirmDanger('Force leave', `Mark ${name} as left? Its services are deregistered and it stops being probed. A live agent rejoins by itself.`, 'Force leave'))) return;
    try {
      await ctx.api(`agent/force-leave/${encodeURIComponent(name)}`, { method: 'PUT' });
      mount(msg, h('div.notice.ok', { role: 'status' }, `${name} was told to leave.`));
      src.refresh();
    } catch (e) {
      mount(msg, h('div.notice.error', { role: 'alert' }, `Force leave failed: ${e.message}`));
    }
  }
  function apply() {
    ctx.setQuery({ q: state.q, status: state.status });
    const q = state.q.toLowerCase();
    const shown = all.filter((m) => (!state.status || m.status === state.status) && (!q || m.Name.toLowerCase().includes(q) || m.Addr.includes(q)))
      .sort((a, b) => ORDER[a.status] - ORDER[b.status] || a.Name.localeCompare(b.Name));
    list.set(shown);
    const by = {};
    for (const m of all) by[m.status] = (by[m.status] || 0) + 1;
    count.textContent = Object.entries(by).map(([k, v]) => `${v} ${k}`).join(', ');
  }
  mount(ctx.main, h('div.title', h('h1', 'Members'), count), msg,
    h('div.toolbar',
      h('input', { type: 'search', name: 'q', placeholder: 'Search by name or address', 'aria-label': 'Search members', value: state.q, oninput: debounce((e) => { state.q = e.target.value; apply(); }, 80) }),
      h('select', { name: 'status', 'aria-label': 'Member status', onchange: (e) => { state.status = e.target.value; apply(); } },
        [['', 'All'], ['alive', 'Alive'], ['leaving', 'Leaving'], ['left', 'Left'], ['failed', 'Failed']].map(([v, l]) => h('option', { value: v, selected: v === state.status }, l)))),
    list.el);
  const src = ctx.source('agent/members', { gate: ['node'] }, (data) => {
    all = (data || []).map((m) => ({ ...m, status: STATUS[m.Status] || 'unknown' }));
    apply();
  });
}
