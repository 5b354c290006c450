// ACL pages (tokens, policies, roles, auth methods): read-only lists that
// appear once the agent has ACLs enabled and answers /v1/acl/*. Until then
// they say so instead of failing.
import { h, mount } from '../dom.js';
import { config } from '../api.js';
import { tabs } from './service.js';

const KINDS = {
  tokens: ['acl/tokens', ['AccessorID', 'Description', (t) => (t.Policies || []).map((p) => p.Name).join(', '), (t) => (t.Local ? 'local' : 'global')], ['Accessor ID', 'Description', 'Policies', 'Scope']],
  policies: ['acl/policies', ['Name', 'Description', (p) => (p.Datacenters || []).join(', ') || 'all'], ['Name', 'Description', 'Datacenters']],
  roles: ['acl/roles', ['Name', 'Description', (r) => (r.Policies || []).map((p) => p.Name).join(', ')], ['Name', 'Description', 'Policies']],
  'auth-methods': ['acl/auth-methods', ['Name', 'Type', 'Description'], ['Name', 'Type', 'Description']],
};

export async function render(ctx) {
  const kind = ctx.match[2] || 'tokens';
  ctx.title('ACL');
  const body = h('div');
  mount(ctx.main, h('div.title', h('h1', 'Access Controls')),
    tabs(ctx, `${ctx.dc}/acls`, [['tokens', 'Tokens'], ['policies', 'Policies'], ['roles', 'Roles'], ['auth-methods', 'Auth methods']], kind), body);
  if (!config.ACLsEnabled) {
    mount(body, h('section.error', { dataset: { error: 'acls-disabled' } }, h('h1', 'ACLs are disabled'), h('p', 'This agent runs without ACLs, so there are no tokens or policies to manage.')));
    return;
  }
  const [path, cols, heads] = KINDS[kind];
  const r = await ctx.api(path, { allow404: true });
  if (r.status === 404) {
    mount(body, h('p.empty', `This server does not answer /v1/${path} yet.`));
    return;
  }
  const rows = r.data || [];
  mount(body, rows.length ? h('table.list', h('thead', h('tr', heads.map((x) => h('th', x)))),
    h('tbody', rows.map((row) => h('tr', cols.map((c) => h('td', typeof c === 'function' ? c(row) : String(row[c] ?? ''))))))) : h('p.empty', 'None.'));
}
