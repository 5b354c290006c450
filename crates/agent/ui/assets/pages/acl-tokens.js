// ACL tokens: the list (search by description, accessor, role or policy;
// filter global-management, global, local), and one token's page to view,
// create, edit, clone, delete or "use" it. The SecretID is shown only on
// request and is never put in a URL.
import { h, mount, debounce } from '../dom.js';
import { ApiError } from '../api.js';
import { whoami, useToken, resetAuth, tokenName } from '../auth.js';
import { GLOBAL_MANAGEMENT, ANONYMOUS, notice, field, chips, identityChips, picker, identities, optional, when, counted } from './acl-common.js';

const isManagement = (t) => (t.Policies || []).some((p) => p.ID === GLOBAL_MANAGEMENT);

function matches(t, q) {
  if (!q) return true;
  const hay = [t.Description, t.AccessorID, ...(t.Policies || []).map((p) => p.Name), ...(t.Roles || []).map((r) => r.Name),
    ...(t.ServiceIdentities || []).map((s) => s.ServiceName), ...(t.NodeIdentities || []).map((n) => n.NodeName)];
  return hay.some((x) => x && x.toLowerCase().includes(q));
}

const FILTERS = {
  '': () => true,
  'global-management': isManagement,
  global: (t) => !t.Local,
  local: (t) => !!t.Local,
};

/** The token's SecretID, fetched when the list hid it; null if the token may not see it. */
async function secretOf(ctx, t) {
  if (t.SecretID && t.SecretID !== '<hidden>') return t.SecretID;
  const r = await ctx.api(`acl/token/${encodeURIComponent(t.AccessorID)}`);
  const s = r.data && r.data.SecretID;
  return s && s !== '<hidden>' ? s : null;
}

/** Log in with token `t` (after asking), then go to the services page. */
async function use(ctx, t, msg) {
  const secret = await secretOf(ctx, t).catch(() => null);
  if (!secret) { notice(msg, 'Your token may not read this token\'s secret, so it cannot be used from here.', 'error'); return; }
  useToken(secret);
  ctx.navigate(`${ctx.dc}/services`);
}

async function remove(ctx, t, msg, after) {
  if (!(await ctx.confirmDanger('Delete token', `Delete the token “${tokenName(t)}” (${t.AccessorID})? Anything using it loses access. This cannot be undone.`))) return;
  try {
    await ctx.api(`acl/token/${encodeURIComponent(t.AccessorID)}`, { method: 'DELETE' });
  } catch (e) {
    notice(msg, `Delete failed: ${e.message}`, 'error');
    return;
  }
  const me = await whoami();
  if (me && me.AccessorID === t.AccessorID) useToken('');
  after();
}

async function clone(ctx, t, msg) {
  try {
    const r = await ctx.api(`acl/token/${encodeURIComponent(t.AccessorID)}/clone`, { method: 'PUT', body: { Description: `Clone of ${tokenName(t)}` } });
    ctx.navigate(`${ctx.dc}/acls/tokens/${encodeURIComponent(r.data.AccessorID)}?saved=cloned`);
  } catch (e) {
    notice(msg, `Clone failed: ${e.message}`, 'error');
  }
}

async function list(ctx) {
  ctx.title('Tokens');
  const state = { q: ctx.params.get('q') || '', filter: ctx.params.get('filter') || '' };
  const me = (await whoami()) || {};
  if (!ctx.current()) return;
  let all = [];
  const msg = h('div.msgs');
  const count = h('span.count-label');
  const rows = h('div.rows.tokens', { role: 'list', 'aria-label': 'Tokens' });
  const row = (t) => h('div.row.token', { role: 'listitem', dataset: { accessor: t.AccessorID } },
    h('a.name', { href: ctx.href(`${ctx.dc}/acls/tokens/${encodeURIComponent(t.AccessorID)}`) }, t.Description || t.AccessorID),
    h('code.accessor', { title: t.AccessorID }, t.AccessorID.slice(0, 8)),
    me.AccessorID === t.AccessorID ? h('span.badge.yours', 'Your token') : null,
    h('span.badge', t.Local ? 'local' : 'global'),
    t.Legacy ? h('span.badge.legacy', { title: 'Made with the pre-1.4 ACL API' }, 'legacy') : null,
    h('span.chips', chips(t.Policies, 'policy'), chips(t.Roles, 'role'), identityChips(t)),
    h('span.row-actions',
      me.AccessorID === t.AccessorID ? null : h('button', { name: 'use', onclick: () => use(ctx, t, msg) }, 'Use'),
      ctx.writable ? h('button', { name: 'clone', onclick: () => clone(ctx, t, msg) }, 'Clone') : null,
      ctx.writable && t.AccessorID !== ANONYMOUS ? h('button.danger', { name: 'delete', onclick: () => remove(ctx, t, msg, () => (me.AccessorID === t.AccessorID ? ctx.reload() : src.refresh())) }, 'Delete') : null));
  function apply() {
    ctx.setQuery({ q: state.q, filter: state.filter });
    const q = state.q.toLowerCase();
    const shown = all.filter((t) => FILTERS[state.filter || ''](t) && matches(t, q));
    mount(rows, shown.length ? shown.map(row) : h('p.empty', all.length ? 'No tokens match.' : 'No tokens.'));
    count.textContent = counted(shown.length, all.length, 'token', 'tokens');
  }
  mount(ctx.main,
    h('div.title', h('h2', 'Tokens'), count, h('div.actions',
      ctx.writable ? h('a.button.primary', { name: 'create', href: ctx.href(`${ctx.dc}/acls/tokens/create`) }, 'Create') : null)),
    msg,
    h('div.toolbar',
      h('input', { type: 'search', name: 'q', placeholder: 'Search by description, accessor ID, role or policy', 'aria-label': 'Search tokens', value: state.q, oninput: debounce((e) => { state.q = e.target.value; apply(); }, 80) }),
      h('select', { name: 'filter', 'aria-label': 'Kind of token', onchange: (e) => { state.filter = e.target.value; apply(); } },
        [['', 'All tokens'], ['global-management', 'Global management'], ['global', 'Global'], ['local', 'Local']]
          .map(([v, l]) => h('option', { value: v, selected: v === state.filter }, l)))),
    rows);
  const src = ctx.source('acl/tokens', {}, (data) => {
    all = (data || []).sort((a, b) => (a.CreateIndex || 0) - (b.CreateIndex || 0));
    apply();
  });
}

/** The secret, masked until "Show"; "Copy" puts it on the clipboard. */
function secretField(secret) {
  const out = h('code.secret', '••••••••-••••-••••-••••-••••••••••••');
  let shown = false;
  const toggle = h('button', { type: 'button', name: 'show-secret', onclick: () => {
    shown = !shown;
    out.textContent = shown ? secret : '••••••••-••••-••••-••••-••••••••••••';
    toggle.textContent = shown ? 'Hide' : 'Show';
  } }, 'Show');
  const copy = h('button', { type: 'button', name: 'copy-secret', onclick: async () => {
    try { await navigator.clipboard.writeText(secret); copy.textContent = 'Copied'; } catch { copy.textContent = 'Cannot copy here'; }
  } }, 'Copy');
  return h('span.secret-field', out, toggle, copy);
}

async function detail(ctx, id) {
  const isNew = id === 'create';
  ctx.title(isNew ? 'New token' : 'Token');
  const me = await whoami();
  // Any token may read itself (token/self) even without acl:read.
  const self = me && !me.invalid && me.AccessorID === id;
  const [tok, policies, roles] = await Promise.all([
    isNew ? null : ctx.api(`acl/token/${encodeURIComponent(id)}`, { allow404: true }).then((r) => r.data,
      (e) => { if (self && e instanceof ApiError && e.status === 403) return me; throw e; }),
    optional(ctx, 'acl/policies'), optional(ctx, 'acl/roles'),
  ]);
  if (!ctx.current()) return;
  if (!isNew && !tok) {
    mount(ctx.main, h('section.error', h('h1', 'Token not found'), h('p', `There is no token with accessor ID ${id}.`),
      h('a', { href: ctx.href(`${ctx.dc}/acls/tokens`) }, 'All tokens')));
    return;
  }
  const t = tok || {};
  const mine = me && me.AccessorID && me.AccessorID === t.AccessorID;
  const msg = h('div.msgs');
  const saved = ctx.params.get('saved');
  if (saved) notice(msg, saved === 'cloned' ? 'Cloned. This is the new token.' : 'Saved.', 'ok');
  const desc = h('input', { name: 'description', value: t.Description || '', autocomplete: 'off' });
  const local = h('input', { type: 'checkbox', name: 'local', checked: !!t.Local, disabled: !isNew });
  const pol = picker('Policies', 'policy', policies, t.Policies);
  const rol = picker('Roles', 'role', roles, t.Roles);
  const svc = identities('service', t.ServiceIdentities);
  const node = identities('node', t.NodeIdentities);
  async function save() {
    const body = { Description: desc.value.trim(), Policies: pol.value(), Roles: rol.value(), ServiceIdentities: svc.value(), NodeIdentities: node.value() };
    if (isNew) body.Local = local.checked;
    else Object.assign(body, { AccessorID: t.AccessorID, Local: !!t.Local });
    try {
      const r = await ctx.api(isNew ? 'acl/token' : `acl/token/${encodeURIComponent(t.AccessorID)}`, { method: 'PUT', body });
      resetAuth();
      ctx.navigate(`${ctx.dc}/acls/tokens/${encodeURIComponent(r.data.AccessorID)}?saved=1`, !isNew);
    } catch (e) {
      notice(msg, `Not saved: ${e instanceof ApiError ? e.message : e}`, 'error');
    }
  }
  const secret = t.SecretID && t.SecretID !== '<hidden>' ? t.SecretID : null;
  mount(ctx.main,
    h('nav.crumbs', h('a', { href: ctx.href(`${ctx.dc}/acls/tokens`) }, 'All tokens')),
    h('div.title', h('h2', isNew ? 'New token' : tokenName(t)), mine ? h('span.badge.yours', 'Your token') : null,
      isNew ? null : h('div.actions',
        mine || !secret ? null : h('button', { name: 'use', onclick: () => use(ctx, t, msg) }, 'Use this token'),
        ctx.writable ? h('button', { name: 'clone', onclick: () => clone(ctx, t, msg) }, 'Clone') : null,
        ctx.writable && t.AccessorID !== ANONYMOUS ? h('button.danger', { name: 'delete', onclick: () => remove(ctx, t, msg, () => (mine ? ctx.navigate(`${ctx.dc}/services`) : ctx.navigate(`${ctx.dc}/acls/tokens`))) }, 'Delete') : null)),
    msg,
    isNew ? null : h('dl.token-info',
      h('dt', 'Accessor ID'), h('dd', h('code.accessor-id', t.AccessorID)),
      h('dt', 'Secret ID'), h('dd', secret ? secretField(secret) : h('span.empty', 'hidden from your token')),
      h('dt', 'Scope'), h('dd', t.Local ? 'local (this datacenter)' : 'global'),
      t.AuthMethod ? [h('dt', 'Auth method'), h('dd', t.AuthMethod)] : null,
      t.ExpirationTime ? [h('dt', 'Expires'), h('dd', when(t.ExpirationTime))] : null,
      h('dt', 'Created'), h('dd', when(t.CreateTime))),
    t.Rules !== undefined && t.Rules !== null ? h('section.card.legacy-rules',
      h('h3', `Legacy token (type ${t.Type || 'client'})`),
      h('p.hint', 'Made with the pre-1.4 ACL API: its rules live in the token rather than in policies. They are shown read-only.'),
      h('pre', t.Rules || '(no rules)')) : null,
    h('form.card.acl-form', { onsubmit: (e) => { e.preventDefault(); save(); } },
      h('fieldset.plain', { disabled: !ctx.writable },
        field('Description', desc),
        field('Local', local, isNew ? 'A local token is valid only in this datacenter and is not replicated.' : 'Fixed when the token was created.'),
        pol.el, rol.el, svc.el, node.el,
        ctx.writable ? h('div.actions', h('button.primary', { type: 'submit', name: 'save' }, isNew ? 'Create token' : 'Save'),
          h('a.button', { href: ctx.href(`${ctx.dc}/acls/tokens`) }, 'Cancel')) : h('p.hint.read-only', 'Read-only: your token may not change ACLs.'))));
  if (isNew) desc.focus();
}

/** `id` '' lists the tokens, 'create' makes one, an AccessorID shows it. */
export async function render(ctx, id) {
  return id ? detail(ctx, id) : list(ctx);
}
