// The browser walk-through of the web UI, against the real server (run.sh) or the mock
// (run.sh --mock): log in, see the dashboard, filter alerts by severity and protocol, open one
// with the keyboard, download its evidence pcap and parse it, acknowledge it and see the
// history entry, log out; then log in as the admin, find the acknowledgement in the audit
// log, reset the analyst's password on the users page, walk the rules page (filter, rule text,
// upload a broken and a valid rule file, disable a rule, reload without an engine) and the
// system status page, log out (the real server also walks the events explorer). Every step leaves a numbered screenshot in --out.
//
// Usage: node spec.mjs --base http://127.0.0.1:PORT --user NAME --password PW
//                      --admin NAME --admin-password PW --out DIR
//                      [--severity 1] [--proto modbus] [--chromium /usr/bin/chromium]
// Ends with "webui: N passed, N failed" (and ", N skipped": steps after a failure, which
// depend on it); exit status 0 only when every step passed.
import fs from 'node:fs';
import path from 'node:path';
import {chromium} from 'playwright-core';

const opt = {severity: '1', proto: 'modbus', chromium: '/usr/bin/chromium'};
for (let i = 2; i < process.argv.length; i += 2) opt[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
for (const k of ['base', 'user', 'password', 'admin', 'admin-password', 'out']) {
  if (!opt[k]) {
    console.error(`spec.mjs: --${k} is required`);
    process.exit(2);
  }
}
fs.mkdirSync(opt.out, {recursive: true});
const TIMEOUT = 15000;

class StepError extends Error {}
function expect(cond, what) {
  if (!cond) throw new StepError(what);
}

// A classic pcap file walked record by record: returns the packet count, throws on any
// inconsistency (bad magic, version, truncated record, caplen over snaplen).
export function parsePcap(buf) {
  if (buf.length < 24) throw new Error(`pcap too short (${buf.length} bytes)`);
  const magic = buf.subarray(0, 4).toString('hex');
  let le;
  if (magic === 'd4c3b2a1' || magic === '4d3cb2a1') le = true;
  else if (magic === 'a1b2c3d4' || magic === 'a1b23c4d') le = false;
  else throw new Error(`not a pcap file: magic ${magic}`);
  const u16 = (o) => (le ? buf.readUInt16LE(o) : buf.readUInt16BE(o));
  const u32 = (o) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  if (u16(4) !== 2) throw new Error(`pcap major version ${u16(4)}`);
  const snap = u32(16);
  let off = 24, n = 0;
  while (off < buf.length) {
    if (off + 16 > buf.length) throw new Error(`truncated record header at ${off}`);
    const caplen = u32(off + 8), len = u32(off + 12);
    if (caplen > len || (snap && caplen > snap)) throw new Error(`bad record lengths at ${off}`);
    if (off + 16 + caplen > buf.length) throw new Error(`truncated packet at ${off}`);
    off += 16 + caplen;
    n += 1;
  }
  return n;
}

const results = [];
let page, browser, shot = 0, alertId = null, failed = false;

async function screenshot(name) {
  shot += 1;
  const file = path.join(opt.out, `${String(shot).padStart(2, '0')}-${name}.png`);
  await page.screenshot({path: file, fullPage: true});
  return file;
}

const oneLine = (text) => String(text).split('\n').map((l) => l.trim()).filter(Boolean).join(' | ').slice(0, 600);

async function step(name, fn) {
  if (failed) {
    results.push({name, status: 'skipped'});
    console.log(`SKIP ${name}`);
    return;
  }
  const t0 = Date.now();
  try {
    await fn();
    await screenshot(name);
    results.push({name, status: 'passed'});
    console.log(`PASS ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    failed = true;
    results.push({name, status: 'failed'});
    // One line (a CI log is often read by grepping for FAIL): Playwright's message, with the
    // call log that names the locator it waited for.
    console.log(`FAIL ${name}: ${oneLine(e.message)}`);
    try {
      console.log(`  screenshot: ${await screenshot(`${name}-FAILED`)}`);
    } catch {
      // no page to capture
    }
  }
}

const byId = (id) => page.getByTestId(id);

async function login(user, password) {
  await page.goto(`${opt.base}/`);
  await byId('login-form').waitFor({timeout: TIMEOUT});
  await byId('login-username').fill(user);
  await byId('login-password').fill(password);
  await byId('login-submit').click();
  await byId('nav-dashboard').waitFor({timeout: TIMEOUT});
  const who = await byId('current-user').textContent();
  expect(who.includes(user), `signed-in user shown as "${who}", want ${user}`);
}

async function logout() {
  await byId('logout-button').click();
  await byId('login-form').waitFor({timeout: TIMEOUT});
  // The session is gone on the server too: the API answers 401.
  const status = await page.evaluate(async () => (await fetch('/api/v1/session')).status);
  expect(status === 401, `GET /api/v1/session after logout answered ${status}, want 401`);
}

async function main() {
  // As root in a container or chroot Chromium needs --no-sandbox; /dev/shm may be small or absent
  // there, and the closed network refuses the browser's own background connections.
  browser = await chromium.launch({
    executablePath: opt.chromium,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({locale: 'en-US', acceptDownloads: true,
                                            viewport: {width: 1440, height: 900}});
  page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  const consoleErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));

  await step('login-page', async () => {
    await page.goto(`${opt.base}/`);
    await byId('login-form').waitFor();
    // A wrong password is refused with a message and no session.
    await byId('login-username').fill(opt.user);
    await byId('login-password').fill(`${opt.password}-wrong`);
    await byId('login-submit').click();
    await byId('login-error').waitFor({state: 'visible'});
  });

  await step('dashboard', async () => {
    await login(opt.user, opt.password);
    await byId('chart-over-time').waitFor();
    const bars = await page.locator('[data-testid="chart-over-time"] rect').count();
    expect(bars > 0, 'the alerts-over-time chart has no bars');
    const total = Number(await page.locator('[data-testid="kpi-total"] .kpi-num').textContent());
    expect(total > 0, `dashboard total is ${total}`);
    for (const id of ['chart-severity', 'chart-signatures', 'chart-talkers', 'chart-protocols']) {
      const rows = await page.locator(`[data-testid="${id}"] li`).count();
      expect(rows > 0, `${id} is empty`);
    }
    const protoText = await byId('chart-protocols').textContent();
    expect(protoText.includes(opt.proto), `protocol mix lacks ${opt.proto}: ${protoText}`);
  });

  await step('alerts-filtered', async () => {
    await byId('nav-alerts').click();
    await page.locator('[data-testid^="alert-row-"]').first().waitFor();
    const before = await page.locator('[data-testid^="alert-row-"]').count();
    await byId(`filter-severity-${opt.severity}`).check();
    await byId('filter-proto').selectOption(opt.proto);
    await byId('filter-apply').click();
    await page.waitForFunction(
        ([s, p]) => location.hash.includes(`severity=${s}`) && location.hash.includes(`proto=${p}`),
        [opt.severity, opt.proto]);
    await page.locator('[data-testid^="alert-row-"]').first().waitFor();
    const rows = page.locator('[data-testid^="alert-row-"]');
    const n = await rows.count();
    expect(n > 0, 'no alert matches the filter');
    expect(n <= before, `the filtered list grew (${before} -> ${n})`);
    for (let i = 0; i < n; i++) {
      const cells = rows.nth(i).locator('td');
      const sevCls = await cells.nth(1).locator('span').getAttribute('class');
      const proto = (await cells.nth(4).textContent()).trim();
      expect(sevCls.includes(`sev-${opt.severity}`), `row ${i} severity class "${sevCls}"`);
      expect(proto === opt.proto, `row ${i} protocol "${proto}"`);
    }
    // The filters survive a reload: they live in the URL.
    await page.reload();
    await page.locator('[data-testid^="alert-row-"]').first().waitFor();
    expect(await byId(`filter-severity-${opt.severity}`).isChecked(), 'severity filter lost on reload');
    expect(await byId('filter-proto').inputValue() === opt.proto, 'protocol filter lost on reload');
    alertId = await rows.first().getAttribute('data-id');
  });

  await step('alert-detail', async () => {
    // Keyboard: the first row holds the cursor; j then k returns to it, Enter opens it.
    await page.locator('body').press('j');
    await page.locator('body').press('k');
    await page.locator('body').press('Enter');
    await page.waitForFunction((id) => location.hash === `#/alerts/${id}`, alertId);
    await byId('detail-title').waitFor();
    expect((await byId('detail-id').textContent()).trim() === String(alertId), 'detail shows another alert');
    await byId('detail-rule').waitFor();
    const txn = await byId('detail-transaction').textContent();
    expect(txn.includes('function_code'), 'the decoded transaction has no function_code');
  });

  await step('evidence-pcap', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), byId('download-pcap').click()]);
    const file = path.join(opt.out, `alert-${alertId}.pcap`);
    await download.saveAs(file);
    const buf = fs.readFileSync(file);
    const magic = buf.subarray(0, 4).toString('hex');
    expect(['d4c3b2a1', 'a1b2c3d4'].includes(magic), `evidence magic ${magic}`);
    const packets = parsePcap(buf);
    expect(packets > 0, 'evidence pcap holds no packet');
    console.log(`  evidence: ${file} (${buf.length} bytes, ${packets} packets)`);
  });

  await step('acknowledged', async () => {
    await byId('detail-ack').click();
    await page.waitForFunction(() => {
      const el = document.querySelector('[data-testid="detail-status"]');
      return el && el.textContent.trim() === 'Acknowledged';
    });
    const hist = page.locator('[data-testid="history-entry"]');
    await hist.first().waitFor();
    const text = (await hist.allTextContents()).join('\n');
    expect(text.includes(opt.user) && text.includes('acknowledged'), `history lacks the ack: ${text}`);
  });

  if (opt.mock) {
    // Mock only (it can inject an alert): a new alert on the stream shows up in the open list.
    await step('live-update', async () => {
      await byId('nav-alerts').click();
      await byId('alert-table').waitFor();
      await page.locator('[data-testid^="alert-row-"]').first().waitFor();
      const res = await page.request.post(`${opt.base}/mock/emit`);
      expect(res.ok(), `mock emit answered ${res.status()}`);
      const {id} = await res.json();
      await byId(`alert-row-${id}`).waitFor();
      expect(/row-new/.test(await byId(`alert-row-${id}`).getAttribute('class')), 'live row not marked new');
    });
  }

  await step('bulk-triage-keys', async () => {
    // On the list of new alerts: x selects the cursor row, j moves down, x selects that one, the
    // bulk "false positive" button updates both (they leave the list); then a acknowledges the
    // row under the cursor.
    await page.goto(`${opt.base}/#/alerts?status=new`);
    const rows = page.locator('[data-testid^="alert-row-"]');
    await rows.first().waitFor();
    const n0 = await rows.count();
    expect(n0 >= 3, `only ${n0} new alerts; the step needs 3`);
    const first = await rows.nth(0).getAttribute('data-id');
    const second = await rows.nth(1).getAttribute('data-id');
    await page.locator('body').press('x');
    await page.locator('body').press('j');
    await page.locator('body').press('x');
    const sel = (await byId('selected-count').textContent()).trim();
    expect(sel === '2 selected', `selection reads "${sel}"`);
    await byId('bulk-false_positive').click();
    await byId(`alert-row-${first}`).waitFor({state: 'detached'});
    await byId(`alert-row-${second}`).waitFor({state: 'detached'});
    expect(await rows.count() === n0 - 2, `${await rows.count()} rows after the bulk action, want ${n0 - 2}`);
    const third = await rows.nth(0).getAttribute('data-id');
    await page.locator('body').press('a');
    await byId(`alert-row-${third}`).waitFor({state: 'detached'});
    const check = await page.evaluate(async (ids) => Promise.all(ids.map(async (id) =>
      (await (await fetch(`/api/v1/alerts/${id}`)).json()).alert.status)), [first, second, third]);
    expect(check.join() === 'false_positive,false_positive,acknowledged', `stored statuses ${check}`);
  });

  if (!opt.mock) {
    // Real server only (the mock has no events): the explorer lists the replay's protocol
    // events, a protocol filter lands in the URL, and a row opens to its decoded transaction.
    await step('events-explorer', async () => {
      await byId('nav-events').click();
      await byId('events-table').waitFor();
      await byId('event-row').first().waitFor();
      expect(await byId('event-row').count() > 0, 'no event rows');
      await byId('events-filter-proto').selectOption(opt.proto);
      await byId('events-filter-apply').click();
      await page.waitForFunction((p) => location.hash.includes(`proto=${p}`), opt.proto);
      await byId('event-row').first().waitFor();
      const protos = await byId('event-row').evaluateAll((trs) => trs.map((tr) => tr.cells[2].textContent));
      expect(protos.length > 0 && protos.every((p) => p === opt.proto), `rows not all ${opt.proto}: ${protos}`);
      const first = byId('event-row').first();
      const id = await first.getAttribute('data-id');
      await first.click();
      const detail = byId(`event-detail-${id}`);
      await detail.waitFor({state: 'visible'});
      const txn = await detail.locator('[data-testid="transaction"], [data-testid="no-transaction"]').count();
      expect(txn === 1, 'the opened row shows no transaction block');
    });
  }

  await step('language-and-theme', async () => {
    await byId('lang-select').selectOption('zh-CN');
    await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
    const nav = (await byId('nav-dashboard').textContent()).trim();
    expect(nav === '总览', `dashboard link reads "${nav}" in zh-CN`);
    await byId('theme-select').selectOption('dark');
    const dark = await page.evaluate(() => [document.documentElement.dataset.theme,
                                            getComputedStyle(document.body).backgroundColor]);
    expect(dark[0] === 'dark' && dark[1] === 'rgb(15, 20, 24)', `dark theme not applied: ${dark}`);
    await screenshot('zh-CN-dark');
    await byId('lang-select').selectOption('en');
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    await byId('theme-select').selectOption('auto');
  });

  await step('logout', async () => {
    await logout();
  });

  await step('admin-audit', async () => {
    await login(opt.admin, opt['admin-password']);
    await byId('nav-audit').click();
    await byId('audit-table').waitFor();
    await page.locator('[data-testid="audit-entry"]').first().waitFor();
    // Cells: time, actor, action, target, detail, result.
    const entries = await page.locator('[data-testid="audit-entry"]').evaluateAll(
        (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent.trim())));
    const idRe = new RegExp(`(^|\\D)${alertId}(\\D|$)`);
    const hit = entries.find((c) => c[1] === opt.user && idRe.test(c[3]) && c[4].includes('acknowledged'));
    expect(hit, `no audit entry for ${opt.user} acknowledging alert ${alertId}:\n` +
                entries.map((c) => c.join(' | ')).join('\n'));
    await page.locator('[data-testid="audit-entry"]', {hasText: 'acknowledged'}).first().scrollIntoViewIfNeeded();
  });

  await step('admin-users', async () => {
    // Disable and re-enable the analyst, then reset their password: the one-time password is
    // shown once.
    await byId('nav-users').click();
    await byId('users-table').waitFor();
    await byId(`user-toggle-${opt.user}`).click();
    await page.waitForFunction((u) => document.querySelector(`[data-testid="user-state-${u}"]`)
      ?.textContent === 'disabled', opt.user);
    await byId(`user-toggle-${opt.user}`).click();
    await page.waitForFunction((u) => document.querySelector(`[data-testid="user-state-${u}"]`)
      ?.textContent === 'enabled', opt.user);
    page.once('dialog', (d) => d.accept());
    await byId(`user-reset-${opt.user}`).click();
    await page.waitForFunction(() => /password/i.test(
        document.querySelector('[data-testid="users-message"]')?.textContent || ''));
    const msg = await byId('users-message').textContent();
    expect(/: \S{16,}$/.test(msg), `no one-time password in "${msg}"`);
  });

  // Rules page (admin): filter by text, open a rule to its text.
  const ruleRow = (sid) => page.locator(`[data-testid="rule-row"][data-sid="${sid}"]`);
  await step('rules-page', async () => {
    await byId('nav-rules').click();
    await byId('rules-table').waitFor();
    await byId('rule-row').first().waitFor();
    await byId('rules-banner').waitFor();
    await byId('rules-filter-q').fill('listen only');
    await byId('rules-filter-apply').click();
    await page.waitForFunction(() => /[?&]q=listen(\+|%20)only/.test(location.hash));
    await ruleRow(1001001).waitFor();
    const msgs = await byId('rule-row').evaluateAll((trs) => trs.map((tr) => tr.cells[2].textContent));
    expect(msgs.every((m) => /listen only/i.test(m)), `rows that do not match "listen only": ${msgs}`);
    expect(/^\s*\d+\D+\d+\D+\d+/.test(await byId('rules-total').textContent()), 'no "N–M of T rules" line');
    await byId('rule-toggle-1001001').click();
    const text = byId('rule-text-1001001');
    await text.waitFor({state: 'visible'});
    const ruleText = await text.textContent();
    expect(/sid:\s*1001001\s*;/.test(ruleText) && ruleText.includes('modbus'), `rule text: ${ruleText}`);
    // Text, never markup: the <pre> holds no element.
    expect(await text.evaluate((el) => el.children.length) === 0, 'the rule text <pre> has child elements');
  });

  // Upload a broken file (a problem naming line 1, nothing stored), then a valid one (listed).
  await step('rules-upload', async () => {
    await byId('rules-upload-form').scrollIntoViewIfNeeded();
    await byId('rules-upload-name').fill('bad.rules');
    await byId('rules-upload-text').fill('alert modbus any any -> any any (msg:"x"; contnet:"y"; sid:9000001;)\n');
    await byId('rules-upload-submit').click();
    await byId('rules-problem').first().waitFor();
    const problems = (await byId('rules-problem').allTextContents()).join('\n');
    expect(/line 1\b/.test(problems), `no problem naming line 1: ${problems}`);
    expect(await page.locator('[data-testid="rule-file-row"][data-name="bad.rules"]').count() === 0,
           'bad.rules was listed although it was rejected');
    await byId('rules-upload-name').fill('local.rules');
    await byId('rules-upload-text').fill(
        'alert tcp any any -> any 502 (msg:"Local test rule"; content:"|00 00|"; sid:9000002; rev:1;)\n');
    await byId('rules-upload-check').click();
    await page.waitForFunction(() => /1/.test(document.querySelector('[data-testid="rules-upload-result"]')?.textContent || '') &&
                                     !document.querySelector('[data-testid="rules-upload-result"]').classList.contains('error'));
    expect(await page.locator('[data-testid="rule-file-row"][data-name="local.rules"]').count() === 0,
           'a dry run stored the file');
    await byId('rules-upload-submit').click();
    const row = page.locator('[data-testid="rule-file-row"][data-name="local.rules"]');
    await row.waitFor();
    const cells = await row.locator('td').allTextContents();
    expect(cells[1].trim() === '1' && cells[3].trim() === opt.admin, `local.rules row: ${cells}`);
    await byId('rule-file-view-local.rules').click();
    await page.waitForFunction(() => (document.querySelector('[data-testid="rule-file-text-local.rules"] pre')?.textContent || '')
      .includes('sid:9000002'));
    await byId('rules-files').scrollIntoViewIfNeeded();
  });

  // Disable a rule: the change waits for the next load; Reload on `serve` (and the mock without
  // MOCK_ENGINE) explains that there is no engine in this process (409 no_engine).
  await step('rules-disable', async () => {
    await page.goto(`${opt.base}/#/rules?q=listen%20only`);
    await ruleRow(1001001).waitFor();
    const box = byId('rule-enabled-1001001');
    expect(await box.isChecked(), 'sid 1001001 starts disabled');
    await box.uncheck();
    await byId('rule-waits-1001001').waitFor();
    expect(!(await byId('rule-enabled-1001001').isChecked()), 'the checkbox is checked again after the change');
    await byId('rules-pending').waitFor();
    const rules = await page.evaluate(async () => (await (await fetch('/api/v1/rules?sid=1001001')).json()));
    expect(rules.rules[0].enabled === false && rules.loaded.pending === true,
           `the API says enabled=${rules.rules[0].enabled}, pending=${rules.loaded.pending}`);
    await byId('rules-reload').click();
    await page.waitForFunction(() => /SIGHUP/.test(document.querySelector('[data-testid="rules-reload-message"]')?.textContent || ''));
  });

  // System status: the store panel, and the capture panel or the "no live capture" note.
  await step('status-page', async () => {
    await byId('nav-status').click();
    await byId('status-store').waitFor();
    const storeText = await byId('status-store').textContent();
    expect(/Database size/.test(storeText), `store panel: ${storeText}`);
    await page.locator('[data-testid="status-capture"], [data-testid="status-no-capture"]').first().waitFor();
    if (await byId('status-capture').count()) {
      await byId('capture-live').waitFor();
      expect(/\d+ s ago|last update/.test(await byId('capture-age').textContent()), 'no "last update" age');
      expect(await byId('capture-interface').count() > 0, 'no interface rows');
      const chart = await page.locator('[data-testid="chart-throughput"] polyline').count();
      const none = await byId('throughput-none').count();
      expect(chart === 2 || none === 1, `throughput: ${chart} lines`);
    }
    expect(await byId('status-run').count() > 0, 'the runs table is empty');
    // The same pages in the dark theme, for the record.
    await byId('theme-select').selectOption('dark');
    await screenshot('status-page-dark');
    await byId('nav-rules').click();
    await byId('rule-row').first().waitFor();
    await screenshot('rules-page-dark');
    await byId('theme-select').selectOption('auto');
    await byId('nav-status').click();
    await byId('status-store').waitFor();
  });

  await step('admin-logout', async () => {
    await logout();
  });

  await step('no-console-errors', async () => {
    // 401s from the deliberate wrong password and the post-logout probe, the 422 of the broken
    // rule file and the 409 of the reload without an engine are expected noise.
    const real = consoleErrors.filter((e) => !/401|Unauthorized|status of (409|422)\b/i.test(e));
    expect(real.length === 0, `browser console errors:\n${real.join('\n')}`);
  });

  await browser.close();
}

try {
  await main();
} catch (e) {
  console.log(`FAIL setup: ${oneLine(e.message)}`);
  results.push({name: 'setup', status: 'failed'});
  if (browser) await browser.close().catch(() => {});
}
const count = (s) => results.filter((r) => r.status === s).length;
const skipped = count('skipped');
console.log(`webui: ${count('passed')} passed, ${count('failed')} failed${skipped ? `, ${skipped} skipped` : ''}`);
console.log(`screenshots: ${opt.out}`);
process.exit(count('failed') || skipped ? 1 : 0);
