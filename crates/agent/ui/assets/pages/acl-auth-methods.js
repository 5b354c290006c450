// ACL auth methods and their binding rules, read-only: the list, and one
// method's settings with the rules that turn its logins into tokens.
import { h, mount, kvTable } from '../dom.js';
import { when } from './acl-common.js';

async function list(ctx) {
  ctx.title('Auth methods');
  const rows = h('div.rows.auth-methods', { role: 'list', 'aria-label': 'Auth methods' });
  mount(ctx.main, h('div.title', h('h2', 'Auth methods')), h('p.hint', 'Auth methods are managed with the CLI or API (consul acl auth-method); they are shown here read-only.'), rows);
  ctx.source('acl/auth-methods', {}, (data) => {
    const all = (data || []).sort((a, b) => a.Name.localeCompare(b.Name));
    mount(rows, all.length ? all.map((m) => h('div.row.auth-method', { role: 'listitem', dataset: { name: m.Name } },
      h('a.name', { href: ctx.href(`${ctx.dc}/acls/auth-methods/${encodeURIComponent(m.Name)}`) }, m.DisplayName || m.Name),
      h('span.badge', m.Type),
      h('span.desc', m.Description || ''),
      m.TokenLocality ? h('span.badge', `${m.TokenLocality} tokens`) : null)) : h('p.empty', 'No auth methods.'));
  });
}

async function detail(ctx, name) {
  ctx.title(name);
  const [m, rules] = await Promise.all([
    ctx.api(`acl/auth-method/${encodeURIComponent(name)}`, { allow404: true }).then((r) => r.data),
    ctx.api('acl/binding-rules', { query: { authmethod: name }, allow404: true }).then((r) => r.data || []),
  ]);
  if (!ctx.current()) return;
  if (!m) {
    mount(ctx.main, h('section.error', h('h1', 'Auth method not found'), h('p', `There is no auth method “${name}”.`), h('a', { href: ctx.href(`${ctx.dc}/acls/auth-methods`) }, 'All auth methods')));
    return;
  }
  mount(ctx.main,
    h('nav.crumbs', h('a', { href: ctx.href(`${ctx.dc}/acls/auth-methods`) }, 'All auth methods')),
    h('div.title', h('h2', m.DisplayName || m.Name), h('span.badge', m.Type)),
    h('table.meta.auth-method', h('tbody', [['Name', m.Name], ['Type', m.Type], ['Description', m.Description || '—'],
      ['Max token TTL', m.MaxTokenTTL || '—'], ['Token locality', m.TokenLocality || 'local'], ['Created index', m.CreateIndex]]
      .map(([k, v]) => h('tr', h('th', k), h('td', String(v ?? '—')))))),
    h('h3', 'Config'), kvTable(m.Config, 'No config.'),
    h('h3', 'Binding rules'),
    rules.length ? h('table.list.binding-rules', h('thead', h('tr', ['Bind type', 'Bind name', 'Selector', 'Description'].map((x) => h('th', x)))),
      h('tbody', rules.map((r) => h('tr', { dataset: { id: r.ID } }, h('td', r.BindType), h('td', h('code', r.BindName)), h('td', r.Selector ? h('code', r.Selector) : 'every login'), h('td', r.Description || '')))))
      : h('p.empty', 'No binding rules: logins with this method get no token.'),
    h('p.hint', `Modified at index ${m.ModifyIndex}${m.CreateTime ? `, created ${when(m.CreateTime)}` : ''}.`));
}

/** `name` '' lists the auth methods, else shows one. */
export async function render(ctx, name) {
  return name ? detail(ctx, name) : list(ctx);
}
