// Events explorer: protocol events from /api/v1/events, filters in the URL
// (#/events?proto=modbus&src=10.0.0.1&q=write), newest first, cursor pagination ("load more");
// a row opens to show the decoded request/response of its EVE record.
import {h, clear, fmtTime, endpoint, expander} from '/static/dom.js';
import {t} from '/static/i18n.js';
import {api, query} from '/static/api.js';
import {transaction} from '/static/pages/detail.js';

const PAGE = 100;
const PROTOS = ['modbus', 'dnp3', 'iec104', 's7comm', 's7comm_plus'];
const TEXT_FILTERS = ['src', 'dest', 'q'];

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

export function filtersFrom(params) {
  const f = {proto: params.get('proto') || ''};
  for (const k of [...TEXT_FILTERS, 'since', 'until']) f[k] = params.get(k) || '';
  return f;
}

function filterForm(f, ctx) {
  const protos = PROTOS.includes(f.proto) || !f.proto ? PROTOS : [...PROTOS, f.proto];
  const proto = h('select', {name: 'proto', testid: 'events-filter-proto'},
                  h('option', {value: ''}, t('alerts.f.any')),
                  protos.map((p) => h('option', {value: p}, p)));
  proto.value = f.proto;
  const text = (k, extra) => h('label', {}, t(`events.f.${k}`),
                              h('input', {name: k, value: f[k], testid: `events-filter-${k}`,
                                          maxlength: k === 'q' ? 200 : 45, ...extra}));
  const since = h('input', {type: 'datetime-local', name: 'since', testid: 'events-filter-since',
                            value: toLocalInput(f.since)});
  const until = h('input', {type: 'datetime-local', name: 'until', testid: 'events-filter-until',
                            value: toLocalInput(f.until)});
  const form = h('form', {class: 'card filters', testid: 'event-filters', onsubmit: (e) => {
    e.preventDefault();
    const fd = new FormData(form);
    const p = {proto: fd.get('proto'), since: fromLocalInput(fd.get('since')),
               until: fromLocalInput(fd.get('until'))};
    for (const k of TEXT_FILTERS) p[k] = String(fd.get(k) || '').trim();
    ctx.navigate(`#/events${query(p)}`);
  }},
  h('div', {class: 'filter-row'},
    h('label', {}, t('alerts.f.proto'), proto),
    text('src', {size: 16}), text('dest', {size: 16}), text('q', {type: 'search', size: 24}),
    h('label', {}, t('alerts.f.since'), since), h('label', {}, t('alerts.f.until'), until)),
  h('div', {class: 'filter-actions'},
    h('button', {type: 'submit', class: 'btn primary', testid: 'events-filter-apply'}, t('common.apply')),
    h('a', {class: 'btn', href: '#/events', testid: 'events-filter-clear'}, t('common.clear'))));
  return form;
}

// A one-line summary of the request/response for the table.
function summary(e) {
  const obj = e.eve && e.app_proto ? e.eve[e.app_proto] : null;
  if (!obj || typeof obj !== 'object') return '';
  const req = obj.request && typeof obj.request === 'object' ? obj.request : obj;
  const name = req.function_name ?? req.function ?? req.function_code ?? req.type ?? req.command ?? '';
  return String(name);
}

export async function render(main, ctx) {
  const f = filtersFrom(ctx.params);
  let cursor = null;
  let count = 0;
  const msg = h('p', {class: 'toast error', role: 'status', testid: 'events-message', hidden: true});
  const tbody = h('tbody', {testid: 'event-rows'});
  const empty = h('p', {class: 'empty', testid: 'events-empty', hidden: true}, t('events.empty'));
  const more = h('button', {type: 'button', class: 'btn', testid: 'events-more', hidden: true,
                            onclick: () => load().catch(showError)}, t('common.more'));

  function showError(e) {
    msg.textContent = t('common.error', {message: e.message});
    msg.hidden = false;
  }

  function rowFor(e) {
    const {toggle, detailRow, open} = expander({
      rowClass: 'event-detail', detailTestid: `event-detail-${e.id}`, toggleTestid: `event-toggle-${e.id}`,
      colspan: 7, label: t('events.expand'),
      fill: (cell) => cell.append(
          transaction(e.eve, e.app_proto),
          h('details', {}, h('summary', {}, t('detail.raw_eve')),
            h('pre', {class: 'mono raw', testid: `event-raw-${e.id}`}, JSON.stringify(e.eve, null, 2)))),
    });
    const tr = h('tr', {testid: 'event-row', 'data-id': String(e.id), class: 'clickable', onclick: (ev) => {
      if (ev.target.closest('a,button,input')) return;
      open();
    }},
    h('td', {}, toggle),
    h('td', {class: 'nowrap'}, fmtTime(e.ts_us)),
    h('td', {}, e.app_proto || ''),
    h('td', {class: 'mono'}, endpoint(e.src_ip, e.src_port)),
    h('td', {class: 'mono'}, endpoint(e.dest_ip, e.dest_port)),
    h('td', {class: 'mono'}, summary(e)),
    h('td', {class: 'num'}, e.pcap_cnt ? String(e.pcap_cnt) : ''));
    return [tr, detailRow];
  }

  async function load() {
    const params = {proto: f.proto, src: f.src, dest: f.dest, q: f.q, since: f.since, until: f.until,
                    limit: PAGE};
    if (cursor) params.cursor = cursor;
    const data = await api('GET', `/api/v1/events${query(params)}`);
    if (!ctx.isCurrent()) return;
    for (const e of data.events || []) {
      tbody.append(...rowFor(e));
      ++count;
    }
    cursor = data.next_cursor || null;
    more.hidden = !cursor;
    empty.hidden = count > 0;
  }

  clear(main);
  main.append(h('div', {class: 'page-head'}, h('h1', {}, t('events.title'))),
              filterForm(f, ctx), msg,
              h('div', {class: 'table-wrap card'}, h('table', {testid: 'events-table'},
                h('thead', {}, h('tr', {},
                  h('th', {}, h('span', {class: 'visually-hidden'}, t('events.expand'))),
                  h('th', {}, t('events.col.time')), h('th', {}, t('events.col.proto')),
                  h('th', {}, t('events.col.src')), h('th', {}, t('events.col.dest')),
                  h('th', {}, t('events.col.summary')), h('th', {}, t('events.col.packet')))),
                tbody)),
              empty, more);
  try {
    await load();
  } catch (e) {
    if (!ctx.isCurrent()) return;
    showError(e);
  }
}
