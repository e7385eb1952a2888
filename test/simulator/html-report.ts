// A self-contained HTML report of simulator runs: invariants, a timeline of partitions per link, and
// an inline SVG plot of divergence over time. No scripts, no external assets.
import type { SimResult } from './run-schedule.ts';

const esc = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

const W = 900;
const LEFT = 60;

/** One row per appliance link: partitions red, outages amber, crashes as ticks, cloud restarts as lines. */
export function timelineSvg(r: SimResult): string {
  const rowH = 16;
  const n = r.stats.appliances;
  const h = n * rowH + 30;
  const x = (step: number) => LEFT + ((W - LEFT - 10) * step) / Math.max(1, r.stats.steps);
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    const y = 10 + i * rowH;
    parts.push(
      `<text x="4" y="${y + 11}" font-size="10">a${i}</text><rect x="${LEFT}" y="${y + 2}" width="${W - LEFT - 10}" height="${rowH - 4}" fill="#e8f5e9"/>`,
    );
  }
  for (const l of r.links) {
    const y = 10 + l.app * rowH;
    parts.push(
      `<rect class="${l.kind}" x="${x(l.from).toFixed(1)}" y="${y + 2}" width="${Math.max(1, x(l.to) - x(l.from)).toFixed(1)}" height="${rowH - 4}" fill="${l.kind === 'outage' ? '#f9a825' : '#c62828'}"><title>${l.kind} a${l.app}: steps ${l.from}–${l.to}</title></rect>`,
    );
  }
  for (const p of r.points) {
    if (p.app === null)
      parts.push(
        `<line class="cloud-restart" x1="${x(p.step).toFixed(1)}" x2="${x(p.step).toFixed(1)}" y1="6" y2="${h - 18}" stroke="#1565c0" stroke-dasharray="3 2"><title>cloud restart at step ${p.step}</title></line>`,
      );
    else {
      const y = 10 + p.app * rowH;
      parts.push(
        `<path class="crash" d="M${(x(p.step) - 3).toFixed(1)} ${y + 3} l6 ${rowH - 6} m0 -${rowH - 6} l-6 ${rowH - 6}" stroke="#000" stroke-width="1.5"><title>crash a${p.app} at step ${p.step}</title></path>`,
      );
    }
  }
  parts.push(`<text x="${LEFT}" y="${h - 4}" font-size="10">step 0</text>`);
  parts.push(`<text x="${W - 60}" y="${h - 4}" font-size="10">step ${r.stats.steps}</text>`);
  return `<svg id="timeline" xmlns="http://www.w3.org/2000/svg" width="${W}" height="${h}" role="img" aria-label="partitions per link">${parts.join('')}</svg>`;
}

/** Replicas not converged (red) and distinct head sets (blue) per sampled step. */
export function divergenceSvg(r: SimResult): string {
  const h = 180;
  const top = 10;
  const bottom = h - 24;
  const ys = r.divergence.flatMap((d) => [d.diverged, d.heads]);
  const max = Math.max(1, ...ys);
  const x = (step: number) => LEFT + ((W - LEFT - 10) * step) / Math.max(1, r.stats.steps);
  const y = (v: number) => bottom - ((bottom - top) * v) / max;
  const line = (f: (d: SimResult['divergence'][number]) => number, color: string, cls: string) =>
    `<polyline class="${cls}" fill="none" stroke="${color}" stroke-width="1.5" points="${r.divergence.map((d) => `${x(d.step).toFixed(1)},${y(f(d)).toFixed(1)}`).join(' ')}"/>`;
  return `<svg id="divergence" xmlns="http://www.w3.org/2000/svg" width="${W}" height="${h}" role="img" aria-label="divergence over time">
<line x1="${LEFT}" y1="${bottom}" x2="${W - 10}" y2="${bottom}" stroke="#999"/><line x1="${LEFT}" y1="${top}" x2="${LEFT}" y2="${bottom}" stroke="#999"/>
<text x="4" y="${top + 8}" font-size="10">${max}</text><text x="4" y="${bottom}" font-size="10">0</text>
<text x="${LEFT}" y="${h - 6}" font-size="10">step 0</text><text x="${W - 60}" y="${h - 6}" font-size="10">step ${r.stats.steps}</text>
${line((d) => d.heads, '#1565c0', 'heads')}${line((d) => d.diverged, '#c62828', 'diverged')}
<text x="${LEFT + 10}" y="${top + 10}" font-size="10" fill="#c62828">replicas not converged</text><text x="${LEFT + 160}" y="${top + 10}" font-size="10" fill="#1565c0">distinct head sets</text>
</svg>`;
}

function runSection(r: SimResult): string {
  const inv = Object.entries(r.invariants)
    .map(
      ([k, i]) =>
        `<tr class="${i.ok ? 'ok' : 'fail'}"><td>${i.ok ? 'ok' : 'FAIL'}</td><td>${esc(k)}</td><td>${esc(i.detail)}</td></tr>`,
    )
    .join('');
  const stats = Object.entries(r.stats)
    .map(([k, v]) => `<tr><td>${esc(k)}</td><td>${v}</td></tr>`)
    .join('');
  const events = r.timeline
    .slice(0, 500)
    .map((e) => `<li>step ${e.step}: ${esc(e.event)}</li>`)
    .join('');
  return `<section><h2>seed ${r.seed}${r.name ? ` — ${esc(r.name)}` : ''}: ${r.ok ? 'every invariant held' : 'FAILED'}</h2>
<table><tr><th></th><th>invariant</th><th>detail</th></tr>${inv}</table>
<h3>Partitions per link</h3>${timelineSvg(r)}
<h3>Divergence over time</h3>${divergenceSvg(r)}
<details><summary>stats</summary><table>${stats}</table></details>
<details><summary>events (${r.timeline.length})</summary><ul>${events}</ul></details></section>`;
}

/** The whole report; runs beyond `detailed` appear in the summary table only. */
export function htmlReport(results: readonly SimResult[], detailed = 20): string {
  const rows = results
    .map(
      (r) =>
        `<tr class="${r.ok ? 'ok' : 'fail'}"><td>${r.seed}</td><td>${r.ok ? 'ok' : 'FAILED'}</td><td>${r.stats.events}</td><td>${r.stats.partitions + r.stats.outages}</td><td>${r.stats.crashes}</td><td>${r.stats.cloudRestarts}</td><td>${(r.stats.ms / 1000).toFixed(2)}</td></tr>`,
    )
    .join('');
  const shown = [...results.filter((r) => !r.ok), ...results.filter((r) => r.ok)].slice(0, detailed);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Osiris simulator report</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:960px}table{border-collapse:collapse}td,th{padding:2px 8px;border-bottom:1px solid #ddd;text-align:left}tr.fail td{color:#b71c1c;font-weight:600}svg{background:#fafafa;border:1px solid #eee}</style></head>
<body><h1>Osiris partition-and-merge simulator</h1>
<p>${results.filter((r) => r.ok).length}/${results.length} runs held every invariant.</p>
<table id="summary"><tr><th>seed</th><th>verdict</th><th>events</th><th>partitions</th><th>crashes</th><th>cloud restarts</th><th>seconds</th></tr>${rows}</table>
${shown.map(runSection).join('\n')}
</body></html>
`;
}
