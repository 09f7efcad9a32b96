// System status (/api/v1/status): the store (size, counts, last run), the live capture's newest
// statistics (live/stopped, drops, rates, interfaces, decoder and reassembly counters), its
// throughput over the recorded intervals, and the recent runs. Refreshes every 10 s while open;
// the "last update" age ticks every second.
import {h, clear, fmtTime} from '/static/dom.js';
import {t} from '/static/i18n.js';
import {api} from '/static/api.js';
import {timeLines} from '/static/charts.js';

const num = (v) => (v === null || v === undefined || v === '' ? '—' : Number(v).toLocaleString('en-US'));

export function fmtBytes(n) {
  if (n === null || n === undefined) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = Number(n), i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    ++i;
  }
  return i ? `${v.toFixed(1)} ${units[i]}` : `${v} B`;
}

const fmtRate = (v, digits = 1) => (v === null || v === undefined ? '—'
  : Number(v).toLocaleString('en-US', {maximumFractionDigits: digits}));
const mbit = (bps) => (bps === null || bps === undefined ? null : Number(bps) / 1e6);

function fmtDuration(sec) {
  if (sec === null || sec === undefined) return '—';
  let s = Math.max(0, Math.floor(Number(sec)));
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const hh = Math.floor(s / 3600), mm = Math.floor((s % 3600) / 60), ss = s % 60;
  const p = (n) => String(n).padStart(2, '0');
  return `${d ? `${d}d ` : ''}${p(hh)}:${p(mm)}:${p(ss)}`;
}

function kv(rows) {
  return h('dl', {class: 'kv'}, rows.map(([k, v, extra]) => [h('dt', {}, t(k)),
                                                              h('dd', {class: 'mono', ...(extra || {})}, v)]));
}

function runSummary(r) {
  if (!r) return t('common.none');
  const inputs = Array.isArray(r.inputs) ? r.inputs.join(', ') : String(r.inputs || '');
  return `${r.command || ''} ${inputs} — ${fmtTime(r.started_us)}` +
         (r.finished_us ? ` → ${fmtTime(r.finished_us)}` : ` (${t('status.run.running')})`);
}

function storePanel(d) {
  return h('section', {class: 'card', testid: 'status-store'}, h('h2', {}, t('status.store')),
           kv([['status.version', d.version ?? '—'], ['status.db_path', d.db_path ?? '—'],
               ['status.db_bytes', fmtBytes(d.db_bytes)], ['status.alerts', num(d.alerts)],
               ['status.alert_rows', num(d.alert_rows)], ['status.events', num(d.events)],
               ['status.schema_version', d.schema_version ?? '—'],
               ['status.last_run', runSummary(d.last_run), {class: 'small'}]]));
}

function kpi(key, value, {warn, testid} = {}) {
  return h('div', {class: `card kpi${warn ? ' warn' : ''}`, testid},
           h('span', {class: 'kpi-num'}, value), h('span', {class: 'muted small'}, t(key)));
}

function capturePanel(c, ageEl) {
  const live = Boolean(c.live);
  const head = h('div', {class: 'panel-head'}, h('h2', {}, t('status.capture')),
                 h('span', {class: `badge live${live ? '' : ' off'}`, testid: 'capture-live'},
                   live ? t('status.live') : t('status.stopped')),
                 ageEl);
  const kpis = h('div', {class: 'kpis capture-kpis'},
                 kpi('status.received', num(c.received), {testid: 'capture-received'}),
                 kpi('status.kernel_drops', num(c.kernel_drops), {warn: Number(c.kernel_drops) > 0,
                                                                 testid: 'capture-kernel-drops'}),
                 kpi('status.if_drops', num(c.if_drops), {warn: Number(c.if_drops) > 0, testid: 'capture-if-drops'}),
                 kpi('status.pps', fmtRate(c.packets_per_s), {testid: 'capture-pps'}),
                 kpi('status.mbps', fmtRate(mbit(c.bits_per_s), 2), {testid: 'capture-mbps'}),
                 kpi('status.cap_events', num(c.events)), kpi('status.cap_alerts', num(c.alerts)),
                 kpi('status.flows_active', num(c.flows_active)),
                 kpi('status.uptime', fmtDuration(c.uptime_s)));
  const ifs = Array.isArray(c.interfaces) ? c.interfaces : [];
  const warnCell = (v) => h('td', {class: `num${Number(v) > 0 ? ' warn-text' : ''}`}, num(v));
  const ifTable = h('div', {class: 'table-wrap'}, h('table', {testid: 'capture-interfaces'},
    h('thead', {}, h('tr', {}, h('th', {}, t('status.if_name')), h('th', {class: 'num'}, t('status.received')),
                     h('th', {class: 'num'}, t('status.kernel_drops')), h('th', {class: 'num'}, t('status.if_drops')))),
    h('tbody', {}, ifs.map((i) => h('tr', {testid: 'capture-interface'}, h('td', {class: 'mono'}, i.name || ''),
                                    h('td', {class: 'num'}, num(i.received)), warnCell(i.kernel_drops),
                                    warnCell(i.if_drops))))));
  const st = c.stats && typeof c.stats === 'object' ? c.stats : {};
  const g = (sec, key) => (st[sec] && typeof st[sec] === 'object' ? st[sec][key] : undefined);
  const reasons = g('decode', 'error_reasons');
  const reasonText = reasons && typeof reasons === 'object' && Object.keys(reasons).length
    ? ` (${Object.entries(reasons).map(([k, v]) => `${k}: ${v}`).join(', ')})` : '';
  const counters = [
    ['status.decode_errors', `${num(g('decode', 'errors'))}${reasonText}`, Number(g('decode', 'errors')) > 0],
    ['status.tcp_gaps', num(g('tcp', 'gaps')), Number(g('tcp', 'gaps')) > 0],
    ['status.tcp_gap_bytes', num(g('tcp', 'gap_bytes'))],
    ['status.tcp_out_of_order', num(g('tcp', 'out_of_order'))],
    ['status.tcp_retransmissions', num(g('tcp', 'retransmissions'))],
    ['status.tcp_midstream', num(g('tcp', 'midstream'))],
    ['status.defrag_fragments', num(g('defrag', 'fragments'))],
    ['status.defrag_reassembled', num(g('defrag', 'reassembled'))],
    ['status.defrag_anomalies', num(g('defrag', 'anomalies')), Number(g('defrag', 'anomalies')) > 0],
    ['status.defrag_timeouts', num(g('defrag', 'timeouts'))],
    ['status.defrag_memcap_drops', num(g('defrag', 'memcap_drops')), Number(g('defrag', 'memcap_drops')) > 0],
    ['status.output_failed', num(g('output', 'failed')), Number(g('output', 'failed')) > 0],
  ];
  return h('section', {class: 'card wide', testid: 'status-capture'}, head, kpis,
           h('div', {class: 'split'},
             h('div', {}, h('h3', {}, t('status.interfaces')), ifTable),
             h('div', {testid: 'capture-counters'}, h('h3', {}, t('status.counters')),
               kv(counters.map(([k, v, warn]) => [k, v, warn ? {class: 'mono warn-text'} : null])))));
}

function throughputPanel(points) {
  const body = points.length >= 2
    ? timeLines(points.map((p) => ({...p, mbit_per_s: mbit(p.bits_per_s)})),
                [{key: 'packets_per_s', label: t('status.pps'), cls: 'series-a'},
                 {key: 'mbit_per_s', label: t('status.mbps'), cls: 'series-b', fmt: (v) => v.toFixed(1)}],
                {testid: 'chart-throughput', title: t('status.throughput'),
                 mark: {key: 'kernel_drops', label: t('status.drops_marked'), cls: 'drop'}})
    : h('p', {class: 'muted', testid: 'throughput-none'}, t('status.throughput_none'));
  return h('section', {class: 'card', testid: 'status-throughput'}, h('h2', {}, t('status.throughput')), body);
}

function runsPanel(runs) {
  const body = runs.length
    ? h('div', {class: 'table-wrap'}, h('table', {testid: 'status-runs-table'},
        h('thead', {}, h('tr', {}, ['started', 'finished', 'command', 'inputs'].map((k) => h('th', {}, t(`status.run.${k}`))),
                         ['packets', 'bytes', 'events', 'alerts'].map((k) => h('th', {class: 'num'}, t(`status.run.${k}`))))),
        h('tbody', {}, runs.map((r) => h('tr', {testid: 'status-run'},
          h('td', {class: 'nowrap'}, fmtTime(r.started_us)),
          h('td', {class: 'nowrap'}, r.finished_us ? fmtTime(r.finished_us)
                                                   : h('span', {class: 'badge live'}, t('status.run.running'))),
          h('td', {}, r.command || ''),
          h('td', {class: 'mono small'}, Array.isArray(r.inputs) ? r.inputs.join(', ') : String(r.inputs || '')),
          h('td', {class: 'num'}, num(r.packets)), h('td', {class: 'num'}, fmtBytes(r.bytes)),
          h('td', {class: 'num'}, num(r.events)), h('td', {class: 'num'}, num(r.alerts)))))))
    : h('p', {class: 'muted'}, t('status.runs_empty'));
  return h('section', {class: 'card wide', testid: 'status-runs'}, h('h2', {}, t('status.runs')), body);
}

export async function render(main, ctx) {
  main.append(h('div', {class: 'page-head'}, h('h1', {}, t('status.title'))));
  const box = h('div', {class: 'status-grid', testid: 'status-panels'});
  const msg = h('p', {class: 'toast error', role: 'status', testid: 'status-message', hidden: true});
  main.append(msg, box);
  let captureTs = null;
  const ageEl = h('span', {class: 'muted small', testid: 'capture-age'});
  const tick = () => {
    if (captureTs === null) return;
    const n = Math.max(0, Math.round((Date.now() * 1000 - Number(captureTs)) / 1e6));
    ageEl.textContent = n < 3600 ? t('status.updated_ago', {n}) : t('status.updated_at', {time: fmtTime(captureTs)});
  };
  async function refresh() {
    const d = (await api('GET', '/api/v1/status')) || {};
    if (!ctx.isCurrent()) return;
    msg.hidden = true;
    clear(box);
    box.append(storePanel(d));
    if (d.capture && typeof d.capture === 'object') {
      captureTs = d.capture.ts_us;
      tick();
      box.append(throughputPanel(Array.isArray(d.throughput) ? d.throughput : []),
                 capturePanel(d.capture, ageEl));
    } else {
      captureTs = null;
      box.append(h('section', {class: 'card notice', testid: 'status-no-capture'},
                   h('h2', {}, t('status.capture')), h('p', {}, t('status.no_capture'))));
    }
    box.append(runsPanel(Array.isArray(d.runs) ? d.runs : []));
  }
  await refresh();
  const timer = setInterval(() => refresh().catch((e) => {
    if (!ctx.isCurrent()) return;
    msg.textContent = e.status === 0 ? t('error.network') : t('common.error', {message: e.message});
    msg.hidden = false;
  }), 10000);
  const ticker = setInterval(tick, 1000);
  return () => {
    clearInterval(timer);
    clearInterval(ticker);
  };
}
