// Events explorer. The API has no events route yet, so the page says so plainly instead of
// showing an empty table that looks like "no events".
import {h} from '/static/dom.js';
import {t} from '/static/i18n.js';

export function render(main) {
  main.append(h('div', {class: 'page-head'}, h('h1', {}, t('events.title'))),
              h('p', {class: 'card notice', testid: 'events-unavailable'}, t('events.unavailable')));
}
