// Rules: the set the engine last loaded (/api/v1/rules), filters in the URL
// (#/rules?q=listen&state=active&proto=modbus&offset=50), a row opens to its rule text and
// reason; admins enable/disable rules, reload, and upload or delete rule files. A banner says
// when and what loaded and whether changes wait for the next load. Rule and file text enters
// the page through textContent only.
import {h, clear, fmtTime, expander} from '/static/dom.js';
import {t} from '/static/i18n.js';
import {api, query, ApiError} from '/static/api.js';
import {fmtBytes} from '/static/pages/status.js';

const PAGE = 50;
const STATES = ['active', 'unavailable', 'disabled', 'rejected'];
const PROTOS = ['modbus', 'dnp3', 'iec104', 's7comm', 's7commplus', 'enip', 'tcp', 'udp', 'ip'];

export function filtersFrom(params) {
  const offset = Number(params.get('offset') || 0);
  return {q: params.get('q') || '', state: params.get('state') || '', proto: params.get('proto') || '',
          offset: Number.isInteger(offset) && offset > 0 ? offset : 0};
}

// GET of a text/plain resource (an uploaded file as stored): api() is for JSON.
async function getText(path) {
  let res;
  try {
    res = await fetch(path, {credentials: 'same-origin', headers: {Accept: 'text/plain'}});
  } catch (e) {
    throw new ApiError(0, 'network', e.message);
  }
  const text = await res.text();
  if (!res.ok) {
    let message = res.statusText;
    try {
      message = JSON.parse(text).error.message || message;
    } catch {
      // not JSON: keep the status text
    }
    throw new ApiError(res.status, String(res.status), message);
  }
  return text;
}

function problemText(p) {
  const line = p.line ?? '?';
  return p.sid === null || p.sid === undefined ? t('rules.problem_nosid', {line, reason: p.reason || ''})
                                               : t('rules.problem', {line, sid: p.sid, reason: p.reason || ''});
}

function filterForm(f, ctx) {
  // The API takes a comma list; the select offers one state, plus a list that came in the URL.
  const listed = f.state && !STATES.includes(f.state)
    ? h('option', {value: f.state}, f.state.split(',').map((s) => t(`rules.state.${s}`)).join(', ')) : null;
  const state = h('select', {name: 'state', testid: 'rules-filter-state'}, h('option', {value: ''}, t('alerts.f.any')),
                  STATES.map((s) => h('option', {value: s}, t(`rules.state.${s}`))), listed);
  state.value = f.state;
  const protos = !f.proto || PROTOS.includes(f.proto) ? PROTOS : [...PROTOS, f.proto];
  const proto = h('select', {name: 'proto', testid: 'rules-filter-proto'}, h('option', {value: ''}, t('alerts.f.any')),
                  protos.map((p) => h('option', {value: p}, p)));
  proto.value = f.proto;
  const q = h('input', {type: 'search', name: 'q', value: f.q, maxlength: 200, size: 28, testid: 'rules-filter-q'});
  const form = h('form', {class: 'card filters', testid: 'rules-filters', onsubmit: (e) => {
    e.preventDefault();
    ctx.navigate(`#/rules${query({q: q.value.trim(), state: state.value, proto: proto.value})}`);
  }},
  h('div', {class: 'filter-row'}, h('label', {}, t('rules.f.q'), q), h('label', {}, t('rules.f.state'), state),
    h('label', {}, t('rules.f.proto'), proto)),
  h('div', {class: 'filter-actions'},
    h('button', {type: 'submit', class: 'btn primary', testid: 'rules-filter-apply'}, t('common.apply')),
    h('a', {class: 'btn', href: '#/rules', testid: 'rules-filter-clear'}, t('common.clear'))));
  return form;
}

export async function render(main, ctx) {
  const f = filtersFrom(ctx.params);
  const isAdmin = Boolean(ctx.user && ctx.user.role === 'admin');
  const banner = h('section', {class: 'card banner', testid: 'rules-banner'});
  const msg = h('p', {class: 'toast', role: 'status', testid: 'rules-message', hidden: true});
  const tbody = h('tbody', {testid: 'rule-rows'});
  const empty = h('p', {class: 'empty', testid: 'rules-empty', hidden: true}, t('rules.empty'));
  const total = h('span', {class: 'muted', testid: 'rules-total'});
  const pageTo = (offset) => ctx.navigate(`#/rules${query({q: f.q, state: f.state, proto: f.proto,
                                                           offset: offset || ''})}`);
  const prev = h('button', {type: 'button', class: 'btn', testid: 'rules-prev', onclick: () => pageTo(Math.max(0, f.offset - PAGE))},
                 t('rules.prev'));
  const next = h('button', {type: 'button', class: 'btn', testid: 'rules-next', onclick: () => pageTo(f.offset + PAGE)},
                 t('rules.next'));
  const say = (text, isError) => {
    msg.textContent = text;
    msg.classList.toggle('error', Boolean(isError));
    msg.hidden = false;
  };
  const errText = (e) => (e.status === 0 ? t('error.network') : t('common.error', {message: e.message}));

  // ---- banner: what loaded, and whether changes wait ----------------------------------------
  const reloadMsg = h('p', {class: 'toast', role: 'status', testid: 'rules-reload-message', hidden: true});
  async function reloadRules(btn) {
    btn.disabled = true;
    btn.textContent = t('rules.reloading');
    reloadMsg.classList.remove('error');
    try {
      const res = await api('POST', '/api/v1/rules/reload');
      reloadMsg.textContent = (res && res.message) || '';
      reloadMsg.hidden = false;
      await refreshRules();
    } catch (e) {
      if (e.code === 'no_engine') reloadMsg.textContent = t('rules.no_engine');
      else if (e.code === 'reload_failed') reloadMsg.textContent = t('rules.reload_failed', {message: e.message});
      else reloadMsg.textContent = errText(e);
      reloadMsg.classList.toggle('error', e.code !== 'no_engine');
      reloadMsg.classList.toggle('notice', e.code === 'no_engine');
      reloadMsg.hidden = false;
    } finally {
      btn.disabled = false;
      btn.textContent = t('rules.reload');
    }
  }
  function fillBanner(loaded, engineAttached) {
    clear(banner);
    if (!loaded) {
      banner.append(h('p', {class: 'muted', testid: 'rules-not-loaded'}, t('rules.not_loaded')));
      return;
    }
    banner.append(h('p', {testid: 'rules-loaded'}, t('rules.loaded', {time: fmtTime(loaded.ts_us), summary: loaded.summary || ''})));
    if (Array.isArray(loaded.sources) && loaded.sources.length) {
      banner.append(h('div', {class: 'row'}, h('span', {class: 'muted small'}, t('rules.sources')),
                      h('ul', {class: 'sources', testid: 'rules-sources'}, loaded.sources.map((s) => h('li', {class: 'mono'}, s)))));
    }
    if (loaded.pending) {
      const btn = isAdmin ? h('button', {type: 'button', class: 'btn primary', testid: 'rules-reload',
                                         onclick: () => reloadRules(btn)}, t('rules.reload')) : null;
      banner.classList.add('notice');
      banner.append(h('div', {class: 'row', testid: 'rules-pending'}, h('strong', {}, t('rules.pending')),
                      engineAttached ? null : h('span', {class: 'muted small'}, t('rules.pending_no_engine')), btn));
    } else {
      banner.classList.remove('notice');
    }
    banner.append(reloadMsg);
  }

  // ---- the rule table -----------------------------------------------------------------------
  async function setEnabled(r, enabled, box) {
    box.disabled = true;
    try {
      await api('PUT', `/api/v1/rules/${r.gid}:${r.sid}`, {enabled});
      say(t(enabled ? 'rules.enabled_done' : 'rules.disabled_done', {sid: r.sid}));
    } catch (e) {
      say(errText(e), true);
    }
    await refreshRules();
  }

  function rowFor(r, i) {
    const key = r.sid !== null && r.sid !== undefined ? String(r.sid) : `none-${f.offset + i}`;
    const {toggle, detailRow, open} = expander({
      rowClass: 'rule-detail', detailTestid: `rule-detail-${key}`, toggleTestid: `rule-toggle-${key}`,
      colspan: 9, label: t('rules.expand'),
      fill: (cell) => cell.append(...[
        r.reason ? h('p', {class: `reason ${r.state === 'rejected' ? 'error' : ''}`, testid: `rule-reason-${key}`},
                     h('strong', {}, `${t('rules.reason')}: `), r.reason) : null,
        h('p', {class: 'muted small'}, t('rules.detail', {gid: r.gid ?? '', rev: r.rev ?? '', action: r.action || '',
                                                          classtype: r.classtype || '—'})),
        h('pre', {class: 'rule-text', testid: `rule-text-${key}`, 'aria-label': t('rules.text')}, r.text || ''),
      ].filter(Boolean)),
    });
    const waits = r.sid !== null && r.sid !== undefined && r.state !== 'rejected' &&
                  (r.enabled === false) !== (r.state === 'disabled');
    let enabledCell;
    if (isAdmin && r.sid !== null && r.sid !== undefined && r.state !== 'rejected') {
      const box = h('input', {type: 'checkbox', checked: r.enabled !== false, testid: `rule-enabled-${key}`,
                              'aria-label': t('rules.enabled_label', {sid: r.sid})});
      box.addEventListener('change', () => setEnabled(r, box.checked, box));
      enabledCell = h('label', {class: 'switch'}, box);
    } else {
      enabledCell = r.state === 'rejected' ? '' : (r.enabled === false ? t('common.no') : t('common.yes'));
    }
    const alertsN = Number(r.alerts) || 0;
    const tr = h('tr', {testid: 'rule-row', 'data-sid': r.sid ?? '', class: `clickable${r.enabled === false ? ' muted' : ''}`,
                        onclick: (ev) => {
                          if (ev.target.closest('a,button,input,label')) return;
                          open();
                        }},
                 h('td', {}, toggle),
                 h('td', {class: 'mono nowrap'}, r.sid === null || r.sid === undefined ? '—'
                                                 : (r.gid && r.gid !== 1 ? `${r.gid}:${r.sid}` : String(r.sid))),
                 h('td', {class: 'msg'}, r.msg || ''),
                 h('td', {}, r.proto || ''),
                 h('td', {}, r.severity ? h('span', {class: `sev sev-${r.severity}`}, t(`severity.${r.severity}`)) : ''),
                 h('td', {}, h('span', {class: `badge st-${r.state}`, testid: `rule-state-${key}`},
                               t(`rules.state.${r.state}`) === `rules.state.${r.state}` ? r.state : t(`rules.state.${r.state}`)),
                   waits ? h('span', {class: 'waits', testid: `rule-waits-${key}`}, t('rules.waits')) : null),
                 h('td', {}, enabledCell),
                 h('td', {class: 'num'}, alertsN && r.sid
                   ? h('a', {href: `#/alerts${query({sid: r.sid})}`, testid: `rule-alerts-${key}`,
                             title: t('rules.alerts_link', {sid: r.sid})}, String(alertsN))
                   : '0'),
                 h('td', {class: 'mono small'}, `${r.source || ''}${r.line ? `:${r.line}` : ''}`));
    return [tr, detailRow];
  }

  async function refreshRules() {
    // query() encodes a space as '+' (form style); send %20, which every URL decoder reads as a
    // space (a literal '+' is already %2B).
    const qs = query({q: f.q, state: f.state, proto: f.proto, limit: PAGE, offset: f.offset || ''}).replace(/\+/g, '%20');
    const data = await api('GET', `/api/v1/rules${qs}`);
    if (!ctx.isCurrent()) return;
    fillBanner(data.loaded, data.engine_attached);
    clear(tbody);
    const rules = data.rules || [];
    rules.forEach((r, i) => tbody.append(...rowFor(r, i)));
    const n = Number(data.total) || 0;
    total.textContent = n ? t('rules.range', {from: f.offset + 1, to: f.offset + rules.length, total: n})
                          : '';
    empty.hidden = rules.length > 0;
    prev.hidden = f.offset <= 0;
    next.hidden = f.offset + rules.length >= n;
  }

  // ---- uploaded files -----------------------------------------------------------------------
  const filesBody = h('tbody', {});
  const filesTable = h('div', {class: 'table-wrap card'});
  const filesEmpty = h('p', {class: 'empty', testid: 'rules-files-empty', hidden: true}, t('rules.files_empty'));
  function fileRow(file) {
    const textRow = h('tr', {class: 'rule-detail', testid: `rule-file-text-${file.name}`, hidden: true}, h('td', {colspan: 6}));
    const view = h('button', {type: 'button', class: 'btn small', testid: `rule-file-view-${file.name}`,
                              'aria-expanded': 'false'}, t('rules.file.view'));
    view.addEventListener('click', async () => {
      const show = textRow.hidden;
      textRow.hidden = !show;
      view.textContent = show ? t('rules.file.hide') : t('rules.file.view');
      view.setAttribute('aria-expanded', String(show));
      if (!show) return;
      const cell = clear(textRow.firstChild);
      try {
        const text = await getText(`/api/v1/rules/files/${encodeURIComponent(file.name)}`);
        cell.append(h('pre', {class: 'rule-text'}, text));
      } catch (e) {
        cell.append(h('p', {class: 'error'}, errText(e)));
      }
    });
    const del = isAdmin ? h('button', {type: 'button', class: 'btn small danger', testid: `rule-file-delete-${file.name}`,
                                       onclick: async () => {
                                         if (!window.confirm(t('rules.file.delete_confirm', {name: file.name}))) return;
                                         try {
                                           await api('DELETE', `/api/v1/rules/files/${encodeURIComponent(file.name)}`);
                                           say(t('rules.file.deleted', {name: file.name}));
                                         } catch (e) {
                                           say(errText(e), true);
                                         }
                                         await Promise.all([refreshFiles(), refreshRules()]);
                                       }}, t('rules.file.delete')) : null;
    return [h('tr', {testid: 'rule-file-row', 'data-name': file.name},
              h('td', {class: 'mono'}, file.name), h('td', {class: 'num'}, String(file.rules ?? '')),
              h('td', {class: 'num'}, fmtBytes(file.bytes)), h('td', {}, file.uploaded_by || ''),
              h('td', {class: 'nowrap'}, fmtTime(file.uploaded_us)),
              h('td', {class: 'actions-cell nowrap'}, view, del ? ' ' : null, del)),
            textRow];
  }
  async function refreshFiles() {
    const data = await api('GET', '/api/v1/rules/files');
    if (!ctx.isCurrent()) return;
    clear(filesBody);
    const files = data.files || [];
    for (const file of files) filesBody.append(...fileRow(file));
    filesEmpty.hidden = files.length > 0;
    filesTable.hidden = files.length === 0;
  }

  // ---- upload form (admins) -----------------------------------------------------------------
  function uploadForm() {
    const name = h('input', {testid: 'rules-upload-name', name: 'name', required: true, maxlength: 64, size: 24,
                             pattern: '[A-Za-z0-9][A-Za-z0-9._\\-]*\\.rules', placeholder: 'local.rules'});
    const text = h('textarea', {testid: 'rules-upload-text', name: 'text', rows: 10, spellcheck: 'false',
                                'aria-label': t('rules.upload.text')});
    const picker = h('input', {type: 'file', accept: '.rules,text/plain', testid: 'rules-upload-file'});
    picker.addEventListener('change', async () => {
      const file = picker.files && picker.files[0];
      if (!file) return;
      text.value = await file.text();
      if (!name.value) name.value = file.name;
    });
    const result = h('div', {class: 'toast', role: 'status', testid: 'rules-upload-result', hidden: true});
    const problems = h('ol', {class: 'problems', testid: 'rules-problems', hidden: true});
    async function send(dryRun) {
      result.hidden = true;
      problems.hidden = true;
      clear(problems);
      const body = {name: name.value.trim(), text: text.value};
      if (dryRun) body.dry_run = true;
      let res;
      try {
        res = await api('POST', '/api/v1/rules/files', body);
      } catch (e) {
        result.classList.add('error');
        result.textContent = e.code === 'invalid_rules' ? t('rules.upload.rejected', {message: e.message}) : errText(e);
        result.hidden = false;
        const list = e.body && Array.isArray(e.body.problems) ? e.body.problems : [];
        if (list.length) {
          problems.classList.add('error');
          problems.append(...list.map((p) => h('li', {testid: 'rules-problem'}, problemText(p))));
          problems.hidden = false;
        }
        return;
      }
      result.classList.remove('error');
      clear(result);
      result.append(h('p', {}, dryRun ? t('rules.upload.checked', {n: res.accepted ?? 0})
                                      : t('rules.upload.stored', {name: body.name, n: res.accepted ?? 0})));
      if (Array.isArray(res.problems) && res.problems.length) {
        problems.classList.remove('error');
        result.append(h('p', {class: 'small'}, t('rules.upload.warnings')));
        problems.append(...res.problems.map((p) => h('li', {testid: 'rules-warning'}, problemText(p))));
        problems.hidden = false;
      }
      result.hidden = false;
      if (!dryRun) await Promise.all([refreshFiles(), refreshRules()]);
    }
    const form = h('form', {class: 'card upload', testid: 'rules-upload-form', onsubmit: (e) => {
      e.preventDefault();
      send(false);
    }},
    h('h3', {}, t('rules.upload')),
    h('div', {class: 'row'}, h('label', {}, t('rules.upload.name'), name), h('label', {}, t('rules.upload.file'), picker)),
    h('label', {}, t('rules.upload.text'), text),
    h('div', {class: 'buttons'},
      h('button', {type: 'button', class: 'btn', testid: 'rules-upload-check', onclick: () => {
        if (form.reportValidity()) send(true);
      }}, t('rules.upload.check')),
      h('button', {type: 'submit', class: 'btn primary', testid: 'rules-upload-submit'}, t('rules.upload.submit'))),
    result, problems);
    return form;
  }

  filesTable.append(h('table', {testid: 'rules-files-table'},
    h('thead', {}, h('tr', {}, h('th', {}, t('rules.file.name')), h('th', {class: 'num'}, t('rules.file.rules')),
                     h('th', {class: 'num'}, t('rules.file.bytes')), h('th', {}, t('rules.file.uploaded_by')),
                     h('th', {}, t('rules.file.uploaded')),
                     h('th', {}, h('span', {class: 'visually-hidden'}, t('users.col.actions'))))),
    filesBody));
  main.append(h('div', {class: 'page-head'}, h('h1', {}, t('rules.title'))), banner, filterForm(f, ctx), msg,
              h('div', {class: 'table-wrap card'}, h('table', {testid: 'rules-table'},
                h('thead', {}, h('tr', {},
                  h('th', {}, h('span', {class: 'visually-hidden'}, t('rules.expand'))),
                  ['sid', 'msg', 'proto', 'severity', 'state', 'enabled'].map((k) => h('th', {}, t(`rules.col.${k}`))),
                  h('th', {class: 'num'}, t('rules.col.alerts')), h('th', {}, t('rules.col.source')))),
                tbody)),
              empty, h('div', {class: 'pager'}, prev, total, next),
              h('section', {testid: 'rules-files'},
                h('div', {class: 'section-head'}, h('h2', {}, t('rules.files')),
                  h('span', {class: 'muted small'}, t('rules.files_note'))),
                filesTable,
                filesEmpty,
                isAdmin ? uploadForm() : null));
  try {
    await Promise.all([refreshRules(), refreshFiles()]);
  } catch (e) {
    if (!ctx.isCurrent()) return;
    say(errText(e), true);
  }
}
