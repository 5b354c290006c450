// One service instance: its health checks (node and service level, with
// output), addresses and metadata. Live.
import { h, mount, debounce, statusIcon, kvTable, tags } from '../dom.js';
import { encPath } from '../api.js';
import { tabs, address } from './service.js';

/** One health check as a card: name, status, type, output, when it last changed. */
export function checkCard(c) {
  const changed = c.StatusChangedAt ? new Date(c.StatusChangedAt) : null;
  return h('article.check.s-border-' + c.Status, { dataset: { check: c.CheckID, status: c.Status } },
    h('header', statusIcon(c.Status === 'passing' || c.Status === 'warning' ? c.Status : 'critical'),
      h('h3', c.Name || c.CheckID), h('span.badge', c.Status), c.ServiceID ? h('span.badge', 'service') : h('span.badge', 'node'),
      c.Type ? h('span.badge', c.Type) : null),
    h('dl',
      h('dt', 'Check ID'), h('dd', c.CheckID),
      c.Notes ? [h('dt', 'Notes'), h('dd', c.Notes)] : null,
      changed ? [h('dt', 'Last changed'), h('dd', h('time', { datetime: changed.toISOString() }, changed.toLocaleString()))] : null,
      h('dt', 'Modify index'), h('dd', String(c.ModifyIndex))),
    h('pre.output', c.Output || 'No output'));
}

/** A list of checks with search (name, id, notes, output) and filters: { el, set(checks) }. */
export function createCheckList() {
  const state = { q: '', status: '', type: '' };
  let checks = [];
  const holder = h('div.checks');
  const typeSel = h('select', { name: 'check-type', 'aria-label': 'Check type', onchange: (e) => { state.type = e.target.value; draw(); } });
  function draw() {
    const q = state.q.toLowerCase();
    const shown = checks.filter((c) => (!state.status || c.Status === state.status) && (!state.type || (c.Type || '') === state.type)
      && (!q || [c.Name, c.CheckID, c.Notes, c.Output, c.ServiceName, c.Node].some((x) => (x || '').toLowerCase().includes(q))));
    mount(holder, shown.length ? shown.map(checkCard) : h('p.empty', checks.length ? 'No checks match.' : 'No health checks.'));
  }
  const el = h('div',
    h('div.toolbar',
      h('input', { type: 'search', name: 'check-q', placeholder: 'Search checks', 'aria-label': 'Search checks', oninput: debounce((e) => { state.q = e.target.value; draw(); }, 100) }),
      h('select', { name: 'check-status', 'aria-label': 'Check status', onchange: (e) => { state.status = e.target.value; draw(); } },
        [['', 'All statuses'], ['passing', 'Passing'], ['warning', 'Warning'], ['critical', 'Failing']].map(([v, l]) => h('option', { value: v }, l))),
      typeSel),
    holder);
  return {
    el,
    set(list) {
      checks = list || [];
      const types = [...new Set(checks.map((c) => c.Type || '').filter(Boolean))].sort();
      mount(typeSel, h('option', { value: '' }, 'All types'), types.map((t) => h('option', { value: t, selected: t === state.type }, t)));
      typeSel.hidden = !types.length;
      draw();
    },
  };
}

export async function render(ctx) {
  const [, , svc, node, id, tabRaw] = ctx.match;
  const name = decodeURIComponent(svc);
  const nodeName = decodeURIComponent(node);
  const instId = decodeURIComponent(id);
  const tab = tabRaw || 'healthchecks';
  const base = `${ctx.dc}/services/${encPath(name)}/instances/${encodeURIComponent(nodeName)}/${encodeURIComponent(instId)}`;
  ctx.title(`${instId} on ${nodeName}`);
  const head = h('div.title', h('h1', instId));
  const body = h('div');
  mount(ctx.main, h('nav.crumbs', h('a', { href: ctx.href(`${ctx.dc}/services`) }, 'All services'), ' / ',
    h('a', { href: ctx.href(`${ctx.dc}/services/${encPath(name)}/instances`) }, name)), head,
    tabs(ctx, base, [['healthchecks', 'Health checks'], ['addresses', 'Addresses'], ['metadata', 'Metadata']], tab), body);
  const checks = createCheckList();
  let inst = null;
  const draw = () => {
    if (!inst) return;
    if (tab === 'healthchecks') {
      if (!body.contains(checks.el)) mount(body, checks.el);
      checks.set(inst.Checks);
    } else if (tab === 'addresses') {
      mount(body, h('table.meta', h('tbody',
        h('tr', h('th', 'Address'), h('td', address(inst))),
        h('tr', h('th', 'Node address'), h('td', inst.Node.Address)),
        Object.entries(inst.Service.TaggedAddresses || {}).map(([k, v]) => h('tr', h('th', k), h('td', typeof v === 'object' ? `${v.Address}:${v.Port}` : String(v)))))));
    } else mount(body, h('h2', 'Service metadata'), kvTable(inst.Service.Meta, 'No metadata.'), h('h2', 'Tags'), tags(inst.Service.Tags, 100));
  };
  ctx.source(`health/service/${encPath(name)}`, { gate: ['service', name] }, (data) => {
    inst = (data || []).find((i) => i.Node.Node === nodeName && i.Service.ID === instId) || null;
    if (!inst) {
      mount(body, h('section.error', h('h1', 'Instance not found'), h('p', `${instId} is not registered on ${nodeName}.`)));
      return;
    }
    mount(head, h('h1', instId), h('span.count-label', 'on ', h('a', { href: ctx.href(`${ctx.dc}/nodes/${encodeURIComponent(nodeName)}`) }, nodeName), ' · ', address(inst)));
    draw();
  });
}
