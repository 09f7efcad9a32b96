// Users (admin): the list with a role select, an enable/disable toggle and a password reset per
// user, and a form that creates a user. New and reset passwords come back from the server once
// and are shown once. The server refuses to demote or disable the last enabled admin (409).
import {h, clear} from '/static/dom.js';
import {t} from '/static/i18n.js';
import {api} from '/static/api.js';

const ROLES = ['viewer', 'analyst', 'admin'];

export async function render(main, ctx) {
  main.append(h('div', {class: 'page-head'}, h('h1', {}, t('users.title'))));
  if (!ctx.user || ctx.user.role !== 'admin') {
    main.append(h('p', {class: 'error'}, t('audit.forbidden')));
    return;
  }
  const msg = h('p', {class: 'toast', role: 'status', testid: 'users-message', hidden: true});
  const tbody = h('tbody', {});
  const say = (text, isError) => {
    msg.textContent = text;
    msg.classList.toggle('error', Boolean(isError));
    msg.hidden = false;
  };
  const fail = (err) => say(err.code === 'last_admin' ? t('users.last_admin')
                                                      : t('common.error', {message: err.message}), true);

  async function update(u, change) {
    try {
      await api('PUT', `/api/v1/users/${encodeURIComponent(u.name)}`, change);
      say(t('users.updated', {name: u.name}));
    } catch (err) {
      fail(err);
    }
    await reload();
  }

  function rowFor(u) {
    const self = u.name === ctx.user.name;
    const role = h('select', {testid: `user-role-${u.name}`, 'aria-label': `${t('users.col.role')}: ${u.name}`,
                              onchange: () => update(u, {role: role.value})},
                   ROLES.map((r) => h('option', {value: r}, t(`role.${r}`))));
    role.value = u.role;
    const state = u.disabled ? t('users.disabled') : (u.locked ? t('users.locked') : t('users.enabled'));
    const toggle = h('button', {type: 'button', class: u.disabled ? 'btn' : 'btn danger',
                                testid: `user-toggle-${u.name}`,
                                onclick: () => update(u, {disabled: !u.disabled})},
                     u.disabled ? t('users.enable') : t('users.disable'));
    const reset = h('button', {type: 'button', class: 'btn', testid: `user-reset-${u.name}`, onclick: async () => {
      if (!window.confirm(t('users.reset_confirm', {name: u.name}))) return;
      try {
        const res = await api('POST', `/api/v1/users/${encodeURIComponent(u.name)}/password`);
        say(t('users.reset_done', {name: u.name, password: (res && res.password) || ''}));
      } catch (err) {
        fail(err);
      }
    }}, t('users.reset'));
    return h('tr', {testid: 'user-row', 'data-name': u.name, class: u.disabled ? 'muted' : null},
             h('td', {}, u.name, self ? ` ${t('users.you')}` : ''),
             h('td', {}, role),
             h('td', {testid: `user-state-${u.name}`}, state),
             h('td', {class: 'actions-cell'}, toggle, ' ', reset));
  }

  async function reload() {
    const data = await api('GET', '/api/v1/users');
    if (!ctx.isCurrent()) return;
    clear(tbody);
    for (const u of data.users || []) tbody.append(rowFor(u));
  }

  const name = h('input', {testid: 'user-name', required: true, maxlength: 64, pattern: '[A-Za-z0-9._\\-]+',
                           'aria-label': t('users.col.name')});
  const newRole = h('select', {testid: 'user-role', 'aria-label': t('users.col.role')},
                    ROLES.map((r) => h('option', {value: r}, t(`role.${r}`))));
  const form = h('form', {class: 'card inline-form', testid: 'user-form', onsubmit: async (e) => {
    e.preventDefault();
    try {
      const res = await api('POST', '/api/v1/users', {name: name.value.trim(), role: newRole.value});
      say(t('users.created', {name: name.value.trim(), password: (res && res.password) || ''}));
      name.value = '';
      await reload();
    } catch (err) {
      fail(err);
    }
  }}, h('label', {}, t('users.col.name'), name), h('label', {}, t('users.col.role'), newRole),
  h('button', {type: 'submit', class: 'btn primary', testid: 'user-add'}, t('users.add')));

  await reload();
  if (!ctx.isCurrent()) return;
  main.append(msg, h('div', {class: 'table-wrap card'}, h('table', {testid: 'users-table'},
      h('thead', {}, h('tr', {}, h('th', {}, t('users.col.name')), h('th', {}, t('users.col.role')),
                            h('th', {}, t('users.col.status')), h('th', {}, t('users.col.actions')))),
      tbody)), form);
}
