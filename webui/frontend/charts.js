// Hand-written SVG charts. Colours come from CSS classes (sev-1.., bar), so light and dark
// themes restyle them without touching the markup.
import {s, h, fmtTime} from '/static/dom.js';

// Stacked vertical bars over time. buckets: [{start_us, counts: {1: n, 2: n, ...}}];
// series: [{key, label, cls}]. The SVG scales to its container through the viewBox.
export function timeBars(buckets, series, {testid, title}) {
  const W = 960, H = 200, padL = 36, padB = 24, padT = 8;
  const plotW = W - padL - 4, plotH = H - padB - padT;
  const totals = buckets.map((b) => series.reduce((n, se) => n + (b.counts[se.key] || 0), 0));
  const max = Math.max(1, ...totals);
  const bw = plotW / Math.max(1, buckets.length);
  const svg = s('svg', {viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': title,
                        testid});
  for (const frac of [0, 0.5, 1]) {
    const y = padT + plotH * (1 - frac);
    svg.appendChild(s('line', {x1: padL, x2: W - 4, y1: y, y2: y, class: 'grid'}));
    svg.appendChild(s('text', {x: padL - 4, y: y + 4, class: 'axis', 'text-anchor': 'end'},
                      String(Math.round(max * frac))));
  }
  buckets.forEach((b, i) => {
    let y = padT + plotH;
    const x = padL + i * bw + 1;
    for (const se of series) {
      const n = b.counts[se.key] || 0;
      if (!n) continue;
      const bh = (n / max) * plotH;
      y -= bh;
      svg.appendChild(s('rect', {x, y, width: Math.max(1, bw - 2), height: bh, class: se.cls},
                        s('title', {}, `${fmtTime(b.start_us)} — ${se.label}: ${n}`)));
    }
  });
  if (buckets.length) {
    const first = buckets[0].start_us, last = buckets[buckets.length - 1].start_us;
    svg.appendChild(s('text', {x: padL, y: H - 6, class: 'axis'}, fmtTime(first)));
    svg.appendChild(s('text', {x: W - 4, y: H - 6, class: 'axis', 'text-anchor': 'end'},
                      fmtTime(last)));
  }
  const legend = h('div', {class: 'legend'},
                   series.map((se) => h('span', {class: 'legend-item'},
                                        h('span', {class: `swatch ${se.cls}`}), se.label)));
  return h('div', {class: 'chart-wrap'}, svg, legend);
}

// Horizontal bars for a facet: rows [{label, value, href?, cls?}]. One row per value: its
// label (a link into the filtered alert list when href is given), a bar scaled to the largest
// value, and the count.
export function hBars(rows, {testid, title}) {
  const max = Math.max(1, ...rows.map((r) => r.value));
  return h('ol', {class: 'hbars', testid, 'aria-label': title},
           rows.map((r) => h('li', {class: 'hbar-row'},
                             r.href ? h('a', {href: r.href, class: 'hbar-label'}, r.label)
                                    : h('span', {class: 'hbar-label'}, r.label),
                             s('svg', {viewBox: '0 0 100 10', preserveAspectRatio: 'none',
                                       class: 'hbar', 'aria-hidden': 'true'},
                               s('rect', {x: 0, y: 0, height: 10,
                                          width: Math.max(1, (100 * r.value) / max),
                                          class: r.cls || 'bar'})),
                             h('span', {class: 'num'}, String(r.value)))));
}
