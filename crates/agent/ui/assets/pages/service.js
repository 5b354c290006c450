// Service detail: its instances (node, address:port, checks, tags) with
// search and a status filter, and a Tags tab. Live.
import { h, mount, debounce, worst, countChecks, statusIcon, checkCounts, tags } from '../dom.js';
import { encPath } from '../api.js';
import { createVList } from '../vlist.js';

/** Tabs as links (URL per tab). */
export function tabs(ctx, base, list, current) {
  return h('nav.tabs', { 'aria-label': 'Sections' }, list.map(([slug, label]) =>
    h('a.tab', { href: ctx.href(`${base}/${slug}`), 'aria-current': slug === current ? 'page' : null }, label)));
}

export function address(inst) {
  const addr = inst.Service.Address || inst.Node.Address;
  return inst.Service.Port ? `${addr}:${inst.Service.Port}` : addr;
}

export async function render(ctx) {
  const name = decodeURIComponent(ctx.match[2]);
  const tab = ctx.match[3] || 'instances';
  ctx.title(name);
  const base = `${ctx.dc}/services/${encPath(name)}`;
  const state = { q: ctx.params.get('q') || '', status: ctx.params.get('status') || '' };
  let all = [];
  const head = h('div.title', h('h1', name));
  const body = h('div');
  mount(ctx.main, h('nav.crumbs', h('a', { href: ctx.href(`${ctx.dc}/services`) }, 'All services')), head,
    tabs(ctx, base, [['instances', 'Instances'], ['tags', 'Tags']], tab), body);
  const list = createVList({
    rowHeight: 56, label: 'Instances', empty: 'No instances match.',
    render: (i) => h('div.row.instance', { dataset: { id: i.Service.ID, node: i.Node.Node } },
      statusIcon(i.status),
      h('a.name', { href: ctx.href(`${base}/instances/${encodeURIComponent(i.Node.Node)}/${encodeURIComponent(i.Service.ID)}/healthchecks`) }, i.Service.ID),
      h('span.node', 'on ', h('a', { href: ctx.href(`${ctx.dc}/nodes/${encodeURIComponent(i.Node.Node)}`) }, i.Node.Node)),
      h('span.addr', address(i)),
      checkCounts(i.counts),
      tags(i.Service.Tags)),
  });
  function apply() {
    ctx.setQuery({ q: state.q, status: state.status });
    const q = state.q.toLowerCase();
    list.set(all.filter((i) => (!state.status || i.status === state.status) && (!q || [i.Service.ID, i.Service.Service, i.Node.Node, address(i), String(i.Service.Port), ...(i.Service.Tags || [])]
      .some((x) => String(x).toLowerCase().includes(q)))));
  }
  if (tab === 'instances') {
    mount(body, h('div.toolbar',
      h('input', { type: 'search', name: 'q', placeholder: 'Search by name, node, address, port or tag', 'aria-label': 'Search instances', value: state.q,
        oninput: debounce((e) => { state.q = e.target.value; apply(); }, 80) }),
      h('select', { name: 'status', 'aria-label': 'Health status', onchange: (e) => { state.status = e.target.value; apply(); } },
        [['', 'All statuses'], ['passing', 'Passing'], ['warning', 'Warning'], ['critical', 'Failing']].map(([v, l]) => h('option', { value: v, selected: v === state.status }, l)))),
    list.el);
  }
  ctx.source(`health/service/${encPath(name)}`, { gate: ['service', name] }, (data) => {
    all = (data || []).map((i) => {
      const counts = countChecks(i.Checks);
      return { ...i, counts, status: worst(counts.passing, counts.warning, counts.critical) };
    });
    if (!all.length) {
      mount(body, h('section.error', h('h1', 'Service not found'), h('p', `No instance of “${name}” is registered in ${ctx.dc}.`)));
      return;
    }
    const st = all.reduce((w, i) => (i.status === 'critical' || w === 'critical' ? 'critical' : i.status === 'warning' || w === 'warning' ? 'warning' : i.status), 'passing');
    mount(head, statusIcon(st), h('h1', name), h('span.count-label', `${all.length} instance${all.length === 1 ? '' : 's'}`));
    if (tab === 'tags') {
      const t = [...new Set(all.flatMap((i) => i.Service.Tags || []))].sort();
      mount(body, t.length ? h('div.tags.big', t.map((x) => h('span.tag', x))) : h('p.empty', 'This service has no tags.'));
    } else {
      apply();
    }
  });
}
