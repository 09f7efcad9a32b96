// Sign-in form. After success the user lands on the page they asked for (?next=#/...).
import {h} from '/static/dom.js';
import {t} from '/static/i18n.js';
import {login, takeSessionNotice} from '/static/app.js';

export function render(main, ctx) {
  const notice = takeSessionNotice();
  const msg = h('p', {class: 'error', role: 'alert', testid: 'login-error', hidden: !notice}, notice);
  const user = h('input', {name: 'username', autocomplete: 'username', required: true,
                           testid: 'login-username', maxlength: 64});
  const pass = h('input', {name: 'password', type: 'password', autocomplete: 'current-password',
                           required: true, testid: 'login-password', maxlength: 256});
  const submit = h('button', {type: 'submit', class: 'btn primary', testid: 'login-submit'},
                   t('login.submit'));
  const form = h('form', {class: 'card login', testid: 'login-form', onsubmit: async (e) => {
    e.preventDefault();
    submit.disabled = true;
    msg.hidden = true;
    try {
      await login(user.value, pass.value);
      const next = ctx.params.get('next');
      ctx.navigate(next && next.startsWith('#/') && !next.startsWith('#/login') ? next : '#/dashboard');
    } catch (err) {
      msg.textContent = t('login.failed', {message: err.message});
      msg.hidden = false;
      pass.value = '';
      pass.focus();
    } finally {
      submit.disabled = false;
    }
  }},
  h('h1', {}, t('login.title')),
  h('label', {}, t('login.username'), user),
  h('label', {}, t('login.password'), pass),
  msg, submit);
  main.append(form);
  user.focus();
}
