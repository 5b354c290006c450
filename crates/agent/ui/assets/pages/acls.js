// The ACL section: tabs for tokens, policies, roles and auth methods, each
// page in its own module. Write controls appear only with acl:write; a token
// without acl:read gets the permission page from the API's 403.
import { h, mount } from '../dom.js';
import { config } from '../api.js';
import { tabs } from './service.js';

const PAGES = {
  tokens: () => import('./acl-tokens.js'),
  policies: () => import('./acl-policies.js'),
  roles: () => import('./acl-roles.js'),
  'auth-methods': () => import('./acl-auth-methods.js'),
};

export async function render(ctx) {
  const kind = ctx.match[2];
  // The bare /acls (Consul's legacy page) opens the tokens.
  if (!kind) return ctx.navigate(`${ctx.dc}/acls/tokens`, true);
  let id = (ctx.match[3] || '').replace(/\/$/, '');
  try { id = decodeURIComponent(id); } catch { /* keep it as typed */ }
  ctx.title('ACL');
  const body = h('div.acl', { dataset: { kind } });
  mount(ctx.main, h('div.title', h('h1', 'Access Controls')),
    tabs(ctx, `${ctx.dc}/acls`, [['tokens', 'Tokens'], ['policies', 'Policies'], ['roles', 'Roles'], ['auth-methods', 'Auth methods']], kind), body);
  if (!config.ACLsEnabled) {
    mount(body, h('section.error', { dataset: { error: 'acls-disabled' } }, h('h1', 'ACLs are disabled'), h('p', 'This agent runs without ACLs, so there are no tokens or policies to manage.')));
    return;
  }
  const [mod, writable] = await Promise.all([PAGES[kind](), ctx.can('acl', 'write')]);
  if (!ctx.current()) return;
  await mod.render({ ...ctx, main: body, writable }, id);
}
