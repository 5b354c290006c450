// Browser tests of the ACL side of the UI, against an agent started with
// `acl { enabled = true default_policy = "deny" tokens { initial_management
// = <UI_ACL_TOKEN> } }` (UI_AGENT_ACL): the login prompt, logging in and out,
// creating a policy, a role and a token in the UI, a token limited to one
// service, read-only KV without key:write, auth methods, and that no secret
// ever appears in a URL or the console. Screenshots: acl-*.png.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Run the ACL tests with the runner's helpers `t` (test, page, visible, …). */
export async function aclTests(t, here) {
  const C = process.env.UI_AGENT_ACL;
  const ROOT = process.env.UI_ACL_TOKEN;
  if (!C || !ROOT) {
    console.log('# ACL tests skipped: UI_AGENT_ACL and UI_ACL_TOKEN name no agent');
    return;
  }
  const { test, visible, text, waitFor, shot, assert } = t;
  const page = t.page();
  const secrets = new Set([ROOT]);
  const urls = [];
  const consoleLines = [];
  const onRequest = (r) => urls.push(r.url());
  const onConsole = (m) => consoleLines.push(m.text());
  page.on('request', onRequest);
  page.on('console', onConsole);

  // The API with the management token, behind the UI's back.
  async function api(method, path, body, token = ROOT) {
    const r = await fetch(C + path, { method, headers: { 'X-Consul-Token': token }, body: body === undefined ? undefined : JSON.stringify(body) });
    const txt = await r.text();
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${txt}`);
    return txt ? JSON.parse(txt) : null;
  }
  for (const [id, name, port] of [['web-1', 'web', 8080], ['db-1', 'db', 5432]]) {
    await api('PUT', '/v1/catalog/register', { Node: 'acl-node', Address: '10.9.0.1', Service: { ID: id, Service: name, Port: port } });
  }
  await api('PUT', '/v1/kv/app/config', 'hello');
  await api('PUT', '/v1/kv/app/name', 'demo');
  const login = async (secret) => {
    await page.fill('.dialog input[name=token]', secret);
    await page.click('.dialog button.primary');
  };
  const logout = async () => {
    await page.click('header button[name=logout]');
    await visible('header button[name=login]');
  };

  await test('ACL: without a token the services page says "no permission" and offers to log in', async () => {
    const index = await (await fetch(C + '/ui/')).text();
    assert(index.includes('"ACLsEnabled":true'), 'the injected config says ACLs are on');
    await page.goto(C + '/ui/dc1/services');
    await visible('[data-error="403"]');
    assert((await text('[data-error="403"] h1')) === "You don't have permission", await text('[data-error="403"] h1'));
    await visible('[data-error="403"] button[name=login]');
    await visible('header button[name=login]');
    assert(await page.locator('header a.nav:has-text("ACL")').isHidden(), 'no ACL nav without acl:read');
    await shot('acl-no-permission');
  });

  await test('ACL: logging in with the management token shows the data and who is logged in', async () => {
    await page.click('[data-error="403"] button[name=login]');
    await visible('.dialog input[name=token]');
    assert((await page.getAttribute('.dialog input[name=token]', 'type')) === 'password', 'the secret is typed masked');
    await login('not-a-real-token');
    await visible('.dialog [role=alert]:has-text("does not exist")');
    await page.fill('.dialog input[name=token]', ROOT);
    await shot('acl-login-dialog');
    await page.click('.dialog button.primary');
    await visible('.row.service[data-name="web"]');
    await visible('.row.service[data-name="db"]');
    const self = await api('GET', '/v1/acl/token/self');
    await visible(`header .whoami[data-accessor="${self.AccessorID}"]`);
    assert((await text('header .whoami')) === self.Description, `identity shown: ${await text('header .whoami')}`);
    await visible('header button[name=switch-token]');
    await visible('header a.nav:has-text("ACL")');
    assert((await page.evaluate(() => localStorage.getItem('consul:token'))) === ROOT, 'kept in localStorage');
    // Live updates keep working with the token.
    await api('PUT', '/v1/catalog/register', { Node: 'acl-node', Address: '10.9.0.1', Service: { ID: 'cache-1', Service: 'cache', Port: 6379 } });
    await visible('.row.service[data-name="cache"]', 20000);
    await shot('acl-services-logged-in');
  });

  let policyId;
  await test('ACL: create a policy in the UI (rules, datacenter scope)', async () => {
    await page.goto(C + '/ui/dc1/acls/policies');
    await visible('.row.policy[data-name="global-management"]');
    assert(await page.locator('.row.policy[data-name="global-management"] button[name=delete]').count() === 0, 'global-management cannot be deleted');
    await page.click('a[name=create]');
    await page.fill('input[name=name]', 'web-only');
    await page.fill('input[name=description]', 'read the web service');
    await page.fill('textarea[name=rules]', 'service "web" {\n  policy = "read"\n}\nnode_prefix "" {\n  policy = "read"\n}\n');
    await page.check('input[name=scope][value=some]');
    await page.check('input[name=datacenter][value=dc1]');
    await shot('acl-policy-edit');
    await page.click('button[name=save]');
    await visible('.notice.ok:has-text("Saved")');
    policyId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop());
    const p = await api('GET', `/v1/acl/policy/${policyId}`);
    assert(p.Name === 'web-only' && p.Rules.includes('service "web"') && JSON.stringify(p.Datacenters) === '["dc1"]', JSON.stringify(p));
    await page.goto(C + '/ui/dc1/acls/policies');
    await visible('.row.policy[data-name="web-only"]');
    await shot('acl-policies');
  });

  await test('ACL: create a role with a policy and a service identity', async () => {
    await page.goto(C + '/ui/dc1/acls/roles/create');
    await page.fill('input[name=name]', 'web-role');
    await page.check(`input[name=policy][value="${policyId}"]`);
    await page.click('button[name=add-service-identity]');
    await page.fill('input[name=service-identity-name]', 'api');
    await page.click('button[name=save]');
    await visible('.notice.ok:has-text("Saved")');
    const roles = await api('GET', '/v1/acl/roles');
    const r = roles.find((x) => x.Name === 'web-role');
    assert(r && r.Policies[0].ID === policyId && r.ServiceIdentities[0].ServiceName === 'api', JSON.stringify(roles));
    await page.goto(C + '/ui/dc1/acls/roles');
    await visible('.row.role[data-name="web-role"] .badge.identity:has-text("api")');
    await shot('acl-roles');
  });

  let webSecret;
  await test('ACL: create a token in the UI; it appears in the list, search and filters work', async () => {
    await page.goto(C + '/ui/dc1/acls/tokens');
    await visible('.row.token .badge.yours');
    await page.click('a[name=create]');
    await page.fill('input[name=description]', 'web reader');
    await page.check(`input[name=policy][value="${policyId}"]`);
    await page.click('button[name=save]');
    await visible('.notice.ok:has-text("Saved")');
    const accessor = await text('code.accessor-id');
    const tok = await api('GET', `/v1/acl/token/${accessor}`);
    assert(tok.Description === 'web reader' && tok.Policies[0].Name === 'web-only', JSON.stringify(tok));
    webSecret = tok.SecretID;
    secrets.add(webSecret);
    assert(!(await page.locator('code.secret').innerText()).includes(webSecret), 'secret masked until asked');
    await shot('acl-token');
    await page.click('button[name=show-secret]');
    assert((await page.locator('code.secret').innerText()) === webSecret, 'secret shown on request');
    await page.click('nav.crumbs a');
    await visible(`.row.token[data-accessor="${accessor}"]:has-text("web reader")`);
    await shot('acl-tokens');
    await page.fill('input[name=q]', 'web-only');
    await waitFor(async () => (await page.locator('.row.token').count()) === 1, 'search by policy name finds one token');
    await page.fill('input[name=q]', '');
    await page.selectOption('select[name=filter]', 'global-management');
    await waitFor(async () => (await page.locator('.row.token').count()) === 1, 'one global-management token');
    await visible('.row.token .badge.yours');
    await page.selectOption('select[name=filter]', 'local');
    await visible('p.empty:has-text("No tokens match")');
    await page.selectOption('select[name=filter]', '');
    // Live: a token made elsewhere shows up without a reload.
    await api('PUT', '/v1/acl/token', { Description: 'made by the API' });
    await visible('.row.token:has-text("made by the API")', 20000);
  });

  await test('ACL: clone and delete a token (delete asks first)', async () => {
    await page.click('.row.token:has-text("web reader") button[name=clone]');
    await visible('.notice.ok:has-text("Cloned")');
    const accessor = await text('code.accessor-id');
    assert((await page.inputValue('input[name=description]')) === 'Clone of web reader', 'the clone is named after its original');
    const clone = await api('GET', `/v1/acl/token/${accessor}`);
    secrets.add(clone.SecretID);
    assert(clone.Policies[0].ID === policyId, `the clone keeps the policies: ${JSON.stringify(clone)}`);
    await page.click('button[name=delete]');
    await visible('.dialog button.danger');
    await page.click('.dialog button:has-text("Cancel")');
    assert((await api('GET', '/v1/acl/tokens')).some((x) => x.AccessorID === accessor), 'cancel keeps it');
    await page.click('button[name=delete]');
    await page.click('.dialog button.danger');
    await waitFor(async () => new URL(page.url()).pathname === '/ui/dc1/acls/tokens', 'back at the list');
    await waitFor(async () => !(await api('GET', '/v1/acl/tokens')).some((x) => x.AccessorID === accessor), 'deleted');
  });

  await test('ACL: auth methods and binding rules are listed read-only', async () => {
    const pem = readFileSync(join(here, '../acl/fixtures/jwt-test-key.pub.pem'), 'utf8');
    await api('PUT', '/v1/acl/auth-method', { Name: 'ci-jwt', Type: 'jwt', Description: 'CI jobs', Config: { JWTValidationPubKeys: [pem], BoundIssuer: 'ci' } });
    await api('PUT', '/v1/acl/binding-rule', { AuthMethod: 'ci-jwt', BindType: 'service', BindName: 'web', Selector: 'value.project == "web"' });
    await page.goto(C + '/ui/dc1/acls/auth-methods');
    await visible('.row.auth-method[data-name="ci-jwt"] .badge:has-text("jwt")');
    await page.click('.row.auth-method[data-name="ci-jwt"] a.name');
    await visible('table.binding-rules td:has-text("value.project")');
    await visible('table.meta td:has-text("ci")');
    assert(await page.locator('main button.danger, main button.primary').count() === 0, 'no write controls');
    await shot('acl-auth-method');
  });

  await test('ACL: a legacy (pre-1.4) token is marked and shows its embedded rules', async () => {
    const old = await api('PUT', '/v1/acl/create', { Name: 'old client', Type: 'client', Rules: 'key "legacy/" { policy = "read" }' });
    secrets.add(old.ID);
    await page.goto(C + '/ui/dc1/acls/tokens');
    await visible('.row.token:has-text("old client") .badge.legacy');
    await page.click('.row.token:has-text("old client") a.name');
    await visible('.legacy-rules pre:has-text("legacy/")');
  });

  await test('ACL: "use this token": a token limited to one service sees only that service', async () => {
    await page.goto(C + '/ui/dc1/acls/tokens');
    await page.click('.row.token:has-text("web reader") button[name=use]');
    await waitFor(async () => new URL(page.url()).pathname === '/ui/dc1/services', 'at the services');
    await visible('.row.service[data-name="web"]');
    await visible('header .whoami:has-text("web reader")');
    assert(await page.locator('.row.service').count() === 1, `only web: ${await page.locator('.row.service').count()} rows`);
    assert(await page.locator('header a.nav:has-text("ACL")').isHidden(), 'no ACL nav without acl:read');
    await shot('acl-limited-token');
    await page.goto(C + '/ui/dc1/kv/');
    await visible('[data-error="403"]:has-text("Switch token")');
    await page.goto(C + '/ui/dc1/acls/tokens');
    await visible('[data-error="403"]');
    // Its own token page still opens from the header (token/self), read-only.
    await page.click('header .whoami a');
    await visible('.acl h2:has-text("web reader")');
    await visible('.acl .read-only');
  });

  await test('ACL: without key:write the KV pages are read-only', async () => {
    const p = await api('PUT', '/v1/acl/policy', { Name: 'kv-read', Rules: 'key_prefix "app/" { policy = "read" }' });
    const tok = await api('PUT', '/v1/acl/token', { Description: 'kv reader', Policies: [{ ID: p.ID }] });
    secrets.add(tok.SecretID);
    await page.click('header button[name=switch-token]');
    await login(tok.SecretID);
    await visible('header .whoami:has-text("kv reader")');
    await page.goto(C + '/ui/dc1/kv/app/');
    await visible('.row.kv[data-key="app/config"]');
    await visible('.read-only');
    assert(await page.locator('a.button:has-text("Create"), button:has-text("Import"), button[name=move-folder], .row.kv input[type=checkbox]').count() === 0, 'no write controls');
    await page.goto(C + '/ui/dc1/kv/app/config/edit');
    await visible('pre.value:has-text("hello")');
    assert(await page.locator('button[name=edit], button[name=delete]').count() === 0, 'no edit or delete');
    await shot('acl-kv-read-only');
  });

  await test('ACL: logging out returns to the login prompt', async () => {
    await page.goto(C + '/ui/dc1/services');
    await visible('header .whoami');
    await logout();
    await visible('[data-error="403"] button[name=login]');
    assert((await page.evaluate(() => localStorage.getItem('consul:token'))) === null, 'token forgotten');
  });

  await test('ACL: no secret appears in a request URL or the console', async () => {
    page.off('request', onRequest);
    page.off('console', onConsole);
    assert(urls.length > 20, `saw ${urls.length} requests`);
    for (const s of secrets) {
      const bad = urls.find((u) => u.includes(encodeURIComponent(s)) || u.includes(s));
      assert(!bad, `secret in URL ${bad}`);
      assert(!consoleLines.some((l) => l.includes(s)), 'secret in the console');
    }
  });
  return [...secrets];
}
