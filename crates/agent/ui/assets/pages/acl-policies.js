// ACL policies: the list (search by name or description) and one policy's
// page to create, edit (rules in the code editor, datacenter scope) or
// delete it. The built-in global-management policy is shown read-only.
import { h, mount, debounce } from '../dom.js';
import { resetAuth } from '../auth.js';
import { editorFor } from '../editor.js';
import { GLOBAL_MANAGEMENT, notice, field, optional, counted } from './acl-common.js';

const EXAMPLE = 'service_prefix "" {\n  policy = "read"\n}\n';

async function remove(ctx, p, msg, after) {
  if (!(await ctx.confirmDanger('Delete policy', `Delete the policy “${p.Name}”? Tokens and roles using it lose what it grants. This cannot be undone.`))) return;
  try {
    await ctx.api(`acl/policy/${encodeURIComponent(p.ID)}`, { method: 'DELETE' });
    resetAuth();
    after();
  } catch (e) {
    notice(msg, `Delete failed: ${e.message}`, 'error');
  }
}

async function list(ctx) {
  ctx.title('Policies');
  let q = ctx.params.get('q') || '';
  let all = [];
  const msg = h('div.msgs');
  const count = h('span.count-label');
  const rows = h('div.rows.policies', { role: 'list', 'aria-label': 'Policies' });
  const row = (p) => h('div.row.policy', { role: 'listitem', dataset: { name: p.Name, id: p.ID } },
    h('a.name', { href: ctx.href(`${ctx.dc}/acls/policies/${encodeURIComponent(p.ID)}`) }, p.Name),
    p.ID === GLOBAL_MANAGEMENT ? h('span.badge', 'built-in') : null,
    h('span.desc', p.Description || ''),
    h('span.badge', { title: 'Valid in' }, (p.Datacenters || []).length ? p.Datacenters.join(', ') : 'all datacenters'),
    h('span.row-actions', ctx.writable && p.ID !== GLOBAL_MANAGEMENT
      ? h('button.danger', { name: 'delete', onclick: () => remove(ctx, p, msg, () => src.refresh()) }, 'Delete') : null));
  function apply() {
    ctx.setQuery({ q });
    const ql = q.toLowerCase();
    const shown = all.filter((p) => !ql || p.Name.toLowerCase().includes(ql) || (p.Description || '').toLowerCase().includes(ql));
    mount(rows, shown.length ? shown.map(row) : h('p.empty', 'No policies match.'));
    count.textContent = counted(shown.length, all.length, 'policy', 'policies');
  }
  mount(ctx.main,
    h('div.title', h('h2', 'Policies'), count, h('div.actions',
      ctx.writable ? h('a.button.primary', { name: 'create', href: ctx.href(`${ctx.dc}/acls/policies/create`) }, 'Create') : null)),
    msg,
    h('div.toolbar', h('input', { type: 'search', name: 'q', placeholder: 'Search by name or description', 'aria-label': 'Search policies', value: q,
      oninput: debounce((e) => { q = e.target.value; apply(); }, 80) })),
    rows);
  const src = ctx.source('acl/policies', {}, (data) => {
    all = (data || []).sort((a, b) => a.Name.localeCompare(b.Name));
    apply();
  });
}

async function detail(ctx, id) {
  const isNew = id === 'create';
  ctx.title(isNew ? 'New policy' : 'Policy');
  const [pol, dcs] = await Promise.all([
    isNew ? null : ctx.api(`acl/policy/${encodeURIComponent(id)}`, { allow404: true }).then((r) => r.data),
    optional(ctx, 'catalog/datacenters'),
  ]);
  if (!ctx.current()) return;
  if (!isNew && !pol) {
    mount(ctx.main, h('section.error', h('h1', 'Policy not found'), h('p', `There is no policy ${id}.`), h('a', { href: ctx.href(`${ctx.dc}/acls/policies`) }, 'All policies')));
    return;
  }
  const p = pol || { Rules: EXAMPLE };
  const builtin = p.ID === GLOBAL_MANAGEMENT;
  const editable = ctx.writable && !builtin;
  const msg = h('div.msgs');
  if (ctx.params.get('saved')) notice(msg, 'Saved.', 'ok');
  const name = h('input', { name: 'name', value: p.Name || '', required: true, autocomplete: 'off' });
  const desc = h('input', { name: 'description', value: p.Description || '', autocomplete: 'off' });
  const scoped = new Set(p.Datacenters || []);
  const allDcs = h('input', { type: 'radio', name: 'scope', value: 'all', checked: !scoped.size });
  const someDcs = h('input', { type: 'radio', name: 'scope', value: 'some', checked: !!scoped.size });
  const dcBoxes = [...new Set([...dcs, ...scoped])].map((d) => h('label.checkbox', h('input', { type: 'checkbox', name: 'datacenter', value: d, checked: scoped.has(d) }), ' ', d));
  const ed = editorFor(p.Rules || '', 'hcl', 'Rules', 'rules');
  async function save() {
    const chosen = dcBoxes.map((l) => l.querySelector('input')).filter((i) => i.checked).map((i) => i.value);
    const body = { Name: name.value.trim(), Description: desc.value.trim(), Rules: ed.area.value, Datacenters: someDcs.checked ? chosen : [] };
    if (!body.Name) { notice(msg, 'Give the policy a name.', 'error'); return; }
    if (!isNew) body.ID = p.ID;
    try {
      const r = await ctx.api(isNew ? 'acl/policy' : `acl/policy/${encodeURIComponent(p.ID)}`, { method: 'PUT', body });
      resetAuth();
      ctx.navigate(`${ctx.dc}/acls/policies/${encodeURIComponent(r.data.ID)}?saved=1`, !isNew);
    } catch (e) {
      notice(msg, `Not saved: ${e.message}`, 'error');
    }
  }
  mount(ctx.main,
    h('nav.crumbs', h('a', { href: ctx.href(`${ctx.dc}/acls/policies`) }, 'All policies')),
    h('div.title', h('h2', isNew ? 'New policy' : p.Name), builtin ? h('span.badge', 'built-in') : null,
      !isNew && editable ? h('div.actions', h('button.danger', { name: 'delete', onclick: () => remove(ctx, p, msg, () => ctx.navigate(`${ctx.dc}/acls/policies`)) }, 'Delete')) : null),
    msg,
    h('form.card.acl-form', { onsubmit: (e) => { e.preventDefault(); save(); } },
      h('fieldset.plain', { disabled: !editable },
        field('Name', name),
        field('Description', desc),
        h('fieldset.scope', h('legend', 'Valid in'),
          h('label.checkbox', allDcs, ' All datacenters'), h('label.checkbox', someDcs, ' Only these datacenters:'),
          h('div.choices', dcBoxes)),
        h('div.rules', h('span.label', 'Rules'), h('p.hint', 'HCL or JSON, e.g. key_prefix "app/" { policy = "write" }.'), ed.el),
        editable ? h('div.actions', h('button.primary', { type: 'submit', name: 'save' }, isNew ? 'Create policy' : 'Save'),
          h('a.button', { href: ctx.href(`${ctx.dc}/acls/policies`) }, 'Cancel'))
          : h('p.hint.read-only', builtin ? 'The built-in global-management policy cannot be changed.' : 'Read-only: your token may not change ACLs.'))));
  if (isNew) name.focus();
}

/** `id` '' lists the policies, 'create' makes one, an ID shows it. */
export async function render(ctx, id) {
  return id ? detail(ctx, id) : list(ctx);
}
