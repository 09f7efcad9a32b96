// Audit log (admin): newest first, cursor pagination.
import {h, fmtTime} from '/static/dom.js';
import {t} from '/static/i18n.js';
import {api, query} from '/static/api.js';

// The store keeps detail as a JSON object text ({"field":"status","old":"new",...}): shown as
// "field=status, old=new, ..."; anything else as it is.
function detailText(d) {
  let obj = d;
  if (typeof d === 'string' && d.startsWith('{')) {
    try {
      obj = JSON.parse(d);
    } catch {
      return d;
    }
  }
  if (obj && typeof obj === 'object') {
    return Object.entries(obj).map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : v}`).join(', ');
  }
  return String(d ?? '');
}

export async function render(main, ctx) {
  main.append(h('div', {class: 'page-head'}, h('h1', {}, t('audit.title'))));
  if (!ctx.user || ctx.user.role !== 'admin') {
    main.append(h('p', {class: 'error', testid: 'audit-forbidden'}, t('audit.forbidden')));
    return;
  }
  const tbody = h('tbody', {testid: 'audit-rows'});
  const more = h('button', {type: 'button', class: 'btn', testid: 'audit-more', hidden: true,
                            onclick: () => load()}, t('common.more'));
  let cursor = null;
  async function load() {
    const data = await api('GET', `/api/v1/audit${query({limit: 100, cursor})}`);
    if (!ctx.isCurrent()) return;
    for (const e of data.entries || []) {
      tbody.append(h('tr', {testid: 'audit-entry', class: e.ok === false ? 'failed' : null},
          h('td', {class: 'nowrap'}, fmtTime(e.ts_us)), h('td', {}, e.actor || ''),
          h('td', {testid: 'audit-action'}, e.action || ''), h('td', {class: 'mono'}, String(e.target ?? '')),
          h('td', {class: 'small'}, detailText(e.detail)),
          h('td', {}, e.ok === false ? t('audit.denied') : t('audit.ok'))));
    }
    cursor = data.next_cursor || null;
    more.hidden = !cursor;
  }
  main.append(h('div', {class: 'table-wrap card'}, h('table', {testid: 'audit-table'},
      h('thead', {}, h('tr', {}, ['time', 'actor', 'action', 'target', 'detail', 'ok']
          .map((c) => h('th', {scope: 'col'}, t(`audit.col.${c}`))))), tbody)), more);
  await load();
}
