// The single-page app: session, layout, hash router (#/alerts?severity=1 keeps filters in the
// URL), theme and language switches, and the live alert stream shared by the pages.
import {h, clear} from '/static/dom.js';
import {t, lang, setLang, LANGS} from '/static/i18n.js';
import {api, setCsrf, setUnauthorizedHandler} from '/static/api.js';

const pages = {
  login: () => import('/static/pages/login.js'),
  dashboard: () => import('/static/pages/dashboard.js'),
  alerts: () => import('/static/pages/alerts.js'),
  alert: () => import('/static/pages/detail.js'),
  events: () => import('/static/pages/events.js'),
  rules: () => import('/static/pages/rules.js'),
  audit: () => import('/static/pages/audit.js'),
  users: () => import('/static/pages/users.js'),
  status: () => import('/static/pages/status.js'),
  account: () => import('/static/pages/account.js'),
};

const NAV = [
  {route: 'dashboard', key: 'nav.dashboard'},
  {route: 'alerts', key: 'nav.alerts'},
  {route: 'events', key: 'nav.events'},
  {route: 'rules', key: 'nav.rules'},
  {route: 'audit', key: 'nav.audit', admin: true},
  {route: 'users', key: 'nav.users', admin: true},
  {route: 'status', key: 'nav.status'},
];

const state = {user: null, cleanup: null, stream: null, renderSeq: 0};
// Pages listen here for 'alert' events (detail = the alert summary from /api/v1/stream) and
// for 'stream-state' (detail = true when connected).
export const live = new EventTarget();

// ---- theme -------------------------------------------------------------------------------
const THEME_KEY = 'otsentry.theme';
function applyTheme(mode) {
  const m = ['light', 'dark'].includes(mode) ? mode : 'auto';
  localStorage.setItem(THEME_KEY, m);
  if (m === 'auto') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = m;
}
applyTheme(localStorage.getItem(THEME_KEY));

// ---- routing -----------------------------------------------------------------------------
export function parseHash() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path, qs] = raw.split('?', 2);
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const params = new URLSearchParams(qs || '');
  if (!parts.length) return {name: 'dashboard', params};
  if (parts[0] === 'alerts' && parts[1]) return {name: 'alert', id: parts[1], params};
  return {name: parts[0], params};
}

export function navigate(hash, {replace = false} = {}) {
  if (replace) {
    history.replaceState(null, '', hash);
    render();
  } else if (location.hash === hash) {
    render();
  } else {
    location.hash = hash;
  }
}

// ---- live stream -------------------------------------------------------------------------
function openStream() {
  closeStream();
  if (typeof EventSource === 'undefined') return;
  const es = new EventSource('/api/v1/stream');
  es.addEventListener('alert', (ev) => {
    try {
      live.dispatchEvent(new CustomEvent('alert', {detail: JSON.parse(ev.data)}));
    } catch {
      // A malformed event is dropped; the next list refresh shows the alert anyway.
    }
  });
  es.addEventListener('open', () => live.dispatchEvent(new CustomEvent('stream-state', {detail: true})));
  es.addEventListener('error', () => live.dispatchEvent(new CustomEvent('stream-state', {detail: false})));
  state.stream = es;
}

function closeStream() {
  if (state.stream) state.stream.close();
  state.stream = null;
}

// ---- session -----------------------------------------------------------------------------
export function currentUser() { return state.user; }

function setSession(data) {
  state.user = data ? data.user : null;
  setCsrf(data ? data.csrf_token : '');
  if (state.user) openStream();
  else closeStream();
}

export async function login(username, password) {
  const data = await api('POST', '/api/v1/session', {username, password});
  setSession(data);
}

async function logout() {
  try {
    await api('DELETE', '/api/v1/session');
  } finally {
    setSession(null);
    navigate('#/login');
  }
}

let sessionNotice = '';
setUnauthorizedHandler(() => {
  if (!state.user) return;
  setSession(null);
  sessionNotice = t('error.session');
  navigate(`#/login?next=${encodeURIComponent(location.hash)}`);
});
export function takeSessionNotice() {
  const n = sessionNotice;
  sessionNotice = '';
  return n;
}

// ---- layout ------------------------------------------------------------------------------
function shell(active) {
  const u = state.user;
  const nav = h('nav', {class: 'nav', 'aria-label': 'main'},
                NAV.filter((n) => !n.admin || (u && u.role === 'admin'))
                    .map((n) => h('a', {href: `#/${n.route}`, testid: `nav-${n.route}`,
                                        class: n.route === active ? 'active' : null,
                                        'aria-current': n.route === active ? 'page' : null},
                                  t(n.key))));
  const themeSel = h('select', {testid: 'theme-select', 'aria-label': t('nav.theme'),
                                onchange: (e) => applyTheme(e.target.value)},
                     ['auto', 'light', 'dark'].map((m) => h('option', {value: m}, t(`theme.${m}`))));
  themeSel.value = localStorage.getItem(THEME_KEY) || 'auto';
  const langSel = h('select', {testid: 'lang-select', 'aria-label': t('nav.language'),
                               onchange: (e) => { setLang(e.target.value); render(); }},
                    Object.entries(LANGS).map(([code, l]) => h('option', {value: code}, l.name)));
  langSel.value = lang();
  const tools = h('div', {class: 'tools'}, themeSel, langSel,
                  u && h('a', {class: 'who', href: '#/account', testid: 'current-user',
                               title: t('password.title')},
                         t('common.signed_in_as', {name: u.name, role: t(`role.${u.role}`)})),
                  u && h('button', {type: 'button', class: 'btn', testid: 'logout-button',
                                    onclick: logout}, t('nav.logout')));
  const main = h('main', {id: 'main', class: 'main', tabindex: '-1'});
  const header = h('header', {class: 'topbar'},
                   h('a', {class: 'brand', href: '#/dashboard'}, h('strong', {}, t('app.title')),
                     h('span', {class: 'tagline'}, t('app.tagline'))),
                   u ? nav : null, tools);
  return {header, main};
}

// ---- render ------------------------------------------------------------------------------
async function render() {
  const seq = ++state.renderSeq;
  if (state.cleanup) {
    try {
      state.cleanup();
    } catch {
      // A page's cleanup failing must not block the next page.
    }
    state.cleanup = null;
  }
  let route = parseHash();
  if (!state.user && route.name !== 'login') {
    history.replaceState(null, '', `#/login?next=${encodeURIComponent(location.hash || '#/dashboard')}`);
    route = parseHash();
  }
  if (state.user && route.name === 'login') {
    history.replaceState(null, '', '#/dashboard');
    route = parseHash();
  }
  const root = clear(document.getElementById('app'));
  const active = route.name === 'alert' ? 'alerts' : route.name;
  const {header, main} = shell(active);
  root.append(header, main);
  document.title = `${t('app.title')} — ${t(`nav.${active}`) === `nav.${active}` ? '' : t(`nav.${active}`)}`;
  const loader = pages[route.name];
  if (!loader) {
    main.append(h('p', {class: 'error', testid: 'not-found'}, t('error.not_found')));
    return;
  }
  const mod = await loader();
  if (seq !== state.renderSeq) return;  // a newer navigation won
  const ctx = {user: state.user, params: route.params, id: route.id, navigate, live,
               isCurrent: () => seq === state.renderSeq};
  try {
    const cleanup = await mod.render(main, ctx);
    if (seq === state.renderSeq) state.cleanup = typeof cleanup === 'function' ? cleanup : null;
    else if (typeof cleanup === 'function') cleanup();
  } catch (e) {
    if (seq !== state.renderSeq) return;
    main.append(h('p', {class: 'error', testid: 'page-error'},
                  e.status === 0 ? t('error.network') : t('common.error', {message: e.message})));
  }
}

async function boot() {
  try {
    setSession(await api('GET', '/api/v1/session'));
  } catch {
    setSession(null);
  }
  window.addEventListener('hashchange', render);
  await render();
}

boot();
