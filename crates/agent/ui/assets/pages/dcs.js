// "/": the datacenter picker; goes straight to the only one when there is one.
import { h, mount } from '../dom.js';
import { config } from '../api.js';

export async function render(ctx) {
  ctx.title('Datacenters');
  const r = await ctx.api('catalog/datacenters');
  const dcs = r.data && r.data.length ? r.data : [config.LocalDatacenter];
  if (dcs.length === 1) return ctx.navigate(`${dcs[0]}/services`, true);
  mount(ctx.main, h('h1', 'Datacenters'), h('ul.dcs', dcs.map((dc) =>
    h('li', h('a', { href: ctx.href(`${dc}/services`) }, dc), dc === config.LocalDatacenter ? h('span.badge', 'local') : null))));
}
