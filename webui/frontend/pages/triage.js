// Triage actions shared by the list (bulk) and the detail page.
import {api} from '/static/api.js';

export const ACTIONS = ['ack', 'resolve', 'false_positive', 'reopen'];

export function canTriage(user) {
  return Boolean(user) && (user.role === 'admin' || user.role === 'analyst');
}

export function triage(ids, action, assignee) {
  const body = {ids: ids.map((id) => (/^\d+$/.test(String(id)) ? Number(id) : id)), action};
  if (action === 'assign') body.assignee = assignee;
  return api('POST', '/api/v1/alerts/triage', body);
}

export function sevClass(sev) {
  const n = Number(sev);
  return `sev sev-${n >= 1 && n <= 4 ? n : 4}`;
}
