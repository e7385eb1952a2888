// Inline SVG charts built with the escaping template (labels are user data): bars, a donut, lines.
// Presentation attributes only (no style attributes), so the strict CSP holds.
import { type Html, html } from '../html.ts';

const PALETTE = ['#2563eb', '#0d9488', '#d97706', '#9333ea', '#dc2626', '#4b5563'];
const r1 = (n: number) => Math.round(n * 10) / 10;

/** Horizontal bars of values in [0, 1] (success rates). */
export function rateBars(items: readonly { label: string; value: number; note?: string }[]): Html {
  const rowH = 30;
  const h = items.length * rowH + 8;
  return html`<svg class="chart" viewBox="0 0 600 ${h}" role="img" aria-label="Success rate per pattern">
    ${items.map((it, i) => {
      const y = i * rowH + 4;
      const w = r1(Math.max(0, Math.min(1, it.value)) * 360);
      const color = it.value >= 0.9 ? '#16a34a' : it.value >= 0.7 ? '#d97706' : '#dc2626';
      return html`<g
        ><text x="0" y="${y + 17}" font-size="12" fill="#334155">${it.label.slice(0, 28)}</text>
        <rect x="190" y="${y + 4}" width="360" height="16" rx="4" fill="#eef2f7"></rect>
        <rect x="190" y="${y + 4}" width="${w}" height="16" rx="4" fill="${color}"
          ><title>${it.label}: ${Math.round(it.value * 100)}%${it.note ? ` (${it.note})` : ''}</title></rect
        >
        <text x="558" y="${y + 17}" font-size="12" fill="#0f172a">${Math.round(it.value * 100)}%</text></g
      >`;
    })}
  </svg>`;
}

/** A donut of shares (L1/L2/L3 mix) with a legend. */
export function donut(parts: readonly { label: string; value: number; color: string }[]): Html {
  const total = parts.reduce((n, p) => n + p.value, 0);
  const c = 2 * Math.PI * 60;
  let offset = 0;
  return html`<div class="donut-wrap">
    <svg class="chart donut" viewBox="0 0 160 160" role="img" aria-label="Resolution mix">
      <circle cx="80" cy="80" r="60" fill="none" stroke="#eef2f7" stroke-width="22"></circle>
      ${parts.map((p) => {
        const len = total ? (p.value / total) * c : 0;
        const seg = html`<circle
          cx="80"
          cy="80"
          r="60"
          fill="none"
          stroke="${p.color}"
          stroke-width="22"
          stroke-dasharray="${r1(len)} ${r1(c - len)}"
          stroke-dashoffset="${r1(-offset)}"
          transform="rotate(-90 80 80)"
          ><title>${p.label}: ${p.value}</title></circle
        >`;
        offset += len;
        return seg;
      })}
      <text x="80" y="78" text-anchor="middle" font-size="22" font-weight="700" fill="#0f172a">${total}</text>
      <text x="80" y="98" text-anchor="middle" font-size="11" fill="#64748b">resolutions</text>
    </svg>
    <ul class="legend">
      ${parts.map(
        (p) =>
          html`<li>
            <svg width="10" height="10" aria-hidden="true">
              <rect width="10" height="10" rx="2" fill="${p.color}"></rect>
            </svg>
            ${p.label} <strong>${total ? Math.round((100 * p.value) / total) : 0}%</strong>
            <span class="muted">(${p.value})</span>
          </li>`,
      )}
    </ul>
  </div>`;
}

/** Lines over time: one series per pattern (x = epoch ms, y = count). */
export function lineChart(
  series: readonly { label: string; points: readonly (readonly [number, number])[] }[],
): Html {
  const all = series.flatMap((s) => s.points);
  if (all.length < 2)
    return html`<p class="muted pad">
      Trends appear after a few samples (one a minute while data changes).
    </p>`;
  const [W, H, L, B] = [1000, 260, 44, 24];
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  const x0 = Math.min(...xs);
  const x1 = Math.max(...xs, x0 + 1);
  const y1 = Math.max(...ys, 1);
  const px = (x: number) => r1(L + ((x - x0) / (x1 - x0)) * (W - L - 10));
  const py = (y: number) => r1(H - B - (y / y1) * (H - B - 10));
  const ticks = [0, 0.5, 1].map((f) => Math.round(f * y1));
  return html`<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="Occurrences over time">
      ${ticks.map((t) => html`<line x1="${L}" x2="${W - 10}" y1="${py(t)}" y2="${py(t)}" stroke="#e2e8f0"></line><text x="${L - 6}" y="${py(t) + 4}" text-anchor="end" font-size="11" fill="#64748b">${t}</text>`)}
      <text x="${L}" y="${H - 6}" font-size="11" fill="#64748b">
        ${new Date(x0).toISOString().slice(11, 16)} UTC
      </text>
      <text x="${W - 10}" y="${H - 6}" text-anchor="end" font-size="11" fill="#64748b">
        ${new Date(x1).toISOString().slice(11, 16)} UTC
      </text>
      ${series.map((s, i) => html`<polyline fill="none" stroke="${PALETTE[i % PALETTE.length]}" stroke-width="2.5" stroke-linejoin="round" points="${s.points.map((p) => `${px(p[0])},${py(p[1])}`).join(' ')}"><title>${s.label}</title></polyline>`)}
    </svg>
    <ul class="legend inline">
      ${series.map(
        (s, i) =>
          html`<li>
            <svg width="10" height="10" aria-hidden="true">
              <rect width="10" height="10" rx="2" fill="${PALETTE[i % PALETTE.length]}"></rect>
            </svg>
            ${s.label}
          </li>`,
      )}
    </ul>`;
}
