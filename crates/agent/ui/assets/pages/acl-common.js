// Pieces the ACL pages share: the built-in IDs, a policy/role picker, the
// service and node identity editors, labelled fields, notices and chips.
import { h, mount } from '../dom.js';

/** The built-in policy that grants everything (never deleted or edited). */
export const GLOBAL_MANAGEMENT = '00000000-0000-0000-0000-000000000001';
/** The anonymous token's AccessorID (never deleted). */
export const ANONYMOUS = '00000000-0000-0000-0000-000000000002';

/** A status line above a form or list. */
export function notice(el, text, cls = 'info') {
  mount(el, h('div.notice.' + cls, { role: cls === 'error' ? 'alert' : 'status' }, text));
}

/** A labelled form row. */
export function field(label, control, hint) {
  return h('label.field', h('span.label', label), control, hint ? h('span.hint', hint) : null);
}

/** Name chips for linked policies or roles (`kind` is the CSS class). */
export function chips(list, kind) {
  return (list || []).map((x) => h('span.badge.' + kind, x.Name || x.ID));
}

/** Chips for service and node identities. */
export function identityChips(x) {
  return [
    (x.ServiceIdentities || []).map((s) => h('span.badge.identity', { title: 'Service identity' }, 'service: ' + s.ServiceName)),
    (x.NodeIdentities || []).map((n) => h('span.badge.identity', { title: 'Node identity' }, `node: ${n.NodeName}@${n.Datacenter}`)),
  ];
}

/**
 * Checkboxes over every policy or role (`all`, each {ID, Name}) with those in
 * `selected` ticked; `value()` answers the ticked ones as [{ID}].
 */
export function picker(legend, name, all, selected) {
  const chosen = new Set((selected || []).map((p) => p.ID));
  const known = new Set(all.map((p) => p.ID));
  // Links the list does not show (no acl:read on it, or deleted meanwhile) stay.
  const items = [...all, ...(selected || []).filter((p) => !known.has(p.ID))];
  const el = h('fieldset.picker', h('legend', legend),
    items.length ? h('div.choices', items.map((p) => h('label.checkbox', { dataset: { id: p.ID } },
      h('input', { type: 'checkbox', name, value: p.ID, checked: chosen.has(p.ID) }), ' ', p.Name || p.ID)))
      : h('p.empty', 'None exist yet.'));
  return { el, value: () => [...el.querySelectorAll('input:checked')].map((i) => ({ ID: i.value })) };
}

/**
 * Rows of service identities (name, datacenters) or node identities (name,
 * datacenter), with add and remove; `value()` answers them in Consul's shape.
 */
export function identities(kind, list) {
  const svc = kind === 'service';
  const rows = h('div.identities');
  const add = (x = {}) => {
    const name = h('input', { name: `${kind}-identity-name`, value: (svc ? x.ServiceName : x.NodeName) || '', placeholder: svc ? 'service name' : 'node name', 'aria-label': svc ? 'Service name' : 'Node name', autocomplete: 'off' });
    const dcs = h('input', { name: `${kind}-identity-dc`, value: svc ? (x.Datacenters || []).join(', ') : x.Datacenter || '', placeholder: svc ? 'datacenters (empty: all)' : 'datacenter', 'aria-label': svc ? 'Datacenters' : 'Datacenter', autocomplete: 'off' });
    const row = h('div.identity', name, dcs, h('button', { type: 'button', onclick: () => row.remove() }, 'Remove'));
    rows.append(row);
    return name;
  };
  (list || []).forEach(add);
  const el = h('fieldset.identities', h('legend', svc ? 'Service identities' : 'Node identities'),
    h('p.hint', svc ? 'A service identity grants what the service needs to register and discover others.' : 'A node identity grants what an agent on that node needs.'),
    rows, h('button', { type: 'button', name: `add-${kind}-identity`, onclick: () => add().focus() }, svc ? 'Add a service identity' : 'Add a node identity'));
  const value = () => [...rows.querySelectorAll('.identity')].map((r) => {
    const [n, d] = r.querySelectorAll('input');
    const name = n.value.trim();
    if (!name) return null;
    if (svc) {
      const dcs = d.value.split(',').map((x) => x.trim()).filter(Boolean);
      return dcs.length ? { ServiceName: name, Datacenters: dcs } : { ServiceName: name };
    }
    return { NodeName: name, Datacenter: d.value.trim() };
  }).filter(Boolean);
  return { el, value };
}

/** Load a list the form offers (policies, roles); [] when the token may not. */
export async function optional(ctx, path) {
  try {
    return (await ctx.api(path)).data || [];
  } catch {
    return [];
  }
}

/** "3 tokens", "1 token": `shown` of `total` things. */
export function counted(shown, total, one, many) {
  const word = (n) => (n === 1 ? one : many);
  return shown === total ? `${total} ${word(total)}` : `${shown} of ${total} ${word(total)}`;
}

/** "2026-12-04 18:46" from an RFC 3339 time. */
export function when(t) {
  return t ? String(t).replace('T', ' ').slice(0, 16) : '—';
}
