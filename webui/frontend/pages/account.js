// My account: change my own password (POST /api/v1/session/password). This session stays
// logged in; the server ends the others.
import {h} from '/static/dom.js';
import {t} from '/static/i18n.js';
import {api} from '/static/api.js';

export function render(main) {
  const msg = h('p', {class: 'toast', role: 'status', testid: 'password-message', hidden: true});
  const current = h('input', {type: 'password', testid: 'password-current', required: true,
                              autocomplete: 'current-password', maxlength: 1024});
  const fresh = h('input', {type: 'password', testid: 'password-new', required: true, minlength: 12,
                            autocomplete: 'new-password', maxlength: 1024});
  const form = h('form', {class: 'card inline-form', testid: 'password-form', onsubmit: async (e) => {
    e.preventDefault();
    try {
      await api('POST', '/api/v1/session/password', {current: current.value, new: fresh.value});
      msg.textContent = t('password.done');
      msg.classList.remove('error');
      current.value = '';
      fresh.value = '';
    } catch (err) {
      msg.textContent = t('common.error', {message: err.message});
      msg.classList.add('error');
    }
    msg.hidden = false;
  }}, h('label', {}, t('password.current'), current), h('label', {}, t('password.new'), fresh),
  h('button', {type: 'submit', class: 'btn primary', testid: 'password-submit'}, t('password.submit')));
  main.append(h('div', {class: 'page-head'}, h('h1', {}, t('password.title'))), form, msg);
}
