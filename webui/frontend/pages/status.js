// System status: whatever /api/v1/status reports, flattened into labelled groups
// (capture counters, drops, throughput, store size, ...). Refreshes every 10 s.
import {h, clear} from '/static/dom.js';
import {t} from '/static/i18n.js';
import {api} from '/static/api.js';

function flatten(obj, prefix, out) {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object' && !Array.isArray(v)) flatten(v, key, out);
    else out.push([key, Array.isArray(v) ? v.join(', ') : String(v)]);
  }
  return out;
}

export async function render(main, ctx) {
  main.append(h('div', {class: 'page-head'}, h('h1', {}, t('status.title'))));
  const box = h('div', {class: 'grid', testid: 'status-panels'});
  main.append(box);
  async function refresh() {
    const data = await api('GET', '/api/v1/status');
    if (!ctx.isCurrent()) return;
    clear(box);
    const groups = new Map();
    for (const [k, v] of flatten(data || {}, '', [])) {
      const [g, ...rest] = k.split('.');
      const name = rest.length ? g : '';
      if (!groups.has(name)) groups.set(name, []);
      groups.get(name).push([rest.length ? rest.join('.') : k, v]);
    }
    for (const [g, rows] of groups) {
      box.append(h('section', {class: 'card', testid: `status-${g || 'general'}`}, g ? h('h2', {}, g) : null,
                   h('dl', {class: 'kv'}, rows.map(([k, v]) => [h('dt', {}, k), h('dd', {class: 'mono'}, v)]))));
    }
  }
  await refresh();
  const timer = setInterval(() => refresh().catch(() => {}), 10000);
  return () => clearInterval(timer);
}
