// Users (admin): the list and a form that creates a user; the server answers with the
// one-time password, shown once.
import {h} from '/static/dom.js';
import {t} from '/static/i18n.js';
import {api} from '/static/api.js';

export async function render(main, ctx) {
  main.append(h('div', {class: 'page-head'}, h('h1', {}, t('users.title'))));
  if (!ctx.user || ctx.user.role !== 'admin') {
    main.append(h('p', {class: 'error'}, t('audit.forbidden')));
    return;
  }
  const data = await api('GET', '/api/v1/users');
  if (!ctx.isCurrent()) return;
  const users = data.users || [];
  const msg = h('p', {class: 'toast', role: 'status', testid: 'users-message', hidden: true});
  const name = h('input', {testid: 'user-name', required: true, maxlength: 64, pattern: '[A-Za-z0-9._\\-]+',
                           'aria-label': t('users.col.name')});
  const role = h('select', {testid: 'user-role', 'aria-label': t('users.col.role')},
                 ['viewer', 'analyst', 'admin'].map((r) => h('option', {value: r}, t(`role.${r}`))));
  const form = h('form', {class: 'card inline-form', testid: 'user-form', onsubmit: async (e) => {
    e.preventDefault();
    try {
      const res = await api('POST', '/api/v1/users', {name: name.value.trim(), role: role.value});
      msg.textContent = t('users.created', {name: name.value.trim(), password: (res && res.password) || ''});
      msg.classList.remove('error');
      msg.hidden = false;
      name.value = '';
    } catch (err) {
      msg.textContent = t('common.error', {message: err.message});
      msg.classList.add('error');
      msg.hidden = false;
    }
  }}, h('label', {}, t('users.col.name'), name), h('label', {}, t('users.col.role'), role),
  h('button', {type: 'submit', class: 'btn primary', testid: 'user-add'}, t('users.add')));
  main.append(h('div', {class: 'table-wrap card'}, h('table', {testid: 'users-table'},
      h('thead', {}, h('tr', {}, h('th', {}, t('users.col.name')), h('th', {}, t('users.col.role')))),
      h('tbody', {}, users.map((u) => h('tr', {testid: 'user-row'}, h('td', {}, u.name),
                                        h('td', {}, t(`role.${u.role}`))))))),
              form, msg);
}
