// Dashboard: alerts over time (bucketed in the browser from the newest alerts of the window),
// by severity, top signatures, top talkers and protocol mix (facet calls). Each facet row links
// to the alert list filtered on it.
import {h} from '/static/dom.js';
import {t} from '/static/i18n.js';
import {api, query} from '/static/api.js';
import {timeBars, hBars} from '/static/charts.js';

const WINDOWS = {'1h': 3600e6, '24h': 86400e6, '7d': 7 * 86400e6, all: 0};
const SAMPLE = 500;
const SEVERITIES = [1, 2, 3, 4];

function windowRange(win) {
  const span = WINDOWS[win];
  if (!span) return {};
  const now = Date.now() * 1000;
  return {since: Math.floor(now - span), until: Math.floor(now)};
}

async function facet(name, range) {
  const data = await api('GET', `/api/v1/alerts/facets${query({...range, facet: name})}`);
  return (data.counts || []).map((c) => ({value: c.value, alerts: Number(c.alerts) || 0}))
                            .sort((a, b) => b.alerts - a.alerts);
}

async function sample(range) {
  try {
    return await api('GET', `/api/v1/alerts${query({...range, limit: SAMPLE})}`);
  } catch (e) {
    if (e.status !== 400) throw e;
    return api('GET', `/api/v1/alerts${query({...range, limit: 100})}`);  // a smaller page cap
  }
}

// ~24 equal buckets between the oldest and newest sampled alert (or the window's bounds).
export function bucketize(alerts, range, n = 24) {
  if (!alerts.length) return [];
  const ts = alerts.map((a) => Number(a.ts_us));
  let lo = range.since ?? Math.min(...ts);
  let hi = range.until ?? Math.max(...ts);
  if (hi <= lo) hi = lo + 1e6;
  const width = (hi - lo) / n;
  const buckets = Array.from({length: n}, (_, i) => ({start_us: lo + i * width, counts: {}}));
  for (const a of alerts) {
    const i = Math.min(n - 1, Math.max(0, Math.floor((Number(a.ts_us) - lo) / width)));
    const sev = String(a.severity);
    buckets[i].counts[sev] = (buckets[i].counts[sev] || 0) + 1;
  }
  return buckets;
}

function panel(titleKey, testid, body, extra, cls) {
  return h('section', {class: `card panel ${cls || ''}`, testid},
           h('h2', {}, t(titleKey)), extra || null, body);
}

function link(params) {
  return `#/alerts${query(params)}`;
}

export async function render(main, ctx) {
  const win = WINDOWS[ctx.params.get('window')] !== undefined ? ctx.params.get('window') : 'all';
  const range = windowRange(win);
  const winSel = h('select', {testid: 'dash-window', 'aria-label': t('dash.window'),
                              onchange: (e) => ctx.navigate(`#/dashboard?window=${e.target.value}`)},
                   Object.keys(WINDOWS).map((w) => h('option', {value: w}, t(`dash.window.${w}`))));
  winSel.value = win;
  const liveBadge = h('span', {class: 'badge live', testid: 'dash-live', hidden: true});
  main.append(h('div', {class: 'page-head'}, h('h1', {}, t('dash.title')),
                h('label', {class: 'inline'}, t('dash.window'), winSel), liveBadge));
  const loading = h('p', {class: 'muted', testid: 'dash-loading'}, t('common.loading'));
  main.append(loading);

  // One failing facet call leaves a note in its panel instead of blanking the whole page.
  const settled = await Promise.allSettled([
    sample(range), facet('severity', range), facet('sid', range), facet('src_ip', range),
    facet('app_proto', range), facet('status', range)]);
  if (!ctx.isCurrent()) return undefined;
  loading.remove();
  const failures = settled.filter((r) => r.status === 'rejected').map((r) => r.reason);
  if (failures.length === settled.length) throw failures[0];
  const [page, sev, sids, talkers, protos, statuses] =
      settled.map((r, i) => (r.status === 'fulfilled' ? r.value : (i ? [] : {alerts: []})));
  if (failures.length) {
    main.append(h('p', {class: 'toast error', testid: 'dash-partial'},
                  t('common.error', {message: failures.map((e) => e.message).join('; ')})));
  }

  const alerts = page.alerts || [];
  const total = sev.reduce((n, c) => n + c.alerts, 0);
  const open = statuses.filter((c) => c.value === 'new').reduce((n, c) => n + c.alerts, 0);
  const sigName = new Map(alerts.map((a) => [String(a.sid), a.signature]));
  const baseRange = range.since ? {since: range.since} : {};

  main.append(h('div', {class: 'kpis'},
                h('a', {class: 'card kpi', href: link(baseRange), testid: 'kpi-total'},
                  h('span', {class: 'kpi-num'}, String(total)), h('span', {}, t('dash.total'))),
                h('a', {class: 'card kpi', href: link({...baseRange, status: 'new'}), testid: 'kpi-open'},
                  h('span', {class: 'kpi-num'}, String(open)), h('span', {}, t('dash.open'))),
                ...SEVERITIES.map((s) => {
                  const n = sev.filter((c) => String(c.value) === String(s))
                               .reduce((m, c) => m + c.alerts, 0);
                  return h('a', {class: `card kpi sevk-${s}`, href: link({...baseRange, severity: s}),
                                 testid: `kpi-sev-${s}`},
                           h('span', {class: 'kpi-num'}, String(n)), h('span', {}, t(`severity.${s}`)));
                })));

  if (!total && !alerts.length) {
    main.append(h('p', {class: 'card empty', testid: 'dash-empty'}, t('dash.no_data')));
  }
  const series = SEVERITIES.map((s) => ({key: String(s), label: t(`severity.${s}`), cls: `sev-${s}`}));
  const grid = h('div', {class: 'grid'});
  grid.append(
      panel('dash.over_time', 'panel-over-time',
            timeBars(bucketize(alerts, range), series, {testid: 'chart-over-time',
                                                        title: t('dash.over_time')}),
            h('p', {class: 'muted small'}, t('dash.over_time_note', {n: alerts.length})), 'wide'),
      panel('dash.by_severity', 'panel-severity',
            hBars(sev.slice().sort((x, y) => Number(x.value) - Number(y.value)).map((c) => ({label: t(`severity.${c.value}`), value: c.alerts,
                                   cls: `sev-${c.value}`,
                                   href: link({...baseRange, severity: c.value})})),
                  {testid: 'chart-severity', title: t('dash.by_severity')})),
      panel('dash.top_signatures', 'panel-signatures',
            hBars(sids.slice(0, 10).map((c) => ({
              label: sigName.has(String(c.value)) ? `${sigName.get(String(c.value))} (${c.value})`
                                                  : `sid ${c.value}`,
              value: c.alerts, href: link({...baseRange, sid: c.value})})),
                  {testid: 'chart-signatures', title: t('dash.top_signatures')})),
      panel('dash.top_talkers', 'panel-talkers',
            hBars(talkers.slice(0, 10).map((c) => ({label: String(c.value), value: c.alerts,
                                                    href: link({...baseRange, host: c.value})})),
                  {testid: 'chart-talkers', title: t('dash.top_talkers')})),
      panel('dash.protocol_mix', 'panel-protocols',
            hBars(protos.map((c) => ({label: String(c.value || '—'), value: c.alerts,
                                      href: link({...baseRange, proto: c.value})})),
                  {testid: 'chart-protocols', title: t('dash.protocol_mix')})));
  main.append(grid);

  let fresh = 0;
  const onAlert = () => {
    fresh += 1;
    liveBadge.textContent = t('dash.live', {n: fresh});
    liveBadge.hidden = false;
  };
  ctx.live.addEventListener('alert', onAlert);
  return () => ctx.live.removeEventListener('alert', onAlert);
}
