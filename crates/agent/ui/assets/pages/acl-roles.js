// ACL roles: the list (search by name, description or policy) and one
// role's page to create, edit (policies, service and node identities) or
// delete it.
import { h, mount, debounce } from '../dom.js';
import { resetAuth } from '../auth.js';
import { notice, field, chips, identityChips, picker, identities, optional, counted } from './acl-common.js';

async function remove(ctx, r, msg, after) {
  if (!(await ctx.confirmDanger('Delete role', `Delete the role “${r.Name}”? Tokens with it lose what it grants. This cannot be undone.`))) return;
  try {
    await ctx.api(`acl/role/${encodeURIComponent(r.ID)}`, { method: 'DELETE' });
    resetAuth();
    after();
  } catch (e) {
    notice(msg, `Delete failed: ${e.message}`, 'error');
  }
}

async function list(ctx) {
  ctx.title('Roles');
  let q = ctx.params.get('q') || '';
  let all = [];
  const msg = h('div.msgs');
  const count = h('span.count-label');
  const rows = h('div.rows.roles', { role: 'list', 'aria-label': 'Roles' });
  const row = (r) => h('div.row.role', { role: 'listitem', dataset: { name: r.Name, id: r.ID } },
    h('a.name', { href: ctx.href(`${ctx.dc}/acls/roles/${encodeURIComponent(r.ID)}`) }, r.Name),
    h('span.desc', r.Description || ''),
    h('span.chips', chips(r.Policies, 'policy'), identityChips(r)),
    h('span.row-actions', ctx.writable ? h('button.danger', { name: 'delete', onclick: () => remove(ctx, r, msg, () => src.refresh()) }, 'Delete') : null));
  function apply() {
    ctx.setQuery({ q });
    const ql = q.toLowerCase();
    const shown = all.filter((r) => !ql || [r.Name, r.Description, ...(r.Policies || []).map((p) => p.Name)].some((x) => x && x.toLowerCase().includes(ql)));
    mount(rows, shown.length ? shown.map(row) : h('p.empty', all.length ? 'No roles match.' : 'No roles yet.'));
    count.textContent = counted(shown.length, all.length, 'role', 'roles');
  }
  mount(ctx.main,
    h('div.title', h('h2', 'Roles'), count, h('div.actions',
      ctx.writable ? h('a.button.primary', { name: 'create', href: ctx.href(`${ctx.dc}/acls/roles/create`) }, 'Create') : null)),
    msg,
    h('div.toolbar', h('input', { type: 'search', name: 'q', placeholder: 'Search by name, description or policy', 'aria-label': 'Search roles', value: q,
      oninput: debounce((e) => { q = e.target.value; apply(); }, 80) })),
    rows);
  const src = ctx.source('acl/roles', {}, (data) => {
    all = (data || []).sort((a, b) => a.Name.localeCompare(b.Name));
    apply();
  });
}

async function detail(ctx, id) {
  const isNew = id === 'create';
  ctx.title(isNew ? 'New role' : 'Role');
  const [role, policies] = await Promise.all([
    isNew ? null : ctx.api(`acl/role/${encodeURIComponent(id)}`, { allow404: true }).then((r) => r.data),
    optional(ctx, 'acl/policies'),
  ]);
  if (!ctx.current()) return;
  if (!isNew && !role) {
    mount(ctx.main, h('section.error', h('h1', 'Role not found'), h('p', `There is no role ${id}.`), h('a', { href: ctx.href(`${ctx.dc}/acls/roles`) }, 'All roles')));
    return;
  }
  const r = role || {};
  const msg = h('div.msgs');
  if (ctx.params.get('saved')) notice(msg, 'Saved.', 'ok');
  const name = h('input', { name: 'name', value: r.Name || '', required: true, autocomplete: 'off' });
  const desc = h('input', { name: 'description', value: r.Description || '', autocomplete: 'off' });
  const pol = picker('Policies', 'policy', policies, r.Policies);
  const svc = identities('service', r.ServiceIdentities);
  const node = identities('node', r.NodeIdentities);
  async function save() {
    const body = { Name: name.value.trim(), Description: desc.value.trim(), Policies: pol.value(), ServiceIdentities: svc.value(), NodeIdentities: node.value() };
    if (!body.Name) { notice(msg, 'Give the role a name.', 'error'); return; }
    if (!isNew) body.ID = r.ID;
    try {
      const res = await ctx.api(isNew ? 'acl/role' : `acl/role/${encodeURIComponent(r.ID)}`, { method: 'PUT', body });
      resetAuth();
      ctx.navigate(`${ctx.dc}/acls/roles/${encodeURIComponent(res.data.ID)}?saved=1`, !isNew);
    } catch (e) {
      notice(msg, `Not saved: ${e.message}`, 'error');
    }
  }
  mount(ctx.main,
    h('nav.crumbs', h('a', { href: ctx.href(`${ctx.dc}/acls/roles`) }, 'All roles')),
    h('div.title', h('h2', isNew ? 'New role' : r.Name),
      !isNew && ctx.writable ? h('div.actions', h('button.danger', { name: 'delete', onclick: () => remove(ctx, r, msg, () => ctx.navigate(`${ctx.dc}/acls/roles`)) }, 'Delete')) : null),
    msg,
    h('form.card.acl-form', { onsubmit: (e) => { e.preventDefault(); save(); } },
      h('fieldset.plain', { disabled: !ctx.writable },
        field('Name', name),
        field('Description', desc),
        pol.el, svc.el, node.el,
        ctx.writable ? h('div.actions', h('button.primary', { type: 'submit', name: 'save' }, isNew ? 'Create role' : 'Save'),
          h('a.button', { href: ctx.href(`${ctx.dc}/acls/roles`) }, 'Cancel')) : h('p.hint.read-only', 'Read-only: your token may not change ACLs.'))));
  if (isNew) name.focus();
}

/** `id` '' lists the roles, 'create' makes one, an ID shows it. */
export async function render(ctx, id) {
  return id ? detail(ctx, id) : list(ctx);
}
