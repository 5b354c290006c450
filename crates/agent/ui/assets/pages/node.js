// Node detail: health checks, service instances, round-trip times (from
// network coordinates), lock sessions (with invalidate) and metadata. Live.
import { h, mount, kvTable, tags, countChecks, checkCounts, worst, statusIcon } from '../dom.js';
import { encPath } from '../api.js';
import { tabs } from './service.js';
import { createCheckList } from './instance.js';

/** Estimated RTT in ms between two Vivaldi coordinates (Serf's formula). */
export function rtt(a, b) {
  let sum = 0;
  for (let i = 0; i < a.Vec.length; i++) sum += (a.Vec[i] - b.Vec[i]) ** 2;
  let d = Math.sqrt(sum) + a.Height + b.Height;
  const adjusted = d + a.Adjustment + b.Adjustment;
  if (adjusted > 0) d = adjusted;
  return d * 1000;
}

const TABS = [['health-checks', 'Health checks'], ['service-instances', 'Service instances'], ['round-trip-time', 'Round trip time'], ['lock-sessions', 'Lock sessions'], ['metadata', 'Metadata']];

export async function render(ctx) {
  const name = decodeURIComponent(ctx.match[2]);
  const tab = ctx.match[3] || 'health-checks';
  const base = `${ctx.dc}/nodes/${encodeURIComponent(name)}`;
  ctx.title(name);
  const head = h('div.title', h('h1', name));
  const body = h('div');
  mount(ctx.main, h('nav.crumbs', h('a', { href: ctx.href(`${ctx.dc}/nodes`) }, 'All nodes')), head, tabs(ctx, base, TABS, tab), body);
  const enc = encodeURIComponent(name);
  let node = null;
  ctx.source(`catalog/node/${enc}`, { allow404: true, gate: ['node', name] }, (data) => {
    node = data;
    if (!data || !data.Node) {
      mount(body, h('section.error', h('h1', 'Node not found'), h('p', `No node “${name}” is registered in ${ctx.dc}.`)));
      return;
    }
    mount(head, h('h1', name), h('span.count-label', data.Node.Address));
    if (tab === 'metadata') {
      mount(body, h('h2', 'Node metadata'), kvTable(data.Node.Meta, 'No metadata.'), h('h2', 'Tagged addresses'), kvTable(data.Node.TaggedAddresses, 'None.'),
        h('h2', 'Identity'), kvTable({ ID: data.Node.ID, Datacenter: data.Node.Datacenter }));
    }
  });
  if (tab === 'health-checks' || tab === 'service-instances') {
    const checks = createCheckList();
    ctx.source(`health/node/${enc}`, {}, (data) => {
      if (tab === 'health-checks') {
        if (!body.contains(checks.el)) mount(body, checks.el);
        checks.set(data || []);
        return;
      }
      // Service instances: the node's services, each with its checks and the node's.
      const nodeChecks = (data || []).filter((c) => !c.ServiceID);
      ctx.api(`catalog/node/${enc}`, { allow404: true }).then((r) => {
        const svcs = Object.values((r.data && r.data.Services) || {}).sort((a, b) => a.Service.localeCompare(b.Service) || a.ID.localeCompare(b.ID));
        mount(body, svcs.length ? h('div.rows', svcs.map((s) => {
          const c = countChecks([...nodeChecks, ...(data || []).filter((k) => k.ServiceID === s.ID)]);
          return h('div.row.instance', { dataset: { id: s.ID } }, statusIcon(worst(c.passing, c.warning, c.critical)),
            h('a.name', { href: ctx.href(`${ctx.dc}/services/${encPath(s.Service)}/instances/${enc}/${encodeURIComponent(s.ID)}/healthchecks`) }, s.ID),
            h('span.node', s.Service), h('span.addr', `${s.Address || (r.data.Node.Address)}:${s.Port}`), checkCounts(c), tags(s.Tags));
        })) : h('p.empty', 'No services are registered on this node.'));
      });
    });
  } else if (tab === 'round-trip-time') {
    ctx.source('coordinate/nodes', { allow404: true }, (data, res) => {
      if (res.status === 404 || !Array.isArray(data)) {
        mount(body, h('p.empty', 'This server does not publish network coordinates (/v1/coordinate/nodes) yet.'));
        return;
      }
      const me = data.find((c) => c.Node === name);
      const others = data.filter((c) => c.Node !== name);
      if (!me || !others.length) {
        mount(body, h('p.empty', 'Not enough coordinates to estimate round trip times.'));
        return;
      }
      const d = others.map((o) => ({ node: o.Node, ms: rtt(me.Coord, o.Coord) })).sort((a, b) => a.ms - b.ms);
      const median = d.length % 2 ? d[(d.length - 1) / 2].ms : (d[d.length / 2 - 1].ms + d[d.length / 2].ms) / 2;
      mount(body, h('div.stats', [['Minimum', d[0].ms], ['Median', median], ['Maximum', d[d.length - 1].ms]].map(([l, v]) => h('div.stat', h('span', l), h('strong', `${v.toFixed(2)} ms`)))),
        h('table.meta', h('tbody', d.map((x) => h('tr', h('th', x.node), h('td', `${x.ms.toFixed(2)} ms`))))));
    });
  } else if (tab === 'lock-sessions') {
    // Invalidating needs session:write on the node.
    const mayDestroy = await ctx.can('session', 'write', name);
    if (!ctx.current()) return;
    const draw = (data, res) => {
      if (res.status === 404) {
        mount(body, h('p.empty', 'This server has no sessions API (/v1/session) yet, so there are no lock sessions to show.'));
        return;
      }
      if (!data || !data.length) {
        mount(body, h('p.empty', 'No lock sessions on this node.'));
        return;
      }
      mount(body, h('div.rows', data.map((s) => h('div.row.session', { dataset: { session: s.ID } },
        h('span.name', s.Name || s.ID), h('code', s.ID), h('span.badge', s.Behavior || 'release'), s.TTL ? h('span.badge', `TTL ${s.TTL}`) : null,
        mayDestroy && h('button.danger', { onclick: async () => {
          if (!(await ctx.confirmDanger('Invalidate session', `Invalidate session ${s.ID}? Locks it holds are released (or their keys deleted, by its behaviour).`, 'Invalidate'))) return;
          await ctx.api(`session/destroy/${encodeURIComponent(s.ID)}`, { method: 'PUT' });
          sessions.refresh();
        } }, 'Invalidate')))));
    };
    const sessions = ctx.source(`session/node/${enc}`, { allow404: true }, draw);
  }
  void node;
}
