// Alert detail: fields, the rule that fired, the decoded transaction from the EVE record,
// evidence pcap download, comments, history and triage buttons.
import {h, fmtTime, endpoint} from '/static/dom.js';
import {t} from '/static/i18n.js';
import {api} from '/static/api.js';
import {ACTIONS, canTriage, triage, sevClass} from '/static/pages/triage.js';

function kv(rows, testid) {
  return h('dl', {class: 'kv', testid},
           rows.filter(([, v]) => v !== undefined && v !== null && v !== '')
               .map(([k, v, id]) => [h('dt', {}, k), h('dd', {testid: id || null}, v)]));
}

// A decoded PDU object as a nested table; arrays of objects become sub-tables.
function valueNode(v) {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) {
    if (v.every((x) => x === null || typeof x !== 'object')) return v.join(', ');
    return h('ol', {class: 'plain'}, v.map((x) => h('li', {}, valueNode(x))));
  }
  if (typeof v === 'object') return pduTable(v);
  return String(v);
}

function pduTable(obj) {
  return h('table', {class: 'pdu'},
           h('tbody', {}, Object.entries(obj).map(([k, v]) =>
             h('tr', {}, h('th', {scope: 'row'}, k), h('td', {class: 'mono'}, valueNode(v))))));
}

export function transaction(eve, proto) {
  const obj = eve && proto ? eve[proto] : null;
  if (!obj || typeof obj !== 'object') {
    return h('p', {class: 'muted', testid: 'no-transaction'}, t('detail.no_transaction'));
  }
  const parts = [];
  if (obj.request) parts.push(h('div', {}, h('h3', {}, t('detail.request')), pduTable(obj.request)));
  if (obj.response) parts.push(h('div', {}, h('h3', {}, t('detail.response')), pduTable(obj.response)));
  if (!parts.length) parts.push(pduTable(obj));
  return h('div', {class: 'txn', testid: 'transaction'}, parts);
}

export async function render(main, ctx) {
  const id = ctx.id;
  const data = await api('GET', `/api/v1/alerts/${encodeURIComponent(id)}`);
  if (!ctx.isCurrent()) return;
  const a = data.alert || {};
  const eve = a.eve || {};
  const rule = eve.alert || {};
  const triageOk = canTriage(ctx.user);
  const msg = h('p', {class: 'toast', role: 'status', testid: 'detail-message', hidden: true});
  const say = (text, isError) => {
    msg.textContent = text;
    msg.classList.toggle('error', Boolean(isError));
    msg.hidden = false;
  };
  const reload = () => ctx.navigate(location.hash, {replace: true});

  const assignee = h('input', {testid: 'detail-assignee', value: a.assignee || '', maxlength: 64,
                               size: 12, 'aria-label': t('alerts.assign_to'),
                               placeholder: t('alerts.assign_to')});
  const run = async (action) => {
    try {
      await triage([a.id ?? id], action, assignee.value.trim());
      reload();
    } catch (e) {
      say(t('common.error', {message: e.message}), true);
    }
  };
  const actions = triageOk ? h('div', {class: 'actions', testid: 'detail-actions'},
      ACTIONS.map((act) => h('button', {type: 'button', class: act === 'ack' ? 'btn primary' : 'btn',
                                        testid: `detail-${act}`, onclick: () => run(act)},
                             t(`action.${act}`))),
      h('span', {class: 'assign'}, assignee,
        h('button', {type: 'button', class: 'btn', testid: 'detail-assign',
                     onclick: () => assignee.value.trim() && run('assign')}, t('action.assign')))) : null;

  const head = h('div', {class: 'page-head'},
      h('a', {href: '#/alerts', class: 'back', testid: 'detail-back'}, `← ${t('detail.back')}`),
      h('h1', {testid: 'detail-title'}, h('span', {class: sevClass(a.severity)}, t(`severity.${a.severity}`)),
        ' ', a.signature || t('detail.title', {id})));

  const fields = h('section', {class: 'card', testid: 'detail-fields'}, h('h2', {}, t('detail.fields')),
      kv([[t('detail.f.id'), String(a.id ?? id), 'detail-id'],
          [t('detail.f.status'), h('span', {class: `status st-${a.status}`}, t(`status.${a.status || 'new'}`)),
           'detail-status'],
          [t('detail.f.assignee'), a.assignee, 'detail-assignee-value'],
          [t('detail.f.severity'), t(`severity.${a.severity}`)],
          [t('detail.f.first_seen'), fmtTime(a.first_seen_us || a.ts_us)],
          [t('detail.f.last_seen'), fmtTime(a.last_seen_us || a.ts_us)],
          [t('detail.f.count'), String(a.count ?? 1)],
          [t('detail.f.proto'), a.app_proto],
          [t('detail.f.flow'), `${endpoint(a.src_ip, a.src_port)} → ${endpoint(a.dest_ip, a.dest_port)}`,
           'detail-flow']]));

  const meta = rule.metadata && typeof rule.metadata === 'object'
      ? Object.entries(rule.metadata).map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : v}`).join('; ')
      : '';
  const ruleBox = h('section', {class: 'card', testid: 'detail-rule'}, h('h2', {}, t('detail.signature')),
      kv([[t('detail.f.signature'), a.signature || rule.signature],
          [t('detail.f.sid'), `${a.sid ?? rule.signature_id}:${a.gid ?? rule.gid ?? 1}:${a.rev ?? rule.rev ?? 1}`,
           'detail-sid'],
          [t('detail.f.category'), a.category || rule.category],
          [t('detail.f.metadata'), meta]]));

  const evidence = h('section', {class: 'card', testid: 'detail-evidence'}, h('h2', {}, t('detail.evidence')),
      data.has_evidence
        ? h('a', {class: 'btn', href: `/api/v1/alerts/${encodeURIComponent(a.id ?? id)}/pcap`,
                  download: `alert-${a.id ?? id}.pcap`, testid: 'download-pcap'}, t('detail.download_pcap'))
        : h('p', {class: 'muted', testid: 'no-evidence'}, t('detail.no_evidence')));

  const txn = h('section', {class: 'card wide', testid: 'detail-transaction'},
      h('h2', {}, t('detail.transaction')), transaction(eve, a.app_proto || eve.app_proto),
      h('details', {}, h('summary', {testid: 'raw-eve-toggle'}, t('detail.raw_eve')),
        h('pre', {class: 'mono raw', testid: 'raw-eve'}, JSON.stringify(eve, null, 2))));

  const comments = data.comments || [];
  const text = h('textarea', {testid: 'comment-text', rows: 3, maxlength: 4000,
                              placeholder: t('detail.comment_placeholder'),
                              'aria-label': t('detail.add_comment')});
  const commentBox = h('section', {class: 'card', testid: 'detail-comments'}, h('h2', {}, t('detail.comments')),
      comments.length
        ? h('ul', {class: 'log', testid: 'comment-list'}, comments.map((c) => h('li', {testid: 'comment-entry'},
            h('span', {class: 'muted small'}, `${fmtTime(c.ts_us)} · ${c.actor}`), h('p', {}, c.text))))
        : h('p', {class: 'muted'}, t('detail.no_comments')),
      triageOk ? h('form', {class: 'stack', onsubmit: async (e) => {
        e.preventDefault();
        if (!text.value.trim()) return;
        try {
          await api('POST', `/api/v1/alerts/${encodeURIComponent(a.id ?? id)}/comments`, {text: text.value});
          reload();
        } catch (err) {
          say(t('common.error', {message: err.message}), true);
        }
      }}, text, h('button', {type: 'submit', class: 'btn', testid: 'comment-submit'}, t('detail.add_comment')))
        : null);

  const history = data.history || [];
  const histBox = h('section', {class: 'card', testid: 'detail-history'}, h('h2', {}, t('detail.history')),
      history.length
        ? h('ul', {class: 'log', testid: 'history-list'}, history.map((e) => h('li', {testid: 'history-entry'},
            h('span', {class: 'muted small'}, `${fmtTime(e.ts_us)} · ${e.actor}`), ' ',
            h('span', {}, `${e.field}: ${e.old ?? ''} → ${e.new ?? ''}`))))
        : h('p', {class: 'muted', testid: 'history-empty'}, t('detail.no_history')));

  let suppress = null;
  if (triageOk) {
    const reason = h('input', {testid: 'suppress-reason', maxlength: 500, size: 30,
                               'aria-label': t('detail.suppress_reason'), placeholder: t('detail.suppress_reason')});
    suppress = h('form', {class: 'inline-form', testid: 'suppress-form', onsubmit: async (e) => {
      e.preventDefault();
      if (!reason.value.trim()) return;
      try {
        await api('POST', `/api/v1/alerts/${encodeURIComponent(a.id ?? id)}/suppress`, {reason: reason.value.trim()});
        say(t('detail.suppressed'));
        reason.value = '';
      } catch (err) {
        say(t('common.error', {message: err.message}), true);
      }
    }}, reason, h('button', {type: 'submit', class: 'btn danger', testid: 'suppress-submit'}, t('action.suppress')));
  }

  main.append(head, msg, actions,
              h('div', {class: 'grid detail'}, fields, ruleBox, evidence, txn, commentBox, histBox,
                suppress ? h('section', {class: 'card'}, h('h2', {}, t('action.suppress')), suppress) : null));
}
