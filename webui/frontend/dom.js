// Tiny DOM helpers. Text always goes in through textContent (never innerHTML), so data from
// the network cannot become markup.

// h('div', {class: 'x', testid: 'y', onclick: fn}, child, ...): children are nodes, strings,
// numbers, arrays of those, or null/false (skipped).
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'testid') el.dataset.testid = v;
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'value') el.value = v;
    else if (k === 'checked') el.checked = Boolean(v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

// The SVG flavour of h(): same arguments, elements in the SVG namespace.
export function s(tag, attrs, ...children) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined) continue;
    if (k === 'testid') el.setAttribute('data-testid', v);
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

// Microsecond timestamps as local "YYYY-MM-DD HH:MM:SS".
export function fmtTime(us) {
  if (us === null || us === undefined) return '';
  const d = new Date(Number(us) / 1000);
  if (Number.isNaN(d.getTime())) return '';
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ` +
    `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

export function endpoint(ip, port) {
  if (ip === undefined || ip === null) return '';
  const host = String(ip).includes(':') ? `[${ip}]` : String(ip);
  return port === undefined || port === null ? host : `${host}:${port}`;
}

// A table row that opens a detail row under it: returns {toggle, detailRow, open}. The toggle
// button (▸/▾, aria-expanded) and open() show or hide the detail row; its one cell spanning
// `colspan` columns is filled by fill(cell) the first time it opens.
export function expander({rowClass, detailTestid, toggleTestid, colspan, label, fill}) {
  const detailRow = h('tr', {class: rowClass, testid: detailTestid, hidden: true}, h('td', {colspan}));
  const toggle = h('button', {type: 'button', class: 'btn small', testid: toggleTestid,
                              'aria-expanded': 'false', 'aria-label': label}, '▸');
  const open = () => {
    const show = detailRow.hidden;
    detailRow.hidden = !show;
    toggle.setAttribute('aria-expanded', String(show));
    toggle.textContent = show ? '▾' : '▸';
    const cell = detailRow.firstChild;
    if (show && !cell.firstChild) fill(cell);
  };
  toggle.addEventListener('click', open);
  return {toggle, detailRow, open};
}
