// Servers: the Raft configuration (voters, leader) and autopilot's health
// view (failure tolerance, last contact, term and index per server). Polled.
import { h, mount } from '../dom.js';

function fmtContact(c) {
  if (c === undefined || c === null) return '—';
  return typeof c === 'number' ? `${(c / 1e6).toFixed(1)} ms` : String(c);
}

export async function render(ctx) {
  ctx.title('Servers');
  const summary = h('div.stats');
  const body = h('div');
  mount(ctx.main, h('div.title', h('h1', 'Servers')), summary, body);
  let raft = null;
  let health = null;
  const draw = () => {
    if (!raft) return;
    const byId = new Map(((health && health.Servers) || []).map((s) => [s.ID, s]));
    const voters = raft.Servers.filter((s) => s.Voter).length;
    mount(summary,
      h('div.stat', h('span', 'Servers'), h('strong', String(raft.Servers.length))),
      h('div.stat', h('span', 'Voters'), h('strong', String(voters))),
      h('div.stat', h('span', 'Failure tolerance'), h('strong', health ? String(health.FailureTolerance) : '—')),
      h('div.stat', h('span', 'Cluster health'), h('strong', { dataset: { healthy: health ? String(health.Healthy) : 'unknown' } }, health ? (health.Healthy ? 'healthy' : 'unhealthy') : '—')));
    mount(body, h('table.list',
      h('thead', h('tr', ['Node', 'Address', 'Role', 'Health', 'Last contact', 'Last term', 'Last index'].map((x) => h('th', x)))),
      h('tbody', raft.Servers.map((s) => {
        const hs = byId.get(s.ID) || {};
        return h('tr.server', { dataset: { server: s.Node } },
          h('td', h('a', { href: ctx.href(`${ctx.dc}/nodes/${encodeURIComponent(s.Node)}`) }, s.Node), s.Leader ? [' ', h('span.badge.leader', 'Leader')] : null),
          h('td', s.Address),
          h('td', s.Voter ? 'voter' : 'non-voter'),
          h('td', hs.Healthy === undefined ? '—' : hs.Healthy ? 'healthy' : 'unhealthy'),
          h('td', fmtContact(hs.LastContact)),
          h('td', hs.LastTerm === undefined ? '—' : String(hs.LastTerm)),
          h('td', hs.LastIndex === undefined ? '—' : String(hs.LastIndex)));
      }))));
  };
  ctx.source('operator/raft/configuration', {}, (data) => { raft = data; draw(); });
  ctx.source('operator/autopilot/health', { allow404: true }, (data, res) => { health = res.status === 404 ? null : data; draw(); }, () => {});
}
