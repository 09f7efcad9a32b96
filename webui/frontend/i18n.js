// Language choice: the saved choice, else navigator.language (zh* -> zh-CN), else English.
import en from '/static/i18n/en.js';
import zh from '/static/i18n/zh-CN.js';

export const LANGS = {en: {name: 'English', dict: en}, 'zh-CN': {name: '简体中文', dict: zh}};
const KEY = 'otsentry.lang';
let current = pick();

function pick() {
  const saved = localStorage.getItem(KEY);
  if (saved && LANGS[saved]) return saved;
  const langs = navigator.languages && navigator.languages.length ? navigator.languages
                                                                  : [navigator.language || 'en'];
  for (const l of langs) {
    const lower = String(l).toLowerCase();
    if (lower.startsWith('zh')) return 'zh-CN';
    if (lower.startsWith('en')) return 'en';
  }
  return 'en';
}

export function lang() { return current; }

export function setLang(code) {
  if (!LANGS[code]) return;
  current = code;
  localStorage.setItem(KEY, code);
  document.documentElement.lang = code;
}

// t('alerts.selected', {n: 3}); a missing key falls back to English, then to the key itself.
export function t(key, vars) {
  let str = LANGS[current].dict[key] ?? en[key] ?? key;
  if (vars) str = str.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
  return str;
}

document.documentElement.lang = current;
