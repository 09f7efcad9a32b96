// Hand-written SVG charts. Colours come from CSS classes (sev-1.., bar, series-a/b), so light and dark
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

// Lines over time with one scale per series (left axis for the first, right for the second)
// and markers along the bottom where points carry a non-zero mark value (kernel drops).
// points: [{ts_us, ...}]; series: [{key, label, cls, fmt?}] (one or two); mark: {key, label, cls}.
export function timeLines(points, series, {testid, title, mark}) {
  const W = 960, H = 220, padL = 56, padR = 56, padB = 24, padT = 10;
  const plotW = W - padL - padR, plotH = H - padB - padT;
  const svg = s('svg', {viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': title, testid});
  const ts = points.map((p) => Number(p.ts_us));
  const t0 = Math.min(...ts), t1 = Math.max(...ts);
  const x = (t) => padL + (t1 > t0 ? ((t - t0) / (t1 - t0)) * plotW : plotW / 2);
  const scales = series.map((se) => Math.max(1e-9, ...points.map((p) => Number(p[se.key]) || 0)) * 1.1);
  for (const frac of [0, 0.5, 1]) {
    const y = padT + plotH * (1 - frac);
    svg.appendChild(s('line', {x1: padL, x2: W - padR, y1: y, y2: y, class: 'grid'}));
    series.forEach((se, i) => {
      const v = scales[i] * frac;
      svg.appendChild(s('text', {x: i === 0 ? padL - 4 : W - padR + 4, y: y + 4, class: `axis ${se.cls}`,
                                 'text-anchor': i === 0 ? 'end' : 'start'}, se.fmt ? se.fmt(v) : String(Math.round(v))));
    });
  }
  if (mark) {
    for (const p of points) {
      const n = Number(p[mark.key]) || 0;
      if (!n) continue;
      const cx = x(Number(p.ts_us));
      svg.appendChild(s('g', {class: `mark ${mark.cls}`, testid: `${testid}-mark`},
                        s('line', {x1: cx, x2: cx, y1: padT, y2: padT + plotH, class: 'mark-line'}),
                        s('path', {d: `M${cx - 6},${padT + plotH} L${cx + 6},${padT + plotH} L${cx},${padT + plotH - 10} Z`,
                                   class: 'mark-tri'}),
                        s('title', {}, `${fmtTime(p.ts_us)} — ${mark.label}: ${n}`)));
    }
  }
  series.forEach((se, i) => {
    const pts = points.map((p) => {
      const v = Number(p[se.key]);
      return Number.isFinite(v) ? [x(Number(p.ts_us)), padT + plotH * (1 - v / scales[i])] : null;
    }).filter(Boolean);
    if (!pts.length) return;
    svg.appendChild(s('polyline', {points: pts.map(([a, b]) => `${a.toFixed(1)},${b.toFixed(1)}`).join(' '),
                                   class: `line ${se.cls}`}));
    for (const [a, b] of pts) svg.appendChild(s('circle', {cx: a.toFixed(1), cy: b.toFixed(1), r: 2.5, class: `dot ${se.cls}`}));
  });
  if (points.length) {
    svg.appendChild(s('text', {x: padL, y: H - 6, class: 'axis'}, fmtTime(t0)));
    svg.appendChild(s('text', {x: W - padR, y: H - 6, class: 'axis', 'text-anchor': 'end'}, fmtTime(t1)));
  }
  const items = series.map((se) => h('span', {class: 'legend-item'}, h('span', {class: `swatch ${se.cls}`}), se.label));
  if (mark) items.push(h('span', {class: 'legend-item'}, h('span', {class: `swatch ${mark.cls}`}), mark.label));
  return h('div', {class: 'chart-wrap'}, svg, h('div', {class: 'legend'}, items));
}
