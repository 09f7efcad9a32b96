// Alert list: filters live in the URL (#/alerts?severity=1,2&proto=modbus), keyboard
// navigation (j/k, Enter, a, x), checkboxes + bulk triage, cursor pagination ("load more") and
// live rows from /api/v1/stream that match the filters.
import {h, clear, fmtTime, endpoint} from '/static/dom.js';
import {t} from '/static/i18n.js';
import {api, query} from '/static/api.js';
import {ACTIONS, canTriage, triage, sevClass} from '/static/pages/triage.js';

const PAGE = 50;
const KNOWN_PROTOS = ['modbus', 'dnp3', 'iec104', 's7comm', 's7comm_plus'];
const STATUSES = ['new', 'acknowledged', 'resolved', 'false_positive'];
const TEXT_FILTERS = ['sid', 'host', 'q'];

function list(params, key) {
  return (params.get(key) || '').split(',').map((v) => v.trim()).filter(Boolean);
}

// The filters of the URL as API query parameters (since/until stay microseconds).
export function filtersFrom(params) {
  const f = {severity: list(params, 'severity'), status: list(params, 'status'),
             proto: params.get('proto') || ''};
  for (const k of [...TEXT_FILTERS, 'since', 'until']) f[k] = params.get(k) || '';
  return f;
}

function matches(a, f) {
  if (f.since || f.until) return false;  // a bounded window: leave it to a reload
  if (f.severity.length && !f.severity.includes(String(a.severity))) return false;
  if (f.status.length && !f.status.includes(String(a.status || 'new'))) return false;
  if (f.proto && a.app_proto !== f.proto) return false;
  if (f.sid && String(a.sid) !== f.sid) return false;
  if (f.host && a.src_ip !== f.host && a.dest_ip !== f.host) return false;
  if (f.q && !String(a.signature || '').toLowerCase().includes(f.q.toLowerCase())) return false;
  return true;
}

function toLocalInput(us) {
  if (!us) return '';
  const d = new Date(Number(us) / 1000);
  if (Number.isNaN(d.getTime())) return '';
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

function fromLocalInput(v) {
  if (!v) return '';
  const ms = new Date(v).getTime();
  return Number.isNaN(ms) ? '' : String(ms * 1000);
}

function filterForm(f, protos, ctx) {
  const sevBoxes = [1, 2, 3, 4].map((s) => h('label', {class: 'chip'},
      h('input', {type: 'checkbox', name: 'severity', value: String(s), testid: `filter-severity-${s}`,
                  checked: f.severity.includes(String(s))}),
      h('span', {class: sevClass(s)}, t(`severity.${s}`))));
  const statusBoxes = STATUSES.map((s) => h('label', {class: 'chip'},
      h('input', {type: 'checkbox', name: 'status', value: s, testid: `filter-status-${s}`,
                  checked: f.status.includes(s)}),
      t(`status.${s}`)));
  const proto = h('select', {name: 'proto', testid: 'filter-proto'},
                  h('option', {value: ''}, t('alerts.f.any')),
                  protos.map((p) => h('option', {value: p}, p)));
  proto.value = f.proto;
  const text = (k, extra) => h('label', {}, t(`alerts.f.${k}`),
                              h('input', {name: k, value: f[k], testid: `filter-${k}`,
                                          maxlength: 256, ...extra}));
  const since = h('input', {type: 'datetime-local', name: 'since', testid: 'filter-since',
                            value: toLocalInput(f.since)});
  const until = h('input', {type: 'datetime-local', name: 'until', testid: 'filter-until',
                            value: toLocalInput(f.until)});
  const form = h('form', {class: 'card filters', testid: 'alert-filters', onsubmit: (e) => {
    e.preventDefault();
    const fd = new FormData(form);
    const p = {severity: fd.getAll('severity'), status: fd.getAll('status'),
               proto: fd.get('proto'), since: fromLocalInput(fd.get('since')),
               until: fromLocalInput(fd.get('until'))};
    for (const k of TEXT_FILTERS) p[k] = String(fd.get(k) || '').trim();
    ctx.navigate(`#/alerts${query(p)}`);
  }},
  h('fieldset', {}, h('legend', {}, t('alerts.f.severity')), sevBoxes),
  h('fieldset', {}, h('legend', {}, t('alerts.f.status')), statusBoxes),
  h('div', {class: 'filter-row'},
    h('label', {}, t('alerts.f.proto'), proto),
    text('sid', {inputmode: 'numeric', pattern: '[0-9]*', size: 10}),
    text('host', {size: 16}), text('q', {type: 'search', size: 20}),
    h('label', {}, t('alerts.f.since'), since), h('label', {}, t('alerts.f.until'), until)),
  h('div', {class: 'filter-actions'},
    h('button', {type: 'submit', class: 'btn primary', testid: 'filter-apply'}, t('common.apply')),
    h('a', {class: 'btn', href: '#/alerts', testid: 'filter-clear'}, t('common.clear'))));
  return form;
}

export async function render(main, ctx) {
  const f = filtersFrom(ctx.params);
  const triageOk = canTriage(ctx.user);
  let protos = KNOWN_PROTOS.slice();
  try {
    const fc = await api('GET', `/api/v1/alerts/facets?facet=app_proto`);
    for (const c of fc.counts || []) if (c.value && !protos.includes(c.value)) protos.push(String(c.value));
  } catch {
    // The protocol list is a convenience; the known protocols are enough to filter.
  }
  if (f.proto && !protos.includes(f.proto)) protos.push(f.proto);
  if (!ctx.isCurrent()) return undefined;

  const rows = [];  // {alert, tr, check}
  let cursor = null;
  let pos = -1;
  const status = h('p', {class: 'toast', role: 'status', testid: 'alerts-message', hidden: true});
  const liveState = h('span', {class: 'badge live', testid: 'live-state'}, t('alerts.live_on'));
  const selCount = h('span', {class: 'muted', testid: 'selected-count'}, t('alerts.selected', {n: 0}));
  const allBox = h('input', {type: 'checkbox', testid: 'select-all', 'aria-label': t('alerts.select_all'),
                             onchange: (e) => { for (const r of rows) r.check.checked = e.target.checked; updateSel(); }});
  const tbody = h('tbody', {testid: 'alert-rows'});
  const empty = h('p', {class: 'empty', testid: 'alerts-empty', hidden: true}, t('alerts.empty'));
  const more = h('button', {type: 'button', class: 'btn', testid: 'load-more', hidden: true,
                            onclick: () => load(false)}, t('common.more'));
  const assignee = h('input', {testid: 'bulk-assignee', placeholder: t('alerts.assign_to'),
                               'aria-label': t('alerts.assign_to'), maxlength: 64, size: 12});

  function selectedIds() { return rows.filter((r) => r.check.checked).map((r) => r.alert.id); }
  function updateSel() {
    const n = selectedIds().length;
    selCount.textContent = t('alerts.selected', {n});
    allBox.checked = n > 0 && n === rows.length;
  }
  function say(text, isError) {
    status.textContent = text;
    status.classList.toggle('error', Boolean(isError));
    status.hidden = false;
  }
  async function act(action, ids) {
    if (!ids.length) return;
    try {
      await triage(ids, action, assignee.value.trim());
      say(t('alerts.done', {action: t(`action.${action}`), n: ids.length}));
      await load(true);
    } catch (e) {
      say(t('common.error', {message: e.message}), true);
    }
  }

  const bulk = triageOk ? h('div', {class: 'bulk', testid: 'bulk-bar'}, selCount,
      ACTIONS.map((a) => h('button', {type: 'button', class: 'btn', testid: `bulk-${a}`,
                                      onclick: () => act(a, selectedIds())}, t(`action.${a}`))),
      assignee,
      h('button', {type: 'button', class: 'btn', testid: 'bulk-assign',
                   onclick: () => assignee.value.trim() && act('assign', selectedIds())},
        t('action.assign'))) : null;

  function rowFor(a, isNew) {
    const check = h('input', {type: 'checkbox', testid: `alert-check-${a.id}`,
                              'aria-label': String(a.id), onchange: updateSel});
    const tr = h('tr', {testid: `alert-row-${a.id}`, class: isNew ? 'row-new' : null,
                        'data-id': String(a.id), onclick: (e) => {
      if (e.target.closest('a,input,button')) return;
      setPos(rows.findIndex((r) => r.tr === tr));
    }},
    h('td', {}, triageOk ? check : null),
    h('td', {}, h('span', {class: sevClass(a.severity)}, t(`severity.${a.severity}`))),
    h('td', {class: 'nowrap'}, fmtTime(a.last_seen_us || a.ts_us)),
    h('td', {class: 'sig'}, h('a', {href: `#/alerts/${encodeURIComponent(a.id)}`,
                                    testid: `alert-link-${a.id}`}, a.signature || `sid ${a.sid}`)),
    h('td', {}, a.app_proto || ''),
    h('td', {class: 'mono'}, endpoint(a.src_ip, a.src_port)),
    h('td', {class: 'mono'}, endpoint(a.dest_ip, a.dest_port)),
    h('td', {}, h('span', {class: `status st-${a.status}`, testid: `alert-status-${a.id}`},
                  t(`status.${a.status || 'new'}`))),
    h('td', {}, a.assignee || ''),
    h('td', {class: 'num'}, String(a.count ?? 1)));
    return {alert: a, tr, check};
  }

  function setPos(i) {
    if (!rows.length) return;
    if (pos >= 0 && rows[pos]) rows[pos].tr.classList.remove('cursor');
    pos = Math.max(0, Math.min(rows.length - 1, i));
    rows[pos].tr.classList.add('cursor');
    rows[pos].tr.scrollIntoView({block: 'nearest'});
  }

  async function load(reset) {
    const params = {severity: f.severity, status: f.status, proto: f.proto, sid: f.sid,
                    host: f.host, q: f.q, since: f.since, until: f.until, limit: PAGE};
    if (!reset && cursor) params.cursor = cursor;
    const data = await api('GET', `/api/v1/alerts${query(params)}`);
    if (!ctx.isCurrent()) return;
    if (reset) {
      clear(tbody);
      rows.length = 0;
      pos = -1;
    }
    for (const a of data.alerts || []) {
      const r = rowFor(a, false);
      rows.push(r);
      tbody.append(r.tr);
    }
    cursor = data.next_cursor || null;
    more.hidden = !cursor;
    empty.hidden = rows.length > 0;
    updateSel();
    if (rows.length && pos < 0) setPos(0);
  }

  const table = h('table', {class: 'alerts', testid: 'alert-table'},
      h('thead', {}, h('tr', {},
          h('th', {}, triageOk ? allBox : null),
          ['severity', 'time', 'signature', 'proto', 'src', 'dest', 'status', 'assignee', 'count']
              .map((c) => h('th', {scope: 'col'}, t(`alerts.col.${c}`))))),
      tbody);

  main.append(h('div', {class: 'page-head'}, h('h1', {}, t('alerts.title')), liveState,
                h('span', {class: 'muted small'}, t('alerts.keys'))),
              filterForm(f, protos, ctx), status, bulk,
              h('div', {class: 'table-wrap card'}, table, empty), more);
  await load(true);

  const onKey = (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    // Letters are for typing in text fields; Enter also belongs to a focused button or link.
    const inField = e.target.closest && e.target.closest('input:not([type=checkbox]),select,textarea');
    if (inField || (e.key === 'Enter' && e.target.closest && e.target.closest('button,a,input'))) return;
    if (e.key === 'j') setPos(pos + 1);
    else if (e.key === 'k') setPos(pos - 1);
    else if (e.key === 'Enter' && rows[pos]) ctx.navigate(`#/alerts/${encodeURIComponent(rows[pos].alert.id)}`);
    else if (e.key === 'x' && rows[pos] && triageOk) {
      rows[pos].check.checked = !rows[pos].check.checked;
      updateSel();
    } else if (e.key === 'a' && rows[pos] && triageOk) act('ack', [rows[pos].alert.id]);
    else return;
    e.preventDefault();
  };
  const onAlert = (ev) => {
    const a = ev.detail;
    if (!a || a.id === undefined || !matches(a, f)) return;
    const old = rows.findIndex((r) => String(r.alert.id) === String(a.id));
    const r = rowFor(a, true);
    if (old >= 0) {
      rows[old].tr.replaceWith(r.tr);
      rows[old] = r;
    } else {
      rows.unshift(r);
      tbody.prepend(r.tr);
      if (pos >= 0) pos += 1;
    }
    empty.hidden = true;
  };
  const onState = (ev) => {
    liveState.textContent = ev.detail ? t('alerts.live_on') : t('alerts.live_off');
    liveState.classList.toggle('off', !ev.detail);
  };
  document.addEventListener('keydown', onKey);
  ctx.live.addEventListener('alert', onAlert);
  ctx.live.addEventListener('stream-state', onState);
  return () => {
    document.removeEventListener('keydown', onKey);
    ctx.live.removeEventListener('alert', onAlert);
    ctx.live.removeEventListener('stream-state', onState);
  };
}
