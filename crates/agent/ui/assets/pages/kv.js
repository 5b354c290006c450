// Key/Value: a folder browser (one level at a time) with breadcrumbs,
// multi-select delete, export/import in `consul kv export` JSON and a
// server-side search; a key view that is read-only until "Edit", saves with
// check-and-set and shows a diff when someone else changed the key; create.
import { h, mount, debounce, b64text, textb64 } from '../dom.js';
import { encPath, ApiError } from '../api.js';
import { createVList } from '../vlist.js';
import { diffLines } from '../diff.js';
import { highlight, detect } from '../highlight.js';
import { editorFor } from '../editor.js';

function crumbs(ctx, path, last) {
  const parts = path.split('/').filter(Boolean);
  const out = [h('a', { href: ctx.href(`${ctx.dc}/kv/`) }, 'Key/Value')];
  let acc = '';
  parts.forEach((p, i) => {
    acc += p + '/';
    const isLast = i === parts.length - 1 && last;
    out.push(' / ', isLast ? h('span', p) : h('a', { href: ctx.href(`${ctx.dc}/kv/${encPath(acc)}`) }, p));
  });
  return h('nav.crumbs', { 'aria-label': 'Breadcrumbs' }, out);
}

const keyHref = (ctx, key) => ctx.href(`${ctx.dc}/kv/${encPath(key)}${key.endsWith('/') ? '' : '/edit'}`);

/**
 * Run KV operations (Consul txn verbs) as one /v1/txn; without that endpoint
 * (404/405) run them one by one, stopping at the first failed check-and-set.
 * Answers 'atomic' or 'one by one'.
 */
async function bulk(ctx, ops) {
  try {
    await ctx.api('txn', { method: 'PUT', body: ops.map((o) => ({ KV: o })) });
    return 'atomic';
  } catch (e) {
    if (!(e instanceof ApiError) || (e.status !== 404 && e.status !== 405)) throw e;
  }
  const bytes = (v) => new Blob([Uint8Array.from(atob(v || ''), (c) => c.charCodeAt(0))]);
  for (const o of ops) {
    const k = `kv/${encPath(o.Key)}`;
    let r;
    if (o.Verb === 'delete-tree') r = await ctx.api(k, { method: 'DELETE', query: { recurse: true } });
    else if (o.Verb === 'delete') r = await ctx.api(k, { method: 'DELETE' });
    else if (o.Verb === 'delete-cas') r = await ctx.api(k, { method: 'DELETE', query: { cas: o.Index } });
    else if (o.Verb === 'cas') r = await ctx.api(k, { method: 'PUT', query: { cas: o.Index, flags: o.Flags || 0 }, body: bytes(o.Value) });
    else r = await ctx.api(k, { method: 'PUT', query: { flags: o.Flags || 0 }, body: bytes(o.Value) });
    if (r.data === false) throw new Error(o.Index ? `${o.Key} changed meanwhile` : `${o.Key} already exists`);
  }
  return 'one by one';
}

/** Ask for a new key name in a dialog; resolves the name or null. */
function askName(ctx, title, value, label) {
  return new Promise((resolve) => {
    const input = h('input', { name: 'new-key', value, 'aria-label': 'New name', autocomplete: 'off' });
    const d = ctx.dialog(title, h('p', 'The full new path of the key or folder.'), input, [[label, () => resolve(input.value.trim().replace(/^\/+/, ''))]]);
    d.box.querySelector('button:last-child').addEventListener('click', () => resolve(null));
    input.focus();
    input.select();
  });
}

/** Copy every key below `from` to the same names below `to`, then (move) delete `from`. */
async function copyTree(ctx, from, to, move) {
  const r = await ctx.api(`kv/${encPath(from)}`, { query: { recurse: true }, allow404: true });
  const entries = r.data || [];
  const ops = entries.map((e) => ({ Verb: 'cas', Key: to + e.Key.slice(from.length), Value: e.Value || '', Flags: e.Flags, Index: 0 }));
  if (move) ops.push({ Verb: 'delete-tree', Key: from });
  return { how: await bulk(ctx, ops), count: entries.length };
}

function notice(el, text, cls = 'info') {
  mount(el, h('div.notice.' + cls, { role: 'status' }, text));
}

async function folderView(ctx, prefix) {
  ctx.title(prefix || 'Key/Value');
  // Without key:write here the folder is read-only (no create, import, move, delete).
  const writable = await ctx.can('key', 'write', prefix);
  if (!ctx.current()) return;
  const selected = new Set();
  let all = [];
  let q = ctx.params.get('q') || '';
  const msg = h('div.msgs');
  const delBtn = h('button.danger', { disabled: true, onclick: deleteSelected }, 'Delete selected');
  const count = h('span.count-label');
  const list = createVList({
    rowHeight: 44, label: 'Keys', empty: 'This folder is empty.',
    render: (k) => {
      const name = k.slice(prefix.length);
      const folder = k.endsWith('/');
      return h('div.row.kv', { dataset: { key: k } },
        writable ? h('input', { type: 'checkbox', 'aria-label': `Select ${name}`, checked: selected.has(k), onchange: (e) => {
          (e.target.checked ? selected.add(k) : selected.delete(k));
          delBtn.disabled = !selected.size;
          delBtn.textContent = selected.size ? `Delete selected (${selected.size})` : 'Delete selected';
        } }) : null,
        h(folder ? 'span.icon.folder' : 'span.icon.key', { 'aria-hidden': 'true' }),
        h('a.name', { href: keyHref(ctx, k) }, name),
        h('span.kind', folder ? 'folder' : 'key'));
    },
  });
  function apply() {
    ctx.setQuery({ q });
    const ql = q.toLowerCase();
    const shown = ql ? all.filter((k) => k.slice(prefix.length).toLowerCase().includes(ql)) : all;
    list.set(shown);
    count.textContent = shown.length === all.length ? `${all.length} items` : `${shown.length} of ${all.length} items`;
  }
  async function deleteSelected() {
    const keys = [...selected];
    if (!(await ctx.confirmDanger('Delete keys', `Delete ${keys.length} item${keys.length === 1 ? '' : 's'}${keys.some((k) => k.endsWith('/')) ? ' (folders with everything in them)' : ''}? This cannot be undone.`))) return;
    try {
      const how = await bulk(ctx, keys.map((k) => ({ Verb: k.endsWith('/') ? 'delete-tree' : 'delete', Key: k })));
      notice(msg, how === 'atomic' ? `Deleted ${keys.length} items in one transaction.` : `Deleted ${keys.length} items one by one (this server has no /v1/txn yet).`);
      selected.clear();
      delBtn.disabled = true;
      delBtn.textContent = 'Delete selected';
      src.refresh();
    } catch (e) {
      notice(msg, `Delete failed: ${e.message}`, 'error');
    }
  }
  async function exportFolder() {
    const r = await ctx.api(`kv/${encPath(prefix)}`, { query: { recurse: true }, allow404: true });
    const entries = (r.data || []).map((e) => ({ key: e.Key, flags: e.Flags, value: e.Value || '' }));
    const a = h('a', { href: URL.createObjectURL(new Blob([JSON.stringify(entries, null, 2)], { type: 'application/json' })), download: `${(prefix || 'kv').replace(/\/$/, '').replace(/\//g, '_') || 'kv'}.json` });
    document.body.append(a);
    a.click();
    a.remove();
    notice(msg, `Exported ${entries.length} keys.`);
  }
  async function importFile(file) {
    let entries;
    try {
      entries = JSON.parse(await file.text());
      if (!Array.isArray(entries) || entries.some((e) => typeof e.key !== 'string')) throw new Error('expected a list of {key, flags, value}');
    } catch (e) {
      notice(msg, `Not a consul kv export file: ${e.message}`, 'error');
      return;
    }
    try {
      const how = await bulk(ctx, entries.map((e) => ({ Verb: 'set', Key: e.key, Flags: e.flags || 0, Value: e.value || '' })));
      notice(msg, `Imported ${entries.length} keys${how === 'atomic' ? ' in one transaction' : ' one by one'}.`);
      src.refresh();
    } catch (e) {
      notice(msg, `Import failed: ${e.message}`, 'error');
    }
  }
  async function moveFolder() {
    let to = await askName(ctx, 'Move folder', prefix, 'Move');
    if (!to || to === prefix) return;
    if (!to.endsWith('/')) to += '/';
    if (to.startsWith(prefix)) { notice(msg, 'A folder cannot be moved into itself.', 'error'); return; }
    try {
      const { how, count } = await copyTree(ctx, prefix, to, true);
      ctx.navigate(`${ctx.dc}/kv/${encPath(to)}?moved=${count}&how=${how === 'atomic' ? 'atomic' : 'sequential'}`);
    } catch (e) {
      notice(msg, `Move failed: ${e.message}`, 'error');
    }
  }
  const moved = ctx.params.get('moved');
  if (moved) notice(msg, `Moved ${moved} keys here${ctx.params.get('how') === 'atomic' ? ' in one transaction' : ' one by one (this server has no /v1/txn yet)'}.`, 'ok');
  // Server-side search over everything below this folder.
  const results = h('div.search-results');
  const inValues = h('input', { type: 'checkbox', name: 'values' });
  const search = h('input', { type: 'search', name: 'q', placeholder: 'Filter this folder', 'aria-label': 'Filter keys', value: q,
    oninput: debounce((e) => { q = e.target.value; apply(); }, 80), onkeydown: (e) => { if (e.key === 'Enter') deepSearch(); } });
  async function deepSearch(after, append) {
    const term = search.value.trim();
    if (!term) { mount(results); return; }
    const r = await ctx.api('internal/ui/kv-search', { query: { prefix, q: term, values: inValues.checked ? 'true' : null, after: after || null, limit: 100 }, allow404: true });
    if (r.status === 404) { notice(results, 'Search is not available on this server.'); return; }
    const page = r.data;
    const rows = page.Matches.map((m) => h('li', h('a', { href: keyHref(ctx, m.Key) }, m.Key), m.In === 'value' ? h('span.badge', 'in value') : null));
    if (!append) mount(results, h('h2', `Keys below “${prefix || '/'}” matching “${term}”`), h('ul.found'));
    const ul = results.querySelector('ul.found');
    ul.append(...rows);
    const old = results.querySelector('button.more');
    if (old) old.remove();
    if (!append && !rows.length) ul.append(h('li.empty', 'No matches.'));
    if (page.Next) results.append(h('button.more', { onclick: () => deepSearch(page.Next, true) }, 'Load more'));
  }
  const fileInput = h('input', { type: 'file', accept: 'application/json,.json', hidden: true, onchange: (e) => e.target.files[0] && importFile(e.target.files[0]) });
  mount(ctx.main, crumbs(ctx, prefix, true),
    h('div.title', h('h1', prefix ? prefix.split('/').filter(Boolean).pop() : 'Key/Value'), count,
      h('div.actions',
        writable ? h('a.button.primary', { href: ctx.href(`${ctx.dc}/kv/${encPath(prefix)}create`) }, 'Create') : null,
        h('button', { onclick: exportFolder }, 'Export'),
        writable ? [h('button', { onclick: () => fileInput.click() }, 'Import'), fileInput] : null,
        writable && prefix ? h('button', { name: 'move-folder', onclick: moveFolder }, 'Move') : null, writable ? delBtn : null)),
    writable ? null : h('p.hint.read-only', 'Read-only: your ACL token may not write keys here.'),
    msg,
    h('div.toolbar',
      search,
      h('button', { onclick: () => deepSearch() }, 'Search all keys below'),
      h('label.checkbox', inValues, ' and values')),
    results, list.el);
  const src = ctx.source(`kv/${encPath(prefix)}`, { query: { keys: true, separator: '/' }, allow404: true, gate: ['key', prefix] }, (data, res) => {
    ctx.timed('kv', () => {
      all = (data || []).filter((k) => k !== prefix);
      for (const k of selected) if (!all.includes(k)) selected.delete(k);
      apply();
    }, res);
  });
}

function diffView(mine, theirs) {
  return h('pre.diff', { 'aria-label': 'Differences' }, diffLines(theirs, mine).map((d) =>
    h('span.d' + (d.op === '+' ? '.add' : d.op === '-' ? '.del' : ''), `${d.op} ${d.line}\n`)));
}

async function keyView(ctx, key) {
  ctx.title(key);
  const writable = await ctx.can('key', 'write', key);
  if (!ctx.current()) return;
  const folder = key.slice(0, key.lastIndexOf('/') + 1);
  let entry = null;
  let editing = null;
  const msg = h('div.msgs');
  const body = h('div');
  mount(ctx.main, crumbs(ctx, key, true), h('div.title', h('h1', key.split('/').pop())), msg, body);

  function view() {
    editing = null;
    if (!entry) {
      mount(body, h('section.error', h('h1', 'Key not found'), h('p', `There is no key “${key}”.`), h('a', { href: ctx.href(`${ctx.dc}/kv/${encPath(folder)}`) }, 'Back to the folder')));
      return;
    }
    const text = b64text(entry.Value);
    const mode = text === null ? 'plain' : detect(text);
    mount(body,
      entry.Session ? h('div.notice.warn', { role: 'status' }, `This key is locked by session ${entry.Session}. `,
        h('button.link', { onclick: async () => {
          if (!(await ctx.confirmDanger('Invalidate session', `Invalidate session ${entry.Session}? Its locks are released.`, 'Invalidate'))) return;
          try { await ctx.api(`session/destroy/${encodeURIComponent(entry.Session)}`, { method: 'PUT' }); src.refresh(); } catch (e) { notice(msg, `Cannot invalidate: ${e.message}`, 'error'); }
        } }, 'Invalidate the session')) : null,
      writable ? h('div.actions',
        text === null ? null : h('button.primary', { name: 'edit', onclick: edit }, 'Edit'),
        h('button', { name: 'move', onclick: () => copyTo(true) }, 'Move'),
        h('button', { name: 'duplicate', onclick: () => copyTo(false) }, 'Duplicate'),
        h('button.danger', { name: 'delete', onclick: remove }, 'Delete'))
        : h('p.hint.read-only', 'Read-only: your ACL token may not write this key.'),
      text === null
        ? h('div', h('p', `Binary value (${atob(entry.Value || '').length} bytes), shown as base64:`), h('pre.value', entry.Value))
        : h('pre.value', { dataset: { mode } }, text === '' ? h('span.empty', '(empty)') : highlight(text, mode)),
      h('table.meta', h('tbody', [['Flags', entry.Flags], ['Create index', entry.CreateIndex], ['Modify index', entry.ModifyIndex], ['Lock index', entry.LockIndex], ['Session', entry.Session || '—']]
        .map(([k, v]) => h('tr', h('th', k), h('td', String(v)))))));
  }

  function edit() {
    const text = b64text(entry.Value) || '';
    const ed = editorFor(text, detect(text));
    editing = { base: entry, ed };
    mount(body, h('p.hint', 'Editing. Saving checks that nobody changed the key since you opened it.'), ed.el,
      h('div.actions',
        h('button.primary', { name: 'save', onclick: () => save(editing.base.ModifyIndex) }, 'Save'),
        h('button', { name: 'cancel', onclick: () => { mount(msg); view(); } }, 'Cancel')));
    ed.area.focus();
  }

  async function save(cas) {
    const value = editing.ed.area.value;
    const flags = (editing.base && editing.base.Flags) || 0;
    const r = await ctx.api(`kv/${encPath(key)}`, { method: 'PUT', query: { cas, flags }, body: value });
    if (r.data === true) {
      mount(msg, h('div.notice.ok', { role: 'status' }, 'Saved.'));
      editing = null;
      src.refresh();
      return;
    }
    // Someone else wrote (or deleted) the key first: show what changed.
    const cur = await ctx.api(`kv/${encPath(key)}`, { allow404: true });
    const now = cur.data && cur.data[0];
    const theirs = now ? b64text(now.Value) || '' : '';
    mount(msg, h('div.notice.error.conflict', { role: 'alert' },
      h('h2', now ? 'This key was changed by someone else' : 'This key was deleted by someone else'),
      h('p', now ? `Your save was not applied. The key is now at modify index ${now.ModifyIndex}; lines marked + are yours, - are theirs.` : 'Your save was not applied.'),
      diffView(value, theirs),
      h('div.actions',
        h('button.danger', { name: 'overwrite', onclick: () => save(now ? now.ModifyIndex : 0) }, 'Overwrite with my version'),
        h('button', { name: 'discard', onclick: () => { entry = now || null; mount(msg); view(); } }, 'Discard my changes'))));
  }

  async function copyTo(move) {
    const to = await askName(ctx, move ? 'Move key' : 'Duplicate key', key, move ? 'Move' : 'Duplicate');
    if (!to || to === key || to.endsWith('/')) return;
    const ops = [{ Verb: 'cas', Key: to, Value: entry.Value || '', Flags: entry.Flags, Index: 0 }];
    if (move) ops.push({ Verb: 'delete-cas', Key: key, Index: entry.ModifyIndex });
    try {
      await bulk(ctx, ops);
      ctx.navigate(`${ctx.dc}/kv/${encPath(to)}/edit`);
    } catch (e) {
      notice(msg, `${move ? 'Move' : 'Duplicate'} failed: ${e.message}`, 'error');
    }
  }

  async function remove() {
    if (!(await ctx.confirmDanger('Delete key', `Delete “${key}”? This cannot be undone.`))) return;
    const r = await ctx.api(`kv/${encPath(key)}`, { method: 'DELETE', query: { cas: entry.ModifyIndex } });
    if (r.data === true) ctx.navigate(`${ctx.dc}/kv/${encPath(folder)}`);
    else notice(msg, 'The key changed since you opened it, so it was not deleted. Look at its new value first.', 'error');
  }

  const src = ctx.source(`kv/${encPath(key)}`, { allow404: true }, (data) => {
    const next = (data && data[0]) || null;
    if (editing) {
      if (!next || next.ModifyIndex !== editing.base.ModifyIndex) {
        notice(msg, 'Someone else changed this key while you were editing. Saving will show you the differences first.', 'warn');
      }
      entry = next;
      return;
    }
    entry = next;
    view();
  });
}

async function createView(ctx, folder) {
  ctx.title('Create a key');
  const msg = h('div.msgs');
  const name = h('input', { name: 'key', required: true, placeholder: 'name, or name/ for a folder', 'aria-label': 'Key or folder name', autocomplete: 'off' });
  const ed = editorFor('', 'plain');
  name.addEventListener('input', () => { ed.el.hidden = name.value.endsWith('/'); });
  async function create() {
    const n = name.value.trim().replace(/^\/+/, '');
    if (!n) { notice(msg, 'Give the key a name.', 'error'); return; }
    const key = folder + n;
    const isFolder = key.endsWith('/');
    // cas=0: only create, never overwrite a key that already exists.
    const r = await ctx.api(`kv/${encPath(key)}`, { method: 'PUT', query: { cas: 0 }, body: isFolder ? '' : ed.area.value });
    if (r.data !== true) { notice(msg, `“${key}” already exists; nothing was changed.`, 'error'); return; }
    ctx.navigate(`${ctx.dc}/kv/${encPath(key)}${isFolder ? '' : '/edit'}`);
  }
  mount(ctx.main, crumbs(ctx, folder, false), h('div.title', h('h1', 'Create a key or folder')), msg,
    h('form.card', { onsubmit: (e) => { e.preventDefault(); create(); } },
      h('label', 'Key or folder ', h('span.prefix', folder), name),
      h('p.hint', 'End the name with / to create a folder.'),
      ed.el,
      h('div.actions', h('button.primary', { type: 'submit', name: 'create' }, 'Save'), h('a.button', { href: ctx.href(`${ctx.dc}/kv/${encPath(folder)}`) }, 'Cancel'))));
  name.focus();
}

export async function render(ctx) {
  const rest = (ctx.match[2] || '').split('/').map((p) => { try { return decodeURIComponent(p); } catch { return p; } }).join('/');
  if (rest === 'create' || rest.endsWith('/create')) return createView(ctx, rest.slice(0, -'create'.length));
  if (rest.endsWith('/edit')) return keyView(ctx, rest.slice(0, -'/edit'.length));
  if (rest && !rest.endsWith('/')) return ctx.navigate(`${ctx.dc}/kv/${encPath(rest)}/edit`, true);
  return folderView(ctx, rest);
}
